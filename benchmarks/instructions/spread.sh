#!/usr/bin/env bash
# Run-to-run spread of instruction counts: runs every test of a perfcheck gtest
# binary under --perfcheck_instructions, one test per process (as ctest does),
# ROUNDS times, optionally with a CPU hog on every core meanwhile, and prints
# per test the smallest and largest count, their spread and the median wall
# time of a test's process.
#
#   benchmarks/instructions/spread.sh BINARY [ROUNDS=5] [--hog]
#
# Example (the numbers in docs/instruction-counts.md):
#   benchmarks/instructions/spread.sh build/release/examples/example_perf_test 5
#   benchmarks/instructions/spread.sh build/release/examples/example_perf_test 5 --hog
set -euo pipefail
bin=$(realpath "$1")
rounds=${2:-5}
hog=${3:-}
work=$(mktemp -d)
hogs=()
cleanup() {
  for pid in "${hogs[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
if [[ $hog == --hog ]]; then
  for _ in $(seq "$(nproc)"); do
    sh -c 'while :; do :; done' &
    hogs+=($!)
  done
fi
mapfile -t tests < <("$bin" --gtest_list_tests |
  awk '/^[^ ]/ {suite=$1} /^  / {print suite $1}')
for round in $(seq "$rounds"); do
  for t in "${tests[@]}"; do
    start=$EPOCHREALTIME
    "$bin" --gtest_filter="$t" --perfcheck_instructions \
      --perfcheck_baseline_dir="$work/none" \
      --perfcheck_results_dir="$work/r$round" \
      --perfcheck_candidate_dir="$work/c" >/dev/null 2>&1 || true
    echo "$t $start $EPOCHREALTIME" >>"$work/times"
  done
done
python3 - "$work" "$rounds" <<'PY'
import glob, json, os, statistics, sys
work, rounds = sys.argv[1], int(sys.argv[2])
counts, times = {}, {}
for line in open(os.path.join(work, "times")):
    t, start, end = line.split()
    times.setdefault(t, []).append(float(end) - float(start))
for r in range(1, rounds + 1):
    for f in glob.glob(os.path.join(work, f"r{r}", "*.json")):
        d = json.load(open(f))
        c = d.get("counts", {}).get("instructions")
        if c is not None:
            counts.setdefault(d["name"], []).append(c)
print(f"{'result':34} {'runs':>4} {'min':>14} {'max':>14} {'spread':>8}")
worst = 0.0
for name in sorted(counts):
    v = counts[name]
    spread = (max(v) / min(v) - 1) * 100 if min(v) > 0 else 0.0
    worst = max(worst, spread)
    print(f"{name:34} {len(v):>4} {min(v):>14,.1f} {max(v):>14,.1f} {spread:>7.4f}%")
print(f"worst spread: {worst:.4f}%")
all_times = [s for v in times.values() for s in v]
print(f"wall time per test process: median {statistics.median(all_times):.2f} s, "
      f"max {max(all_times):.2f} s over {len(all_times)} runs")
PY
