// Old path of "perfcheck/http/load.h", kept for one release so code written for
// perfcheck 0.1 still builds; include the new path. Define
// PERFCHECK_WARN_DEPRECATED_HEADERS to have the compiler point at the includes
// still to change.
#ifndef PERFCHECK_FORWARD_HTTP_LOAD_H_
#define PERFCHECK_FORWARD_HTTP_LOAD_H_

#ifdef PERFCHECK_WARN_DEPRECATED_HEADERS
#pragma GCC warning \
    "\"perfcheck/http_load.h\" is deprecated: include \"perfcheck/http/load.h\""
#endif
#include "perfcheck/http/load.h"

#endif  // PERFCHECK_FORWARD_HTTP_LOAD_H_
