// A GoogleTest perf binary seen from outside: its list of tests, and one test
// run in a fresh process with the perfcheck results it wrote. The building
// block of `perfcheck ab` (perfcheck/ab/run.h).
//
// A test runs as `BINARY --gtest_filter=TEST EXTRA_ARGS...` with, in its
// environment, PERFCHECK_RESULTS_DIR set to a fresh directory (read back
// here), PERFCHECK_BASELINE_DIR to an empty one and PERFCHECK_UPDATE_BASELINES
// off: inside an A/B run, the stored-baseline gate (EXPECT_NO_REGRESSION)
// finds no baseline and passes, so the A/B comparison is the only judge of
// time. GTEST_OUTPUT and XML_OUTPUT_FILE are emptied, so no child overwrites
// the caller's XML report. A flag in EXTRA_ARGS wins over these variables, as
// it always does. BINARY may be a wrapper script that sets variables and execs
// a binary with
// "$@".
//
// Errors (Status): the binary cannot be started or its list cannot be read,
// naming the binary and quoting the end of its output. A test that fails,
// crashes or times out is data (TestRun), never an error.
// Thread-safety: functions may run concurrently; they spawn processes.
#ifndef PERFCHECK_AB_GTEST_BINARY_H_
#define PERFCHECK_AB_GTEST_BINARY_H_

#include <atomic>
#include <chrono>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "perfcheck/result.h"
#include "perfcheck/status.h"

namespace perfcheck::ab {

// Full test names ("Suite.Test", "Prefix/Suite.Test/0") in the order of
// `--gtest_list_tests` output; DISABLED_ tests are left out unless
// `with_disabled`. Lines that are not part of the list (e.g. "Running main()
// from gtest_main.cc") are ignored; an output without any test gives an
// empty list.
std::vector<std::string> ParseTestList(std::string_view list_output,
                                       bool with_disabled = false);

struct ListOptions {
  std::string filter;  // --gtest_filter; empty: all tests
  std::vector<std::string> extra_args;
  std::chrono::milliseconds timeout{std::chrono::seconds(60)};
  const std::atomic<bool>* cancel = nullptr;  // not owned; may be null
};

// Runs `binary --gtest_list_tests`. An error when it cannot start, does not
// exit 0 in time, or lists no test (then the message says whether the filter
// or the binary is the cause).
[[nodiscard]] StatusOr<std::vector<std::string>> ListTests(
    const std::filesystem::path& binary, const ListOptions& options);

struct TestRunOptions {
  std::vector<std::string> extra_args;
  std::chrono::milliseconds timeout{std::chrono::minutes(10)};
  // Scratch space for this run (results, output); must exist. The caller
  // removes it.
  std::filesystem::path work_dir;
  const std::atomic<bool>* cancel = nullptr;  // not owned; may be null
};

struct TestRun {
  // The process exited 0 or 1 (gtest's "a test failed") and its results were
  // read. False when it crashed, timed out, was cancelled or exited
  // otherwise: `results` is then empty.
  bool completed = false;
  bool test_failed = false;  // exit status 1: an assertion of the test failed
  // "" when the test passed; else what happened, e.g. "exited with status 1",
  // "killed by signal 11 (Segmentation fault)", "killed after the timeout of
  // 600 s", "result file X: ...", with the end of its output.
  std::string problem;
  std::vector<Result> results;  // one per result the test asserted on
  std::chrono::nanoseconds wall{0};
  bool cancelled = false;
};

// Runs one test in a fresh process.
[[nodiscard]] StatusOr<TestRun> RunTest(const std::filesystem::path& binary,
                                        const std::string& test,
                                        const TestRunOptions& options);

}  // namespace perfcheck::ab

#endif  // PERFCHECK_AB_GTEST_BINARY_H_
