// Threshold expressions of `perfcheck load --threshold`, k6 style:
//
//   p95<500ms   p99.9<=2s   max<1s   mean<200ms    latency percentiles/extremes
//   error_rate<1%   error_rate<0.01                 errors / all requests
//   rps>50   rps>=50                                successful responses per
//   second
//
// Soak runs (perfcheck/window_sla.h): a window length in brackets after the
// metric judges the bound in every tumbling window of that length from the
// run start, instead of over the whole run:
//   p99[1m]<2s   error_rate[30s]<1%   rps[1m]>=50
// and a drift bound on a percentile, judged over windows of 1 minute or of
// the length given in brackets:
//   drift(p95)<10%   drift(p95)[10s]<10%   p95 may rise less than 10% of
//                                          its level in the first windows
//                                          over the run (a t interval on the
//                                          slope; "<" and "<=" alike)
// A window must be a whole multiple of the time series' interval (1 s in
// `perfcheck load`, coarser past 1024 intervals: CheckAgainstRun()). max and
// mean take no window.
//
// Latency values need a unit (ns, us, ms, s, m); spaces are allowed around the
// operator. Judging uses perfcheck/sla.h (and window_sla.h), so the CLI and
// the gtest macros agree on every boundary.
//
// Thread-safety: pure functions.
#ifndef PERFCHECK_CLI_THRESHOLD_H_
#define PERFCHECK_CLI_THRESHOLD_H_

#include <optional>
#include <string>
#include <string_view>

#include "perfcheck/clock.h"
#include "perfcheck/duration.h"
#include "perfcheck/result.h"
#include "perfcheck/sla.h"
#include "perfcheck/status.h"

namespace perfcheck::cli {

struct Threshold {
  enum class Metric { kPercentile, kMax, kMean, kErrorRate, kRps, kDrift };
  enum class Op { kLess, kLessEqual, kGreater, kGreaterEqual };
  std::string text;  // as written, trimmed
  Metric metric = Metric::kPercentile;
  Op op = Op::kLess;
  double percentile = 0;  // kPercentile, kDrift
  Nanos limit_ns = 0;     // latency metrics
  // Error rate as a fraction, requests/second, or kDrift's allowed rise as
  // a fraction of the first windows' level.
  double value = 0;
  // > 0: judged in every window of this length (kDrift: always > 0).
  Nanos window_ns = 0;
};

struct ThresholdVerdict {
  bool passed = false;
  std::string measured;  // "p95 = 12.3 ms", "error rate = 0% (0 of 10 ...)"
  // The numbers compared, in `unit`: the measured value (nullopt when
  // nothing was measured) and the threshold's own limit as written.
  std::optional<double> observed;
  double limit = 0;
  SlaUnit unit = SlaUnit::kNanoseconds;
};

// "ns", "fraction", "per_second", "bytes", "percent_of_core", ...: how the
// JSON report names a unit.
std::string_view UnitName(SlaUnit unit);

// Parses one expression; the error says what is wrong and quotes it:
//   threshold 'p95<500': latency needs a unit (ns, us, ms, s, m), e.g. 500ms
StatusOr<Threshold> ParseThreshold(std::string_view text);

ThresholdVerdict Evaluate(const Threshold& threshold, const Result& result);

// Whether a run whose series has `interval_ns` intervals and lasts
// `planned_ns` can judge `threshold`'s windows: the window must be a whole
// multiple of the series' interval as it will be at the end of the run (it
// doubles past TimeSeries::kDefaultMaxIntervals), and a drift bound needs
// DriftOptions::min_windows windows. The error quotes the threshold and
// says what to change. OK for thresholds without a window.
Status CheckAgainstRun(const Threshold& threshold, Nanos interval_ns,
                       Nanos planned_ns);

// "10s", "500ms", "1.5m", "250us", "2h"; a bare number is rejected. The
// core's parser (perfcheck/duration.h), the one scenario files use too.
using perfcheck::ParseDuration;

}  // namespace perfcheck::cli

#endif  // PERFCHECK_CLI_THRESHOLD_H_
