#!/usr/bin/env bash
# Compares perfcheck::db::TimeQuery with pgbench's select-only run against the
# same throwaway PostgreSQL, with the same number of connections: pgbench -S
# and perfcheck_db_tps each run the statement
#   SELECT abalance FROM pgbench_accounts WHERE aid = $1   (aid uniform random)
# alternately ROUNDS times per client count; prints the TPS of every run, the
# medians and the ratio perfcheck/pgbench (goal >= 0.9).
#
# Usage: benchmarks/db/compare_pgbench.sh [BUILD_DIR] [CLIENTS...]
#   BUILD_DIR   the CMake build holding benchmarks/db/perfcheck_db_tps
#               (default: build)
#   CLIENTS     connection counts to compare (default: 1 4)
#   env: DURATION seconds per run (10), ROUNDS (3), SCALE pgbench -s (1),
#        PROTOCOL pgbench -M (prepared: perfcheck prepares too; simple is
#        pgbench's default), PERFCHECK_PG_URL to use your own server instead.
# Needs: pgbench, the postgresql server package (scripts/db/postgres.sh), python3.
# The server is started with scripts/db/postgres.sh in a state dir under /tmp
# and stopped by the same script on exit. The password is passed to pgbench
# via PGPASSWORD and to perfcheck via the environment, never on a command line.
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
SCALE=${SCALE:-1}
PROTOCOL=${PROTOCOL:-prepared}

tps_bin="$BUILD/benchmarks/db/perfcheck_db_tps"
# Checked before anything is started, with the package that provides it.
for tool in pgbench python3; do
  command -v "$tool" >/dev/null || {
    pkg=$tool
    [[ $tool == pgbench ]] && pkg=postgresql
    echo "compare_pgbench.sh: $tool is not installed; install $pkg (apt-get install -y $pkg)" >&2
    exit 2
  }
done
[[ -x $tps_bin ]] || { echo "compare_pgbench.sh: $tps_bin is not built (cmake --build $BUILD --target perfcheck_db_tps)" >&2; exit 2; }

state=$(mktemp -d /tmp/perfcheck-pgbench.XXXXXX)
cleanup() {
  "$root/scripts/db/postgres.sh" stop "$state" >/dev/null || true
  rm -rf "$state"
}
trap cleanup EXIT
"$root/scripts/db/postgres.sh" start "$state"
set -a
# shellcheck disable=SC1091
. "$state/env"
set +a
# host port user password dbname, percent-decoded, from the URL.
read -r PGHOST PGPORT PGUSER PGPASSWORD PGDATABASE < <(python3 -c '
import os, urllib.parse as u
p = u.urlsplit(os.environ["PERFCHECK_PG_URL"])
print(p.hostname, p.port or 5432, u.unquote(p.username or ""),
      u.unquote(p.password or ""), p.path.lstrip("/"))')
export PGHOST PGPORT PGUSER PGPASSWORD PGDATABASE

pgbench -i -q -s "$SCALE" >"$state/pgbench-init.log" 2>&1 ||
  { cat "$state/pgbench-init.log" >&2; exit 1; }
accounts=$((100000 * SCALE))
# shellcheck disable=SC2016 # $1 is the SQL placeholder, not a shell variable
sql='SELECT abalance FROM pgbench_accounts WHERE aid = $1'
echo "pgbench -S -M $PROTOCOL (scale $SCALE, $accounts accounts) vs perfcheck TimeQuery; ${DURATION}s per run, $ROUNDS rounds"
run_peer() {
  local out tps
  out=$(pgbench -n -S -M "$PROTOCOL" -c "$1" -j "$1" -T "$DURATION" 2>&1)
  tps=$(awk '/^tps = / {print $3; exit}' <<<"$out")
  [[ -n $tps ]] || { echo "$out" >&2; return 1; }
  echo "$tps"
}
run_perfcheck() {
  "$tps_bin" --url-env PERFCHECK_PG_URL --sql "$sql" --key-max "$accounts" \
    --clients "$1" --seconds "$DURATION" | awk '{print $2}'
}
alternate_rounds pgbench
