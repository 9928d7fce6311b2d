#include "report/counts_json.h"

#include <cmath>
#include <optional>
#include <string>

namespace perfcheck::json_fields {
namespace {

std::optional<double> ReadCount(const FieldReader& in, const Json& v,
                                std::string_view path, std::string_view key) {
  if (!v.contains(std::string(key))) return std::nullopt;
  const double value = in.Number(v, path, key);
  if (!std::isfinite(value) || value < 0) {
    in.Fail(Join(path, key), "must be a finite number >= 0");
  }
  return value;
}

}  // namespace

Json CountsToJson(const OperationCounts& counts) {
  Json j = Json::object();
  if (counts.instructions) j["instructions"] = *counts.instructions;
  if (counts.allocations) j["allocations"] = *counts.allocations;
  if (counts.allocated_bytes) j["allocated_bytes"] = *counts.allocated_bytes;
  j["operations"] = counts.operations;
  j["key"] = counts.key;
  return j;
}

OperationCounts ReadCounts(const FieldReader& in, const Json& v,
                           std::string_view path) {
  in.ExpectObject(v, path);
  OperationCounts counts;
  counts.instructions = ReadCount(in, v, path, "instructions");
  counts.allocations = ReadCount(in, v, path, "allocations");
  counts.allocated_bytes = ReadCount(in, v, path, "allocated_bytes");
  if (counts.empty()) return counts;
  counts.operations = in.Uint64(v, path, "operations");
  if (counts.operations == 0) in.Fail(Join(path, "operations"), "must be > 0");
  counts.key = in.String(v, path, "key");
  if (counts.key.empty()) in.Fail(Join(path, "key"), "must not be empty");
  return counts;
}

}  // namespace perfcheck::json_fields
