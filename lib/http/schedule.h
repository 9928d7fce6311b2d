// Ramp schedules of the load engine (internal): the target (active
// connections or requests/second) as a function of time into the run.
#ifndef PERFCHECK_LIB_HTTP_SCHEDULE_H_
#define PERFCHECK_LIB_HTTP_SCHEDULE_H_

#include <vector>

#include "perfcheck/clock.h"
#include "perfcheck/http/load.h"

namespace perfcheck::http::internal {

// Piecewise-linear target at `offset_ns` into the run: starts at `from` and
// moves to each stage's target over its duration; after the last stage, the
// last target. Without stages: `from`.
double TargetAt(const std::vector<Stage>& stages, double from, Nanos offset_ns);

// Largest target over the run (>= from).
double MaxTarget(const std::vector<Stage>& stages, double from);

// Open model: walks the rate schedule from `from_ns` (offset into the run)
// until `*need` more requests of a per-thread share 1/`share` of the rate are
// due, integrating the piecewise-linear rate in 1 ms steps (exact for a
// constant rate). Returns true with *next_ns = the due time; looks at most
// 10 s ahead and otherwise returns false with *next_ns = where it stopped and
// *need = what is still missing (a rate of zero for a while).
bool NextDue(const std::vector<Stage>& stages, double from, double share,
             Nanos from_ns, double* need, Nanos* next_ns);

}  // namespace perfcheck::http::internal

#endif  // PERFCHECK_LIB_HTTP_SCHEDULE_H_
