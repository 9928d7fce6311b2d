#!/usr/bin/env python3
"""Evaluates the benchmark regression gate on this machine (issue 6, point 6).

Builds benchmarks/gate/gate_bench.cc in variants with an injected slowdown of
0% (A/A), 3%, 10% and 20% (GATE_SLOWDOWN_PERCENT: p% more work, not a sleep),
then for each pair kind runs TRIALS comparisons, with and without a CPU hog
on the other core:

  interleaved   perfcheck compare --interleave BASE VARIANT (paired rounds)
  stored        one run of BASE, then one run of VARIANT (10 repetitions each),
                judged five ways on the same two files:
                  perfcheck compare (two-run rule)
                  perfcheck compare --calibrate (old side scaled by the
                             perfcheck/calibration benchmark, interval widened
                             by the factor's uncertainty)
                  mean:10%   (mean of NEW > 1.10 x mean of OLD)
                  mean:10% calibrated (the same after scaling OLD by the
                             calibration medians' ratio)
                  U test     (Mann-Whitney p < 0.05 and slower, as compare.py)

and prints a Markdown table of flag rates: a flag on A/A or 3% pairs is a
false alarm, on 10% / 20% pairs a detection. Each trial judges the 3
benchmarks of gate_bench separately (the calibration benchmark, built into
every variant, is never judged).

Conditions: "quiet" (no hog), "hog" (a CPU hog during both runs) and
"hog on NEW only" (stored mode only: BASE recorded without the hog, VARIANT
with it, i.e. a baseline from a faster machine state; this is where
calibration is meant to help).

Usage:
  benchmarks/gate/evaluate.py --perfcheck build/cli/perfcheck [--trials 10]
      [--rounds 10] [--min-time 0.01] [--workdir /tmp/gate-eval] [--json out.json]
      [--no-hog] [--no-interleaved]

Smoke test (shows the script works; numbers meaningless):
  benchmarks/gate/evaluate.py --perfcheck build/cli/perfcheck --trials 1 \
      --no-interleaved --no-hog
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
KINDS = [0, 3, 10, 20]
CAL = "perfcheck/calibration"


def build(workdir, percent):
    """gate_bench with the calibration benchmark compiled in (its source needs
    only Google Benchmark and perfcheck's headers)."""
    out = os.path.join(workdir, f"gate_bench_cal_{percent}")
    if not os.path.exists(out):
        subprocess.run(["g++", "-std=c++20", "-O2", f"-DGATE_SLOWDOWN_PERCENT={percent}",
                        "-DGATE_WITH_CALIBRATION", "-I", os.path.join(ROOT, "include"),
                        os.path.join(HERE, "gate_bench.cc"),
                        os.path.join(ROOT, "lib", "benchmark", "benchmark_calibration.cc"),
                        "-o", out, "-lbenchmark", "-lpthread"], check=True)
    return out


def run_once(binary, reps, min_time, out):
    subprocess.run([binary, f"--benchmark_repetitions={reps}",
                    f"--benchmark_min_time={min_time}", f"--benchmark_out={out}",
                    "--benchmark_out_format=json"], check=True,
                   stdout=subprocess.DEVNULL)


def cpu_times(path):
    with open(path) as f:
        doc = json.load(f)
    times = {}
    for b in doc["benchmarks"]:
        if b.get("run_type", "iteration") == "iteration" and not b.get("error_occurred"):
            times.setdefault(b["run_name"], []).append(b["cpu_time"])
    return times


def perfcheck_json(cmd):
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode not in (0, 1):
        sys.exit(f"perfcheck failed ({p.returncode}): {p.stderr}")
    return json.loads(p.stdout)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--perfcheck", required=True)
    ap.add_argument("--trials", type=int, default=10)
    ap.add_argument("--rounds", type=int, default=10)
    ap.add_argument("--min-time", default="0.01")
    ap.add_argument("--workdir", default="/tmp/gate-eval")
    ap.add_argument("--json")
    ap.add_argument("--no-hog", action="store_true", help="skip the CPU-hog conditions")
    ap.add_argument("--no-interleaved", action="store_true",
                    help="skip the interleaved comparisons (stored-baseline rules only)")
    args = ap.parse_args()
    os.makedirs(args.workdir, exist_ok=True)
    bins = {p: build(args.workdir, p) for p in KINDS}

    methods = ["interleaved", "stored", "stored_cal", "mean10", "mean10_cal", "utest"]
    conditions = ["quiet"] if args.no_hog else ["quiet", "hog", "hog_new"]
    counts = {}  # (condition, kind, method) -> [flagged, judged]
    per_bench = {}  # (condition, kind, method, benchmark) -> [flagged, judged]

    def count(cond, kind, method, flagged, bench):
        for key, table in (((cond, kind, method), counts),
                           ((cond, kind, method, bench), per_bench)):
            c = table.setdefault(key, [0, 0])
            c[0] += bool(flagged)
            c[1] += 1

    def start_hog():
        # A busy loop competing for a core, like a parallel CI job.
        return subprocess.Popen(["sh", "-c", "while :; do :; done"])

    def stop_hog(proc):
        if proc:
            proc.kill()
            proc.wait()

    started = time.time()
    for cond in conditions:
        hog_proc = start_hog() if cond == "hog" else None
        try:
            for kind in KINDS:
                for trial in range(args.trials):
                    base, variant = bins[0], bins[kind]
                    if cond != "hog_new" and not args.no_interleaved:
                        rep = perfcheck_json([args.perfcheck, "compare", "--interleave", base,
                                              variant, "--rounds", str(args.rounds),
                                              "--min-time", args.min_time, "--format", "json",
                                              "--quiet", "--seed", str(1000 * kind + trial + 1)])
                        for row in rep["rows"]:
                            if row["benchmark"] != CAL:
                                count(cond, kind, "interleaved", row["verdict"] == "regression",
                                      row["benchmark"])
                    a = os.path.join(args.workdir, "a.json")
                    b = os.path.join(args.workdir, "b.json")
                    run_once(base, 10, args.min_time, a)
                    if cond == "hog_new":
                        hog_proc = start_hog()
                    try:
                        run_once(variant, 10, args.min_time, b)
                    finally:
                        if cond == "hog_new":
                            stop_hog(hog_proc)
                            hog_proc = None
                    plain = perfcheck_json([args.perfcheck, "compare", a, b, "--format", "json"])
                    cal = perfcheck_json([args.perfcheck, "compare", a, b, "--calibrate",
                                          "--format", "json"])
                    cal_verdicts = {r["benchmark"]: r["verdict"] for r in cal["rows"]}
                    ta, tb = cpu_times(a), cpu_times(b)
                    factor = statistics.median(tb[CAL]) / statistics.median(ta[CAL])
                    for row in plain["rows"]:
                        name = row["benchmark"]
                        if name == CAL:
                            continue
                        slower = statistics.median(tb[name]) > statistics.median(ta[name])
                        mean_a, mean_b = statistics.mean(ta[name]), statistics.mean(tb[name])
                        count(cond, kind, "stored", row["verdict"] == "regression", name)
                        count(cond, kind, "stored_cal", cal_verdicts.get(name) == "regression", name)
                        count(cond, kind, "mean10", mean_b > 1.10 * mean_a, name)
                        count(cond, kind, "mean10_cal", mean_b > 1.10 * mean_a * factor, name)
                        count(cond, kind, "utest", row["p_value"] is not None
                              and row["p_value"] < 0.05 and slower, name)
                    print(f"{cond} kind={kind}% trial {trial + 1}/{args.trials} "
                          f"calibration factor {factor:.3f} ({time.time() - started:.0f} s)",
                          file=sys.stderr)
        finally:
            stop_hog(hog_proc)

    names = {"interleaved": "perfcheck interleaved", "stored": "perfcheck two runs",
             "stored_cal": "perfcheck two runs --calibrate",
             "mean10": "mean:10% (two runs)", "mean10_cal": "mean:10% calibrated (two runs)",
             "utest": "U test p<0.05 (two runs)"}
    cond_names = {"quiet": "no", "hog": "yes", "hog_new": "NEW only"}
    print("| method | CPU hog | A/A false alarms | 3% false alarms | 10% detected | 20% detected |")
    print("|:--|:--|--:|--:|--:|--:|")
    for m in methods:
        for cond in conditions:
            cells = []
            for kind in KINDS:
                f, n = counts.get((cond, kind, m), [0, 0])
                cells.append(f"{100.0 * f / n:.0f}% ({f}/{n})" if n else "-")
            if all(c == "-" for c in cells):
                continue
            print(f"| {names[m]} | {cond_names[cond]} | " + " | ".join(cells) + " |")
    # Per benchmark, for the two perfcheck rules: which benchmark the misses
    # and false alarms come from.
    benches = sorted({key[3] for key in per_bench})
    print()
    print("| method | CPU hog | benchmark | A/A | 3% | 10% | 20% |")
    print("|:--|:--|:--|--:|--:|--:|--:|")
    for m in ("interleaved", "stored"):
        for cond in conditions:
            for bench in benches:
                cells = []
                for kind in KINDS:
                    f, n = per_bench.get((cond, kind, m, bench), [0, 0])
                    cells.append(f"{f}/{n}" if n else "-")
                if all(c == "-" for c in cells):
                    continue
                print(f"| {names[m]} | {cond_names[cond]} | {bench} | " + " | ".join(cells) + " |")
    if args.json:
        with open(args.json, "w") as f:
            doc = {f"{c}/{k}/{m}": v for (c, k, m), v in counts.items()}
            doc["per_benchmark"] = {f"{c}/{k}/{m}/{b}": v
                                    for (c, k, m, b), v in per_bench.items()}
            json.dump(doc, f, indent=2)


if __name__ == "__main__":
    main()
