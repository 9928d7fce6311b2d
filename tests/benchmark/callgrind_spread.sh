#!/bin/sh
# Run-to-run spread of instruction counts under callgrind (docs/benchmark-gate.md,
# "Instruction counts"): runs a perfcheck_add_benchmark(... METRIC instructions)
# wrapper in N separate processes, the even-numbered ones beside a CPU hog
# (a busy shell loop, killed by its PID), and another TMPDIR in the last one;
# prints each process's per-benchmark medians, the spread of those medians
# (max/min - 1) and the wall time per process.
#
#   tests/benchmark/callgrind_spread.sh WRAPPER [N=6]
# e.g. build/release/examples/benchmarks/perfcheck-callgrind/example_query_path_benchmark.instructions.sh
set -eu
wrapper=$1
n=${2:-6}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
i=1
while [ "$i" -le "$n" ]; do
  hog=
  if [ $((i % 2)) -eq 0 ]; then
    timeout 120 sh -c 'while :; do :; done' &
    hog=$!
  fi
  tmp=${TMPDIR:-/tmp}
  [ "$i" -eq "$n" ] && tmp=$work/a-much-longer-temporary-directory-name && mkdir -p "$tmp"
  start=$(date +%s.%N)
  TMPDIR=$tmp "$wrapper" --benchmark_repetitions=3 --benchmark_min_time=0.000001 \
    --benchmark_out="$work/run$i.json" --benchmark_out_format=json >/dev/null 2>&1
  end=$(date +%s.%N)
  [ -n "$hog" ] && kill "$hog"
  note=
  [ -n "$hog" ] && note=" beside a CPU hog"
  [ "$i" -eq "$n" ] && note="$note, longer TMPDIR"
  echo "process $i: $(echo "$end - $start" | bc) s wall$note"
  i=$((i + 1))
done
python3 - "$work" "$n" <<'PY'
import json, statistics, sys
work, n = sys.argv[1], int(sys.argv[2])
medians = {}
for i in range(1, n + 1):
    doc = json.load(open(f"{work}/run{i}.json"))
    per = {}
    for b in doc["benchmarks"]:
        if b.get("run_type") == "iteration" and "instructions" in b:
            per.setdefault(b["run_name"], []).append(b["instructions"])
    for name, values in per.items():
        medians.setdefault(name, []).append(statistics.median(values))
for name, values in medians.items():
    spread = (max(values) / min(values) - 1) * 100
    print(f"{name}: medians {sorted(set(int(v) for v in values))}, spread {spread:.3f}%")
PY
