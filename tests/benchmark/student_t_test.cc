// The Student t quantile of the Welch interval (aggregates-only comparisons)
// against published table values, and the interval it gives a two-repetition
// comparison (df 2, reachable with --min-repetitions 2).
#include <gtest/gtest.h>

#include <cmath>

#include "perfcheck/benchmark/compare.h"
#include "perfcheck/statistics.h"

namespace perfcheck {
namespace {

// Two-sided critical values t_{p} (tables, e.g. NIST/SEMATECH 1.3.6.7.2,
// to the digits given there).
TEST(StudentT, QuantilesMatchTheTablesToOneInTenThousand) {
  struct Case {
    double p, df, t;
  };
  const Case cases[] = {
      {0.975, 1, 12.7062},  {0.975, 2, 4.3027},   {0.975, 3, 3.1824},
      {0.975, 4, 2.7764},   {0.975, 5, 2.5706},   {0.975, 10, 2.2281},
      {0.975, 30, 2.0423},  {0.975, 100, 1.9840}, {0.995, 1, 63.6567},
      {0.995, 2, 9.9248},   {0.995, 3, 5.8409},   {0.995, 10, 3.1693},
      {0.95, 1, 6.3138},    {0.95, 2, 2.9200},    {0.95, 7, 1.8946},
      {0.9995, 2, 31.5991}, {0.9995, 5, 6.8688},
  };
  for (const Case& c : cases) {
    const double t = StudentTQuantile(c.p, c.df);
    EXPECT_NEAR(t / c.t, 1, 1e-4) << "p " << c.p << " df " << c.df;
    EXPECT_NEAR(StudentTQuantile(1 - c.p, c.df), -t, 1e-9 * t);
    EXPECT_NEAR(StudentTCriticalValue(2 * c.p - 1, c.df), t, 1e-9 * t);
  }
  EXPECT_EQ(StudentTQuantile(0.5, 7.5), 0);
  EXPECT_TRUE(std::isnan(StudentTQuantile(1, 3)));
  EXPECT_TRUE(std::isnan(StudentTQuantile(0.9, 0)));
}

// Welch's df is real-valued: the general inversion meets the closed forms of
// df 1 and 2, tends to the normal quantile, and inverts the distribution.
TEST(StudentT, RealDegreesOfFreedomAreContinuousAndInvertTheCdf) {
  EXPECT_NEAR(StudentTQuantile(0.975, 1 + 1e-9), 12.7062047, 1e-5);
  EXPECT_NEAR(StudentTQuantile(0.975, 2 + 1e-9), 4.3026527, 1e-6);
  EXPECT_NEAR(StudentTQuantile(0.975, 1e7), 1.9599640, 1e-5);
  const double t = StudentTQuantile(0.975, 2.5);
  EXPECT_LT(t, 4.3026527);
  EXPECT_GT(t, 3.1824463);
  for (double df : {0.5, 1.0, 1.7, 2.0, 3.3, 12.0, 250.0}) {
    for (double p : {0.001, 0.2, 0.6, 0.95, 0.999999}) {
      EXPECT_NEAR(StudentTCdf(StudentTQuantile(p, df), df), p, 1e-10)
          << "p " << p << " df " << df;
    }
  }
}

// Two aggregates-only repetitions per side with equal spread: Welch's df is
// exactly 2, so the interval's half-width is t_{0.995, 2} = 9.9248 standard
// errors (the Cornish-Fisher approximation used before gave 8.76: 12% too narrow).
TEST(StudentT, TwoRepetitionWelchIntervalUsesTheExactQuantile) {
  auto file = [](double mean, double stddev) {
    BenchmarkFile f;
    BenchmarkSeries s;
    s.name = "BM_Agg";
    s.declared_repetitions = 2;
    s.aggregates["mean"].cpu_time = s.aggregates["mean"].real_time = mean;
    s.aggregates["median"].cpu_time = s.aggregates["median"].real_time = mean;
    s.aggregates["stddev"].cpu_time = s.aggregates["stddev"].real_time = stddev;
    f.benchmarks.push_back(s);
    return f;
  };
  CompareOptions options;
  options.min_repetitions = 2;
  options.confidence = 0.99;
  const ComparisonReport r =
      CompareBenchmarks(file(100, 1), file(110, 1.1), options);
  ASSERT_FALSE(r.rows.empty());
  const MetricComparisonRow& row = r.rows.front();
  ASSERT_EQ(row.method, "welch");
  const double se = std::sqrt(2 * std::pow(0.01, 2) / 2);
  const double estimate = std::log(1.1);
  EXPECT_NEAR(std::log1p(row.change_high), estimate + 9.9248432 * se, 1e-6);
  EXPECT_NEAR(std::log1p(row.change_low), estimate - 9.9248432 * se, 1e-6);
}

}  // namespace
}  // namespace perfcheck
