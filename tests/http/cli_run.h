// Runs the `perfcheck` binary for the CLI fault and canary tests: argv as a
// vector (no shell, so secrets and quotes pass unchanged), stdout and stderr
// captured, a hard kill after a timeout so a hung run fails the test instead
// of hanging it.
#ifndef PERFCHECK_TESTS_HTTP_CLI_RUN_H_
#define PERFCHECK_TESTS_HTTP_CLI_RUN_H_

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "perfcheck/child_process.h"

namespace perfcheck::http::testing {

inline std::string ReadFile(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct CliRun {
  // The exit status; -1 when the run did not exit by itself (killed by a
  // signal or by the timeout) or could not be started.
  int exit_code = -1;
  std::chrono::nanoseconds took{0};
  std::string out, err;
  std::string how;  // "ok", "exited with status 1", "killed after ..."
};

// Runs `program args...` with stdout and stderr in files under `dir`.
// `environment` is set on top of this process's; the credential variables
// perfcheck reads are cleared first, so the caller's shell cannot change a
// test. Killed after `timeout`.
inline CliRun RunProgram(
    const std::string& program, const std::filesystem::path& dir,
    const std::vector<std::string>& args,
    const std::vector<std::pair<std::string, std::string>>& environment = {},
    std::chrono::milliseconds timeout = std::chrono::seconds(60)) {
  ChildProcessOptions o;
  o.argv.push_back(program);
  o.argv.insert(o.argv.end(), args.begin(), args.end());
  o.environment = environment;
  for (const char* name : {"PERFCHECK_BEARER", "PERFCHECK_API_SECRET"}) {
    bool given = false;
    for (const auto& [key, value] : environment) given = given || key == name;
    if (!given) o.environment.emplace_back(name, "");
  }
  o.stdout_path = dir / "stdout.txt";
  o.stderr_path = dir / "stderr.txt";
  o.timeout = timeout;
  CliRun run;
  StatusOr<ChildProcessEnd> end = RunChildProcess(o);
  if (!end.ok()) {
    run.how = end.status().message();
    return run;
  }
  run.took = end->wall;
  run.how = end->Describe(timeout);
  if (end->how == ChildProcessEnd::How::kExited) run.exit_code = end->exit_code;
  run.out = ReadFile(o.stdout_path);
  run.err = ReadFile(o.stderr_path);
  return run;
}

#ifdef PERFCHECK_CLI_PATH
inline CliRun RunPerfcheck(
    const std::filesystem::path& dir, const std::vector<std::string>& args,
    const std::vector<std::pair<std::string, std::string>>& environment = {},
    std::chrono::milliseconds timeout = std::chrono::seconds(60)) {
  return RunProgram(PERFCHECK_CLI_PATH, dir, args, environment, timeout);
}
#endif

}  // namespace perfcheck::http::testing

#endif  // PERFCHECK_TESTS_HTTP_CLI_RUN_H_
