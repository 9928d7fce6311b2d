// Measures ProcessMonitor's own cost: the CPU time of its sampling thread
// (CLOCK_THREAD_CPUTIME_ID) while it watches one process for a while, as a
// percentage of one core. A measurement, not a test (its figures depend on
// the machine); the results are in docs/resource-monitoring.md.
//
// Built with the benchmarks (target perfcheck_monitor_cost):
//   cmake --build --preset release --target perfcheck_monitor_cost
//   build/release/benchmarks/perfcheck_monitor_cost 20 1000 100
//                                     # seconds, then intervals in ms
// The watched process is a child that holds `fds` open descriptors
// (PERFCHECK_COST_FDS, default 3) and sleeps; it is killed at the end.
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>

#include "perfcheck/process_monitor.h"

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s SECONDS INTERVAL_MS...\n", argv[0]);
    return 2;
  }
  const int seconds = std::atoi(argv[1]);
  const char* fds_env = std::getenv("PERFCHECK_COST_FDS");
  const int fds = fds_env != nullptr ? std::atoi(fds_env) : 3;
  const pid_t child = ::fork();
  if (child == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    for (int i = 3; i < fds; ++i) ::open("/dev/null", O_RDONLY);
    ::pause();
    ::_exit(0);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  for (int a = 2; a < argc; ++a) {
    const int ms = std::atoi(argv[a]);
    perfcheck::ProcessMonitor monitor(
        {.pids = {child}, .interval = std::chrono::milliseconds(ms)});
    if (perfcheck::Status s = monitor.Start(); !s.ok()) {
      std::fprintf(stderr, "%s\n", s.message().c_str());
      return 1;
    }
    std::this_thread::sleep_for(std::chrono::seconds(seconds));
    monitor.Stop();
    const double cpu_s = monitor.SamplerCpuNanos() / 1e9;
    const std::size_t ticks = monitor.Snapshot().at(0).samples.size();
    std::printf(
        "interval %4d ms, %d fds, %d s: %zu samples, sampler CPU %.2f ms = "
        "%.4f %% of one core, %.1f us per sample\n",
        ms, fds, seconds, ticks, cpu_s * 1e3, 100 * cpu_s / seconds,
        1e6 * cpu_s / static_cast<double>(ticks));
  }
  ::kill(child, SIGKILL);
  ::waitpid(child, nullptr, 0);
  return 0;
}
