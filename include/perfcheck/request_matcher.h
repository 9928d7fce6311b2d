// Old path of "perfcheck/contract/request_matcher.h", kept for one release so
// code written for perfcheck 0.1 still builds; include the new path. Define
// PERFCHECK_WARN_DEPRECATED_HEADERS to have the compiler point at the includes
// still to change.
#ifndef PERFCHECK_FORWARD_REQUEST_MATCHER_H_
#define PERFCHECK_FORWARD_REQUEST_MATCHER_H_

#ifdef PERFCHECK_WARN_DEPRECATED_HEADERS
#pragma GCC warning \
    "\"perfcheck/request_matcher.h\" is deprecated: include \"perfcheck/contract/request_matcher.h\""
#endif
#include "perfcheck/contract/request_matcher.h"

#endif  // PERFCHECK_FORWARD_REQUEST_MATCHER_H_
