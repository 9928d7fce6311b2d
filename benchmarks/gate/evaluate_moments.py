#!/usr/bin/env python3
"""Evaluates the two-run rule of `perfcheck compare OLD NEW` on runs recorded
in separate processes at different moments (issue 10, point 3).

evaluate.py runs BASE and VARIANT back to back, which hides the noise that
matters for a stored baseline: a baseline is recorded in one process at one
moment and judged against a run in another process minutes or days later,
maybe with a busy neighbour. This script separates the two steps:

  collect  builds benchmarks/gate/gate_bench.cc with 0% (A/A), 3%, 10% and
           20% more work (GATE_SLOWDOWN_PERCENT), then records RUNS runs of
           every variant without and with a CPU hog (`while :; do :; done`
           on the other core), each run its own process, in a random order,
           with a random pause of PAUSE_MIN..PAUSE_MAX seconds between runs.
           Each run is one Google Benchmark JSON file (10 repetitions) in
           WORKDIR/runs/.
  judge    pairs every recorded BASE run (OLD) with every run of each
           variant (NEW; for A/A every other BASE run) and judges each pair
           per benchmark with
             perfcheck compare OLD NEW            (the two-run rule)
             ... --confirm  the same, counted only when a second NEW
                        process (another run of that variant) regresses too
                        against the same OLD, as perfcheck_add_benchmark does
             mean:10%   mean of NEW > 1.10 x mean of OLD (pytest-benchmark)
             min:10%    min of NEW > 1.10 x min of OLD
           by hog condition of the two runs: "no" (neither), "yes" (both),
           "one side" (exactly one). Prints Markdown tables of flag rates: a
           flag on A/A or 3% pairs is a false alarm, on 10% / 20% pairs a
           detection.

Usage:
  benchmarks/gate/evaluate_moments.py collect --workdir /tmp/gate-moments \\
      [--runs 6] [--pause-min 5] [--pause-max 40] [--min-time 0.01] [--seed 1]
  benchmarks/gate/evaluate_moments.py judge --workdir /tmp/gate-moments \\
      --perfcheck build/release/cli/perfcheck [--threshold 10%] [--json out.json]
      [--rows rows.json]

Smoke test (numbers meaningless):
  benchmarks/gate/evaluate_moments.py collect --workdir /tmp/gm --runs 1 \\
      --pause-min 0 --pause-max 0 && \\
  benchmarks/gate/evaluate_moments.py judge --workdir /tmp/gm \\
      --perfcheck build/release/cli/perfcheck
"""
import argparse
import itertools
import json
import os
import random
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from evaluate import build, cpu_times, CAL  # noqa: E402  (same directory)

KINDS = [0, 3, 10, 20]


def collect(args):
    runs_dir = os.path.join(args.workdir, "runs")
    os.makedirs(runs_dir, exist_ok=True)
    bins = {k: build(args.workdir, k) for k in KINDS}
    schedule = [(k, hog, i) for k in KINDS for hog in (False, True)
                for i in range(args.runs)]
    rng = random.Random(args.seed)
    rng.shuffle(schedule)
    started = time.time()
    for n, (kind, hog, i) in enumerate(schedule):
        name = f"k{kind}-{'hog' if hog else 'quiet'}-{i}-s{args.seed}.json"
        out = os.path.join(runs_dir, name)
        if os.path.exists(out):
            continue
        hog_proc = None
        if hog:
            hog_proc = subprocess.Popen(["sh", "-c", "while :; do :; done"])
            time.sleep(0.5)  # let it take its core
        try:
            tmp = out + ".tmp"
            subprocess.run([bins[kind], "--benchmark_repetitions=10",
                            f"--benchmark_min_time={args.min_time}",
                            f"--benchmark_out={tmp}", "--benchmark_out_format=json"],
                           check=True, stdout=subprocess.DEVNULL)
            os.rename(tmp, out)
        finally:
            if hog_proc:
                hog_proc.kill()
                hog_proc.wait()
        print(f"{n + 1}/{len(schedule)} {name} ({time.time() - started:.0f} s)",
              file=sys.stderr)
        if n + 1 < len(schedule):
            time.sleep(rng.uniform(args.pause_min, args.pause_max))


def load_runs(workdir):
    runs = []
    for name in sorted(os.listdir(os.path.join(workdir, "runs"))):
        if not name.endswith(".json"):
            continue
        kind = int(name.split("-")[0][1:])
        hog = name.split("-")[1] == "hog"
        runs.append({"path": os.path.join(workdir, "runs", name), "kind": kind,
                     "hog": hog, "name": name})
    return runs


def judge(args):
    runs = load_runs(args.workdir)
    threshold = float(args.threshold.rstrip("%")) / 100.0
    times = {r["path"]: cpu_times(r["path"]) for r in runs}
    base = [r for r in runs if r["kind"] == 0]
    counts = {}  # (method, condition, kind) -> [flagged, judged]

    def count(method, cond, kind, flagged):
        c = counts.setdefault((method, cond, kind), [0, 0])
        c[0] += bool(flagged)
        c[1] += 1

    rows = []  # one per pair and benchmark, for --rows
    pairs = []
    for kind in KINDS:
        news = [r for r in runs if r["kind"] == kind]
        for old, new in itertools.product(base, news):
            if old["path"] != new["path"]:
                pairs.append((kind, old, new))
    verdict_of = {}  # (old, new) -> {benchmark: verdict}
    for kind, old, new in pairs:
        cond = ("yes" if old["hog"] else "no") if old["hog"] == new["hog"] else "one side"
        p = subprocess.run([args.perfcheck, "compare", old["path"], new["path"],
                            "--threshold", args.threshold, "--format", "json"],
                           capture_output=True, text=True)
        if p.returncode not in (0, 1):
            sys.exit(f"perfcheck failed ({p.returncode}): {p.stderr}")
        report_rows = json.loads(p.stdout)["rows"]
        verdicts = {row["benchmark"]: row["verdict"] for row in report_rows}
        verdict_of[(old["path"], new["path"])] = verdicts
        for row in report_rows:
            if row["benchmark"] != CAL:
                rows.append({"kind": kind, "cond": cond, "benchmark": row["benchmark"],
                             "old": old["name"], "new": new["name"],
                             "change": row["change"], "low": row["change_low"],
                             "high": row["change_high"], "verdict": row["verdict"]})
        ta, tb = times[old["path"]], times[new["path"]]
        for name, verdict in verdicts.items():
            if name == CAL or name not in ta or name not in tb:
                continue
            for cond_key in (cond, "all"):
                count("perfcheck two runs", cond_key, kind, verdict == "regression")
                count("mean:10%", cond_key, kind,
                      sum(tb[name]) / len(tb[name]) > (1 + threshold) * sum(ta[name]) / len(ta[name]))
                count("min:10%", cond_key, kind, min(tb[name]) > (1 + threshold) * min(ta[name]))

    # --confirm (perfcheck_add_benchmark's default): a regression counts only
    # when a second NEW process, judged against the same OLD, regresses too.
    # The second process is the next run of the same variant and hog
    # condition (cyclically), never OLD or NEW itself.
    for kind, old, new in pairs:
        cond = ("yes" if old["hog"] else "no") if old["hog"] == new["hog"] else "one side"
        same = [r for r in runs if r["kind"] == kind and r["hog"] == new["hog"]
                and r["path"] not in (old["path"], new["path"])]
        if not same:
            continue
        after = [r for r in same if r["name"] > new["name"]]
        again = (after or same)[0]
        first = verdict_of[(old["path"], new["path"])]
        second = verdict_of.get((old["path"], again["path"]), {})
        for name, verdict in first.items():
            if name == CAL:
                continue
            for cond_key in (cond, "all"):
                count("perfcheck two runs --confirm", cond_key, kind,
                      verdict == "regression" and second.get(name) == "regression")

    print(f"{len(base)} BASE runs, {len(runs)} runs in all, {len(pairs)} pairs; "
          f"threshold {args.threshold}")
    print()
    print("| rule | CPU hog | A/A false alarms | 3% false alarms | 10% detected | 20% detected |")
    print("|:--|:--|--:|--:|--:|--:|")
    for method in ("perfcheck two runs", "perfcheck two runs --confirm", "mean:10%",
                   "min:10%"):
        for cond in ("no", "yes", "one side", "all"):
            cells = []
            for kind in KINDS:
                f, n = counts.get((method, cond, kind), [0, 0])
                cells.append(f"{100.0 * f / n:.1f}% ({f}/{n})" if n else "-")
            print(f"| {method} | {cond} | " + " | ".join(cells) + " |")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({f"{m}/{c}/{k}": v for (m, c, k), v in counts.items()}, f, indent=2)
    if args.rows:
        with open(args.rows, "w") as f:
            json.dump(rows, f)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="command", required=True)
    c = sub.add_parser("collect")
    c.add_argument("--workdir", required=True)
    c.add_argument("--runs", type=int, default=6, help="runs per variant and hog condition")
    c.add_argument("--pause-min", type=float, default=5)
    c.add_argument("--pause-max", type=float, default=40)
    c.add_argument("--min-time", default="0.01")
    c.add_argument("--seed", type=int, default=1)
    j = sub.add_parser("judge")
    j.add_argument("--workdir", required=True)
    j.add_argument("--perfcheck", required=True)
    j.add_argument("--threshold", default="10%")
    j.add_argument("--json")
    j.add_argument("--rows", help="also write every judged pair (change, interval, verdict)")
    args = ap.parse_args()
    collect(args) if args.command == "collect" else judge(args)


if __name__ == "__main__":
    main()
