// Reading the inputs of `perfcheck report` into report sections
// (perfcheck/report/section.h). The kind of an input is told by its content,
// never by its name:
//   - a directory: a gtest perf results directory (PERFCHECK_RESULTS_DIR,
//     default perfcheck-results/): every *.json in it is a result file, one
//     section each, in name order;
//   - "schema": "perfcheck.result/v1..." : a result file;
//   - "schema": "perfcheck.compare/v1..." : `perfcheck compare --json`;
//   - no schema, with "total_requests" and "latency_ms": `perfcheck load
//     --json` (its optional "series", "latency_histogram" and "resources"
//     are drawn when present).
//
// Errors (Status): a file that cannot be read, is not JSON, is of no known
// kind, or lacks a field or has one of the wrong type; the message starts
// with the file and names the field, e.g.
//   "run.json: field 'endpoints.GET /a.latency_ms.p95': expected a number,
//    found string".
//
// Thread-safety: pure functions (they only read the named files).
#ifndef PERFCHECK_REPORT_INPUTS_H_
#define PERFCHECK_REPORT_INPUTS_H_

#include <filesystem>
#include <string_view>
#include <vector>

#include "perfcheck/report/section.h"
#include "perfcheck/result.h"
#include "perfcheck/status.h"

namespace perfcheck::report {

// One section per input (a directory gives one per result file in it).
StatusOr<std::vector<ReportSection>> ReadReportInputs(
    const std::vector<std::filesystem::path>& inputs);

// A load JSON document (`perfcheck load --json`). `source` starts every error
// message. `run`, when given, is the aggregate of the run the document
// describes: its histogram and series are drawn where the document has none
// (perfcheck load --html passes it); the numbers stay the document's.
StatusOr<ReportSection> SectionFromLoadJson(std::string_view text,
                                            std::string_view source,
                                            const Result* run = nullptr);

// A compare document (`perfcheck compare --json`, perfcheck.compare/v1).
StatusOr<ReportSection> SectionFromCompareJson(std::string_view text,
                                               std::string_view source);

}  // namespace perfcheck::report

#endif  // PERFCHECK_REPORT_INPUTS_H_
