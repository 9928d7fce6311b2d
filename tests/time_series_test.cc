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
  TimeSeries a(std::chrono::seconds(1)), b(std::chrono::seconds(2));
  EXPECT_THROW(a.Merge(b), std::invalid_argument);
}

}  // namespace
}  // namespace perfcheck
