#!/usr/bin/env bash
# Memory and time of perfcheck on big inputs: a baseline of about 50 MB
# (12,700 recorded runs, made from a committed baseline's runs) and Google
# Benchmark files of 2,000 to 32,000 rows. Prints peak RSS and wall time of
#   perfcheck baseline show BIG.json
#   perfcheck compare BIG.json BIG.json   (refused: the new side is a baseline)
#   perfcheck compare OLD.json NEW.json   (rows: 2,000 / 8,000 / 32,000)
#
#   benchmarks/inputs/big_inputs.sh [PERFCHECK]   # default build/release/cli/perfcheck
#
# Needs python3 and GNU time (/usr/bin/time). Writes only to a temp directory.
set -euo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
perfcheck="${1:-$repo_root/build/release/cli/perfcheck}"
[[ -x "$perfcheck" ]] || { echo "big_inputs.sh: no perfcheck at $perfcheck (build it first)" >&2; exit 2; }
[[ -x /usr/bin/time ]] || { echo "big_inputs.sh: needs /usr/bin/time (package time)" >&2; exit 2; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

python3 - "$repo_root/baselines/OrderEntry.PlaceOrderSpec.json" "$work" <<'PY'
import json, random, sys
src, work = sys.argv[1], sys.argv[2]
d = json.load(open(src))
name, entry = next(iter(d["entries"].items()))
out = {"schema": d["schema"], "test_id": d["test_id"], "entries": {}}
size, i = 0, 0
one = len(json.dumps(entry, indent=2))
while size < 50e6:
    out["entries"][f"{name}.{i}"] = entry
    size += one
    i += 1
json.dump(out, open(f"{work}/big_baseline.json", "w"), indent=2)
random.seed(1)
for n in (2000, 8000, 32000):
    for side in ("old", "new"):
        rows = []
        for k in range(n):
            t = 1000 + random.random() * 10
            rows.append({"name": f"BM_Query/{k}", "run_name": f"BM_Query/{k}",
                         "run_type": "iteration", "repetitions": 1,
                         "repetition_index": 0, "threads": 1,
                         "iterations": 1000, "real_time": t, "cpu_time": t,
                         "time_unit": "ns"})
        doc = {"context": {"date": "2026-12-07T10:00:00+00:00",
                           "host_name": "h", "executable": "./b",
                           "num_cpus": 2, "mhz_per_cpu": 2000,
                           "cpu_scaling_enabled": False, "caches": [],
                           "load_avg": [0, 0, 0],
                           "library_build_type": "release"},
               "benchmarks": rows}
        json.dump(doc, open(f"{work}/gb_{n}_{side}.json", "w"))
PY

measure() {
  local label="$1"
  shift
  /usr/bin/time -f "$label: %e s, peak RSS %M KB (exit %x)" "$@" >/dev/null 2>"$work/err" || true
  tail -n 1 "$work/err"
}
printf 'baseline: %s bytes\n' "$(stat -c %s "$work/big_baseline.json")"
measure "baseline show (50 MB)" "$perfcheck" baseline show "$work/big_baseline.json"
measure "compare baseline baseline (50 MB x 2)" "$perfcheck" compare "$work/big_baseline.json" "$work/big_baseline.json"
for n in 2000 8000 32000; do
  measure "compare Google Benchmark, $n rows" "$perfcheck" compare "$work/gb_${n}_old.json" "$work/gb_${n}_new.json"
done
