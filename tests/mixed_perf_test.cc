// One binary holding a perf test and a plain unit test, registered with
// perfcheck_discover_tests(... TEST_FILTER "MixedPerf.*") and
// gtest_discover_tests(... TEST_FILTER "-MixedPerf.*"): only the first is
// labelled "perf" and serial (cmake.discover_tests_properties checks this).
// Time comes from a simulated clock, so the verdict does not depend on the
// machine's speed.
#include <chrono>

#include "perfcheck/clock.h"
#include "perfcheck/gtest.h"
#include "perfcheck/measure.h"

namespace {

using namespace std::chrono_literals;

TEST(MixedPerf, SimulatedCallMeetsItsSla) {
  perfcheck::SimulatedClock clock;
  perfcheck::Result r = perfcheck::Measure(
      "mixed.op", [&] { clock.Advance(3ms); },
      {.warmup_iterations = 2, .iterations = 50, .clock = &clock});
  EXPECT_EQ(r.OkCount(), 50u);
  EXPECT_P95_BELOW(r, 4ms);
  EXPECT_EQ(r.latency.Percentile(50), 3'000'000);
}

TEST(MixedUnit, PlainTestIsNotAPerfTest) {
  EXPECT_EQ(perfcheck::SimulatedClock().NowNanos(), 0);
}

}  // namespace
