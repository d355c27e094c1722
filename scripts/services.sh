#!/usr/bin/env bash
# The test rig: a Docker engine, two OCI registries (plain and basic-auth), Azurite's blob
# service, skopeo, the runtime images, the Serverless frameworks and the Node binaries (22 and
# 24) the install test runs on, described in $FAASPORT_SERVICES_DIR/services.json.
#
#   bash scripts/services.sh start [--json] [--for-tests]
#       Idempotent: what already runs is reused, concurrent starts wait for each other.
#       --json prints services.json on stdout (all progress goes to stderr).
#       --for-tests marks the services as started by a test run, so that the run's teardown may
#       stop them; a plain start pins them: they keep running until `stop`.
#   bash scripts/services.sh stop [--if-unused]
#       Stops only the processes this script started (its pid files), never an engine it found.
#       --if-unused (test teardown): do nothing while the services are pinned or another test
#       run still holds a lease on them ($FAASPORT_SERVICES_DIR/users.lock, shared flock).
#   bash scripts/services.sh status [--json]
#       Exit 0 when every service answers, 3 otherwise. --json prints services.json.
#
# State, logs and pid files live in ${FAASPORT_SERVICES_DIR:-/tmp/faasport-services}.
set -euo pipefail
SCRIPTS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib/common.sh
source "$SCRIPTS_DIR/lib/common.sh"
# shellcheck source=lib/apt.sh
source "$SCRIPTS_DIR/lib/apt.sh"
# shellcheck source=lib/docker-engine.sh
source "$SCRIPTS_DIR/lib/docker-engine.sh"
# shellcheck source=lib/registry.sh
source "$SCRIPTS_DIR/lib/registry.sh"
# shellcheck source=lib/azurite.sh
source "$SCRIPTS_DIR/lib/azurite.sh"
# shellcheck source=lib/node-binaries.sh
source "$SCRIPTS_DIR/lib/node-binaries.sh"

STATE_FILE="$FAASPORT_SERVICES_DIR/services.json"
PINNED_FILE="$FAASPORT_SERVICES_DIR/pinned"
SERVERLESS3_BIN="$FAASPORT_REPO_DIR/node_modules/serverless/bin/serverless.js"
OSLS_BIN="$FAASPORT_REPO_DIR/scripts/frameworks/osls/node_modules/osls/bin/serverless.js"

# Serialises start and stop across processes; daemons are started with this fd closed.
take_rig_lock() {
  exec 9>"$FAASPORT_SERVICES_DIR/lock"
  flock -w 900 9 || die "another scripts/services.sh has held $FAASPORT_SERVICES_DIR/lock for 15 minutes" \
    "check for a hung scripts/services.sh process"
}

ensure_skopeo() {
  command -v skopeo >/dev/null || ensure_packages "interop tests (skopeo)" skopeo
  SKOPEO="$(command -v skopeo)"
}

# The console's browser tests drive Debian's Chromium headless (playwright-core, no browser download).
ensure_chromium() {
  # fonts-liberation (only recommended) so that screenshots show text.
  ensure_packages "console browser tests (chromium)" chromium fonts-liberation
}

install_frameworks() {
  if [ -f "$SCRIPTS_DIR/frameworks.sh" ]; then
    # Its stdout is not ours: ours carries the JSON.
    bash "$SCRIPTS_DIR/frameworks.sh" install >&2
  else
    log "scripts/frameworks.sh not found; skipping the framework install"
  fi
}

write_state() {
  local credentials
  credentials="$(registry_dir auth)/credentials.json"
  (
    umask 077
    FAASPORT_STATE_DIR="$FAASPORT_SERVICES_DIR" ENGINE_HOST="$ENGINE_HOST" ENGINE_SOCKET="$ENGINE_SOCKET" \
      ENGINE_VERSION="$ENGINE_VERSION" DOCKERD_PID="$(our_dockerd_pid)" \
      PLAIN_PORT="$PLAIN_PORT" PLAIN_PID="$PLAIN_PID" AUTH_PORT="$AUTH_PORT" AUTH_PID="$AUTH_PID" \
      CREDENTIALS="$credentials" SKOPEO="$SKOPEO" RUNTIME_IMAGES="$RUNTIME_IMAGES" \
      AZURITE_PORT="$AZURITE_PORT" AZURITE_PID="$AZURITE_PID" AZURITE_ACCOUNT="$AZURITE_ACCOUNT" \
      AZURITE_KEY="$AZURITE_KEY" NODE22_BIN="$NODE22_BIN" NODE24_BIN="$NODE24_BIN" \
      SERVERLESS3_BIN="$SERVERLESS3_BIN" OSLS_BIN="$OSLS_BIN" node -e '
        const env = process.env;
        const { username, password } = JSON.parse(require("node:fs").readFileSync(env.CREDENTIALS, "utf8"));
        const pids = {
          registry: Number(env.PLAIN_PID),
          authRegistry: Number(env.AUTH_PID),
          azurite: Number(env.AZURITE_PID),
        };
        if (env.DOCKERD_PID) pids.dockerd = Number(env.DOCKERD_PID);
        const state = {
          stateDir: env.FAASPORT_STATE_DIR,
          docker: { host: env.ENGINE_HOST, socketPath: env.ENGINE_SOCKET, version: env.ENGINE_VERSION },
          registry: { host: `127.0.0.1:${env.PLAIN_PORT}` },
          authRegistry: { host: `127.0.0.1:${env.AUTH_PORT}`, username, password },
          azurite: {
            blobEndpoint: `http://127.0.0.1:${env.AZURITE_PORT}/${env.AZURITE_ACCOUNT}`,
            account: env.AZURITE_ACCOUNT,
            key: env.AZURITE_KEY,
          },
          skopeo: env.SKOPEO,
          runtimeImages: JSON.parse(env.RUNTIME_IMAGES),
          frameworks: { serverless3: env.SERVERLESS3_BIN, osls: env.OSLS_BIN },
          nodes: { node22: env.NODE22_BIN, node24: env.NODE24_BIN },
          pids,
        };
        process.stdout.write(`${JSON.stringify(state, null, 2)}\n`);
      ' >"$STATE_FILE.tmp"
  )
  mv "$STATE_FILE.tmp" "$STATE_FILE"
}

cmd_start() {
  local json=0 for_tests=0 arg frameworks_pid images_out
  for arg in "$@"; do
    case "$arg" in
    --json) json=1 ;;
    --for-tests) for_tests=1 ;;
    *) die "unknown option for start: $arg" "usage: bash scripts/services.sh start [--json] [--for-tests]" ;;
    esac
  done
  ensure_state_dir
  take_rig_lock
  ensure_docker_engine
  ensure_registry plain
  PLAIN_PORT="$REGISTRY_PORT" PLAIN_PID="$REGISTRY_PID"
  ensure_registry auth
  AUTH_PORT="$REGISTRY_PORT" AUTH_PID="$REGISTRY_PID"
  ensure_azurite
  ensure_skopeo
  ensure_chromium
  ensure_node22
  ensure_node24
  # Independent and the slowest steps: run them side by side.
  install_frameworks &
  frameworks_pid=$!
  images_out="$FAASPORT_SERVICES_DIR/runtime-images.json"
  if ! bash "$SCRIPTS_DIR/runtime-images.sh" --json >"$images_out"; then
    wait "$frameworks_pid" || true
    die "the runtime images could not be built (see above)" "fix the cause, then re-run bash scripts/services.sh start"
  fi
  RUNTIME_IMAGES="$(cat "$images_out")"
  wait "$frameworks_pid" || die "installing the Serverless frameworks failed (see above)" \
    "fix the cause, then re-run bash scripts/services.sh start (it runs bash scripts/frameworks.sh install)"
  write_state
  if [ "$for_tests" = 0 ]; then touch "$PINNED_FILE"; fi
  log "services ready: $STATE_FILE"
  if [ "$json" = 1 ]; then print_state; fi
}

# services.json on stdout, for programs. On a terminal the registry password is masked: it is
# in the file (mode 600) for whoever needs it.
print_state() {
  if [ -t 1 ]; then
    node -e 'const s=JSON.parse(require("node:fs").readFileSync(process.argv[1],"utf8"));
      s.authRegistry.password=`<masked: see ${process.argv[1]}>`; console.log(JSON.stringify(s,null,2));' "$STATE_FILE"
  else
    cat "$STATE_FILE"
  fi
}

cmd_stop() {
  local if_unused=0 arg
  for arg in "$@"; do
    case "$arg" in
    --if-unused) if_unused=1 ;;
    *) die "unknown option for stop: $arg" "usage: bash scripts/services.sh stop [--if-unused]" ;;
    esac
  done
  [ -d "$FAASPORT_SERVICES_DIR" ] || return 0
  if [ "$if_unused" = 1 ]; then
    if [ -e "$PINNED_FILE" ]; then
      log "services were started by scripts/services.sh start (pinned); leaving them running"
      return 0
    fi
    exec 8>"$FAASPORT_SERVICES_DIR/users.lock"
    if ! flock -n -x 8; then
      log "another test run is still using the services; leaving them running"
      return 0
    fi
  fi
  take_rig_lock
  stop_azurite
  stop_registry auth
  stop_registry plain
  stop_docker_engine
  rm -f "$STATE_FILE" "$PINNED_FILE"
  log "stopped what scripts/services.sh had started"
}

# check <label> <command...>: one line of the status table (on stderr when stdout carries JSON).
check() {
  local label="$1"
  shift
  if "$@" >/dev/null 2>&1; then
    printf '  %-28s ok\n' "$label" >&"$TABLE_FD"
  else
    printf '  %-28s MISSING\n' "$label" >&"$TABLE_FD"
    STATUS_OK=0
  fi
}

state_field() {
  node -e 'const s=JSON.parse(require("node:fs").readFileSync(process.argv[1],"utf8"));
    const v=process.argv[2].split(".").reduce((o,k)=>o?.[k],s); process.stdout.write(v===undefined?"":String(v));' \
    "$STATE_FILE" "$1"
}

runtime_image_tags() {
  node -e 'const s=JSON.parse(require("node:fs").readFileSync(process.argv[1],"utf8"));
    for (const tag of Object.values(s.runtimeImages)) console.log(tag);' "$STATE_FILE"
}

image_present() { docker image inspect "$1" >/dev/null 2>&1; }

cmd_status() {
  local json=0 host tag
  TABLE_FD=1
  if [ "${1:-}" = --json ]; then json=1 TABLE_FD=2; fi
  STATUS_OK=1
  if [ ! -f "$STATE_FILE" ]; then
    log "not started: $STATE_FILE does not exist (run bash scripts/services.sh start)"
    return 3
  fi
  host="$(state_field docker.host)"
  export DOCKER_HOST="$host"
  printf 'faasport test services (%s)\n' "$FAASPORT_SERVICES_DIR" >&"$TABLE_FD"
  check "docker engine" engine_answers "$host"
  check "registry" registry_healthy "$(state_field registry.host | cut -d: -f2)" plain
  check "auth registry" registry_healthy "$(state_field authRegistry.host | cut -d: -f2)" auth
  check "azurite (blob)" azurite_healthy "$(state_field azurite.blobEndpoint | cut -d: -f3 | cut -d/ -f1)"
  check "skopeo" test -x "$(state_field skopeo)"
  while read -r tag; do check "$tag" image_present "$tag"; done < <(runtime_image_tags)
  check "serverless@3" test -f "$(state_field frameworks.serverless3)"
  check "osls" test -f "$(state_field frameworks.osls)"
  check "node 22 (install test)" test -x "$(state_field nodes.node22)"
  check "node 24 (install test)" test -x "$(state_field nodes.node24)"
  if [ "$json" = 1 ]; then print_state; fi
  [ "$STATUS_OK" = 1 ] || return 3
}

main() {
  local command="${1:-}"
  [ $# -gt 0 ] && shift
  case "$command" in
  start) cmd_start "$@" ;;
  stop) cmd_stop "$@" ;;
  status) cmd_status "$@" ;;
  *) die "unknown command: '${command}'" "usage: bash scripts/services.sh start|stop|status [--json]" ;;
  esac
}

main "$@"
