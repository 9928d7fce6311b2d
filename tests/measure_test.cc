#include "perfcheck/measure.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "perfcheck/allocation_counter.h"
#include "perfcheck/clock.h"
#include "perfcheck/machine.h"
#include "perfcheck/result.h"

namespace perfcheck {
namespace {

using std::chrono::milliseconds;
using std::chrono::nanoseconds;
using std::chrono::seconds;
using Lines = std::vector<std::string>;

// gmock is not linked into the unit tests; a substring check is enough here.
::testing::AssertionResult Contains(const std::string& text,
                                    const std::string& part) {
  if (text.find(part) != std::string::npos) {
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure()
         << "\"" << text << "\" does not contain \"" << part << "\"";
}

// Options on a simulated clock with no warm-up, so a test's call count and
// timings are exactly what its callable does.
MeasureOptions SimulatedOptions(SimulatedClock& clock) {
  MeasureOptions options;
  options.warmup_iterations = 0;
  options.clock = &clock;
  return options;
}

// The message of the std::invalid_argument `fn` throws, or "" if none.
template <class Fn>
std::string InvalidArgumentMessage(Fn&& fn) {
  try {
    fn();
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

TEST(MeasureTest, IterationModeMakesExactlyNCallsWithExactPercentiles) {
  SimulatedClock clock;
  MeasureOptions options = SimulatedOptions(clock);
  options.iterations = 100;
  int calls = 0;
  // Below 2000 ns the histogram is exact, so percentiles can be compared
  // with ==: half the calls take 100 ns, half 300 ns.
  Result r = Measure(
      "alternating",
      [&] { clock.Advance(nanoseconds(calls++ % 2 == 0 ? 100 : 300)); },
      options);

  EXPECT_EQ(calls, 100);
  EXPECT_EQ(r.name, "alternating");
  EXPECT_EQ(r.OkCount(), 100u);
  EXPECT_EQ(r.ErrorCount(), 0u);
  EXPECT_EQ(r.latency.Min(), 100);
  EXPECT_EQ(r.latency.Max(), 300);
  EXPECT_EQ(r.latency.Percentile(50), 100);
  EXPECT_EQ(r.latency.Percentile(51), 300);
  EXPECT_EQ(r.latency.Percentile(95), 300);
  EXPECT_DOUBLE_EQ(r.latency.Mean(), 200.0);
  EXPECT_EQ(r.elapsed_ns, 50 * 100 + 50 * 300);
}

TEST(MeasureTest, MillisecondLatenciesAreRecorded) {
  SimulatedClock clock;
  MeasureOptions options = SimulatedOptions(clock);
  options.iterations = 10;
  int calls = 0;
  Result r = Measure(
      "ms", [&] { clock.Advance(milliseconds(calls++ % 2 == 0 ? 1 : 3)); },
      options);
  EXPECT_EQ(r.OkCount(), 10u);
  EXPECT_EQ(r.latency.Min(), 1'000'000);
  EXPECT_EQ(r.latency.Max(), 3'000'000);
  EXPECT_NEAR(r.latency.Percentile(50), 1'000'000, 1'000);
  EXPECT_NEAR(r.latency.Percentile(90), 3'000'000, 3'000);
  EXPECT_EQ(r.elapsed_ns, 20'000'000);
}

TEST(MeasureTest, DurationModeStopsWhenDurationElapsed) {
  SimulatedClock clock;
  MeasureOptions options = SimulatedOptions(clock);
  options.duration = milliseconds(10);
  options.min_iterations = 1;
  int calls = 0;
  Result r = Measure(
      "d",
      [&] {
        ++calls;
        clock.Advance(milliseconds(1));
      },
      options);
  EXPECT_EQ(calls, 10);
  EXPECT_EQ(r.OkCount(), 10u);
  EXPECT_EQ(r.elapsed_ns, 10'000'000);
}

TEST(MeasureTest, DurationModeRunsAtLeastMinIterations) {
  SimulatedClock clock;
  MeasureOptions options = SimulatedOptions(clock);
  options.duration = milliseconds(10);
  options.min_iterations = 25;
  int calls = 0;
  Result r = Measure(
      "d",
      [&] {
        ++calls;
        clock.Advance(milliseconds(1));
      },
      options);
  EXPECT_EQ(calls, 25);
  EXPECT_EQ(r.OkCount(), 25u);
}

TEST(MeasureTest, DurationModeNeverExceedsMaxIterations) {
  SimulatedClock clock;
  MeasureOptions options = SimulatedOptions(clock);
  options.duration = seconds(10);
  options.max_iterations = 7;
  int calls = 0;
  // The clock never moves: only max_iterations can end the run.
  Result r = Measure(
      "d", [&] { ++calls; }, options);
  EXPECT_EQ(calls, 7);
  EXPECT_EQ(r.OkCount(), 7u);
  EXPECT_EQ(r.latency.Max(), 0);
}

TEST(MeasureTest, MaxDurationBoundsIterationMode) {
  SimulatedClock clock;
  MeasureOptions options = SimulatedOptions(clock);
  options.iterations = 1'000;
  options.max_duration = milliseconds(10);
  int calls = 0;
  Result r = Measure(
      "slow",
      [&] {
        ++calls;
        clock.Advance(milliseconds(1));
      },
      options);
  EXPECT_EQ(calls, 10);
  EXPECT_EQ(r.OkCount(), 10u);
}

TEST(MeasureTest, MaxDurationWinsOverMinIterations) {
  SimulatedClock clock;
  MeasureOptions options = SimulatedOptions(clock);
  options.duration = milliseconds(5);
  options.min_iterations = 1'000;
  options.max_duration = milliseconds(20);
  int calls = 0;
  Measure(
      "slow",
      [&] {
        ++calls;
        clock.Advance(milliseconds(1));
      },
      options);
  EXPECT_EQ(calls, 20);
}

TEST(MeasureTest, WarmUpCallsAreMadeButNotRecorded) {
  SimulatedClock clock;
  MeasureOptions options = SimulatedOptions(clock);
  options.warmup_iterations = 5;
  options.iterations = 10;
  int calls = 0;
  Result r = Measure(
      "w",
      [&] {
        ++calls;
        clock.Advance(nanoseconds(calls <= 5 ? 1'000'000 : 100));
      },
      options);
  EXPECT_EQ(calls, 15);
  EXPECT_EQ(r.OkCount(), 10u);
  EXPECT_EQ(r.latency.Max(), 100);  // no warm-up call leaked into the data
  EXPECT_EQ(r.elapsed_ns, 10 * 100);
}

TEST(MeasureTest, WarmUpDurationAddsTimedWarmUp) {
  SimulatedClock clock;
  MeasureOptions options = SimulatedOptions(clock);
  options.warmup_iterations = 2;
  options.warmup_duration = milliseconds(5);
  options.iterations = 3;
  int calls = 0;
  Result r = Measure(
      "w",
      [&] {
        ++calls;
        clock.Advance(milliseconds(1));
      },
      options);
  EXPECT_EQ(calls, 2 + 5 + 3);
  EXPECT_EQ(r.OkCount(), 3u);
}

TEST(MeasureTest, WarmUpFailuresAreNotRecorded) {
  SimulatedClock clock;
  MeasureOptions options = SimulatedOptions(clock);
  options.warmup_iterations = 3;
  options.iterations = 4;
  int calls = 0;
  Result r = Measure(
      "w",
      [&] {
        if (++calls <= 3) throw std::runtime_error("cold");
      },
      options);
  EXPECT_EQ(calls, 7);
  EXPECT_EQ(r.ErrorCount(), 0u);
  EXPECT_EQ(r.OkCount(), 4u);
}

TEST(MeasureTest, ExceptionsAreCountedWithUpToThreeExamples) {
  SimulatedClock clock;
  MeasureOptions options = SimulatedOptions(clock);
  options.iterations = 10;
  int calls = 0;
  Result r = Measure(
      "flaky",
      [&] {
        const int n = calls++;
        clock.Advance(nanoseconds(100));
        if (n % 2 == 1) throw std::runtime_error("boom " + std::to_string(n));
      },
      options);
  EXPECT_EQ(calls, 10);
  EXPECT_EQ(r.OkCount(), 5u);
  EXPECT_EQ(r.ErrorCount(), 5u);
  EXPECT_DOUBLE_EQ(r.ErrorRate(), 0.5);
  ASSERT_EQ(r.errors.count("exception"), 1u);
  const ErrorCategory& e = r.errors.at("exception");
  EXPECT_EQ(e.count, 5u);
  EXPECT_EQ(e.examples, (Lines{"boom 1", "boom 3", "boom 5"}));
}

TEST(MeasureTest, NonStandardExceptionIsUnknownException) {
  SimulatedClock clock;
  MeasureOptions options = SimulatedOptions(clock);
  options.iterations = 2;
  Result r = Measure(
      "odd", [] { throw 42; }, options);
  ASSERT_EQ(r.errors.count("exception"), 1u);
  EXPECT_EQ(r.errors.at("exception").count, 2u);
  EXPECT_EQ(r.errors.at("exception").examples, (Lines{"unknown exception"}));
  EXPECT_EQ(r.OkCount(), 0u);
}

TEST(MeasureTest, CallableReturningFalseCountsAsFailed) {
  SimulatedClock clock;
  MeasureOptions options = SimulatedOptions(clock);
  options.iterations = 6;
  int calls = 0;
  Result r = Measure(
      "check", [&] { return calls++ % 3 != 0; }, options);
  EXPECT_EQ(r.OkCount(), 4u);
  ASSERT_EQ(r.errors.count("failed"), 1u);
  EXPECT_EQ(r.errors.at("failed").count, 2u);
  EXPECT_EQ(r.errors.at("failed").examples,
            (Lines{"operation returned false"}));
  EXPECT_EQ(r.errors.count("exception"), 0u);
}

TEST(MeasureTest, FourThreadsShareTheIterationsAndMergeHistograms) {
  SimulatedClock clock;
  MeasureOptions options = SimulatedOptions(clock);
  options.iterations = 400;
  options.threads = 4;
  std::atomic<int> calls{0};
  std::mutex mu;
  std::condition_variable all_arrived;
  std::set<std::thread::id> ids;
  Result r = Measure(
      "mt",
      [&] {
        {
          // Each thread's first call waits until all four threads are inside
          // the callable, which proves they really ran concurrently. The
          // timeout only keeps a broken implementation from hanging.
          std::unique_lock<std::mutex> lock(mu);
          if (ids.insert(std::this_thread::get_id()).second) {
            all_arrived.notify_all();
            all_arrived.wait_for(lock, seconds(10),
                                 [&] { return ids.size() == 4; });
          }
        }
        calls.fetch_add(1);
        clock.Advance(nanoseconds(1'000));
      },
      options);
  EXPECT_EQ(ids.size(), 4u);
  EXPECT_EQ(calls.load(), 400);
  EXPECT_EQ(r.OkCount(), 400u);
  EXPECT_EQ(r.latency.TotalCount(), 400u);
  // Every call advanced the shared clock by 1 us between its own t0 and t1.
  EXPECT_GE(r.latency.Min(), 1'000);
  EXPECT_EQ(r.elapsed_ns, clock.NowNanos());
  std::uint64_t series_ok = 0;
  for (const Interval& interval : r.series.Intervals())
    series_ok += interval.ok;
  EXPECT_EQ(series_ok, 400u);
  EXPECT_EQ(r.config.at("threads"), "4");
}

TEST(MeasureTest, ThreadsInDurationModeRespectMaxIterations) {
  SimulatedClock clock;
  MeasureOptions options = SimulatedOptions(clock);
  options.duration = seconds(100);
  options.max_iterations = 1'000;
  options.threads = 3;
  std::atomic<int> calls{0};
  Result r = Measure(
      "mt",
      [&] {
        calls.fetch_add(1);
        clock.Advance(nanoseconds(10));
      },
      options);
  EXPECT_EQ(calls.load(), 1'000);
  EXPECT_EQ(r.OkCount(), 1'000u);
}

TEST(MeasureTest, TimeSeriesCountsOperationsPerInterval) {
  SimulatedClock clock;
  MeasureOptions options = SimulatedOptions(clock);
  options.iterations = 25;
  options.interval = seconds(1);
  int calls = 0;
  // Calls complete at 100 ms, 200 ms, ..., 2500 ms after the start; every
  // fifth call fails.
  Result r = Measure(
      "ts",
      [&] {
        clock.Advance(milliseconds(100));
        if (++calls % 5 == 0) throw std::runtime_error("every fifth");
      },
      options);
  ASSERT_EQ(r.series.Intervals().size(), 3u);
  const auto& iv = r.series.Intervals();
  EXPECT_EQ(iv[0].start_ns, 0);
  EXPECT_EQ(iv[1].start_ns, 1'000'000'000);
  EXPECT_EQ(iv[2].start_ns, 2'000'000'000);
  // [0, 1 s): calls 1..9 (call 5 failed); [1 s, 2 s): calls 10..19 (10, 15
  // failed); [2 s, 3 s): calls 20..25 (20, 25 failed).
  EXPECT_EQ(iv[0].ok, 8u);
  EXPECT_EQ(iv[0].errors, 1u);
  EXPECT_EQ(iv[1].ok, 8u);
  EXPECT_EQ(iv[1].errors, 2u);
  EXPECT_EQ(iv[2].ok, 4u);
  EXPECT_EQ(iv[2].errors, 2u);
  EXPECT_EQ(r.series.IntervalNanos(), 1'000'000'000);
}

TEST(MeasureTest, ConfigHoldsEveryOptionAsText) {
  SimulatedClock clock;
  MeasureOptions options = SimulatedOptions(clock);
  options.warmup_iterations = 3;
  options.duration = seconds(1);
  options.min_iterations = 5;
  options.max_iterations = 50;
  options.threads = 2;
  options.interval = milliseconds(250);
  Result r = Measure(
      "cfg", [&] { clock.Advance(milliseconds(100)); }, options);
  EXPECT_EQ(r.config.at("mode"), "duration");
  EXPECT_EQ(r.config.at("threads"), "2");
  EXPECT_EQ(r.config.at("duration"), "1 s");
  EXPECT_EQ(r.config.at("warmup_iterations"), "3");
  EXPECT_EQ(r.config.at("warmup_duration"), "0 ns");
  EXPECT_EQ(r.config.at("iterations"), "0");
  EXPECT_EQ(r.config.at("min_iterations"), "5");
  EXPECT_EQ(r.config.at("max_iterations"), "50");
  EXPECT_EQ(r.config.at("max_duration"), "60 s");
  EXPECT_EQ(r.config.at("interval"), "250 ms");
  EXPECT_EQ(r.config.at("clock"), "injected");

  options.iterations = 4;
  options.threads = 1;
  Result it = Measure(
      "cfg", [] {}, options);
  EXPECT_EQ(it.config.at("mode"), "iterations");
  EXPECT_EQ(it.config.at("iterations"), "4");
}

TEST(MeasureTest, FingerprintIsFilled) {
  SimulatedClock clock;
  MeasureOptions options = SimulatedOptions(clock);
  options.iterations = 1;
  Result r = Measure(
      "fp", [] {}, options);
  EXPECT_EQ(r.fingerprint, CaptureFingerprint());
  EXPECT_GT(r.fingerprint.cores, 0);
}

TEST(MeasureTest, InvalidOptionsThrowNamingTheField) {
  auto message_for = [](auto mutate) {
    MeasureOptions options;
    mutate(options);
    return InvalidArgumentMessage([&] {
      Measure(
          "bad", [] {}, options);
    });
  };
  EXPECT_TRUE(Contains(message_for([](MeasureOptions& o) { o.threads = 0; }),
                       "threads"));
  EXPECT_TRUE(Contains(message_for([](MeasureOptions& o) { o.threads = 257; }),
                       "threads"));
  EXPECT_TRUE(
      Contains(message_for([](MeasureOptions& o) { o.max_iterations = 0; }),
               "max_iterations"));
  EXPECT_TRUE(
      Contains(message_for([](MeasureOptions& o) { o.duration = seconds(0); }),
               "duration"));
  EXPECT_TRUE(Contains(
      message_for([](MeasureOptions& o) { o.duration = milliseconds(-5); }),
      "duration"));
  EXPECT_TRUE(Contains(
      message_for([](MeasureOptions& o) { o.max_duration = seconds(0); }),
      "max_duration"));
  EXPECT_TRUE(
      Contains(message_for([](MeasureOptions& o) { o.interval = seconds(0); }),
               "interval"));
  EXPECT_TRUE(Contains(
      message_for([](MeasureOptions& o) { o.warmup_duration = seconds(-1); }),
      "warmup_duration"));
}

TEST(MeasureTest, ValidOptionEdgesAreAccepted) {
  SimulatedClock clock;
  MeasureOptions options = SimulatedOptions(clock);
  options.iterations = 3;
  options.duration = seconds(0);  // irrelevant in iteration mode
  options.threads = 256;
  EXPECT_NO_THROW(options.Validate());
  Result r = Measure(
      "edge", [] {}, options);
  EXPECT_EQ(r.OkCount(), 3u);
}

TEST(MeasureTest, EmptyOperationThrows) {
  EXPECT_TRUE(Contains(
      InvalidArgumentMessage([] { MeasureOperation("noop", Operation(), {}); }),
      "empty"));
}

TEST(MeasureTest, CallableValidatesOptionsAtConstruction) {
  MeasureOptions options;
  options.threads = 0;
  EXPECT_TRUE(Contains(InvalidArgumentMessage([&] {
                         Callable(
                             "x", [] {}, options);
                       }),
                       "threads"));
}

TEST(MeasureTest, CallableSpecRunEqualsMeasure) {
  auto make_op = [](SimulatedClock& clock) {
    return [&clock, n = 0]() mutable {
      clock.Advance(nanoseconds(n++ % 3 == 0 ? 500 : 1'500));
      return n % 7 != 0;
    };
  };
  SimulatedClock spec_clock;
  MeasureOptions spec_options = SimulatedOptions(spec_clock);
  spec_options.iterations = 50;
  CallableSpec spec = Callable("jwt.verify", make_op(spec_clock), spec_options);
  EXPECT_EQ(spec.Name(), "jwt.verify");
  EXPECT_EQ(spec.options().iterations, 50u);
  Result from_spec = spec.Run();

  SimulatedClock direct_clock;
  MeasureOptions direct_options = SimulatedOptions(direct_clock);
  direct_options.iterations = 50;
  Result direct = Measure("jwt.verify", make_op(direct_clock), direct_options);

  EXPECT_EQ(from_spec.OkCount(), direct.OkCount());
  EXPECT_EQ(from_spec.errors, direct.errors);
  EXPECT_EQ(from_spec.latency, direct.latency);
  EXPECT_EQ(from_spec.series, direct.series);
  EXPECT_EQ(from_spec.config, direct.config);
  EXPECT_EQ(from_spec, direct);
  EXPECT_EQ(direct.errors.at("failed").count, 7u);  // calls 7, 14, ..., 49
}

// The only test on the real clock: it asserts a lower bound that holds on any
// machine, however slow or loaded.
// This binary does not link perfcheck::allocation_hooks
// (allocation_counter_test does): no allocation metric then, rather than a zero
// that reads as a pass.
TEST(MeasureTest, AllocationCountsAreAbsentWithoutTheHooks) {
  EXPECT_FALSE(AllocationCountingAvailable());
  const AllocationTotals before = ThreadAllocationTotals();
  std::vector<int>* v = new std::vector<int>(100);
  delete v;
  EXPECT_EQ(ThreadAllocationTotals().count, before.count);
  EXPECT_EQ(before.count, 0u);
  EXPECT_EQ(before.bytes, 0u);

  SimulatedClock clock;
  MeasureOptions options = SimulatedOptions(clock);
  options.iterations = 20;
  const Result r = Measure(
      "allocates", [] { std::vector<int> v(10); }, options);
  EXPECT_EQ(r.OkCount(), 20u);
  EXPECT_FALSE(r.counts.allocations.has_value());
  EXPECT_FALSE(r.counts.allocated_bytes.has_value());
  EXPECT_TRUE(r.counts.empty());
  EXPECT_EQ(r.counts.operations, 0u);
}

TEST(MeasureTest, RealClockSleepIsAtLeastTheSleep) {
  MeasureOptions options;
  options.warmup_iterations = 1;
  options.iterations = 5;
  Result r = Measure(
      "sleep", [] { std::this_thread::sleep_for(milliseconds(2)); }, options);
  EXPECT_EQ(r.OkCount(), 5u);
  EXPECT_GE(r.latency.Percentile(50), 2'000'000 * 999 / 1000);
  EXPECT_GE(r.latency.Min(), 2'000'000);
  EXPECT_GE(r.elapsed_ns, 10'000'000);
  EXPECT_EQ(r.config.at("clock"), "steady");
}

}  // namespace
}  // namespace perfcheck
