// The test-program side of the GoogleTest adapter: --perfcheck_* flags, the
// registry of results the assertions saw, and a listener that prints one
// summary table and writes every result as JSON when the program ends.
//
// perfcheck::gtest_main does all of this for you (lib/gtest/gtest_main.cc,
// plus turning a bad flag into exit status 2):
//   int main(int argc, char** argv) {
//     const std::vector<std::string> args(argv, argv + argc);
//     ::testing::InitGoogleTest(&argc, argv);
//     perfcheck::testing::ParseFlags(&argc, argv);
//     if (auto status = perfcheck::testing::MaybeRunUnderCallgrind(args)) {
//       return *status;
//     }
//     perfcheck::testing::InstallPerfListener();
//     return perfcheck::testing::RunAllTests();
//   }
//
// Flags (each also settable by environment variable; the flag wins):
//   --perfcheck_baseline_dir=DIR    PERFCHECK_BASELINE_DIR   default
//   "baselines", or the binary's defaults file (LoadBinaryDefaults; also for
//   the candidate and results directories)
//   --perfcheck_candidate_dir=DIR   PERFCHECK_CANDIDATE_DIR  default
//                                                     "perfcheck-candidates"
//   --perfcheck_results_dir=DIR     PERFCHECK_RESULTS_DIR    default
//                                                     "perfcheck-results"
//   --perfcheck_update_baselines[=append|replace]
//                                   PERFCHECK_UPDATE_BASELINES=1|append|replace
//                                   (0, false or empty: off)
//   --perfcheck_tolerance=10%       PERFCHECK_TOLERANCE  (also "0.1"), default
//   10%
//   --perfcheck_testbed=NAME        PERFCHECK_TESTBED    default: derived
//                                   "auto-<hash>" (perfcheck/testbed.h); time
//                                   is judged only against runs of this
//                                   testbed
//   --perfcheck_instructions        (no variable) run under Valgrind's
//                                   callgrind and gate instruction counts
//                                   (docs/instruction-counts.md)
//
// Thread-safety: every function here may be called from any thread; the
// registry and the flag values are guarded by mutexes.
#ifndef PERFCHECK_GTEST_PERF_LISTENER_H_
#define PERFCHECK_GTEST_PERF_LISTENER_H_

#include <gtest/gtest.h>

#include <filesystem>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "perfcheck/baseline.h"
#include "perfcheck/result.h"
#include "perfcheck/status.h"

namespace perfcheck::testing {

// ---------------------------------------------------------------- flags ----

// Values given on the command line; unset fields fall back to the environment
// and then to the defaults (see the resolved accessors below).
struct PerfFlags {
  std::optional<std::filesystem::path> baseline_dir;
  std::optional<std::filesystem::path> candidate_dir;
  std::optional<std::filesystem::path> results_dir;
  std::optional<UpdateMode> update_baselines;  // set: update mode is on
  std::optional<double> tolerance;             // relative, 0.10 = 10%
  std::optional<std::string> testbed;          // testbed name (testbed.h)
  // --perfcheck_instructions: count instructions under Valgrind
  // (instruction_counter.h); gtest_main then re-runs the binary under
  // callgrind, and the gate judges counts, not Valgrind's times.
  bool instructions = false;
};

// Removes the recognised --perfcheck_* flags from argv (adjusting *argc) and
// stores their values; other arguments are left in order. Call after
// ::testing::InitGoogleTest. Throws std::invalid_argument naming the flag for
// an unknown --perfcheck_* flag, a missing directory value or a bad
// update mode / tolerance, so a typo never silently disables the gate.
void ParseFlags(int* argc, char** argv);

// With --perfcheck_instructions and not yet under Valgrind: runs this program
// again, with its original arguments `args` (argv before InitGoogleTest), under
// callgrind (RunUnderCallgrind, instruction_counter.h) and returns its exit
// status (2, with the reason on stderr, when it cannot start). Under callgrind
// as set up that way, or without the flag: nullopt, run the tests here. With
// the flag under Valgrind started some other way: 2 and the reason.
std::optional<int> MaybeRunUnderCallgrind(const std::vector<std::string>& args);

// RUN_ALL_TESTS(). In an instruction-count run it first moves the stack so
// that the tests start at the same offset within a page on every run: the
// stack's start depends on the size of the environment and arguments, and
// the alignment of stack data (a short std::string searched for) changes
// the path a string function takes — measured 1.3% on the example suite.
int RunAllTests();

// The command-line values currently in effect, and a way for tests and custom
// mains to set them programmatically.
PerfFlags GetFlags();
void SetFlags(const PerfFlags& flags);

// Resolved settings: flag, then environment variable, then default.
std::filesystem::path BaselineDir();
std::filesystem::path CandidateDir();
std::filesystem::path ResultsDir();
// nullopt when update mode is off; an error naming PERFCHECK_UPDATE_BASELINES
// when the environment holds an unknown value.
StatusOr<std::optional<UpdateMode>> UpdateBaselinesMode();
// The regression tolerance (default 0.10); an error naming PERFCHECK_TOLERANCE
// when the environment holds an unparsable value.
StatusOr<double> RegressionTolerance();

// Parses "10%" or "0.1" as 0.10; nullopt unless the result is finite, > 0
// and at most 10 (1000%).
std::optional<double> ParseTolerance(std::string_view text);

// The defaults file of a test binary, "<binary>.perfcheck", which
// perfcheck_discover_tests (cmake/PerfCheck.cmake) writes beside it, so that
// running the binary by hand (./my_perf_test) uses the same directories as
// ctest does. One "key=DIR" per line, keys baseline_dir, candidate_dir and
// results_dir; a relative DIR is relative to the file; '#' starts a comment.
inline constexpr std::string_view kDefaultsFileSuffix = ".perfcheck";
std::filesystem::path DefaultsFileFor(const std::filesystem::path& binary);

// Reads DefaultsFileFor(binary): its directories become the defaults, below
// the flags and the environment variables and above the built-in ones.
// perfcheck::gtest_main calls it with /proc/self/exe. No file: the built-in
// defaults apply (earlier loaded ones are dropped). Returns an error naming
// the file and line for an unreadable or malformed file, and then changes
// nothing.
Status LoadBinaryDefaults(const std::filesystem::path& binary);

// One line for stderr when BaselineDir() is not a directory (and update mode
// is off): names the absolute path, where the setting came from, and the
// flag to set. Every EXPECT_NO_REGRESSION would otherwise pass quietly as
// "no baseline". nullopt when the directory exists.
std::optional<std::string> MissingBaselineDirWarning();

// ------------------------------------------------------------- registry ----

// "<Suite>.<Test>" of the running test (gtest's full names, so parameterized
// tests read "Prefix/Suite.Test/0"); the suite name alone inside
// SetUpTestSuite/TearDownTestSuite; "" outside any test. In an
// instruction-count run (instruction_counter.h) kInstructionRunSuffix is
// appended, so its baseline file ("Suite.Test.instructions.json") and result
// files are its own.
std::string CurrentTestId();
inline constexpr std::string_view kInstructionRunSuffix = ".instructions";

// A result some assertion judged, with what the assertions concluded.
struct RegisteredResult {
  std::string test_id;  // "Suite.Test" of the test that asserted on it
  Result result;        // the latest run with that name; config redacted
  std::vector<std::string> failed;  // failed checks: "p95", "regression", ...
  std::vector<std::string> notes;   // e.g. "no baseline", "improvement"

  // "pass", "pass (no baseline)" or "FAIL: p95, regression".
  std::string Verdict() const;
};

// Registers `result` under the current test (deduplicated by result name: the
// latest run replaces the earlier one, verdicts accumulate). `check` names what
// was judged ("p95", "regression"); `note` is an optional remark for the table.
// Configuration values of secret-named keys are redacted in the stored copy.
void RegisterResult(const Result& result, std::string_view check, bool passed,
                    std::string_view note = {});
// Everything registered so far, in registration order.
std::vector<RegisteredResult> RegisteredResults();
void ClearRegisteredResults();

// ------------------------------------------------------------- listener ----

// The summary table: one row per registered result with test, result, n,
// errors, p50, p95, p99, max, throughput and verdict; allocs/op and bytes/op
// when some result counted allocations; in an instruction-count run
// instructions/op in place of the times (which are Valgrind's). Empty input
// gives "".
std::string SummaryTable(const std::vector<RegisteredResult>& results);

// "<Suite>.<Test>.<name>.json" with every character outside [A-Za-z0-9._-]
// replaced by '_'.
std::string ResultFileName(std::string_view test_id, std::string_view name);

// Writes every result to <dir>/ResultFileName(...) (perfcheck/result_json.h).
// Tries all of them; returns the first error, naming the file.
Status WriteResultFiles(const std::vector<RegisteredResult>& results,
                        const std::filesystem::path& dir);

// Prints the summary table and writes the result files (into ResultsDir())
// when the test program ends. Write errors are printed, never thrown.
class PerfListener : public ::testing::EmptyTestEventListener {
 public:
  // `out` receives the table; nullptr means std::cout. Not owned.
  explicit PerfListener(std::ostream* out = nullptr) : out_(out) {}
  // In an instruction-count run: starts a deterministic-heap epoch
  // (deterministic_heap.h), so the test's addresses do not depend on the
  // tests, paths and environment before it.
  void OnTestStart(const ::testing::TestInfo& test_info) override;
  void OnTestProgramEnd(const ::testing::UnitTest& unit_test) override;

 private:
  std::ostream* out_;
};

// Appends a PerfListener to ::testing::UnitTest's listeners (once; later calls
// do nothing). gtest owns and deletes it.
void InstallPerfListener();

}  // namespace perfcheck::testing

#endif  // PERFCHECK_GTEST_PERF_LISTENER_H_
