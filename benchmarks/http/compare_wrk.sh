#!/usr/bin/env bash
# Compares `perfcheck load` with wrk against the same local nginx, in one run:
# same connections and threads, nginx pinned to one core and the load tool to
# another, each tool run for the same duration. Prints req/s of both, the
# ratio perfcheck/wrk, user CPU per request and peak RSS.
#
# Usage: benchmarks/http/compare_wrk.sh [PERFCHECK_BINARY] [CONNECTIONS...]
#   env: DURATION (default 10s), THREADS (default 1), SERVER_CPU (0), TOOL_CPU (1)
# Needs: wrk, nginx (Debian nginx-light), taskset, /usr/bin/time.
set -euo pipefail

PERFCHECK=${1:-build/cli/perfcheck}
shift || true
CONNECTIONS=("$@")
[[ ${#CONNECTIONS[@]} -eq 0 ]] && CONNECTIONS=(25 100)
DURATION=${DURATION:-10s}
THREADS=${THREADS:-1}
SERVER_CPU=${SERVER_CPU:-0}
TOOL_CPU=${TOOL_CPU:-1}

for tool in wrk nginx taskset /usr/bin/time python3; do
  command -v "$tool" >/dev/null || { echo "compare_wrk.sh: $tool not found" >&2; exit 2; }
done
[[ -x $PERFCHECK ]] || { echo "compare_wrk.sh: $PERFCHECK is not executable" >&2; exit 2; }

. "$(dirname "$0")/nginx.sh"

printf '%-6s %-10s %12s %14s %10s\n' conns tool 'req/s' 'user us/req' 'RSS MiB'
for c in "${CONNECTIONS[@]}"; do
  # wrk: "Requests/sec: 123.45" and "N requests in"
  /usr/bin/time -f '%U %M' -o "$work/wrk.time" \
    taskset -c "$TOOL_CPU" wrk -t"$THREADS" -c"$c" -d"$DURATION" "$url" >"$work/wrk.out"
  wrk_rps=$(awk '/Requests\/sec/ {print $2}' "$work/wrk.out")
  wrk_n=$(awk '/requests in/ {print $1}' "$work/wrk.out")
  read -r wrk_user wrk_rss <"$work/wrk.time"

  /usr/bin/time -f '%U %M' -o "$work/pc.time" \
    taskset -c "$TOOL_CPU" "$PERFCHECK" load --base-url "$url" -c "$c" -t "$THREADS" \
      --duration "$DURATION" --no-progress --json - >"$work/pc.json"
  read -r pc_n pc_rps < <(python3 -c "import json; r=json.load(open('$work/pc.json')); print(r['total_requests'], r['total_requests']/r['elapsed_s'])")
  read -r pc_user pc_rss <"$work/pc.time"

  python3 - "$c" "$wrk_rps" "$wrk_n" "$wrk_user" "$wrk_rss" "$pc_rps" "$pc_n" "$pc_user" "$pc_rss" <<'PY'
import sys
c, wrk_rps, wrk_n, wrk_user, wrk_rss, pc_rps, pc_n, pc_user, pc_rss = sys.argv[1:]
def row(tool, rps, n, user, rss):
    print(f"{c:<6} {tool:<10} {float(rps):12.0f} {float(user)*1e6/max(1,int(n)):14.3f} {int(rss)/1024:10.1f}")
row("wrk", wrk_rps, wrk_n, wrk_user, wrk_rss)
row("perfcheck", pc_rps, pc_n, pc_user, pc_rss)
print(f"{c:<6} ratio perfcheck/wrk req/s = {float(pc_rps)/float(wrk_rps):.3f}")
PY
done
