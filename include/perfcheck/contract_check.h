// Old path of "perfcheck/contract/check.h", kept for one release so code
// written for perfcheck 0.1 still builds; include the new path. Define
// PERFCHECK_WARN_DEPRECATED_HEADERS to have the compiler point at the includes
// still to change.
#ifndef PERFCHECK_FORWARD_CONTRACT_CHECK_H_
#define PERFCHECK_FORWARD_CONTRACT_CHECK_H_

#ifdef PERFCHECK_WARN_DEPRECATED_HEADERS
#pragma GCC warning \
    "\"perfcheck/contract_check.h\" is deprecated: include \"perfcheck/contract/check.h\""
#endif
#include "perfcheck/contract/check.h"

#endif  // PERFCHECK_FORWARD_CONTRACT_CHECK_H_
