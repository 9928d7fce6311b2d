#!/usr/bin/env bash
# Starts or stops a throwaway MariaDB server for perfcheck's database tests.
#
#   scripts/db/mariadb.sh start <state-dir>   # install-db + start, writes <state-dir>/env
#   scripts/db/mariadb.sh stop  <state-dir>   # stops it by PID and deletes its data
#
# start: if PERFCHECK_MARIADB_URL is already set, nothing is started and
# <state-dir>/env repeats that URL. Otherwise mariadb-install-db creates a
# datadir in <state-dir>/data and mariadbd listens on 127.0.0.1 on a free port
# (and a unix socket in <state-dir>), with durability off since the data is
# thrown away, and local_infile on so seeding can stream rows with LOAD DATA
# LOCAL INFILE. As root the server runs as `nobody` (PERFCHECK_DB_USER
# overrides). A user `perfcheck` with a random password and a database
# `perfcheck` are created; <state-dir>/env holds
#   PERFCHECK_MARIADB_URL=mysql://perfcheck:<random>@127.0.0.1:<port>/perfcheck
# Exit status is non-zero, with the reason on stderr, when the server cannot
# be started (e.g. the mariadb-server package is not installed).
set -euo pipefail

usage() { sed -n '2,17p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
[[ $# -eq 2 ]] || { usage >&2; exit 2; }
action="$1"
state="$2"
run_user="${PERFCHECK_DB_USER:-nobody}"
[[ $(id -u) -eq 0 ]] || run_user="$(id -un)"

find_tool() {
  local name
  for name in "$@"; do
    if command -v "$name" >/dev/null 2>&1; then command -v "$name"; return; fi
    for dir in /usr/sbin /usr/bin /usr/local/sbin /usr/local/bin; do
      [[ -x "$dir/$name" ]] && { echo "$dir/$name"; return; }
    done
  done
  echo "mariadb.sh: none of $* found; install the mariadb-server package" >&2
  exit 1
}

# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

start() {
  mkdir -p "$state"
  if [[ -n "${PERFCHECK_MARIADB_URL:-}" ]]; then
    printf 'PERFCHECK_MARIADB_URL=%s\n' "$PERFCHECK_MARIADB_URL" >"$state/env"
    touch "$state/external"
    echo "mariadb.sh: using PERFCHECK_MARIADB_URL from the environment; nothing started"
    return
  fi
  rm -f "$state/external"
  stop_server quiet
  local server install client port password
  server="$(find_tool mariadbd mysqld)"
  install="$(find_tool mariadb-install-db mysql_install_db)"
  client="$(find_tool mariadb mysql)"
  password="$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
  rm -rf "$state/data"
  mkdir -p "$state/data"
  [[ $(id -u) -eq 0 ]] && chown "$run_user" "$state" "$state/data"
  "$install" --no-defaults --datadir="$state/data" --user="$run_user" \
    --auth-root-authentication-method=socket --skip-test-db \
    >"$state/install.log" 2>&1 || { cat "$state/install.log" >&2; exit 1; }
  # The port is chosen free but another process may take it first: retry.
  local attempt pid ready
  for attempt in 1 2 3 4 5; do
    port="$(free_port mariadb.sh)"
    : >"$state/server.log"
    # mariadbd does not daemonize itself: run it in its own session (setsid)
    # so it outlives this script and the ctest fixture that ran it.
    setsid "$server" --no-defaults --datadir="$state/data" --user="$run_user" \
      --bind-address=127.0.0.1 --port="$port" --socket="$state/mysqld.sock" \
      --pid-file="$state/mysqld.pid" --log-error="$state/server.log" \
      --skip-name-resolve --skip-log-bin --max-connections=200 --local-infile=1 \
      --innodb-buffer-pool-size=64M --innodb-log-file-size=16M \
      --innodb-flush-log-at-trx-commit=0 --innodb-doublewrite=0 \
      </dev/null >/dev/null 2>&1 &
    pid=$!
    echo "$pid" >"$state/launcher.pid"
    ready=0
    for _ in $(seq 1 300); do
      if "$client" --no-defaults -S "$state/mysqld.sock" -u root -e "SELECT 1" >/dev/null 2>&1; then
        ready=1
        break
      fi
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    [[ $ready -eq 1 ]] && break
    stop_server quiet
    if [[ $attempt -eq 5 ]] || ! grep -q -i "address already in use" "$state/server.log"; then
      echo "mariadb.sh: mariadbd did not start; log:" >&2
      cat "$state/server.log" >&2
      exit 1
    fi
  done
  "$client" --no-defaults -S "$state/mysqld.sock" -u root -e "
    CREATE DATABASE perfcheck;
    CREATE USER 'perfcheck'@'127.0.0.1' IDENTIFIED BY '$password';
    GRANT ALL ON *.* TO 'perfcheck'@'127.0.0.1';" || {
    cat "$state/server.log" >&2
    exit 1
  }
  printf 'PERFCHECK_MARIADB_URL=mysql://perfcheck:%s@127.0.0.1:%s/perfcheck\n' \
    "$password" "$port" >"$state/env"
  chmod 600 "$state/env"
  echo "mariadb.sh: $("$server" --version | awk '{print $3}') on 127.0.0.1:$port (pid $pid)"
}

# stop_server [quiet]: stops the server by the PID it wrote (or we launched).
stop_server() {
  local pid=""
  [[ -f "$state/mysqld.pid" ]] && pid="$(cat "$state/mysqld.pid")"
  [[ -z "$pid" && -f "$state/launcher.pid" ]] && pid="$(cat "$state/launcher.pid")"
  if [[ -z "$pid" ]]; then
    [[ "${1:-}" == quiet ]] || echo "mariadb.sh: no server running in $state"
    return 0
  fi
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    for _ in $(seq 1 150); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid"; fi
  fi
  rm -f "$state/mysqld.pid" "$state/launcher.pid"
  [[ "${1:-}" == quiet ]] || echo "mariadb.sh: stopped pid $pid"
}

stop() {
  if [[ -f "$state/external" ]]; then
    echo "mariadb.sh: server not ours (PERFCHECK_MARIADB_URL); nothing to stop"
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
