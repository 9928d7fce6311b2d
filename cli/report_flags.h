// Registers the output flags of the gate commands (ReportFlags,
// report_output.h) on a CLI11 subcommand. Included only by *_command.cc
// files, which include CLI11 anyway.
#ifndef PERFCHECK_CLI_REPORT_FLAGS_H_
#define PERFCHECK_CLI_REPORT_FLAGS_H_

#include <CLI/CLI.hpp>

#include "report_output.h"

namespace perfcheck::cli {

inline void AddReportFlags(CLI::App& sub, ReportFlags& f) {
  sub.add_option("--format", f.format, "table (default), json or markdown")
      ->check(CLI::IsMember({"table", "json", "markdown"}));
  sub.add_option("--output,-o", f.output,
                 "Write the report to FILE instead of stdout");
  sub.add_option("--markdown", f.markdown_file, "Also write Markdown to FILE");
  sub.add_option("--json", f.json_file, "Also write JSON to FILE");
  sub.add_flag("--step-summary", f.step_summary,
               "Append Markdown to $GITHUB_STEP_SUMMARY when it is set");
  sub.add_option("--color", f.color, "auto (default: on a TTY), always, never")
      ->check(CLI::IsMember({"auto", "always", "never"}));
}

}  // namespace perfcheck::cli

#endif  // PERFCHECK_CLI_REPORT_FLAGS_H_
