// A perf test as a user of the installed (or add_subdirectory'd) perfcheck
// package writes it. Time comes from a simulated clock, so the verdict does
// not depend on the machine's speed.
#include <chrono>

#include "perfcheck/clock.h"
#include "perfcheck/gtest.h"
#include "perfcheck/measure.h"
#include "perfcheck/result.h"

namespace {

using namespace std::chrono_literals;

TEST(ConsumerTest, MeasuredCallableMeetsItsSla) {
  perfcheck::SimulatedClock clock;
  perfcheck::MeasureOptions options;
  options.warmup_iterations = 5;
  options.iterations = 200;
  options.clock = &clock;

  // Every call "takes" exactly 2 ms of simulated time.
  perfcheck::Result result = perfcheck::Measure(
      "consumer.op", [&] { clock.Advance(2ms); }, options);

  EXPECT_EQ(result.OkCount(), 200u);
  EXPECT_EQ(result.ErrorCount(), 0u);
  EXPECT_P95_BELOW(result, 100ms) << "2 ms per call on the simulated clock";
  EXPECT_ERROR_RATE_BELOW(result, 0.01);
}

}  // namespace
