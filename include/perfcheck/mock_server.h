// Old path of "perfcheck/contract/mock_server.h", kept for one release so code
// written for perfcheck 0.1 still builds; include the new path. Define
// PERFCHECK_WARN_DEPRECATED_HEADERS to have the compiler point at the includes
// still to change.
#ifndef PERFCHECK_FORWARD_MOCK_SERVER_H_
#define PERFCHECK_FORWARD_MOCK_SERVER_H_

#ifdef PERFCHECK_WARN_DEPRECATED_HEADERS
#pragma GCC warning \
    "\"perfcheck/mock_server.h\" is deprecated: include \"perfcheck/contract/mock_server.h\""
#endif
#include "perfcheck/contract/mock_server.h"

#endif  // PERFCHECK_FORWARD_MOCK_SERVER_H_
