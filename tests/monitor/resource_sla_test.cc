// The resource SLA checks (perfcheck/resource_sla.h) and their gtest macros
// on series made up here: exact numbers, so exact verdicts and messages.
#include "perfcheck/resource_sla.h"

#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>
#include <vector>

#include "perfcheck/gtest.h"
#include "perfcheck/result.h"

namespace perfcheck {
namespace {

// n samples 1 s apart; RSS from `rss(i)`, CPU `cpu` after the first.
template <class RssFn>
ProcessSeries Made(int n, RssFn rss, double cpu = 10, std::int64_t pid = 4242) {
  ProcessSeries p;
  p.pid = pid;
  p.name = "server";
  for (int i = 0; i < n; ++i) {
    p.samples.push_back({.t_ns = i * 1'000'000'000LL,
                         .cpu_percent = i == 0 ? 0 : cpu,
                         .rss_bytes = rss(i),
                         .threads = 2,
                         .fds = 5});
  }
  return p;
}

ProcessSeries Flat(int n = 30) {
  // Noise of +-8 KiB around 50 MB, no trend.
  return Made(n, [](int i) { return 50'000'000 + ((i * 7) % 5 - 2) * 4096; });
}

ProcessSeries Leaking(int n = 30) {
  return Made(n, [](int i) { return 50'000'000 + i * 1'000'000LL; });
}

TEST(ResourceSla, PeakRssNamesProcessValueAndTime) {
  ProcessSeries p = Made(5, [](int i) { return i == 3 ? 80'200'000 : 1000; });
  p.label = "cmd";
  const SlaCheck c = CheckPeakRssBelow(p, 64'000'000);
  EXPECT_FALSE(c.passed);
  EXPECT_EQ(c.metric, "peak_rss");
  EXPECT_EQ(c.unit, SlaUnit::kBytes);
  EXPECT_EQ(c.observed, 80'200'000);
  EXPECT_EQ(c.limit, 64'000'000);
  EXPECT_EQ(c.summary,
            "cmd process 4242 (server): peak RSS < 64 MB -> peak RSS = "
            "80.2 MB (at 3.00 s, 5 samples) [FAIL]");
  EXPECT_TRUE(CheckPeakRssBelow(p, 80'200'001).passed);
  // Strict: equal is a failure, and the exact bytes show why.
  const SlaCheck equal = CheckPeakRssBelow(p, 80'200'000);
  EXPECT_FALSE(equal.passed);
  ProcessSeries q = Made(2, [](int) { return 512'000'100; });
  EXPECT_EQ(CheckPeakRssBelow(q, 512'000'000).measured, "512 MB (512000100 B)");
}

TEST(ResourceSla, CpuMeanAndPeakSkipTheFirstSample) {
  ProcessSeries p = Made(
      5, [](int) { return 1000; }, 40);
  p.samples[2].cpu_percent = 90;
  const SlaCheck mean = CheckCpuBelow(p, 60);
  EXPECT_TRUE(mean.passed);
  EXPECT_DOUBLE_EQ(*mean.observed, (40 + 90 + 40 + 40) / 4.0);
  EXPECT_EQ(mean.unit, SlaUnit::kPercentOfCore);
  const SlaCheck peak = CheckPeakCpuBelow(p, 80);
  EXPECT_FALSE(peak.passed);
  EXPECT_EQ(peak.summary,
            "process 4242 (server): peak CPU < 80.0 % of one core -> peak "
            "CPU = 90.0 % (mean 52.5 %, 4 intervals) [FAIL]");
}

TEST(ResourceSla, NothingMeasuredIsNoPass) {
  ProcessSeries empty;
  empty.pid = 7;
  EXPECT_FALSE(CheckPeakRssBelow(empty, 1'000'000'000).passed);
  EXPECT_EQ(CheckPeakRssBelow(empty, 1).actual, "no samples");
  const SlaCheck one = CheckCpuBelow(Made(1, [](int) { return 1; }), 50);
  EXPECT_FALSE(one.passed);
  EXPECT_FALSE(one.observed.has_value());
  EXPECT_EQ(one.actual, "no CPU interval (1 sample; CPU needs two)");
  const SlaCheck few = CheckNoMemoryGrowth(Flat(5));
  EXPECT_FALSE(few.passed);
  EXPECT_NE(few.actual.find("insufficient data"), std::string::npos);
}

TEST(ResourceSla, GrowthMessageGivesSlopeIntervalAndVerdict) {
  const SlaCheck grows = CheckNoMemoryGrowth(Leaking());
  EXPECT_FALSE(grows.passed);
  EXPECT_EQ(grows.unit, SlaUnit::kBytesPerSecond);
  EXPECT_NEAR(*grows.observed, 1e6, 1);  // exact line: interval of width 0
  EXPECT_EQ(grows.actual.rfind("memory grows: +1 MB/s (interval +1 MB/s .. "
                               "+1 MB/s, tolerance +",
                               0),
            0u)
      << grows.actual;
  const SlaCheck steady = CheckNoMemoryGrowth(Flat());
  EXPECT_TRUE(steady.passed) << steady.summary;
  EXPECT_EQ(steady.actual.rfind("memory steady: ", 0), 0u);
}

TEST(ResourceSla, ExitNoteIsPartOfTheVerdict) {
  ProcessSeries p = Leaking();
  p.exited_ns = 30'000'000'000;
  p.note =
      "process 4242 (server) exited 30.000 s after the start; 30 "
      "samples kept";
  EXPECT_NE(CheckNoMemoryGrowth(p).actual.find("exited 30.000 s"),
            std::string::npos);
}

TEST(ResourceSla, BadBoundsThrow) {
  EXPECT_THROW((void)CheckPeakRssBelow(Flat(), -1), std::invalid_argument);
  EXPECT_THROW((void)CheckCpuBelow(Flat(), std::nan("")),
               std::invalid_argument);
  EXPECT_THROW((void)CheckPeakCpuBelow(Flat(), -5), std::invalid_argument);
}

TEST(ResourceSla, FormatBytesUsesDecimalUnits) {
  EXPECT_EQ(FormatBytes(950), "950 B");
  EXPECT_EQ(FormatBytes(12'345), "12.3 KB");
  EXPECT_EQ(FormatBytes(512e6), "512 MB");
  EXPECT_EQ(FormatBytes(1.5e9), "1.5 GB");
}

// --- The macros --------------------------------------------------------------

TEST(ResourceMacros, PassOnSeriesVectorAndResult) {
  const ProcessSeries p = Flat();
  EXPECT_PEAK_RSS_BELOW(p, 60'000'000);
  EXPECT_CPU_BELOW(p, 50);
  EXPECT_PEAK_CPU_BELOW(p, 50.0);
  EXPECT_NO_MEMORY_GROWTH(p);
  Result r("load");
  r.resources = {p, Flat()};
  ASSERT_PEAK_RSS_BELOW(r, 60'000'000);
  ASSERT_NO_MEMORY_GROWTH(r.resources);
}

TEST(ResourceMacros, FailureNamesProcessNumberAndLimit) {
  const ProcessSeries p = Made(4, [](int) { return 70'000'000; });
  EXPECT_NONFATAL_FAILURE(
      EXPECT_PEAK_RSS_BELOW(p, 64'000'000) << "server under load",
      "Expected: peak RSS of process 4242 (server) (p) < 64 MB "
      "(64'000'000)\n  Actual: peak RSS = 70 MB (at 0.00 s, 4 samples)\n"
      "server under load");
  EXPECT_NONFATAL_FAILURE(EXPECT_CPU_BELOW(p, 5),
                          "Expected: mean CPU of process 4242 (server) (p) "
                          "< 5.0 % of one core (5)\n  Actual: mean CPU = "
                          "10.0 %");
  EXPECT_FATAL_FAILURE(
      ASSERT_PEAK_CPU_BELOW(Made(3, [](int) { return 1; }), 9.5),
      "peak CPU = 10.0 %");
}

TEST(ResourceMacros, OnlyTheFailingProcessesAreListed) {
  Result r("load");
  r.resources = {Flat(), Leaking(30)};
  r.resources[1].pid = 99;
  EXPECT_NONFATAL_FAILURE(EXPECT_NO_MEMORY_GROWTH(r),
                          "Expected: memory growth of process 99 (server) "
                          "(r) none (slope interval");
  ::testing::TestPartResultArray failures;
  {
    ::testing::ScopedFakeTestPartResultReporter reporter(
        ::testing::ScopedFakeTestPartResultReporter::
            INTERCEPT_ONLY_CURRENT_THREAD,
        &failures);
    EXPECT_NO_MEMORY_GROWTH(r);
  }
  ASSERT_EQ(failures.size(), 1);
  EXPECT_EQ(
      std::string(failures.GetTestPartResult(0).message()).find("process 4242"),
      std::string::npos);
}

TEST(ResourceMacros, NoSeriesFails) {
  const Result r("nothing monitored");
  EXPECT_NONFATAL_FAILURE(EXPECT_CPU_BELOW(r, 80),
                          "Actual: no monitored process");
}

TEST(ResourceMacros, ArgumentsAreEvaluatedOnce) {
  int calls = 0;
  auto series = [&] {
    ++calls;
    return Flat();
  };
  EXPECT_NO_MEMORY_GROWTH(series());
  EXPECT_PEAK_RSS_BELOW(series(), 60'000'000);
  EXPECT_EQ(calls, 2);
}

}  // namespace
}  // namespace perfcheck
