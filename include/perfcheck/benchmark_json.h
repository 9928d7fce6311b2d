// Old path of "perfcheck/benchmark/json.h", kept for one release so code
// written for perfcheck 0.1 still builds; include the new path. Define
// PERFCHECK_WARN_DEPRECATED_HEADERS to have the compiler point at the includes
// still to change.
#ifndef PERFCHECK_FORWARD_BENCHMARK_JSON_H_
#define PERFCHECK_FORWARD_BENCHMARK_JSON_H_

#ifdef PERFCHECK_WARN_DEPRECATED_HEADERS
#pragma GCC warning \
    "\"perfcheck/benchmark_json.h\" is deprecated: include \"perfcheck/benchmark/json.h\""
#endif
#include "perfcheck/benchmark/json.h"

#endif  // PERFCHECK_FORWARD_BENCHMARK_JSON_H_
