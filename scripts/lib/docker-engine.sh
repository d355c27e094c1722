# The Docker engine for the rig: use one that answers, else install docker.io and start dockerd.
# Sourced by services.sh. Sets ENGINE_HOST, ENGINE_SOCKET (empty for tcp://), ENGINE_VERSION.

# The socket looked at after DOCKER_HOST, and where a dockerd started here listens.
DEFAULT_DOCKER_HOST="unix://${FAASPORT_DOCKER_SOCKET:-/var/run/docker.sock}"
DOCKERD_PID_FILE() { echo "$FAASPORT_SERVICES_DIR/dockerd.pid"; }
DOCKERD_LOG() { echo "$FAASPORT_SERVICES_DIR/dockerd.log"; }

# engine_request <host> <path>: GET an Engine API path on a unix:// or tcp:// host.
engine_request() {
  local host="$1" path="$2"
  case "$host" in
  unix://*) curl -fsS --max-time 5 --unix-socket "${host#unix://}" "http://docker$path" 2>/dev/null ;;
  tcp://*) curl -fsS --max-time 5 "http://${host#tcp://}$path" 2>/dev/null ;;
  *) return 1 ;;
  esac
}

engine_answers() { [ "$(engine_request "$1" /_ping)" = OK ]; }

ensure_docker_engine() {
  local candidates=() host pid
  if [ -n "${DOCKER_HOST:-}" ]; then candidates+=("$DOCKER_HOST"); fi
  candidates+=("$DEFAULT_DOCKER_HOST")
  for host in "${candidates[@]}"; do
    if engine_answers "$host"; then
      use_engine "$host"
      return 0
    fi
    if [ "$host" = "${DOCKER_HOST:-}" ] && [ "$host" != "$DEFAULT_DOCKER_HOST" ]; then
      log "DOCKER_HOST=$host does not answer; trying $DEFAULT_DOCKER_HOST"
    fi
  done

  pid="$(read_pid_file "$(DOCKERD_PID_FILE)")"
  if pid_alive "$pid" dockerd; then
    log "dockerd (pid $pid, started by this script) is not answering yet; waiting"
  else
    is_root || die "no Docker engine answered on ${candidates[*]}, and starting one needs root" \
      "start a Docker engine (or set DOCKER_HOST to one), or run bash scripts/services.sh start as root"
    command -v dockerd >/dev/null || ensure_packages "the Docker engine" docker.io
    command -v dockerd >/dev/null || die "dockerd is still missing after installing docker.io" \
      "install docker.io by hand, then re-run bash scripts/services.sh start"
    log "starting dockerd (log: $(DOCKERD_LOG))"
    # setsid: the engine outlives this script and ignores Ctrl-C sent to the caller's terminal.
    # shellcheck disable=SC2086 # FAASPORT_DOCKERD_ARGS is a list of extra flags
    setsid dockerd --host="$DEFAULT_DOCKER_HOST" ${FAASPORT_DOCKERD_ARGS:-} \
      >"$(DOCKERD_LOG)" 2>&1 </dev/null 9>&- &
    pid=$!
    echo "$pid" >"$(DOCKERD_PID_FILE)"
  fi
  if ! wait_until 60 engine_answers "$DEFAULT_DOCKER_HOST"; then
    tail -n 20 "$(DOCKERD_LOG)" >&2 2>/dev/null || true
    die "Docker engine did not answer on ${DEFAULT_DOCKER_HOST#unix://} within 60 s (pid $pid)" \
      "read $(DOCKERD_LOG); fix the cause, then re-run bash scripts/services.sh start"
  fi
  use_engine "$DEFAULT_DOCKER_HOST"
}

use_engine() {
  ENGINE_HOST="$1"
  case "$ENGINE_HOST" in
  unix://*) ENGINE_SOCKET="${ENGINE_HOST#unix://}" ;;
  *) ENGINE_SOCKET='' ;;
  esac
  ENGINE_VERSION="$(engine_request "$ENGINE_HOST" /version |
    node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>process.stdout.write(JSON.parse(s).Version??""))')"
  [ -n "$ENGINE_VERSION" ] || die "the Docker engine at $ENGINE_HOST answered /_ping but not /version"
  # The docker CLI (runtime-images.sh) must talk to the same engine.
  export DOCKER_HOST="$ENGINE_HOST"
  command -v docker >/dev/null || ensure_packages "the docker CLI" docker.io
  log "Docker engine $ENGINE_VERSION at $ENGINE_HOST"
}

# The pid of a dockerd this script started and that is still running, or nothing.
our_dockerd_pid() {
  local pid
  pid="$(read_pid_file "$(DOCKERD_PID_FILE)")"
  if pid_alive "$pid" dockerd; then echo "$pid"; fi
}

stop_docker_engine() {
  local pid
  pid="$(our_dockerd_pid)"
  if [ -n "$pid" ]; then stop_pid "$pid" dockerd dockerd; fi
  rm -f "$(DOCKERD_PID_FILE)"
}
