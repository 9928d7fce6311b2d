// The predicate-formatters behind the soak-run macros of perfcheck/gtest.h.
// The verdicts come from perfcheck/window_sla.h; this file only gives them
// gtest's shape, records them and registers the Result for the summary.
#include <cstdio>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>

#include "perfcheck/format.h"
#include "perfcheck/gtest.h"
#include "perfcheck/gtest/registry.h"
#include "perfcheck/instruction_counter.h"
#include "perfcheck/sla.h"
#include "perfcheck/window_sla.h"

namespace perfcheck::testing {
namespace {

using ::testing::AssertionFailure;
using ::testing::AssertionResult;
using ::testing::AssertionSuccess;

// A failure message lists at most this many failed windows: a soak run of
// hours can fail hundreds, and the worst is already in "Actual".
constexpr std::size_t kListedWindows = 10;

std::string DisplayName(const Result& r) {
  return r.name.empty() ? "(unnamed)" : r.name;
}

// Property keys become XML attribute names: the same character set as the
// other assertions' keys (assertions.cc).
std::string Key(const Result& r, std::string_view what) {
  std::string key = "perfcheck." + (r.name.empty() ? "unnamed" : r.name) +
                    ".sla." + std::string(what);
  for (std::size_t i = 10; i < key.size(); ++i) {
    char& c = key[i];
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                    (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
    if (!ok) c = '_';
  }
  return key;
}

void Print(const std::string& text) {
  std::cout << "perfcheck: " << text << std::endl;
}

// The words a check is known by in the summary and the property key:
// "p99 every 1m".
std::string CheckName(const std::string& metric, Nanos window_ns) {
  return metric + " every " + FormatOffset(window_ns);
}

// A time bound in an instruction-count run: passes with a note instead.
std::optional<AssertionResult> NotJudged(const Result& r,
                                         const std::string& check_name,
                                         const std::string& expected) {
  const std::optional<std::string> note =
      internal::TimeNotJudgedNote(check_name, InstructionCountingRequested());
  if (!note) return std::nullopt;
  std::string key_part = check_name;
  for (char& c : key_part) c = c == ' ' ? '_' : c;
  ::testing::Test::RecordProperty(
      Key(r, key_part), expected + ": not judged (instruction-count run)");
  RegisterResult(r, check_name, true, "time not judged: instruction-count run");
  const std::string test_id = CurrentTestId();
  Print((test_id.empty() ? "" : test_id + "/") + DisplayName(r) + ": " + *note);
  return AssertionSuccess();
}

AssertionResult ReportWindows(const char* x_expr, const char* window_expr,
                              const char* bound_expr, const Result& r,
                              const WindowCheck& c, bool time_bound) {
  const std::string name = CheckName(c.metric, c.window_ns);
  if (time_bound) {
    if (auto skipped = NotJudged(r, name, c.expected)) return *skipped;
  }
  std::string key_part = name;
  for (char& ch : key_part) ch = ch == ' ' ? '_' : ch;
  ::testing::Test::RecordProperty(
      Key(r, key_part), c.expected + (c.passed ? ": pass" : ": FAIL") + " (" +
                            std::to_string(c.failed) + " of " +
                            std::to_string(c.windows.size()) +
                            " windows failed)");
  RegisterResult(r, name, c.passed);
  if (c.passed) return AssertionSuccess();
  std::string metric_words = c.metric;
  for (char& ch : metric_words) ch = ch == '_' ? ' ' : ch;
  AssertionResult failure = AssertionFailure();
  failure << "Expected: " << metric_words << " of " << DisplayName(r) << " ("
          << x_expr << ") " << c.requirement << " (" << bound_expr
          << ") in every " << FormatOffset(c.window_ns) << " window ("
          << window_expr << ")\n"
          << "  Actual: " << c.actual;
  std::size_t listed = 0;
  for (const WindowVerdict& w : c.windows) {
    if (w.check.passed) continue;
    if (listed++ == kListedWindows) {
      failure << "\n  ... " << (c.failed - kListedWindows)
              << " more failed windows";
      break;
    }
    failure << "\n  window " << w.number << " (" << FormatOffset(w.start_ns)
            << "-" << FormatOffset(w.start_ns + w.span_ns)
            << "): " << w.check.actual << ", n=" << w.ok
            << " errors=" << w.errors;
  }
  for (const std::string& note : c.notes) failure << "\n  note: " << note;
  return failure;
}

}  // namespace

AssertionResult PercentileBelowInEveryWindow(const char* x_expr, const char*,
                                             const char* window_expr,
                                             const char* limit_expr,
                                             const Result& x, double q,
                                             Limit window, Limit limit) {
  const WindowCheck c =
      CheckPercentileBelowInEveryWindow(x, q, window.nanos(), limit.nanos());
  return ReportWindows(x_expr, window_expr, limit_expr, x, c, true);
}

AssertionResult P95BelowInEveryWindow(const char* x_expr,
                                      const char* window_expr,
                                      const char* limit_expr, const Result& x,
                                      Limit window, Limit limit) {
  return PercentileBelowInEveryWindow(x_expr, "95", window_expr, limit_expr, x,
                                      95, window, limit);
}

AssertionResult P99BelowInEveryWindow(const char* x_expr,
                                      const char* window_expr,
                                      const char* limit_expr, const Result& x,
                                      Limit window, Limit limit) {
  return PercentileBelowInEveryWindow(x_expr, "99", window_expr, limit_expr, x,
                                      99, window, limit);
}

AssertionResult ErrorRateBelowInEveryWindow(const char* x_expr,
                                            const char* window_expr,
                                            const char* fraction_expr,
                                            const Result& x, Limit window,
                                            double fraction) {
  const WindowCheck c =
      CheckErrorRateBelowInEveryWindow(x, window.nanos(), fraction);
  return ReportWindows(x_expr, window_expr, fraction_expr, x, c, false);
}

AssertionResult ThroughputAtLeastInEveryWindow(const char* x_expr,
                                               const char* window_expr,
                                               const char* rate_expr,
                                               const Result& x, Limit window,
                                               double per_second) {
  const WindowCheck c =
      CheckThroughputAtLeastInEveryWindow(x, window.nanos(), per_second);
  return ReportWindows(x_expr, window_expr, rate_expr, x, c, true);
}

AssertionResult NoLatencyDrift(const char* x_expr, const char* options_expr,
                               const Result& x, const DriftOptions& options) {
  LatencyDrift d = AnalyzeLatencyDrift(x, options);
  const std::string name = "drift " + PercentileName(options.percent);
  char allowed[32];
  std::snprintf(allowed, sizeof allowed, "%g%%", 100 * options.allowed_rise);
  const std::string expected =
      PercentileName(options.percent) + " rising less than +" + allowed +
      " over the run (windows of " + FormatOffset(d.window_ns) + ")";
  if (auto skipped = NotJudged(x, name, "no drift: " + expected)) {
    return *skipped;
  }
  const bool passed = d.verdict == DriftVerdict::kSteady;
  ::testing::Test::RecordProperty(
      Key(x, "drift_" + PercentileName(options.percent)), d.Describe());
  RegisterResult(x, name, passed);
  if (passed) return AssertionSuccess();
  AssertionResult failure = AssertionFailure();
  failure << "Expected: no latency drift of " << DisplayName(x) << " ("
          << x_expr << "): " << expected << " (" << options_expr << ")\n"
          << "  Actual: " << d.Describe();
  if (d.verdict == DriftVerdict::kInsufficientData) {
    failure << "\n  (a longer run, or shorter windows, gives the "
            << d.min_windows << " windows the check needs)";
  }
  return failure;
}

AssertionResult NoLatencyDrift(const char* x_expr, const char* window_expr,
                               const Result& x, Limit window) {
  DriftOptions options;
  options.window = std::chrono::nanoseconds(window.nanos());
  return NoLatencyDrift(x_expr, window_expr, x, options);
}

}  // namespace perfcheck::testing
