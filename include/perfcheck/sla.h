// SLA checks: judge a finished Result against a bound ("p95 < 500 ms",
// "error rate < 1%", "throughput >= 50/s").
//
// These functions are the L3 evaluation layer under the GoogleTest macros
// (perfcheck/gtest.h) and the CLI thresholds: they see only a Result, so a live
// run and a stored one are judged by the same code. They never print; the
// returned SlaCheck carries the compared numbers (observed, limit, unit) and
// the texts a caller needs for a message.
//
// Semantics:
// - Latency bounds are strict: a check passes when the measured value is
//   < limit. Percentiles are nearest-rank over the successful operations only
//   (Result::latency), within the histogram's precision.
// - A latency check on a Result with zero successful operations fails with
//   actual "no successful operations": nothing measured is never a pass.
// - CheckErrorRateBelow passes when errors / all operations < fraction; a
//   fraction of 0 means "no errors at all" (passes only with zero errors). A
//   Result with no operations at all fails ("no operations").
// - CheckThroughputAtLeast passes when Result::Throughput() >= per_second.
// - The allocation checks judge Result::counts (operation_counts.h): the mean
//   operator new calls (or bytes requested) per operation, failed calls
//   included, must be <= the bound. They fail when the Result carries no
//   allocation counts, saying why: nothing ran ("no operations"), or nothing
//   counted them ("not counted": only perfcheck::Measure / Callable count, and
//   only in a binary that links perfcheck::allocation_hooks, as
//   perfcheck::gtest_main does). A missing count is never a pass.
//
// Errors: invalid arguments (percent outside [0, 100], fraction outside
// [0, 1], negative limit, rate or allocation bound, NaN) throw
// std::invalid_argument.
//
// Thread-safety: pure functions.
//
// Example:
//   perfcheck::Result r = perfcheck::Measure("checkout", [&] { Checkout(); });
//   perfcheck::SlaCheck c = perfcheck::CheckPercentileBelow(r, 95, 500ms);
//   if (!c.passed) std::cerr << c.summary << "\n" << PercentileLine(r) << "\n";
//   // c.summary: "checkout: p95 < 500 ms -> p95 = 612 ms [FAIL]"
#ifndef PERFCHECK_SLA_H_
#define PERFCHECK_SLA_H_

#include <chrono>
#include <optional>
#include <string>

#include "perfcheck/clock.h"
#include "perfcheck/result.h"

namespace perfcheck {

// What an SLA check's numbers count (SlaCheck::observed and ::limit).
enum class SlaUnit {
  kNanoseconds,        // latency: a percentile, max or mean
  kFraction,           // error rate: errors / all operations, 0.01 = 1%
  kPerSecond,          // throughput: successful operations per second
  kPerOperation,       // allocations: mean operator new calls per operation
  kBytesPerOperation,  // allocated bytes: mean bytes requested per operation
  // Resources of a monitored process (perfcheck/resource_sla.h):
  kBytes,           // peak RSS
  kPercentOfCore,   // CPU, % of one core (two busy cores: 200)
  kBytesPerSecond,  // memory growth: the low end of the slope's interval
};

// How the observed value must compare with the limit to pass.
enum class SlaComparison {
  kLess,          // latency, error rate (a limit of 0 means "none at all")
  kLessEqual,     // allocations
  kGreaterEqual,  // throughput
};

// The verdict of one SLA check: the numbers it compared, and ready-made texts
// that render them (callers that compute, record or serialize use the
// numbers; the texts are for people).
struct [[nodiscard]] SlaCheck {
  bool passed = false;
  // The measured value in `unit`, or nullopt when there was nothing to
  // measure (no successful operations for latency, no operations, or no
  // allocation counts): then `passed` is false.
  std::optional<double> observed;
  // The bound as given to the check, in `unit` (latency limits in ns).
  double limit = 0;
  SlaUnit unit = SlaUnit::kNanoseconds;
  SlaComparison comparison = SlaComparison::kLess;
  // Machine-friendly metric name: "p95", "p99.9", "max", "mean",
  // "error_rate", "throughput", "allocations", "allocated_bytes". Usable in
  // property keys and file names.
  std::string metric;
  // The bound as a comparison with its value: "< 500 ms", "< 1%", ">= 50.0/s",
  // "<= 2 per operation", "<= 64 B per operation".
  std::string requirement;
  // The whole expectation: "p95 < 500 ms", "error rate < 1%".
  std::string expected;
  // The measured value alone ("612 ms", "1.5%", "48.2/s", "3", "96 B"), or
  // "no successful operations" / "no operations" when there was nothing to
  // measure, or "not counted" when an allocation count is absent.
  std::string measured;
  // The measured value as a sentence: "p95 = 612 ms",
  // "error rate = 1.5% (15 of 1000 operations)", or "no successful operations".
  std::string actual;
  // One compact line: "checkout: p95 < 500 ms -> p95 = 612 ms [FAIL]".
  std::string summary;
};

// Percentile `percent` (in [0, 100]) of the successful operations < `limit`.
SlaCheck CheckPercentileBelow(const Result& result, double percent,
                              Nanos limit);
// Largest latency < `limit`.
SlaCheck CheckMaxBelow(const Result& result, Nanos limit);
// Arithmetic mean latency < `limit`.
SlaCheck CheckMeanBelow(const Result& result, Nanos limit);
// Errors / all operations < `fraction` (in [0, 1]; 0.01 = 1%).
SlaCheck CheckErrorRateBelow(const Result& result, double fraction);
// Successful operations per second of elapsed time >= `per_second` (>= 0).
SlaCheck CheckThroughputAtLeast(const Result& result, double per_second);
// Mean operator new calls per operation <= `per_operation` (finite, >= 0).
SlaCheck CheckAllocationsAtMost(const Result& result, double per_operation);
// Mean bytes requested from operator new per operation <= `bytes` (finite,
// >= 0).
SlaCheck CheckAllocatedBytesAtMost(const Result& result, double bytes);

// std::chrono forms of the latency checks, e.g. CheckMaxBelow(r, 2s).
template <class Rep, class Period>
SlaCheck CheckPercentileBelow(const Result& result, double percent,
                              std::chrono::duration<Rep, Period> limit) {
  return CheckPercentileBelow(result, percent, ToNanos(limit));
}
template <class Rep, class Period>
SlaCheck CheckMaxBelow(const Result& result,
                       std::chrono::duration<Rep, Period> limit) {
  return CheckMaxBelow(result, ToNanos(limit));
}
template <class Rep, class Period>
SlaCheck CheckMeanBelow(const Result& result,
                        std::chrono::duration<Rep, Period> limit) {
  return CheckMeanBelow(result, ToNanos(limit));
}

// The name of a percentile as users write it: 95 -> "p95", 99.9 -> "p99.9",
// 99.99 -> "p99.99" (up to three decimals, trailing zeros dropped).
// Throws std::invalid_argument outside [0, 100].
std::string PercentileName(double percent);

// The distribution of `result` on one line, for failure messages and logs:
//   "n=1000 errors=3 min=1.02 ms p50=1.50 ms p90=2.10 ms p95=2.40 ms
//    p99=3.00 ms p99.9=4.10 ms max=4.20 ms mean=1.61 ms"
// n counts the successful operations (the samples the percentiles are over).
// With no successful operation: "n=0 errors=3 (no successful operations)".
std::string PercentileLine(const Result& result);

}  // namespace perfcheck

#endif  // PERFCHECK_SLA_H_
