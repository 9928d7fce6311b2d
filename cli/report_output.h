// What the gate commands (compare, ab) share on the way out: colour on a
// terminal, report files, $GITHUB_STEP_SUMMARY, and the relative threshold
// syntax ("10%" or "0.1").
#ifndef PERFCHECK_CLI_REPORT_OUTPUT_H_
#define PERFCHECK_CLI_REPORT_OUTPUT_H_

#include <functional>
#include <string>
#include <string_view>
#include <utility>

#include "perfcheck/status.h"

namespace perfcheck::cli {

// The output flags every gate command takes (report_flags.h registers
// them): --format, --output, --markdown, --json, --step-summary, --color.
struct ReportFlags {
  std::string format = "table";  // table, json or markdown
  std::string output;            // empty: stdout
  std::string markdown_file;
  std::string json_file;
  bool step_summary = false;
  std::string color = "auto";
};

// One report in its three renderings.
struct ReportText {
  std::function<std::string(bool color)> table;
  std::function<std::string()> markdown;
  std::function<std::string()> json;
};

// Prints (or writes to --output) the rendering --format asks for, writes the
// --markdown / --json copies and appends Markdown to $GITHUB_STEP_SUMMARY
// with --step-summary. False, with the reason on stderr, when any write
// fails (stdout included).
bool EmitReport(std::string_view command, const ReportFlags& flags,
                const ReportText& text);

// "auto": stdout is a terminal, NO_COLOR unset and TERM not "dumb";
// "always" / "never" as said.
bool UseColor(const std::string& mode);

// Writes (or appends) `text` to `path`; on failure prints
// "<command>: cannot write 'PATH': <reason>" to stderr and returns false.
bool WriteText(std::string_view command, const std::string& path,
               const std::string& text, bool append);

// Appends `markdown` to the file named by $GITHUB_STEP_SUMMARY (GitHub
// Actions renders it on the run's page); true when the variable is unset.
bool AppendStepSummary(std::string_view command, const std::string& markdown);

// "10%", "2.5%" or a fraction "0.1"; positive and finite. The error quotes
// the text: "threshold 'x': expected a positive percentage like 10% ...".
StatusOr<double> ParseFraction(std::string text);

// "REGEX=PERCENT" (--threshold-for), e.g. "BM_Parse.*=5%"; the regex is the
// part before the last '='.
StatusOr<std::pair<std::string, double>> ParseThresholdFor(
    const std::string& spec);

}  // namespace perfcheck::cli

#endif  // PERFCHECK_CLI_REPORT_OUTPUT_H_
