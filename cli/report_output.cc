#include "report_output.h"

#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <regex>

namespace perfcheck::cli {

bool UseColor(const std::string& mode) {
  if (mode == "always") return true;
  if (mode == "never") return false;
  const char* term = std::getenv("TERM");
  return ::isatty(STDOUT_FILENO) == 1 && std::getenv("NO_COLOR") == nullptr &&
         !(term != nullptr && std::string(term) == "dumb");
}

bool WriteText(std::string_view command, const std::string& path,
               const std::string& text, bool append) {
  errno = 0;
  std::ofstream out(
      path, std::ios::binary | (append ? std::ios::app : std::ios::trunc));
  out << text;
  out.close();
  if (!out) {
    std::cerr << command << ": cannot write '" << path << "'"
              << (errno != 0 ? std::string(": ") + std::strerror(errno) : "")
              << "\n";
    return false;
  }
  return true;
}

bool AppendStepSummary(std::string_view command, const std::string& markdown) {
  const char* summary = std::getenv("GITHUB_STEP_SUMMARY");
  if (summary == nullptr || *summary == '\0') return true;
  return WriteText(command, summary, markdown + "\n", true);
}

bool EmitReport(std::string_view command, const ReportFlags& f,
                const ReportText& text) {
  std::string main_text;
  if (f.format == "json") {
    main_text = text.json();
  } else if (f.format == "markdown") {
    main_text = text.markdown();
  } else {
    main_text = text.table(f.output.empty() && UseColor(f.color));
  }
  if (f.output.empty()) {
    std::cout << main_text << std::flush;
    if (!std::cout) {
      std::cerr << command << ": cannot write the report to stdout\n";
      return false;
    }
  } else if (!WriteText(command, f.output, main_text, false)) {
    return false;
  }
  if (!f.markdown_file.empty() &&
      !WriteText(command, f.markdown_file, text.markdown(), false)) {
    return false;
  }
  if (!f.json_file.empty() &&
      !WriteText(command, f.json_file, text.json(), false)) {
    return false;
  }
  return !f.step_summary || AppendStepSummary(command, text.markdown());
}

StatusOr<double> ParseFraction(std::string text) {
  bool percent = false;
  if (!text.empty() && text.back() == '%') {
    percent = true;
    text.pop_back();
  }
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (text.empty() || end == nullptr || *end != '\0' || !std::isfinite(v) ||
      v <= 0) {
    return Status::Error("threshold '" + text + (percent ? "%" : "") +
                         "': expected a positive percentage like 10% or a "
                         "fraction like 0.1");
  }
  return percent ? v / 100.0 : v;
}

StatusOr<std::pair<std::string, double>> ParseThresholdFor(
    const std::string& spec) {
  const std::size_t eq = spec.rfind('=');
  if (eq == std::string::npos || eq == 0) {
    return Status::Error("--threshold-for '" + spec +
                         "': expected REGEX=PERCENT, e.g. BM_Parse.*=5%");
  }
  StatusOr<double> v = ParseFraction(spec.substr(eq + 1));
  if (!v.ok()) return v.status();
  const std::string pattern = spec.substr(0, eq);
  // std::regex reports a bad pattern only by throwing: caught at the call,
  // so the flag is named and no library call meets the pattern unchecked.
  try {
    std::regex(pattern, std::regex::ECMAScript);
  } catch (const std::regex_error& e) {
    return Status::Error("--threshold-for '" + spec + "': bad regex '" +
                         pattern + "': " + e.what());
  }
  return std::make_pair(pattern, *v);
}

}  // namespace perfcheck::cli
