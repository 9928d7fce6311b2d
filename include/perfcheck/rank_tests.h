// Rank-based (distribution-free) tests and intervals for comparing repeated
// measurements: the statistics behind `perfcheck compare`.
//
// Benchmark repetitions are few (5..30), skewed and sometimes bimodal, so these
// make no normality assumption:
//
// - Two independent samples (a stored baseline run vs a new run):
//   Mann-Whitney U test (the test Google Benchmark's compare.py uses) and the
//   Hodges-Lehmann shift estimate, the median of all pairwise differences
//   y_j - x_i, with Moses' distribution-free confidence interval (the
//   order statistics of the pairwise differences at the U test's critical
//   value).
// - Paired differences (interleaved A/B rounds): Wilcoxon signed-rank test and
//   its Hodges-Lehmann estimate, the median of the Walsh averages
//   (d_i + d_j) / 2, i <= j, with the matching interval; and the sign-test
//   interval for a median (order statistics of a Binomial(n, 1/2)).
//
// Callers compare timings on a log scale (log(new) - log(old)), so a shift is a
// ratio and the interval is an interval on the ratio new/old.
//
// Null distributions are exact (counted by dynamic programming) for small
// samples without ties: n1 * n2 <= 2500 for U, n <= 200 for the signed-rank
// statistic. Larger samples, or ties, use the normal approximation with tie
// and continuity corrections. Intervals always use the exact critical value in
// those ranges (ties do not change where the order statistics are).
//
// When a sample is too small for any interval at `confidence` to exist (e.g.
// 3 vs 3 at 99%), the interval is (-inf, +inf): "cannot tell", never a guess.
//
// Errors: an empty sample or a confidence outside (0, 1) throws
// std::invalid_argument. NaN inputs are the caller's bug (also
// invalid_argument). Thread-safety: pure functions.
//
// Example:
//   std::vector<double> old_log = {...}, new_log = {...};  // log(ns)
//   perfcheck::ShiftEstimate s =
//       perfcheck::HodgesLehmannShift(old_log, new_log, 0.99);
//   double ratio = std::exp(s.estimate);  // new/old, e.g. 1.12
//   bool slower = s.low > 0;              // interval excludes "no change"
#ifndef PERFCHECK_RANK_TESTS_H_
#define PERFCHECK_RANK_TESTS_H_

#include <cstdint>
#include <span>

#include "perfcheck/statistics.h"

namespace perfcheck {

// A location shift with its confidence interval and two-sided p-value of the
// matching rank test (H0: no shift).
struct ShiftEstimate {
  double estimate = 0;
  double low = 0;   // may be -infinity when no interval exists at the level
  double high = 0;  // may be +infinity
  double p_value = 1;
};

// Two-sided p-value of the Mann-Whitney U test for samples `x` and `y`.
double MannWhitneyPValue(std::span<const double> x, std::span<const double> y);

// Shift of `y` relative to `x` (median of y_j - x_i), Moses interval at
// `confidence`, Mann-Whitney p-value.
ShiftEstimate HodgesLehmannShift(std::span<const double> x,
                                 std::span<const double> y, double confidence);

// Two-sided p-value of the Wilcoxon signed-rank test of H0 "the differences
// `d` are symmetric about 0". Zero differences are dropped (Wilcoxon's
// convention); all zero gives 1.
double SignedRankPValue(std::span<const double> d);

// Median of the Walsh averages of `d`, its interval at `confidence`,
// signed-rank p-value.
ShiftEstimate WalshShift(std::span<const double> d, double confidence);

// Sign-test interval for the median of `v` at `confidence`: sample order
// statistics, (-inf, +inf) when n is too small.
ConfidenceInterval MedianInterval(std::span<const double> v, double confidence);

// Sample median (mean of the middle two for even sizes).
double Median(std::span<const double> v);

// Exact null distribution helpers, exposed for tests:
// P(U <= u) for sample sizes n1, n2 without ties.
double MannWhitneyCdf(int n1, int n2, std::int64_t u);
// P(T+ <= t) for the signed-rank statistic of n differences without ties.
double SignedRankCdf(int n, std::int64_t t);

}  // namespace perfcheck

#endif  // PERFCHECK_RANK_TESTS_H_
