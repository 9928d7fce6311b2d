#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstring>
#include <ctime>
#include <limits>
#include <stdexcept>
#include <system_error>
#include <utility>

#include "io/file_io.h"
#include "json/core_codecs.h"
#include "json/field_reader.h"
#include "json/json.h"
#include "perfcheck/baseline.h"

namespace perfcheck {

using json_fields::FieldError;
using json_fields::FieldReader;
using json_fields::Json;

namespace {

struct MetricInfo {
  Metric metric;
  std::string_view name;       // tolerance key, MetricName()
  std::string_view run_field;  // field of a stored run, with its unit
};

constexpr MetricInfo kMetricInfo[] = {
    {Metric::kP50, "p50", "p50_ns"},
    {Metric::kP95, "p95", "p95_ns"},
    {Metric::kP99, "p99", "p99_ns"},
    {Metric::kMean, "mean", "mean_ns"},
    {Metric::kThroughput, "throughput", "throughput_per_s"},
    {Metric::kErrorRate, "error_rate", "error_rate"},
    // Stored in the run's "counts" object (counts_json.h), not as run fields.
    {Metric::kInstructions, "instructions", ""},
    {Metric::kAllocations, "allocations", ""},
    {Metric::kAllocatedBytes, "allocated_bytes", ""},
};

const MetricInfo& InfoFor(Metric m) {
  for (const MetricInfo& info : kMetricInfo) {
    if (info.metric == m) return info;
  }
  throw std::invalid_argument("unknown perfcheck::Metric value " +
                              std::to_string(static_cast<int>(m)));
}

std::string NowIso8601Utc() {
  const std::time_t now =
      std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

Json RunToJson(const BaselineRun& run) {
  Json j = Json::object();
  j["recorded_at"] = run.recorded_at;
  j["samples"] = run.samples;
  j["errors"] = run.errors;
  j["elapsed_ns"] = run.elapsed_ns;
  for (const MetricInfo& info : kMetricInfo) {
    if (info.run_field.empty()) continue;
    const auto it = run.metrics.find(info.metric);
    // Every stored run carries every gated metric (the reader requires them);
    // a run built by hand without one stores 0 rather than an unreadable file.
    j[std::string(info.run_field)] =
        json_fields::NumberToJson(it == run.metrics.end() ? 0.0 : it->second);
  }
  j["latency"] = json_fields::HistogramToJson(run.latency);
  j["fingerprint"] = json_fields::FingerprintToJson(run.fingerprint);
  if (!run.counts.empty()) j["counts"] = json_fields::CountsToJson(run.counts);
  return j;
}

BaselineRun RunFromJson(const FieldReader& in, const Json& v,
                        const std::string& path) {
  in.ExpectObject(v, path);
  // The histogram is read first and moved in: a default BaselineRun would
  // allocate and zero a whole-range histogram (~270 KB) only to replace it,
  // which was most of the time of reading a baseline of 10,000 runs.
  const std::string latency_path = json_fields::Join(path, "latency");
  BaselineRun run{.recorded_at = {},
                  .samples = 0,
                  .errors = 0,
                  .elapsed_ns = 0,
                  .metrics = {},
                  .latency = json_fields::ReadHistogram(
                      in, in.Object(v, path, "latency"), latency_path),
                  .fingerprint = {},
                  .counts = {}};
  run.recorded_at = in.Timestamp(v, path, "recorded_at");
  run.samples = in.Uint64(v, path, "samples");
  run.errors = in.Uint64(v, path, "errors");
  // The gate judges errors out of samples + errors; that sum must not wrap.
  if (run.errors > std::numeric_limits<std::uint64_t>::max() - run.samples) {
    in.Fail(json_fields::Join(path, "errors"),
            "samples plus errors exceed 2^64 - 1");
  }
  run.elapsed_ns = in.Int64(v, path, "elapsed_ns");
  if (run.elapsed_ns < 0) {
    in.Fail(json_fields::Join(path, "elapsed_ns"), "must be >= 0");
  }
  for (const MetricInfo& info : kMetricInfo) {
    if (info.run_field.empty()) continue;
    const double value = in.Number(v, path, info.run_field);
    if (!std::isfinite(value) || value < 0) {
      in.Fail(json_fields::Join(path, info.run_field),
              "must be a finite number >= 0");
    }
    if (info.metric == Metric::kErrorRate && value > 1) {
      in.Fail(json_fields::Join(path, info.run_field),
              "must be a fraction in [0, 1]");
    }
    run.metrics[info.metric] = value;
  }
  // The histogram is what the gate reads; a count that disagrees with it
  // means the file was edited by hand or is corrupt. (A run imported without
  // a histogram has none to disagree with.)
  if (run.latency.TotalCount() != 0 &&
      run.latency.TotalCount() != run.samples) {
    std::string what = "is ";
    what.append(std::to_string(run.samples))
        .append(" but the latency histogram holds ")
        .append(std::to_string(run.latency.TotalCount()))
        .append(" samples");
    in.Fail(json_fields::Join(path, "samples"), what);
  }
  run.fingerprint =
      json_fields::ReadFingerprint(in, in.Field(v, path, "fingerprint"),
                                   json_fields::Join(path, "fingerprint"));
  if (v.contains("counts")) {
    run.counts = json_fields::ReadCounts(in, v["counts"],
                                         json_fields::Join(path, "counts"));
  }
  return run;
}

std::string KnownMetricNames() {
  std::string out;
  for (const MetricInfo& info : kMetricInfo) {
    if (!out.empty()) out += ", ";
    out += info.name;
  }
  return out;
}

BaselineEntry EntryFromJson(const FieldReader& in, const Json& v,
                            const std::string& name, const std::string& path) {
  in.ExpectObject(v, path);
  BaselineEntry entry;
  entry.name = name;
  const std::string tol_path = json_fields::Join(path, "tolerances");
  for (const auto& [key, value] : in.Object(v, path, "tolerances").items()) {
    const std::string p = json_fields::Join(tol_path, key);
    const std::optional<Metric> m = MetricFromName(key);
    if (!m) in.Fail(p, "unknown metric (known: " + KnownMetricNames() + ")");
    const double t = in.AsNumber(value, p);
    if (!std::isfinite(t) || t < 0) in.Fail(p, "must be a finite number >= 0");
    entry.tolerances[*m] = t;
  }
  const std::string runs_path = json_fields::Join(path, "runs");
  const Json& runs = in.Array(v, path, "runs");
  for (std::size_t i = 0; i < runs.size(); ++i) {
    entry.runs.push_back(
        RunFromJson(in, runs[i], json_fields::Index(runs_path, i)));
  }
  return entry;
}

// Holds an exclusive flock on "<file>.lock" for its lifetime. The lock file is
// never deleted: removing it while another process waits on it would let two
// updaters hold "the" lock at once.
class FileLock {
 public:
  FileLock() = default;
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;
  ~FileLock() {
    if (fd_ >= 0) ::close(fd_);  // closing releases the flock
  }

  Status Acquire(const std::filesystem::path& lock_path) {
    fd_ = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0) {
      return Status::Error(lock_path.string() +
                           ": cannot open lock file: " + std::strerror(errno));
    }
    while (::flock(fd_, LOCK_EX) != 0) {
      if (errno == EINTR) continue;
      return Status::Error(lock_path.string() +
                           ": cannot lock: " + std::strerror(errno));
    }
    return Status();
  }

 private:
  int fd_ = -1;
};

// Reads `path` when it exists; `*exists` tells which.
StatusOr<std::string> ReadIfExists(const std::filesystem::path& path,
                                   bool* exists) {
  std::error_code ec;
  const auto st = std::filesystem::status(path, ec);
  // not_found covers ENOENT and ENOTDIR (a parent that is a regular file).
  *exists = st.type() != std::filesystem::file_type::not_found;
  if (!*exists) return std::string();
  if (ec)
    return Status::Error(path.string() + ": cannot stat: " + ec.message());
  return io::ReadFile(path);
}

// `schema` is `known` or a later minor version of it ("<known>.<minor>").
bool IsVersionOf(std::string_view schema, std::string_view known) {
  return schema.substr(0, known.size()) == known &&
         (schema.size() == known.size() || schema[known.size()] == '.');
}

}  // namespace

std::string_view MetricName(Metric m) { return InfoFor(m).name; }

bool IsBaselineSchema(std::string_view schema) {
  return IsVersionOf(schema, kBaselineSchema) ||
         IsVersionOf(schema, kBaselineSchemaV1);
}

std::optional<Metric> MetricFromName(std::string_view name) {
  for (const MetricInfo& info : kMetricInfo) {
    if (info.name == name) return info.metric;
  }
  return std::nullopt;
}

BaselineRun MakeBaselineRun(const Result& result) {
  // Copied in at construction: a default run's whole-range histogram would be
  // allocated and zeroed only to be replaced.
  BaselineRun run{.recorded_at = {},
                  .samples = 0,
                  .errors = 0,
                  .elapsed_ns = 0,
                  .metrics = {},
                  .latency = result.latency,
                  .fingerprint = {},
                  .counts = {}};
  run.recorded_at = NowIso8601Utc();
  run.samples = result.OkCount();
  run.errors = result.ErrorCount();
  run.elapsed_ns = result.elapsed_ns;
  run.metrics[Metric::kP50] =
      static_cast<double>(result.latency.Percentile(50.0));
  run.metrics[Metric::kP95] =
      static_cast<double>(result.latency.Percentile(95.0));
  run.metrics[Metric::kP99] =
      static_cast<double>(result.latency.Percentile(99.0));
  run.metrics[Metric::kMean] = result.latency.Mean();
  run.metrics[Metric::kThroughput] = result.Throughput();
  run.metrics[Metric::kErrorRate] = result.ErrorRate();
  run.fingerprint = result.fingerprint;
  run.counts = result.counts;
  return run;
}

std::optional<double> CountOf(const OperationCounts& counts, Metric m) {
  switch (m) {
    case Metric::kInstructions:
      return counts.instructions;
    case Metric::kAllocations:
      return counts.allocations;
    case Metric::kAllocatedBytes:
      return counts.allocated_bytes;
    default:
      return std::nullopt;
  }
}

std::string BaselineStore::SanitizeTestId(std::string_view test_id) {
  std::string out(test_id);
  for (char& c : out) {
    const bool keep = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                      (c >= '0' && c <= '9') || c == '.' || c == '_' ||
                      c == '-';
    if (!keep) c = '_';
  }
  return out;
}

std::filesystem::path BaselineStore::PathFor(std::string_view test_id) const {
  if (test_id.empty()) {
    throw std::invalid_argument("BaselineStore: empty test id");
  }
  return dir_ / (SanitizeTestId(test_id) + ".json");
}

StatusOr<std::optional<BaselineFile>> BaselineStore::Load(
    std::string_view test_id) const {
  const std::filesystem::path path = PathFor(test_id);
  // No lock needed: writers replace the file by rename, so a reader sees
  // either the old or the new complete file.
  bool exists = false;
  StatusOr<std::string> text = ReadIfExists(path, &exists);
  if (!text.ok()) return text.status();
  if (!exists) return std::optional<BaselineFile>();
  StatusOr<BaselineFile> file = BaselineFileFromJson(*text, path.string());
  if (!file.ok()) return file.status();
  return std::optional<BaselineFile>(std::move(file).value());
}

Status BaselineStore::Record(std::string_view test_id, const Result& result,
                             UpdateMode mode) const {
  const std::filesystem::path path = PathFor(test_id);
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
  if (ec) {
    return Status::Error(dir_.string() +
                         ": cannot create directory: " + ec.message());
  }
  // Computed before taking the lock to keep the critical section short.
  BaselineRun run = MakeBaselineRun(result);

  std::filesystem::path lock_path = path;
  lock_path += ".lock";
  FileLock lock;
  if (Status s = lock.Acquire(lock_path); !s.ok()) return s;

  // Re-read under the lock: the file may have changed since any earlier Load,
  // and updating a stale copy would lose another process's run.
  bool exists = false;
  StatusOr<std::string> text = ReadIfExists(path, &exists);
  if (!text.ok()) return text.status();
  BaselineFile file;
  if (exists) {
    StatusOr<BaselineFile> parsed = BaselineFileFromJson(*text, path.string());
    // Never overwrite what we cannot read: the user's data stays as it was.
    if (!parsed.ok()) return parsed.status();
    file = std::move(parsed).value();
  } else {
    file.test_id = std::string(test_id);
  }

  BaselineEntry& entry = file.entries[result.name];
  entry.name = result.name;
  // A copy: the run is moved into the entry below.
  const std::string testbed = run.fingerprint.testbed;
  auto same_testbed = [&testbed](const BaselineRun& r) {
    return r.fingerprint.testbed == testbed;
  };
  if (mode == UpdateMode::kReplace) std::erase_if(entry.runs, same_testbed);
  entry.runs.push_back(std::move(run));
  // Drop this testbed's oldest runs past kMaxRuns; other testbeds' stay.
  std::size_t kept = static_cast<std::size_t>(
      std::count_if(entry.runs.begin(), entry.runs.end(), same_testbed));
  for (auto it = entry.runs.begin();
       kept > BaselineEntry::kMaxRuns && it != entry.runs.end();) {
    if (same_testbed(*it)) {
      it = entry.runs.erase(it);
      --kept;
    } else {
      ++it;
    }
  }
  return io::WriteFileAtomically(path, BaselineFileToJson(file));
}

std::string BaselineFileToJson(const BaselineFile& file) {
  Json doc = Json::object();
  doc["schema"] = std::string(kBaselineSchema);
  doc["test_id"] = file.test_id;
  Json entries = Json::object();
  for (const auto& [name, entry] : file.entries) {
    Json e = Json::object();
    Json tolerances = Json::object();
    for (const auto& [metric, tolerance] : entry.tolerances) {
      tolerances[std::string(MetricName(metric))] =
          json_fields::NumberToJson(tolerance);
    }
    e["tolerances"] = std::move(tolerances);
    Json runs = Json::array();
    for (const BaselineRun& run : entry.runs) runs.push_back(RunToJson(run));
    e["runs"] = std::move(runs);
    entries[name] = std::move(e);
  }
  doc["entries"] = std::move(entries);
  return json_fields::Dump(doc, 2);
}

StatusOr<BaselineFile> BaselineFileFromJson(std::string_view text,
                                            std::string_view source) {
  const FieldReader in(source);
  try {
    const Json doc = in.Parse(text);
    // v1 files (before testbeds) read as v2 files whose runs have none.
    const bool v1 =
        doc.is_object() && doc.contains("schema") &&
        doc["schema"].is_string() &&
        IsVersionOf(doc["schema"].get<std::string>(), kBaselineSchemaV1);
    in.CheckSchema(doc, v1 ? kBaselineSchemaV1 : kBaselineSchema);
    BaselineFile file;
    file.test_id = in.String(doc, "", "test_id");
    for (const auto& [name, value] : in.Object(doc, "", "entries").items()) {
      file.entries.emplace(
          name,
          EntryFromJson(in, value, name, json_fields::Join("entries", name)));
    }
    return file;
  } catch (const FieldError& e) {
    return Status::Error(e.what());
  }
}

}  // namespace perfcheck
