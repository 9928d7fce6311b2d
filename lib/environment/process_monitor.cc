#include "perfcheck/process_monitor.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string_view>

namespace perfcheck {
namespace {

constexpr Nanos kMinInterval = 10'000'000;

// Reads a small /proc file with one read() into `buf` (no iostreams: this runs
// on every tick and is most of the monitor's own cost). -1 and errno on error.
ssize_t ReadSmallFile(const char* path, char* buf, std::size_t size) {
  const int fd = ::open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  ssize_t n;
  do {
    n = ::read(fd, buf, size - 1);
  } while (n < 0 && errno == EINTR);
  const int saved = errno;
  ::close(fd);
  errno = saved;
  if (n >= 0) buf[n] = '\0';
  return n;
}

struct StatReading {
  std::string name;
  char state = '?';
  std::uint64_t cpu_ticks = 0;  // utime + stime, whole thread group
  int threads = 0;
  std::int64_t rss_pages = 0;
};

// /proc/<pid>/stat (proc(5)). The name (comm) may hold spaces and ')', so the
// fields are counted from the last ')'. false and errno on error.
bool ReadStat(pid_t pid, StatReading* out) {
  char path[64];
  std::snprintf(path, sizeof path, "/proc/%d/stat", static_cast<int>(pid));
  char buf[1024];
  if (ReadSmallFile(path, buf, sizeof buf) <= 0) return false;
  const char* open = std::strchr(buf, '(');
  const char* close = std::strrchr(buf, ')');
  if (open == nullptr || close == nullptr || close < open || close[1] == '\0') {
    errno = EINVAL;
    return false;
  }
  out->name.assign(open + 1, close);
  const char* p = close + 2;
  out->state = *p;
  // Fields 4.. follow the state (field 3); field k is at index k - 4.
  std::uint64_t field[21] = {};
  ++p;
  for (int i = 0; i < 21; ++i) {
    char* end = nullptr;
    field[i] = std::strtoull(p, &end, 10);
    if (end == p) {
      errno = EINVAL;
      return false;
    }
    p = end;
  }
  out->cpu_ticks = field[14 - 4] + field[15 - 4];
  out->threads = static_cast<int>(field[20 - 4]);
  out->rss_pages = static_cast<std::int64_t>(field[24 - 4]);
  return true;
}

int CountFds(pid_t pid) {
  char path[64];
  std::snprintf(path, sizeof path, "/proc/%d/fd", static_cast<int>(pid));
  // Since Linux 6.2 the directory's size is the number of open descriptors:
  // one stat() instead of reading 1000 entries (~1 ms) for a busy server.
  // Older kernels report 0, and so may a process with no descriptors; both
  // fall back to counting.
  struct stat st {};
  if (::stat(path, &st) == 0 && st.st_size > 0) {
    return static_cast<int>(st.st_size);
  }
  DIR* dir = ::opendir(path);
  if (dir == nullptr) return -1;
  int n = 0;
  while (const dirent* e = ::readdir(dir)) {
    if (e->d_name[0] != '.') ++n;
  }
  ::closedir(dir);
  return n;
}

bool Gone(const StatReading& r) { return r.state == 'Z' || r.state == 'X'; }

std::string Seconds(Nanos ns) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f s", static_cast<double>(ns) / 1e9);
  return buf;
}

// Reads cgroup.procs; false and errno when unreadable.
bool ReadCgroupProcs(const std::filesystem::path& dir,
                     std::vector<pid_t>* out) {
  const std::string path = (dir / "cgroup.procs").string();
  std::FILE* f = std::fopen(path.c_str(), "re");
  if (f == nullptr) return false;
  long pid;
  while (std::fscanf(f, "%ld", &pid) == 1)
    out->push_back(static_cast<pid_t>(pid));
  std::fclose(f);
  return true;
}

Nanos ThreadCpuNanos() {
  timespec ts{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<Nanos>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

}  // namespace

ProcessMonitor::ProcessMonitor(ProcessMonitorOptions options)
    : options_(std::move(options)) {
  if (options_.interval.count() < kMinInterval) {
    throw std::invalid_argument(
        "ProcessMonitor: the interval must be at least 10 ms");
  }
  if (options_.pids.empty() && options_.cgroup.empty()) {
    throw std::invalid_argument(
        "ProcessMonitor: give at least one PID or a cgroup directory");
  }
}

ProcessMonitor::~ProcessMonitor() { Stop(); }

Status ProcessMonitor::Start() {
  if (started_) throw std::logic_error("ProcessMonitor::Start called twice");
  std::vector<pid_t> pids = options_.pids;
  if (!options_.cgroup.empty() && !ReadCgroupProcs(options_.cgroup, &pids)) {
    return Status::Error("cgroup " + options_.cgroup.string() +
                         ": cannot read " +
                         (options_.cgroup / "cgroup.procs").string() + ": " +
                         std::strerror(errno));
  }
  // Every given PID is checked before anything is recorded, so an error
  // leaves the monitor as it was.
  for (pid_t pid : options_.pids) {
    StatReading r;
    if (!ReadStat(pid, &r)) {
      const int err = errno;
      return Status::Error("process " + std::to_string(pid) + ": " +
                           (err == ENOENT || err == ESRCH
                                ? std::string("no such process")
                                : std::string(std::strerror(err))) +
                           " (/proc/" + std::to_string(pid) + "/stat)");
    }
    if (Gone(r)) {
      return Status::Error("process " + std::to_string(pid) + " (" + r.name +
                           ") has already exited");
    }
  }
  started_ = true;
  std::lock_guard<std::mutex> lock(mu_);
  stop_ = false;  // a Stop() before Start() must not end the new thread
  start_ns_ = SteadyClock::Instance().NowNanos();
  for (pid_t pid : pids) {
    if (tracked_.count(pid) != 0) continue;
    ProcessSeries s;
    s.pid = pid;
    tracked_[pid].series = series_.size();
    series_.push_back(std::move(s));
  }
  // First sample at t=0 (a cgroup member that vanished meanwhile is just
  // marked exited, as it would be on any tick).
  for (auto& [pid, t] : tracked_) t.t_ns = -1;  // marks "no CPU baseline yet"
  SampleAllLocked(0);
  thread_ = std::thread([this] { Run(); });
  return Status();
}

void ProcessMonitor::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

std::vector<ProcessSeries> ProcessMonitor::Snapshot() const {
  std::lock_guard<std::mutex> lock(mu_);
  return series_;
}

void ProcessMonitor::Run() {
  using SteadyTime = std::chrono::steady_clock::time_point;
  std::unique_lock<std::mutex> lock(mu_);
  SteadyTime next = std::chrono::steady_clock::now() + options_.interval;
  while (!wake_.wait_until(lock, next, [this] { return stop_; })) {
    // A tick that comes late (a loaded machine) is not made up for: the next
    // one is an interval later, and cpu_percent uses the real elapsed time.
    next += options_.interval;
    const SteadyTime now = std::chrono::steady_clock::now();
    if (next < now) next = now + options_.interval;
    const Nanos t = SteadyClock::Instance().NowNanos() - start_ns_;
    if (!options_.cgroup.empty()) AddCgroupMembersLocked(t);
    SampleAllLocked(t);
    sampler_cpu_ns_.store(ThreadCpuNanos(), std::memory_order_relaxed);
  }
}

void ProcessMonitor::AddCgroupMembersLocked(Nanos now) {
  std::vector<pid_t> pids;
  // The cgroup may be gone (the service stopped): its processes are then
  // seen exiting one by one; nothing new to add.
  if (!ReadCgroupProcs(options_.cgroup, &pids)) return;
  for (pid_t pid : pids) {
    if (tracked_.count(pid) != 0) continue;
    ProcessSeries s;
    s.label = "cgroup";
    s.pid = pid;
    Tracked& t = tracked_[pid];
    t.series = series_.size();
    t.t_ns = -1;
    series_.push_back(std::move(s));
  }
  (void)now;
}

void ProcessMonitor::SampleAllLocked(Nanos now) {
  static const double ticks_per_s = static_cast<double>(::sysconf(_SC_CLK_TCK));
  static const std::int64_t page = ::sysconf(_SC_PAGESIZE);
  for (auto& [pid, t] : tracked_) {
    if (t.done) continue;
    ProcessSeries& s = series_[t.series];
    StatReading r;
    if (!ReadStat(pid, &r) || Gone(r)) {
      t.done = true;
      s.exited_ns = now;
      s.note = "process " + std::to_string(pid) +
               (s.name.empty() ? "" : " (" + s.name + ")") + " exited " +
               Seconds(now) + " after the start; " +
               std::to_string(s.samples.size()) + " samples kept";
      continue;
    }
    if (s.name.empty()) s.name = r.name;
    ProcessSample sample;
    sample.t_ns = now;
    if (t.t_ns >= 0 && now > t.t_ns) {
      const double cpu_s =
          static_cast<double>(r.cpu_ticks - t.cpu_ticks) / ticks_per_s;
      sample.cpu_percent =
          100.0 * cpu_s / (static_cast<double>(now - t.t_ns) / 1e9);
    }
    sample.rss_bytes = r.rss_pages * page;
    sample.threads = r.threads;
    sample.fds = CountFds(pid);
    s.samples.push_back(sample);
    t.cpu_ticks = r.cpu_ticks;
    t.t_ns = now;
  }
}

}  // namespace perfcheck
