// `perfcheck report INPUTS... -o report.html`: one self-contained HTML file
// (perfcheck/report/html.h) with one section per input: perfcheck load JSON,
// result files, gtest perf results directories, perfcheck compare JSON.
#include <CLI/CLI.hpp>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "command.h"
#include "perfcheck/report/html.h"
#include "perfcheck/report/inputs.h"

namespace perfcheck::cli {
namespace {

struct ReportCommandFlags {
  std::vector<std::string> inputs;
  std::string output;
  std::string title = "perfcheck report";
};

int RunReport(const ReportCommandFlags& f) {
  std::vector<std::filesystem::path> paths(f.inputs.begin(), f.inputs.end());
  StatusOr<std::vector<report::ReportSection>> sections =
      report::ReadReportInputs(paths);
  if (!sections.ok()) {
    std::cerr << "perfcheck report: " << sections.status().message() << "\n";
    return kExitUsage;
  }
  if (Status s = report::WriteHtmlReport(f.output, *sections, f.title);
      !s.ok()) {
    std::cerr << "perfcheck report: -o '" << f.output << "': " << s.message()
              << "\n";
    return kExitUsage;
  }
  std::cout << "perfcheck report: wrote " << f.output << " ("
            << sections->size() << " section"
            << (sections->size() == 1 ? "" : "s") << ")\n";
  return kExitOk;
}

}  // namespace

void AddReportCommand(CLI::App& app, CommandRunner& run) {
  auto flags = std::make_shared<ReportCommandFlags>();
  CLI::App* sub = app.add_subcommand(
      "report", "Write a self-contained HTML report with latency plots");
  sub->footer(
      ExitCodesHelp({{kExitOk, "report written"},
                     {kExitUsage,
                      "usage or bad input (a malformed input names the file "
                      "and the field; an unwritable output)"}}) +
      "\n"
      "Inputs (kind told by content): perfcheck load --json output, result "
      "files (perfcheck.result/v1), gtest perf results directories "
      "(perfcheck-results/), perfcheck compare --json output.\n"
      "Example: perfcheck report load.json perfcheck-results/ compare.json "
      "-o report.html");
  sub->add_option("inputs", flags->inputs, "Input files or directories")
      ->required();
  sub->add_option("--output,-o", flags->output, "The HTML file to write")
      ->required();
  sub->add_option("--title", flags->title,
                  "Page title (default 'perfcheck report')");
  sub->callback([&run, flags] { run = [flags] { return RunReport(*flags); }; });
}

}  // namespace perfcheck::cli
