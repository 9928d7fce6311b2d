// How a `perfcheck ab` report reads: for a terminal, a pull-request comment
// ($GITHUB_STEP_SUMMARY) and machines. Each starts with the per-test summary
// (verdict, rounds, wall time per run of each side: the cost of the gate)
// followed by the comparison rows as `perfcheck compare` renders them
// (benchmark_compare.h), so both gates read alike.
//
// RenderAbJson: schema "perfcheck.ab/v1":
//   {"schema", "seed", "rounds_run", "looks": [10, 15, 20],
//    "overall_confidence", "look_confidence", "budget_reached", "cancelled",
//    "wall_s", "tests": [{"test", "verdict", "rounds", "base_wall_s",
//    "head_wall_s"}], "not_perf_tests": [...],
//    "comparison": <perfcheck.compare/v1, docs/benchmark-gate.md>}
// Wall times are seconds summed over the test's rounds.
//
// Thread-safety: pure functions.
#ifndef PERFCHECK_AB_RENDER_H_
#define PERFCHECK_AB_RENDER_H_

#include <string>

#include "perfcheck/ab/run.h"

namespace perfcheck::ab {

std::string RenderAbTable(const AbReport& report, bool color);
std::string RenderAbMarkdown(const AbReport& report);
std::string RenderAbJson(const AbReport& report);

}  // namespace perfcheck::ab

#endif  // PERFCHECK_AB_RENDER_H_
