// The soak-run macros of perfcheck/gtest.h (lib/gtest/window_assertions.cc):
// messages, exactly-once evaluation, and both verdicts, on series built with
// a simulated clock.
#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

#include <chrono>
#include <functional>

#include "perfcheck/gtest.h"
#include "perfcheck/window_sla.h"

namespace {

using namespace std::chrono_literals;
using perfcheck::Nanos;
using perfcheck::Result;

constexpr Nanos kS = 1'000'000'000;
constexpr Nanos kMs = 1'000'000;

// `run_ns` at 10 operations per second; latency(t) in ns.
Result Soak(Nanos run_ns, const std::function<Nanos(Nanos)>& latency) {
  Result r("soak");
  r.series = perfcheck::TimeSeries(1s);
  for (Nanos t = 50 * kMs; t < run_ns; t += 100 * kMs) {
    r.series.Record(t, latency(t), true);
    r.latency.Record(latency(t));
  }
  r.series.Finish();
  r.elapsed_ns = run_ns;
  return r;
}

// Slow (2.4 s) for 2 s inside the third minute of five.
Result SlowThirdMinute() {
  return Soak(300 * kS, [](Nanos t) {
    return t >= 150 * kS && t < 152 * kS ? 2400 * kMs : 100 * kMs;
  });
}

// Latency rising from 10 ms to 20 ms over 200 s.
Result Rising() {
  return Soak(200 * kS, [](Nanos t) {
    return 10 * kMs + static_cast<Nanos>(10.0 * kMs * t / (200.0 * kS));
  });
}

TEST(WindowAssertionsTest, PassingWindowsPass) {
  const Result r = Soak(180 * kS, [](Nanos) -> Nanos { return 100 * kMs; });
  EXPECT_P99_BELOW_IN_EVERY_WINDOW(r, 1min, 2s);
  EXPECT_P95_BELOW_IN_EVERY_WINDOW(r, 1min, 2s);
  ASSERT_PERCENTILE_BELOW_IN_EVERY_WINDOW(r, 99.9, 30s, 2s);
  EXPECT_ERROR_RATE_BELOW_IN_EVERY_WINDOW(r, 1min, 0.01);
  EXPECT_THROUGHPUT_AT_LEAST_IN_EVERY_WINDOW(r, 1min, 9.5);
  EXPECT_NO_LATENCY_DRIFT(r, 10s);
}

TEST(WindowAssertionsTest, FailureNamesTheWorstWindow) {
  const Result r = SlowThirdMinute();
  EXPECT_P99_BELOW(r, 2s);  // the whole run hides the slow minute
  EXPECT_NONFATAL_FAILURE(
      EXPECT_P99_BELOW_IN_EVERY_WINDOW(r, 1min, 2s) << "soak SLA",
      "Expected: p99 of soak (r) < 2 s (2s) in every 1m window (1min)\n"
      "  Actual: p99 of window 3 (2m-3m) = ");
  EXPECT_NONFATAL_FAILURE(
      EXPECT_P99_BELOW_IN_EVERY_WINDOW(r, 1min, 2s),
      "; 1 of 5 windows failed\n  window 3 (2m-3m): p99 = ");
  EXPECT_NONFATAL_FAILURE(EXPECT_P99_BELOW_IN_EVERY_WINDOW(r, 1min, 2s),
                          "n=600 errors=0");
  EXPECT_FATAL_FAILURE(
      ASSERT_PERCENTILE_BELOW_IN_EVERY_WINDOW(SlowThirdMinute(), 99, 1min, 2s),
      "p99 of window 3 (2m-3m)");
  EXPECT_NONFATAL_FAILURE(EXPECT_P99_BELOW_IN_EVERY_WINDOW(r, 1500ms, 2s),
                          "  Actual: window 1.5s is not a whole multiple of "
                          "the series' interval 1s");
  EXPECT_NONFATAL_FAILURE(
      EXPECT_THROUGHPUT_AT_LEAST_IN_EVERY_WINDOW(r, 1min, 11),
      "throughput of soak (r) >= 11.0/s (11) in every 1m window (1min)");
}

TEST(WindowAssertionsTest, ArgumentsAreEvaluatedOnce) {
  const Result r = SlowThirdMinute();
  int results = 0, windows = 0, limits = 0;
  EXPECT_NONFATAL_FAILURE(
      EXPECT_P99_BELOW_IN_EVERY_WINDOW((++results, r), (++windows, 1min),
                                       (++limits, 2s)),
      "window 3");
  EXPECT_EQ(results, 1);
  EXPECT_EQ(windows, 1);
  EXPECT_EQ(limits, 1);
}

TEST(WindowAssertionsTest, DriftFailsWhenRisingOrTooShortToJudge) {
  const Result rising = Rising();
  EXPECT_NONFATAL_FAILURE(
      EXPECT_NO_LATENCY_DRIFT(rising, 10s),
      "Expected: no latency drift of soak (rising): p95 rising less than "
      "+10% over the run (windows of 10s) (10s)\n"
      "  Actual: drifting: p95 +");
  perfcheck::DriftOptions lenient;
  lenient.window = 10s;
  lenient.allowed_rise = 2.0;  // +200% allowed: a doubling passes
  EXPECT_NO_LATENCY_DRIFT(rising, lenient);
  const Result short_run =
      Soak(30 * kS, [](Nanos) -> Nanos { return 100 * kMs; });
  EXPECT_NONFATAL_FAILURE(
      EXPECT_NO_LATENCY_DRIFT(short_run, 10s),
      "  Actual: insufficient data: 3 usable windows of 10s");
}

}  // namespace
