// Old path of "perfcheck/db/plan.h", kept for one release so code written for
// perfcheck 0.1 still builds; include the new path. Define
// PERFCHECK_WARN_DEPRECATED_HEADERS to have the compiler point at the includes
// still to change.
#ifndef PERFCHECK_FORWARD_DB_PLAN_H_
#define PERFCHECK_FORWARD_DB_PLAN_H_

#ifdef PERFCHECK_WARN_DEPRECATED_HEADERS
#pragma GCC warning \
    "\"perfcheck/db_plan.h\" is deprecated: include \"perfcheck/db/plan.h\""
#endif
#include "perfcheck/db/plan.h"

#endif  // PERFCHECK_FORWARD_DB_PLAN_H_
