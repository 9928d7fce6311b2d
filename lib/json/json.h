// The JSON document type of perfcheck's files (results, baselines, Google
// Benchmark runs) and its text form. Internal: nlohmann/json stays out of
// include/perfcheck; lib/, cli/, tests/ and fuzz/ include this as "json/json.h".
//
// Thread-safety: free functions over values; no shared state.
#ifndef PERFCHECK_LIB_JSON_JSON_H_
#define PERFCHECK_LIB_JSON_JSON_H_

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace perfcheck::json_fields {

// Insertion-ordered, so written documents read top-down ("schema" first) and
// the key order is stable from one write to the next.
using Json = nlohmann::ordered_json;

// The top level of the JSON document `text` with everything nested discarded
// while parsing (an object or array there stays, empty): enough to tell the
// kind of a file ("schema", "benchmarks") without building the whole document
// only to parse it again. A discarded value (is_discarded()) when `text` is
// not valid JSON. Never throws.
Json ParseTopLevel(std::string_view text);

// A number that reads back as the same double: integral values within 2^53 are
// written as JSON integers (so "p95_ns": 1250000, not 1250000.0).
Json NumberToJson(double v);

// Serializes with `indent` (< 0: one line) and a final newline. Invalid UTF-8
// in strings (e.g. an error example cut mid-character) is replaced by U+FFFD
// instead of throwing.
std::string Dump(const Json& doc, int indent);

}  // namespace perfcheck::json_fields

#endif  // PERFCHECK_LIB_JSON_JSON_H_
