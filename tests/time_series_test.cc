#include "perfcheck/time_series.h"

#include <gtest/gtest.h>

#include <random>

namespace perfcheck {
namespace {

constexpr Nanos kSecond = 1'000'000'000;

TEST(TimeSeriesTest, CountsPerInterval) {
  TimeSeries ts;
  ts.Record(100, 1'000'000, true);
  ts.Record(kSecond - 1, 3'000'000, true);
  ts.Record(kSecond, 2'000'000, false);
  ts.Record(3 * kSecond + 5, 7'000'000, true);
  ts.Finish();
  const auto& in = ts.Intervals();
  ASSERT_EQ(in.size(), 4u);
  EXPECT_EQ(in[0].start_ns, 0);
  EXPECT_EQ(in[0].ok, 2u);
  EXPECT_EQ(in[0].errors, 0u);
  EXPECT_EQ(in[0].p99_ns, 3'000'000);
  EXPECT_EQ(in[1].ok, 0u);
  EXPECT_EQ(in[1].errors, 1u);
  // The empty interval between busy ones stays visible as zeros.
  EXPECT_EQ(in[2].start_ns, 2 * kSecond);
  EXPECT_EQ(in[2].ok + in[2].errors, 0u);
  EXPECT_EQ(in[3].p50_ns, 7'000'000);
}

TEST(TimeSeriesTest, CustomIntervalAndPercentiles) {
  TimeSeries ts(std::chrono::milliseconds(100));
  for (int i = 1; i <= 100; ++i) ts.Record(i * 1'000'000, i * 10'000, true);
  ts.Finish();
  ASSERT_EQ(ts.Intervals().size(), 2u);  // [0,100ms) and [100ms,200ms)
  const Interval& first = ts.Intervals()[0];
  EXPECT_EQ(first.ok, 99u);
  // Two significant digits: within 1%.
  EXPECT_NEAR(first.p95_ns, 940'000, 9'400);
}

TEST(TimeSeriesTest, MergeIsExactIntervalByInterval) {
  std::mt19937_64 rng(7);
  std::uniform_int_distribution<Nanos> offset(0, 10 * kSecond);
  std::uniform_int_distribution<Nanos> latency(1, 50'000'000);
  std::vector<std::tuple<Nanos, Nanos, bool>> ops;
  for (int i = 0; i < 5000; ++i) {
    ops.emplace_back(offset(rng), latency(rng), i % 13 != 0);
  }
  std::sort(ops.begin(), ops.end());
  TimeSeries whole, a, b;
  for (std::size_t i = 0; i < ops.size(); ++i) {
    auto [o, l, ok] = ops[i];
    whole.Record(o, l, ok);
    (i % 3 == 0 ? a : b).Record(o, l, ok);
  }
  whole.Finish();
  a.Finish();
  b.Finish();
  a.Merge(b);
  EXPECT_EQ(a, whole);
}

TEST(TimeSeriesTest, MergeWithGapsAndDisjointRanges) {
  TimeSeries a, b, whole;
  a.Record(0, 10, true);
  whole.Record(0, 10, true);
  whole.Record(5 * kSecond, 20, true);
  b.Record(5 * kSecond, 20, true);
  a.Finish();
  b.Finish();
  whole.Finish();
  b.Merge(a);
  EXPECT_EQ(b, whole);
  EXPECT_EQ(b.Intervals().size(), 6u);
}

TEST(TimeSeriesTest, RejectsBadInterval) {
  EXPECT_THROW(TimeSeries(std::chrono::nanoseconds(0)), std::invalid_argument);
  EXPECT_THROW(TimeSeries(std::chrono::seconds(1), 1), std::invalid_argument);
  TimeSeries a(std::chrono::seconds(2)), b(std::chrono::seconds(3));
  EXPECT_THROW(a.Merge(b), std::invalid_argument);
  EXPECT_THROW(a.Coarsen(3 * kSecond), std::invalid_argument);
  EXPECT_THROW(a.Coarsen(kSecond), std::invalid_argument);
}

// Records the same seeded operations into `ts`: 0..`seconds` s, 50 per second,
// every 7th an error, latencies 1..100 ms.
void RecordSeeded(TimeSeries& ts, int seconds) {
  std::mt19937_64 rng(42);
  std::uniform_int_distribution<Nanos> latency(1'000'000, 100'000'000);
  for (Nanos t = 0; t < seconds * kSecond; t += kSecond / 50) {
    ts.Record(t, latency(rng), (t / (kSecond / 50)) % 7 != 0);
  }
  ts.Finish();
}

TEST(TimeSeriesTest, LongRunsCoarsenInsteadOfGrowing) {
  // A cap of 8 one-second intervals: a 20 s run ends with 5 intervals of 4 s
  // (8 would be reached at 8 s -> 2 s, at 16 s -> 4 s).
  TimeSeries capped(std::chrono::seconds(1), 8);
  RecordSeeded(capped, 20);
  EXPECT_EQ(capped.IntervalNanos(), 4 * kSecond);
  EXPECT_EQ(capped.Intervals().size(), 5u);
  // Exactly what recording at 4 s from the start gives.
  TimeSeries direct(std::chrono::seconds(4));
  RecordSeeded(direct, 20);
  EXPECT_EQ(capped, direct);
  std::uint64_t ok = 0, errors = 0;
  for (const Interval& in : capped.Intervals()) {
    ok += in.ok;
    errors += in.errors;
  }
  EXPECT_EQ(ok + errors, 1000u);
  EXPECT_EQ(errors, 143u);  // ceil(1000 / 7)

  // The default cap: an hour at 1 s holds 900 intervals of 4 s, not 3600.
  TimeSeries hour;
  for (Nanos t = 0; t < 3600 * kSecond; t += kSecond / 4) {
    hour.Record(t, 1'000'000 + t % 7'000'000, true);
  }
  hour.Finish();
  EXPECT_EQ(hour.IntervalNanos(), 4 * kSecond);
  EXPECT_EQ(hour.Intervals().size(), 900u);
  EXPECT_LE(hour.Intervals().size(), TimeSeries::kDefaultMaxIntervals);
}

TEST(TimeSeriesTest, MergeCoarsensTheFinerSeries) {
  // One thread's series coarsened (it ran longer), the other's did not.
  TimeSeries long_run(std::chrono::seconds(1), 8), short_run;
  RecordSeeded(long_run, 12);
  RecordSeeded(short_run, 6);
  ASSERT_EQ(long_run.IntervalNanos(), 2 * kSecond);
  ASSERT_EQ(short_run.IntervalNanos(), kSecond);
  TimeSeries a = long_run;
  a.Merge(short_run);
  TimeSeries b = short_run;
  b.Merge(long_run);
  EXPECT_EQ(a, b);
  TimeSeries expected(std::chrono::seconds(2)), part(std::chrono::seconds(2));
  RecordSeeded(expected, 12);
  RecordSeeded(part, 6);
  expected.Merge(part);
  EXPECT_EQ(a, expected);
}

}  // namespace
}  // namespace perfcheck
