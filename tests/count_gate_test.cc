// The gate on counts per operation (instructions, allocations): exact values,
// judged at 1% against runs of the same counts key, across testbeds.
#include <gtest/gtest.h>

#include <limits>
#include <string>

#include "perfcheck/baseline.h"
#include "perfcheck/format.h"
#include "perfcheck/regression.h"
#include "perfcheck/result.h"

namespace perfcheck {
namespace {

constexpr char kKey[] = "x86_64 GCC 12.2.0 Release glibc-2.36";

// A run with enough samples for time to be judged, on testbed `testbed`.
Result MakeResult(double instructions, double allocations,
                  const std::string& key = kKey,
                  const std::string& testbed = "ci") {
  Result r("op");
  for (int i = 0; i < 100; ++i) r.latency.Record(1'000'000);
  r.elapsed_ns = 100'000'000;
  r.fingerprint.testbed = testbed;
  r.counts.instructions = instructions;
  r.counts.allocations = allocations;
  r.counts.allocated_bytes = allocations * 32;
  r.counts.operations = 10;
  r.counts.key = key;
  return r;
}

BaselineEntry EntryOf(std::initializer_list<Result> runs) {
  BaselineEntry entry;
  entry.name = "op";
  for (const Result& r : runs) entry.runs.push_back(MakeBaselineRun(r));
  return entry;
}

const MetricComparison* Row(const RegressionReport& report, Metric m) {
  for (const MetricComparison& c : report.metrics) {
    if (c.metric == m) return &c;
  }
  return nullptr;
}

TEST(CountGate, IdenticalCountsAreUnchanged) {
  const BaselineEntry entry = EntryOf({MakeResult(1'000'000, 3)});
  const RegressionReport report =
      CompareToBaseline(entry, MakeResult(1'000'000, 3));
  ASSERT_NE(Row(report, Metric::kInstructions), nullptr);
  EXPECT_EQ(Row(report, Metric::kInstructions)->verdict, Verdict::kUnchanged);
  EXPECT_EQ(Row(report, Metric::kAllocations)->verdict, Verdict::kUnchanged);
  EXPECT_EQ(Row(report, Metric::kAllocatedBytes)->verdict, Verdict::kUnchanged);
  EXPECT_FALSE(report.HasRegression());
  EXPECT_TRUE(report.CountsJudged());
}

TEST(CountGate, OnePercentIsTheDefaultLine) {
  const BaselineEntry entry = EntryOf({MakeResult(1'000'000, 3)});
  // +0.9%: within; +1.1%: a regression; -1.1%: an improvement.
  EXPECT_EQ(Row(CompareToBaseline(entry, MakeResult(1'009'000, 3)),
                Metric::kInstructions)
                ->verdict,
            Verdict::kUnchanged);
  const RegressionReport worse =
      CompareToBaseline(entry, MakeResult(1'011'000, 3));
  EXPECT_EQ(Row(worse, Metric::kInstructions)->verdict, Verdict::kRegression);
  EXPECT_NEAR(Row(worse, Metric::kInstructions)->change, 0.011, 1e-12);
  EXPECT_TRUE(worse.HasRegression());
  EXPECT_EQ(Row(CompareToBaseline(entry, MakeResult(989'000, 3)),
                Metric::kInstructions)
                ->verdict,
            Verdict::kImprovement);
}

TEST(CountGate, ToleranceFromOptionsAndFromTheEntry) {
  BaselineEntry entry = EntryOf({MakeResult(1'000'000, 3)});
  GateOptions options;
  options.count_tolerance = 0.05;
  EXPECT_EQ(Row(CompareToBaseline(entry, MakeResult(1'040'000, 3), options),
                Metric::kInstructions)
                ->verdict,
            Verdict::kUnchanged);
  entry.tolerances[Metric::kInstructions] = 0.02;
  EXPECT_EQ(Row(CompareToBaseline(entry, MakeResult(1'030'000, 3), options),
                Metric::kInstructions)
                ->verdict,
            Verdict::kRegression);
}

TEST(CountGate, FromZeroAllocationsAnyAllocationIsARegression) {
  const BaselineEntry entry = EntryOf({MakeResult(1000, 0)});
  const RegressionReport report =
      CompareToBaseline(entry, MakeResult(1000, 0.1));
  EXPECT_EQ(Row(report, Metric::kAllocations)->verdict, Verdict::kRegression);
  EXPECT_TRUE(report.HasRegression());
}

TEST(CountGate, RecordedSpreadIsTheBand) {
  // Two builds' worth of runs of one key that differ by 3%: a new run inside
  // the band is unchanged even though it is 3% above the smallest.
  const BaselineEntry entry =
      EntryOf({MakeResult(1'000'000, 3), MakeResult(1'030'000, 3)});
  const RegressionReport report =
      CompareToBaseline(entry, MakeResult(1'030'000, 3));
  EXPECT_EQ(Row(report, Metric::kInstructions)->verdict, Verdict::kUnchanged);
  EXPECT_DOUBLE_EQ(Row(report, Metric::kInstructions)->band_low, 1'000'000);
  EXPECT_DOUBLE_EQ(Row(report, Metric::kInstructions)->band_high, 1'030'000);
}

TEST(CountGate, CountsAreJudgedAcrossTestbeds) {
  // Time recorded on a laptop says nothing about CI; counts of the same
  // build do.
  const BaselineEntry entry =
      EntryOf({MakeResult(1'000'000, 3, kKey, "laptop")});
  const RegressionReport report =
      CompareToBaseline(entry, MakeResult(1'100'000, 3, kKey, "ci"));
  EXPECT_FALSE(report.TimeJudged());
  EXPECT_EQ(Row(report, Metric::kP95)->verdict, Verdict::kNotComparable);
  EXPECT_EQ(Row(report, Metric::kInstructions)->verdict, Verdict::kRegression);
  EXPECT_TRUE(report.HasRegression());
}

TEST(CountGate, AnotherKeyIsNotComparableAndSaysWhy) {
  const BaselineEntry entry =
      EntryOf({MakeResult(1'000'000, 3, "x86_64 Clang 14.0.6 Release")});
  const RegressionReport report =
      CompareToBaseline(entry, MakeResult(2'000'000, 9));
  EXPECT_EQ(Row(report, Metric::kInstructions)->verdict,
            Verdict::kNotComparable);
  EXPECT_EQ(Row(report, Metric::kAllocations)->verdict,
            Verdict::kNotComparable);
  EXPECT_FALSE(report.HasRegression());
  EXPECT_FALSE(report.CountsJudged());
  EXPECT_EQ(
      report.CountsNote(),
      "counts not judged: the baseline's counts were made by another "
      "build or machine ('x86_64 Clang 14.0.6 Release'), this run's by '" +
          std::string(kKey) + "'");
  EXPECT_NE(report.Describe().find(report.CountsNote()), std::string::npos);
}

TEST(CountGate, ABaselineWithoutCountsShowsNoCountRow) {
  Result old = MakeResult(0, 0);
  old.counts = {};
  const RegressionReport report =
      CompareToBaseline(EntryOf({old}), MakeResult(1'000'000, 3));
  EXPECT_EQ(Row(report, Metric::kInstructions), nullptr);
  EXPECT_EQ(Row(report, Metric::kAllocations), nullptr);
  EXPECT_TRUE(report.CountsNote().empty());
  EXPECT_TRUE(report.TimeJudged());
}

TEST(CountGate, InstructionRunsLeaveTimeOut) {
  const BaselineEntry entry = EntryOf({MakeResult(1'000'000, 3)});
  GateOptions options;
  options.judge_time = false;
  // Valgrind's times are 50x the machine's; they must not even be shown.
  Result valgrind_run = MakeResult(1'000'000, 3);
  valgrind_run.latency = LatencyHistogram();
  for (int i = 0; i < 100; ++i) valgrind_run.latency.Record(50'000'000);
  const RegressionReport report =
      CompareToBaseline(entry, valgrind_run, options);
  EXPECT_TRUE(report.time_skipped);
  EXPECT_EQ(Row(report, Metric::kP95), nullptr);
  EXPECT_EQ(Row(report, Metric::kThroughput), nullptr);
  EXPECT_NE(Row(report, Metric::kErrorRate), nullptr);
  EXPECT_FALSE(report.HasRegression());
  EXPECT_TRUE(report.Judged());
  EXPECT_TRUE(report.TestbedNote().empty());
  EXPECT_NE(report.Describe().find(
                "time not judged: instruction-count run under Valgrind"),
            std::string::npos);
}

TEST(CountGate, DescribeShowsEveryDigitOfACount) {
  const BaselineEntry entry = EntryOf({MakeResult(12'787'040, 3)});
  const std::string text =
      CompareToBaseline(entry, MakeResult(12'915'000, 3)).Describe();
  EXPECT_NE(text.find("12,787,040"), std::string::npos) << text;
  EXPECT_NE(text.find("12,915,000"), std::string::npos) << text;
  EXPECT_NE(text.find("+1.00%"), std::string::npos) << text;
  EXPECT_NE(text.find("96 B"), std::string::npos) << text;
}

TEST(CountGate, BaselineFilesKeepCountsAndKey) {
  BaselineFile file;
  file.test_id = "Suite.Test";
  file.entries["op"] = EntryOf({MakeResult(1'234'567.5, 2.5)});
  file.entries["op"].tolerances[Metric::kInstructions] = 0.005;
  const std::string text = BaselineFileToJson(file);
  const StatusOr<BaselineFile> back = BaselineFileFromJson(text, "f.json");
  ASSERT_TRUE(back.ok()) << back.status().message();
  const BaselineRun& run = back->entries.at("op").runs.at(0);
  EXPECT_EQ(run.counts, file.entries["op"].runs[0].counts);
  EXPECT_DOUBLE_EQ(back->entries.at("op").tolerances.at(Metric::kInstructions),
                   0.005);
}

TEST(CountGate, BadCountsInABaselineNameFileAndField) {
  BaselineFile file;
  file.test_id = "Suite.Test";
  file.entries["op"] = EntryOf({MakeResult(1000, 1)});
  std::string text = BaselineFileToJson(file);
  const std::string good = "\"instructions\": 1000.0";
  const std::size_t at = text.find(good);
  ASSERT_NE(at, std::string::npos) << text;
  text.replace(at, good.size(), "\"instructions\": -5");
  const StatusOr<BaselineFile> bad = BaselineFileFromJson(text, "f.json");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("f.json"), std::string::npos);
  EXPECT_NE(bad.status().message().find("counts.instructions"),
            std::string::npos)
      << bad.status().message();
}

TEST(CountGate, FormatCount) {
  EXPECT_EQ(FormatCount(12'787'040), "12,787,040");
  EXPECT_EQ(FormatCount(999), "999");
  EXPECT_EQ(FormatCount(1000), "1,000");
  EXPECT_EQ(FormatCount(2.5), "2.5");
  EXPECT_EQ(FormatCount(0), "0");
  EXPECT_EQ(FormatCount(1234567.6), "1,234,568");
  EXPECT_EQ(FormatCount(std::numeric_limits<double>::infinity()), "inf");
}

}  // namespace
}  // namespace perfcheck
