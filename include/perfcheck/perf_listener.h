// Old path of "perfcheck/gtest/perf_listener.h", kept for one release so code
// written for perfcheck 0.1 still builds; include the new path. Define
// PERFCHECK_WARN_DEPRECATED_HEADERS to have the compiler point at the includes
// still to change.
#ifndef PERFCHECK_FORWARD_PERF_LISTENER_H_
#define PERFCHECK_FORWARD_PERF_LISTENER_H_

#ifdef PERFCHECK_WARN_DEPRECATED_HEADERS
#pragma GCC warning \
    "\"perfcheck/perf_listener.h\" is deprecated: include \"perfcheck/gtest/perf_listener.h\""
#endif
#include "perfcheck/gtest/perf_listener.h"

#endif  // PERFCHECK_FORWARD_PERF_LISTENER_H_
