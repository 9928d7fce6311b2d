#include "perfcheck/result.h"

#include <gtest/gtest.h>

namespace perfcheck {
namespace {

TEST(ResultTest, CountsRatesAndThroughput) {
  Result r("orders.search");
  for (int i = 0; i < 990; ++i) r.latency.Record(1'000'000);
  for (int i = 0; i < 10; ++i) r.AddError("exception", "boom");
  r.elapsed_ns = 2'000'000'000;
  EXPECT_EQ(r.OkCount(), 990u);
  EXPECT_EQ(r.ErrorCount(), 10u);
  EXPECT_EQ(r.TotalCount(), 1000u);
  EXPECT_DOUBLE_EQ(r.ErrorRate(), 0.01);
  EXPECT_DOUBLE_EQ(r.Throughput(), 495.0);
}

TEST(ResultTest, EmptyResultHasZeroRates) {
  Result r;
  EXPECT_EQ(r.ErrorRate(), 0.0);
  EXPECT_EQ(r.Throughput(), 0.0);
}

TEST(ResultTest, ErrorExamplesAreBoundedDistinctAndCut) {
  Result r;
  r.AddError("timeout", "a");
  r.AddError("timeout", "a");
  r.AddError("timeout", "b");
  r.AddError("timeout", std::string(1000, 'x'));
  r.AddError("timeout", "d");
  const ErrorCategory& c = r.errors.at("timeout");
  EXPECT_EQ(c.count, 5u);
  ASSERT_EQ(c.examples.size(), Result::kMaxErrorExamples);
  EXPECT_EQ(c.examples[0], "a");
  EXPECT_EQ(c.examples[1], "b");
  EXPECT_EQ(c.examples[2].size(), Result::kMaxExampleLength);
}

TEST(ResultTest, ConfigRedactsSecrets) {
  Result r;
  r.SetConfig("api_secret", "canary-5ecret");
  r.SetConfig("Authorization", "token abc:canary-5ecret");
  r.SetConfig("dsn", "postgresql://app:canary-5ecret@127.0.0.1/db");
  r.SetConfig("threads", "4");
  for (const auto& [k, v] : r.config) {
    EXPECT_EQ(v.find("canary-5ecret"), std::string::npos) << k << "=" << v;
  }
  EXPECT_EQ(r.config.at("threads"), "4");
  EXPECT_NE(r.config.at("dsn").find("127.0.0.1/db"), std::string::npos);
}

TEST(ResultTest, MergeAddsPartsExactly) {
  Result whole("w"), a, b("b");
  whole.series = TimeSeries();
  for (int i = 0; i < 100; ++i) {
    const Nanos v = 1000 + i * 37;
    whole.latency.Record(v);
    whole.series.Record(i * 10'000'000, v, true);
    Result& part = i % 2 ? a : b;
    part.latency.Record(v);
    part.series.Record(i * 10'000'000, v, true);
  }
  whole.AddError("status_5xx", "503");
  a.AddError("status_5xx", "503");
  whole.series.Finish();
  a.series.Finish();
  b.series.Finish();
  a.elapsed_ns = 5;
  b.elapsed_ns = 7;
  Result merged;
  merged.Merge(b);
  merged.Merge(a);
  EXPECT_EQ(merged.name, "b");
  EXPECT_EQ(merged.latency, whole.latency);
  EXPECT_EQ(merged.series, whole.series);
  EXPECT_EQ(merged.errors, whole.errors);
  EXPECT_EQ(merged.elapsed_ns, 7);
}

TEST(ResultTest, MergeKeepsOneCopyOfEachResourceSeries) {
  ProcessSeries a;
  a.pid = 10;
  a.samples.push_back({.t_ns = 0, .rss_bytes = 100});
  ProcessSeries b = a;
  b.pid = 11;
  Result left("x"), right("x");
  left.resources = {a};
  right.resources = {a, b};  // a: the same monitor seen by both parts
  left.Merge(right);
  ASSERT_EQ(left.resources.size(), 2u);
  EXPECT_EQ(left.resources[0], a);
  EXPECT_EQ(left.resources[1], b);
  Result copy = left;
  EXPECT_TRUE(copy == left);
  copy.resources[1].samples[0].rss_bytes = 101;
  EXPECT_FALSE(copy == left);
}

TEST(ResultTest, MergeRejectsDifferentHistogramConfiguration) {
  Result a, b;
  b.latency = LatencyHistogram(2);
  EXPECT_THROW(a.Merge(b), std::invalid_argument);
}

}  // namespace
}  // namespace perfcheck
