#!/usr/bin/env python3
"""Evaluates the benchmark regression gate on this machine (issue 6, point 6).

Builds benchmarks/gate/gate_bench.cc in variants with an injected slowdown of
0% (A/A), 3%, 10% and 20% (GATE_SLOWDOWN_PERCENT: p% more work, not a sleep),
then for each pair kind runs TRIALS comparisons, with and without a CPU hog
on the other core:

  interleaved   perfcheck compare --interleave BASE VARIANT (paired rounds)
  stored        one run of BASE, then one run of VARIANT (10 repetitions each),
                judged three ways on the same two files:
                  perfcheck compare (two-run rule)
                  mean:10%   (mean of NEW > 1.10 x mean of OLD)
                  U test     (Mann-Whitney p < 0.05 and slower, as compare.py)

and prints a Markdown table of flag rates: a flag on A/A or 3% pairs is a
false alarm, on 10% / 20% pairs a detection. Each trial judges the 3
benchmarks of gate_bench separately.

Usage:
  benchmarks/gate/evaluate.py --perfcheck build/cli/perfcheck [--trials 10]
      [--rounds 10] [--min-time 0.01] [--workdir /tmp/gate-eval] [--json out.json]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
KINDS = [0, 3, 10, 20]


def build(workdir, percent):
    out = os.path.join(workdir, f"gate_bench_{percent}")
    if not os.path.exists(out):
        subprocess.run(["g++", "-std=c++17", "-O2", f"-DGATE_SLOWDOWN_PERCENT={percent}",
                        os.path.join(HERE, "gate_bench.cc"), "-o", out,
                        "-lbenchmark", "-lpthread"], check=True)
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
    ap.add_argument("--no-hog", action="store_true", help="skip the CPU-hog condition")
    args = ap.parse_args()
    os.makedirs(args.workdir, exist_ok=True)
    bins = {p: build(args.workdir, p) for p in KINDS}

    methods = ["interleaved", "stored", "mean10", "utest"]
    counts = {}  # (hog, kind, method) -> [flagged, judged]
    started = time.time()
    for hog in ([False] if args.no_hog else [False, True]):
        hog_proc = None
        if hog:
            # A busy loop competing for a core, like a parallel CI job.
            hog_proc = subprocess.Popen(["sh", "-c", "while :; do :; done"])
        try:
            for kind in KINDS:
                for trial in range(args.trials):
                    base, variant = bins[0], bins[kind]
                    rep = perfcheck_json([args.perfcheck, "compare", "--interleave", base, variant,
                                          "--rounds", str(args.rounds), "--min-time", args.min_time,
                                          "--format", "json", "--quiet",
                                          "--seed", str(1000 * kind + trial + 1)])
                    for row in rep["rows"]:
                        c = counts.setdefault((hog, kind, "interleaved"), [0, 0])
                        c[0] += row["verdict"] == "regression"
                        c[1] += 1
                    a = os.path.join(args.workdir, "a.json")
                    b = os.path.join(args.workdir, "b.json")
                    run_once(base, 10, args.min_time, a)
                    run_once(variant, 10, args.min_time, b)
                    rep = perfcheck_json([args.perfcheck, "compare", a, b, "--format", "json"])
                    ta, tb = cpu_times(a), cpu_times(b)
                    for row in rep["rows"]:
                        name = row["benchmark"]
                        slower = statistics.median(tb[name]) > statistics.median(ta[name])
                        flags = {
                            "stored": row["verdict"] == "regression",
                            "mean10": statistics.mean(tb[name]) > 1.10 * statistics.mean(ta[name]),
                            "utest": row["p_value"] is not None and row["p_value"] < 0.05 and slower,
                        }
                        for m, flagged in flags.items():
                            c = counts.setdefault((hog, kind, m), [0, 0])
                            c[0] += flagged
                            c[1] += 1
                    print(f"hog={hog} kind={kind}% trial {trial + 1}/{args.trials} "
                          f"({time.time() - started:.0f} s)", file=sys.stderr)
        finally:
            if hog_proc:
                hog_proc.kill()
                hog_proc.wait()

    names = {"interleaved": "perfcheck interleaved", "stored": "perfcheck two runs",
             "mean10": "mean:10% (two runs)", "utest": "U test p<0.05 (two runs)"}
    print(f"| method | CPU hog | A/A false alarms | 3% false alarms | 10% detected | 20% detected |")
    print("|:--|:--|--:|--:|--:|--:|")
    for m in methods:
        for hog in ([False] if args.no_hog else [False, True]):
            cells = []
            for kind in KINDS:
                f, n = counts.get((hog, kind, m), [0, 0])
                cells.append(f"{100.0 * f / n:.0f}% ({f}/{n})" if n else "-")
            print(f"| {names[m]} | {'yes' if hog else 'no'} | " + " | ".join(cells) + " |")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({f"{'hog' if h else 'quiet'}/{k}/{m}": v for (h, k, m), v in counts.items()},
                      f, indent=2)


if __name__ == "__main__":
    main()
