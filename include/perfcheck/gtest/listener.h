// The listener that prints one summary table of the registered results
// (registry.h) and writes each as JSON when the test program ends.
//
// Errors: WriteResultFiles returns the first error, naming the file; the
// listener prints write errors, never throws.
// Thread-safety: the free functions may be called from any thread; the
// listener is called by gtest.
#ifndef PERFCHECK_GTEST_LISTENER_H_
#define PERFCHECK_GTEST_LISTENER_H_

#include <gtest/gtest.h>

#include <filesystem>
#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

#include "perfcheck/gtest/registry.h"
#include "perfcheck/status.h"

namespace perfcheck::testing {

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

#endif  // PERFCHECK_GTEST_LISTENER_H_
