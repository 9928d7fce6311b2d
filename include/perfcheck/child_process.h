// Running a child program with a time limit: what `perfcheck compare
// --interleave` and `perfcheck ab` do for every benchmark and test process.
//
// The child gets its own process group, so a timeout or a cancellation ends
// everything it started (a wrapper script and the binary it runs), never
// anything else. Its stdout and stderr go to the given files (or nowhere).
//
// Errors (Status): only when the child cannot be started (no such file, not
// executable) or cannot be waited for; how it ended (exit status, signal,
// timeout, cancellation) is data in ChildProcessEnd.
// Thread-safety: RunChildProcess may run concurrently on several threads;
// not from a signal handler.
//
// Example:
//   perfcheck::ChildProcessOptions opt;
//   opt.argv = {"./perf_test", "--gtest_list_tests"};
//   opt.stdout_path = "list.txt";
//   opt.timeout = std::chrono::seconds(60);
//   perfcheck::StatusOr<perfcheck::ChildProcessEnd> end =
//       perfcheck::RunChildProcess(opt);
//   if (end.ok() && end->Succeeded()) { /* read list.txt */ }
#ifndef PERFCHECK_CHILD_PROCESS_H_
#define PERFCHECK_CHILD_PROCESS_H_

#include <atomic>
#include <chrono>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "perfcheck/status.h"

namespace perfcheck {

struct ChildProcessOptions {
  // argv[0] is the program: a path (no PATH search). Must not be empty.
  std::vector<std::string> argv;
  // Set (or replace) in the child's environment; the rest is inherited.
  std::vector<std::pair<std::string, std::string>> environment;
  // Where stdout / stderr go; empty: /dev/null. Truncated first.
  std::filesystem::path stdout_path;
  std::filesystem::path stderr_path;
  // The child's process group is killed (SIGKILL) past this.
  std::chrono::milliseconds timeout{std::chrono::minutes(10)};
  // When it becomes true (e.g. set by a SIGINT handler), the child's process
  // group is killed and the end is kCancelled. Not owned; may be null.
  const std::atomic<bool>* cancel = nullptr;
};

struct ChildProcessEnd {
  enum class How { kExited, kSignaled, kTimedOut, kCancelled };
  How how = How::kExited;
  int exit_code = 0;  // with kExited
  int signal = 0;     // with kSignaled
  std::chrono::nanoseconds wall{0};

  bool Succeeded() const { return how == How::kExited && exit_code == 0; }
  // "exited with status 1", "killed by signal 11 (Segmentation fault)",
  // "killed after the timeout of 600 s", "cancelled"; "ok" on success.
  std::string Describe(std::chrono::milliseconds timeout) const;
};

// Starts the child and waits for its end (polling every 5 ms).
[[nodiscard]] StatusOr<ChildProcessEnd> RunChildProcess(
    const ChildProcessOptions& options);

// The last `max_chars` characters of a file (for error messages), trailing
// blank lines removed, "..." in front when cut; "" when unreadable.
std::string FileTail(const std::filesystem::path& path, std::size_t max_chars);

}  // namespace perfcheck

#endif  // PERFCHECK_CHILD_PROCESS_H_
