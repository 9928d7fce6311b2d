#include "perfcheck/ab/render.h"

#include <cstdio>
#include <nlohmann/json.hpp>
#include <sstream>

namespace perfcheck::ab {
namespace {

double Secs(std::chrono::nanoseconds d) {
  return std::chrono::duration<double>(d).count();
}

// Seconds per run of one side: what the gate costs per test and round.
std::string PerRun(std::chrono::nanoseconds total, int rounds) {
  if (rounds <= 0) return "-";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f s", Secs(total) / rounds);
  return buf;
}

// The row that decided the test's verdict: the first with that verdict.
const MetricComparisonRow* Deciding(const AbReport& report,
                                    const TestOutcome& t) {
  const MetricComparisonRow* first = nullptr;
  for (const MetricComparisonRow& r : report.comparison.rows) {
    const bool mine =
        r.benchmark == t.test || r.benchmark.rfind(t.test + "/", 0) == 0;
    if (!mine) continue;
    if (first == nullptr) first = &r;
    if (r.verdict == t.verdict) return &r;
  }
  return first;
}

std::string DecidingText(const AbReport& report, const TestOutcome& t) {
  const MetricComparisonRow* r = Deciding(report, t);
  if (r == nullptr) return "-";
  std::string text = r->metric;
  const std::size_t slash = r->benchmark.find('/', t.test.size());
  if (slash != std::string::npos) {
    text = r->benchmark.substr(slash + 1) + " " + text;
  }
  const std::string change = RenderChange(*r);
  return change == "-" ? text : text + " " + change;
}

std::string Header(const AbReport& report) {
  std::ostringstream out;
  out << report.tests.size() << " test" << (report.tests.size() == 1 ? "" : "s")
      << ", " << report.rounds_run << " rounds, "
      << static_cast<long long>(Secs(report.wall) + 0.5) << " s, seed "
      << report.seed;
  if (report.budget_reached) out << "; TIME BUDGET REACHED";
  if (report.cancelled) out << "; CANCELLED";
  return out.str();
}

}  // namespace

std::string RenderAbTable(const AbReport& report, bool color) {
  std::vector<std::vector<std::string>> cells = {
      {"test", "verdict", "rounds", "base/run", "head/run", "deciding change"}};
  for (const TestOutcome& t : report.tests) {
    cells.push_back({t.test, std::string(VerdictName(t.verdict)),
                     std::to_string(t.rounds), PerRun(t.base_wall, t.rounds),
                     PerRun(t.head_wall, t.rounds), DecidingText(report, t)});
  }
  std::vector<std::size_t> width(cells.front().size(), 0);
  for (const auto& row : cells) {
    for (std::size_t i = 0; i < row.size(); ++i) {
      width[i] = std::max(width[i], row[i].size());
    }
  }
  std::ostringstream out;
  out << "perfcheck ab: " << Header(report) << "\n";
  for (std::size_t k = 0; k < cells.size(); ++k) {
    std::string line;
    for (std::size_t i = 0; i < cells[k].size(); ++i) {
      std::string cell = cells[k][i];
      if (i + 1 < cells[k].size()) cell.resize(width[i], ' ');
      if (i == 1 && k > 0 && color && IsFailure(report.tests[k - 1].verdict)) {
        cell = "\033[1;31m" + cell + "\033[0m";
      }
      line += (i ? "  " : "") + cell;
    }
    out << "  " << line << "\n";
  }
  if (!report.not_perf_tests.empty()) {
    out << "  not perf tests (wrote no perfcheck result, run once):";
    for (const std::string& t : report.not_perf_tests) out << " " << t;
    out << "\n";
  }
  out << "\n" << RenderTable(report.comparison, color);
  return out.str();
}

std::string RenderAbMarkdown(const AbReport& report) {
  std::ostringstream out;
  const bool failed = report.HasRegression();
  out << "### perfcheck ab: "
      << (failed ? ":x: performance regression"
                 : ":white_check_mark: no regression")
      << "\n\n"
      << "Base and head built from the same tests ran side by side on this "
         "runner, each test in a fresh process. "
      << Header(report) << ".\n\n";
  out << "| Test | Verdict | Rounds | Base per run | Head per run | Deciding "
         "change |\n|:--|:--|--:|--:|--:|:--|\n";
  for (const TestOutcome& t : report.tests) {
    std::string verdict(VerdictName(t.verdict));
    if (IsFailure(t.verdict)) verdict = "**" + verdict + "**";
    out << "| `" << t.test << "` | " << verdict << " | " << t.rounds << " | "
        << PerRun(t.base_wall, t.rounds) << " | "
        << PerRun(t.head_wall, t.rounds) << " | " << DecidingText(report, t)
        << " |\n";
  }
  if (!report.not_perf_tests.empty()) {
    out << "\nNot perf tests (no perfcheck result): "
        << report.not_perf_tests.size() << "\n";
  }
  out << "\n<details><summary>Every metric</summary>\n\n"
      << RenderMarkdown(report.comparison) << "\n</details>\n";
  return out.str();
}

std::string RenderAbJson(const AbReport& report) {
  nlohmann::ordered_json doc;
  doc["schema"] = "perfcheck.ab/v1";
  doc["seed"] = report.seed;
  doc["rounds_run"] = report.rounds_run;
  doc["looks"] = report.look_rounds;
  doc["overall_confidence"] = report.overall_confidence;
  doc["look_confidence"] = report.comparison.confidence;
  doc["budget_reached"] = report.budget_reached;
  doc["cancelled"] = report.cancelled;
  doc["wall_s"] = Secs(report.wall);
  nlohmann::ordered_json tests = nlohmann::ordered_json::array();
  for (const TestOutcome& t : report.tests) {
    tests.push_back({{"test", t.test},
                     {"verdict", std::string(VerdictName(t.verdict))},
                     {"rounds", t.rounds},
                     {"base_wall_s", Secs(t.base_wall)},
                     {"head_wall_s", Secs(t.head_wall)}});
  }
  doc["tests"] = std::move(tests);
  doc["not_perf_tests"] = report.not_perf_tests;
  doc["comparison"] =
      nlohmann::ordered_json::parse(RenderJson(report.comparison));
  return doc.dump(2) + "\n";
}

}  // namespace perfcheck::ab
