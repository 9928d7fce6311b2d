#include "perfcheck/benchmark_json.h"

#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "report/json_fields.h"

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

std::string CacheLabel(const Json& c) {
  const std::string type = c.value("type", std::string("?"));
  const int level = c.value("level", 0);
  const double size = c.value("size", 0.0);
  const int sharing = c.value("num_sharing", 0);
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

void ReadRow(const FieldReader& r, const Json& row, const std::string& path,
             BenchmarkFile& file, std::map<std::string, std::size_t>& index) {
  r.ExpectObject(row, path);
  const std::string name = r.String(row, path, "name");
  if (name.empty()) r.Fail(json_fields::Join(path, "name"), "is empty");
  const std::string run_type = row.value("run_type", std::string("iteration"));
  std::string aggregate_name;
  if (auto it = row.find("aggregate_name");
      it != row.end() && it->is_string()) {
    aggregate_name = it->get<std::string>();
  }
  // Complexity fits carry coefficients, not times.
  if (aggregate_name == "BigO" || aggregate_name == "RMS") return;

  BenchmarkSeries& s = SeriesFor(file, index, RunName(row, name));
  if (auto it = row.find("repetitions"); it != row.end() && it->is_number()) {
    s.declared_repetitions = std::max(s.declared_repetitions, it->get<int>());
  }
  if (auto it = row.find("threads"); it != row.end() && it->is_number()) {
    s.threads = it->get<int>();
  }
  if (auto it = row.find("label");
      it != row.end() && it->is_string() && !it->get<std::string>().empty()) {
    s.label = it->get<std::string>();
  }
  const bool error = row.value("error_occurred", false);
  if (error) {
    ++s.failed_runs;
    std::string message =
        row.value("error_message", std::string("(no message)"));
    bool known = false;
    for (const auto& m : s.error_messages) known = known || m == message;
    if (!known && s.error_messages.size() < 3)
      s.error_messages.push_back(message);
    return;
  }
  const std::string unit = row.value("time_unit", std::string("ns"));
  const std::optional<double> scale = NanosPerTimeUnit(unit);
  if (!scale) {
    r.Fail(json_fields::Join(path, "time_unit"),
           "unknown time unit '" + unit + "' (expected ns, us, ms or s)");
  }
  s.time_unit = unit;
  const double real = r.Number(row, path, "real_time");
  const double cpu = r.Number(row, path, "cpu_time");
  if (!std::isfinite(real) || !std::isfinite(cpu) || real < 0 || cpu < 0) {
    r.Fail(json_fields::Join(path, "real_time"),
           "times must be finite and non-negative");
  }
  if (run_type == "aggregate") {
    const std::string agg_unit =
        row.value("aggregate_unit", std::string("time"));
    BenchmarkAggregate a;
    a.is_time = agg_unit == "time" && aggregate_name != "cv";
    a.real_time = a.is_time ? real * *scale : real;
    a.cpu_time = a.is_time ? cpu * *scale : cpu;
    a.counters = Counters(row);
    s.aggregates[aggregate_name.empty() ? "?" : aggregate_name] = a;
    return;
  }
  if (run_type != "iteration") {
    r.Fail(json_fields::Join(path, "run_type"),
           "unknown run type '" + run_type + "'");
  }
  s.real_ns.push_back(real * *scale);
  s.cpu_ns.push_back(cpu * *scale);
  for (const auto& [key, value] : Counters(row))
    s.counters[key].push_back(value);
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
      if (auto fp = meta->find("fingerprint");
          fp != meta->end() && fp->is_object()) {
        r.ReadTestbed(*fp, "perfcheck_baseline.fingerprint",
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
  StatusOr<std::string> text = json_fields::ReadFile(path);
  if (!text.ok()) return text.status();
  return ParseBenchmarkJson(*text, path.string());
}

bool LooksLikeBenchmarkJson(std::string_view text) {
  const Json doc = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object()) return false;
  auto it = doc.find("benchmarks");
  return it != doc.end() && it->is_array();
}

}  // namespace perfcheck
