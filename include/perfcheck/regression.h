// The regression gate: is a new Result credibly worse than its baseline?
//
// For each gated metric a regression is reported only when BOTH hold
// (docs/regression-method.md gives the reasoning and the parameters):
//  1. worse beyond the tolerance: the new run's confidence bound nearest the
//     baseline (lower bound for latency, upper bound for throughput) is worse
//     than the baseline reference (median of the recorded runs) by more than the
//     tolerance (default 10%; error rate: absolute points, default 1 point),
//     and also worse than the worst recorded run's value by more than the
//     tolerance (with one run the two are the same; with several, a band that
//     spreads by about the tolerance would otherwise give false alarms);
//  2. outside the baseline's noise band: that same bound is also worse than the
//     worst recorded baseline run's opposite confidence bound, so a new run that
//     looks like any run already recorded is never flagged.
// A metric better by more than the tolerance beyond the band is an
// "improvement" (a hint to refresh the baseline). When the recorded runs
// themselves spread by more than the tolerance, a worse-but-not-credible change
// is "noisy" rather than "unchanged" (as is any point value worse than the
// median by more than the tolerance that is not credible). Too few samples (< min_samples) in either
// side gives "insufficient data", never a guess.
//
// Thread-safety: pure functions.
#ifndef PERFCHECK_REGRESSION_H_
#define PERFCHECK_REGRESSION_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "perfcheck/baseline.h"
#include "perfcheck/result.h"

namespace perfcheck {

struct GateOptions {
  double tolerance = 0.10;             // relative, latency and throughput
  double error_rate_tolerance = 0.01;  // absolute
  double confidence = 0.99;            // of each confidence interval
  std::uint64_t min_samples = 20;
  // Per-metric overrides (the baseline entry's own tolerances win over these).
  std::map<Metric, double> tolerances;
};

enum class Verdict {
  kUnchanged,
  kRegression,
  kImprovement,
  kNoisy,
  kInsufficientData
};
std::string_view VerdictName(Verdict v);  // "unchanged", "regression", ...

struct MetricComparison {
  Metric metric;
  double baseline = 0;       // reference: median of the recorded runs
  double band_low = 0;       // smallest and largest recorded run value
  double band_high = 0;
  double measured = 0;       // the new run's point value
  double measured_low = 0;   // its confidence interval
  double measured_high = 0;
  double change = 0;         // measured / baseline - 1 (error rate: difference)
  double tolerance = 0;
  Verdict verdict = Verdict::kUnchanged;
};

struct RegressionReport {
  std::vector<MetricComparison> metrics;
  std::vector<std::string> machine_differences;  // baseline vs new fingerprint
  std::size_t baseline_runs = 0;

  bool HasRegression() const;
  bool HasImprovement() const;
  // A multi-line table: metric, baseline (band), measured [interval], change,
  // verdict; followed by fingerprint differences when there are any.
  std::string Describe() const;
};

// Compares `result` with `entry` (which must hold at least one run, else
// std::invalid_argument).
RegressionReport CompareToBaseline(const BaselineEntry& entry,
                                   const Result& result,
                                   const GateOptions& options = {});

}  // namespace perfcheck

#endif  // PERFCHECK_REGRESSION_H_
