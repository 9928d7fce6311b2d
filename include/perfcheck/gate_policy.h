// The policy every baseline gate follows: EXPECT_NO_REGRESSION,
// `perfcheck compare BASELINE --run BIN` and perfcheck_add_benchmark.
//
//   1. update mode: record the run, judge nothing     -> kBaselineUpdated
//   2. no baseline: write a candidate, pass            -> kNoBaseline
//   3. judge the run; if it regressed, measure once more and judge again
//      when the adapter can: still regressed          -> kRegression
//                            not in the confirmation  -> kUnconfirmed
//   4. no time judged (only other testbeds' runs):
//      write a candidate, pass                         -> kNotComparable
//   5. otherwise                                       -> kPass
//
// One slow run can be a neighbour's burst; a real regression is slower every
// time, so a first regression must repeat when a re-measurement is possible.
// A baseline is a reviewed decision: the gate never writes into it except in
// update mode; what it would record goes to a candidate file.
//
// The adapters supply the steps (how to measure, where baselines live, how a
// report reads) and translate the decision into their output: gtest's
// AssertionResult, the CLI's exit code. The judging itself is
// CompareToBaseline (regression.h) or CompareBenchmarks (benchmark_compare.h),
// both speaking the Verdict vocabulary of verdict.h.
//
// Thread-safety: RunGatePolicy is reentrant; the hooks run on the caller's
// thread, in the order above.
#ifndef PERFCHECK_GATE_POLICY_H_
#define PERFCHECK_GATE_POLICY_H_

#include <functional>
#include <optional>
#include <string_view>
#include <utility>

#include "perfcheck/status.h"

namespace perfcheck {

enum class GateOutcome {
  kBaselineUpdated,  // update mode: the run was recorded, nothing judged
  kNoBaseline,       // no baseline: candidate written, passes
  kNotComparable,    // baseline holds only other testbeds' time: passes
  kPass,             // judged, no regression
  kUnconfirmed,      // the first run regressed, the confirmation did not
  kRegression,       // regressed (confirmed when a re-run was possible): fails
};

// "baseline updated", "no baseline", "not comparable", "pass",
// "unconfirmed", "regression".
std::string_view GateOutcomeName(GateOutcome outcome);

template <typename Report>
struct GateSteps {
  // Records the run into the baseline; empty when update mode is off.
  std::function<Status()> update;
  // Loads the baseline and judges the run; nullopt when there is none.
  std::function<StatusOr<std::optional<Report>>()> judge;
  // Measures once more and judges again; empty when the run cannot be
  // repeated (a finished Result). Receives the first report, so an adapter
  // can merge the two (e.g. keep only regressions seen in both runs).
  std::function<StatusOr<Report>(const Report& first)> rejudge;
  // Writes what the gate would record into a candidate file.
  std::function<Status()> write_candidate;
  std::function<bool(const Report&)> regressed;
  // False when no time metric could be judged (testbed.h).
  std::function<bool(const Report&)> time_judged;
};

template <typename Report>
struct GateDecision {
  GateOutcome outcome = GateOutcome::kPass;
  std::optional<Report> first;         // absent for kBaselineUpdated/NoBaseline
  std::optional<Report> confirmation;  // present when a re-run was judged
  Status candidate;                    // of write_candidate, when it ran
};

// Runs the policy. An error of a step (unreadable baseline, failed re-run,
// failed update) is returned as is; a failed candidate write is not an
// error (the decision carries it).
template <typename Report>
StatusOr<GateDecision<Report>> RunGatePolicy(const GateSteps<Report>& steps) {
  GateDecision<Report> d;
  if (steps.update) {
    if (Status s = steps.update(); !s.ok()) return s;
    d.outcome = GateOutcome::kBaselineUpdated;
    return d;
  }
  StatusOr<std::optional<Report>> first = steps.judge();
  if (!first.ok()) return first.status();
  if (!first->has_value()) {
    d.outcome = GateOutcome::kNoBaseline;
    d.candidate = steps.write_candidate();
    return d;
  }
  d.first = std::move(**first);
  if (steps.regressed(*d.first)) {
    if (!steps.rejudge) {
      d.outcome = GateOutcome::kRegression;
      return d;
    }
    StatusOr<Report> again = steps.rejudge(*d.first);
    if (!again.ok()) return again.status();
    d.confirmation = std::move(*again);
    d.outcome = steps.regressed(*d.confirmation) ? GateOutcome::kRegression
                                                 : GateOutcome::kUnconfirmed;
    return d;
  }
  if (!steps.time_judged(*d.first)) {
    d.outcome = GateOutcome::kNotComparable;
    d.candidate = steps.write_candidate();
    return d;
  }
  d.outcome = GateOutcome::kPass;
  return d;
}

}  // namespace perfcheck

#endif  // PERFCHECK_GATE_POLICY_H_
