// The registry of results the perfcheck assertions judged in this program,
// per test, with their verdicts: the summary table and result files
// (listener.h) are made from it.
//
// Thread-safety: every function here may be called from any thread; the
// registry is guarded by a mutex.
#ifndef PERFCHECK_GTEST_REGISTRY_H_
#define PERFCHECK_GTEST_REGISTRY_H_

#include <string>
#include <string_view>
#include <vector>

#include "perfcheck/result.h"

namespace perfcheck::testing {

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

}  // namespace perfcheck::testing

#endif  // PERFCHECK_GTEST_REGISTRY_H_
