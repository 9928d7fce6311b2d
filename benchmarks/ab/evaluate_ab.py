#!/usr/bin/env python3
"""How often `perfcheck ab` cries wolf and how often it catches a slowdown.

Runs `perfcheck ab` on the example perf suite (or any gtest perf binary whose
code reads PERFCHECK_EXAMPLE_SLOWDOWN) again and again: base = the binary,
head = a wrapper that sets PERFCHECK_EXAMPLE_SLOWDOWN=<factor> and execs it
(1.0: A/A, identical code). Every test of every run is one judgement. The
configurations are interleaved run by run (A/A, 1.10, 1.20, A/A, ...), so a
slow phase of the machine hits all of them alike; with --hog a busy loop
competes for a core during the runs, like a parallel CI job.

  collect  runs the configurations and appends one JSON line per `ab` run to
           OUT (kept between invocations: an interrupted collection loses
           only the run in progress);
  judge    reads OUT and prints the tables (Markdown): per condition and
           factor, judgements, regressions (false alarms for A/A,
           detections otherwise), noisy, and the wall time per test; then per
           test the effective change (median of the p50 estimates), because
           the example's injected slowdown adds a few clock reads per
           operation and so slows microsecond operations by more than the
           factor.

Example (docs/ab-gate.md, "Measured"):
  benchmarks/ab/evaluate_ab.py collect --perfcheck build/release/cli/perfcheck \\
      --binary build/release/examples/example_perf_test --runs 4 \\
      --factors 1.0,1.10,1.20 --out ab-eval.jsonl
  benchmarks/ab/evaluate_ab.py collect ... --hog --out ab-eval.jsonl
  benchmarks/ab/evaluate_ab.py judge ab-eval.jsonl
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time


def wrapper(directory, binary, factor):
    path = os.path.join(directory, "head-%s.sh" % factor)
    with open(path, "w") as f:
        f.write("#!/bin/sh\nPERFCHECK_EXAMPLE_SLOWDOWN=%s exec %s \"$@\"\n"
                % (factor, os.path.abspath(binary)))
    os.chmod(path, 0o755)
    return path


def collect(args):
    factors = [f.strip() for f in args.factors.split(",") if f.strip()]
    condition = "hog" if args.hog else "quiet"
    hog = subprocess.Popen(["sh", "-c", "while :; do :; done"]) if args.hog else None
    try:
        with tempfile.TemporaryDirectory(prefix="perfcheck-ab-eval-") as tmp:
            heads = {f: wrapper(tmp, args.binary, f) for f in factors}
            for run in range(args.runs):
                for factor in factors:
                    report = os.path.join(tmp, "report.json")
                    seed = int(time.time() * 1000) % (1 << 31) | 1
                    cmd = [args.perfcheck, "ab", "--base", args.binary,
                           "--head", heads[factor], "--json", report,
                           "--quiet", "--format", "json", "-o", os.devnull,
                           "--seed", str(seed), "--rounds", str(args.rounds)]
                    if args.filter:
                        cmd += ["--filter", args.filter]
                    start = time.time()
                    rc = subprocess.call(cmd)
                    wall = time.time() - start
                    if rc not in (0, 1):
                        sys.exit("perfcheck ab exited %d: %s" % (rc, " ".join(cmd)))
                    with open(report) as f:
                        doc = json.load(f)
                    p50 = {}
                    for row in doc["comparison"]["rows"]:
                        if row.get("metric") == "p50" and row.get("change") is not None:
                            p50[row["benchmark"].split("/")[0]] = row["change"]
                    line = {"condition": condition, "factor": factor,
                            "rc": rc, "wall_s": wall, "seed": seed,
                            "rounds_run": doc["rounds_run"],
                            "tests": [dict(t, p50_change=p50.get(t["test"]))
                                      for t in doc["tests"]]}
                    with open(args.out, "a") as out:
                        out.write(json.dumps(line) + "\n")
                    print("%s factor %s run %d/%d: rc %d, %.0f s, %s" % (
                        condition, factor, run + 1, args.runs, rc, wall,
                        ", ".join("%s %s" % (t["test"], t["verdict"])
                                  for t in doc["tests"]
                                  if t["verdict"] != "unchanged") or "all unchanged"),
                        flush=True)
    finally:
        if hog:
            hog.kill()
            hog.wait()


def judge(args):
    runs = [json.loads(l) for l in open(args.input) if l.strip()]
    groups = {}
    for r in runs:
        groups.setdefault((r["condition"], r["factor"]), []).append(r)
    print("| condition | head slowdown | ab runs | judgements | regression | "
          "noisy | unchanged | other | rounds per test (median) | "
          "wall per test and round, both sides (median) |")
    print("|:--|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
    for (cond, factor), rs in sorted(groups.items()):
        verdicts = [t["verdict"] for r in rs for t in r["tests"]]
        n = len(verdicts)
        reg = sum(v in ("regression", "error") for v in verdicts)
        noisy = sum(v == "noisy" for v in verdicts)
        unch = sum(v == "unchanged" for v in verdicts)
        rounds = [t["rounds"] for r in rs for t in r["tests"]]
        per = [(t["base_wall_s"] + t["head_wall_s"]) / t["rounds"]
               for r in rs for t in r["tests"] if t["rounds"]]
        print("| %s | %s | %d | %d | %d (%.0f%%) | %d | %d | %d | %s | %.2f s |" % (
            cond, "none (A/A)" if float(factor) == 1.0 else factor, len(rs), n,
            reg, 100.0 * reg / n if n else 0, noisy, unch, n - reg - noisy - unch,
            statistics.median(rounds) if rounds else "-",
            statistics.median(per) if per else 0))
    print()
    print("Per test: regressions / judgements, and the effective p50 change "
          "(median over runs)")
    print()
    tests = sorted({t["test"] for r in runs for t in r["tests"]})
    keys = sorted(groups)
    print("| test | " + " | ".join("%s %s" % k for k in keys) + " |")
    print("|:--|" + "--:|" * len(keys))
    for name in tests:
        cells = []
        for k in keys:
            ts = [t for r in groups[k] for t in r["tests"] if t["test"] == name]
            reg = sum(t["verdict"] in ("regression", "error") for t in ts)
            ch = [t["p50_change"] for t in ts if t.get("p50_change") is not None]
            cells.append("%d/%d, %+.0f%%" % (reg, len(ts), 100 * statistics.median(ch))
                         if ch else "%d/%d" % (reg, len(ts)))
        print("| `%s` | %s |" % (name, " | ".join(cells)))


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("collect")
    c.add_argument("--perfcheck", required=True)
    c.add_argument("--binary", required=True)
    c.add_argument("--runs", type=int, default=4)
    c.add_argument("--rounds", type=int, default=10)
    c.add_argument("--factors", default="1.0,1.10,1.20")
    c.add_argument("--filter", default="")
    c.add_argument("--hog", action="store_true")
    c.add_argument("--out", required=True)
    j = sub.add_parser("judge")
    j.add_argument("input")
    args = ap.parse_args()
    collect(args) if args.cmd == "collect" else judge(args)


if __name__ == "__main__":
    main()
