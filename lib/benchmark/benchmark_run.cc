#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <initializer_list>
#include <random>
#include <stdexcept>

#include "io/file_io.h"
#include "perfcheck/benchmark/run.h"
#include "perfcheck/child_process.h"
#include "perfcheck/machine.h"

namespace perfcheck {
namespace {

// A temporary file removed when this goes out of scope.
class TempFile {
 public:
  explicit TempFile(const char* suffix_tag) {
    std::string pattern = (std::filesystem::temp_directory_path() /
                           (std::string("perfcheck-") + suffix_tag + "-XXXXXX"))
                              .string();
    std::vector<char> buf(pattern.begin(), pattern.end());
    buf.push_back('\0');
    const int fd = ::mkstemp(buf.data());
    if (fd >= 0) {
      ::close(fd);
      path_ = buf.data();
    }
  }
  ~TempFile() {
    if (!path_.empty()) {
      std::error_code ec;
      std::filesystem::remove(path_, ec);
    }
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  bool ok() const { return !path_.empty(); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace

StatusOr<BenchmarkFile> RunBenchmark(const std::filesystem::path& binary,
                                     const BenchmarkRunOptions& options,
                                     std::string* json_text) {
  if (options.repetitions < 1) {
    throw std::invalid_argument("RunBenchmark: repetitions must be >= 1");
  }
  const std::string name = binary.string();
  TempFile out("bench-json");
  TempFile err("bench-stderr");
  if (!out.ok() || !err.ok()) {
    return Status::Error(
        name + ": cannot create a temporary file: " + std::strerror(errno));
  }
  std::vector<std::string> args = {
      name, "--benchmark_out=" + out.path(), "--benchmark_out_format=json",
      "--benchmark_repetitions=" + std::to_string(options.repetitions)};
  if (!options.min_time.empty())
    args.push_back("--benchmark_min_time=" + options.min_time);
  if (!options.filter.empty())
    args.push_back("--benchmark_filter=" + options.filter);
  args.insert(args.end(), options.extra_args.begin(), options.extra_args.end());
  ChildProcessOptions child;
  child.argv = std::move(args);
  // The console table goes nowhere: the JSON file is the result.
  child.stderr_path = err.path();
  child.timeout = options.timeout;
  StatusOr<ChildProcessEnd> end = RunChildProcess(child);
  if (!end.ok()) return end.status();
  const std::string stderr_tail = FileTail(err.path(), 400);
  auto with_stderr = [&](std::string msg) {
    if (!stderr_tail.empty()) msg += "; stderr: " + stderr_tail;
    return Status::Error(msg);
  };
  if (!end->Succeeded()) {
    return with_stderr(name + ": " + end->Describe(child.timeout));
  }
  StatusOr<std::string> text = io::ReadFile(out.path());
  if (!text.ok()) return with_stderr(name + ": no JSON output");
  StatusOr<BenchmarkFile> file = ParseBenchmarkJson(*text, name);
  if (!file.ok()) return with_stderr(file.status().message());
  if (file->benchmarks.empty()) {
    return with_stderr(name + ": ran no benchmark (check the filter)");
  }
  if (json_text != nullptr) *json_text = std::move(*text);
  // The binary ran here: its run is of this machine's testbed (testbed.h).
  const Fingerprint here = CaptureFingerprint();
  file->context.fingerprint.testbed = here.testbed;
  file->context.fingerprint.speed_probe_ns = here.speed_probe_ns;
  return file;
}

StatusOr<ComparisonReport> RunInterleaved(
    const std::filesystem::path& old_binary,
    const std::filesystem::path& new_binary, const InterleaveOptions& options,
    const CompareOptions& compare) {
  if (options.rounds < 1) {
    throw std::invalid_argument("RunInterleaved: rounds must be >= 1");
  }
  compare.Validate();
  std::uint64_t seed = options.seed;
  if (seed == 0) {
    seed = static_cast<std::uint64_t>(
        std::chrono::steady_clock::now().time_since_epoch().count());
  }
  std::mt19937_64 rng(seed);
  const auto start = std::chrono::steady_clock::now();
  std::vector<BenchmarkRound> rounds;
  for (int i = 0; i < options.rounds; ++i) {
    if (i > 0 &&
        std::chrono::steady_clock::now() - start > options.max_duration) {
      if (options.progress) {
        options.progress("time limit reached after " + std::to_string(i) +
                         " rounds");
      }
      break;
    }
    // A random order per round: a fixed order would give one side the
    // systematically warmer (or more throttled) slot.
    const bool old_first = (rng() & 1) == 0;
    BenchmarkRound round;
    for (int k = 0; k < 2; ++k) {
      const bool run_old = (k == 0) == old_first;
      StatusOr<BenchmarkFile> f =
          RunBenchmark(run_old ? old_binary : new_binary, options.run);
      if (!f.ok()) return f.status();
      (run_old ? round.old_run : round.new_run) = std::move(*f);
    }
    rounds.push_back(std::move(round));
    if (options.progress) {
      options.progress("round " + std::to_string(i + 1) + "/" +
                       std::to_string(options.rounds) + " done (" +
                       (old_first ? "old first" : "new first") + ")");
    }
  }
  for (const BenchmarkRound& r : rounds) {
    for (const BenchmarkFile* file : {&r.old_run, &r.new_run}) {
      for (const BenchmarkSeries& series : file->benchmarks) {
        if (Status s = compare.CheckName(series.name); !s.ok()) return s;
      }
    }
  }
  ComparisonReport report = ComparePaired(rounds, compare);
  report.old_source = old_binary.string();
  report.new_source = new_binary.string();
  return report;
}

}  // namespace perfcheck
