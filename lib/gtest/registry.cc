#include "perfcheck/gtest/registry.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "perfcheck/instruction_counter.h"
#include "perfcheck/redaction.h"

namespace perfcheck::testing {
namespace {

struct Registry {
  std::mutex mu;
  std::vector<RegisteredResult> entries;
};

Registry& TheRegistry() {
  // Leaked on purpose: assertions in static destructors must still work.
  static Registry* registry = new Registry;
  return *registry;
}

void AddOnce(std::vector<std::string>& list, std::string_view item) {
  if (item.empty()) return;
  if (std::find(list.begin(), list.end(), item) == list.end()) {
    list.emplace_back(item);
  }
}

std::string Join(const std::vector<std::string>& items, std::string_view sep) {
  std::string out;
  for (const auto& item : items) {
    if (!out.empty()) out += sep;
    out += item;
  }
  return out;
}

// Result::SetConfig redacts, but `config` is a public map that callers may
// fill directly; the registry feeds JSON files, so it redacts again.
Result Redacted(const Result& result) {
  Result copy = result;
  for (auto& [key, value] : copy.config) {
    value = IsSecretName(key) ? std::string(kRedacted) : RedactUrl(value);
  }
  return copy;
}

}  // namespace

std::string CurrentTestId() {
  const ::testing::UnitTest* unit = ::testing::UnitTest::GetInstance();
  std::string id;
  if (const ::testing::TestInfo* info = unit->current_test_info()) {
    id = std::string(info->test_suite_name()) + "." + info->name();
  } else if (const ::testing::TestSuite* suite = unit->current_test_suite()) {
    id = suite->name();
  }
  // An instruction-count run has its own baseline file and result files: its
  // times are Valgrind's and must never enter the time baseline's band.
  if (!id.empty() && InstructionCountingRequested())
    id += kInstructionRunSuffix;
  return id;
}

std::string RegisteredResult::Verdict() const {
  if (!failed.empty()) return "FAIL: " + Join(failed, ", ");
  if (notes.empty()) return "pass";
  return "pass (" + Join(notes, "; ") + ")";
}

void RegisterResult(const Result& result, std::string_view check, bool passed,
                    std::string_view note) {
  std::string test_id = CurrentTestId();
  Result stored = Redacted(result);
  Registry& registry = TheRegistry();
  std::lock_guard<std::mutex> lock(registry.mu);
  auto it = std::find_if(registry.entries.begin(), registry.entries.end(),
                         [&](const RegisteredResult& e) {
                           return e.test_id == test_id &&
                                  e.result.name == result.name;
                         });
  if (it == registry.entries.end()) {
    registry.entries.push_back(
        RegisteredResult{std::move(test_id), {}, {}, {}});
    it = std::prev(registry.entries.end());
  }
  it->result = std::move(stored);
  if (!passed) AddOnce(it->failed, check);
  AddOnce(it->notes, note);
}

std::vector<RegisteredResult> RegisteredResults() {
  Registry& registry = TheRegistry();
  std::lock_guard<std::mutex> lock(registry.mu);
  return registry.entries;
}

void ClearRegisteredResults() {
  Registry& registry = TheRegistry();
  std::lock_guard<std::mutex> lock(registry.mu);
  registry.entries.clear();
}

}  // namespace perfcheck::testing
