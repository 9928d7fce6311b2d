#include "perfcheck/change_rule.h"

#include <cmath>

#include "perfcheck/rank_tests.h"

namespace perfcheck {

Verdict JudgeShift(const Shift& s, double t, Evidence evidence) {
  const double size = evidence == Evidence::kPairedRounds ? t / 2 : t;
  if (s.low > 0 && s.high >= t && s.estimate >= size) {
    return Verdict::kRegression;
  }
  if (s.high < 0 && s.low <= -t && s.estimate <= -size) {
    return Verdict::kImprovement;
  }
  if (std::fabs(s.estimate) >= t || s.high - s.low > 2 * t) {
    return Verdict::kNoisy;
  }
  return Verdict::kUnchanged;
}

PairedJudgement JudgePairedRounds(std::span<const double> changes, double t,
                                  double confidence, std::size_t min_rounds) {
  PairedJudgement j;
  if (changes.empty()) {
    j.note = "no round with both sides";
    return j;
  }
  const ShiftEstimate w = WalshShift(changes, confidence);
  j.shift = {w.estimate, w.low, w.high, w.p_value};
  if (changes.size() < min_rounds || !std::isfinite(w.low) ||
      !std::isfinite(w.high)) {
    j.note = "too few rounds for an interval at this confidence";
    return j;
  }
  j.verdict = JudgeShift(j.shift, t, Evidence::kPairedRounds);
  return j;
}

}  // namespace perfcheck
