// Recording Google Benchmark runs as baseline files (benchmark_json.h).
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>

#include "perfcheck/benchmark_json.h"
#include "report/json_fields.h"

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
  json_fields::Json meta;
  meta["recorded_at"] = NowIso8601();
  meta["fingerprint"] = json_fields::FingerprintToJson(CaptureFingerprint());
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
  return json_fields::WriteFileAtomically(path,
                                          json_fields::Dump(doc, 2) + "\n");
}

}  // namespace perfcheck
