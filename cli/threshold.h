// Threshold expressions of `perfcheck load --threshold`, k6 style:
//
//   p95<500ms   p99.9<=2s   max<1s   mean<200ms    latency percentiles/extremes
//   error_rate<1%   error_rate<0.01                 errors / all requests
//   rps>50   rps>=50                                successful responses per
//   second
//
// Latency values need a unit (ns, us, ms, s, m); spaces are allowed around the
// operator. Judging uses perfcheck/sla.h, so the CLI and the gtest macros
// agree on every boundary.
//
// Thread-safety: pure functions.
#ifndef PERFCHECK_CLI_THRESHOLD_H_
#define PERFCHECK_CLI_THRESHOLD_H_

#include <optional>
#include <string>
#include <string_view>

#include "perfcheck/clock.h"
#include "perfcheck/result.h"
#include "perfcheck/sla.h"
#include "perfcheck/status.h"

namespace perfcheck::cli {

struct Threshold {
  enum class Metric { kPercentile, kMax, kMean, kErrorRate, kRps };
  enum class Op { kLess, kLessEqual, kGreater, kGreaterEqual };
  std::string text;  // as written, trimmed
  Metric metric = Metric::kPercentile;
  Op op = Op::kLess;
  double percentile = 0;  // kPercentile
  Nanos limit_ns = 0;     // latency metrics
  double value = 0;       // error rate as a fraction, or requests/second
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

// "ns", "fraction" or "per_second": how the JSON report names a unit.
std::string_view UnitName(SlaUnit unit);

// Parses one expression; the error says what is wrong and quotes it:
//   threshold 'p95<500': latency needs a unit (ns, us, ms, s, m), e.g. 500ms
StatusOr<Threshold> ParseThreshold(std::string_view text);

ThresholdVerdict Evaluate(const Threshold& threshold, const Result& result);

// "10s", "500ms", "1.5m", "250us", "2h"; a bare number is rejected.
StatusOr<Nanos> ParseDuration(std::string_view text);

}  // namespace perfcheck::cli

#endif  // PERFCHECK_CLI_THRESHOLD_H_
