// Resource monitoring around `perfcheck load` (--monitor-pid, --monitor-cmd,
// --monitor-cgroup, --monitor-interval): starts the commands to watch, waits
// until they are alive, samples every watched process with ProcessMonitor
// during the run, and stops the commands afterwards (SIGTERM, then SIGKILL
// after a grace period; by PID only, never a process group or a name).
//
// Errors (Status, exit 2 before the run): a PID that does not exist, a cgroup
// directory without cgroup.procs, a command that cannot be started or exits
// before the run, an interval below 10 ms. A process that exits during the
// run is data: Stop() says so on `log` and keeps its samples.
//
// Thread-safety: one session per run, used from the command's thread.
#ifndef PERFCHECK_CLI_LOAD_MONITOR_H_
#define PERFCHECK_CLI_LOAD_MONITOR_H_

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <memory>
#include <string>
#include <vector>

#include "perfcheck/process_monitor.h"
#include "perfcheck/resource_statistics.h"
#include "perfcheck/status.h"

namespace perfcheck::cli {

struct MonitorFlags {
  std::vector<std::int64_t> pids;     // --monitor-pid (repeatable)
  std::vector<std::string> commands;  // --monitor-cmd "CMD ARGS" (repeatable)
  std::string cgroup;                 // --monitor-cgroup DIR
  std::string interval = "1s";        // --monitor-interval
  bool any() const {
    return !pids.empty() || !commands.empty() || !cgroup.empty();
  }
};

// "CMD ARGS" split into words: blanks separate, '...' and "..." quote,
// backslash escapes the next character. No variables, globs or pipes: to
// use a shell, write `sh -c '...'`. An error names an unclosed quote.
StatusOr<std::vector<std::string>> SplitCommand(const std::string& command);

class LoadMonitor {
 public:
  // How long a started command gets to end after SIGTERM before SIGKILL.
  static constexpr std::chrono::seconds kGrace{5};
  // How long a started command must stay up to count as alive.
  static constexpr std::chrono::milliseconds kSettle{300};

  LoadMonitor() = default;
  // Stops everything still running (an early return of the command).
  ~LoadMonitor();
  LoadMonitor(const LoadMonitor&) = delete;
  LoadMonitor& operator=(const LoadMonitor&) = delete;

  // Starts the commands (their stdout goes to perfcheck's stderr, so
  // `--json -` stays clean), waits until each is alive (running for
  // kSettle) and `ready()` holds (the target accepts connections; at most
  // `wait`, then the run's own connection check decides), then starts
  // sampling every process.
  Status Start(const MonitorFlags& flags, const std::function<bool()>& ready,
               std::chrono::milliseconds wait, std::ostream& log);

  // Stops sampling, then the commands; the series so far, labelled ("cmd"
  // for a started command). Each process that exited during the run is
  // named on `log` with what was kept. Idempotent.
  std::vector<ProcessSeries> Stop(std::ostream& log);

  std::chrono::nanoseconds interval() const { return interval_; }

 private:
  void StopCommands(std::ostream* log);

  std::unique_ptr<ProcessMonitor> monitor_;
  std::vector<pid_t> children_;        // started commands, not yet reaped
  std::vector<std::string> names_;     // their command lines, for messages
  std::vector<ProcessSeries> series_;  // after Stop()
  std::chrono::nanoseconds interval_{0};
  bool stopped_ = false;
};

}  // namespace perfcheck::cli

#endif  // PERFCHECK_CLI_LOAD_MONITOR_H_
