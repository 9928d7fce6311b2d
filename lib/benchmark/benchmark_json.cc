#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "io/file_io.h"
#include "json/core_codecs.h"
#include "json/field_reader.h"
#include "json/json.h"
#include "perfcheck/benchmark/json.h"

namespace perfcheck {
namespace {

using json_fields::FieldError;
using json_fields::FieldReader;
using json_fields::Json;

// The name of a benchmark row without an aggregate suffix, for files written
// before "run_name" existed (Google Benchmark < 1.5).
std::string RunName(const Json& row, const std::string& name) {
  if (auto it = row.find("run_name"); it != row.end() && it->is_string()) {
    return it->get<std::string>();
  }
  if (auto it = row.find("aggregate_name");
      it != row.end() && it->is_string()) {
    const std::string suffix = "_" + it->get<std::string>();
    if (name.size() > suffix.size() &&
        name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0) {
      return name.substr(0, name.size() - suffix.size());
    }
  }
  return name;
}

std::string HashHex(std::string_view s) {
  // FNV-1a: stable across runs and machines, unlike std::hash.
  std::uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return std::string(buf, 12);
}

// Context fields only describe the machine: a value of an unexpected type
// is shown as unknown rather than failing the comparison.
std::string CacheLabel(const Json& c) {
  auto number = [&](const char* key) {
    auto it = c.find(key);
    const double v = it != c.end() && it->is_number() ? it->get<double>() : 0.0;
    return std::isfinite(v) && std::fabs(v) < 1e15 ? v : 0.0;
  };
  auto it = c.find("type");
  const std::string type =
      it != c.end() && it->is_string() ? it->get<std::string>() : "?";
  const int level = static_cast<int>(std::clamp(number("level"), 0.0, 99.0));
  const double size = number("size");
  const int sharing =
      static_cast<int>(std::clamp(number("num_sharing"), 0.0, 1e6));
  char buf[96];
  if (size >= 1024.0 * 1024.0) {
    std::snprintf(buf, sizeof buf, "L%d %s %g MiB", level, type.c_str(),
                  size / (1024.0 * 1024.0));
  } else {
    std::snprintf(buf, sizeof buf, "L%d %s %g KiB", level, type.c_str(),
                  size / 1024.0);
  }
  std::string label = buf;
  if (sharing > 1) label += " (shared by " + std::to_string(sharing) + ")";
  return label;
}

BenchmarkContext ReadContext(const FieldReader& r, const Json& doc) {
  BenchmarkContext ctx;
  auto it = doc.find("context");
  if (it == doc.end()) return ctx;  // optional: hand-made files may omit it
  r.ExpectObject(*it, "context");
  const Json& c = *it;
  auto str = [&](const char* key) {
    auto f = c.find(key);
    return f != c.end() && f->is_string() ? f->get<std::string>()
                                          : std::string();
  };
  ctx.date = str("date");
  ctx.executable = str("executable");
  ctx.host_name = str("host_name");
  ctx.library_build_type = str("library_build_type");
  ctx.counts_key = str("perfcheck_counts_key");
  ctx.instruction_counter = str("perfcheck_instruction_counter");
  if (auto f = c.find("num_cpus"); f != c.end()) {
    ctx.num_cpus = r.Int(c, "context", "num_cpus");
  }
  if (auto f = c.find("mhz_per_cpu"); f != c.end()) {
    ctx.mhz_per_cpu = r.Number(c, "context", "mhz_per_cpu");
  }
  if (auto f = c.find("cpu_scaling_enabled"); f != c.end() && f->is_boolean()) {
    ctx.cpu_scaling_enabled = f->get<bool>();
  }
  if (auto f = c.find("caches"); f != c.end() && f->is_array()) {
    for (const Json& cache : *f) {
      if (cache.is_object()) ctx.caches.push_back(CacheLabel(cache));
    }
  }
  if (auto f = c.find("load_avg"); f != c.end() && f->is_array()) {
    for (const Json& v : *f) {
      if (v.is_number()) ctx.load_avg.push_back(v.get<double>());
    }
  }
  Fingerprint& fp = ctx.fingerprint;
  char mhz[32];
  std::snprintf(mhz, sizeof mhz, "%.0f MHz", ctx.mhz_per_cpu);
  fp.cpu_model = mhz;
  for (const std::string& cache : ctx.caches) fp.cpu_model += ", " + cache;
  fp.cores = ctx.num_cpus;
  fp.cpu_governor = ctx.cpu_scaling_enabled ? "scaling" : "";
  fp.build_type = ctx.library_build_type;
  if (!ctx.host_name.empty()) fp.hostname_hash = HashHex(ctx.host_name);
  return ctx;
}

BenchmarkSeries& SeriesFor(BenchmarkFile& file,
                           std::map<std::string, std::size_t>& index,
                           const std::string& name) {
  auto [it, inserted] = index.emplace(name, file.benchmarks.size());
  if (inserted) {
    file.benchmarks.emplace_back();
    file.benchmarks.back().name = name;
  }
  return file.benchmarks[it->second];
}

// Fields Google Benchmark writes itself; every other number is a user counter.
bool IsBuiltinField(const std::string& key) {
  static const std::set<std::string> kBuiltin = {"name",
                                                 "family_index",
                                                 "per_family_instance_index",
                                                 "run_name",
                                                 "run_type",
                                                 "repetitions",
                                                 "repetition_index",
                                                 "threads",
                                                 "iterations",
                                                 "real_time",
                                                 "cpu_time",
                                                 "time_unit",
                                                 "aggregate_name",
                                                 "aggregate_unit",
                                                 "error_occurred",
                                                 "error_message",
                                                 "label",
                                                 "big_o",
                                                 "rms",
                                                 "complexity"};
  return kBuiltin.count(key) > 0;
}

std::map<std::string, double> Counters(const Json& row) {
  std::map<std::string, double> out;
  for (auto it = row.begin(); it != row.end(); ++it) {
    if (!it.value().is_number() || IsBuiltinField(it.key())) continue;
    const double v = it.value().get<double>();
    if (std::isfinite(v)) out[it.key()] = v;
  }
  return out;
}

// Optional typed fields of a row: absent gives `fallback`, a value of
// another type is an error naming the benchmark and the field (never a
// nlohmann type_error, never a float-to-int conversion out of range).
std::string OptionalString(const FieldReader& r, const Json& row,
                           const std::string& path, const char* key,
                           const std::string& fallback) {
  auto it = row.find(key);
  return it == row.end() ? fallback
                         : r.AsString(*it, json_fields::Join(path, key));
}

bool OptionalBool(const FieldReader& r, const Json& row,
                  const std::string& path, const char* key) {
  auto it = row.find(key);
  if (it == row.end()) return false;
  if (!it->is_boolean()) {
    r.Fail(json_fields::Join(path, key),
           std::string("expected true or false, found ") + it->type_name());
  }
  return it->get<bool>();
}

// A whole number in [min, max]; Google Benchmark writes integers, but a
// hand-edited file may hold 3.0 or 1e300.
std::int64_t WholeNumber(const FieldReader& r, const Json& v,
                         const std::string& path, std::int64_t min,
                         std::int64_t max) {
  if (!v.is_number()) {
    r.Fail(path, std::string("expected an integer, found ") + v.type_name());
  }
  if (v.is_number_integer() || v.is_number_unsigned()) {
    if (v.is_number_unsigned() &&
        v.get<std::uint64_t>() > static_cast<std::uint64_t>(max)) {
      r.Fail(path, "must be an integer in " + std::to_string(min) + ".." +
                       std::to_string(max));
    }
    const std::int64_t i =
        v.is_number_unsigned()
            ? static_cast<std::int64_t>(v.get<std::uint64_t>())
            : v.get<std::int64_t>();
    if (i < min || i > max) {
      r.Fail(path, "must be an integer in " + std::to_string(min) + ".." +
                       std::to_string(max) + ", got " + std::to_string(i));
    }
    return i;
  }
  // Compared as doubles before any conversion: casting 1e300 to an integer
  // is undefined behaviour. max + 1.0 rounds to a power of two at worst, so
  // `<` keeps the cast in range.
  const double d = v.get<double>();
  if (!(d > static_cast<double>(min) - 1.0 &&
        d < static_cast<double>(max) + 1.0) ||
      d != std::trunc(d)) {
    r.Fail(path, "must be an integer in " + std::to_string(min) + ".." +
                     std::to_string(max) + ", got " + Json(d).dump());
  }
  return static_cast<std::int64_t>(d);
}

void ReadRowFields(const FieldReader& r, const Json& row,
                   const std::string& path, const std::string& name,
                   BenchmarkFile& file,
                   std::map<std::string, std::size_t>& index) {
  const std::string& where = path;
  const std::string run_type =
      OptionalString(r, row, where, "run_type", "iteration");
  const std::string aggregate_name =
      OptionalString(r, row, where, "aggregate_name", "");
  // Complexity fits carry coefficients, not times.
  if (aggregate_name == "BigO" || aggregate_name == "RMS") return;

  BenchmarkSeries& s = SeriesFor(file, index, RunName(row, name));
  constexpr std::int64_t kMaxCount = std::numeric_limits<int>::max();
  if (auto it = row.find("repetitions"); it != row.end()) {
    s.declared_repetitions = std::max(
        s.declared_repetitions,
        static_cast<int>(WholeNumber(
            r, *it, json_fields::Join(where, "repetitions"), 0, kMaxCount)));
  }
  if (auto it = row.find("threads"); it != row.end()) {
    s.threads = static_cast<int>(
        WholeNumber(r, *it, json_fields::Join(where, "threads"), 1, kMaxCount));
  }
  if (const std::string label = OptionalString(r, row, where, "label", "");
      !label.empty()) {
    s.label = label;
  }
  const bool error = OptionalBool(r, row, where, "error_occurred");
  if (error) {
    ++s.failed_runs;
    std::string message =
        OptionalString(r, row, where, "error_message", "(no message)");
    bool known = false;
    for (const auto& m : s.error_messages) known = known || m == message;
    if (!known && s.error_messages.size() < 3)
      s.error_messages.push_back(message);
    return;
  }
  const std::string unit = OptionalString(r, row, where, "time_unit", "ns");
  const std::optional<double> scale = NanosPerTimeUnit(unit);
  if (!scale) {
    r.Fail(json_fields::Join(where, "time_unit"),
           "unknown time unit '" + unit + "' (expected ns, us, ms or s)");
  }
  s.time_unit = unit;
  // Every successful row of Google Benchmark counts at least one iteration.
  if (auto it = row.find("iterations"); it != row.end()) {
    WholeNumber(r, *it, json_fields::Join(where, "iterations"), 1,
                std::numeric_limits<std::int64_t>::max());
  }
  const double real = r.Number(row, where, "real_time");
  const double cpu = r.Number(row, where, "cpu_time");
  for (const auto& [key, value] :
       {std::pair{"real_time", real}, std::pair{"cpu_time", cpu}}) {
    if (!std::isfinite(value) || value < 0) {
      r.Fail(json_fields::Join(where, key),
             "must be a finite number >= 0, got " + Json(value).dump());
    }
    // 1e300 s is finite, but not in ns: every statistic would be inf or NaN.
    if (!std::isfinite(value * *scale)) {
      r.Fail(json_fields::Join(where, key), "too large: " + Json(value).dump() +
                                                " " + unit +
                                                " overflows a double in ns");
    }
  }
  if (run_type == "aggregate") {
    const std::string agg_unit =
        OptionalString(r, row, where, "aggregate_unit", "time");
    BenchmarkAggregate a;
    a.is_time = agg_unit == "time" && aggregate_name != "cv";
    a.real_time = a.is_time ? real * *scale : real;
    a.cpu_time = a.is_time ? cpu * *scale : cpu;
    a.counters = Counters(row);
    s.aggregates[aggregate_name.empty() ? "?" : aggregate_name] = a;
    return;
  }
  if (run_type != "iteration") {
    r.Fail(json_fields::Join(where, "run_type"),
           "unknown run type '" + run_type + "'");
  }
  s.real_ns.push_back(real * *scale);
  s.cpu_ns.push_back(cpu * *scale);
  for (const auto& [key, value] : Counters(row))
    s.counters[key].push_back(value);
}

void ReadRow(const FieldReader& r, const Json& row, const std::string& path,
             BenchmarkFile& file, std::map<std::string, std::size_t>& index) {
  r.ExpectObject(row, path);
  const std::string name = r.String(row, path, "name");
  if (name.empty()) r.Fail(json_fields::Join(path, "name"), "is empty");
  try {
    ReadRowFields(r, row, path, name, file, index);
  } catch (const FieldError& e) {
    // A file holds many rows: say which benchmark too.
    constexpr std::size_t kMaxName = 80;
    throw FieldError(
        std::string(e.what()) + " (benchmark '" +
        (name.size() > kMaxName ? name.substr(0, kMaxName) + "..." : name) +
        "')");
  }
}

}  // namespace

const BenchmarkSeries* BenchmarkFile::Find(std::string_view name) const {
  for (const BenchmarkSeries& s : benchmarks) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

std::optional<double> NanosPerTimeUnit(std::string_view unit) {
  if (unit == "ns") return 1.0;
  if (unit == "us") return 1e3;
  if (unit == "ms") return 1e6;
  if (unit == "s") return 1e9;
  return std::nullopt;
}

StatusOr<BenchmarkFile> ParseBenchmarkJson(std::string_view text,
                                           std::string_view source) {
  try {
    const FieldReader r(source);
    if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) {
      throw FieldError(std::string(source) +
                       ": empty file, expected Google Benchmark JSON");
    }
    const Json doc = r.Parse(text);
    if (!doc.is_object()) {
      throw FieldError(
          std::string(source) +
          ": not Google Benchmark JSON: the document is not an object");
    }
    auto list = doc.find("benchmarks");
    if (list == doc.end()) {
      std::string hint;
      if (auto schema = doc.find("schema");
          schema != doc.end() && schema->is_string()) {
        hint = " (it is a '" + schema->get<std::string>() + "' document)";
      }
      throw FieldError(std::string(source) +
                       ": not Google Benchmark JSON: no 'benchmarks' array" +
                       hint);
    }
    r.ExpectArray(*list, "benchmarks");
    BenchmarkFile file;
    file.source = std::string(source);
    file.context = ReadContext(r, doc);
    // A baseline recorded by `perfcheck baseline update` names its testbed.
    if (auto meta = doc.find("perfcheck_baseline");
        meta != doc.end() && meta->is_object()) {
      if (meta->contains("recorded_at")) {
        r.Timestamp(*meta, "perfcheck_baseline", "recorded_at");
      }
      if (auto fp = meta->find("fingerprint");
          fp != meta->end() && fp->is_object()) {
        json_fields::ReadTestbed(r, *fp, "perfcheck_baseline.fingerprint",
                                 &file.context.fingerprint);
      }
    }
    std::map<std::string, std::size_t> index;
    for (std::size_t i = 0; i < list->size(); ++i) {
      ReadRow(r, (*list)[i], json_fields::Index("benchmarks", i), file, index);
    }
    return file;
  } catch (const FieldError& e) {
    return Status::Error(e.what());
  }
}

StatusOr<BenchmarkFile> ReadBenchmarkFile(const std::filesystem::path& path) {
  StatusOr<std::string> text = io::ReadFile(path);
  if (!text.ok()) return text.status();
  return ParseBenchmarkJson(*text, path.string());
}

bool LooksLikeBenchmarkJson(std::string_view text) {
  const Json doc = json_fields::ParseTopLevel(text);
  if (!doc.is_object()) return false;
  auto it = doc.find("benchmarks");
  return it != doc.end() && it->is_array();
}

}  // namespace perfcheck
