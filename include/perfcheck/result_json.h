// JSON form of a Result (schema "perfcheck.result/v1", documented in
// docs/result-schema.md). The histogram and the time series are stored in their
// lossless encoded form next to readable summary fields, so
// ResultFromJson(ResultToJson(r)) == r.
//
// Thread-safety: pure functions; WriteResultFile is safe to call concurrently
// for different paths, and for the same path (last writer wins, never a torn
// file).
#ifndef PERFCHECK_RESULT_JSON_H_
#define PERFCHECK_RESULT_JSON_H_

#include <filesystem>
#include <string>
#include <string_view>

#include "perfcheck/result.h"
#include "perfcheck/status.h"

namespace perfcheck {

inline constexpr std::string_view kResultSchema = "perfcheck.result/v1";

// Serializes `result`; `indent` < 0 gives one line.
std::string ResultToJson(const Result& result, int indent = 2);

// Parses a result document. `source` (a file name, usually) starts every error
// message, which then names the offending field, e.g.
//   "out/r.json: field 'latency.histogram': bad encoding: ..."
StatusOr<Result> ResultFromJson(std::string_view text, std::string_view source);

// Writes ResultToJson(result) to `path` atomically (temporary file in the same
// directory, then rename), creating parent directories.
Status WriteResultFile(const Result& result, const std::filesystem::path& path);

// Reads and parses a result file.
StatusOr<Result> ReadResultFile(const std::filesystem::path& path);

}  // namespace perfcheck

#endif  // PERFCHECK_RESULT_JSON_H_
