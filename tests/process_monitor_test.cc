#include "perfcheck/process_monitor.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <stdexcept>
#include <thread>
#include <vector>

namespace perfcheck {
namespace {

using std::chrono::milliseconds;

// ---- statistics on synthetic series ----

// Deterministic noise in [-1, 1): a small LCG, the same on every platform.
class Noise {
 public:
  double Next() {
    state_ = state_ * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<double>(state_ >> 11) / 9007199254740992.0 * 2 - 1;
  }

 private:
  std::uint64_t state_ = 42;
};

// n samples, one per second, rss = f(t in s).
std::vector<ProcessSample> Series(int n,
                                  const std::function<double(double)>& f) {
  std::vector<ProcessSample> out;
  for (int i = 0; i < n; ++i) {
    ProcessSample s;
    s.t_ns = static_cast<Nanos>(i) * 1'000'000'000;
    s.rss_bytes = static_cast<std::int64_t>(f(i));
    out.push_back(s);
  }
  return out;
}

TEST(MemoryGrowth, SteadyWithNoiseIsSteady) {
  Noise noise;
  const auto samples =
      Series(120, [&](double) { return 100e6 + 1e6 * noise.Next(); });
  const MemoryGrowth g = AnalyzeMemoryGrowth(samples);
  EXPECT_EQ(g.verdict, GrowthVerdict::kSteady) << g.Describe();
  EXPECT_EQ(g.n, 96u);  // the first 20 % of the time is warm-up
  EXPECT_LT(g.slope_interval.low, g.tolerance_bytes_per_s);
  // 1 % of ~100 MB per minute.
  EXPECT_NEAR(g.tolerance_bytes_per_s, 100e6 / 100 / 60, 1e3);
  EXPECT_NE(g.Describe().find("steady: "), std::string::npos) << g.Describe();
}

TEST(MemoryGrowth, LinearLeakIsDetectedWithItsRate) {
  Noise noise;
  const auto samples = Series(
      120, [&](double t) { return 50e6 + 100e3 * t + 1e6 * noise.Next(); });
  const MemoryGrowth g = AnalyzeMemoryGrowth(samples);
  EXPECT_EQ(g.verdict, GrowthVerdict::kGrows) << g.Describe();
  EXPECT_LT(g.slope_interval.low, 100e3);
  EXPECT_GT(g.slope_interval.high, 100e3);
  EXPECT_GT(g.slope_interval.low, g.tolerance_bytes_per_s);
  EXPECT_NE(g.Describe().find("grows: +"), std::string::npos) << g.Describe();
}

TEST(MemoryGrowth, GrowthBelowTheToleranceIsSteady) {
  // 1 KB/s on 100 MB is 0.06 %/min, under the default 1 %/min.
  const auto samples = Series(120, [](double t) { return 100e6 + 1e3 * t; });
  EXPECT_EQ(AnalyzeMemoryGrowth(samples).verdict, GrowthVerdict::kSteady);
  // With no tolerance the exact line grows.
  MemoryGrowthOptions strict;
  strict.tolerance_percent_per_minute = 0;
  EXPECT_EQ(AnalyzeMemoryGrowth(samples, strict).verdict,
            GrowthVerdict::kGrows);
}

TEST(MemoryGrowth, WarmUpIsLeftOut) {
  // Caches fill for 20 s (1 MB/s), then flat.
  const auto samples =
      Series(100, [](double t) { return 10e6 + 1e6 * std::min(t, 20.0); });
  MemoryGrowthOptions opt;
  opt.warmup_fraction = 0.25;
  EXPECT_EQ(AnalyzeMemoryGrowth(samples, opt).verdict, GrowthVerdict::kSteady);
  opt.warmup_fraction = 0;
  EXPECT_EQ(AnalyzeMemoryGrowth(samples, opt).verdict, GrowthVerdict::kGrows);
}

TEST(MemoryGrowth, TooFewSamplesIsInsufficientData) {
  const auto samples = Series(8, [](double t) { return 1e6 * t; });
  const MemoryGrowth g = AnalyzeMemoryGrowth(samples);  // t >= 1.4 s: 6
  EXPECT_EQ(g.verdict, GrowthVerdict::kInsufficientData);
  EXPECT_EQ(g.Describe(),
            "insufficient data: 6 samples after the warm-up, need 10 spread "
            "over time");
  EXPECT_EQ(AnalyzeMemoryGrowth({}).verdict, GrowthVerdict::kInsufficientData);
  // Samples all at one time have no slope.
  std::vector<ProcessSample> same(20);
  EXPECT_EQ(AnalyzeMemoryGrowth(same).verdict,
            GrowthVerdict::kInsufficientData);
}

TEST(MemoryGrowth, IntervalUsesTheStudentTQuantile) {
  // 6 points, 4 degrees of freedom: t(0.975, 4) = 2.7764.
  const std::vector<double> y = {0, 11, 19, 32, 38, 51};
  const auto samples = Series(6, [&](double t) { return y[int(t)] * 1e3; });
  MemoryGrowthOptions opt;
  opt.warmup_fraction = 0;
  opt.min_samples = 6;
  const MemoryGrowth g = AnalyzeMemoryGrowth(samples, opt);
  double mx = 2.5, my = 0, sxx = 0, sxy = 0, sse = 0;
  for (double v : y) my += v * 1e3 / 6;
  for (int i = 0; i < 6; ++i)
    sxx += (i - mx) * (i - mx), sxy += (i - mx) * (y[i] * 1e3 - my);
  const double b = sxy / sxx;
  for (int i = 0; i < 6; ++i) {
    const double r = y[i] * 1e3 - my - b * (i - mx);
    sse += r * r;
  }
  const double se = std::sqrt(sse / 4 / sxx);
  EXPECT_NEAR(g.slope_bytes_per_s, b, 1e-6);
  // The exact quantile (2.776445), to the table's digits.
  EXPECT_NEAR((g.slope_interval.high - g.slope_interval.low) / 2 / se, 2.7764,
              2.7764 * 1e-4);
}

TEST(MemoryGrowth, OptionsOutOfRangeThrow) {
  const auto samples = Series(20, [](double) { return 1.0; });
  MemoryGrowthOptions opt;
  opt.warmup_fraction = 1;
  EXPECT_THROW((void)AnalyzeMemoryGrowth(samples, opt), std::invalid_argument);
  opt = {};
  opt.confidence = 1;
  EXPECT_THROW((void)AnalyzeMemoryGrowth(samples, opt), std::invalid_argument);
  opt = {};
  opt.min_samples = 3;
  EXPECT_THROW((void)AnalyzeMemoryGrowth(samples, opt), std::invalid_argument);
  opt = {};
  opt.tolerance_bytes_per_s = -1;
  EXPECT_THROW((void)AnalyzeMemoryGrowth(samples, opt), std::invalid_argument);
}

TEST(ResourceStatistics, PeakRssAndCpuSkipTheFirstSample) {
  std::vector<ProcessSample> s(4);
  s[0].cpu_percent = 500;  // no interval: ignored
  s[1].cpu_percent = 20, s[2].cpu_percent = 80, s[3].cpu_percent = 50;
  s[0].rss_bytes = 5, s[1].rss_bytes = 9, s[2].rss_bytes = 7;
  EXPECT_EQ(PeakRssBytes(s), 9);
  const CpuSummary c = SummarizeCpu(s);
  EXPECT_EQ(c.n, 3u);
  EXPECT_DOUBLE_EQ(c.mean_percent, 50);
  EXPECT_DOUBLE_EQ(c.peak_percent, 80);
  EXPECT_EQ(PeakRssBytes({}), 0);
  EXPECT_EQ(SummarizeCpu({}).n, 0u);
}

// ---- real processes ----

// A child forked by the test: it runs `body` (only async-signal-safe calls:
// mmap, memset, nanosleep, write), which writes one byte to the ready pipe when
// the part to observe begins. Killed and reaped on destruction; it also dies
// with the test (PR_SET_PDEATHSIG), and every body ends by itself in <= 10 s.
class Child {
 public:
  explicit Child(void (*body)(int ready_fd)) {
    int fds[2];
    if (::pipe(fds) != 0) throw std::runtime_error("pipe");
    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error("fork");
    if (pid_ == 0) {
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      ::close(fds[0]);
      body(fds[1]);
      ::_exit(0);
    }
    ::close(fds[1]);
    char c;
    // Bounded: the child writes at once, or dies and closes the pipe.
    const ssize_t n = ::read(fds[0], &c, 1);
    ::close(fds[0]);
    if (n != 1) throw std::runtime_error("child did not start");
    started_ = std::chrono::steady_clock::now();
  }
  ~Child() {
    if (!reaped_) {
      ::kill(pid_, SIGKILL);  // our own child only
      (void)Reap();
    }
  }
  pid_t pid() const { return pid_; }
  // Waits (at most 10 s, then kills it) and returns its CPU seconds.
  double Reap() {
    rusage ru{};
    int status = 0;
    const auto deadline =
        std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (::wait4(pid_, &status, WNOHANG, &ru) == 0) {
      if (std::chrono::steady_clock::now() > deadline) ::kill(pid_, SIGKILL);
      std::this_thread::sleep_for(milliseconds(5));
    }
    reaped_ = true;
    ended_ = std::chrono::steady_clock::now();
    return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
           (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
  }
  double LifetimeSeconds() const {
    return std::chrono::duration<double>(ended_ - started_).count();
  }

 private:
  pid_t pid_ = 0;
  bool reaped_ = false;
  std::chrono::steady_clock::time_point started_, ended_;
};

void Ready(int fd) {
  const char c = 'r';
  (void)!::write(fd, &c, 1);
  ::close(fd);
}

void SleepMs(long ms) {
  timespec ts{ms / 1000, (ms % 1000) * 1'000'000};
  while (::nanosleep(&ts, &ts) != 0) {
  }
}

double MonotonicSeconds() {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

// Allocates and touches 2 MB every 50 ms for 1.5 s, never frees: a leak.
void LeakingBody(int ready) {
  Ready(ready);
  for (int i = 0; i < 30; ++i) {
    void* p = ::mmap(nullptr, 2 << 20, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p != MAP_FAILED) std::memset(p, 1, 2 << 20);
    SleepMs(50);
  }
}

// Holds 8 MB, touched before it says ready, for 1.5 s: steady.
void SteadyBody(int ready) {
  void* p = ::mmap(nullptr, 8 << 20, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p != MAP_FAILED) std::memset(p, 1, 8 << 20);
  Ready(ready);
  SleepMs(1500);
}

// Busy for 1 s of wall time.
void BurnerBody(int ready) {
  Ready(ready);
  const double end = MonotonicSeconds() + 1.0;
  volatile std::uint64_t x = 0;
  while (MonotonicSeconds() < end) {
    for (int i = 0; i < 10000; ++i) x = x + i;
  }
}

void SleeperBody(int ready) {
  Ready(ready);
  SleepMs(10'000);
}

// A sleeper with 100 more open descriptors.
void OpenerBody(int ready) {
  for (int i = 0; i < 100; ++i) (void)::open("/dev/null", O_RDONLY);
  SleeperBody(ready);
}

// Polls the monitor's snapshot (every 10 ms, at most 10 s) until `done`.
bool WaitFor(
    const ProcessMonitor& m,
    const std::function<bool(const std::vector<ProcessSeries>&)>& done) {
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    if (done(m.Snapshot())) return true;
    std::this_thread::sleep_for(milliseconds(10));
  }
  return false;
}

bool AllExited(const std::vector<ProcessSeries>& s) {
  for (const ProcessSeries& p : s) {
    if (!p.exited_ns) return false;
  }
  return !s.empty();
}

// Watches `pid` every 50 ms until it exits (within WaitFor's bound) and
// returns its one series; nullopt, with the failure recorded, otherwise.
std::optional<ProcessSeries> SeriesUntilExit(pid_t pid) {
  ProcessMonitor monitor({.pids = {pid}, .interval = milliseconds(50)});
  const Status started = monitor.Start();
  EXPECT_TRUE(started.ok()) << started.message();
  if (!started.ok()) return std::nullopt;
  const bool exited = WaitFor(monitor, AllExited);
  monitor.Stop();
  EXPECT_TRUE(exited) << "process " << pid << " did not exit in time";
  if (!exited) return std::nullopt;
  return monitor.Snapshot().at(0);
}

TEST(ProcessMonitor, SeesALeakingProcessGrow) {
  Child child(LeakingBody);
  const std::optional<ProcessSeries> series = SeriesUntilExit(child.pid());
  ASSERT_TRUE(series.has_value());
  const ProcessSeries& s = *series;
  ASSERT_GE(s.samples.size(), 10u);
  EXPECT_GE(PeakRssBytes(s.samples) - s.samples.front().rss_bytes, 30 << 20);
  const MemoryGrowth g = AnalyzeMemoryGrowth(s.samples);
  EXPECT_EQ(g.verdict, GrowthVerdict::kGrows) << g.Describe();
  EXPECT_GT(g.slope_interval.low, 0) << g.Describe();
  EXPECT_EQ(s.samples.front().threads, 1);
  EXPECT_GE(s.samples.front().fds, 2);  // inherited stdin/stdout/stderr
}

TEST(ProcessMonitor, SeesASteadyProcessNotGrow) {
  Child child(SteadyBody);
  const std::optional<ProcessSeries> series = SeriesUntilExit(child.pid());
  ASSERT_TRUE(series.has_value());
  const ProcessSeries& s = *series;
  ASSERT_GE(s.samples.size(), 10u);
  EXPECT_GE(PeakRssBytes(s.samples), 8 << 20);
  const MemoryGrowth g = AnalyzeMemoryGrowth(s.samples);
  EXPECT_EQ(g.verdict, GrowthVerdict::kSteady) << g.Describe();
  EXPECT_LT(SummarizeCpu(s.samples).mean_percent, 50);
}

TEST(ProcessMonitor, MeasuresTheCpuOfABurner) {
  Child child(BurnerBody);
  const std::optional<ProcessSeries> series = SeriesUntilExit(child.pid());
  ASSERT_TRUE(series.has_value());
  const double cpu_s = child.Reap();
  const ProcessSeries& s = *series;
  ASSERT_GE(s.samples.size(), 5u);
  // What the monitor integrates matches what the kernel charged the child
  // (wait4); the part after the last sample (< 1 interval) is missing.
  double integrated = 0;
  for (std::size_t i = 1; i < s.samples.size(); ++i) {
    integrated += s.samples[i].cpu_percent / 100 *
                  (s.samples[i].t_ns - s.samples[i - 1].t_ns) / 1e9;
  }
  EXPECT_NEAR(integrated, cpu_s, 0.5 * cpu_s + 0.05);
  // The burner gets a whole core on an idle machine (~100 %); on a shared one
  // less, so the mean is compared with the share it really got.
  const double share_percent = 100 * cpu_s / child.LifetimeSeconds();
  const CpuSummary c = SummarizeCpu(s.samples);
  EXPECT_GT(c.mean_percent, 0.5 * share_percent)
      << "share " << share_percent << " %, cpu " << cpu_s << " s";
  EXPECT_GE(c.peak_percent, c.mean_percent);
  std::printf(
      "burner: mean %.0f %%, peak %.0f %% of one core (share %.0f %%)\n",
      c.mean_percent, c.peak_percent, share_percent);
}

TEST(ProcessMonitor, RefusesAProcessThatDoesNotExist) {
  // PIDs are below pid_max, so pid_max itself never exists.
  long pid_max = 0;
  std::ifstream("/proc/sys/kernel/pid_max") >> pid_max;
  ASSERT_GT(pid_max, 0);
  Child child(SleeperBody);
  ProcessMonitor monitor({.pids = {child.pid(), static_cast<pid_t>(pid_max)},
                          .interval = milliseconds(50)});
  const Status s = monitor.Start();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.message(), "process " + std::to_string(pid_max) +
                             ": no such process (/proc/" +
                             std::to_string(pid_max) + "/stat)");
  EXPECT_TRUE(monitor.Snapshot().empty());  // nothing started
}

TEST(ProcessMonitor, KeepsTheSamplesOfAProcessKilledMidRun) {
  Child victim(SleeperBody);
  Child survivor(SleeperBody);
  ProcessMonitor monitor(
      {.pids = {victim.pid(), survivor.pid()}, .interval = milliseconds(50)});
  ASSERT_TRUE(monitor.Start().ok());
  ASSERT_TRUE(WaitFor(monitor, [](const std::vector<ProcessSeries>& s) {
    return s[0].samples.size() >= 3;
  }));
  ::kill(victim.pid(), SIGKILL);  // a zombie until reaped: also "exited"
  ASSERT_TRUE(WaitFor(monitor, [](const std::vector<ProcessSeries>& s) {
    return s[0].exited_ns.has_value();
  }));
  const std::size_t at_exit = monitor.Snapshot()[1].samples.size();
  ASSERT_TRUE(WaitFor(monitor, [&](const std::vector<ProcessSeries>& s) {
    return s[1].samples.size() >= at_exit + 3;
  }));
  monitor.Stop();
  const std::vector<ProcessSeries> s = monitor.Snapshot();
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[0].pid, victim.pid());
  EXPECT_GE(s[0].samples.size(), 3u);
  EXPECT_GE(*s[0].exited_ns, s[0].samples.back().t_ns);
  EXPECT_NE(s[0].note.find("process " + std::to_string(victim.pid())),
            std::string::npos)
      << s[0].note;
  EXPECT_NE(s[0].note.find(" exited "), std::string::npos) << s[0].note;
  EXPECT_NE(
      s[0].note.find(std::to_string(s[0].samples.size()) + " samples kept"),
      std::string::npos)
      << s[0].note;
  EXPECT_FALSE(s[1].exited_ns.has_value());
  EXPECT_TRUE(s[1].note.empty());
}

TEST(ProcessMonitor, CountsOpenFileDescriptors) {
  // Both children inherit the test's descriptors; the opener has 100 more.
  Child plain(SleeperBody);
  Child opener(OpenerBody);
  ProcessMonitor monitor(
      {.pids = {plain.pid(), opener.pid()}, .interval = milliseconds(50)});
  ASSERT_TRUE(monitor.Start().ok());
  // The second sample: at the first, a child may not yet have closed the
  // pipe it said "ready" on.
  ASSERT_TRUE(WaitFor(monitor, [](const std::vector<ProcessSeries>& s) {
    return s[0].samples.size() >= 2 && s[1].samples.size() >= 2;
  }));
  monitor.Stop();
  const std::vector<ProcessSeries> s = monitor.Snapshot();
  ASSERT_EQ(s.size(), 2u);
  EXPECT_GE(s[0].samples.at(1).fds, 3);
  EXPECT_EQ(s[1].samples.at(1).fds - s[0].samples.at(1).fds, 100);
}

TEST(ProcessMonitor, FollowsTheProcessesOfACgroup) {
  // A directory with a cgroup.procs file is all the monitor reads of a
  // cgroup, so a plain directory stands in for one (no root needed).
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() /
      ("perfcheck_monitor_cgroup_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  Child first(SleeperBody);
  Child second(SleeperBody);
  std::ofstream(dir / "cgroup.procs") << first.pid() << "\n";
  ProcessMonitor monitor({.cgroup = dir, .interval = milliseconds(50)});
  ASSERT_TRUE(monitor.Start().ok());
  std::ofstream(dir / "cgroup.procs") << first.pid() << "\n"
                                      << second.pid() << "\n";
  const bool both = WaitFor(monitor, [](const std::vector<ProcessSeries>& s) {
    return s.size() == 2 && s[1].samples.size() >= 2;
  });
  monitor.Stop();
  std::filesystem::remove_all(dir);
  ASSERT_TRUE(both);
  const std::vector<ProcessSeries> s = monitor.Snapshot();
  EXPECT_EQ(s[0].pid, first.pid());
  EXPECT_EQ(s[1].pid, second.pid());
  EXPECT_GT(s[1].samples.front().t_ns, 0);  // joined after the start
  EXPECT_GT(s[1].samples.back().rss_bytes, 0);
}

TEST(ProcessMonitor, RefusesAMissingCgroupAndBadOptions) {
  ProcessMonitor monitor(
      {.cgroup = "/nonexistent/perfcheck", .interval = milliseconds(50)});
  const Status s = monitor.Start();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.message(),
            "cgroup /nonexistent/perfcheck: cannot read "
            "/nonexistent/perfcheck/cgroup.procs: No such file or directory");
  EXPECT_THROW(
      ProcessMonitor({.pids = {::getpid()}, .interval = milliseconds(5)}),
      std::invalid_argument);
  EXPECT_THROW(ProcessMonitor({.interval = milliseconds(50)}),
               std::invalid_argument);
}

}  // namespace
}  // namespace perfcheck
