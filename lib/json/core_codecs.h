// The JSON forms of the core value types, shared by result files
// (result_json.cc), baseline files (baseline_store.cc) and the Google
// Benchmark adapter: histogram, fingerprint, time series, error categories,
// string maps and operation counts. Internal, like json/json.h.
//
// Each writer has a reader that inverts it. Readers throw FieldError (through
// `in`, which names the source) with the path of the offending field; see
// json/field_reader.h.
//
// Thread-safety: free functions over values; no shared state.
#ifndef PERFCHECK_LIB_JSON_CORE_CODECS_H_
#define PERFCHECK_LIB_JSON_CORE_CODECS_H_

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "json/field_reader.h"
#include "json/json.h"
#include "perfcheck/fingerprint.h"
#include "perfcheck/latency_histogram.h"
#include "perfcheck/operation_counts.h"
#include "perfcheck/resource_statistics.h"
#include "perfcheck/result.h"
#include "perfcheck/time_series.h"

namespace perfcheck::json_fields {

// {"histogram": Encode(), "count", "min_ns", "max_ns", "mean_ns", "p50_ns",
//  "p90_ns", "p95_ns", "p99_ns", "p999_ns"}; only "histogram" is read back.
Json HistogramToJson(const LatencyHistogram& h);
LatencyHistogram ReadHistogram(const FieldReader& in, const Json& latency_obj,
                               std::string_view path);

// Every Fingerprint field; "testbed" and "speed_probe_ns" only when set.
Json FingerprintToJson(const Fingerprint& f);
Fingerprint ReadFingerprint(const FieldReader& in, const Json& v,
                            std::string_view path);
// The optional testbed fields of fingerprint object `v` ("testbed",
// "speed_probe_ns") into *f; absent fields leave *f unchanged.
void ReadTestbed(const FieldReader& in, const Json& v, std::string_view path,
                 Fingerprint* f);

// {"interval_ns", "intervals": [{"start_ns", "ok", "errors", "p50_ns",
// "p95_ns", "p99_ns", "latency"}, ...]}; intervals in ascending start order.
Json TimeSeriesToJson(const TimeSeries& ts);
TimeSeries ReadTimeSeries(const FieldReader& in, const Json& v,
                          std::string_view path);

// {"<category>": {"count", "examples": [...]}, ...}.
Json ErrorsToJson(const std::map<std::string, ErrorCategory>& errors);
std::map<std::string, ErrorCategory> ReadErrors(const FieldReader& in,
                                                const Json& v,
                                                std::string_view path);

// {"<key>": "<value>", ...}.
Json StringMapToJson(const std::map<std::string, std::string>& m);
std::map<std::string, std::string> ReadStringMap(const FieldReader& in,
                                                 const Json& v,
                                                 std::string_view path);

// {"instructions": 12345.6, "allocations": 3, "allocated_bytes": 96,
// "operations": 10, "key": "x86_64 GCC 12.2.0 ..."}, each count present only
// when counted. The reader requires counts finite and >= 0, "operations" > 0
// and "key" non-empty when any count is present.
Json CountsToJson(const OperationCounts& counts);
OperationCounts ReadCounts(const FieldReader& in, const Json& v,
                           std::string_view path);

// [{"label", "pid", "name", "exited_ns" (only when set), "note" (only when
// non-empty), "samples": {"t_ns": [...], "cpu_percent": [...], "rss_bytes":
// [...], "threads": [...], "fds": [...]}}, ...]: the samples by column (one
// array per field, equal lengths), compact and ready to plot. The reader
// requires equal column lengths, t_ns ascending, cpu_percent finite and
// >= 0, rss_bytes and threads >= 0, fds >= -1.
Json ProcessSeriesToJson(const std::vector<ProcessSeries>& series);
std::vector<ProcessSeries> ReadProcessSeries(const FieldReader& in,
                                             const Json& v,
                                             std::string_view path);

}  // namespace perfcheck::json_fields

#endif  // PERFCHECK_LIB_JSON_CORE_CODECS_H_
