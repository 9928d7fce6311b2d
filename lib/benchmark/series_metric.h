// Internal to perfcheck::benchmark: the values of one metric of a benchmark
// series (a time or a user counter), from its repetitions or, for
// aggregates-only files, from its aggregate rows.
#ifndef PERFCHECK_LIB_BENCHMARK_SERIES_METRIC_H_
#define PERFCHECK_LIB_BENCHMARK_SERIES_METRIC_H_

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "perfcheck/benchmark/compare.h"
#include "perfcheck/benchmark/json.h"

namespace perfcheck::benchmark_internal {

// What one comparison row judges.
struct SeriesMetric {
  enum Kind { kCpu, kReal, kCounter };
  Kind kind = kCpu;
  std::string counter;  // with kCounter

  // "cpu_time", "real_time" or the counter's name.
  std::string Name() const;
};

// The metrics `options` asks for, in row order.
std::vector<SeriesMetric> MetricsOf(const CompareOptions& options);

// One value per successful repetition (empty when the counter is absent).
const std::vector<double>& ValuesOf(const BenchmarkSeries& s,
                                    const SeriesMetric& m);
// The metric in aggregate `name` ("mean", "median", "stddev"), if written.
std::optional<double> AggregateOf(const BenchmarkSeries& s,
                                  const std::string& name,
                                  const SeriesMetric& m);
// True when the series has the metric at all (repetitions or aggregates).
bool HasMetric(const BenchmarkSeries& s, const SeriesMetric& m);

// Mean, standard deviation and count: from the repetitions, or from the
// aggregates of an aggregates-only file.
struct Moments {
  double mean = 0;
  double stddev = 0;
  double n = 0;
  bool ok = false;
};
Moments MomentsOf(const BenchmarkSeries& s, const SeriesMetric& m);

// Median of the repetitions, else the median or mean aggregate; NaN if none.
double PointOf(const BenchmarkSeries& s, const SeriesMetric& m);

// Repetitions behind the metric (declared repetitions for aggregates).
std::size_t CountOf(const BenchmarkSeries& s, const SeriesMetric& m);

// A row for a benchmark judged on one side only (missing in new, new).
MetricComparisonRow OneSidedRow(const std::string& name, const SeriesMetric& m,
                                BenchmarkVerdict verdict, double old_value,
                                double new_value,
                                const CompareOptions& options);

}  // namespace perfcheck::benchmark_internal

#endif  // PERFCHECK_LIB_BENCHMARK_SERIES_METRIC_H_
