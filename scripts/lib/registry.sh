# CNCF distribution registries for the rig (Debian docker-registry), on 127.0.0.1 only.
# Sourced by services.sh. Two instances: "plain" (anonymous) and "auth" (htpasswd basic auth).

registry_dir() { echo "$FAASPORT_SERVICES_DIR/registry-$1"; }

ensure_registry_binary() {
  command -v docker-registry >/dev/null && return 0
  ensure_packages "the OCI registry" docker-registry
  # The package's own service listens on every interface on :5000; the rig does not use it.
  if command -v systemctl >/dev/null && systemctl is-active --quiet docker-registry 2>/dev/null; then
    log "disabling the docker-registry system service the package started (the rig runs its own)"
    systemctl disable --now docker-registry >&2 || true
  fi
}

# registry_status_code <port>: HTTP status of GET /v2/, or 000 when nothing answers.
registry_status_code() {
  curl -s -o /dev/null -w '%{http_code}' --max-time 3 "http://127.0.0.1:$1/v2/" 2>/dev/null || true
}

registry_healthy() {
  local code
  code="$(registry_status_code "$1")"
  case "$2" in
  plain) [ "$code" = 200 ] ;;
  auth) [ "$code" = 401 ] ;;
  esac
}

# registry_up_or_dead <pid> <port> <kind>: stop waiting as soon as either is known. The pid is
# our own child, so it cannot be reused while we wait.
registry_up_or_dead() {
  registry_healthy "$2" "$3" || ! child_running "$1"
}

# Credentials for the auth registry: generated once per state folder, kept across restarts.
ensure_registry_credentials() {
  local dir="$1" user password
  [ -s "$dir/credentials.json" ] && [ -s "$dir/htpasswd" ] && return 0
  user="faasport-$(random_token 6 | tr -dc 'a-zA-Z0-9' | tr 'A-Z' 'a-z')"
  password="$(random_token 24)"
  (
    umask 077
    FAASPORT_USER="$user" FAASPORT_PASSWORD="$password" node -e \
      'process.stdout.write(JSON.stringify({username:process.env.FAASPORT_USER,password:process.env.FAASPORT_PASSWORD}))' \
      >"$dir/credentials.json"
    # The password travels on stdin, never in argv (visible to `ps`). bcrypt is the only hash
    # distribution accepts; cost 5 keeps every authenticated request cheap for the tests.
    printf '%s:%s\n' "$user" "$(printf '%s' "$password" | bcrypt_hash)" >"$dir/htpasswd"
  )
}

bcrypt_hash() {
  if command -v htpasswd >/dev/null; then
    htpasswd -niBC 5 x | cut -d: -f2-
  elif /usr/bin/python3 -W ignore -c 'import crypt' 2>/dev/null; then
    /usr/bin/python3 -W ignore -c \
      'import crypt,sys; print(crypt.crypt(sys.stdin.read(), crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=32)))'
  else
    ensure_packages "bcrypt for the registry's htpasswd file" apache2-utils
    htpasswd -niBC 5 x | cut -d: -f2-
  fi
}

# write_registry_config <dir> <kind> <port>: JSON is valid YAML, and node quotes every path.
write_registry_config() {
  local dir="$1" kind="$2" port="$3"
  FAASPORT_DIR="$dir" FAASPORT_KIND="$kind" FAASPORT_PORT="$port" FAASPORT_SECRET="$(random_token 24)" node -e '
    const { FAASPORT_DIR: dir, FAASPORT_KIND: kind, FAASPORT_PORT: port, FAASPORT_SECRET: secret } = process.env;
    const config = {
      version: 0.1,
      log: { level: "info", accesslog: { disabled: true } },
      storage: {
        filesystem: { rootdirectory: `${dir}/data` },
        delete: { enabled: true },
        maintenance: { uploadpurging: { enabled: false } },
      },
      http: { addr: `127.0.0.1:${port}`, secret, headers: { "X-Content-Type-Options": ["nosniff"] } },
    };
    if (kind === "auth") config.auth = { htpasswd: { realm: "faasport-test", path: `${dir}/htpasswd` } };
    process.stdout.write(JSON.stringify(config, null, 2));
  ' >"$dir/config.yml"
}

# ensure_registry <kind>: reuse a healthy instance this script started, else start one on a free
# port. Sets REGISTRY_PORT and REGISTRY_PID.
ensure_registry() {
  local kind="$1" dir pid port attempt
  dir="$(registry_dir "$kind")"
  mkdir -p "$dir/data"
  if [ "$kind" = auth ]; then ensure_registry_credentials "$dir"; fi

  pid="$(read_pid_file "$dir/pid")"
  port="$(read_pid_file "$dir/port")"
  if pid_alive "$pid" "$dir/config.yml"; then
    if [ -n "$port" ] && wait_until 5 registry_healthy "$port" "$kind"; then
      REGISTRY_PORT="$port" REGISTRY_PID="$pid"
      log "$kind registry already running on 127.0.0.1:$port (pid $pid)"
      return 0
    fi
    log "$kind registry (pid $pid) does not answer; restarting it"
    stop_pid "$pid" "$dir/config.yml" "$kind registry"
  fi

  ensure_registry_binary
  for attempt in 1 2 3; do
    port="$(free_port)"
    write_registry_config "$dir" "$kind" "$port"
    setsid docker-registry serve "$dir/config.yml" >"$dir/registry.log" 2>&1 </dev/null 9>&- &
    pid=$!
    if wait_until 15 registry_up_or_dead "$pid" "$port" "$kind" && registry_healthy "$port" "$kind"; then
      echo "$pid" >"$dir/pid"
      echo "$port" >"$dir/port"
      REGISTRY_PORT="$port" REGISTRY_PID="$pid"
      log "$kind registry started on 127.0.0.1:$port (pid $pid, log $dir/registry.log)"
      return 0
    fi
    stop_pid "$pid" "$dir/config.yml" "$kind registry"
    # Another process may have taken the port between our probe and the registry's bind.
    grep -q 'address already in use' "$dir/registry.log" 2>/dev/null || break
    log "port $port was taken meanwhile (attempt $attempt); trying another"
  done
  tail -n 20 "$dir/registry.log" >&2 2>/dev/null || true
  die "the $kind registry did not answer GET /v2/ on 127.0.0.1:$port (it exited, or 15 s passed)" \
    "read $dir/registry.log; fix the cause, then re-run bash scripts/services.sh start"
}

# The pid of a registry this script started and that is still running, or nothing.
our_registry_pid() {
  local dir pid
  dir="$(registry_dir "$1")"
  pid="$(read_pid_file "$dir/pid")"
  if pid_alive "$pid" "$dir/config.yml"; then echo "$pid"; fi
}

stop_registry() {
  local kind="$1" dir pid
  dir="$(registry_dir "$kind")"
  pid="$(our_registry_pid "$kind")"
  if [ -n "$pid" ]; then stop_pid "$pid" "$dir/config.yml" "$kind registry"; fi
  rm -f "$dir/pid" "$dir/port"
  # Storage is scratch space: a stopped registry's content is not kept.
  rm -rf "$dir/data"
}
