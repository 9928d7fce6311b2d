#include "perfcheck/rank_tests.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <stdexcept>
#include <vector>

namespace perfcheck {
namespace {

TEST(RankTests, MannWhitneyExactDistributionMatchesTable) {
  // n1 = n2 = 3: 20 arrangements; U = 0 in one, U <= 1 in two.
  EXPECT_NEAR(MannWhitneyCdf(3, 3, 0), 1.0 / 20, 1e-12);
  EXPECT_NEAR(MannWhitneyCdf(3, 3, 1), 2.0 / 20, 1e-12);
  EXPECT_NEAR(MannWhitneyCdf(5, 5, 0), 1.0 / 252, 1e-12);
  EXPECT_DOUBLE_EQ(MannWhitneyCdf(4, 6, 24), 1.0);
  // Symmetry: P(U <= u) = 1 - P(U <= n1 n2 - u - 1).
  for (int u = 0; u < 24; ++u) {
    EXPECT_NEAR(MannWhitneyCdf(4, 6, u), 1.0 - MannWhitneyCdf(4, 6, 23 - u),
                1e-12);
  }
}

TEST(RankTests, MannWhitneyPValueSeparatedAndOverlapping) {
  const std::vector<double> a = {1, 2, 3, 4, 5};
  const std::vector<double> b = {6, 7, 8, 9, 10};
  EXPECT_NEAR(MannWhitneyPValue(a, b), 2.0 / 252, 1e-12);
  const std::vector<double> c = {1, 3, 5, 7, 9};
  const std::vector<double> d = {2, 4, 6, 8, 10};
  EXPECT_GT(MannWhitneyPValue(c, d), 0.5);
  // Ties take the normal approximation; all tied means no evidence.
  const std::vector<double> e = {1, 1, 1};
  EXPECT_DOUBLE_EQ(MannWhitneyPValue(e, e), 1.0);
}

TEST(RankTests, HodgesLehmannShiftRecoversShiftWithInterval) {
  std::mt19937 rng(7);
  std::normal_distribution<double> noise(0.0, 1.0);
  std::vector<double> x, y;
  for (int i = 0; i < 20; ++i) {
    x.push_back(100 + noise(rng));
    y.push_back(110 + noise(rng));
  }
  const ShiftEstimate s = HodgesLehmannShift(x, y, 0.99);
  EXPECT_NEAR(s.estimate, 10.0, 1.0);
  EXPECT_LT(s.low, s.estimate);
  EXPECT_GT(s.high, s.estimate);
  EXPECT_GT(s.low, 8.0);
  EXPECT_LT(s.high, 12.0);
  EXPECT_LT(s.p_value, 1e-4);
}

TEST(RankTests, IntervalIsInfiniteWhenSamplesTooSmall) {
  const std::vector<double> x = {1, 2, 3};
  const std::vector<double> y = {4, 5, 6};
  const ShiftEstimate s = HodgesLehmannShift(x, y, 0.99);
  EXPECT_TRUE(std::isinf(s.low));
  EXPECT_TRUE(std::isinf(s.high));
}

TEST(RankTests, SignedRankExactAndWalshInterval) {
  EXPECT_NEAR(SignedRankCdf(8, 0), 1.0 / 256, 1e-12);
  const std::vector<double> d = {0.11,  0.09,  0.10,  0.12,  0.08,
                                 0.101, 0.105, 0.095, 0.115, 0.085};
  const ShiftEstimate w = WalshShift(d, 0.99);
  EXPECT_NEAR(w.estimate, 0.10, 0.005);
  EXPECT_GT(w.low, 0.08);
  EXPECT_LT(w.high, 0.12);
  EXPECT_NEAR(w.p_value, 2.0 / 1024, 1e-12);  // all positive, n = 10
  EXPECT_DOUBLE_EQ(SignedRankPValue(std::vector<double>{0, 0, 0}), 1.0);
}

TEST(RankTests, MedianIntervalCoversMedian) {
  std::vector<double> v;
  for (int i = 1; i <= 30; ++i) v.push_back(i);
  const ConfidenceInterval ci = MedianInterval(v, 0.95);
  EXPECT_LE(ci.low, 15.5);
  EXPECT_GE(ci.high, 15.5);
  EXPECT_GT(ci.low, 5);
  EXPECT_DOUBLE_EQ(Median(v), 15.5);
  EXPECT_TRUE(std::isinf(MedianInterval(std::vector<double>{1, 2}, 0.99).low));
}

TEST(RankTests, MisuseThrows) {
  const std::vector<double> empty;
  const std::vector<double> one = {1};
  EXPECT_THROW(MannWhitneyPValue(empty, one), std::invalid_argument);
  EXPECT_THROW(HodgesLehmannShift(one, one, 1.0), std::invalid_argument);
  EXPECT_THROW(WalshShift(std::vector<double>{NAN}, 0.9),
               std::invalid_argument);
}

// A/A calibration of the paired interval: with 12 rounds of symmetric noise
// the 99% interval must exclude 0 in about 1% of trials, not more.
TEST(RankTests, WalshIntervalFalsePositiveRateNearNominal) {
  std::mt19937 rng(11);
  std::normal_distribution<double> noise(0.0, 0.03);
  int excluded = 0;
  const int trials = 2000;
  for (int t = 0; t < trials; ++t) {
    std::vector<double> d;
    for (int i = 0; i < 12; ++i) d.push_back(noise(rng));
    const ShiftEstimate w = WalshShift(d, 0.99);
    if (w.low > 0 || w.high < 0) ++excluded;
  }
  EXPECT_LE(excluded, trials * 2 / 100);
}

}  // namespace
}  // namespace perfcheck
