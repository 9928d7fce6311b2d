// Recording Google Benchmark runs as baseline files
// (perfcheck/benchmark/json.h).
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <string>
#include <vector>

#include "io/file_io.h"
#include "json/core_codecs.h"
#include "json/json.h"
#include "perfcheck/benchmark/json.h"
#include "perfcheck/machine.h"
#include "perfcheck/testbed.h"

namespace perfcheck {
namespace {

// Exclusive flock on "<file>.lock" for the lifetime of the object, so two
// concurrent `baseline update`s never interleave (the rename alone would
// already prevent torn files, the lock prevents lost updates of the
// annotations).
class LockFile {
 public:
  explicit LockFile(const std::filesystem::path& target) {
    const std::string path = target.string() + ".lock";
    fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0) {
      error_ = path + ": cannot open lock file: " + std::strerror(errno);
      return;
    }
    while (::flock(fd_, LOCK_EX) != 0) {
      if (errno != EINTR) {
        error_ = path + ": cannot lock: " + std::strerror(errno);
        return;
      }
    }
  }
  ~LockFile() {
    if (fd_ >= 0) ::close(fd_);
  }
  LockFile(const LockFile&) = delete;
  LockFile& operator=(const LockFile&) = delete;
  const std::string& error() const { return error_; }

 private:
  int fd_ = -1;
  std::string error_;
};

std::string NowIso8601() {
  const std::time_t t =
      std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace

Status WriteBenchmarkBaseline(const std::filesystem::path& path,
                              std::string_view json_text,
                              std::string_view source) {
  StatusOr<BenchmarkFile> parsed = ParseBenchmarkJson(json_text, source);
  if (!parsed.ok()) return parsed.status();
  bool any_time = false;
  for (const BenchmarkSeries& s : parsed->benchmarks) {
    any_time = any_time || !s.cpu_ns.empty() || !s.aggregates.empty();
  }
  if (!any_time) {
    return Status::Error(std::string(source) +
                         ": no benchmark has a successful run; not recorded");
  }
  json_fields::Json doc = json_fields::Json::parse(json_text);
  // A baseline is committed: it must not carry this machine's directories.
  if (auto context = doc.find("context");
      context != doc.end() && context->is_object()) {
    if (auto exe = context->find("executable");
        exe != context->end() && exe->is_string()) {
      *exe = std::filesystem::path(exe->get<std::string>()).filename().string();
    }
  }
  const Fingerprint here = CaptureFingerprint();
  json_fields::Json meta;
  meta["recorded_at"] = NowIso8601();
  meta["fingerprint"] = json_fields::FingerprintToJson(here);
  doc["perfcheck_baseline"] = std::move(meta);

  std::error_code ec;
  const std::filesystem::path dir =
      path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    return Status::Error(dir.string() +
                         ": cannot create directory: " + ec.message());
  }
  LockFile lock(path);
  if (!lock.error().empty()) return Status::Error(lock.error());
  // Under the lock: the runs of other testbeds already in the file move
  // along, so a laptop's update never pushes out CI's run.
  bool exists = false;
  {
    std::error_code st;
    exists = std::filesystem::exists(path, st);
  }
  if (exists) {
    StatusOr<std::string> old_text = io::ReadFile(path);
    if (!old_text.ok()) return old_text.status();
    // Never overwrite what cannot be read: the file stays as it is.
    StatusOr<std::vector<BenchmarkFile>> old_runs =
        ParseBenchmarkBaseline(*old_text, path.string());
    if (!old_runs.ok()) return old_runs.status();
    json_fields::Json old_doc = json_fields::Json::parse(*old_text);
    json_fields::Json others = json_fields::Json::array();
    std::vector<json_fields::Json> kept;
    json_fields::Json top = old_doc;
    if (top.contains("perfcheck_baseline") &&
        top["perfcheck_baseline"].is_object()) {
      if (auto it = top["perfcheck_baseline"].find("other_testbeds");
          it != top["perfcheck_baseline"].end()) {
        for (const json_fields::Json& o : *it) kept.push_back(o);
        top["perfcheck_baseline"].erase("other_testbeds");
      }
    }
    kept.insert(kept.begin(), std::move(top));
    // old_runs[i] is the parsed form of kept[i] (same order).
    for (std::size_t i = 0; i < kept.size() && i < old_runs->size(); ++i) {
      const std::string& testbed = (*old_runs)[i].context.fingerprint.testbed;
      if (testbed == here.testbed) continue;  // replaced by this run
      others.push_back(std::move(kept[i]));
    }
    if (!others.empty()) {
      doc["perfcheck_baseline"]["other_testbeds"] = std::move(others);
    }
  }
  return io::WriteFileAtomically(path, json_fields::Dump(doc, 2) + "\n");
}

StatusOr<std::vector<BenchmarkFile>> ParseBenchmarkBaseline(
    std::string_view text, std::string_view source) {
  StatusOr<BenchmarkFile> top = ParseBenchmarkJson(text, source);
  if (!top.ok()) return top.status();
  std::vector<BenchmarkFile> runs;
  runs.push_back(std::move(*top));
  const json_fields::Json doc = json_fields::Json::parse(text);
  const auto meta = doc.find("perfcheck_baseline");
  if (meta == doc.end() || !meta->is_object()) return runs;
  const auto others = meta->find("other_testbeds");
  if (others == meta->end()) return runs;
  if (!others->is_array()) {
    return Status::Error(std::string(source) +
                         ": field 'perfcheck_baseline.other_testbeds': "
                         "expected an array of Google Benchmark documents");
  }
  for (std::size_t i = 0; i < others->size(); ++i) {
    const std::string where = std::string(source) +
                              " (perfcheck_baseline.other_testbeds[" +
                              std::to_string(i) + "])";
    StatusOr<BenchmarkFile> run =
        ParseBenchmarkJson(json_fields::Dump((*others)[i], -1), where);
    if (!run.ok()) return run.status();
    run->source = std::string(source);
    runs.push_back(std::move(*run));
  }
  return runs;
}

namespace {

StatusOr<std::vector<BenchmarkFile>> ReadBaselineRuns(
    const std::filesystem::path& path) {
  StatusOr<std::string> text = io::ReadFile(path);
  if (!text.ok()) return text.status();
  return ParseBenchmarkBaseline(*text, path.string());
}

}  // namespace

StatusOr<BenchmarkFile> ReadBenchmarkBaseline(const std::filesystem::path& path,
                                              const Fingerprint& here) {
  StatusOr<std::vector<BenchmarkFile>> runs = ReadBaselineRuns(path);
  if (!runs.ok()) return runs.status();
  for (BenchmarkFile& run : *runs) {
    if (MatchTestbed(run.context.fingerprint, here) == TestbedMatch::kSame) {
      return std::move(run);
    }
  }
  return std::move(runs->front());
}

StatusOr<BenchmarkFile> ReadBenchmarkBaselineForCounts(
    const std::filesystem::path& path, const BenchmarkContext& here) {
  StatusOr<std::vector<BenchmarkFile>> runs = ReadBaselineRuns(path);
  if (!runs.ok()) return runs.status();
  // Counts do not depend on the testbed, only on how the binary was built
  // and counted: any testbed's run with this run's key will do.
  for (BenchmarkFile& run : *runs) {
    if (!here.counts_key.empty() && run.context.counts_key == here.counts_key &&
        run.context.instruction_counter == here.instruction_counter) {
      return std::move(run);
    }
  }
  for (BenchmarkFile& run : *runs) {
    if (MatchTestbed(run.context.fingerprint, here.fingerprint) ==
        TestbedMatch::kSame) {
      return std::move(run);
    }
  }
  return std::move(runs->front());
}

}  // namespace perfcheck
