// The resource assertions on real processes on loopback: a server that does
// not leak and one that does, under the same paced load, and a CPU burner.
// Margins are wide so that no verdict depends on this machine's speed: the
// leak is 64 KiB per request (megabytes per second at any request rate a
// machine manages, against a tolerance of kilobytes per second), the burner
// runs 2 threads at full duty against half of what one busy thread of this
// test gets at the same time, and the peak RSS bound is against 64 MiB the
// burner holds.
#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <time.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "perfcheck/gtest.h"
#include "perfcheck/process_monitor.h"
#include "perfcheck/resource_sla.h"
#include "spawned.h"

namespace perfcheck {
namespace {

using monitor_test::Spawned;
using namespace std::chrono_literals;

int PortOf(Spawned& server) {
  const std::string line = server.ReadLine();
  if (line.rfind("port ", 0) != 0) return -1;
  return std::stoi(line.substr(5));
}

// Warms the server up (thread pool, malloc arenas), then monitors it at
// 50 ms for 3 s while one keep-alive client sends a request every 5 ms.
std::vector<ProcessSeries> SeriesUnderLoad(const char* server_path) {
  Spawned server({server_path, "--max-seconds", "60", "--work-kib", "64"});
  const int port = PortOf(server);
  EXPECT_GT(port, 0) << server_path << " did not say its port";
  if (port <= 0) return {};
  httplib::Client client("127.0.0.1", port);
  client.set_keep_alive(true);
  for (int i = 0; i < 50; ++i) EXPECT_TRUE(client.Get("/"));
  ProcessMonitor monitor({.pids = {server.pid()}, .interval = 50ms});
  const Status started = monitor.Start();
  EXPECT_TRUE(started.ok()) << started.message();
  const auto start = std::chrono::steady_clock::now();
  for (auto next = start; next < start + 3s; next += 5ms) {
    auto res = client.Get("/");
    EXPECT_TRUE(res && res->status == 200);
    std::this_thread::sleep_until(next);
  }
  monitor.Stop();
  return monitor.Snapshot();
}

TEST(MonitoredProcesses, SteadyServerUnderLoadHasNoMemoryGrowth) {
  const std::vector<ProcessSeries> series =
      SeriesUnderLoad(PERFCHECK_STEADY_SERVER_PATH);
  ASSERT_EQ(series.size(), 1u);
  ASSERT_GE(series[0].samples.size(), 20u);
  EXPECT_EQ(CheckNoMemoryGrowth(series[0]).metric, "memory_growth");
#if defined(__SANITIZE_ADDRESS__)
  // Built with AddressSanitizer (CI's ASan phase) the server's RSS is
  // ASan's allocator's, not the server's: even without the quarantine
  // (spawned.h) it kept growing by ~150 KB/s here. That phase is for memory
  // errors in the monitor and the servers; the verdict on a steady server
  // is asserted by the release build's run of this same test.
  EXPECT_NE(AnalyzeMemoryGrowth(series[0].samples).verdict,
            GrowthVerdict::kInsufficientData);
#else
  EXPECT_NO_MEMORY_GROWTH(series);
#endif
}

TEST(MonitoredProcesses, LeakyServerUnderLoadFailsNoMemoryGrowth) {
  const std::vector<ProcessSeries> series =
      SeriesUnderLoad(PERFCHECK_LEAKY_SERVER_PATH);
  ASSERT_EQ(series.size(), 1u);
  const MemoryGrowth g = AnalyzeMemoryGrowth(series[0].samples);
  EXPECT_EQ(g.verdict, GrowthVerdict::kGrows) << g.Describe();
  // 64 KiB per request: even 10 requests per second leak 650 KB/s.
  EXPECT_GT(g.slope_interval.low, 100'000) << g.Describe();
  EXPECT_NONFATAL_FAILURE(EXPECT_NO_MEMORY_GROWTH(series),
                          "Actual: memory grows: +");
}

// The % of one core a busy thread gets on this machine right now, measured
// by spinning for `d`: on a busy CI runner far below 100.
double ReferenceCpuPercent(std::chrono::nanoseconds d) {
  timespec a{}, b{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &a);
  const auto start = std::chrono::steady_clock::now();
  volatile unsigned long sink = 0;
  for (unsigned n = 0;; ++n) {  // the clock read as the burner reads it
    sink = sink + 1;
    if ((n & 4095) == 0 && std::chrono::steady_clock::now() - start >= d) break;
  }
  const auto wall = std::chrono::steady_clock::now() - start;
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &b);
  const double cpu_ns = (b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec);
  return 100 * cpu_ns / static_cast<double>(wall.count());
}

// A burner at full duty on two threads against "CPU < half of what a busy
// thread gets here" (50 % on an idle machine): its threads and the
// reference thread share the cores alike, so the burner shows about four
// times the bound (two on an idle 2-core machine) whatever the machine's
// load; the sleeping burner shows about 0.
TEST(MonitoredProcesses, BusyBurnerFailsCpuBelowHalfACoreASleepingOnePasses) {
  Spawned busy({PERFCHECK_CPU_BURNER_PATH, "--duty", "1", "--threads", "2",
                "--max-seconds", "60"});
  Spawned idle(
      {PERFCHECK_CPU_BURNER_PATH, "--duty", "0", "--max-seconds", "60"});
  ASSERT_EQ(busy.ReadLine(), "ready");
  ASSERT_EQ(idle.ReadLine(), "ready");
  ProcessMonitor monitor({.pids = {busy.pid(), idle.pid()}, .interval = 100ms});
  ASSERT_TRUE(monitor.Start().ok());
  const double reference = ReferenceCpuPercent(2s);
  monitor.Stop();
  ASSERT_GT(reference, 1) << "a busy thread got almost no CPU";
  const double bound = reference / 2;
  const std::vector<ProcessSeries> s = monitor.Snapshot();
  ASSERT_EQ(s.size(), 2u);
  const SlaCheck busy_cpu = CheckCpuBelow(s[0], bound);
  EXPECT_FALSE(busy_cpu.passed)
      << busy_cpu.summary << "; reference " << reference << " %";
  EXPECT_NONFATAL_FAILURE(EXPECT_CPU_BELOW(s[0], bound), "Actual: mean CPU = ");
  EXPECT_NONFATAL_FAILURE(EXPECT_PEAK_CPU_BELOW(s[0], bound),
                          "Actual: peak CPU = ");
  EXPECT_CPU_BELOW(s[1], bound) << "reference " << reference << " %";
}

TEST(MonitoredProcesses, PeakRssAgainstAKnownAllocation) {
  Spawned holder({PERFCHECK_CPU_BURNER_PATH, "--duty", "0", "--hold-mib", "64",
                  "--max-seconds", "60"});
  ASSERT_EQ(holder.ReadLine(), "ready");
  ProcessMonitor monitor({.pids = {holder.pid()}, .interval = 50ms});
  ASSERT_TRUE(monitor.Start().ok());
  std::this_thread::sleep_for(300ms);
  monitor.Stop();
  EXPECT_GE(PeakRssBytes(monitor.Snapshot().at(0).samples), 64LL << 20);
  EXPECT_NONFATAL_FAILURE(EXPECT_PEAK_RSS_BELOW(monitor, 64LL << 20),
                          "Actual: peak RSS = ");
  // The process itself (libc, code, stack) adds a few MB, not 64.
  EXPECT_PEAK_RSS_BELOW(monitor, (64LL << 20) + 64'000'000);
}

}  // namespace
}  // namespace perfcheck
