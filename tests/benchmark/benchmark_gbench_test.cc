// perfcheck::gbench inside a real Google Benchmark run (in process, with a
// capturing reporter): the calibration benchmark and BenchmarkPerfCounter.
// The counter's plumbing is tested with task-clock, which works without a
// hardware PMU; instructions either count or leave the reason in the label.
#include <benchmark/benchmark.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <ctime>
#include <string>
#include <thread>
#include <vector>

#include "perfcheck/benchmark/compare.h"
#include "perfcheck/gbench/calibration.h"
#include "perfcheck/gbench/perf_counter.h"

namespace perfcheck {
namespace {

class CapturingReporter : public benchmark::BenchmarkReporter {
 public:
  bool ReportContext(const Context&) override { return true; }
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& r : runs) this->runs.push_back(r);
  }
  std::vector<Run> runs;
};

std::vector<benchmark::BenchmarkReporter::Run> RunMatching(
    const std::string& regex) {
  CapturingReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter, regex);
  return reporter.runs;
}

std::uint64_t Spin(std::uint64_t n) {
  volatile std::uint64_t x = 0;
  for (std::uint64_t i = 0; i < n; ++i) x = x + i;
  return x;
}

double ThreadCpuNs() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e9 + static_cast<double>(ts.tv_nsec);
}

// This thread's CPU time over the counter's whole life in the last call of
// BM_TaskClock (the reported run), and that call's iterations.
double g_task_cpu_ns = 0;
double g_task_iterations = 0;

void BM_TaskClock(benchmark::State& state) {
  const double cpu_start = ThreadCpuNs();
  BenchmarkPerfCounter clock(state, PerfEvent::kTaskClock, "task_clock");
  EXPECT_TRUE(clock.available()) << clock.unavailable_reason();
  for (auto _ : state) benchmark::DoNotOptimize(Spin(20000));
  clock.Finish();
  g_task_cpu_ns = ThreadCpuNs() - cpu_start;
  g_task_iterations = static_cast<double>(state.iterations());
}

void BM_Instructions(benchmark::State& state) {
  BenchmarkPerfCounter instructions(state);  // finished by the destructor
  for (auto _ : state) benchmark::DoNotOptimize(Spin(20000));
}

TEST(BenchmarkPerfCounter, RecordsTaskClockPerIteration) {
  benchmark::RegisterBenchmark("gbench_test/task_clock", BM_TaskClock)
      ->MinTime(0.02);
  const auto runs = RunMatching("^gbench_test/task_clock/");
  ASSERT_EQ(runs.size(), 1u);
  const auto& r = runs[0];
  ASSERT_EQ(r.counters.count("task_clock"), 1u);
  const double per_iteration_ns = r.counters.at("task_clock");
  // task-clock counts this thread's CPU time: over the same span it matches
  // CLOCK_THREAD_CPUTIME_ID read around the counter (a ratio, with a wide
  // margin; both are CPU time, so a loaded machine does not move it).
  ASSERT_GT(g_task_cpu_ns, 0);
  ASSERT_EQ(g_task_iterations, static_cast<double>(r.iterations));
  const double counted_ns = per_iteration_ns * g_task_iterations;
  EXPECT_GT(counted_ns / g_task_cpu_ns, 0.5);
  EXPECT_LT(counted_ns / g_task_cpu_ns, 2.0);
  EXPECT_TRUE(r.report_label.empty());
}

TEST(BenchmarkPerfCounter, InstructionsCountOrSayWhyInTheLabel) {
  benchmark::RegisterBenchmark("gbench_test/instructions", BM_Instructions)
      ->MinTime(0.02);
  const auto runs = RunMatching("^gbench_test/instructions/");
  ASSERT_EQ(runs.size(), 1u);
  const auto& r = runs[0];
  if (r.counters.count("instructions") == 1) {
    // At least the loop's add and compare per step.
    EXPECT_GT(r.counters.at("instructions"), 20000.0);
    return;
  }
  // Not available (a VM without a PMU, a strict perf_event_paranoid): no
  // counter at all, the reason in the label, the timing untouched.
  EXPECT_TRUE(r.counters.empty());
  EXPECT_NE(r.report_label.find("instructions unavailable: "),
            std::string::npos)
      << r.report_label;
  EXPECT_NE(r.report_label.find("perf_event_open(instructions) failed"),
            std::string::npos);
  EXPECT_GT(r.GetAdjustedCPUTime(), 0);
}

TEST(CalibrationBenchmark, RegisteredOnceAndRuns) {
  RegisterCalibrationBenchmark();
  RegisterCalibrationBenchmark();  // idempotent
  const std::string name(kCalibrationBenchmarkName);
  const auto runs = RunMatching("^" + name + "$");
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0].benchmark_name(), name);
  EXPECT_GT(runs[0].GetAdjustedCPUTime(), 0);
  EXPECT_GT(runs[0].iterations, 10);
}

TEST(CalibrationBenchmark, WorkloadIsDeterministic) {
  // Same per-thread start, same sequence of checksums: the work does not
  // depend on the machine or on time.
  std::vector<std::uint64_t> first;
  std::thread a([&] {
    for (int i = 0; i < 50; ++i) first.push_back(RunCalibrationWorkloadOnce());
  });
  a.join();
  std::vector<std::uint64_t> second;
  std::thread b([&] {
    for (int i = 0; i < 50; ++i) second.push_back(RunCalibrationWorkloadOnce());
  });
  b.join();
  EXPECT_EQ(first, second);
  EXPECT_NE(first[0], first[1]);  // each iteration walks on
}

}  // namespace
}  // namespace perfcheck
