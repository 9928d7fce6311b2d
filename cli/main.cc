// perfcheck: the command-line tool. Each subcommand lives in its own file
// (see command.h); this file only parses and dispatches.
#include <CLI/CLI.hpp>
#include <exception>
#include <iostream>
#include <string>

#include "command.h"
#include "perfcheck/testbed.h"

namespace {

// One line per command.
constexpr perfcheck::cli::AddCommand kCommands[] = {
    &perfcheck::cli::AddLoadCommand,
    &perfcheck::cli::AddCompareCommand,
    &perfcheck::cli::AddBaselineCommand,
    &perfcheck::cli::AddAbCommand,
    &perfcheck::cli::AddReportCommand,
};

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"perfcheck: performance SLAs, load tests and regression gates"};
  app.require_subcommand(1);
  // Answered before the subcommand is required; exits 0.
  app.set_version_flag("--version", "perfcheck " PERFCHECK_VERSION);
  // Every command may name the testbed its results are recorded on and
  // judged against (perfcheck/testbed.h); also PERFCHECK_TESTBED.
  std::string testbed;
  app.add_option("--testbed", testbed,
                 "Name of this machine's testbed (default: PERFCHECK_TESTBED, "
                 "else derived: auto-<hash>)");
  app.fallthrough();
  perfcheck::cli::CommandRunner run;
  for (perfcheck::cli::AddCommand add : kCommands) add(app, run);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);  // prints help or the error
    return rc == 0 ? perfcheck::cli::kExitOk : perfcheck::cli::kExitUsage;
  }
  if (!testbed.empty()) {
    if (perfcheck::Status s = perfcheck::ValidateTestbedName(testbed);
        !s.ok()) {
      std::cerr << "perfcheck: --testbed '" << testbed << "': " << s.message()
                << "\n";
      return perfcheck::cli::kExitUsage;
    }
    perfcheck::SetTestbedName(testbed);
  }
  if (auto given = perfcheck::GivenTestbedName(); !given.ok()) {
    std::cerr << "perfcheck: " << given.status().message() << "\n";
    return perfcheck::cli::kExitUsage;
  }
  // Commands report bad input as exit 2 themselves (Status); an exception
  // reaching here is a bug, reported as such.
  try {
    return run ? run() : perfcheck::cli::kExitUsage;
  } catch (const std::exception& e) {
    std::cerr << "perfcheck: internal error: " << e.what() << "\n";
    return perfcheck::cli::kExitInternal;
  }
}
