#include "benchmark/series_metric.h"

#include <cmath>
#include <limits>

#include "perfcheck/rank_tests.h"

namespace perfcheck::benchmark_internal {

std::string SeriesMetric::Name() const {
  switch (kind) {
    case kCpu:
      return "cpu_time";
    case kReal:
      return "real_time";
    default:
      return counter;
  }
}

std::vector<SeriesMetric> MetricsOf(const CompareOptions& options) {
  switch (options.metric) {
    case TimeMetric::kCpuTime:
      return {{SeriesMetric::kCpu, ""}};
    case TimeMetric::kRealTime:
      return {{SeriesMetric::kReal, ""}};
    case TimeMetric::kBoth:
      return {{SeriesMetric::kCpu, ""}, {SeriesMetric::kReal, ""}};
    case TimeMetric::kCounter:
      return {{SeriesMetric::kCounter, options.counter}};
  }
  return {};
}

const std::vector<double>& ValuesOf(const BenchmarkSeries& s,
                                    const SeriesMetric& m) {
  static const std::vector<double> kNone;
  switch (m.kind) {
    case SeriesMetric::kCpu:
      return s.cpu_ns;
    case SeriesMetric::kReal:
      return s.real_ns;
    default: {
      auto it = s.counters.find(m.counter);
      return it == s.counters.end() ? kNone : it->second;
    }
  }
}

std::optional<double> AggregateOf(const BenchmarkSeries& s,
                                  const std::string& name,
                                  const SeriesMetric& m) {
  auto it = s.aggregates.find(name);
  if (it == s.aggregates.end()) return std::nullopt;
  const BenchmarkAggregate& a = it->second;
  if (m.kind == SeriesMetric::kCounter) {
    // A counter's mean/median/stddev rows carry the counter in its own unit.
    auto c = a.counters.find(m.counter);
    if (c == a.counters.end()) return std::nullopt;
    return c->second;
  }
  if (!a.is_time) return std::nullopt;
  return m.kind == SeriesMetric::kCpu ? a.cpu_time : a.real_time;
}

bool HasMetric(const BenchmarkSeries& s, const SeriesMetric& m) {
  return !ValuesOf(s, m).empty() || AggregateOf(s, "median", m) ||
         AggregateOf(s, "mean", m);
}

Moments MomentsOf(const BenchmarkSeries& s, const SeriesMetric& m) {
  const std::vector<double>& v = ValuesOf(s, m);
  Moments out;
  if (v.size() >= 2) {
    double sum = 0;
    for (double x : v) sum += x;
    out.mean = sum / static_cast<double>(v.size());
    double sq = 0;
    for (double x : v) sq += (x - out.mean) * (x - out.mean);
    out.stddev = std::sqrt(sq / static_cast<double>(v.size() - 1));
    out.n = static_cast<double>(v.size());
    out.ok = true;
    return out;
  }
  const std::optional<double> mean = AggregateOf(s, "mean", m);
  const std::optional<double> sd = AggregateOf(s, "stddev", m);
  if (mean && sd && s.declared_repetitions >= 2) {
    out.mean = *mean;
    out.stddev = *sd;
    out.n = s.declared_repetitions;
    out.ok = out.mean > 0;
  }
  return out;
}

double PointOf(const BenchmarkSeries& s, const SeriesMetric& m) {
  const std::vector<double>& v = ValuesOf(s, m);
  if (!v.empty()) return Median(v);
  for (const char* name : {"median", "mean"}) {
    if (std::optional<double> a = AggregateOf(s, name, m)) return *a;
  }
  return std::numeric_limits<double>::quiet_NaN();
}

std::size_t CountOf(const BenchmarkSeries& s, const SeriesMetric& m) {
  const std::size_t raw = ValuesOf(s, m).size();
  if (raw > 0) return raw;
  return AggregateOf(s, "median", m) || AggregateOf(s, "mean", m)
             ? static_cast<std::size_t>(s.declared_repetitions)
             : 0;
}

}  // namespace perfcheck::benchmark_internal
