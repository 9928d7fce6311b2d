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

// ------------------------------------------------- soak: windows, drift ----

constexpr Nanos kS = 1'000'000'000;

// `run_s` seconds at 10 requests/s with a series of 1 s intervals; latency
// `slow_ns` from `slow_from_s` on, 10 ms before.
Result Soak(int run_s, int slow_from_s, Nanos slow_ns) {
  Result r("load");
  r.series = TimeSeries(std::chrono::seconds(1));
  for (Nanos t = kS / 20; t < run_s * kS; t += kS / 10) {
    const Nanos l = t >= slow_from_s * kS ? slow_ns : 10'000'000;
    r.series.Record(t, l, true);
    r.latency.Record(l);
  }
  r.series.Finish();
  r.elapsed_ns = run_s * kS;
  return r;
}

TEST(ThresholdTest, ParsesWindowsAndDrift) {
  StatusOr<Threshold> t = ParseThreshold("p99[1m] < 2s");
  ASSERT_TRUE(t.ok()) << t.status().message();
  EXPECT_EQ(t->metric, Threshold::Metric::kPercentile);
  EXPECT_DOUBLE_EQ(t->percentile, 99);
  EXPECT_EQ(t->window_ns, 60 * kS);
  EXPECT_EQ(t->limit_ns, 2 * kS);
  EXPECT_EQ(ParseThreshold("p95<2s")->window_ns, 0);  // whole run
  EXPECT_EQ(ParseThreshold("error_rate[30s]<1%")->window_ns, 30 * kS);
  EXPECT_DOUBLE_EQ(ParseThreshold("error_rate[30s]<1%")->value, 0.01);
  EXPECT_EQ(ParseThreshold("rps[1m]>=50")->metric, Threshold::Metric::kRps);
  StatusOr<Threshold> d = ParseThreshold("drift(p95)<10%");
  ASSERT_TRUE(d.ok()) << d.status().message();
  EXPECT_EQ(d->metric, Threshold::Metric::kDrift);
  EXPECT_DOUBLE_EQ(d->percentile, 95);
  EXPECT_DOUBLE_EQ(d->value, 0.10);
  EXPECT_EQ(d->window_ns, 60 * kS);  // the default window
  EXPECT_EQ(ParseThreshold("drift(p99.9)[10s]<=0.2")->window_ns, 10 * kS);
  EXPECT_DOUBLE_EQ(ParseThreshold("drift(p99.9)[10s]<=0.2")->value, 0.2);
}

TEST(ThresholdTest, RejectsBadWindowsAndDriftQuotingThem) {
  for (const char* bad :
       {"p99[]<2s", "p99[1x]<2s", "p99[0s]<2s", "p99[10]<2s", "p99]<2s",
        "max[1m]<1s", "mean[1m]<1s", "drift(p100)<10%", "drift(p95)>10%",
        "drift(x)<1%", "drift()<1%", "drift(p95)<abc", "drift(p95)<-1%",
        "drift(p95<10%"}) {
    EXPECT_FALSE(ParseThreshold(bad).ok()) << bad;
  }
  EXPECT_EQ(ParseThreshold("p99[1x]<2s").status().message(),
            "threshold 'p99[1x]<2s': bad window '1x' (a duration such as 1m "
            "or 30s, e.g. p99[1m]<2s)");
  EXPECT_EQ(ParseThreshold("max[1m]<1s").status().message(),
            "threshold 'max[1m]<1s': max takes no window (a percentile does: "
            "p99[1m]<2s)");
  EXPECT_EQ(ParseThreshold("drift(p95)>10%").status().message(),
            "threshold 'drift(p95)>10%': drift takes < or <=");
}

TEST(ThresholdTest, WindowThresholdFailsOnTheSlowWindowTheWholeRunHides) {
  // 10 s at 10 ms, then 1 s at 900 ms: 10 of 110 slow (9%) leave the run's
  // p90 fast, not the last window's.
  const Result r = Soak(11, 10, 900'000'000);
  EXPECT_TRUE(Evaluate(*ParseThreshold("p90<500ms"), r).passed);
  const ThresholdVerdict v = Evaluate(*ParseThreshold("p90[1s]<500ms"), r);
  EXPECT_FALSE(v.passed);
  EXPECT_EQ(v.measured.rfind("p90 of window 11 (10s-11s) = ", 0), 0u)
      << v.measured;
  EXPECT_NE(v.measured.find("; 1 of 11 windows failed"), std::string::npos);
  EXPECT_NEAR(*v.observed, 9e8, 9e6);
  EXPECT_EQ(v.limit, 5e8);
  EXPECT_EQ(UnitName(v.unit), "ns");
  EXPECT_TRUE(Evaluate(*ParseThreshold("p90[1s]<1s"), r).passed);
  // <= moves the bound as for the whole run; rps per window of 1 s is 10.
  EXPECT_TRUE(Evaluate(*ParseThreshold("rps[1s]>=10"), r).passed);
  EXPECT_FALSE(Evaluate(*ParseThreshold("rps[1s]>10"), r).passed);
  EXPECT_TRUE(Evaluate(*ParseThreshold("error_rate[1s]<1%"), r).passed);
}

TEST(ThresholdTest, DriftThreshold) {
  const Result steady = Soak(20, 100, 0);
  const ThresholdVerdict s =
      Evaluate(*ParseThreshold("drift(p95)[2s]<10%"), steady);
  EXPECT_TRUE(s.passed) << s.measured;
  EXPECT_EQ(s.measured.rfind("steady: p95 +0.0% over the run", 0), 0u)
      << s.measured;
  EXPECT_EQ(UnitName(s.unit), "fraction");
  EXPECT_EQ(s.limit, 0.10);
  // Slow from the middle on: the level jumps 10 ms -> 900 ms.
  const ThresholdVerdict d =
      Evaluate(*ParseThreshold("drift(p95)[2s]<10%"), Soak(20, 10, 9e8));
  EXPECT_FALSE(d.passed);
  EXPECT_EQ(d.measured.rfind("drifting: p95 +", 0), 0u) << d.measured;
  EXPECT_GT(*d.observed, 1.0);
  // Too short: fails, saying why, with nothing observed.
  const ThresholdVerdict t =
      Evaluate(*ParseThreshold("drift(p95)[5s]<10%"), steady);
  EXPECT_FALSE(t.passed);
  EXPECT_FALSE(t.observed.has_value());
  EXPECT_EQ(t.measured.rfind("insufficient data: 4 usable windows", 0), 0u)
      << t.measured;
}

TEST(ThresholdTest, WindowsMustFitTheRunsSeries) {
  const Nanos hour = 3600 * kS;
  EXPECT_TRUE(CheckAgainstRun(*ParseThreshold("p99<2s"), kS, hour).ok());
  EXPECT_TRUE(CheckAgainstRun(*ParseThreshold("p99[1m]<2s"), kS, hour).ok());
  EXPECT_EQ(
      CheckAgainstRun(*ParseThreshold("p99[1500ms]<2s"), kS, 60 * kS).message(),
      "threshold 'p99[1500ms]<2s': the window 1.5s is not a whole "
      "multiple of the time series' interval 1s; use a multiple of 1s");
  // 8 hours at 1 s: the series ends at 32 s intervals.
  EXPECT_EQ(
      CheckAgainstRun(*ParseThreshold("p99[1m]<2s"), kS, 8 * hour).message(),
      "threshold 'p99[1m]<2s': the window 1m is not a whole multiple "
      "of the time series' interval 32s (a 8h run keeps its series at "
      "32s intervals: at most 1024); use a multiple of 32s");
  EXPECT_TRUE(
      CheckAgainstRun(*ParseThreshold("p99[64s]<2s"), kS, 8 * hour).ok());
  EXPECT_EQ(
      CheckAgainstRun(*ParseThreshold("drift(p95)<10%"), kS, 30 * kS).message(),
      "threshold 'drift(p95)<10%': a 30s run has 0 whole windows of "
      "1m; the drift check needs 5 (a shorter window, e.g. "
      "drift(p95)[3s]<10%, or a longer run)");
  EXPECT_TRUE(
      CheckAgainstRun(*ParseThreshold("drift(p95)[5s]<10%"), kS, 30 * kS).ok());
}

}  // namespace
}  // namespace perfcheck::cli
