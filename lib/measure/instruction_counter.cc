#include "perfcheck/instruction_counter.h"

#include <signal.h>
#include <sys/personality.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <string>
#include <system_error>
#include <vector>

#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#define PERFCHECK_HAVE_CALLGRIND 1
#endif

namespace perfcheck {
namespace {

const std::string& OutPrefix() {
  static const std::string prefix = [] {
    const char* v = std::getenv("PERFCHECK_CALLGRIND_OUT");
    return std::string(v == nullptr ? "" : v);
  }();
  return prefix;
}

// Callgrind numbers the dumps of a process 1, 2, ...; ours carry the tag
// "perfcheck-<n>" so a dump requested by the code under test cannot be
// mistaken for ours.
std::mutex dump_mutex;
int next_tag = 1;
int next_part = 1;

std::string ReadWholeFile(const std::string& path, bool* found) {
  std::ifstream in(path, std::ios::binary);
  *found = static_cast<bool>(in);
  std::ostringstream text;
  if (*found) text << in.rdbuf();
  return text.str();
}

}  // namespace

bool InstructionCountingRequested() { return !OutPrefix().empty(); }

bool RunningOnValgrind() {
#if defined(PERFCHECK_HAVE_CALLGRIND)
  return RUNNING_ON_VALGRIND > 0;
#else
  return false;
#endif
}

Status InstructionCounter::Start() {
  started_ = false;
#if !defined(PERFCHECK_HAVE_CALLGRIND)
  return Status::Error(
      "instruction counting: perfcheck was built without valgrind/callgrind.h "
      "(install Debian's valgrind package and rebuild)");
#else
  if (!InstructionCountingRequested()) {
    return Status::Error(
        "instruction counting: PERFCHECK_CALLGRIND_OUT is not set (run the "
        "binary as perfcheck's CMake functions do, under valgrind "
        "--tool=callgrind)");
  }
  if (!RunningOnValgrind()) {
    return Status::Error(
        "instruction counting: PERFCHECK_CALLGRIND_OUT is set but the process "
        "is not running under valgrind --tool=callgrind");
  }
  CALLGRIND_ZERO_STATS;
  CALLGRIND_START_INSTRUMENTATION;
  started_ = true;
  return Status();
#endif
}

StatusOr<std::uint64_t> InstructionCounter::Stop() {
#if !defined(PERFCHECK_HAVE_CALLGRIND)
  return Status::Error("instruction counting: not available in this build");
#else
  if (!started_) {
    return Status::Error("instruction counting: Stop() without a Start()");
  }
  CALLGRIND_STOP_INSTRUMENTATION;
  started_ = false;
  std::lock_guard<std::mutex> lock(dump_mutex);
  const std::string tag = "perfcheck-" + std::to_string(next_tag++);
  CALLGRIND_DUMP_STATS_AT(tag.c_str());
  const std::string base = OutPrefix() + ".";
  const std::string trigger = "Trigger: Client Request: " + tag + "\n";
  // Our dump is normally the next part; dumps of the code under test shift it.
  constexpr int kSearch = 1000;
  for (int part = next_part; part < next_part + kSearch; ++part) {
    const std::string path = base + std::to_string(part);
    bool found = false;
    const std::string text = ReadWholeFile(path, &found);
    if (!found) break;
    if (text.find(trigger) == std::string::npos) continue;
    next_part = part + 1;
    std::error_code ignored;
    std::filesystem::remove(path, ignored);
    return ParseCallgrindTotals(text, path);
  }
  return Status::Error("instruction counting: no callgrind dump '" + tag +
                       "' appeared as " + base +
                       "<n> (is the tool callgrind, and --callgrind-out-file=" +
                       OutPrefix() + "?)");
#endif
}

namespace {

// The valgrind child while RunUnderCallgrind waits; read by the handler.
volatile sig_atomic_t forward_to = 0;

void Forward(int signal_number) {
  if (forward_to > 0) ::kill(static_cast<pid_t>(forward_to), signal_number);
}

bool OnPath(const std::string& program) {
  const char* path = std::getenv("PATH");
  std::string_view rest = path == nullptr ? "/usr/bin:/bin" : path;
  while (true) {
    const std::size_t colon = rest.find(':');
    const std::string_view dir = rest.substr(0, colon);
    std::string candidate(dir.empty() ? std::string_view(".") : dir);
    candidate.append("/").append(program);
    if (::access(candidate.c_str(), X_OK) == 0) return true;
    if (colon == std::string_view::npos) return false;
    rest.remove_prefix(colon + 1);
  }
}

}  // namespace

StatusOr<int> RunUnderCallgrind(const std::vector<std::string>& argv) {
  if (argv.empty()) {
    return Status::Error("RunUnderCallgrind: no program to run");
  }
  if (!OnPath("valgrind")) {
    return Status::Error(
        "instruction counting needs valgrind on PATH (Debian package "
        "\"valgrind\"; scripts/install-deps.sh installs it)");
  }
  const char* tmp = std::getenv("TMPDIR");
  std::string dir_template =
      std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") +
      "/perfcheck-callgrind-XXXXXX";
  if (::mkdtemp(dir_template.data()) == nullptr) {
    return Status::Error(
        "instruction counting: cannot create a directory "
        "like " +
        dir_template + ": " + std::strerror(errno));
  }
  const std::string dir = dir_template;
  const std::string prefix = dir + "/callgrind.out";

  std::string key;
  if (const char* k = std::getenv("PERFCHECK_COUNTS_KEY")) key = k;
#if defined(PERFCHECK_HAVE_CALLGRIND)
  key += std::string(key.empty() ? "" : " ") + "valgrind-" +
         std::to_string(__VALGRIND_MAJOR__) + "." +
         std::to_string(__VALGRIND_MINOR__);
#endif

  // Built before fork(): the child only calls async-signal-safe functions.
  std::vector<std::string> args = {"valgrind", "--tool=callgrind", "-q",
                                   "--instr-atstart=no",
                                   "--callgrind-out-file=" + prefix};
  args.insert(args.end(), argv.begin(), argv.end());
  std::vector<char*> cargs;
  for (std::string& a : args) cargs.push_back(a.data());
  cargs.push_back(nullptr);
  std::string out_env = "PERFCHECK_CALLGRIND_OUT=" + prefix;
  std::string key_env = "PERFCHECK_COUNTS_KEY=" + key;
  // Symbols resolved at start-up, not by the first call inside a counted
  // region (lazy binding would count the dynamic linker once per symbol).
  std::string bind_env = "LD_BIND_NOW=1";

  struct sigaction forward {};
  forward.sa_handler = Forward;
  sigemptyset(&forward.sa_mask);
  struct sigaction old_int {
  }, old_term{}, old_hup{};
  sigaction(SIGINT, &forward, &old_int);
  sigaction(SIGTERM, &forward, &old_term);
  sigaction(SIGHUP, &forward, &old_hup);
  auto restore = [&] {
    forward_to = 0;
    sigaction(SIGINT, &old_int, nullptr);
    sigaction(SIGTERM, &old_term, nullptr);
    sigaction(SIGHUP, &old_hup, nullptr);
    std::error_code ignored;
    std::filesystem::remove_all(dir, ignored);
  };

  const pid_t child = ::fork();
  if (child < 0) {
    const int error = errno;
    restore();
    return Status::Error(std::string("instruction counting: fork: ") +
                         std::strerror(error));
  }
  if (child == 0) {
    ::putenv(out_env.data());
    ::putenv(key_env.data());
    ::putenv(bind_env.data());
    // Addresses decide some code paths (alignment in string functions,
    // pointer hashing): the same layout on every run. deterministic_heap.h
    // does the same for the heap.
    ::personality(ADDR_NO_RANDOMIZE);
    struct sigaction deflt {};
    deflt.sa_handler = SIG_DFL;
    sigemptyset(&deflt.sa_mask);
    sigaction(SIGINT, &deflt, nullptr);
    sigaction(SIGTERM, &deflt, nullptr);
    sigaction(SIGHUP, &deflt, nullptr);
    ::execvp("valgrind", cargs.data());
    _exit(127);
  }
  forward_to = child;
  int status = 0;
  while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  restore();
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return WEXITSTATUS(status);
}

StatusOr<std::uint64_t> ParseCallgrindTotals(std::string_view text,
                                             std::string_view source) {
  for (std::string_view key : {"totals:", "summary:"}) {
    std::size_t at = 0;
    while ((at = text.find(key, at)) != std::string_view::npos) {
      const bool line_start = at == 0 || text[at - 1] == '\n';
      at += key.size();
      if (!line_start) continue;
      std::size_t end = text.find('\n', at);
      if (end == std::string_view::npos) end = text.size();
      const std::string_view line = text.substr(at, end - at);
      // The first event is Ir (instructions); further events would follow,
      // separated by blanks.
      std::size_t first = 0;
      while (first < line.size() &&
             (line[first] == ' ' || line[first] == '\t')) {
        ++first;
      }
      std::uint64_t value = 0;
      const char* begin = line.data() + first;
      const char* finish = line.data() + line.size();
      const auto [stop, error] = std::from_chars(begin, finish, value);
      const bool ends_field =
          stop == finish || *stop == ' ' || *stop == '\t' || *stop == '\r';
      if (error != std::errc() || stop == begin || !ends_field) {
        return Status::Error(std::string(source) + ": callgrind '" +
                             std::string(key) + "' line is not a count: '" +
                             std::string(line) + "'");
      }
      return value;
    }
  }
  return Status::Error(std::string(source) +
                       ": no 'totals:' or 'summary:' line (not a callgrind "
                       "dump?)");
}

}  // namespace perfcheck
