#include "perfcheck/benchmark_run.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <random>
#include <stdexcept>
#include <thread>

#include "perfcheck/fingerprint.h"
#include "report/json_fields.h"

extern char** environ;

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

std::string Tail(const std::string& s, std::size_t n) {
  std::string t = s.size() > n ? "..." + s.substr(s.size() - n) : s;
  while (!t.empty() && (t.back() == '\n' || t.back() == ' ')) t.pop_back();
  return t;
}

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
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  // The console table goes nowhere: the JSON file is the result.
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null",
                                   O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, err.path().c_str(),
                                   O_WRONLY | O_TRUNC, 0600);
  pid_t pid = 0;
  const int rc = ::posix_spawn(&pid, name.c_str(), &actions, nullptr,
                               argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    return Status::Error(name + ": cannot start: " + std::strerror(rc));
  }
  const auto deadline = std::chrono::steady_clock::now() + options.timeout;
  int status = 0;
  bool timed_out = false;
  while (true) {
    const pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) break;
    if (r < 0 && errno != EINTR) {
      return Status::Error(name + ": waitpid failed: " + std::strerror(errno));
    }
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      timed_out = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  StatusOr<std::string> err_text = json_fields::ReadFile(err.path());
  const std::string stderr_tail = err_text.ok() ? Tail(*err_text, 400) : "";
  auto with_stderr = [&](std::string msg) {
    if (!stderr_tail.empty()) msg += "; stderr: " + stderr_tail;
    return Status::Error(msg);
  };
  if (timed_out) {
    return with_stderr(name + ": killed after the timeout of " +
                       std::to_string(options.timeout.count()) + " s");
  }
  if (WIFSIGNALED(status)) {
    return with_stderr(name + ": killed by signal " +
                       std::to_string(WTERMSIG(status)));
  }
  if (WEXITSTATUS(status) != 0) {
    return with_stderr(name + ": exited with status " +
                       std::to_string(WEXITSTATUS(status)));
  }
  StatusOr<std::string> text = json_fields::ReadFile(out.path());
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
  ComparisonReport report = ComparePaired(rounds, compare);
  report.old_source = old_binary.string();
  report.new_source = new_binary.string();
  return report;
}

}  // namespace perfcheck
