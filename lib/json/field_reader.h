// Typed reading of a JSON document whose every error names the source and
// the field path ("results/login.json: field 'runs[2].latency.p95_ns':
// expected an integer, found string"). Internal, like json/json.h.
//
// Readers throw FieldError (carrying the full message); each public entry point
// catches it and turns it into a Status, so no exception escapes the library.
//
// Thread-safety: a FieldReader is immutable after construction; any number of
// threads may read through one.
#ifndef PERFCHECK_LIB_JSON_FIELD_READER_H_
#define PERFCHECK_LIB_JSON_FIELD_READER_H_

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

#include "json/json.h"

namespace perfcheck::json_fields {

// A malformed document; what() is the complete, user-facing message.
class FieldError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

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

 private:
  std::string source_;
};

}  // namespace perfcheck::json_fields

#endif  // PERFCHECK_LIB_JSON_FIELD_READER_H_
