// The CLI's threshold expressions (cli/threshold.h).
#include "threshold.h"

#include "gtest/gtest.h"

namespace perfcheck::cli {
namespace {

Result WithLatencies(std::initializer_list<Nanos> ns, int errors = 0) {
  Result r("t");
  for (Nanos v : ns) r.latency.Record(v);
  for (int i = 0; i < errors; ++i) r.AddError("timeout", "x");
  r.elapsed_ns = 1'000'000'000;
  return r;
}

TEST(ThresholdTest, ParsesValidExpressions) {
  StatusOr<Threshold> t = ParseThreshold(" p95 < 500ms ");
  ASSERT_TRUE(t.ok()) << t.status().message();
  EXPECT_EQ(t->text, "p95 < 500ms");
  EXPECT_EQ(t->metric, Threshold::Metric::kPercentile);
  EXPECT_DOUBLE_EQ(t->percentile, 95);
  EXPECT_EQ(t->limit_ns, 500'000'000);
  EXPECT_EQ(ParseThreshold("p99.9<=2s")->op, Threshold::Op::kLessEqual);
  EXPECT_DOUBLE_EQ(ParseThreshold("p99.9<=2s")->percentile, 99.9);
  EXPECT_EQ(ParseThreshold("max<1.5s")->limit_ns, 1'500'000'000);
  EXPECT_EQ(ParseThreshold("mean<250us")->metric, Threshold::Metric::kMean);
  EXPECT_DOUBLE_EQ(ParseThreshold("error_rate<1%")->value, 0.01);
  EXPECT_DOUBLE_EQ(ParseThreshold("error_rate<0.05")->value, 0.05);
  EXPECT_DOUBLE_EQ(ParseThreshold("rps>50")->value, 50);
  EXPECT_EQ(ParseThreshold("rps>=50")->op, Threshold::Op::kGreaterEqual);
}

TEST(ThresholdTest, RejectsInvalidExpressionsClearly) {
  for (const char* bad :
       {"", "p95", "p95<", "p95<500", "p95>500ms", "p101<1s", "px<1s",
        "latency<1s", "error_rate>1%", "error_rate<abc", "error_rate<200%",
        "rps<50", "rps>fast", "p95<-1ms", "p95<5 parsecs"}) {
    EXPECT_FALSE(ParseThreshold(bad).ok()) << bad;
  }
  EXPECT_EQ(ParseThreshold("p95<500").status().message(),
            "threshold 'p95<500': duration '500' needs a unit (ns, us, ms, s, "
            "m, h), e.g. 500ms");
  EXPECT_NE(ParseThreshold("latency<1s")
                .status()
                .message()
                .find("unknown metric 'latency'"),
            std::string::npos);
}

TEST(ThresholdTest, EvaluatesWithSlaSemantics) {
  // Values below 2000 ns are stored exactly, so the boundaries are exact.
  const Result r = WithLatencies({1000, 1500, 1900}, /*errors=*/1);
  EXPECT_TRUE(Evaluate(*ParseThreshold("max<1901ns"), r).passed);
  EXPECT_FALSE(Evaluate(*ParseThreshold("max<1900ns"), r).passed);  // strict
  EXPECT_TRUE(Evaluate(*ParseThreshold("max<=1900ns"), r).passed);
  EXPECT_FALSE(Evaluate(*ParseThreshold("p50<1500ns"), r).passed);
  EXPECT_TRUE(Evaluate(*ParseThreshold("p50<=1500ns"), r).passed);
  EXPECT_FALSE(
      Evaluate(*ParseThreshold("error_rate<25%"), r).passed);  // 1 of 4
  EXPECT_TRUE(Evaluate(*ParseThreshold("error_rate<=25%"), r).passed);
  EXPECT_TRUE(Evaluate(*ParseThreshold("rps>=3"), r).passed);  // 3 ok in 1 s
  EXPECT_FALSE(Evaluate(*ParseThreshold("rps>3"), r).passed);
  ThresholdVerdict v = Evaluate(*ParseThreshold("p95<1us"), r);
  EXPECT_FALSE(v.passed);
  EXPECT_NE(v.measured.find("p95 = "), std::string::npos) << v.measured;
  EXPECT_FALSE(Evaluate(*ParseThreshold("p95<1s"), WithLatencies({})).passed);
}

// The verdict carries the numbers (for the JSON report), with the limit as
// written even where <= and > move the bound judged by sla.h.
TEST(ThresholdTest, VerdictsCarryTheObservedValueAndTheLimit) {
  const Result r = WithLatencies({1000, 1500, 1900}, /*errors=*/1);
  const ThresholdVerdict max = Evaluate(*ParseThreshold("max<=1900ns"), r);
  EXPECT_EQ(max.observed, 1900);
  EXPECT_EQ(max.limit, 1900);
  EXPECT_EQ(UnitName(max.unit), "ns");
  const ThresholdVerdict errors = Evaluate(*ParseThreshold("error_rate<1%"), r);
  EXPECT_EQ(errors.observed, 0.25);
  EXPECT_EQ(errors.limit, 0.01);
  EXPECT_EQ(UnitName(errors.unit), "fraction");
  const ThresholdVerdict rps = Evaluate(*ParseThreshold("rps>2.5"), r);
  EXPECT_EQ(rps.observed, 3);
  EXPECT_EQ(rps.limit, 2.5);
  EXPECT_EQ(UnitName(rps.unit), "per_second");
  const ThresholdVerdict none =
      Evaluate(*ParseThreshold("p95<1s"), WithLatencies({}));
  EXPECT_FALSE(none.observed.has_value());
  EXPECT_EQ(none.limit, 1e9);
}

TEST(ThresholdTest, ParsesDurations) {
  EXPECT_EQ(*ParseDuration("10s"), 10'000'000'000);
  EXPECT_EQ(*ParseDuration("2m"), 120'000'000'000);
  EXPECT_EQ(*ParseDuration("1.5ms"), 1'500'000);
  EXPECT_FALSE(ParseDuration("10").ok());
  EXPECT_FALSE(ParseDuration("s").ok());
  EXPECT_FALSE(ParseDuration("1e3s").ok());
}

}  // namespace
}  // namespace perfcheck::cli
