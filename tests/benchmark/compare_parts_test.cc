// compare.h is split into parts a caller can include alone (comparison.h,
// compare_benchmarks.h, compare_files.h, render.h); each part's .cc file
// includes it first, so each stands alone. This file includes two of them
// and nothing else of the gate, and compare.h still includes every part.
#include <gtest/gtest.h>

#include <cmath>

#include "perfcheck/benchmark/comparison.h"
#include "perfcheck/benchmark/render.h"

namespace perfcheck {
namespace {

TEST(BenchmarkCompareParts, ReportValuesAndRenderersWithoutTheComparisons) {
  MetricComparisonRow row;
  row.benchmark = "BM_Parse";
  row.metric = "cpu_time";
  row.old_value = 100;
  row.new_value = 112;
  row.change = 0.12;
  row.change_low = 0.10;
  row.change_high = 0.14;
  row.verdict = BenchmarkVerdict::kRegression;
  EXPECT_EQ(RenderChange(row).rfind("+12.0%", 0), 0u) << RenderChange(row);
  ComparisonReport report;
  report.rows.push_back(row);
  EXPECT_TRUE(report.HasRegression());
  EXPECT_NE(RenderMarkdown(report).find("BM_Parse"), std::string::npos);
}

}  // namespace
}  // namespace perfcheck
