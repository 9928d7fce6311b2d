#!/usr/bin/env python3
"""Writes the crafted Google Benchmark JSON fixtures of tests/benchmark/data.

Deterministic (fixed seed); rerun after changing a case and commit the output.
The shapes follow Google Benchmark 1.7's JSON writer (context, iteration runs
with repetition_index, aggregate rows with aggregate_name/aggregate_unit).
"""
import json
import os
import random
import statistics

HERE = os.path.dirname(os.path.abspath(__file__))


def context(cpus=2, host="ci-runner-1", mhz=2400):
    return {
        "date": "2024-05-01T12:00:00+00:00",
        "host_name": host,
        "executable": "./query_bench",
        "num_cpus": cpus,
        "mhz_per_cpu": mhz,
        "cpu_scaling_enabled": False,
        "caches": [
            {"type": "Data", "level": 1, "size": 32768, "num_sharing": 1},
            {"type": "Unified", "level": 2, "size": 1048576, "num_sharing": 1},
        ],
        "load_avg": [0.5, 0.4, 0.3],
        "library_build_type": "release",
    }


def series(name, values_ns, unit="ns", aggregates=True, reps_only=False,
           aggregates_only=False, errors=0, error_message="connection lost",
           counters=None, label=None):
    """Rows for one benchmark: one iteration row per value, then aggregates.

    counters: {name: [value per repetition]} user counters (as
    state.counters writes them); label: the run's label.
    """
    counters = counters or {}
    scale = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}[unit]
    n = len(values_ns) + errors
    rows = []
    if not aggregates_only:
        for i, v in enumerate(values_ns):
            rows.append({
                "name": name, "family_index": 0, "per_family_instance_index": 0,
                "run_name": name, "run_type": "iteration", "repetitions": n,
                "repetition_index": i, "threads": 1, "iterations": 100000,
                "real_time": v * 1.02 / scale, "cpu_time": v / scale,
                "time_unit": unit,
            })
            for cname, cvalues in counters.items():
                rows[-1][cname] = cvalues[i]
            if label:
                rows[-1]["label"] = label
        for j in range(errors):
            rows.append({
                "name": name, "family_index": 0, "per_family_instance_index": 0,
                "run_name": name, "run_type": "iteration", "repetitions": n,
                "repetition_index": len(values_ns) + j, "threads": 1,
                "iterations": 0, "real_time": 0, "cpu_time": 0, "time_unit": unit,
                "error_occurred": True, "error_message": error_message,
            })
    if aggregates and len(values_ns) >= 2 and not reps_only:
        mean = statistics.mean(values_ns)
        sd = statistics.stdev(values_ns)
        for agg, val, aunit in (("mean", mean, "time"),
                                ("median", statistics.median(values_ns), "time"),
                                ("stddev", sd, "time"), ("cv", sd / mean, "percentage")):
            t = val / scale if aunit == "time" else val
            rows.append({
                "name": name + "_" + agg, "family_index": 0,
                "per_family_instance_index": 0, "run_name": name,
                "run_type": "aggregate", "repetitions": n, "threads": 1,
                "aggregate_name": agg, "aggregate_unit": aunit,
                "iterations": n,
                "real_time": t * (1.02 if aunit == "time" else 1.0),
                "cpu_time": t, "time_unit": unit,
            })
            fn = {"mean": statistics.mean, "median": statistics.median,
                  "stddev": statistics.stdev}.get(agg)
            for cname, cvalues in counters.items():
                rows[-1][cname] = (fn(cvalues) if fn else
                                   statistics.stdev(cvalues) / statistics.mean(cvalues))
    return rows


def noisy(rng, center, rel, n=10):
    return [center * (1 + rng.uniform(-rel, rel)) for _ in range(n)]


def write(name, doc):
    with open(os.path.join(HERE, name), "w") as f:
        json.dump(doc, f, indent=2)
        f.write("\n")


def main():
    rng = random.Random(20240501)
    base = {
        "BM_Fast": noisy(rng, 100.0, 0.01),
        "BM_Slow": noisy(rng, 1000.0, 0.01),
        "BM_Renamed": noisy(rng, 500.0, 0.01),
        "BM_Noisy": noisy(rng, 2000.0, 0.30),
    }
    old = {"context": context(), "benchmarks": []}
    for k, v in base.items():
        old["benchmarks"] += series(k, v)
    write("old.json", old)

    # A/A: same code, fresh noise of the same size.
    same = {"context": context(), "benchmarks": []}
    same["benchmarks"] += series("BM_Fast", noisy(rng, 100.0, 0.01))
    same["benchmarks"] += series("BM_Slow", noisy(rng, 1000.0, 0.01))
    same["benchmarks"] += series("BM_Renamed", noisy(rng, 500.0, 0.01))
    same["benchmarks"] += series("BM_Noisy", noisy(rng, 2000.0, 0.30))
    write("new_same.json", same)

    # BM_Slow 25% slower and written in microseconds; BM_Renamed renamed;
    # BM_Noisy 15% slower but spread +-30%.
    reg = {"context": context(), "benchmarks": []}
    reg["benchmarks"] += series("BM_Fast", noisy(rng, 100.0, 0.01))
    reg["benchmarks"] += series("BM_Slow", noisy(rng, 1250.0, 0.01), unit="us")
    reg["benchmarks"] += series("BM_RenamedV2", noisy(rng, 500.0, 0.01))
    reg["benchmarks"] += series("BM_Noisy", noisy(rng, 2300.0, 0.30))
    write("new_regressed.json", reg)

    # 4% slower: significant but below the threshold.
    small = {"context": context(), "benchmarks": []}
    small["benchmarks"] += series("BM_Fast", noisy(rng, 104.0, 0.01))
    write("new_small_change.json", small)

    imp = {"context": context(), "benchmarks": []}
    imp["benchmarks"] += series("BM_Fast", noisy(rng, 70.0, 0.01))
    write("new_improved.json", imp)

    # Single runs, no repetitions.
    write("single_old.json", {"context": context(), "benchmarks":
                              series("BM_Fast", [100.0], aggregates=False)})
    write("single_new.json", {"context": context(), "benchmarks":
                              series("BM_Fast", [150.0], aggregates=False)})

    # Aggregates only (--benchmark_report_aggregates_only=true).
    write("agg_old.json", {"context": context(), "benchmarks":
                           series("BM_Slow", noisy(rng, 1000.0, 0.01), aggregates_only=True)})
    write("agg_new.json", {"context": context(), "benchmarks":
                           series("BM_Slow", noisy(rng, 1300.0, 0.01), aggregates_only=True)})

    # Errors: BM_Slow failed in every run; BM_Fast in 2 of 10.
    err = {"context": context(), "benchmarks": []}
    err["benchmarks"] += series("BM_Fast", noisy(rng, 100.0, 0.01, n=8), errors=2,
                                error_message="socket closed")
    err["benchmarks"] += series("BM_Slow", [], errors=3, error_message="db down")
    write("new_errors.json", err)

    # The same code on another machine.
    other = {"context": context(cpus=8, host="laptop", mhz=3600), "benchmarks": []}
    other["benchmarks"] += series("BM_Fast", noisy(rng, 100.0, 0.01))
    write("new_other_machine.json", other)

    # Bad inputs.
    text = json.dumps(old, indent=2)
    with open(os.path.join(HERE, "truncated.json"), "w") as f:
        f.write(text[: len(text) // 2])
    write("not_benchmark.json", {"name": "something else", "values": [1, 2, 3]})
    bad_unit = {"context": context(), "benchmarks": series("BM_Fast", [100.0, 101.0],
                                                             aggregates=False)}
    bad_unit["benchmarks"][1]["time_unit"] = "fortnights"
    write("bad_unit.json", bad_unit)

    calibration_fixtures(rng)
    instruction_fixtures(rng)


CAL = "perfcheck/calibration"


def calibration_fixtures(rng):
    """--calibrate: a baseline from machine A judged on a machine B that is
    1.5x slower at everything (the calibration workload included)."""
    def run(ctx, speed, slow_extra=1.0, with_cal=True):
        doc = {"context": ctx, "benchmarks": []}
        doc["benchmarks"] += series("BM_Fast", noisy(rng, 100.0 * speed, 0.01))
        doc["benchmarks"] += series("BM_Slow", noisy(rng, 1000.0 * speed * slow_extra, 0.01))
        if with_cal:
            doc["benchmarks"] += series(CAL, noisy(rng, 5000.0 * speed, 0.01))
        return doc
    write("cal_old.json", run(context(), 1.0))
    slow_machine = context(cpus=2, host="old-runner", mhz=1600)
    # Same code, slower machine: +50% everywhere without calibration.
    write("cal_new_slower.json", run(slow_machine, 1.5))
    # Slower machine AND BM_Slow 30% more work: calibration must still see it.
    write("cal_new_regressed.json", run(slow_machine, 1.5, slow_extra=1.3))
    # A run without the calibration benchmark.
    write("cal_missing.json", run(slow_machine, 1.5, with_cal=False))
    # The calibration benchmark with two repetitions: no factor interval.
    short = run(slow_machine, 1.5, with_cal=False)
    short["benchmarks"] += series(CAL, noisy(rng, 7500.0, 0.01, n=2))
    write("cal_short.json", short)


def instruction_fixtures(rng):
    """--metric instructions: times spread +-20% (a noisy host), instruction
    counts within +-0.01% (as perf counts behave)."""
    def counts(center, n=10):
        return {"instructions": [center * (1 + rng.uniform(-1e-4, 1e-4)) for _ in range(n)]}
    unavailable = ("instructions unavailable: perf_event_open(instructions) failed: "
                   "No such file or directory: no hardware PMU (performance monitoring "
                   "unit) is exposed to this system")
    old = {"context": context(), "benchmarks": []}
    old["benchmarks"] += series("BM_Parse", noisy(rng, 1000.0, 0.2), counters=counts(12000))
    old["benchmarks"] += series("BM_Lookup", noisy(rng, 500.0, 0.2), counters=counts(4000))
    old["benchmarks"] += series("BM_Encode", noisy(rng, 800.0, 0.2), counters=counts(9000))
    old["benchmarks"] += series("BM_Vm", noisy(rng, 800.0, 0.2), counters=counts(7000))
    write("instr_old.json", old)
    new = {"context": context(), "benchmarks": []}
    # +15% instructions with a time change hidden in the noise: regression.
    new["benchmarks"] += series("BM_Parse", noisy(rng, 1100.0, 0.2), counters=counts(13800))
    # Same code: counts agree to 0.01%, times wander: unchanged.
    new["benchmarks"] += series("BM_Lookup", noisy(rng, 560.0, 0.2), counters=counts(4000))
    # -20% instructions: improvement.
    new["benchmarks"] += series("BM_Encode", noisy(rng, 700.0, 0.2), counters=counts(7200))
    # Counted nowhere on this side (a VM): shown, never judged on time.
    new["benchmarks"] += series("BM_Vm", noisy(rng, 1200.0, 0.2), label=unavailable)
    write("instr_new.json", new)
    # A whole run without a PMU: no benchmark has the counter.
    none = {"context": context(), "benchmarks": []}
    none["benchmarks"] += series("BM_Parse", noisy(rng, 1000.0, 0.2), label=unavailable)
    write("instr_unavailable.json", none)


if __name__ == "__main__":
    main()
