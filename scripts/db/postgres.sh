#!/usr/bin/env bash
# Starts or stops a throwaway PostgreSQL server for perfcheck's database tests.
#
#   scripts/db/postgres.sh start <state-dir>   # initdb + start, writes <state-dir>/env
#   scripts/db/postgres.sh stop  <state-dir>   # stops it by PID and deletes its data
#
# start: if PERFCHECK_PG_URL is already set, nothing is started and <state-dir>/env
# repeats that URL (the tests then run against the user's server). Otherwise a
# cluster is created in <state-dir>/data (fsync off: the data is thrown away),
# listening on 127.0.0.1 on a free port and on a unix socket in <state-dir>,
# with password authentication on TCP. PostgreSQL refuses to run as root, so
# when run as root the server runs as the unprivileged user `nobody`
# (PERFCHECK_DB_USER overrides). <state-dir>/env then holds
#   PERFCHECK_PG_URL=postgresql://perfcheck:<random>@127.0.0.1:<port>/perfcheck
# Exit status is non-zero, with the reason on stderr, when the server cannot
# be started (e.g. the postgresql package is not installed).
set -euo pipefail

usage() { sed -n '2,16p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
[[ $# -eq 2 ]] || { usage >&2; exit 2; }
action="$1"
state="$2"

run_user="${PERFCHECK_DB_USER:-nobody}"
# as_server CMD...: runs CMD as the server's user (root) or as ourselves.
as_server() {
  if [[ $(id -u) -eq 0 ]]; then
    setpriv --reuid="$run_user" --regid="$(id -g "$run_user")" --clear-groups \
      --reset-env -- env PATH="$PATH" "$@"
  else
    "$@"
  fi
}

pg_bindir() {
  if command -v pg_config >/dev/null 2>&1 && [[ -x "$(pg_config --bindir)/initdb" ]]; then
    pg_config --bindir
    return
  fi
  local dir
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    [[ -x "$dir/initdb" ]] && { echo "$dir"; return; }
  done
  if command -v initdb >/dev/null 2>&1; then
    dirname "$(command -v initdb)"
    return
  fi
  echo "postgres.sh: initdb not found; install the postgresql server package" >&2
  exit 1
}

# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

start() {
  mkdir -p "$state"
  if [[ -n "${PERFCHECK_PG_URL:-}" ]]; then
    printf 'PERFCHECK_PG_URL=%s\n' "$PERFCHECK_PG_URL" >"$state/env"
    touch "$state/external"
    echo "postgres.sh: using PERFCHECK_PG_URL from the environment; nothing started"
    return
  fi
  rm -f "$state/external"
  stop_server quiet
  local bin port password
  bin="$(pg_bindir)"
  password="$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
  rm -rf "$state/data"
  mkdir -p "$state/data"
  printf '%s\n' "$password" >"$state/pwfile"
  if [[ $(id -u) -eq 0 ]]; then
    chown "$run_user" "$state" "$state/data" "$state/pwfile"
  fi
  chmod 700 "$state/data"
  chmod 600 "$state/pwfile"
  as_server "$bin/initdb" -D "$state/data" -U perfcheck --pwfile="$state/pwfile" \
    --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C \
    >"$state/initdb.log" 2>&1 || { cat "$state/initdb.log" >&2; exit 1; }
  rm -f "$state/pwfile"
  cat >>"$state/data/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
unix_socket_directories = '$state'
max_connections = 100
shared_buffers = 64MB
# Throwaway data: durability costs time and buys nothing here.
fsync = off
synchronous_commit = off
full_page_writes = off
EOF
  # The port is chosen free but another process may take it first: retry.
  local attempt
  for attempt in 1 2 3 4 5; do
    port="$(free_port postgres.sh)"
    : >"$state/server.log"
    # pg_ctl opens the log as the server user: a root-owned file is not theirs.
    if [[ $(id -u) -eq 0 ]]; then chown "$run_user" "$state/server.log"; fi
    if as_server "$bin/pg_ctl" -D "$state/data" -l "$state/server.log" -w -t 60 \
        -o "-p $port" start >/dev/null; then
      break
    fi
    if [[ $attempt -eq 5 ]] || ! grep -q "Address already in use" "$state/server.log"; then
      cat "$state/server.log" >&2
      exit 1
    fi
  done
  as_server "$bin/psql" -h "$state" -p "$port" -U perfcheck -d postgres -qAt \
    -c "CREATE DATABASE perfcheck" >/dev/null
  printf 'PERFCHECK_PG_URL=postgresql://perfcheck:%s@127.0.0.1:%s/perfcheck\n' \
    "$password" "$port" >"$state/env"
  chmod 600 "$state/env"
  echo "postgres.sh: PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port (pid $(head -n1 "$state/data/postmaster.pid"))"
}

# stop_server [quiet]: stops the server whose PID is in postmaster.pid.
stop_server() {
  local pidfile="$state/data/postmaster.pid"
  [[ -f "$pidfile" ]] || { [[ "${1:-}" == quiet ]] || echo "postgres.sh: no server running in $state"; return 0; }
  local pid
  pid="$(head -n1 "$pidfile")"
  if kill -0 "$pid" 2>/dev/null; then
    kill -INT "$pid"  # fast shutdown
    for _ in $(seq 1 100); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid"; fi
  fi
  rm -f "$pidfile"
  [[ "${1:-}" == quiet ]] || echo "postgres.sh: stopped pid $pid"
}

stop() {
  if [[ -f "$state/external" ]]; then
    echo "postgres.sh: server not ours (PERFCHECK_PG_URL); nothing to stop"
    return
  fi
  stop_server
  rm -rf "$state/data" "$state/env"
}

case "$action" in
  start) start ;;
  stop) stop ;;
  *) usage >&2; exit 2 ;;
esac
