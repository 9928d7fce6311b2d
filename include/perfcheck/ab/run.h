// `perfcheck ab`: the pull-request gate for GoogleTest perf suites. Two builds
// of the same tests (base: the merge base, head: the pull request) run on one
// machine, test by test, side by side, and every result is judged by the
// paired rule (perfcheck/ab/rounds.h). No stored baseline, so no other
// machine's or moment's speed enters the verdict.
//
// How it runs
//  - Tests: the --gtest_list_tests of both binaries of each pair (--filter
//    applies). Tests on one side only get a "missing in new" / "new" row and
//    are not run. A test that completed on both sides in the first round
//    without writing any perfcheck result is not a perf test: listed, never
//    run again.
//  - Rounds: in each, the remaining tests in a random order; per test, base
//    and head back to back in a random order, each in a fresh process
//    (gtest_binary.h). A fixed order would give one side the systematically
//    warmer (or more throttled) slot.
//  - Looks: the rounds are judged at round `rounds`, then every
//    max(1, rounds / 2) rounds up to `max_rounds`. A test whose rows are all
//    settled (no "noisy", no "insufficient data") at a look stops there; the
//    others get more rounds. Each look judges at confidence
//    1 - (1 - confidence) / looks (Bonferroni over the planned looks), so the
//    chance that ANY look shows a false regression stays below
//    1 - confidence: stopping early is then sound, whereas peeking at every
//    round with the full confidence would not be.
//  - Bounded: every process has `run_timeout` (its process group is killed
//    past it); no test run starts after `max_duration`; the tests then still
//    open are judged on the rounds done (a note says so). `cancel` (e.g. set
//    from a SIGINT handler) stops at once, killing the running child.
//  - Servers: tests that need a database or an HTTP server read where it is
//    from the environment (e.g. PERFCHECK_PG_ENV_FILE); the caller starts it
//    once and both sides use the same one (scripts/ab-pr.sh does).
//
// Errors (Status, exit 2 in the CLI): a binary that cannot be started, does
// not list tests, lists none matching the filter, or pairs whose lists have
// no test in common. A test that crashes or hangs is data: those rounds are
// skipped and counted in the row's note; a head that never completes where
// the base does is the verdict "error". A test whose own assertions fail
// still has its results judged; the note counts the failures.
//
// Thread-safety: one RunAb at a time per process is the intended use (it
// runs children one after another); it touches no global state except
// through the children.
//
// Example:
//   perfcheck::ab::AbOptions opt;
//   opt.filter = "OrderSearch.*";
//   auto report = perfcheck::ab::RunAb({{"base/perf_test", "head/perf_test"}},
//                                      opt);
//   if (!report.ok()) return 2;
//   std::cout << perfcheck::ab::RenderAbTable(*report, false);  // render.h
//   return report->comparison.HasRegression() ? 1 : 0;
#ifndef PERFCHECK_AB_RUN_H_
#define PERFCHECK_AB_RUN_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "perfcheck/ab/rounds.h"
#include "perfcheck/benchmark/compare.h"
#include "perfcheck/status.h"

namespace perfcheck::ab {

struct BinaryPair {
  std::filesystem::path base;
  std::filesystem::path head;
};

struct AbOptions {
  // First look; >= 1. A finite interval needs 8 rounds at 99%, 10 at the
  // 99.67% of each of three looks (the default).
  int rounds = 10;
  int max_rounds = 20;  // >= rounds; equal: one look, no extension
  std::string filter;   // --gtest_filter for both sides; empty: all
  std::vector<std::string> extra_args;  // passed to every test process
  std::chrono::seconds run_timeout{600};
  std::chrono::seconds max_duration{3600};
  std::uint64_t seed = 0;  // order of tests and sides; 0: from the clock
  // Threshold, error-rate threshold and the overall confidence; the
  // per-look confidence is derived from it (see above).
  JudgeOptions judge;
  // One line of progress after every test run (may be empty).
  std::function<void(const std::string&)> progress;
  const std::atomic<bool>* cancel = nullptr;  // not owned; may be null

  // Throws std::invalid_argument for values out of range.
  void Validate() const;
};

// Per test: how it went and what it cost.
struct TestOutcome {
  std::string test;  // row prefix: "Suite.Test" ("binary:Suite.Test" when
                     // several pairs list the same test)
  Verdict verdict = Verdict::kUnchanged;  // TestVerdict of its rows
  int rounds = 0;                         // rounds it ran
  std::chrono::nanoseconds base_wall{0};  // summed over its rounds
  std::chrono::nanoseconds head_wall{0};
};

struct AbReport {
  // Rows of every test (rounds.h); mode, sources, confidence (per look).
  ComparisonReport comparison;
  std::vector<TestOutcome> tests;
  std::vector<std::string> not_perf_tests;  // wrote no perfcheck result
  std::vector<int> look_rounds;             // the planned looks
  double overall_confidence = 0.99;
  int rounds_run = 0;
  std::chrono::nanoseconds wall{0};
  bool budget_reached = false;
  bool cancelled = false;
  std::uint64_t seed = 0;  // to reproduce the order

  bool HasRegression() const { return comparison.HasRegression(); }
};

// The planned looks for `options`: rounds, rounds + step, ..., max_rounds.
std::vector<int> LookRounds(int rounds, int max_rounds);

// Runs the A/B comparison of every pair (see above).
[[nodiscard]] StatusOr<AbReport> RunAb(const std::vector<BinaryPair>& pairs,
                                       const AbOptions& options);

}  // namespace perfcheck::ab

#endif  // PERFCHECK_AB_RUN_H_
