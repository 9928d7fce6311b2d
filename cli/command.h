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
//   3 connection set-up failure (server unreachable, TLS handshake).
#ifndef PERFCHECK_CLI_COMMAND_H_
#define PERFCHECK_CLI_COMMAND_H_

#include <functional>

namespace CLI {
class App;
}  // namespace CLI

namespace perfcheck::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitCheckFailed = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitConnection = 3;

// Runs the chosen command after parsing; returns the exit code.
using CommandRunner = std::function<int()>;
using AddCommand = void (*)(CLI::App& app, CommandRunner& run);

void AddLoadCommand(CLI::App& app, CommandRunner& run);
void AddCompareCommand(CLI::App& app, CommandRunner& run);
void AddBaselineCommand(CLI::App& app, CommandRunner& run);
void AddAbCommand(CLI::App& app, CommandRunner& run);

}  // namespace perfcheck::cli

#endif  // PERFCHECK_CLI_COMMAND_H_
