// Student's t distribution (perfcheck/statistics.h): exact, because few
// samples (df 1 or 2 with --min-repetitions 2 in the benchmark gate; short
// monitored series) are common and an approximate quantile makes an interval
// too narrow exactly when it matters most.
#include <cmath>
#include <initializer_list>
#include <limits>
#include <numbers>

#include "perfcheck/statistics.h"

namespace perfcheck {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// The continued fraction of the regularized incomplete beta function
// (DLMF 8.17.22), evaluated by the modified Lentz method; converges fast for
// x < (a + 1) / (a + b + 2), which IncompleteBeta arranges by symmetry.
double BetaContinuedFraction(double a, double b, double x) {
  constexpr double kTiny = 1e-300;
  constexpr double kEpsilon = 1e-15;
  double c = 1;
  double d = 1 - (a + b) * x / (a + 1);
  if (std::fabs(d) < kTiny) d = kTiny;
  d = 1 / d;
  double f = d;
  for (int m = 1; m <= 1000; ++m) {
    // Even step d_{2m}, then odd step d_{2m+1}.
    for (const double coefficient :
         {m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
          -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))}) {
      d = 1 + coefficient * d;
      if (std::fabs(d) < kTiny) d = kTiny;
      c = 1 + coefficient / c;
      if (std::fabs(c) < kTiny) c = kTiny;
      d = 1 / d;
      f *= c * d;
    }
    if (std::fabs(c * d - 1) < kEpsilon) break;
  }
  return f;
}

// I_x(a, b), the regularized incomplete beta function.
double IncompleteBeta(double a, double b, double x) {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const double front =
      std::exp(std::lgamma(a + b) - std::lgamma(a) - std::lgamma(b) +
               a * std::log(x) + b * std::log1p(-x));
  if (x < (a + 1) / (a + b + 2)) {
    return front * BetaContinuedFraction(a, b, x) / a;
  }
  return 1 - front * BetaContinuedFraction(b, a, 1 - x) / b;
}

// P(T > t) for t >= 0: I_{df/(df+t^2)}(df/2, 1/2) / 2. Written with
// x = 1 / (1 + t^2/df) so that large t loses no precision.
double UpperTail(double t, double df) {
  return 0.5 * IncompleteBeta(df / 2, 0.5, 1 / (1 + t * t / df));
}

double Density(double t, double df) {
  return std::exp(std::lgamma((df + 1) / 2) - std::lgamma(df / 2) -
                  0.5 * std::log(df * std::numbers::pi) -
                  (df + 1) / 2 * std::log1p(t * t / df));
}

// The t > 0 with UpperTail(t) = q, q in (0, 1/2): Newton's method on the
// exact tail, kept inside a bracket that bisection narrows whenever a step
// would leave it, so it converges for every df.
double InvertUpperTail(double q, double df) {
  double low = 0, high = 1;
  while (UpperTail(high, df) > q) {
    low = high;
    high *= 2;
    if (!std::isfinite(high)) return high;
  }
  double t = (low + high) / 2;
  for (int i = 0; i < 200; ++i) {
    const double excess = UpperTail(t, df) - q;  // > 0: t too small
    if (excess == 0) return t;
    (excess > 0 ? low : high) = t;
    const double next = t + excess / Density(t, df);
    const double previous = t;
    t = next > low && next < high ? next : (low + high) / 2;
    if (std::fabs(t - previous) <= 1e-14 * t) return t;
  }
  return t;
}

}  // namespace

double StudentTCdf(double t, double df) {
  if (!(df > 0) || std::isnan(t)) return kNaN;
  const double upper = UpperTail(std::fabs(t), df);
  return t >= 0 ? 1 - upper : upper;
}

double StudentTQuantile(double p, double df) {
  if (!(p > 0 && p < 1) || !(df > 0)) return kNaN;
  if (df == 1) return std::tan(std::numbers::pi * (p - 0.5));
  if (df == 2) return (2 * p - 1) / std::sqrt(2 * p * (1 - p));
  if (p == 0.5) return 0;
  // Symmetric: invert the smaller tail, where the precision is.
  return p > 0.5 ? InvertUpperTail(1 - p, df) : -InvertUpperTail(p, df);
}

double StudentTCriticalValue(double confidence, double df) {
  return StudentTQuantile(1 - (1 - confidence) / 2, df);
}

}  // namespace perfcheck
