// The PR regression gate behind `perfcheck compare`: old vs new, per benchmark
// and metric, with a noise-aware verdict (docs/benchmark-gate.md).
//
// Inputs
//  - Google Benchmark JSON (benchmark_json.h): metric cpu_time and/or
//    real_time, judged on the repetitions;
//  - perfcheck result files (perfcheck.result/v1), or baseline files
//    (perfcheck.baseline/v1 or v2) as the old side: every metric
//    EXPECT_NO_REGRESSION judges (p50, p95, p99, mean, throughput, error
//    rate), by the same CompareToBaseline (regression.h) with the same
//    verdicts, so a `perfcheck compare` and an EXPECT_NO_REGRESSION agree
//    (testbeds included: time of another testbed is "not comparable");
//  - a directory: every *.json file in it (not recursive), all of one kind.
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
// Exit-code semantics (used by the CLI): HasRegression() is true for any
// regression or error verdict.
//
// Thread-safety: pure functions on values.
//
// Example:
//   perfcheck::CompareOptions opt;
//   opt.threshold = 0.10;
//   opt.thresholds.push_back({"BM_Parse.*", 0.05});
//   perfcheck::StatusOr<perfcheck::ComparisonReport> rep =
//       perfcheck::CompareFiles("base.json", "head.json", opt);
//   if (!rep.ok()) return 2;
//   std::cout << perfcheck::RenderTable(*rep, /*color=*/false);
//   return rep->HasRegression() ? 1 : 0;
#ifndef PERFCHECK_BENCHMARK_COMPARE_H_
#define PERFCHECK_BENCHMARK_COMPARE_H_

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "perfcheck/benchmark/json.h"
#include "perfcheck/result.h"
#include "perfcheck/status.h"
#include "perfcheck/verdict.h"

namespace perfcheck {

// The benchmark perfcheck::RegisterCalibrationBenchmark() registers.
inline constexpr std::string_view kCalibrationBenchmarkName =
    "perfcheck/calibration";

// The gate's verdicts (verdict.h); the old names stay for source
// compatibility.
using BenchmarkVerdict = Verdict;
inline std::string_view BenchmarkVerdictName(Verdict v) {
  return VerdictName(v);
}

// What is judged (and shown): Google Benchmark times, or one user counter
// (CompareOptions::counter).
enum class TimeMetric { kCpuTime, kRealTime, kBoth, kCounter };

struct CompareOptions {
  double threshold = 0.10;  // relative; > 0 and finite
  // Per-benchmark overrides: the first ECMAScript regex that matches part of
  // the benchmark name (std::regex_search) wins. Names longer than
  // kMaxRegexNameLength are refused when there are overrides (std::regex
  // recurses once per character and would overflow the stack).
  std::vector<std::pair<std::string, double>> thresholds;
  double confidence = 0.99;         // of every interval, in (0, 1)
  std::size_t min_repetitions = 5;  // per side (per run of rounds: rounds)
  TimeMetric metric = TimeMetric::kCpuTime;
  // With kCounter: the user counter's JSON name, e.g. "instructions".
  std::string counter;
  // Normalise the old side by the calibration benchmark (see above).
  bool calibrate = false;

  // Longest name ThresholdFor() matches against `thresholds`; a fraction of
  // what overflows the stack under AddressSanitizer, far above real names.
  static constexpr std::size_t kMaxRegexNameLength = 1024;

  // The threshold for `name`; throws std::invalid_argument for a bad regex,
  // and for a name longer than kMaxRegexNameLength when `thresholds` is not
  // empty (the message names the pattern and the name's length).
  double ThresholdFor(std::string_view name) const;
  // Whether ThresholdFor(name) can match `name`: the error it would throw
  // for a name longer than kMaxRegexNameLength, as a Status (CheckComparable
  // and CompareFiles check every name with it).
  Status CheckName(std::string_view name) const;
  // Throws std::invalid_argument for out-of-range values, a bad regex, or
  // kCounter without a counter name.
  void Validate() const;
  // Validate()'s checks as a Status, for options built from user input.
  Status Check() const;
};

// One row of the comparison.
struct MetricComparisonRow {
  std::string benchmark;
  std::string metric;        // "cpu_time", "real_time", "p50", "throughput"...
  bool is_rate = false;      // throughput (1/s) rather than a time (ns)
  bool is_count = false;     // a user counter (its own unit, e.g. instructions)
  bool is_fraction = false;  // error rate (0..1); change is in points
  double old_value = 0;      // median (ns, 1/s or count); NaN when absent;
                             // with calibration: already scaled by the factor
  double new_value = 0;
  std::size_t old_n = 0;  // repetitions / samples / rounds behind each side
  std::size_t new_n = 0;
  double change = 0;       // new / old - 1; NaN when not computable
  double change_low = 0;   // interval of the change; NaN when none
  double change_high = 0;  //   (+-infinity when no interval exists)
  double p_value = 0;      // of the rank test; NaN when the method has none
  double threshold = 0;
  BenchmarkVerdict verdict = BenchmarkVerdict::kUnchanged;
  std::string method;  // "mann-whitney", "welch", "signed-rank", "noise-band",
                       // "calibration", "exact count"
  std::string note;    // e.g. "2 of 10 runs failed: ..."
};

// The normalisation applied with CompareOptions::calibrate, per metric.
struct CalibrationFactor {
  std::string metric;     // "cpu_time", "real_time" or the counter
  double factor = 1;      // new / old median of the calibration benchmark
  double factor_low = 1;  // its interval at the report's confidence
  double factor_high = 1;
  double old_value = 0;  // the calibration medians (ns or count)
  double new_value = 0;
  std::size_t old_n = 0;
  std::size_t new_n = 0;
};

struct ComparisonReport {
  std::string old_source;
  std::string new_source;
  std::string mode;  // "two runs" or "interleaved, N rounds"
  // Interleaved rounds (ComparePaired): the estimate needs only half the
  // threshold; two runs need all of it (see the rule above).
  bool paired = false;
  double confidence = 0.99;
  std::vector<MetricComparisonRow> rows;
  // Differences between the two machines' fingerprints, e.g. "cores: 8 -> 2".
  std::vector<std::string> machine_differences;
  // Non-empty when the old side was normalised (CompareOptions::calibrate).
  std::vector<CalibrationFactor> calibration;
  // Why time was not judged (testbed.h): the old side was recorded on
  // another testbed, e.g. "baseline recorded on testbed laptop (3 runs);
  // this is testbed auto-1a2b3c4d: time not judged". Such rows have the
  // verdict "not comparable".
  std::vector<std::string> testbed_notes;
  // Why instruction counts were not judged: the runs' counts keys differ,
  // e.g. "baseline counted under 'x86_64 GCC 12.2.0 ... (callgrind)'; this
  // run under '...': instructions not judged". Such rows are "not comparable".
  std::vector<std::string> counts_notes;

  bool HasRegression() const;  // any regression or error verdict
  std::size_t Count(BenchmarkVerdict v) const;
  // "1 regression, 4 unchanged, 1 new".
  std::string Summary() const;
};

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

// perfcheck results old vs new, matched by Result::name, through
// CompareToBaseline with tolerance = ThresholdFor(name).
ComparisonReport CompareResults(const std::vector<Result>& old_results,
                                const std::vector<Result>& new_results,
                                const CompareOptions& options);

// Reads both inputs (files or directories, kind detected from the content)
// and compares them. Errors name the file and the problem; mixing a Google
// Benchmark input with a perfcheck one is an error, and so is a failed
// CheckComparable, or calibrate / kCounter with perfcheck results.
StatusOr<ComparisonReport> CompareFiles(const std::filesystem::path& old_path,
                                        const std::filesystem::path& new_path,
                                        const CompareOptions& options);

// Renderers. RenderTable: fixed-width text, ANSI colours on verdicts when
// `color`. RenderJson: schema "perfcheck.compare/v1" (documented in
// docs/benchmark-gate.md). RenderMarkdown: a PR comment /
// $GITHUB_STEP_SUMMARY section; stable output (golden-tested).
std::string RenderTable(const ComparisonReport& report, bool color);
std::string RenderJson(const ComparisonReport& report);
std::string RenderMarkdown(const ComparisonReport& report);
// One row's change as the renderers print it: "+12.3% (+8.1% .. +16.0%)",
// error rates in points ("+2.00 pts (...)"), "-" when not computable.
std::string RenderChange(const MetricComparisonRow& row);

}  // namespace perfcheck

#endif  // PERFCHECK_BENCHMARK_COMPARE_H_
