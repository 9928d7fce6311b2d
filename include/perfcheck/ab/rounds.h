// Judging A/B rounds of one perf test: base and head builds ran the same test
// in fresh processes, side by side, once per round (perfcheck/ab/run.h
// collects the rounds). Pure functions, so the rule is tested on crafted
// results without running anything.
//
// For every result the test wrote (matched by Result::name) and every metric
// EXPECT_NO_REGRESSION gates, each round gives one paired change:
//   p50, p95, p99, mean  log(head / base)
//   throughput           log(base / head)   (lower throughput is worse)
//   error rate           head - base        (a fraction; in points)
// and the changes over the rounds are judged by JudgePairedRounds
// (perfcheck/change_rule.h) against the threshold (log1p(threshold) for
// ratios, error_rate_threshold for the error rate). Both sides of a round ran
// at nearly the same moment on the same machine, so the ratio cancels the
// machine's speed and its slow phases; what remains is the change plus the
// noise between processes, which the rounds' spread measures.
//
// Rows (MetricComparisonRow, benchmark_compare.h) are named "TEST/RESULT";
// their values are the medians over the rounds used, change is head / base -
// 1 (error rate: head - base) with its interval, and the note counts rounds a
// side could not be used in. A result only the base wrote is "missing in
// new", one only the head wrote is "new"; a test whose head never completed
// while its base did is an "error" (fails the gate).
//
// Thread-safety: pure functions on values.
#ifndef PERFCHECK_AB_ROUNDS_H_
#define PERFCHECK_AB_ROUNDS_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "perfcheck/ab/gtest_binary.h"
#include "perfcheck/benchmark/compare.h"
#include "perfcheck/verdict.h"

namespace perfcheck::ab {

// One round of one test: both sides' runs.
struct Round {
  TestRun base;
  TestRun head;
};

struct TestRounds {
  std::string test;  // the row prefix, e.g. "OrderSearch.KeyAccountDashboard"
  std::vector<Round> rounds;
};

struct JudgeOptions {
  double threshold = 0.10;  // relative, time and throughput
  // Per-row overrides of `threshold`: the first ECMAScript regex that matches
  // part of the row name "TEST/RESULT" (std::regex_search) wins, as in
  // CompareOptions::thresholds.
  std::vector<std::pair<std::string, double>> thresholds;
  double error_rate_threshold = 0.01;  // absolute (1 point)
  double confidence = 0.99;            // of every interval, in (0, 1)
  std::size_t min_rounds = 5;          // fewer: "insufficient data"

  // The time threshold for row `name`; throws std::invalid_argument for a
  // bad regex or a name too long to match (CompareOptions::ThresholdFor).
  double ThresholdFor(std::string_view name) const;
  // Throws std::invalid_argument for values out of range or a bad regex.
  void Validate() const;
};

// A row with no values yet (NaN values, change and interval; method
// "signed-rank"): what JudgeTest fills in, and what stands for a whole test
// or result that cannot be judged per metric (metric "test" or "result",
// e.g. a test only one side lists).
MetricComparisonRow EmptyRow(const std::string& benchmark,
                             const std::string& metric, Verdict verdict,
                             const std::string& note = {});

// The rows for one test, in result order (first seen) then metric order
// p50, p95, p99, mean, throughput, error rate.
std::vector<MetricComparisonRow> JudgeTest(const TestRounds& test,
                                           const JudgeOptions& options);

// True when no row is noisy or insufficient data: more rounds would not
// change what is known.
bool Settled(const std::vector<MetricComparisonRow>& rows);

// The verdict of a test from its rows: error, then regression, noisy,
// insufficient data, improvement, unchanged (the first present wins).
Verdict TestVerdict(const std::vector<MetricComparisonRow>& rows);

}  // namespace perfcheck::ab

#endif  // PERFCHECK_AB_ROUNDS_H_
