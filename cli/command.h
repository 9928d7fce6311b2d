// How a `perfcheck` subcommand plugs into main.cc.
//
// Adding a command is one file plus one line: write <name>_command.cc defining
// `void Add<Name>Command(CLI::App& app, CommandRunner& run)`, which creates its
// subcommand on `app`, binds its flags and stores in `run` the function that
// executes it (called only when that subcommand was chosen); then declare it
// below and add it to kCommands in main.cc.
//
// Exit codes shared by every command:
//   0 success, 1 a check failed (threshold, regression),
//   2 usage or bad input (flags, URLs, expressions, files),
//   3 connection set-up failure (server unreachable, TLS handshake),
//   4 internal error (an unexpected exception, caught in main.cc).
// Each command's --help lists the codes it can return (ExitCodesHelp).
#ifndef PERFCHECK_CLI_COMMAND_H_
#define PERFCHECK_CLI_COMMAND_H_

#include <functional>
#include <initializer_list>
#include <string>

namespace CLI {
class App;
}  // namespace CLI

namespace perfcheck::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitCheckFailed = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitConnection = 3;
inline constexpr int kExitInternal = 4;

// One exit code and what it means for a command, e.g. {1, "regression"}.
struct ExitCodeMeaning {
  int code;
  const char* meaning;
};

// "Exit codes: 0 ok, 1 regression, ..., 4 internal error." for a command's
// --help footer. kExitInternal is appended: every command can return it.
inline std::string ExitCodesHelp(std::initializer_list<ExitCodeMeaning> codes) {
  std::string text = "Exit codes:";
  for (const ExitCodeMeaning& c : codes) {
    text.append(" ").append(std::to_string(c.code)).append(" ");
    text.append(c.meaning).append(",");
  }
  return text + " " + std::to_string(kExitInternal) + " internal error.";
}

// Runs the chosen command after parsing; returns the exit code.
using CommandRunner = std::function<int()>;
using AddCommand = void (*)(CLI::App& app, CommandRunner& run);

void AddLoadCommand(CLI::App& app, CommandRunner& run);
void AddCompareCommand(CLI::App& app, CommandRunner& run);
void AddBaselineCommand(CLI::App& app, CommandRunner& run);
void AddAbCommand(CLI::App& app, CommandRunner& run);
void AddReportCommand(CLI::App& app, CommandRunner& run);

}  // namespace perfcheck::cli

#endif  // PERFCHECK_CLI_COMMAND_H_
