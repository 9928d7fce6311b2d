#include "perfcheck/statistics.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <stdexcept>

#include "perfcheck/latency_histogram.h"

namespace perfcheck {
namespace {

// Two-sided coverage of z under the standard normal: P(|Z| <= z).
double TwoSidedCoverage(double z) { return std::erf(z / std::sqrt(2.0)); }

TEST(NormalCriticalValueTest, MatchesPublishedTables) {
  EXPECT_NEAR(NormalCriticalValue(0.95), 1.959963984540054, 1e-12);
  EXPECT_NEAR(NormalCriticalValue(0.99), 2.5758293035489004, 1e-12);
  EXPECT_NEAR(NormalCriticalValue(0.90), 1.6448536269514722, 1e-12);
  EXPECT_NEAR(NormalCriticalValue(0.999), 3.2905267314918945, 1e-12);
  EXPECT_NEAR(NormalCriticalValue(0.5), 0.6744897501960817, 1e-12);
}

// Every branch of the rational approximation (central, tail, far tail) is
// the inverse of the CDF to near machine precision.
TEST(NormalCriticalValueTest, InvertsTheNormalCdfAcrossBranches) {
  for (double c :
       {1e-6, 0.01, 0.2, 0.6, 0.8, 0.85, 0.9, 0.99, 0.9999, 1 - 1e-9}) {
    const double z = NormalCriticalValue(c);
    EXPECT_NEAR(TwoSidedCoverage(z), c, 1e-13) << "confidence " << c;
  }
  // Far tail (r > 5 branch, tail below ~1e-11): check the one-sided tail
  // probability, which erf cannot resolve that close to 1.
  for (double c : {1 - 1e-12, 1 - 1e-14}) {
    const double tail = (1.0 - c) / 2.0;
    const double z = NormalCriticalValue(c);
    EXPECT_GT(z, 7.0);
    EXPECT_NEAR(std::erfc(z / std::sqrt(2.0)) / 2.0 / tail, 1.0, 1e-9);
  }
  EXPECT_LT(NormalCriticalValue(0.9), NormalCriticalValue(0.95));
}

TEST(NormalCriticalValueTest, RejectsConfidenceOutsideTheOpenUnitInterval) {
  for (double c :
       {0.0, 1.0, -0.5, 1.5, std::numeric_limits<double>::quiet_NaN(),
        std::numeric_limits<double>::infinity()}) {
    EXPECT_THROW(NormalCriticalValue(c), std::invalid_argument) << c;
  }
  LatencyHistogram h;
  h.Record(100);
  EXPECT_THROW(PercentileInterval(h, 50, 1.0), std::invalid_argument);
  EXPECT_THROW(PercentileInterval(h, 101, 0.99), std::invalid_argument);
  EXPECT_THROW(PercentileInterval(h, -1, 0.99), std::invalid_argument);
  EXPECT_THROW(MeanInterval(h, 0.0), std::invalid_argument);
  EXPECT_THROW(ProportionInterval(1, 10, 2.0), std::invalid_argument);
  EXPECT_THROW(ProportionInterval(11, 10, 0.99), std::invalid_argument);
}

TEST(PercentileIntervalTest, EmptyHistogramGivesZeroInterval) {
  const LatencyHistogram h;
  const ConfidenceInterval ci = PercentileInterval(h, 95, 0.99);
  EXPECT_EQ(ci.low, 0);
  EXPECT_EQ(ci.high, 0);
}

TEST(PercentileIntervalTest, FewSamplesWidenToMinAndMax) {
  LatencyHistogram h;
  for (Nanos v : {100, 200, 300, 400, 500}) h.Record(v);
  const ConfidenceInterval ci = PercentileInterval(h, 50, 0.99);
  EXPECT_EQ(ci.low, 100);
  EXPECT_EQ(ci.high, 500);
  const ConfidenceInterval p99 = PercentileInterval(h, 99, 0.99);
  EXPECT_EQ(p99.high, 500);
  EXPECT_LE(p99.low, 500);
}

// Exact small values (below 2000 ns the histogram is exact), so the ranks can
// be checked one by one: samples 1..1000, median interval at 99%.
TEST(PercentileIntervalTest, UsesOrderStatisticRanksRoundedOutwards) {
  LatencyHistogram h;
  for (Nanos v = 1; v <= 1000; ++v) h.Record(v);
  const double z = NormalCriticalValue(0.99);
  const double half = z * std::sqrt(1000 * 0.5 * 0.5);  // 40.73
  const ConfidenceInterval ci = PercentileInterval(h, 50, 0.99);
  EXPECT_EQ(ci.low, std::floor(500 - half));
  EXPECT_EQ(ci.high, std::ceil(500 + half) + 1);
  EXPECT_LE(ci.low, h.Percentile(50));
  EXPECT_GE(ci.high, h.Percentile(50));
}

TEST(PercentileIntervalTest, NarrowsAsSamplesGrow) {
  std::mt19937_64 rng(7);
  std::exponential_distribution<double> exp(1.0 / 1e6);
  LatencyHistogram small;
  LatencyHistogram large;
  for (int i = 0; i < 100'000; ++i) {
    const auto v = static_cast<Nanos>(exp(rng));
    if (i < 1000) small.Record(v);
    large.Record(v);
  }
  const ConfidenceInterval a = PercentileInterval(small, 95, 0.99);
  const ConfidenceInterval b = PercentileInterval(large, 95, 0.99);
  EXPECT_GT(a.high - a.low, 3 * (b.high - b.low));
}

// The interval's purpose: it contains the true quantile of the distribution
// the samples come from in (at least) `confidence` of the runs.
struct CoverageCase {
  int samples;
  double percent;
};

class PercentileCoverageTest : public ::testing::TestWithParam<CoverageCase> {};

TEST_P(PercentileCoverageTest, TrueQuantileInside99PercentInterval) {
  const auto [n, percent] = GetParam();
  constexpr double kMeanNs = 1e6;  // exponential, 1 ms mean
  const double truth = -std::log(1.0 - percent / 100.0) * kMeanNs;
  std::mt19937_64 rng(12345 + n);
  std::exponential_distribution<double> exp(1.0 / kMeanNs);
  constexpr int kTrials = 1000;
  int covered = 0;
  LatencyHistogram h;
  for (int t = 0; t < kTrials; ++t) {
    h.Clear();
    for (int i = 0; i < n; ++i) h.Record(static_cast<Nanos>(exp(rng)));
    const ConfidenceInterval ci = PercentileInterval(h, percent, 0.99);
    if (ci.low <= truth && truth <= ci.high) ++covered;
  }
  EXPECT_GE(covered, 970) << "n=" << n << " p" << percent;
}

INSTANTIATE_TEST_SUITE_P(
    Quantiles, PercentileCoverageTest,
    ::testing::Values(CoverageCase{50, 50}, CoverageCase{200, 50},
                      CoverageCase{200, 95}, CoverageCase{1000, 95},
                      CoverageCase{2000, 99}, CoverageCase{5000, 99}),
    [](const ::testing::TestParamInfo<CoverageCase>& info) {
      return "n" + std::to_string(info.param.samples) + "_p" +
             std::to_string(static_cast<int>(info.param.percent));
    });

TEST(MeanIntervalTest, IsMeanPlusMinusZTimesStandardError) {
  LatencyHistogram h;
  for (Nanos v = 1; v <= 1000; ++v) h.Record(v);
  const double z = NormalCriticalValue(0.95);
  const double half = z * h.StdDev() / std::sqrt(1000.0);
  const ConfidenceInterval ci = MeanInterval(h, 0.95);
  EXPECT_NEAR(ci.low, h.Mean() - half, 1e-9);
  EXPECT_NEAR(ci.high, h.Mean() + half, 1e-9);
  EXPECT_EQ(MeanInterval(LatencyHistogram(), 0.95).high, 0);
}

TEST(MeanIntervalTest, CoversTheTrueMean) {
  constexpr double kMeanNs = 1e6;
  std::mt19937_64 rng(99);
  std::exponential_distribution<double> exp(1.0 / kMeanNs);
  int covered = 0;
  LatencyHistogram h;
  for (int t = 0; t < 1000; ++t) {
    h.Clear();
    for (int i = 0; i < 500; ++i) h.Record(static_cast<Nanos>(exp(rng)));
    const ConfidenceInterval ci = MeanInterval(h, 0.99);
    if (ci.low <= kMeanNs && kMeanNs <= ci.high) ++covered;
  }
  EXPECT_GE(covered, 970);
}

TEST(ProportionIntervalTest, NoTrialsIsTheWholeRange) {
  const ConfidenceInterval ci = ProportionInterval(0, 0, 0.99);
  EXPECT_EQ(ci.low, 0);
  EXPECT_EQ(ci.high, 1);
}

TEST(ProportionIntervalTest, ZeroEventsHasExactZeroLowerBound) {
  const double z = NormalCriticalValue(0.99);
  const ConfidenceInterval ci = ProportionInterval(0, 1000, 0.99);
  EXPECT_EQ(ci.low, 0.0);
  // Wilson at p = 0: z^2 / (n + z^2).
  EXPECT_NEAR(ci.high, z * z / (1000 + z * z), 1e-12);
  EXPECT_LT(ci.high, 0.01);
}

TEST(ProportionIntervalTest, AllEventsHasExactUpperBoundOne) {
  const double z = NormalCriticalValue(0.99);
  const ConfidenceInterval ci = ProportionInterval(1000, 1000, 0.99);
  EXPECT_EQ(ci.high, 1.0);
  EXPECT_NEAR(ci.low, 1000 / (1000 + z * z), 1e-12);
}

TEST(ProportionIntervalTest, KnownValueAndSymmetry) {
  // Wilson 95% interval of 10/100: [0.0552, 0.1744] (textbook value).
  const ConfidenceInterval ci = ProportionInterval(10, 100, 0.95);
  EXPECT_NEAR(ci.low, 0.0552, 1e-4);
  EXPECT_NEAR(ci.high, 0.1744, 1e-4);
  const ConfidenceInterval mirror = ProportionInterval(90, 100, 0.95);
  EXPECT_NEAR(mirror.low, 1 - ci.high, 1e-12);
  EXPECT_NEAR(mirror.high, 1 - ci.low, 1e-12);
}

TEST(ProportionIntervalTest, CoversTheTrueRate) {
  std::mt19937_64 rng(4242);
  std::bernoulli_distribution error(0.02);
  int covered = 0;
  for (int t = 0; t < 1000; ++t) {
    std::uint64_t events = 0;
    for (int i = 0; i < 1000; ++i) events += error(rng) ? 1 : 0;
    const ConfidenceInterval ci = ProportionInterval(events, 1000, 0.99);
    if (ci.low <= 0.02 && 0.02 <= ci.high) ++covered;
  }
  EXPECT_GE(covered, 970);
}

}  // namespace
}  // namespace perfcheck
