// Google Benchmark runs old vs new, per benchmark and metric, with a
// noise-aware verdict (docs/benchmark-gate.md): two runs (a stored baseline
// and a new run) or interleaved rounds of both binaries.
//
// Verdict for Google Benchmark timings (per benchmark and metric). Let r be
// the ratio new/old, estimated on a log scale and T = 1 + threshold:
//  - two runs (stored baseline): Hodges-Lehmann estimate of the shift between
//    the repetitions, Moses interval at `confidence`, Mann-Whitney U p-value;
//    aggregates-only files: Welch interval from mean, stddev and repetitions;
//  - interleaved rounds (ComparePaired): one ratio per round, Hodges-Lehmann
//    estimate of their median (Walsh averages) with the signed-rank interval;
//  then (JudgeShift in change_rule.h, the rule `perfcheck ab` uses too)
//    regression   interval entirely above 1 (credibly slower), its upper end
//                 reaches T and the estimate is at least
//                   interleaved: sqrt(T) (half the threshold on the log
//                     scale): the rounds' interval covers between-process
//                     noise, so this is significant AND as large as the
//                     threshold;
//                   two runs: T itself. One process per side shows only the
//                     noise inside a process, not the larger drift between
//                     processes and moments, so its narrow interval is no
//                     evidence of size: the estimate must reach the
//                     threshold (measured in docs/benchmark-gate.md, "Two
//                     runs in separate processes");
//    improvement  the mirror image below 1;
//    noisy        neither, but the estimate is beyond T either way, or the
//                 interval is wider than the threshold band [1/T, T]: the data
//                 cannot tell;
//    unchanged    otherwise;
//    insufficient data  fewer than `min_repetitions` values on a side (or
//                 rounds), never a guess;
//    error        every run of the benchmark failed in NEW (fails the gate);
//    missing-in-new / new  the name exists on one side only (informational).
//
// User counters (metric TimeMetric::kCounter, e.g. "instructions" from
// perfcheck::BenchmarkPerfCounter): counts of retired instructions are nearly
// deterministic, so repetitions agree to a fraction of a percent and any
// interval is tight whether or not the change matters. The rule is therefore
// on the size of the change: regression when the ratio of the medians
// new/old reaches T and the (two-run or paired) interval lies above 1;
// improvement the mirror image; noisy when the ratio reaches T either way but
// the interval contains 1, or the interval is wider than [1/T, T] (the
// counter is not near-deterministic for this benchmark); unchanged otherwise.
// A benchmark without the counter on a side is "insufficient data" with the
// run's label in the note (BenchmarkPerfCounter writes why counting was not
// possible there); a file in which no benchmark has it is an input error.
//
// Exact instruction counts (counter "instructions" counted by callgrind on
// both sides: BenchmarkContext::instruction_counter): identical code gives
// the identical count, so there is nothing to estimate and one repetition per
// side is enough (min_repetitions does not apply). With c = new/old - 1 of
// the medians: regression when c > threshold, improvement when c <
// -threshold, unchanged otherwise (method "exact count", no interval). When
// the repetitions of a side differ, the note says by how much (a count that
// moves between repetitions is not deterministic for that benchmark).
//
// Counts keys: "instructions" rows are judged only between runs with the same
// BenchmarkContext::counts_key and instruction_counter (what the count
// depends on: architecture, compiler, flags, C library, the counter). When
// they differ (or one side has none) every such row is "not comparable",
// its note names both keys, and ComparisonReport::counts_notes says why.
// Files where neither side has a key (written before perfcheck recorded
// one) are judged as before.
//
// Calibration (options.calibrate, two runs only): both files must hold the
// reference workload kCalibrationBenchmarkName (benchmark_calibration.h).
// Per metric, factor f = median_new / median_old of that benchmark; every old
// value is multiplied by f before judging (a baseline from a machine 1.5x
// faster is judged as if recorded here), and the interval of each change is
// widened by the factor's own uncertainty: with the benchmark's interval
// [e - a, e + b] on the log scale and the factor's [l - c, l + d] (Moses
// interval of the calibration repetitions), the result is
// [e - sqrt(a^2 + d^2), e + sqrt(b^2 + c^2)] (independent errors added in
// quadrature; exact for normal errors, an approximation otherwise). What no
// interval covers: a benchmark whose speed relative to the calibration
// workload differs between the machines (another CPU generation, cache
// size); docs/benchmark-gate.md. The calibration benchmark itself is never
// judged (verdict "calibration"), with or without `calibrate`: its code does
// not change with a pull request.
//
// Thread-safety: pure functions on values.
#ifndef PERFCHECK_BENCHMARK_COMPARE_BENCHMARKS_H_
#define PERFCHECK_BENCHMARK_COMPARE_BENCHMARKS_H_

#include <vector>

#include "perfcheck/benchmark/comparison.h"
#include "perfcheck/benchmark/json.h"
#include "perfcheck/status.h"

namespace perfcheck {

// Whether old vs new can be compared with `options`: with calibrate, both
// files hold the calibration benchmark with enough repetitions for the
// metric(s); with kCounter, each file has the counter on some benchmark. The
// error names the file, the benchmark or counter, and the fix.
Status CheckComparable(const BenchmarkFile& old_file,
                       const BenchmarkFile& new_file,
                       const CompareOptions& options);

// Google Benchmark old vs new. Call CheckComparable first: a failed check is
// API misuse here and throws std::invalid_argument with its message.
ComparisonReport CompareBenchmarks(const BenchmarkFile& old_file,
                                   const BenchmarkFile& new_file,
                                   const CompareOptions& options);

// One interleaved round: both binaries' output from that round.
struct BenchmarkRound {
  BenchmarkFile old_run;
  BenchmarkFile new_run;
};
// Paired judgement over rounds (per round: median of each side's repetitions,
// ratio new/old). Rounds in which a benchmark is absent or failed are skipped
// for it.
ComparisonReport ComparePaired(const std::vector<BenchmarkRound>& rounds,
                               const CompareOptions& options);

}  // namespace perfcheck

#endif  // PERFCHECK_BENCHMARK_COMPARE_BENCHMARKS_H_
