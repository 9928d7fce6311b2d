// Verdict: the one vocabulary of perfcheck's regression gates.
//
// EXPECT_NO_REGRESSION (regression.h), `perfcheck compare` and
// perfcheck_add_benchmark (benchmark_compare.h) judge each metric into one of
// these and print it by the same name, so their outputs read alike and a test
// can hold them to the same answer.
//
// Thread-safety: plain values and a pure function.
#ifndef PERFCHECK_VERDICT_H_
#define PERFCHECK_VERDICT_H_

#include <string_view>

namespace perfcheck {

enum class Verdict {
  kUnchanged,         // within the threshold, or not credibly beyond it
  kRegression,        // credibly worse by at least the threshold: fails
  kImprovement,       // credibly better by at least the threshold
  kNoisy,             // beyond the threshold but not credibly: cannot tell
  kInsufficientData,  // too few samples or repetitions to judge
  kNotComparable,     // time recorded on another testbed only: not judged
  kError,             // every run failed on the new side: fails
  kMissingInNew,      // only on the old side (informational)
  kNew,               // only on the new side (informational)
  kCalibration,       // the calibration reference: shown, never judged
};

// "unchanged", "regression", "improvement", "noisy", "insufficient data",
// "not comparable", "error", "missing in new", "new", "calibration".
std::string_view VerdictName(Verdict v);

// Whether `v` fails a gate (regression or error).
constexpr bool IsFailure(Verdict v) {
  return v == Verdict::kRegression || v == Verdict::kError;
}

}  // namespace perfcheck

#endif  // PERFCHECK_VERDICT_H_
