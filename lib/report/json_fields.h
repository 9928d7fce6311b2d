// Internal helpers shared by the result writer/reader (result_json.cc) and the
// baseline store (baseline_store.cc): JSON forms of the core value types, typed
// field getters whose errors name the source and the field path, and atomic
// file replacement. Not a public header: nlohmann/json stays out of
// include/perfcheck.
//
// Readers throw FieldError (carrying the full message); each public entry point
// catches it and turns it into a Status, so no exception escapes the library.
#ifndef PERFCHECK_LIB_REPORT_JSON_FIELDS_H_
#define PERFCHECK_LIB_REPORT_JSON_FIELDS_H_

#include <cstdint>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <string_view>

#include "perfcheck/clock.h"
#include "perfcheck/fingerprint.h"
#include "perfcheck/latency_histogram.h"
#include "perfcheck/result.h"
#include "perfcheck/status.h"
#include "perfcheck/time_series.h"

namespace perfcheck::json_fields {

// Insertion-ordered, so written documents read top-down ("schema" first) and
// the key order is stable from one write to the next.
using Json = nlohmann::ordered_json;

// A malformed document; what() is the complete, user-facing message.
class FieldError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The top level of the JSON document `text` with everything nested discarded
// while parsing (an object or array there stays, empty): enough to tell the
// kind of a file ("schema", "benchmarks") without building the whole document
// only to parse it again. A discarded value (is_discarded()) when `text` is
// not valid JSON. Never throws.
Json ParseTopLevel(std::string_view text);

// "a.b" / "b" when `path` is empty.
std::string Join(std::string_view path, std::string_view key);
// "a[3]".
std::string Index(std::string_view path, std::size_t i);

// Typed access to a document read from `source` (a file name, usually). Every
// failure throws FieldError with "<source>: field '<path>': <what is wrong>".
class FieldReader {
 public:
  explicit FieldReader(std::string_view source) : source_(source) {}

  const std::string& source() const { return source_; }

  // Parses `text`; throws "<source>: not valid JSON: ..." (covers truncation).
  Json Parse(std::string_view text) const;
  // Requires doc["schema"] == `expected`; names the schema found otherwise and
  // says whether its major version is unknown to this reader.
  void CheckSchema(const Json& doc, std::string_view expected) const;

  [[noreturn]] void Fail(std::string_view path, std::string_view what) const;

  // `value` itself must be an object / array.
  void ExpectObject(const Json& value, std::string_view path) const;
  void ExpectArray(const Json& value, std::string_view path) const;

  // Field `key` of object `obj` (found at `obj_path`), which must exist.
  const Json& Field(const Json& obj, std::string_view obj_path,
                    std::string_view key) const;
  const Json& Object(const Json& obj, std::string_view obj_path,
                     std::string_view key) const;
  const Json& Array(const Json& obj, std::string_view obj_path,
                    std::string_view key) const;
  std::string String(const Json& obj, std::string_view obj_path,
                     std::string_view key) const;
  std::int64_t Int64(const Json& obj, std::string_view obj_path,
                     std::string_view key) const;
  std::uint64_t Uint64(const Json& obj, std::string_view obj_path,
                       std::string_view key) const;
  int Int(const Json& obj, std::string_view obj_path,
          std::string_view key) const;
  double Number(const Json& obj, std::string_view obj_path,
                std::string_view key) const;
  // A number in [0, 1] (an error rate).
  double Fraction(const Json& obj, std::string_view obj_path,
                  std::string_view key) const;
  // An ISO 8601 UTC time stamp as perfcheck writes it, "2024-05-02T09:14:03Z"
  // (a real date and time, not just the shape).
  std::string Timestamp(const Json& obj, std::string_view obj_path,
                        std::string_view key) const;

  // Value-level variants, for array elements and map values.
  std::string AsString(const Json& v, std::string_view path) const;
  std::int64_t AsInt64(const Json& v, std::string_view path) const;
  std::uint64_t AsUint64(const Json& v, std::string_view path) const;
  double AsNumber(const Json& v, std::string_view path) const;

  // Readers of the shared value types (inverse of the writers below).
  LatencyHistogram Histogram(const Json& latency_obj,
                             std::string_view path) const;
  Fingerprint ReadFingerprint(const Json& v, std::string_view path) const;
  // The optional testbed fields of fingerprint object `v` ("testbed",
  // "speed_probe_ns") into *f; absent fields leave *f unchanged.
  void ReadTestbed(const Json& v, std::string_view path, Fingerprint* f) const;
  TimeSeries ReadTimeSeries(const Json& v, std::string_view path) const;
  std::map<std::string, ErrorCategory> ReadErrors(const Json& v,
                                                  std::string_view path) const;
  std::map<std::string, std::string> ReadStringMap(const Json& v,
                                                   std::string_view path) const;

 private:
  std::string source_;
};

// {"histogram": Encode(), "count", "min_ns", "max_ns", "mean_ns", "p50_ns",
//  "p90_ns", "p95_ns", "p99_ns", "p999_ns"}; only "histogram" is read back.
Json HistogramToJson(const LatencyHistogram& h);
Json FingerprintToJson(const Fingerprint& f);
Json TimeSeriesToJson(const TimeSeries& ts);
Json ErrorsToJson(const std::map<std::string, ErrorCategory>& errors);
Json StringMapToJson(const std::map<std::string, std::string>& m);

// A number that reads back as the same double: integral values within 2^53 are
// written as JSON integers (so "p95_ns": 1250000, not 1250000.0).
Json NumberToJson(double v);

// Serializes with `indent` (< 0: one line). Invalid UTF-8 in strings (e.g. an
// error example cut mid-character) is replaced by U+FFFD instead of throwing.
std::string Dump(const Json& doc, int indent);

// Reads a whole file. Errors name the file.
StatusOr<std::string> ReadFile(const std::filesystem::path& path);

// Replaces `path` with `content` atomically: a uniquely named temporary file in
// the same directory (so concurrent writers never collide) is written, fsynced
// and renamed over `path`. `path`'s directory must exist. On failure `path` is
// untouched and the temporary is removed. A symbolic link is written through
// (the file it names is replaced; the link stays); a path that exists and is
// not a regular file (/dev/stdout, a FIFO) is written in place; a directory is
// an error.
Status WriteFileAtomically(const std::filesystem::path& path,
                           std::string_view content);

}  // namespace perfcheck::json_fields

#endif  // PERFCHECK_LIB_REPORT_JSON_FIELDS_H_
