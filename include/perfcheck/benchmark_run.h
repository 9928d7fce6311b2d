// Old path of "perfcheck/benchmark/run.h", kept for one release so code written
// for perfcheck 0.1 still builds; include the new path. Define
// PERFCHECK_WARN_DEPRECATED_HEADERS to have the compiler point at the includes
// still to change.
#ifndef PERFCHECK_FORWARD_BENCHMARK_RUN_H_
#define PERFCHECK_FORWARD_BENCHMARK_RUN_H_

#ifdef PERFCHECK_WARN_DEPRECATED_HEADERS
#pragma GCC warning \
    "\"perfcheck/benchmark_run.h\" is deprecated: include \"perfcheck/benchmark/run.h\""
#endif
#include "perfcheck/benchmark/run.h"

#endif  // PERFCHECK_FORWARD_BENCHMARK_RUN_H_
