// GoogleTest assertions for performance SLAs and the baseline regression gate.
//
//   #include "perfcheck/gtest.h"
//   using namespace std::chrono_literals;
//
//   TEST(Checkout, IsFast) {
//     perfcheck::Result r = perfcheck::Measure("checkout", [&] { Checkout();
//     }); EXPECT_P95_BELOW(r, 500ms) << "common UI action"; EXPECT_P99_BELOW(r,
//     2s); EXPECT_ERROR_RATE_BELOW(r, 0.01);        // < 1%
//     EXPECT_THROUGHPUT_AT_LEAST(r, 50);       // >= 50 successful ops/s
//     EXPECT_NO_REGRESSION(r);                 // vs
//     baselines/Checkout.IsFast.json
//   }
//
//   // A Measurable (e.g. perfcheck::Callable) is measured by the assertion:
//   auto spec = perfcheck::Callable("jwt.verify", [&] { Verify(token); });
//   ASSERT_P95_BELOW(spec, 10ms);
//
// Macros (each with an ASSERT_ twin that stops the test on failure):
//   EXPECT_{P50,P90,P95,P99,P999,MAX,MEAN}_BELOW(x, limit)
//   EXPECT_PERCENTILE_BELOW(x, q, limit)       q in [0, 100], e.g. 99.99
//   EXPECT_ERROR_RATE_BELOW(x, fraction)       fraction in [0, 1]
//   EXPECT_THROUGHPUT_AT_LEAST(x, per_second)  successful operations / second
//   EXPECT_ALLOCATIONS_AT_MOST(x, n)           operator new calls / operation
//   EXPECT_ALLOCATED_BYTES_AT_MOST(x, bytes)   bytes requested / operation
//   EXPECT_NO_REGRESSION(x)
// Soak runs (x a Result; perfcheck/window_sla.h has the window rules):
//   EXPECT_{P95,P99}_BELOW_IN_EVERY_WINDOW(x, window, limit)
//   EXPECT_PERCENTILE_BELOW_IN_EVERY_WINDOW(x, q, window, limit)
//   EXPECT_ERROR_RATE_BELOW_IN_EVERY_WINDOW(x, window, fraction)
//   EXPECT_THROUGHPUT_AT_LEAST_IN_EVERY_WINDOW(x, window, per_second)
//   EXPECT_NO_LATENCY_DRIFT(x, window)      p95 rising < 10% over the run
//   EXPECT_NO_LATENCY_DRIFT(x, options)     a perfcheck::DriftOptions
// Resources of monitored processes (perfcheck/resource_sla.h), x a
// ProcessMonitor, a ProcessSeries, a std::vector<ProcessSeries> or a Result
// holding series (Result::resources); every process must pass:
//   EXPECT_PEAK_RSS_BELOW(x, bytes)            largest RSS < bytes
//   EXPECT_CPU_BELOW(x, mean_percent)          mean CPU, % of one core
//   EXPECT_PEAK_CPU_BELOW(x, percent)          busiest interval's CPU
//   EXPECT_NO_MEMORY_GROWTH(x)                 RSS slope after a warm-up
//
// Arguments:
// - `x` is a `const perfcheck::Result&` or a `const perfcheck::Measurable&`. A
//   Measurable is measured once per test: the first assertion on it Run()s it,
//   and every later assertion on the same object in the same test judges that
//   same Result, so
//     auto op = perfcheck::Callable("jwt.verify", [&] { Verify(token); });
//     EXPECT_P95_BELOW(op, 10ms);          // runs op
//     EXPECT_P99_BELOW(op, 20ms);          // same Result, no new run
//     EXPECT_ERROR_RATE_BELOW(op, 0.01);   // same Result
//   gives one row in the summary and one Result for the baseline gate.
//   "Same object" is identity (Measurable::instance_id()), not the name: a
//   copy, or a spec built anew (in a loop, as a temporary), is measured again;
//   so is the same object in the next test. For a fresh run on purpose, pass
//   perfcheck::testing::Remeasure(op); its Result replaces op's for the later
//   assertions. NO_REGRESSION may run the spec a second time to confirm a
//   regression (see below); the confirmation run then becomes its Result.
//   Construct a spec before the macro when its options use designated
//   initializers: the commas inside `{.iterations = 100, .clock = &c}` would
//   split the macro arguments.
// - `limit` is any std::chrono duration (500ms, 1.5s, 250us), rounded to whole
//   nanoseconds. A bare number is rejected at compile time: units are explicit.
// - Every argument is evaluated exactly once, and `<< "context"` appends to the
//   failure message, as with any gtest assertion.
//
// Semantics of the bounds are those of perfcheck/sla.h: strict "<" for
// latency, a Result with no successful operation fails a latency bound, error
// rate 0 means "no errors".
//
// Allocation bounds (machine-independent, so they hold on any machine) judge
// Result::counts (perfcheck/operation_counts.h): the mean number of operator
// new calls, or of bytes they requested, per measured call (failed calls
// included) must be <= the bound. Counted: every replaceable operator new form
// (plain, array, aligned, nothrow) called by the measuring thread inside the
// measured calls, so warm-up and perfcheck's own bookkeeping are not. Not
// counted: malloc/calloc/realloc called directly (C libraries such as libpq),
// and allocations of other threads. Counting needs a binary that links
// perfcheck::allocation_hooks (perfcheck::gtest_main links it) and a Result
// from perfcheck::Measure or Callable; when the Result carries no allocation
// count the assertion FAILS saying so, never passes silently:
//   Expected: allocations of parse (spec) <= 2 per operation (2)
//     Actual: allocations = 3 per operation (mean over 1000 operations)
//
// Instruction-count runs: when the binary runs under valgrind --tool=callgrind
// as perfcheck sets it up (InstructionCountingRequested() in
// perfcheck/instruction_counter.h), the times are Valgrind's, 10-100x slower
// and uneven. There every time bound (the latency bounds and
// THROUGHPUT_AT_LEAST) is not judged: it passes and prints, once per
// assertion, "perfcheck: <test>/<result>: p95 not judged: instruction-count run
// under Valgrind (times are Valgrind's)", and the summary shows the note.
// Error-rate and allocation bounds are judged as in any run.
//
// Failure messages have gtest's shape:
//   Expected: p95 of checkout (r) < 500 ms (500ms)
//     Actual: p95 = 612 ms
//     n=1000 errors=3 min=1.02 ms p50=... p95=... p99=... p99.9=... max=...
//     mean=...
//
// Recording: every assertion, passing or failing, records its values with
// ::testing::Test::RecordProperty so they land in the JUnit XML
// (--gtest_output=xml): "perfcheck.<result>.n", ".errors", ".p50_ns",
// ".p95_ns",
// ".p99_ns", ".max_ns", ".mean_ns", ".throughput", ".error_rate", the counts
// the run has (".instructions", ".allocations", ".allocated_bytes", per
// operation), the checked bound (".sla.<metric>", e.g. ".sla.p95" = "p95 <
// 500 ms: pass"), the checked metric (e.g. ".p99.9_ns") and, for
// NO_REGRESSION, ".regression" (the verdict). <result> is the Result's name
// with characters outside [A-Za-z0-9._-] replaced by '_' (docs/junit.md
// has the full list and an example). The Result is also
// registered (per test, latest run per name) for the summary table and JSON
// files of perfcheck/gtest/perf_listener.h. No configuration value is ever
// printed or recorded, so secrets cannot leak through here.
//
// EXPECT_NO_REGRESSION(x) compares x with the baseline of the current test
// ("<Suite>.<Test>") in the baseline directory (--perfcheck_baseline_dir, env
// PERFCHECK_BASELINE_DIR, default "baselines"):
// - unreadable or malformed baseline file: fails naming the file and the
//   problem; the file is left untouched;
// - no file, or no entry for x's name: passes, prints "perfcheck: no baseline
//   for <test>/<name>; candidate written to <path>" and records the run under
//   the candidate directory (--perfcheck_candidate_dir, env
//   PERFCHECK_CANDIDATE_DIR, default "perfcheck-candidates"), never into the
//   baselines;
// - update mode (env PERFCHECK_UPDATE_BASELINES=1|append|replace or
//   --perfcheck_update_baselines[=append|replace]): records the run into the
//   baseline file and passes with a note;
// - otherwise the regression gate (perfcheck/regression.h, tolerance from
//   --perfcheck_tolerance / PERFCHECK_TOLERANCE, default 10%) decides: a
//   regression fails with the comparison table; for a Measurable, a first run
//   that regresses is confirmed by measuring once more and the assertion fails
//   only if the confirmation run regresses too (both are reported). An
//   improvement passes with a hint to refresh the baseline. Differences between
//   the baseline's machine and this one are stated.
//
// Thread-safety: like any gtest assertion, use from the test's thread (gtest
// supports assertions from other threads only on some platforms).
// Errors: invalid bounds (negative limit, q outside [0, 100], fraction outside
// [0, 1], a negative or non-finite allocation bound) throw
// std::invalid_argument, which gtest reports as a test failure.
#ifndef PERFCHECK_GTEST_H_
#define PERFCHECK_GTEST_H_

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "perfcheck/clock.h"
#include "perfcheck/measurable.h"
#include "perfcheck/result.h"
#include "perfcheck/window_sla.h"

namespace perfcheck {
class ProcessMonitor;  // perfcheck/process_monitor.h
}  // namespace perfcheck

namespace perfcheck::testing {

// A latency bound. Implicitly constructible from any std::chrono duration so
// assertions take `500ms` or `1.5s` directly; the value is rounded to whole
// nanoseconds (perfcheck::ToNanos).
class Limit {
 public:
  template <class Rep, class Period>
  // NOLINTNEXTLINE(google-explicit-constructor): `500ms` must convert.
  constexpr Limit(std::chrono::duration<Rep, Period> d) : ns_(ToNanos(d)) {}

  // For code that already holds integer nanoseconds.
  static constexpr Limit Nanoseconds(Nanos ns) {
    return Limit(std::chrono::nanoseconds(ns));
  }

  constexpr Nanos nanos() const { return ns_; }

 private:
  Nanos ns_;
};

// Predicate-formatters behind the macros. The leading `const char*` parameters
// receive the argument expressions' text from EXPECT_PRED_FORMAT*.

// Percentile 50 < limit.
::testing::AssertionResult P50Below(const char* x_expr, const char* limit_expr,
                                    const Result& x, Limit limit);
::testing::AssertionResult P50Below(const char* x_expr, const char* limit_expr,
                                    const Measurable& x, Limit limit);

// Percentile 90 < limit.
::testing::AssertionResult P90Below(const char* x_expr, const char* limit_expr,
                                    const Result& x, Limit limit);
::testing::AssertionResult P90Below(const char* x_expr, const char* limit_expr,
                                    const Measurable& x, Limit limit);

// Percentile 95 < limit.
::testing::AssertionResult P95Below(const char* x_expr, const char* limit_expr,
                                    const Result& x, Limit limit);
::testing::AssertionResult P95Below(const char* x_expr, const char* limit_expr,
                                    const Measurable& x, Limit limit);

// Percentile 99 < limit.
::testing::AssertionResult P99Below(const char* x_expr, const char* limit_expr,
                                    const Result& x, Limit limit);
::testing::AssertionResult P99Below(const char* x_expr, const char* limit_expr,
                                    const Measurable& x, Limit limit);

// Percentile 99.9 < limit.
::testing::AssertionResult P999Below(const char* x_expr, const char* limit_expr,
                                     const Result& x, Limit limit);
::testing::AssertionResult P999Below(const char* x_expr, const char* limit_expr,
                                     const Measurable& x, Limit limit);

// Largest latency < limit.
::testing::AssertionResult MaxBelow(const char* x_expr, const char* limit_expr,
                                    const Result& x, Limit limit);
::testing::AssertionResult MaxBelow(const char* x_expr, const char* limit_expr,
                                    const Measurable& x, Limit limit);

// Mean latency < limit.
::testing::AssertionResult MeanBelow(const char* x_expr, const char* limit_expr,
                                     const Result& x, Limit limit);
::testing::AssertionResult MeanBelow(const char* x_expr, const char* limit_expr,
                                     const Measurable& x, Limit limit);

// Percentile `q` (in [0, 100]) < limit.
::testing::AssertionResult PercentileBelow(const char* x_expr,
                                           const char* q_expr,
                                           const char* limit_expr,
                                           const Result& x, double q,
                                           Limit limit);
::testing::AssertionResult PercentileBelow(const char* x_expr,
                                           const char* q_expr,
                                           const char* limit_expr,
                                           const Measurable& x, double q,
                                           Limit limit);

// Errors / all operations < fraction (in [0, 1]).
::testing::AssertionResult ErrorRateBelow(const char* x_expr,
                                          const char* fraction_expr,
                                          const Result& x, double fraction);
::testing::AssertionResult ErrorRateBelow(const char* x_expr,
                                          const char* fraction_expr,
                                          const Measurable& x, double fraction);

// Successful operations per second >= per_second.
::testing::AssertionResult ThroughputAtLeast(const char* x_expr,
                                             const char* rate_expr,
                                             const Result& x,
                                             double per_second);
::testing::AssertionResult ThroughputAtLeast(const char* x_expr,
                                             const char* rate_expr,
                                             const Measurable& x,
                                             double per_second);

// Mean operator new calls per operation <= per_operation (finite, >= 0).
::testing::AssertionResult AllocationsAtMost(const char* x_expr,
                                             const char* n_expr,
                                             const Result& x,
                                             double per_operation);
::testing::AssertionResult AllocationsAtMost(const char* x_expr,
                                             const char* n_expr,
                                             const Measurable& x,
                                             double per_operation);

// Mean bytes requested from operator new per operation <= bytes (finite,
// >= 0).
::testing::AssertionResult AllocatedBytesAtMost(const char* x_expr,
                                                const char* bytes_expr,
                                                const Result& x, double bytes);
::testing::AssertionResult AllocatedBytesAtMost(const char* x_expr,
                                                const char* bytes_expr,
                                                const Measurable& x,
                                                double bytes);

// The baseline gate of the current test (see the header comment).
::testing::AssertionResult NoRegression(const char* x_expr, const Result& x);
::testing::AssertionResult NoRegression(const char* x_expr,
                                        const Measurable& x);

// Asks for a new measurement of `spec`: an assertion given Remeasure(spec)
// runs spec again, and the new Result becomes spec's result for the later
// assertions of the test (and the summary). Holds a reference: use it inside
// the assertion, `EXPECT_P95_BELOW(perfcheck::testing::Remeasure(op), 5ms)`.
class Remeasured final : public Measurable {
 public:
  explicit Remeasured(const Measurable& spec) : spec_(&spec) {}
  std::string Name() const override { return spec_->Name(); }
  Result Run() const override { return spec_->Run(); }
  const Measurable& spec() const { return *spec_; }

 private:
  const Measurable* spec_;  // not owned
};
inline Remeasured Remeasure(const Measurable& spec) { return Remeasured(spec); }

// --- soak runs: a bound in every window, latency drift ---------------------
// Over x's time series, by perfcheck/window_sla.h (tumbling windows from the
// run start; `window` a whole multiple of the series' interval, else the
// assertion fails saying so; a short last window joins the one before; a
// window too small for the percentile is judged on its max). Take a Result
// (an http::HttpLoadResult converts): a soak run is one long run, measured
// before the assertions. The failure names the worst window and how many
// failed:
//   Expected: p99 of soak (r) < 2 s (2s) in every 1m window (1min)
//     Actual: p99 of window 3 (2m-3m) = 2.4 s; 1 of 5 windows failed
// Latency and throughput windows are not judged in an instruction-count run
// (as the whole-run time bounds); error-rate windows are.
// Recorded: ".sla.<metric>_every_<window>" (e.g. ".sla.p99_every_1m") with
// the verdict, and the whole-run values as every assertion.
::testing::AssertionResult PercentileBelowInEveryWindow(
    const char* x_expr, const char* q_expr, const char* window_expr,
    const char* limit_expr, const Result& x, double q, Limit window,
    Limit limit);
::testing::AssertionResult P95BelowInEveryWindow(const char* x_expr,
                                                 const char* window_expr,
                                                 const char* limit_expr,
                                                 const Result& x, Limit window,
                                                 Limit limit);
::testing::AssertionResult P99BelowInEveryWindow(const char* x_expr,
                                                 const char* window_expr,
                                                 const char* limit_expr,
                                                 const Result& x, Limit window,
                                                 Limit limit);
::testing::AssertionResult ErrorRateBelowInEveryWindow(
    const char* x_expr, const char* window_expr, const char* fraction_expr,
    const Result& x, Limit window, double fraction);
::testing::AssertionResult ThroughputAtLeastInEveryWindow(
    const char* x_expr, const char* window_expr, const char* rate_expr,
    const Result& x, Limit window, double per_second);
// The latency must not drift upwards (AnalyzeLatencyDrift): with a window,
// p95 per window may rise less than 10% over the run; with DriftOptions, as
// they say. "insufficient data" (fewer usable windows than
// options.min_windows) FAILS: a drift check that cannot judge is no pass.
// A time bound: not judged in an instruction-count run.
::testing::AssertionResult NoLatencyDrift(const char* x_expr,
                                          const char* window_expr,
                                          const Result& x, Limit window);
::testing::AssertionResult NoLatencyDrift(const char* x_expr,
                                          const char* options_expr,
                                          const Result& x,
                                          const DriftOptions& options);

namespace internal {
// The note a time bound on `metric` ("p95", "throughput") prints instead of a
// verdict, or nullopt when time is judged. The assertions pass
// InstructionCountingRequested(); the parameter lets tests see both kinds of
// run without Valgrind.
std::optional<std::string> TimeNotJudgedNote(std::string_view metric,
                                             bool instruction_count_run);
}  // namespace internal

// --- Resources of monitored processes (issue 14) ----------------------------
// Each judges every series of x with perfcheck/resource_sla.h and fails when
// any fails, one "Expected/Actual" pair per failing process, e.g.
//   Expected: peak RSS of cmd process 4242 (leaky_server) (monitor)
//             < 64 MB (64'000'000)
//     Actual: peak RSS = 80.2 MB (at 3.00 s, 25 samples)
// x without any series (a Result nothing was monitored for) fails: "no
// monitored process". A ProcessMonitor is judged on its Snapshot() (running or
// stopped). Bounds below 0 or NaN throw std::invalid_argument.
::testing::AssertionResult PeakRssBelow(const char* x_expr,
                                        const char* bytes_expr,
                                        const std::vector<ProcessSeries>& x,
                                        std::int64_t bytes);
::testing::AssertionResult PeakRssBelow(const char* x_expr,
                                        const char* bytes_expr,
                                        const ProcessSeries& x,
                                        std::int64_t bytes);
::testing::AssertionResult PeakRssBelow(const char* x_expr,
                                        const char* bytes_expr, const Result& x,
                                        std::int64_t bytes);
::testing::AssertionResult PeakRssBelow(const char* x_expr,
                                        const char* bytes_expr,
                                        const ProcessMonitor& x,
                                        std::int64_t bytes);
// Mean CPU < percent of one core.
::testing::AssertionResult CpuBelow(const char* x_expr, const char* pct_expr,
                                    const std::vector<ProcessSeries>& x,
                                    double percent);
::testing::AssertionResult CpuBelow(const char* x_expr, const char* pct_expr,
                                    const ProcessSeries& x, double percent);
::testing::AssertionResult CpuBelow(const char* x_expr, const char* pct_expr,
                                    const Result& x, double percent);
::testing::AssertionResult CpuBelow(const char* x_expr, const char* pct_expr,
                                    const ProcessMonitor& x, double percent);
// Largest per-interval CPU < percent of one core.
::testing::AssertionResult PeakCpuBelow(const char* x_expr,
                                        const char* pct_expr,
                                        const std::vector<ProcessSeries>& x,
                                        double percent);
::testing::AssertionResult PeakCpuBelow(const char* x_expr,
                                        const char* pct_expr,
                                        const ProcessSeries& x, double percent);
::testing::AssertionResult PeakCpuBelow(const char* x_expr,
                                        const char* pct_expr, const Result& x,
                                        double percent);
::testing::AssertionResult PeakCpuBelow(const char* x_expr,
                                        const char* pct_expr,
                                        const ProcessMonitor& x,
                                        double percent);
// No memory growth with the default MemoryGrowthOptions (20 % warm-up, 95 %
// interval, tolerance 1 % of the mean RSS per minute, >= 10 samples after the
// warm-up: too few samples fail, saying so).
::testing::AssertionResult NoMemoryGrowth(const char* x_expr,
                                          const std::vector<ProcessSeries>& x);
::testing::AssertionResult NoMemoryGrowth(const char* x_expr,
                                          const ProcessSeries& x);
::testing::AssertionResult NoMemoryGrowth(const char* x_expr, const Result& x);
::testing::AssertionResult NoMemoryGrowth(const char* x_expr,
                                          const ProcessMonitor& x);
// --- end of resources --------------------------------------------------------

}  // namespace perfcheck::testing

// Latency percentiles and extremes: x is a Result or a Measurable, limit a
// std::chrono duration.
#define EXPECT_P50_BELOW(x, limit) \
  EXPECT_PRED_FORMAT2(::perfcheck::testing::P50Below, x, limit)
#define ASSERT_P50_BELOW(x, limit) \
  ASSERT_PRED_FORMAT2(::perfcheck::testing::P50Below, x, limit)
#define EXPECT_P90_BELOW(x, limit) \
  EXPECT_PRED_FORMAT2(::perfcheck::testing::P90Below, x, limit)
#define ASSERT_P90_BELOW(x, limit) \
  ASSERT_PRED_FORMAT2(::perfcheck::testing::P90Below, x, limit)
#define EXPECT_P95_BELOW(x, limit) \
  EXPECT_PRED_FORMAT2(::perfcheck::testing::P95Below, x, limit)
#define ASSERT_P95_BELOW(x, limit) \
  ASSERT_PRED_FORMAT2(::perfcheck::testing::P95Below, x, limit)
#define EXPECT_P99_BELOW(x, limit) \
  EXPECT_PRED_FORMAT2(::perfcheck::testing::P99Below, x, limit)
#define ASSERT_P99_BELOW(x, limit) \
  ASSERT_PRED_FORMAT2(::perfcheck::testing::P99Below, x, limit)
#define EXPECT_P999_BELOW(x, limit) \
  EXPECT_PRED_FORMAT2(::perfcheck::testing::P999Below, x, limit)
#define ASSERT_P999_BELOW(x, limit) \
  ASSERT_PRED_FORMAT2(::perfcheck::testing::P999Below, x, limit)
#define EXPECT_MAX_BELOW(x, limit) \
  EXPECT_PRED_FORMAT2(::perfcheck::testing::MaxBelow, x, limit)
#define ASSERT_MAX_BELOW(x, limit) \
  ASSERT_PRED_FORMAT2(::perfcheck::testing::MaxBelow, x, limit)
#define EXPECT_MEAN_BELOW(x, limit) \
  EXPECT_PRED_FORMAT2(::perfcheck::testing::MeanBelow, x, limit)
#define ASSERT_MEAN_BELOW(x, limit) \
  ASSERT_PRED_FORMAT2(::perfcheck::testing::MeanBelow, x, limit)

// Any percentile q in [0, 100].
#define EXPECT_PERCENTILE_BELOW(x, q, limit) \
  EXPECT_PRED_FORMAT3(::perfcheck::testing::PercentileBelow, x, q, limit)
#define ASSERT_PERCENTILE_BELOW(x, q, limit) \
  ASSERT_PRED_FORMAT3(::perfcheck::testing::PercentileBelow, x, q, limit)

// Error rate as a fraction in [0, 1] (0.01 = 1%).
#define EXPECT_ERROR_RATE_BELOW(x, fraction) \
  EXPECT_PRED_FORMAT2(::perfcheck::testing::ErrorRateBelow, x, fraction)
#define ASSERT_ERROR_RATE_BELOW(x, fraction) \
  ASSERT_PRED_FORMAT2(::perfcheck::testing::ErrorRateBelow, x, fraction)

// Successful operations per second.
#define EXPECT_THROUGHPUT_AT_LEAST(x, per_second) \
  EXPECT_PRED_FORMAT2(::perfcheck::testing::ThroughputAtLeast, x, per_second)
#define ASSERT_THROUGHPUT_AT_LEAST(x, per_second) \
  ASSERT_PRED_FORMAT2(::perfcheck::testing::ThroughputAtLeast, x, per_second)

// Heap allocations per operation: operator new calls, and bytes requested.
#define EXPECT_ALLOCATIONS_AT_MOST(x, n) \
  EXPECT_PRED_FORMAT2(::perfcheck::testing::AllocationsAtMost, x, n)
#define ASSERT_ALLOCATIONS_AT_MOST(x, n) \
  ASSERT_PRED_FORMAT2(::perfcheck::testing::AllocationsAtMost, x, n)
#define EXPECT_ALLOCATED_BYTES_AT_MOST(x, bytes) \
  EXPECT_PRED_FORMAT2(::perfcheck::testing::AllocatedBytesAtMost, x, bytes)
#define ASSERT_ALLOCATED_BYTES_AT_MOST(x, bytes) \
  ASSERT_PRED_FORMAT2(::perfcheck::testing::AllocatedBytesAtMost, x, bytes)

// The baseline regression gate of the current test.
#define EXPECT_NO_REGRESSION(x) \
  EXPECT_PRED_FORMAT1(::perfcheck::testing::NoRegression, x)
#define ASSERT_NO_REGRESSION(x) \
  ASSERT_PRED_FORMAT1(::perfcheck::testing::NoRegression, x)

// Soak runs: a bound in every window of x's series, and latency drift.
#define EXPECT_P95_BELOW_IN_EVERY_WINDOW(x, window, limit)                    \
  EXPECT_PRED_FORMAT3(::perfcheck::testing::P95BelowInEveryWindow, x, window, \
                      limit)
#define ASSERT_P95_BELOW_IN_EVERY_WINDOW(x, window, limit)                    \
  ASSERT_PRED_FORMAT3(::perfcheck::testing::P95BelowInEveryWindow, x, window, \
                      limit)
#define EXPECT_P99_BELOW_IN_EVERY_WINDOW(x, window, limit)                    \
  EXPECT_PRED_FORMAT3(::perfcheck::testing::P99BelowInEveryWindow, x, window, \
                      limit)
#define ASSERT_P99_BELOW_IN_EVERY_WINDOW(x, window, limit)                    \
  ASSERT_PRED_FORMAT3(::perfcheck::testing::P99BelowInEveryWindow, x, window, \
                      limit)
#define EXPECT_PERCENTILE_BELOW_IN_EVERY_WINDOW(x, q, window, limit)         \
  EXPECT_PRED_FORMAT4(::perfcheck::testing::PercentileBelowInEveryWindow, x, \
                      q, window, limit)
#define ASSERT_PERCENTILE_BELOW_IN_EVERY_WINDOW(x, q, window, limit)         \
  ASSERT_PRED_FORMAT4(::perfcheck::testing::PercentileBelowInEveryWindow, x, \
                      q, window, limit)
#define EXPECT_ERROR_RATE_BELOW_IN_EVERY_WINDOW(x, window, fraction)        \
  EXPECT_PRED_FORMAT3(::perfcheck::testing::ErrorRateBelowInEveryWindow, x, \
                      window, fraction)
#define ASSERT_ERROR_RATE_BELOW_IN_EVERY_WINDOW(x, window, fraction)        \
  ASSERT_PRED_FORMAT3(::perfcheck::testing::ErrorRateBelowInEveryWindow, x, \
                      window, fraction)
#define EXPECT_THROUGHPUT_AT_LEAST_IN_EVERY_WINDOW(x, window, per_second)      \
  EXPECT_PRED_FORMAT3(::perfcheck::testing::ThroughputAtLeastInEveryWindow, x, \
                      window, per_second)
#define ASSERT_THROUGHPUT_AT_LEAST_IN_EVERY_WINDOW(x, window, per_second)      \
  ASSERT_PRED_FORMAT3(::perfcheck::testing::ThroughputAtLeastInEveryWindow, x, \
                      window, per_second)
#define EXPECT_NO_LATENCY_DRIFT(x, window_or_options)          \
  EXPECT_PRED_FORMAT2(::perfcheck::testing::NoLatencyDrift, x, \
                      window_or_options)
#define ASSERT_NO_LATENCY_DRIFT(x, window_or_options)          \
  ASSERT_PRED_FORMAT2(::perfcheck::testing::NoLatencyDrift, x, \
                      window_or_options)

// --- Resources of monitored processes (issue 14) ----------------------------
#define EXPECT_PEAK_RSS_BELOW(x, bytes) \
  EXPECT_PRED_FORMAT2(::perfcheck::testing::PeakRssBelow, x, bytes)
#define ASSERT_PEAK_RSS_BELOW(x, bytes) \
  ASSERT_PRED_FORMAT2(::perfcheck::testing::PeakRssBelow, x, bytes)
#define EXPECT_CPU_BELOW(x, mean_percent) \
  EXPECT_PRED_FORMAT2(::perfcheck::testing::CpuBelow, x, mean_percent)
#define ASSERT_CPU_BELOW(x, mean_percent) \
  ASSERT_PRED_FORMAT2(::perfcheck::testing::CpuBelow, x, mean_percent)
#define EXPECT_PEAK_CPU_BELOW(x, percent) \
  EXPECT_PRED_FORMAT2(::perfcheck::testing::PeakCpuBelow, x, percent)
#define ASSERT_PEAK_CPU_BELOW(x, percent) \
  ASSERT_PRED_FORMAT2(::perfcheck::testing::PeakCpuBelow, x, percent)
#define EXPECT_NO_MEMORY_GROWTH(x) \
  EXPECT_PRED_FORMAT1(::perfcheck::testing::NoMemoryGrowth, x)
#define ASSERT_NO_MEMORY_GROWTH(x) \
  ASSERT_PRED_FORMAT1(::perfcheck::testing::NoMemoryGrowth, x)
// --- end of resources --------------------------------------------------------

#endif  // PERFCHECK_GTEST_H_
