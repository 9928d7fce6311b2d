#include "perfcheck/verdict.h"

namespace perfcheck {

std::string_view VerdictName(Verdict v) {
  switch (v) {
    case Verdict::kUnchanged:
      return "unchanged";
    case Verdict::kRegression:
      return "regression";
    case Verdict::kImprovement:
      return "improvement";
    case Verdict::kNoisy:
      return "noisy";
    case Verdict::kInsufficientData:
      return "insufficient data";
    case Verdict::kNotComparable:
      return "not comparable";
    case Verdict::kError:
      return "error";
    case Verdict::kMissingInNew:
      return "missing in new";
    case Verdict::kNew:
      return "new";
    case Verdict::kCalibration:
      return "calibration";
  }
  return "unknown";
}

}  // namespace perfcheck
