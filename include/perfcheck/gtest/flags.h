// The --perfcheck_* flags of a GoogleTest program, and the settings they
// resolve to: flag, then environment variable, then the binary's defaults
// file (written by perfcheck_discover_tests), then the built-in default.
//
// Flags (each also settable by environment variable; the flag wins):
//   --perfcheck_baseline_dir=DIR   PERFCHECK_BASELINE_DIR   "baselines"
//   --perfcheck_candidate_dir=DIR  PERFCHECK_CANDIDATE_DIR  "perfcheck-candidates"
//   --perfcheck_results_dir=DIR    PERFCHECK_RESULTS_DIR    "perfcheck-results"
//       (the last column is the built-in default; a defaults file beside the
//       binary, LoadBinaryDefaults below, comes before it)
//   --perfcheck_update_baselines[=append|replace]
//                                  PERFCHECK_UPDATE_BASELINES=1|append|replace
//                                  (0, false or empty: off)
//   --perfcheck_tolerance=10%      PERFCHECK_TOLERANCE (also "0.1"), default 10%
//   --perfcheck_testbed=NAME       PERFCHECK_TESTBED, default: derived
//                                  "auto-<hash>" (perfcheck/testbed.h); time is
//                                  judged only against runs of this testbed
//   --perfcheck_instructions       (no variable) run under Valgrind's callgrind
//                                  and gate instruction counts
//                                  (docs/instruction-counts.md)
//
// Errors: ParseFlags throws std::invalid_argument for a bad flag; a bad
// environment value is reported by the accessor that reads it (StatusOr).
// Thread-safety: every function here may be called from any thread; the flag
// values are guarded by a mutex.
#ifndef PERFCHECK_GTEST_FLAGS_H_
#define PERFCHECK_GTEST_FLAGS_H_

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "perfcheck/baseline.h"
#include "perfcheck/status.h"

namespace perfcheck::testing {

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

}  // namespace perfcheck::testing

#endif  // PERFCHECK_GTEST_FLAGS_H_
