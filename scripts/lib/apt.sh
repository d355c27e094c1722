# Installing Debian packages on demand (root only). Sourced by the rig scripts.

# package_installed <package>
package_installed() {
  dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

# ensure_packages <why> <package...>: install what is missing; `apt-get update` only when the
# package lists are empty or an install fails with the lists we have.
ensure_packages() {
  local why="$1" missing=() p
  shift
  for p in "$@"; do package_installed "$p" || missing+=("$p"); done
  [ "${#missing[@]}" -eq 0 ] && return 0
  command -v apt-get >/dev/null ||
    die "$why needs the Debian package(s) ${missing[*]}, and apt-get is not available" \
      "install ${missing[*]} with your system's package manager, then re-run bash scripts/services.sh start"
  is_root ||
    die "$why needs the Debian package(s) ${missing[*]}, and installing them needs root" \
      "run: sudo apt-get install -y ${missing[*]}   (or run bash scripts/services.sh start as root)"
  local apt=(apt-get -y -q -o DPkg::Lock::Timeout=300 --no-install-recommends)
  if ! compgen -G '/var/lib/apt/lists/*_Packages*' >/dev/null; then
    log "apt-get update (no package lists yet)"
    DEBIAN_FRONTEND=noninteractive apt-get -q -o DPkg::Lock::Timeout=300 update >&2
  fi
  log "installing ${missing[*]} ($why)"
  if ! DEBIAN_FRONTEND=noninteractive "${apt[@]}" install "${missing[@]}" >&2; then
    log "install failed with the current package lists; running apt-get update and retrying"
    DEBIAN_FRONTEND=noninteractive apt-get -q -o DPkg::Lock::Timeout=300 update >&2
    DEBIAN_FRONTEND=noninteractive "${apt[@]}" install "${missing[@]}" >&2 ||
      die "could not install ${missing[*]} with apt-get" "see the apt output above"
  fi
}
