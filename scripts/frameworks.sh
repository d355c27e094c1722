#!/usr/bin/env bash
# The Serverless Framework versions the tests run the plugin under.
#
#   bash scripts/frameworks.sh install   install what is missing or stale (idempotent)
#   bash scripts/frameworks.sh paths     print the CLI entry scripts as JSON
#   bash scripts/frameworks.sh status    say what is installed; non-zero when something is missing
#
# serverless@3 is a root devDependency. osls ships bins named `serverless`/`sls` too, so it lives
# in its own folder (scripts/frameworks/osls) with its own lockfile instead of the root's.
# Progress goes to stderr; stdout carries only what a command is asked to print.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
osls_dir="$root/scripts/frameworks/osls"
serverless3_cli="$root/node_modules/serverless/bin/serverless.js"
osls_cli="$osls_dir/node_modules/osls/bin/serverless.js"
# Written after a successful install: the lockfile's hash, so a changed pin means "stale".
stamp="$osls_dir/node_modules/.faasport-lock-sha256"

log() { printf 'frameworks: %s\n' "$*" >&2; }

lock_hash() { sha256sum "$osls_dir/package-lock.json" | cut -d' ' -f1; }

osls_fresh() {
  [[ -f "$osls_cli" && -f "$stamp" ]] && [[ "$(cat "$stamp")" == "$(lock_hash)" ]]
}

install() {
  if osls_fresh; then
    log "osls up to date ($osls_dir)"
  else
    command -v npm >/dev/null || { log "npm not found on PATH; install Node.js 22 or newer"; exit 1; }
    log "installing osls into $osls_dir"
    npm ci --prefix "$osls_dir" --no-audit --no-fund --loglevel=error >&2
    lock_hash >"$stamp"
  fi
  if [[ ! -f "$serverless3_cli" ]]; then
    log "serverless@3 is missing from $root/node_modules: run \`npm ci\` (or \`npm install\`) at the repository root"
    exit 1
  fi
}

paths() {
  printf '{"serverless3":"%s","osls":"%s"}\n' "$serverless3_cli" "$osls_cli"
}

status() {
  local ok=0
  if [[ -f "$serverless3_cli" ]]; then log "serverless@3: $serverless3_cli"; else log "serverless@3: missing (npm ci at the root)"; ok=1; fi
  if osls_fresh; then log "osls: $osls_cli"; else log "osls: missing or stale (bash scripts/frameworks.sh install)"; ok=1; fi
  return "$ok"
}

case "${1:-install}" in
  install) install ;;
  paths) paths ;;
  status) status ;;
  *)
    log "unknown command '${1}'; use install, paths or status"
    exit 2
    ;;
esac
