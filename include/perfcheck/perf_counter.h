// A Linux perf_event_open counter for the calling thread: hardware
// instructions (the instruction-count mode of the benchmark gate,
// docs/benchmark-gate.md) or a software event such as task-clock.
//
// Why our own: Debian's Google Benchmark 1.7 is built without libpfm, so
// --benchmark_perf_counters only prints "Performance counters not
// supported". A retired-instruction count is nearly independent of CPU
// frequency, cache contention from a neighbour and scheduling, which makes it
// a low-noise gate metric for CPU-bound code, where the hardware exposes it.
//
// What is counted: user space only (exclude_kernel, exclude_hv), this thread
// only (pid 0, any CPU), from Open() on; child threads are not included.
// When the kernel multiplexes more events than the PMU has registers, the
// count is scaled by time_enabled / time_running (as `perf stat` does).
//
// Not available is a normal outcome, never a crash and never a silent
// substitute: Open() returns a Status that says why, e.g.
//  - ENOENT / ENODEV / EOPNOTSUPP: "no hardware PMU is exposed to this system
//    (typical in virtual machines and containers)";
//  - EACCES / EPERM: "kernel.perf_event_paranoid is N ..." with what to change;
//  - ENOSYS: the system call is missing or filtered (seccomp);
//  - any other OS than Linux: "only on Linux".
//
// Thread-safety: a PerfCounter counts the thread that opened it; Read() may
// be called from that thread (other threads read the same fd correctly, but
// the count is still the opening thread's). Move-only; the fd is closed on
// destruction.
//
// Example:
//   perfcheck::StatusOr<perfcheck::PerfCounter> c =
//       perfcheck::PerfCounter::Open(perfcheck::PerfEvent::kInstructions);
//   if (!c.ok()) { std::cerr << c.status().message() << "\n"; return; }
//   const std::uint64_t before = c->Read().value();
//   Work();
//   const std::uint64_t instructions = c->Read().value() - before;
#ifndef PERFCHECK_PERF_COUNTER_H_
#define PERFCHECK_PERF_COUNTER_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "perfcheck/status.h"

namespace perfcheck {

enum class PerfEvent {
  kInstructions,     // PERF_COUNT_HW_INSTRUCTIONS (retired, user space)
  kCycles,           // PERF_COUNT_HW_CPU_CYCLES
  kTaskClock,        // PERF_COUNT_SW_TASK_CLOCK, in ns (works without a PMU)
  kContextSwitches,  // PERF_COUNT_SW_CONTEXT_SWITCHES
};

// "instructions", "cycles", "task-clock", "context-switches" (perf's names).
std::string_view PerfEventName(PerfEvent event);
// The inverse of PerfEventName; false for an unknown name.
bool ParsePerfEvent(std::string_view name, PerfEvent* event);

// The explanation Open() gives for perf_event_open failing with `error_number`
// (an errno value) on `event`; `paranoid` is the value of
// /proc/sys/kernel/perf_event_paranoid, or a negative number when unknown.
// Exposed so every branch can be tested on any machine.
std::string DescribePerfOpenError(PerfEvent event, int error_number,
                                  int paranoid);

class PerfCounter {
 public:
  // Opens and starts a counter of `event` for the calling thread.
  static StatusOr<PerfCounter> Open(PerfEvent event);

  PerfCounter(PerfCounter&& other) noexcept;
  PerfCounter& operator=(PerfCounter&& other) noexcept;
  PerfCounter(const PerfCounter&) = delete;
  PerfCounter& operator=(const PerfCounter&) = delete;
  ~PerfCounter();

  // The count since Open() (ns for kTaskClock), scaled when multiplexed.
  // Errors: the read fails, or the event was never scheduled on a PMU
  // register (time_running 0: too many events in use).
  StatusOr<std::uint64_t> Read() const;

  PerfEvent event() const { return event_; }

 private:
  PerfCounter(int fd, PerfEvent event) : fd_(fd), event_(event) {}
  int fd_ = -1;
  PerfEvent event_ = PerfEvent::kInstructions;
};

}  // namespace perfcheck

#endif  // PERFCHECK_PERF_COUNTER_H_
