// The JSON form of OperationCounts (operation_counts.h), shared by result files
// and baseline runs: {"instructions": 12345.6, "allocations": 3,
// "allocated_bytes": 96, "operations": 10, "key": "x86_64 GCC 12.2.0 ..."},
// each count present only when counted. Not a public header.
#ifndef PERFCHECK_LIB_REPORT_COUNTS_JSON_H_
#define PERFCHECK_LIB_REPORT_COUNTS_JSON_H_

#include <string_view>

#include "perfcheck/operation_counts.h"
#include "report/json_fields.h"

namespace perfcheck::json_fields {

Json CountsToJson(const OperationCounts& counts);
// Reads object `v` found at `path`: counts must be finite and >= 0,
// "operations" > 0 and "key" non-empty when any count is present.
OperationCounts ReadCounts(const FieldReader& in, const Json& v,
                           std::string_view path);

}  // namespace perfcheck::json_fields

#endif  // PERFCHECK_LIB_REPORT_COUNTS_JSON_H_
