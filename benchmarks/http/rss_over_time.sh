#!/usr/bin/env bash
# Does the load tool's memory grow with run length? Runs `perfcheck load` and
# wrk, one after the other, against the same local nginx (nginx.sh) for
# DURATION, and samples each tool's resident set size (VmRSS from
# /proc/PID/status) every SAMPLE seconds. Prints one row per sample and the
# growth from the first sample after warm-up (10 s) to the last.
#
# Usage: benchmarks/http/rss_over_time.sh [PERFCHECK_BINARY] [CONNECTIONS]
#   env: DURATION (seconds, default 120), SAMPLE (default 10), THREADS (1),
#        SERVER_CPU (0), TOOL_CPU (1), TOOLS ("wrk perfcheck", or one of them)
# Needs: wrk, nginx (Debian nginx-light), taskset, python3.
set -euo pipefail

PERFCHECK=${1:-build/cli/perfcheck}
CONNS=${2:-100}
DURATION=${DURATION:-120}
SAMPLE=${SAMPLE:-10}
THREADS=${THREADS:-1}
SERVER_CPU=${SERVER_CPU:-0}
TOOL_CPU=${TOOL_CPU:-1}
TOOLS=${TOOLS:-wrk perfcheck}

for tool in wrk nginx taskset python3; do
  command -v "$tool" >/dev/null || { echo "rss_over_time.sh: $tool not found" >&2; exit 2; }
done
[[ -x $PERFCHECK ]] || { echo "rss_over_time.sh: $PERFCHECK is not executable" >&2; exit 2; }
[[ $DURATION =~ ^[0-9]+$ && $SAMPLE =~ ^[0-9]+$ && $SAMPLE -gt 0 ]] ||
  { echo "rss_over_time.sh: DURATION and SAMPLE are whole seconds" >&2; exit 2; }

. "$(dirname "$0")/nginx.sh"

# Samples VmRSS (KiB) of PID every SAMPLE s into FILE until it exits.
sample() {
  local pid=$1 file=$2 t=0
  while kill -0 "$pid" 2>/dev/null; do
    sleep "$SAMPLE"
    t=$((t + SAMPLE))
    local kb
    kb=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null) || break
    [[ -n $kb ]] && echo "$t $kb" >>"$file"
  done
}

: >"$work/wrk.rss"
echo "0 requests in" >"$work/wrk.out"
if [[ " $TOOLS " == *" wrk "* ]]; then
  taskset -c "$TOOL_CPU" wrk -t"$THREADS" -c"$CONNS" -d"${DURATION}s" "$url" >"$work/wrk.out" &
  wrk_pid=$!
  sample "$wrk_pid" "$work/wrk.rss"
  wait "$wrk_pid"
fi

: >"$work/pc.rss"
echo '{"total_requests": 0}' >"$work/pc.json"
if [[ " $TOOLS " == *" perfcheck "* ]]; then
  taskset -c "$TOOL_CPU" "$PERFCHECK" load --base-url "$url" -c "$CONNS" -t "$THREADS" \
    --duration "${DURATION}s" --no-progress --json - >"$work/pc.json" &
  pc_pid=$!
  sample "$pc_pid" "$work/pc.rss"
  wait "$pc_pid"
fi

python3 - "$work/wrk.rss" "$work/pc.rss" "$work/wrk.out" "$work/pc.json" <<'PY'
import json, re, sys
def load(path):
    return {int(t): int(kb) for t, kb in (l.split() for l in open(path) if l.strip())}
wrk, pc = load(sys.argv[1]), load(sys.argv[2])
wrk_n = int(re.search(r"(\d+) requests in", open(sys.argv[3]).read())[1])
pc_n = json.load(open(sys.argv[4]))["total_requests"]
print(f"{'t (s)':>6} {'wrk RSS MiB':>12} {'perfcheck RSS MiB':>18}")
for t in sorted(set(wrk) | set(pc)):
    w = f"{wrk[t] / 1024:.2f}" if t in wrk else "-"
    p = f"{pc[t] / 1024:.2f}" if t in pc else "-"
    print(f"{t:>6} {w:>12} {p:>18}")
def growth(d):
    ts = sorted(t for t in d if t >= 10)
    if len(ts) < 2:
        return "n/a (run longer)"
    return f"{(d[ts[-1]] - d[ts[0]]) / 1024:+.2f} MiB from {ts[0]} s to {ts[-1]} s"
print(f"requests: wrk {wrk_n}, perfcheck {pc_n}")
print(f"growth: wrk {growth(wrk)}; perfcheck {growth(pc)}")
PY
