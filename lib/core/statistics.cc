#include "perfcheck/statistics.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace perfcheck {
namespace {

// Evaluates a polynomial with coefficients c[0] + c[1] x + ... (Horner).
template <std::size_t N>
double Polynomial(const double (&c)[N], double x) {
  double sum = c[N - 1];
  for (std::size_t i = N - 1; i-- > 0;) sum = sum * x + c[i];
  return sum;
}

// Inverse of the standard normal CDF for p in (0, 1): Wichura's algorithm
// AS 241 (PPND16), relative accuracy about 1e-16, so the critical values the
// gate uses match published tables to every printed digit.
double InverseNormalCdf(double p) {
  static constexpr double kA[] = {
      3.3871328727963666080e0,  1.3314166789178437745e+2,
      1.9715909503065514427e+3, 1.3731693765509461125e+4,
      4.5921953931549871457e+4, 6.7265770927008700853e+4,
      3.3430575583588128105e+4, 2.5090809287301226727e+3};
  static constexpr double kB[] = {1.0,
                                  4.2313330701600911252e+1,
                                  6.8718700749205790830e+2,
                                  5.3941960214247511077e+3,
                                  2.1213794301586595867e+4,
                                  3.9307895800092710610e+4,
                                  2.8729085735721942674e+4,
                                  5.2264952788528545610e+3};
  static constexpr double kC[] = {
      1.42343711074968357734e0,  4.63033784615654529590e0,
      5.76949722146069140550e0,  3.64784832476320460504e0,
      1.27045825245236838258e0,  2.41780725177450611770e-1,
      2.27238449892691845833e-2, 7.74545014278341407640e-4};
  static constexpr double kD[] = {1.0,
                                  2.05319162663775882187e0,
                                  1.67638483018380384940e0,
                                  6.89767334985100004550e-1,
                                  1.48103976427480074590e-1,
                                  1.51986665636164571966e-2,
                                  5.47593808499534494600e-4,
                                  1.05075007164441684324e-9};
  static constexpr double kE[] = {
      6.65790464350110377720e0,  5.46378491116411436990e0,
      1.78482653991729133580e0,  2.96560571828504891230e-1,
      2.65321895265761230930e-2, 1.24266094738807843860e-3,
      2.71155556874348757815e-5, 2.01033439929228813265e-7};
  static constexpr double kF[] = {1.0,
                                  5.99832206555887937690e-1,
                                  1.36929880922735805310e-1,
                                  1.48753612908506148525e-2,
                                  7.86869131145613259100e-4,
                                  1.84631831751005468180e-5,
                                  1.42151175831644588870e-7,
                                  2.04426310338993978564e-15};

  const double q = p - 0.5;
  if (std::fabs(q) <= 0.425) {
    const double r = 0.180625 - q * q;
    return q * Polynomial(kA, r) / Polynomial(kB, r);
  }
  double r = std::sqrt(-std::log(q < 0 ? p : 1.0 - p));
  double z;
  if (r <= 5.0) {
    r -= 1.6;
    z = Polynomial(kC, r) / Polynomial(kD, r);
  } else {
    r -= 5.0;
    z = Polynomial(kE, r) / Polynomial(kF, r);
  }
  return q < 0 ? -z : z;
}

}  // namespace

double NormalCriticalValue(double confidence) {
  if (!(confidence > 0.0 && confidence < 1.0)) {
    throw std::invalid_argument(
        "NormalCriticalValue: confidence must be in (0, 1), got " +
        std::to_string(confidence));
  }
  // The lower tail (1 - c) / 2 is computed directly, not as 0.5 + c / 2, which
  // would round to 1 for confidences very close to 1.
  return -InverseNormalCdf((1.0 - confidence) / 2.0);
}

ConfidenceInterval PercentileInterval(const LatencyHistogram& h, double percent,
                                      double confidence) {
  if (!(percent >= 0.0 && percent <= 100.0)) {
    throw std::invalid_argument(
        "PercentileInterval: percent must be in [0, 100], got " +
        std::to_string(percent));
  }
  const double z = NormalCriticalValue(confidence);
  const std::uint64_t n = h.TotalCount();
  if (n == 0) return {};
  const double nd = static_cast<double>(n);
  const double q = percent / 100.0;
  const double center = nd * q;
  const double half = z * std::sqrt(nd * q * (1.0 - q));
  // The number of samples below the true quantile is Binomial(n, q). Rounding
  // outwards, plus one rank on the upper side (X_(u) >= quantile needs fewer
  // than u samples below it), keeps the coverage at or above `confidence` for
  // small n, where the normal approximation is optimistic.
  const double low_rank = std::floor(center - half);
  const double high_rank = std::ceil(center + half) + 1.0;
  const auto clamp_rank = [nd](double rank) {
    return static_cast<std::uint64_t>(std::clamp(rank, 1.0, nd));
  };
  return {static_cast<double>(h.ValueAtRank(clamp_rank(low_rank))),
          static_cast<double>(h.ValueAtRank(clamp_rank(high_rank)))};
}

ConfidenceInterval MeanInterval(const LatencyHistogram& h, double confidence) {
  const double z = NormalCriticalValue(confidence);
  const std::uint64_t n = h.TotalCount();
  if (n == 0) return {};
  const double mean = h.Mean();
  const double half = z * h.StdDev() / std::sqrt(static_cast<double>(n));
  // Durations are never negative; a lower bound below the smallest sample says
  // nothing more than the smallest sample itself.
  return {std::max(mean - half, static_cast<double>(h.Min())), mean + half};
}

ConfidenceInterval ProportionInterval(std::uint64_t events,
                                      std::uint64_t trials, double confidence) {
  const double z = NormalCriticalValue(confidence);
  if (events > trials) {
    throw std::invalid_argument("ProportionInterval: events (" +
                                std::to_string(events) + ") exceed trials (" +
                                std::to_string(trials) + ")");
  }
  if (trials == 0) return {0.0, 1.0};
  const double n = static_cast<double>(trials);
  const double p = static_cast<double>(events) / n;
  const double z2 = z * z;
  const double denominator = 1.0 + z2 / n;
  const double center = (p + z2 / (2.0 * n)) / denominator;
  const double half =
      z * std::sqrt(p * (1.0 - p) / n + z2 / (4.0 * n * n)) / denominator;
  // Exact ends at the edges: rounding must not turn "no errors seen" into a
  // lower bound of 1e-17.
  const double low = events == 0 ? 0.0 : std::max(0.0, center - half);
  const double high = events == trials ? 1.0 : std::min(1.0, center + half);
  return {low, high};
}

}  // namespace perfcheck
