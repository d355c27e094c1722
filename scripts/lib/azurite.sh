# Azurite's blob service for the rig (npm devDependency `azurite`), on 127.0.0.1 only.
# Sourced by services.sh. In-memory persistence: the blobs are scratch space, gone at stop.
#
# The storage SDK sends an x-ms-version newer than Azurite accepts, hence --skipApiVersionCheck
# (docs cloud-apis.md §4). Nothing is downloaded: the binary comes from the project's node_modules.

# Azurite's documented development account (public, the same in every Azurite install).
AZURITE_ACCOUNT=devstoreaccount1
AZURITE_KEY='Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=='

azurite_dir() { echo "$FAASPORT_SERVICES_DIR/azurite"; }
azurite_bin() { echo "$FAASPORT_REPO_DIR/node_modules/.bin/azurite-blob"; }
# What our Azurite's command line contains: its port tells it from any other Azurite.
azurite_needle() { echo "azurite-blob --blobHost 127.0.0.1 --blobPort $1 "; }

# azurite_healthy <port>: the blob service answers as Azurite (any status: anonymous calls get 4xx).
azurite_healthy() {
  curl -s -o /dev/null -D - --max-time 3 "http://127.0.0.1:$1/$AZURITE_ACCOUNT?comp=list" 2>/dev/null |
    grep -qi '^server: Azurite-Blob'
}

# azurite_up_or_dead <pid> <port>: stop waiting as soon as either is known (the pid is our child).
azurite_up_or_dead() {
  azurite_healthy "$2" || ! child_running "$1"
}

# ensure_azurite: reuse a healthy instance this script started, else start one on a free port.
# Sets AZURITE_PORT and AZURITE_PID.
ensure_azurite() {
  local dir bin pid port attempt
  dir="$(azurite_dir)"
  mkdir -p "$dir"
  pid="$(read_pid_file "$dir/pid")"
  port="$(read_pid_file "$dir/port")"
  if [ -n "$port" ] && pid_alive "$pid" "$(azurite_needle "$port")"; then
    if [ -n "$port" ] && wait_until 5 azurite_healthy "$port"; then
      AZURITE_PORT="$port" AZURITE_PID="$pid"
      log "azurite already running on 127.0.0.1:$port (pid $pid)"
      return 0
    fi
    log "azurite (pid $pid) does not answer; restarting it"
    stop_pid "$pid" "$(azurite_needle "$port")" "azurite"
  fi

  bin="$(azurite_bin)"
  [ -x "$bin" ] || die "azurite is not installed at $bin" \
    "run npm ci in $FAASPORT_REPO_DIR (azurite is a devDependency)"
  for attempt in 1 2 3; do
    port="$(free_port)"
    # Run in $dir: Azurite writes its workspace files (if any) to the working directory.
    (cd "$dir" && exec setsid "$bin" --blobHost 127.0.0.1 --blobPort "$port" \
      --inMemoryPersistence --extentMemoryLimit 512 --skipApiVersionCheck --disableTelemetry --silent \
      >"$dir/azurite.log" 2>&1 </dev/null 9>&-) &
    pid=$!
    if wait_until 20 azurite_up_or_dead "$pid" "$port" && azurite_healthy "$port"; then
      echo "$pid" >"$dir/pid"
      echo "$port" >"$dir/port"
      AZURITE_PORT="$port" AZURITE_PID="$pid"
      log "azurite started on 127.0.0.1:$port (pid $pid, log $dir/azurite.log)"
      return 0
    fi
    stop_pid "$pid" "$(azurite_needle "$port")" "azurite"
    # Another process may have taken the port between our probe and Azurite's bind.
    grep -q 'EADDRINUSE' "$dir/azurite.log" 2>/dev/null || break
    log "port $port was taken meanwhile (attempt $attempt); trying another"
  done
  tail -n 20 "$dir/azurite.log" >&2 2>/dev/null || true
  die "azurite did not answer on 127.0.0.1:$port (it exited, or 20 s passed)" \
    "read $dir/azurite.log; fix the cause, then re-run bash scripts/services.sh start"
}

# The pid of an Azurite this script started and that is still running, or nothing.
our_azurite_pid() {
  local dir pid port
  dir="$(azurite_dir)"
  pid="$(read_pid_file "$dir/pid")"
  port="$(read_pid_file "$dir/port")"
  if [ -n "$port" ] && pid_alive "$pid" "$(azurite_needle "$port")"; then echo "$pid"; fi
}

stop_azurite() {
  local dir pid
  dir="$(azurite_dir)"
  pid="$(our_azurite_pid)"
  if [ -n "$pid" ]; then stop_pid "$pid" "$(azurite_needle "$(read_pid_file "$dir/port")")" "azurite"; fi
  rm -f "$dir/pid" "$dir/port"
}
