// Renderers of a ComparisonReport: terminal table, JSON, Markdown.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "perfcheck/benchmark/render.h"
#include "perfcheck/format.h"

namespace perfcheck {
namespace {

std::string ConfidencePercent(double c);

// A counter value with three significant digits: "1.23 M", "950".
std::string FormatCount(double v) {
  const char* suffix = "";
  for (const char* s : {" k", " M", " G", " T"}) {
    if (std::fabs(v) < 1000) break;
    v /= 1000;
    suffix = s;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3g%s", v, suffix);
  return buf;
}

std::string Value(const MetricComparisonRow& r, double v) {
  if (std::isnan(v)) return "-";
  if (r.is_count) return FormatCount(v);
  if (r.is_fraction) return FormatPercent(v);
  return r.is_rate ? FormatRate(v) : FormatNanos(v);
}

std::string CalibrationValue(const CalibrationFactor& c, double v) {
  return c.metric == "cpu_time" || c.metric == "real_time" ? FormatNanos(v)
                                                           : FormatCount(v);
}

std::string Factor(double f) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "x%.3f", f);
  return buf;
}

// "old values x1.500 (perfcheck/calibration cpu_time: 2.00 us -> 3.00 us,
// 99% interval x1.48 .. x1.52)".
std::string CalibrationLine(const CalibrationFactor& c, double confidence,
                            std::string_view sep) {
  return "old " + c.metric + " values " + Factor(c.factor) + " (" +
         std::string(kCalibrationBenchmarkName) + ": " +
         CalibrationValue(c, c.old_value) + " -> " +
         CalibrationValue(c, c.new_value) + ", " +
         ConfidencePercent(confidence) + " interval " + Factor(c.factor_low) +
         std::string(sep) + Factor(c.factor_high) + ")";
}

std::string SignedPercent(double fraction) {
  if (std::isnan(fraction)) return "-";
  if (std::isinf(fraction)) return fraction > 0 ? "+inf" : "-inf";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%+.1f%%", fraction * 100.0);
  return buf;
}

// Error rate changes are differences in percentage points, the others
// relative changes.
std::string ChangeText(const MetricComparisonRow& r, double change) {
  if (!r.is_fraction || !std::isfinite(change)) return SignedPercent(change);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%+.2f pts", change * 100.0);
  return buf;
}

std::string IntervalText(const MetricComparisonRow& r, std::string_view sep) {
  if (std::isnan(r.change_low) || std::isnan(r.change_high)) return "-";
  if (std::isinf(r.change_low) || std::isinf(r.change_high)) return "n/a";
  return ChangeText(r, r.change_low) + std::string(sep) +
         ChangeText(r, r.change_high);
}

std::string PValue(double p) {
  if (std::isnan(p)) return "-";
  if (p < 0.0001) return "<0.0001";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4f", p);
  return buf;
}

std::string Threshold(double t) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g%%", t * 100.0);
  return buf;
}

std::string Threshold(const MetricComparisonRow& r) {
  if (!r.is_fraction) return Threshold(r.threshold);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g pts", r.threshold * 100.0);
  return buf;
}

std::string ConfidencePercent(double c) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g%%", c * 100.0);
  return buf;
}

const char* Color(BenchmarkVerdict v) {
  switch (v) {
    case BenchmarkVerdict::kRegression:
    case BenchmarkVerdict::kError:
      return "\033[1;31m";
    case BenchmarkVerdict::kImprovement:
      return "\033[32m";
    case BenchmarkVerdict::kNoisy:
    case BenchmarkVerdict::kInsufficientData:
      return "\033[33m";
    default:
      return "";
  }
}

const char* Emoji(BenchmarkVerdict v) {
  switch (v) {
    case BenchmarkVerdict::kRegression:
    case BenchmarkVerdict::kError:
      return ":x: ";
    case BenchmarkVerdict::kImprovement:
      return ":rocket: ";
    case BenchmarkVerdict::kNoisy:
    case BenchmarkVerdict::kInsufficientData:
      return ":warning: ";
    case BenchmarkVerdict::kNotComparable:
      return ":grey_question: ";
    case BenchmarkVerdict::kUnchanged:
      return ":white_check_mark: ";
    case BenchmarkVerdict::kCalibration:
      return ":straight_ruler: ";
    default:
      return "";
  }
}

// Markdown table cells: a '|' would end the cell, a backtick the code span.
std::string MarkdownCode(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '|') {
      out += "\\|";
    } else if (c == '`') {
      out += '\'';
    } else {
      out += c;
    }
  }
  return "`" + out + "`";
}

std::string MarkdownText(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '|' || c == '*' || c == '_' || c == '<' || c == '>' || c == '`')
      out += '\\';
    out += c;
  }
  return out;
}

nlohmann::ordered_json Number(double v) {
  if (!std::isfinite(v)) return nullptr;
  return v;
}

}  // namespace

std::string RenderTable(const ComparisonReport& report, bool color) {
  std::vector<std::vector<std::string>> cells = {
      {"benchmark", "metric", "old", "new", "change",
       ConfidencePercent(report.confidence) + " interval", "p", "threshold",
       "verdict"}};
  for (const MetricComparisonRow& r : report.rows) {
    cells.push_back({r.benchmark, r.metric, Value(r, r.old_value),
                     Value(r, r.new_value), ChangeText(r, r.change),
                     IntervalText(r, " .. "), PValue(r.p_value), Threshold(r),
                     std::string(BenchmarkVerdictName(r.verdict))});
  }
  std::vector<std::size_t> width(cells.front().size(), 0);
  for (const auto& row : cells) {
    for (std::size_t i = 0; i < row.size(); ++i)
      width[i] = std::max(width[i], row[i].size());
  }
  std::ostringstream out;
  out << "perfcheck compare: " << report.old_source << " -> "
      << report.new_source << " (" << report.mode << ")\n";
  if (!report.machine_differences.empty()) {
    out << (color ? "\033[1;33m" : "") << "WARNING: different machines: ";
    for (std::size_t i = 0; i < report.machine_differences.size(); ++i) {
      out << (i ? "; " : "") << report.machine_differences[i];
    }
    out << (color ? "\033[0m" : "") << "\n";
  }
  for (const std::string& note : report.testbed_notes) {
    out << (color ? "\033[1;33m" : "") << "OTHER TESTBED: " << note
        << (color ? "\033[0m" : "") << "\n";
  }
  for (const std::string& note : report.counts_notes) {
    out << (color ? "\033[1;33m" : "") << "OTHER COUNTS KEY: " << note
        << (color ? "\033[0m" : "") << "\n";
  }
  for (const CalibrationFactor& c : report.calibration) {
    out << (color ? "\033[1m" : "")
        << "CALIBRATED: " << CalibrationLine(c, report.confidence, " .. ")
        << (color ? "\033[0m" : "") << "\n";
  }
  for (std::size_t k = 0; k < cells.size(); ++k) {
    const auto& row = cells[k];
    std::string line;
    for (std::size_t i = 0; i < row.size(); ++i) {
      std::string cell = row[i];
      const bool last = i + 1 == row.size();
      if (!last) cell.resize(width[i], ' ');
      if (last && k > 0 && color) {
        const char* c = Color(report.rows[k - 1].verdict);
        if (*c != '\0') cell = std::string(c) + cell + "\033[0m";
      }
      line += cell;
      if (!last) line += "  ";
    }
    out << "  " << line << "\n";
    if (k > 0 && !report.rows[k - 1].note.empty()) {
      out << "      note: " << report.rows[k - 1].note << "\n";
    }
  }
  out << "  " << report.Summary() << "\n";
  return out.str();
}

std::string RenderJson(const ComparisonReport& report) {
  nlohmann::ordered_json doc;
  doc["schema"] = "perfcheck.compare/v1";
  doc["old"] = report.old_source;
  doc["new"] = report.new_source;
  doc["mode"] = report.mode;
  doc["confidence"] = report.confidence;
  doc["regression"] = report.HasRegression();
  doc["summary"] = report.Summary();
  doc["machine_differences"] = report.machine_differences;
  doc["testbed_notes"] = report.testbed_notes;
  // Only when present, so documents of time comparisons stay as they were.
  if (!report.counts_notes.empty()) doc["counts_notes"] = report.counts_notes;
  doc["calibrated"] = !report.calibration.empty();
  nlohmann::ordered_json cal = nlohmann::ordered_json::array();
  for (const CalibrationFactor& c : report.calibration) {
    nlohmann::ordered_json f;
    f["metric"] = c.metric;
    f["factor"] = Number(c.factor);
    f["factor_low"] = Number(c.factor_low);
    f["factor_high"] = Number(c.factor_high);
    f["old"] = Number(c.old_value);
    f["new"] = Number(c.new_value);
    f["old_n"] = c.old_n;
    f["new_n"] = c.new_n;
    cal.push_back(std::move(f));
  }
  doc["calibration"] = std::move(cal);
  nlohmann::ordered_json rows = nlohmann::ordered_json::array();
  for (const MetricComparisonRow& r : report.rows) {
    nlohmann::ordered_json row;
    row["benchmark"] = r.benchmark;
    row["metric"] = r.metric;
    row["unit"] = r.is_count      ? "count"
                  : r.is_rate     ? "1/s"
                  : r.is_fraction ? "fraction"
                                  : "ns";
    row["old"] = Number(r.old_value);
    row["new"] = Number(r.new_value);
    row["old_n"] = r.old_n;
    row["new_n"] = r.new_n;
    row["change"] = Number(r.change);
    row["change_low"] = Number(r.change_low);
    row["change_high"] = Number(r.change_high);
    row["p_value"] = Number(r.p_value);
    row["threshold"] = r.threshold;
    row["verdict"] = std::string(BenchmarkVerdictName(r.verdict));
    row["method"] = r.method;
    row["note"] = r.note;
    rows.push_back(std::move(row));
  }
  doc["rows"] = std::move(rows);
  return doc.dump(2, ' ', false,
                  nlohmann::ordered_json::error_handler_t::replace) +
         "\n";
}

std::string RenderMarkdown(const ComparisonReport& report) {
  std::ostringstream out;
  const std::size_t regressions = report.Count(BenchmarkVerdict::kRegression) +
                                  report.Count(BenchmarkVerdict::kError);
  out << "### perfcheck: "
      << (regressions > 0 ? ":x: performance regression"
                          : ":white_check_mark: no regression")
      << "\n\n";
  out << "**" << MarkdownText(report.Summary()) << "** ("
      << MarkdownText(report.mode) << ", "
      << ConfidencePercent(report.confidence) << " intervals)\n\n";
  if (!report.machine_differences.empty()) {
    out << "> [!WARNING]\n> The two runs come from **different machines**; "
           "timings may not be comparable:\n";
    for (const std::string& d : report.machine_differences) {
      out << "> - " << MarkdownText(d) << "\n";
    }
    out << "\n";
  }
  if (!report.testbed_notes.empty()) {
    out << "> [!NOTE]\n> Time was **not judged** where the baseline comes "
           "from another testbed:\n";
    for (const std::string& n : report.testbed_notes) {
      out << "> - " << MarkdownText(n) << "\n";
    }
    out << "\n";
  }
  if (!report.counts_notes.empty()) {
    out << "> [!NOTE]\n> Instruction counts were **not judged**: the "
           "baseline was counted under another counts key (build or "
           "counter):\n";
    for (const std::string& n : report.counts_notes) {
      out << "> - " << MarkdownText(n) << "\n";
    }
    out << "\n";
  }
  if (!report.calibration.empty()) {
    out << "> [!NOTE]\n> **Calibrated across machines**: the old run is "
           "scaled by the calibration benchmark before judging; Old below is "
           "the scaled value and every interval includes the factor's "
           "uncertainty.\n";
    for (const CalibrationFactor& c : report.calibration) {
      out << "> - "
          << MarkdownText(CalibrationLine(c, report.confidence, " … ")) << "\n";
    }
    out << "\n";
  }
  out << "| Benchmark | Metric | Old | New | Change | "
      << ConfidencePercent(report.confidence)
      << " interval | p | Threshold | Verdict |\n";
  out << "|:--|:--|--:|--:|--:|:--:|--:|--:|:--|\n";
  std::vector<const MetricComparisonRow*> order;
  for (const MetricComparisonRow& r : report.rows) order.push_back(&r);
  // Regressions first: in a long list the reviewer should not have to scroll.
  std::stable_sort(order.begin(), order.end(),
                   [](const auto* a, const auto* b) {
                     auto rank = [](BenchmarkVerdict v) {
                       return v == BenchmarkVerdict::kRegression ||
                                      v == BenchmarkVerdict::kError
                                  ? 0
                                  : 1;
                     };
                     return rank(a->verdict) < rank(b->verdict);
                   });
  for (const MetricComparisonRow* r : order) {
    std::string verdict = std::string(Emoji(r->verdict)) +
                          std::string(BenchmarkVerdictName(r->verdict));
    if (r->verdict == BenchmarkVerdict::kRegression ||
        r->verdict == BenchmarkVerdict::kError) {
      verdict = "**" + verdict + "**";
    }
    out << "| " << MarkdownCode(r->benchmark) << " | " << r->metric << " | "
        << Value(*r, r->old_value) << " | " << Value(*r, r->new_value) << " | "
        << ChangeText(*r, r->change) << " | " << IntervalText(*r, " … ")
        << " | " << PValue(r->p_value) << " | " << Threshold(*r) << " | "
        << verdict << " |\n";
  }
  bool notes = false;
  for (const MetricComparisonRow& r : report.rows)
    notes = notes || !r.note.empty();
  if (notes) {
    out << "\nNotes:\n";
    for (const MetricComparisonRow& r : report.rows) {
      if (r.note.empty()) continue;
      out << "- " << MarkdownCode(r.benchmark) << " (" << r.metric
          << "): " << MarkdownText(r.note) << "\n";
    }
  }
  out << "\n<details><summary>How to read this</summary>\n\n"
         "A benchmark is a **regression** only when the interval of the change "
         "lies "
         "entirely above 0 and reaches the threshold, with an estimate of at "
         "least "
      << (report.paired ? "half the threshold" : "the threshold itself")
      << ". **noisy**: looks different, not credibly so. "
         "**insufficient data**: too few repetitions to judge. "
         "Old/New are medians; Change is the Hodges-Lehmann estimate of "
         "new/old - 1. "
         "See docs/benchmark-gate.md.\n\n</details>\n";
  return out.str();
}

std::string RenderChange(const MetricComparisonRow& row) {
  std::string text = ChangeText(row, row.change);
  const std::string interval = IntervalText(row, " .. ");
  if (interval != "-") text += " (" + interval + ")";
  return text;
}

}  // namespace perfcheck
