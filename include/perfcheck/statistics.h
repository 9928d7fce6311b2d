// Statistics used by the regression gate: confidence intervals computed from a
// histogram alone, so a stored baseline and a live run are treated alike.
//
// - Percentile interval: distribution-free, from order statistics. The rank of
//   the q-quantile among n samples is ~Binomial(n, q); the interval is the pair
//   of sample values at ranks n*q -/+ z*sqrt(n*q*(1-q)) (normal approximation to
//   the binomial, then rounded outwards). No resampling, O(buckets).
// - Mean interval: mean -/+ z * stddev / sqrt(n).
// - Proportion interval (error rate): Wilson score interval.
//
// These capture within-run sampling noise only. Between-run noise (another
// process on the machine, frequency changes) is handled by the baseline's band of
// recorded runs, see docs/regression-method.md.
//
// Thread-safety: pure functions.
#ifndef PERFCHECK_STATISTICS_H_
#define PERFCHECK_STATISTICS_H_

#include <cstdint>

#include "perfcheck/latency_histogram.h"

namespace perfcheck {

struct ConfidenceInterval {
  double low = 0;
  double high = 0;
};

// Two-sided standard normal quantile: z such that P(|Z| <= z) = confidence.
// `confidence` in (0, 1), else std::invalid_argument.
double NormalCriticalValue(double confidence);

// Student's t distribution with `df` > 0 degrees of freedom (real-valued, as
// Welch's df is): exact to ~1e-12 relative (closed forms for df 1 and 2,
// otherwise the inverted regularized incomplete beta function). NaN outside
// the domain, never an exception.
// P(T <= t).
double StudentTCdf(double t, double df);
// The t with P(T <= t) = p, p in (0, 1).
double StudentTQuantile(double p, double df);
// Two-sided: t such that P(|T| <= t) = confidence, confidence in (0, 1).
double StudentTCriticalValue(double confidence, double df);

// Interval for the `percent` percentile (0..100) at `confidence`. An empty
// histogram gives {0, 0}; with few samples the interval widens to [Min, Max].
ConfidenceInterval PercentileInterval(const LatencyHistogram& h, double percent,
                                      double confidence);

// Interval for the mean, in ns.
ConfidenceInterval MeanInterval(const LatencyHistogram& h, double confidence);

// Wilson score interval for a proportion `events / trials` (0 trials: {0, 1}).
ConfidenceInterval ProportionInterval(std::uint64_t events, std::uint64_t trials,
                                      double confidence);

}  // namespace perfcheck

#endif  // PERFCHECK_STATISTICS_H_
