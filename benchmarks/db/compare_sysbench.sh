#!/usr/bin/env bash
# Compares perfcheck::db::TimeQuery with sysbench oltp_point_select against the
# same throwaway MariaDB, with the same number of connections: both run
#   SELECT c FROM sbtest1 WHERE id = ?   (id uniform random, prepared)
# alternately ROUNDS times per client count; prints the TPS of every run, the
# medians and the ratio perfcheck/sysbench (goal >= 0.9).
#
# Usage: benchmarks/db/compare_sysbench.sh [BUILD_DIR] [CLIENTS...]
#   BUILD_DIR   the CMake build holding benchmarks/db/perfcheck_db_tps
#               (default: build)
#   CLIENTS     connection counts to compare (default: 1 4)
#   env: DURATION seconds per run (10), ROUNDS (3), TABLE_SIZE rows (100000),
#        PERFCHECK_MARIADB_URL to use your own server instead.
# Needs: sysbench (Debian package sysbench), the mariadb server package
# (scripts/db/mariadb.sh), python3. The server is started with
# scripts/db/mariadb.sh in a state dir under /tmp and stopped by the same
# script on exit. sysbench gets the password through a mode-600 config file,
# perfcheck through the environment, never on a command line.
set -euo pipefail
# shellcheck source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
BUILD=${1:-build}
shift || true
CLIENTS=("$@")
[[ ${#CLIENTS[@]} -eq 0 ]] && CLIENTS=(1 4)
DURATION=${DURATION:-10}
ROUNDS=${ROUNDS:-3}
TABLE_SIZE=${TABLE_SIZE:-100000}

tps_bin="$BUILD/benchmarks/db/perfcheck_db_tps"
# Checked before anything is started, with the package that provides it.
for tool in sysbench python3; do
  command -v "$tool" >/dev/null || {
    echo "compare_sysbench.sh: $tool is not installed; install $tool (apt-get install -y $tool)" >&2
    exit 2
  }
done
[[ -x $tps_bin ]] || { echo "compare_sysbench.sh: $tps_bin is not built (cmake --build $BUILD --target perfcheck_db_tps)" >&2; exit 2; }

state=$(mktemp -d /tmp/perfcheck-sysbench.XXXXXX)
cleanup() {
  "$root/scripts/db/mariadb.sh" stop "$state" >/dev/null || true
  rm -rf "$state"
}
trap cleanup EXIT
"$root/scripts/db/mariadb.sh" start "$state"
set -a
# shellcheck disable=SC1091
. "$state/env"
set +a
conf="$state/sysbench.conf"
(umask 077; python3 -c '
import os, urllib.parse as u
p = u.urlsplit(os.environ["PERFCHECK_MARIADB_URL"])
for k, v in [("db-driver", "mysql"), ("mysql-host", p.hostname),
             ("mysql-port", p.port or 3306),
             ("mysql-user", u.unquote(p.username or "")),
             ("mysql-password", u.unquote(p.password or "")),
             ("mysql-db", p.path.lstrip("/"))]:
    print(f"{k}={v}")' >"$conf")
common=(--config-file="$conf" --tables=1 --table-size="$TABLE_SIZE")
sysbench oltp_point_select "${common[@]}" prepare >"$state/prepare.log" 2>&1 ||
  { cat "$state/prepare.log" >&2; exit 1; }
sql='SELECT c FROM sbtest1 WHERE id = ?'
echo "sysbench oltp_point_select ($TABLE_SIZE rows) vs perfcheck TimeQuery; ${DURATION}s per run, $ROUNDS rounds"
run_peer() {
  local out tps
  out=$(sysbench oltp_point_select "${common[@]}" --threads="$1" --time="$DURATION" \
    --rand-type=uniform --db-ps-mode=auto run 2>&1)
  # "    transactions:                        123456 (12345.67 per sec.)"
  tps=$(awk '/transactions:/ {gsub(/\(/, "", $3); print $3; exit}' <<<"$out")
  [[ -n $tps ]] || { echo "$out" >&2; return 1; }
  echo "$tps"
}
run_perfcheck() {
  "$tps_bin" --url-env PERFCHECK_MARIADB_URL --sql "$sql" --key-max "$TABLE_SIZE" \
    --clients "$1" --seconds "$DURATION" | awk '{print $2}'
}
alternate_rounds sysbench
