# Shared helpers for the test-rig scripts. Sourced, never executed.
# Everything human-readable goes to stderr so that `--json` output on stdout stays parseable.

FAASPORT_SERVICES_DIR="${FAASPORT_SERVICES_DIR:-/tmp/faasport-services}"
FAASPORT_REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

log() { printf '[faasport-services] %s\n' "$*" >&2; }

# die <message> [hint]: a clear failure, never a stack trace.
die() {
  printf '[faasport-services] error: %s\n' "$1" >&2
  if [ -n "${2:-}" ]; then printf '  → %s\n' "$2" >&2; fi
  exit 1
}

is_root() { [ "$(id -u)" = 0 ]; }

ensure_state_dir() {
  mkdir -p "$FAASPORT_SERVICES_DIR"
  chmod 700 "$FAASPORT_SERVICES_DIR"
}

# pid_alive <pid> <needle>: the process exists and its command line contains <needle>, so a
# recycled pid that now belongs to something else is not mistaken for our daemon.
pid_alive() {
  local pid="$1" needle="$2" cmdline
  [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] || return 1
  cmdline="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)" || return 1
  [[ "$cmdline" == *"$needle"* ]]
}

# child_running <pid>: a child this shell started has not exited. Unlike pid_alive it does not
# look at the command line, which is still the shell's own until the child has exec'd (a race
# that once made a healthy registry look dead a few milliseconds after its start).
child_running() {
  local state
  [ -r "/proc/$1/stat" ] || return 1
  state="$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)" || return 1
  [ -n "$state" ] && [ "$state" != Z ] && [ "$state" != X ]
}

read_pid_file() { if [ -f "$1" ]; then tr -dc '0-9' <"$1"; fi; }

# stop_pid <pid> <needle> <name>: SIGTERM, wait (bounded), then SIGKILL.
stop_pid() {
  local pid="$1" needle="$2" name="$3" i
  pid_alive "$pid" "$needle" || return 0
  log "stopping $name (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || true
  for i in $(seq 1 100); do
    pid_alive "$pid" "$needle" || return 0
    sleep 0.2
  done
  log "$name did not exit after 20 s; killing it"
  kill -KILL "$pid" 2>/dev/null || true
}

# A free TCP port on 127.0.0.1 (the kernel picks it; the caller retries if it is taken meanwhile).
free_port() {
  node -e 'const s=require("node:net").createServer();s.listen(0,"127.0.0.1",()=>{process.stdout.write(String(s.address().port));s.close();});'
}

# wait_until <seconds> <command...>: poll a check every 0.2 s, bounded.
wait_until() {
  local seconds="$1" i
  shift
  for i in $(seq 1 $((seconds * 5))); do
    if "$@"; then return 0; fi
    sleep 0.2
  done
  return 1
}

# Random token of URL- and YAML-safe characters.
random_token() { head -c "${1:-24}" /dev/urandom | base64 | tr -d '\n=' | tr '+/' '-_'; }

sha256_of() { sha256sum "$@" | cut -d' ' -f1; }
