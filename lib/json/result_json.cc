#include "perfcheck/result_json.h"

#include <cstdint>
#include <limits>
#include <system_error>
#include <utility>

#include "io/file_io.h"
#include "json/core_codecs.h"
#include "json/field_reader.h"
#include "json/json.h"

namespace perfcheck {

using json_fields::FieldError;
using json_fields::FieldReader;
using json_fields::Json;

std::string ResultToJson(const Result& result, int indent) {
  Json doc = Json::object();
  doc["schema"] = std::string(kResultSchema);
  doc["name"] = result.name;
  doc["elapsed_ns"] = result.elapsed_ns;
  // Derived values for readers of the file; ResultFromJson recomputes them.
  Json summary = Json::object();
  summary["ok"] = result.OkCount();
  summary["errors"] = result.ErrorCount();
  summary["total"] = result.TotalCount();
  summary["error_rate"] = json_fields::NumberToJson(result.ErrorRate());
  summary["throughput_per_s"] = json_fields::NumberToJson(result.Throughput());
  doc["summary"] = std::move(summary);
  doc["latency"] = json_fields::HistogramToJson(result.latency);
  doc["errors"] = json_fields::ErrorsToJson(result.errors);
  doc["series"] = json_fields::TimeSeriesToJson(result.series);
  doc["config"] = json_fields::StringMapToJson(result.config);
  doc["fingerprint"] = json_fields::FingerprintToJson(result.fingerprint);
  if (!result.counts.empty()) {
    doc["counts"] = json_fields::CountsToJson(result.counts);
  }
  // Only when something was monitored: files without it stay as they were.
  if (!result.resources.empty()) {
    doc["resources"] = json_fields::ProcessSeriesToJson(result.resources);
  }
  return json_fields::Dump(doc, indent);
}

StatusOr<Result> ResultFromJson(std::string_view text,
                                std::string_view source) {
  const FieldReader in(source);
  try {
    const Json doc = in.Parse(text);
    in.CheckSchema(doc, kResultSchema);
    Result r;
    r.name = in.String(doc, "", "name");
    r.elapsed_ns = in.Int64(doc, "", "elapsed_ns");
    if (r.elapsed_ns < 0) in.Fail("elapsed_ns", "must be >= 0");
    r.latency = json_fields::ReadHistogram(in, in.Object(doc, "", "latency"),
                                           "latency");
    r.errors =
        json_fields::ReadErrors(in, in.Field(doc, "", "errors"), "errors");
    // Every total and rate sums these; a sum past 2^64 - 1 would wrap.
    std::uint64_t total = r.latency.TotalCount();
    for (const auto& [category, e] : r.errors) {
      if (e.count > std::numeric_limits<std::uint64_t>::max() - total) {
        in.Fail("errors." + category + ".count",
                "the operations (latency count plus error counts) exceed "
                "2^64 - 1");
      }
      total += e.count;
    }
    r.series =
        json_fields::ReadTimeSeries(in, in.Field(doc, "", "series"), "series");
    r.config =
        json_fields::ReadStringMap(in, in.Field(doc, "", "config"), "config");
    r.fingerprint = json_fields::ReadFingerprint(
        in, in.Field(doc, "", "fingerprint"), "fingerprint");
    if (doc.contains("counts")) {
      r.counts = json_fields::ReadCounts(in, doc["counts"], "counts");
    }
    // Optional: files written before resource monitoring have none.
    if (doc.contains("resources")) {
      r.resources =
          json_fields::ReadProcessSeries(in, doc["resources"], "resources");
    }
    // The summary is derived and recomputed, so edited counts are ignored;
    // a value no result can have still means a damaged or forged file.
    if (doc.contains("summary")) {
      const Json& summary = in.Object(doc, "", "summary");
      if (summary.contains("error_rate")) {
        in.Fraction(summary, "summary", "error_rate");
      }
    }
    return r;
  } catch (const FieldError& e) {
    return Status::Error(e.what());
  }
}

Status WriteResultFile(const Result& result,
                       const std::filesystem::path& path) {
  if (path.has_parent_path()) {
    std::error_code ec;
    std::filesystem::create_directories(path.parent_path(), ec);
    if (ec) {
      return Status::Error(path.parent_path().string() +
                           ": cannot create directory: " + ec.message());
    }
  }
  return io::WriteFileAtomically(path, ResultToJson(result));
}

StatusOr<Result> ReadResultFile(const std::filesystem::path& path) {
  StatusOr<std::string> text = io::ReadFile(path);
  if (!text.ok()) return text.status();
  return ResultFromJson(*text, path.string());
}

}  // namespace perfcheck
