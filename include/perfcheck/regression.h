// The regression gate: is a new Result credibly worse than its baseline?
//
// For each gated metric a regression is reported only when BOTH hold
// (docs/regression-method.md gives the reasoning and the parameters):
//  1. worse beyond the tolerance: the new run's confidence bound nearest the
//     baseline (lower bound for latency, upper bound for throughput) is worse
//     than the baseline reference (median of the recorded runs) by more than
//     the tolerance (default 10%; error rate: absolute points, default 1
//     point), and also worse than the worst recorded run's value by more than
//     the tolerance (with one run the two are the same; with several, a band
//     that spreads by about the tolerance would otherwise give false alarms);
//  2. outside the baseline's noise band: that same bound is also worse than the
//     worst recorded baseline run's opposite confidence bound, so a new run
//     that looks like any run already recorded is never flagged.
// A metric better by more than the tolerance beyond the band is an
// "improvement" (a hint to refresh the baseline). When the recorded runs
// themselves spread by more than the tolerance, a worse-but-not-credible change
// is "noisy" rather than "unchanged" (as is any point value worse than the
// median by more than the tolerance that is not credible). Too few samples (<
// min_samples) in either side gives "insufficient data", never a guess.
//
// Testbeds (testbed.h): time metrics (p50, p95, p99, mean, throughput) are
// judged only against the runs of the result's own testbed; with none, their
// verdict is "not comparable" and the report says which testbeds the baseline
// holds. The error rate does not depend on the machine's speed and is judged
// against every recorded run.
//
// Counts (instructions, allocations, allocated_bytes per operation;
// operation_counts.h) are exact, so they need no confidence interval: a count
// is a regression when it exceeds the largest recorded value of its counts key
// by more than the count tolerance (default 1%), an improvement when below the
// smallest by more than it, else unchanged. They are judged across testbeds but
// only against runs of the same counts key (compiler, flags, C library, ...);
// with none, "not comparable", and CountsNote() says which keys the baseline
// holds. A count the baseline never recorded is not shown.
//
// Thread-safety: pure functions.
#ifndef PERFCHECK_REGRESSION_H_
#define PERFCHECK_REGRESSION_H_

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "perfcheck/baseline.h"
#include "perfcheck/result.h"
#include "perfcheck/verdict.h"

namespace perfcheck {

struct GateOptions {
  double tolerance = 0.10;             // relative, latency and throughput
  double error_rate_tolerance = 0.01;  // absolute
  double confidence = 0.99;            // of each confidence interval
  std::uint64_t min_samples = 20;
  double count_tolerance = 0.01;  // relative, counts
  // False in an instruction-count run under Valgrind, whose times are
  // Valgrind's: time metrics are then left out of the report entirely.
  bool judge_time = true;
  // Per-metric overrides (the baseline entry's own tolerances win over these).
  std::map<Metric, double> tolerances;
};


struct MetricComparison {
  Metric metric;
  double baseline = 0;       // reference: median of the recorded runs
  double band_low = 0;       // smallest and largest recorded run value
  double band_high = 0;
  double measured = 0;       // the new run's point value
  double measured_low = 0;   // its confidence interval
  double measured_high = 0;
  double change = 0;  // measured / baseline - 1 (error rate: difference)
                      // counts: the interval is the point itself
  double tolerance = 0;
  Verdict verdict = Verdict::kUnchanged;
};

struct RegressionReport {
  std::vector<MetricComparison> metrics;
  std::vector<std::string> machine_differences;  // baseline vs new fingerprint
  std::size_t baseline_runs = 0;  // all recorded runs of the entry
  // The new run's testbed, and how many recorded runs are of it (the runs
  // time metrics were judged against).
  std::string testbed;
  std::size_t testbed_runs = 0;
  // Recorded runs per other testbed label, e.g. {"auto-1a2b3c4d", 5}; runs
  // of this testbed's name whose speed probe differs are listed as
  // "<name> [this machine 1.90x slower by the speed probe]".
  std::vector<std::pair<std::string, std::size_t>> other_testbeds;
  // The new run's counts key, and the other keys of recorded counts.
  std::string counts_key;
  std::size_t counts_key_runs = 0;  // recorded runs with counts of that key
  std::vector<std::string> other_counts_keys;
  // GateOptions::judge_time was false: time deliberately not judged.
  bool time_skipped = false;

  bool HasRegression() const;
  bool HasImprovement() const;
  // False when no time metric could be judged (no run of this testbed, or
  // time_skipped).
  bool TimeJudged() const;
  // Whether some count metric was judged (recorded with the same key).
  bool CountsJudged() const;
  // Whether this report judged anything beyond the error rate: time, or (in an
  // instruction-count run) counts.
  bool Judged() const;
  // "counts not judged: the baseline's counts were made by another build
  // (key ...), this run's by ..."; empty when no count was shown or some was
  // judged.
  std::string CountsNote() const;
  // One line for humans: "time not judged: the baseline holds no run of this
  // testbed (auto-1a2b3c4d), only 3 runs of testbed laptop". Empty when
  // TimeJudged().
  std::string TestbedNote() const;
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
