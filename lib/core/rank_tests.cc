#include "perfcheck/rank_tests.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace perfcheck {
namespace {

// Above these sizes the exact null distributions cost more than they are
// worth: the normal approximation is already good there.
constexpr std::int64_t kExactUPairs = 2500;
constexpr int kExactSignedRankN = 200;

constexpr double kInf = std::numeric_limits<double>::infinity();

void CheckSample(std::span<const double> v, const char* what) {
  if (v.empty()) {
    throw std::invalid_argument(std::string(what) + ": empty sample");
  }
  for (double x : v) {
    if (std::isnan(x)) {
      throw std::invalid_argument(std::string(what) + ": NaN in sample");
    }
  }
}

void CheckConfidence(double confidence, const char* what) {
  if (!(confidence > 0.0 && confidence < 1.0)) {
    throw std::invalid_argument(std::string(what) +
                                ": confidence must be in (0, 1), got " +
                                std::to_string(confidence));
  }
}

// Upper tail of the standard normal, twice: the two-sided p-value of |z|.
double TwoSidedNormalP(double z) {
  return std::min(1.0, std::erfc(std::fabs(z) / std::sqrt(2.0)));
}

// Cumulative null distribution of U for sizes n1, n2 (no ties):
// cdf[u] = P(U <= u), u = 0..n1*n2. Probabilities rather than counts keep the
// recursion P(n, m; u) = n/(n+m) P(n-1, m; u-m) + m/(n+m) P(n, m-1; u)
// (the largest observation comes from x or y) free of overflow.
std::vector<double> MannWhitneyDistribution(int n1, int n2) {
  const int total = n1 * n2;
  // prev[n][u] holds P(n, m-1; u); cur[n][u] holds P(n, m; u).
  std::vector<std::vector<double>> prev(n1 + 1, std::vector<double>(total + 1));
  std::vector<std::vector<double>> cur = prev;
  for (int n = 0; n <= n1; ++n) prev[n][0] = 1.0;  // m = 0: U is always 0
  for (int m = 1; m <= n2; ++m) {
    for (int n = 0; n <= n1; ++n) {
      std::fill(cur[n].begin(), cur[n].end(), 0.0);
      if (n == 0) {
        cur[0][0] = 1.0;
        continue;
      }
      const double px = static_cast<double>(n) / (n + m);
      const double py = static_cast<double>(m) / (n + m);
      // The largest value is an x: it exceeds all m y's, adding m to U.
      for (int u = m; u <= n * m; ++u) cur[n][u] += px * cur[n - 1][u - m];
      for (int u = 0; u <= n * (m - 1); ++u) cur[n][u] += py * prev[n][u];
    }
    std::swap(prev, cur);
  }
  std::vector<double> cdf(total + 1);
  double sum = 0;
  for (int u = 0; u <= total; ++u) {
    sum += prev[n1][u];
    cdf[u] = std::min(1.0, sum);
  }
  return cdf;
}

// cdf[t] = P(T+ <= t) for n differences without ties.
std::vector<double> SignedRankDistribution(int n) {
  const int total = n * (n + 1) / 2;
  std::vector<double> p(total + 1, 0.0);
  p[0] = 1.0;
  int reach = 0;
  for (int k = 1; k <= n; ++k) {
    reach += k;
    for (int t = reach; t >= 0; --t) {
      p[t] = 0.5 * p[t] + (t >= k ? 0.5 * p[t - k] : 0.0);
    }
  }
  std::vector<double> cdf(total + 1);
  double sum = 0;
  for (int t = 0; t <= total; ++t) {
    sum += p[t];
    cdf[t] = std::min(1.0, sum);
  }
  return cdf;
}

// Largest c in [0, max] with cdf(c) <= tail, or -1 when even cdf(0) > tail.
template <class Cdf>
std::int64_t CriticalValue(std::int64_t max, double tail, Cdf cdf) {
  std::int64_t c = -1;
  for (std::int64_t u = 0; u <= max; ++u) {
    if (cdf(u) <= tail) {
      c = u;
    } else {
      break;
    }
  }
  return c;
}

// Midranks of `values` (1-based) and the tie correction sum of t^3 - t.
std::vector<double> MidRanks(const std::vector<double>& values,
                             double* tie_term) {
  const std::size_t n = values.size();
  std::vector<std::size_t> order(n);
  for (std::size_t i = 0; i < n; ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return values[a] < values[b];
  });
  std::vector<double> ranks(n);
  *tie_term = 0;
  for (std::size_t i = 0; i < n;) {
    std::size_t j = i;
    while (j + 1 < n && values[order[j + 1]] == values[order[i]]) ++j;
    const double rank =
        (static_cast<double>(i) + static_cast<double>(j)) / 2.0 + 1.0;
    for (std::size_t k = i; k <= j; ++k) ranks[order[k]] = rank;
    const double t = static_cast<double>(j - i + 1);
    *tie_term += t * t * t - t;
    i = j + 1;
  }
  return ranks;
}

double SortedMedian(const std::vector<double>& sorted) {
  const std::size_t n = sorted.size();
  return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0;
}

}  // namespace

double MannWhitneyCdf(int n1, int n2, std::int64_t u) {
  if (n1 <= 0 || n2 <= 0) {
    throw std::invalid_argument(
        "MannWhitneyCdf: sample sizes must be positive");
  }
  if (u < 0) return 0.0;
  if (u >= static_cast<std::int64_t>(n1) * n2) return 1.0;
  return MannWhitneyDistribution(n1, n2)[u];
}

double SignedRankCdf(int n, std::int64_t t) {
  if (n <= 0) {
    throw std::invalid_argument("SignedRankCdf: n must be positive");
  }
  if (t < 0) return 0.0;
  if (t >= static_cast<std::int64_t>(n) * (n + 1) / 2) return 1.0;
  return SignedRankDistribution(n)[t];
}

double Median(std::span<const double> v) {
  CheckSample(v, "Median");
  std::vector<double> s(v.begin(), v.end());
  std::sort(s.begin(), s.end());
  return SortedMedian(s);
}

double MannWhitneyPValue(std::span<const double> x, std::span<const double> y) {
  CheckSample(x, "MannWhitneyPValue");
  CheckSample(y, "MannWhitneyPValue");
  const auto n1 = static_cast<std::int64_t>(x.size());
  const auto n2 = static_cast<std::int64_t>(y.size());
  std::vector<double> all(x.begin(), x.end());
  all.insert(all.end(), y.begin(), y.end());
  double tie_term = 0;
  const std::vector<double> ranks = MidRanks(all, &tie_term);
  double r1 = 0;
  for (std::int64_t i = 0; i < n1; ++i) r1 += ranks[i];
  const double u = r1 - static_cast<double>(n1 * (n1 + 1)) / 2.0;
  const double pairs = static_cast<double>(n1 * n2);
  if (tie_term == 0 && n1 * n2 <= kExactUPairs) {
    const std::vector<double> cdf =
        MannWhitneyDistribution(static_cast<int>(n1), static_cast<int>(n2));
    const auto ui = static_cast<std::int64_t>(std::llround(u));
    const auto mirror = n1 * n2 - ui;  // P(U >= u) = P(U <= n1 n2 - u)
    return std::min(1.0, 2.0 * std::min(cdf[ui], cdf[mirror]));
  }
  const double n = static_cast<double>(n1 + n2);
  const double var = pairs / 12.0 * ((n + 1.0) - tie_term / (n * (n - 1.0)));
  if (var <= 0) return 1.0;  // every value tied
  const double dev = std::max(0.0, std::fabs(u - pairs / 2.0) - 0.5);
  return TwoSidedNormalP(dev / std::sqrt(var));
}

ShiftEstimate HodgesLehmannShift(std::span<const double> x,
                                 std::span<const double> y, double confidence) {
  CheckSample(x, "HodgesLehmannShift");
  CheckSample(y, "HodgesLehmannShift");
  CheckConfidence(confidence, "HodgesLehmannShift");
  const auto n1 = static_cast<int>(x.size());
  const auto n2 = static_cast<int>(y.size());
  std::vector<double> d;
  d.reserve(x.size() * y.size());
  for (double b : y) {
    for (double a : x) d.push_back(b - a);
  }
  std::sort(d.begin(), d.end());
  ShiftEstimate s;
  s.estimate = SortedMedian(d);
  s.p_value = MannWhitneyPValue(x, y);
  const double tail = (1.0 - confidence) / 2.0;
  const std::int64_t pairs = static_cast<std::int64_t>(n1) * n2;
  std::int64_t c;
  if (pairs <= kExactUPairs) {
    const std::vector<double> cdf = MannWhitneyDistribution(n1, n2);
    c = CriticalValue(pairs, tail, [&](std::int64_t u) { return cdf[u]; });
  } else {
    const double z = NormalCriticalValue(confidence);
    c = static_cast<std::int64_t>(std::floor(
        static_cast<double>(pairs) / 2.0 -
        z * std::sqrt(static_cast<double>(pairs) * (n1 + n2 + 1) / 12.0)));
  }
  if (c < 0) {
    s.low = -kInf;
    s.high = kInf;
  } else {
    s.low = d[c];
    s.high = d[pairs - 1 - c];
  }
  return s;
}

double SignedRankPValue(std::span<const double> d) {
  CheckSample(d, "SignedRankPValue");
  std::vector<double> nonzero;
  for (double v : d) {
    if (v != 0) nonzero.push_back(v);
  }
  if (nonzero.empty()) return 1.0;
  const auto n = static_cast<std::int64_t>(nonzero.size());
  std::vector<double> abs_values;
  for (double v : nonzero) abs_values.push_back(std::fabs(v));
  double tie_term = 0;
  const std::vector<double> ranks = MidRanks(abs_values, &tie_term);
  double t_plus = 0;
  for (std::size_t i = 0; i < nonzero.size(); ++i) {
    if (nonzero[i] > 0) t_plus += ranks[i];
  }
  const double total = static_cast<double>(n * (n + 1)) / 2.0;
  if (tie_term == 0 && n <= kExactSignedRankN) {
    const std::vector<double> cdf = SignedRankDistribution(static_cast<int>(n));
    const auto t = static_cast<std::int64_t>(std::llround(t_plus));
    const auto mirror = n * (n + 1) / 2 - t;
    return std::min(1.0, 2.0 * std::min(cdf[t], cdf[mirror]));
  }
  const double nd = static_cast<double>(n);
  const double var =
      nd * (nd + 1.0) * (2.0 * nd + 1.0) / 24.0 - tie_term / 48.0;
  if (var <= 0) return 1.0;
  const double dev = std::max(0.0, std::fabs(t_plus - total / 2.0) - 0.5);
  return TwoSidedNormalP(dev / std::sqrt(var));
}

ShiftEstimate WalshShift(std::span<const double> d, double confidence) {
  CheckSample(d, "WalshShift");
  CheckConfidence(confidence, "WalshShift");
  const auto n = static_cast<std::int64_t>(d.size());
  std::vector<double> walsh;
  walsh.reserve(static_cast<std::size_t>(n * (n + 1) / 2));
  for (std::int64_t i = 0; i < n; ++i) {
    for (std::int64_t j = i; j < n; ++j) walsh.push_back((d[i] + d[j]) / 2.0);
  }
  std::sort(walsh.begin(), walsh.end());
  ShiftEstimate s;
  s.estimate = SortedMedian(walsh);
  s.p_value = SignedRankPValue(d);
  const double tail = (1.0 - confidence) / 2.0;
  const std::int64_t m = n * (n + 1) / 2;
  std::int64_t c;
  if (n <= kExactSignedRankN) {
    const std::vector<double> cdf = SignedRankDistribution(static_cast<int>(n));
    c = CriticalValue(m, tail, [&](std::int64_t t) { return cdf[t]; });
  } else {
    const double z = NormalCriticalValue(confidence);
    const double nd = static_cast<double>(n);
    c = static_cast<std::int64_t>(
        std::floor(nd * (nd + 1.0) / 4.0 -
                   z * std::sqrt(nd * (nd + 1.0) * (2.0 * nd + 1.0) / 24.0)));
  }
  if (c < 0) {
    s.low = -kInf;
    s.high = kInf;
  } else {
    s.low = walsh[c];
    s.high = walsh[m - 1 - c];
  }
  return s;
}

ConfidenceInterval MedianInterval(std::span<const double> v,
                                  double confidence) {
  CheckSample(v, "MedianInterval");
  CheckConfidence(confidence, "MedianInterval");
  std::vector<double> s(v.begin(), v.end());
  std::sort(s.begin(), s.end());
  const auto n = static_cast<std::int64_t>(s.size());
  const double tail = (1.0 - confidence) / 2.0;
  // P(Bin(n, 1/2) <= k), summed in log space so large n does not underflow.
  const double log_half_n = static_cast<double>(n) * std::log(0.5);
  const double log_n_fact = std::lgamma(static_cast<double>(n) + 1.0);
  double cdf = 0;
  std::int64_t k = -1;
  for (std::int64_t i = 0; i < n; ++i) {
    cdf += std::exp(log_n_fact - std::lgamma(static_cast<double>(i) + 1.0) -
                    std::lgamma(static_cast<double>(n - i) + 1.0) + log_half_n);
    if (cdf <= tail) {
      k = i;
    } else {
      break;
    }
  }
  if (k < 0) return {-kInf, kInf};
  return {s[k], s[n - 1 - k]};
}

}  // namespace perfcheck
