#include "perfcheck/gate_policy.h"

namespace perfcheck {

std::string_view GateOutcomeName(GateOutcome outcome) {
  switch (outcome) {
    case GateOutcome::kBaselineUpdated:
      return "baseline updated";
    case GateOutcome::kNoBaseline:
      return "no baseline";
    case GateOutcome::kNotComparable:
      return "not comparable";
    case GateOutcome::kPass:
      return "pass";
    case GateOutcome::kUnconfirmed:
      return "unconfirmed";
    case GateOutcome::kRegression:
      return "regression";
  }
  return "unknown";
}

}  // namespace perfcheck
