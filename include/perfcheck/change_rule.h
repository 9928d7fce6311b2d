// The size rule of the regression gate for A/B evidence: how large and how
// sure a change must be before it is a regression. One rule, used by
// `perfcheck compare` (stored runs and interleaved rounds of Google Benchmark
// binaries, benchmark_compare.h) and by `perfcheck ab` (rounds of gtest perf
// tests, perfcheck/ab/ab_run.h).
//
// A change is a shift on a scale where "worse" is positive: log(new / old)
// for times, log(old / new) for rates, new - old for error rates (a fraction,
// so the shift is in points / 100). `t` is the threshold on the same scale:
// log1p(threshold) for ratios, the tolerance itself for differences.
//
//   regression   the interval lies above 0 (credibly worse), its upper end
//                reaches t, and the estimate is at least
//                  paired rounds: t / 2. Each round runs both sides at the
//                    same moment, so the rounds' spread covers the noise
//                    between processes and moments; a significant change
//                    whose interval reaches t and whose estimate is half of it
//                    is a change of the threshold's size;
//                  two runs: t itself. One process per side shows only the
//                    noise inside a process, not the drift between processes
//                    (docs/benchmark-gate.md, "Two runs in separate
//                    processes"), so the estimate itself must reach t;
//   improvement  the mirror image below 0;
//   noisy        neither, but the estimate is beyond t either way, or the
//                interval is wider than [-t, t]: the data cannot tell;
//   unchanged    otherwise.
//
// Thread-safety: pure functions.
#ifndef PERFCHECK_CHANGE_RULE_H_
#define PERFCHECK_CHANGE_RULE_H_

#include <cstddef>
#include <span>
#include <string>

#include "perfcheck/verdict.h"

namespace perfcheck {

// Estimate and interval of a change, on a scale where worse is positive.
struct Shift {
  double estimate = 0;
  double low = 0;  // -infinity / +infinity when no interval exists
  double high = 0;
  double p_value = 1;  // two-sided, of the test behind the interval
};

// What kind of evidence the shift rests on (see above).
enum class Evidence { kPairedRounds, kTwoRuns };

// The rule above. `t` > 0; the interval must be finite (callers report
// "insufficient data" otherwise).
[[nodiscard]] Verdict JudgeShift(const Shift& shift, double t,
                                 Evidence evidence);

// Paired rounds: one value per round, each the change of that round on the
// worse-is-positive scale (a log ratio or a difference). Hodges-Lehmann
// estimate of their median (Walsh averages) with the signed-rank interval at
// `confidence`, judged by JudgeShift(kPairedRounds). Fewer than `min_rounds`
// values, or too few for an interval at `confidence` (8 at 99%), give
// kInsufficientData with `note` saying so.
struct PairedJudgement {
  Shift shift;
  Verdict verdict = Verdict::kInsufficientData;
  std::string note;
};
[[nodiscard]] PairedJudgement JudgePairedRounds(std::span<const double> changes,
                                                double t, double confidence,
                                                std::size_t min_rounds);

}  // namespace perfcheck

#endif  // PERFCHECK_CHANGE_RULE_H_
