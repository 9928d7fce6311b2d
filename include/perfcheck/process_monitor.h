// ProcessMonitor: samples the resources of the system under test (CPU, RSS,
// threads, open file descriptors of given processes) at an interval, in a
// background thread, and keeps them as one time series per process. What a
// series says (peak RSS, mean/peak CPU, memory growth) is computed by the pure
// functions of perfcheck/resource_statistics.h.
//
// Environment layer, Linux only: it reads /proc (see docs/resource-monitoring.md
// for the fields). Each tick reads, per process:
//   /proc/<pid>/stat  utime+stime (CPU), num_threads, rss (resident pages)
//   /proc/<pid>/fd    number of entries (open file descriptors)
// and, with a cgroup v2 directory, <dir>/cgroup.procs to pick up processes that
// joined the cgroup since the last tick.
//
// Units: timestamps in ns since Start(); cpu_percent in % of ONE core over the
// interval since the previous sample of that process (a process using two
// cores fully shows 200); rss_bytes in bytes. CPU time comes in clock ticks
// (usually 10 ms), so a single sample at a short interval is coarse (at 50 ms:
// steps of 20 %); means over many samples are exact to that tick.
//
// Errors: Start() returns a Status naming a PID that does not exist (or a
// cgroup directory without cgroup.procs); nothing is sampled then. A process
// that exits while monitored is data, not an error: its series ends, `exited`
// holds the time it was first seen gone and `note` says so; the others go on.
//
// Thread-safety: Start(), Stop() and the destructor from one owning thread;
// Snapshot() and SamplerCpuNanos() from any thread at any time (Snapshot()
// copies the series under the lock a tick holds while reading /proc, tens of
// microseconds per process). The statistics functions below are pure.
//
// Example:
//   perfcheck::ProcessMonitor monitor({.pids = {server_pid},
//                                      .interval = std::chrono::seconds(1)});
//   if (perfcheck::Status s = monitor.Start(); !s.ok()) return Fail(s);
//   RunLoad();
//   monitor.Stop();
//   for (const perfcheck::ProcessSeries& p : monitor.Snapshot()) {
//     perfcheck::MemoryGrowth g = perfcheck::AnalyzeMemoryGrowth(p.samples);
//     std::cout << p.pid << ": peak RSS " << perfcheck::PeakRssBytes(p.samples)
//               << " B, " << g.Describe() << "\n";
//   }
#ifndef PERFCHECK_PROCESS_MONITOR_H_
#define PERFCHECK_PROCESS_MONITOR_H_

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "perfcheck/clock.h"
#include "perfcheck/resource_statistics.h"
#include "perfcheck/status.h"

namespace perfcheck {

// ProcessSeries (the time series of one process) is defined in
// perfcheck/resource_statistics.h, so a Result can hold it.

struct ProcessMonitorOptions {
  // Processes to watch; each must exist at Start().
  std::vector<pid_t> pids = {};
  // A cgroup v2 directory (e.g. /sys/fs/cgroup/system.slice/nginx.service):
  // every PID listed in its cgroup.procs, re-read on every tick. Empty: none.
  std::filesystem::path cgroup = {};
  // Between two samples; >= 10 ms (std::invalid_argument otherwise).
  std::chrono::nanoseconds interval = std::chrono::seconds(1);
};

class ProcessMonitor {
 public:
  // Throws std::invalid_argument for an interval below 10 ms, or with neither
  // pids nor a cgroup.
  explicit ProcessMonitor(ProcessMonitorOptions options);
  // Stops the sampler if running.
  ~ProcessMonitor();
  ProcessMonitor(const ProcessMonitor&) = delete;
  ProcessMonitor& operator=(const ProcessMonitor&) = delete;

  // Checks every PID (and the cgroup), takes the first sample of each at t=0,
  // and starts the sampling thread. An error names the PID or the file and
  // starts nothing. Calling Start() twice throws std::logic_error.
  Status Start();

  // Stops and joins the sampling thread (no extra sample: one over a short
  // last interval would give a coarse CPU figure). Idempotent.
  void Stop();

  // A copy of every series so far (in order of first sight), while running or
  // after Stop().
  std::vector<ProcessSeries> Snapshot() const;

  // CPU time the sampling thread itself has used (CLOCK_THREAD_CPUTIME_ID),
  // in ns: the monitor's own cost.
  Nanos SamplerCpuNanos() const {
    return sampler_cpu_ns_.load(std::memory_order_relaxed);
  }

 private:
  // Per watched process: where its series is and the last CPU reading.
  struct Tracked {
    std::size_t series = 0;  // index into series_
    std::uint64_t cpu_ticks = 0;
    Nanos t_ns = 0;
    bool done = false;  // exited: no more samples
  };
  void Run();
  // Both with mu_ held.
  void SampleAllLocked(Nanos now);
  void AddCgroupMembersLocked(Nanos now);

  ProcessMonitorOptions options_;
  Nanos start_ns_ = 0;
  mutable std::mutex mu_;  // guards series_ and tracked_
  std::condition_variable wake_;
  bool stop_ = false;  // guarded by mu_
  std::vector<ProcessSeries> series_;
  std::map<pid_t, Tracked> tracked_;
  std::thread thread_;
  bool started_ = false;
  std::atomic<Nanos> sampler_cpu_ns_{0};
};

}  // namespace perfcheck

#endif  // PERFCHECK_PROCESS_MONITOR_H_
