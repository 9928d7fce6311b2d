#include "perfcheck/perf_counter.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <utility>

#if defined(__linux__)
#include <linux/perf_event.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

namespace perfcheck {
namespace {

bool IsHardware(PerfEvent event) {
  return event == PerfEvent::kInstructions || event == PerfEvent::kCycles;
}

int ReadParanoid() {
  std::ifstream in("/proc/sys/kernel/perf_event_paranoid");
  int value = 0;
  if (in >> value) return value;
  return -100;  // unknown (no procfs, or not Linux)
}

}  // namespace

std::string_view PerfEventName(PerfEvent event) {
  switch (event) {
    case PerfEvent::kInstructions:
      return "instructions";
    case PerfEvent::kCycles:
      return "cycles";
    case PerfEvent::kTaskClock:
      return "task-clock";
    case PerfEvent::kContextSwitches:
      return "context-switches";
  }
  return "?";
}

bool ParsePerfEvent(std::string_view name, PerfEvent* event) {
  for (PerfEvent e : {PerfEvent::kInstructions, PerfEvent::kCycles,
                      PerfEvent::kTaskClock, PerfEvent::kContextSwitches}) {
    if (PerfEventName(e) == name) {
      *event = e;
      return true;
    }
  }
  return false;
}

std::string DescribePerfOpenError(PerfEvent event, int error_number,
                                  int paranoid) {
  std::string out = "perf_event_open(" + std::string(PerfEventName(event)) +
                    ") failed: " + std::strerror(error_number) + ": ";
  switch (error_number) {
    case ENOENT:
    case ENODEV:
    case EOPNOTSUPP:
      if (IsHardware(event)) {
        return out +
               "no hardware PMU (performance monitoring unit) is exposed to "
               "this system, typical in virtual machines and containers; "
               "hardware counters cannot be read here (software events such "
               "as task-clock may still work)";
      }
      return out + "the kernel does not support this event";
    case EACCES:
    case EPERM: {
      std::string why =
          paranoid > -100
              ? "kernel.perf_event_paranoid is " + std::to_string(paranoid)
              : std::string("the kernel refuses perf events to this process");
      return out + why +
             "; counting this thread's user-space events needs "
             "perf_event_paranoid <= 2 (sysctl kernel.perf_event_paranoid=2) "
             "or CAP_PERFMON, and a container may block perf_event_open "
             "(seccomp)";
    }
    case ENOSYS:
      return out +
             "the perf_event_open system call is not available (kernel built "
             "without perf events, or filtered by seccomp)";
    case EMFILE:
      return out + "too many open files";
    default:
      return out + "the event cannot be counted on this system";
  }
}

#if defined(__linux__)

StatusOr<PerfCounter> PerfCounter::Open(PerfEvent event) {
  perf_event_attr attr;
  std::memset(&attr, 0, sizeof attr);
  attr.size = sizeof attr;
  switch (event) {
    case PerfEvent::kInstructions:
      attr.type = PERF_TYPE_HARDWARE;
      attr.config = PERF_COUNT_HW_INSTRUCTIONS;
      break;
    case PerfEvent::kCycles:
      attr.type = PERF_TYPE_HARDWARE;
      attr.config = PERF_COUNT_HW_CPU_CYCLES;
      break;
    case PerfEvent::kTaskClock:
      attr.type = PERF_TYPE_SOFTWARE;
      attr.config = PERF_COUNT_SW_TASK_CLOCK;
      break;
    case PerfEvent::kContextSwitches:
      attr.type = PERF_TYPE_SOFTWARE;
      attr.config = PERF_COUNT_SW_CONTEXT_SWITCHES;
      break;
  }
  // User space only: kernel work (page faults, syscalls) depends on the
  // system, and perf_event_paranoid 2 (a common default) allows only this.
  attr.exclude_kernel = 1;
  attr.exclude_hv = 1;
  attr.read_format =
      PERF_FORMAT_TOTAL_TIME_ENABLED | PERF_FORMAT_TOTAL_TIME_RUNNING;
  const long fd = ::syscall(SYS_perf_event_open, &attr, /*pid=*/0,
                            /*cpu=*/-1, /*group_fd=*/-1, PERF_FLAG_FD_CLOEXEC);
  if (fd < 0) {
    const int error_number = errno;
    return Status::Error(
        DescribePerfOpenError(event, error_number, ReadParanoid()));
  }
  return PerfCounter(static_cast<int>(fd), event);
}

StatusOr<std::uint64_t> PerfCounter::Read() const {
  std::uint64_t values[3] = {0, 0, 0};  // count, enabled, running
  const ssize_t n = ::read(fd_, values, sizeof values);
  if (n != static_cast<ssize_t>(sizeof values)) {
    return Status::Error("perf counter (" + std::string(PerfEventName(event_)) +
                         "): read failed: " + std::strerror(errno));
  }
  if (values[2] == 0) {
    return Status::Error("perf counter (" + std::string(PerfEventName(event_)) +
                         "): never scheduled on the PMU (all counters busy)");
  }
  const bool hardware =
      event_ == PerfEvent::kInstructions || event_ == PerfEvent::kCycles;
  if (hardware && values[2] < values[1]) {
    // Multiplexed: extrapolate to the whole enabled time, as perf stat does.
    // Only hardware events compete for PMU registers; software events
    // (task-clock) are never multiplexed, and scaling them by a time ratio
    // the kernel reports under heavy scheduling load inflated them.
    return static_cast<std::uint64_t>(static_cast<double>(values[0]) *
                                      static_cast<double>(values[1]) /
                                      static_cast<double>(values[2]));
  }
  return values[0];
}

PerfCounter::~PerfCounter() {
  if (fd_ >= 0) ::close(fd_);
}

#else  // !__linux__

StatusOr<PerfCounter> PerfCounter::Open(PerfEvent event) {
  return Status::Error("perf_event_open(" + std::string(PerfEventName(event)) +
                       "): hardware counters are read only on Linux");
}

StatusOr<std::uint64_t> PerfCounter::Read() const {
  return Status::Error("perf counters: only on Linux");
}

PerfCounter::~PerfCounter() = default;

#endif

PerfCounter::PerfCounter(PerfCounter&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), event_(other.event_) {}

PerfCounter& PerfCounter::operator=(PerfCounter&& other) noexcept {
  if (this != &other) {
    PerfCounter old(std::move(*this));  // closes our fd on scope exit
    fd_ = std::exchange(other.fd_, -1);
    event_ = other.event_;
  }
  return *this;
}

}  // namespace perfcheck
