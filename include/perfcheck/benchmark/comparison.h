// The values of a benchmark comparison (`perfcheck compare`): its options,
// one row per benchmark and metric with the verdict, and the report that
// holds them. Produced by compare_benchmarks.h and compare_files.h, rendered
// by render.h; the rules behind each verdict are in compare_benchmarks.h.
//
// Thread-safety: plain values; const methods may be called concurrently.
#ifndef PERFCHECK_BENCHMARK_COMPARISON_H_
#define PERFCHECK_BENCHMARK_COMPARISON_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

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
  // Normalise the old side by the calibration benchmark
  // (compare_benchmarks.h, "Calibration").
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

}  // namespace perfcheck

#endif  // PERFCHECK_BENCHMARK_COMPARISON_H_
