// Old path of "perfcheck/benchmark/compare.h", kept for one release so code
// written for perfcheck 0.1 still builds; include the new path. Define
// PERFCHECK_WARN_DEPRECATED_HEADERS to have the compiler point at the includes
// still to change.
#ifndef PERFCHECK_FORWARD_BENCHMARK_COMPARE_H_
#define PERFCHECK_FORWARD_BENCHMARK_COMPARE_H_

#ifdef PERFCHECK_WARN_DEPRECATED_HEADERS
#pragma GCC warning \
    "\"perfcheck/benchmark_compare.h\" is deprecated: include \"perfcheck/benchmark/compare.h\""
#endif
#include "perfcheck/benchmark/compare.h"

#endif  // PERFCHECK_FORWARD_BENCHMARK_COMPARE_H_
