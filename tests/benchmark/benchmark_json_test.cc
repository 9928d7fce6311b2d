#include "perfcheck/benchmark_json.h"

#include <gtest/gtest.h>

#include <string>

namespace perfcheck {
namespace {

const std::string kDir = PERFCHECK_BENCH_FIXTURES;

TEST(BenchmarkJson, ReadsRepetitionsAggregatesAndContext) {
  StatusOr<BenchmarkFile> f = ReadBenchmarkFile(kDir + "/old.json");
  ASSERT_TRUE(f.ok()) << f.status().message();
  ASSERT_EQ(f->benchmarks.size(), 4u);
  const BenchmarkSeries* fast = f->Find("BM_Fast");
  ASSERT_NE(fast, nullptr);
  EXPECT_EQ(fast->cpu_ns.size(), 10u);
  EXPECT_EQ(fast->real_ns.size(), 10u);
  EXPECT_EQ(fast->declared_repetitions, 10);
  EXPECT_NEAR(fast->cpu_ns[0], 100.0, 2.0);
  ASSERT_EQ(fast->aggregates.count("median"), 1u);
  EXPECT_TRUE(fast->aggregates.at("mean").is_time);
  EXPECT_FALSE(fast->aggregates.at("cv").is_time);
  EXPECT_EQ(f->context.num_cpus, 2);
  EXPECT_EQ(f->context.fingerprint.cores, 2);
  EXPECT_EQ(f->context.fingerprint.build_type, "release");
  EXPECT_NE(f->context.fingerprint.cpu_model.find("2400 MHz"),
            std::string::npos);
  // The host name is hashed, never copied into the fingerprint.
  EXPECT_FALSE(f->context.fingerprint.hostname_hash.empty());
  EXPECT_EQ(f->context.fingerprint.cpu_model.find("ci-runner"),
            std::string::npos);
}

TEST(BenchmarkJson, ConvertsTimeUnitsToNanoseconds) {
  StatusOr<BenchmarkFile> f = ReadBenchmarkFile(kDir + "/new_regressed.json");
  ASSERT_TRUE(f.ok()) << f.status().message();
  const BenchmarkSeries* slow = f->Find("BM_Slow");
  ASSERT_NE(slow, nullptr);
  EXPECT_EQ(slow->time_unit, "us");
  EXPECT_NEAR(slow->cpu_ns[0], 1250.0, 20.0);
  EXPECT_NEAR(slow->aggregates.at("median").cpu_time, 1250.0, 20.0);
  EXPECT_EQ(NanosPerTimeUnit("ms"), 1e6);
  EXPECT_FALSE(NanosPerTimeUnit("fortnights").has_value());
}

TEST(BenchmarkJson, AggregatesOnlyFile) {
  StatusOr<BenchmarkFile> f = ReadBenchmarkFile(kDir + "/agg_old.json");
  ASSERT_TRUE(f.ok()) << f.status().message();
  ASSERT_EQ(f->benchmarks.size(), 1u);
  EXPECT_TRUE(f->benchmarks[0].cpu_ns.empty());
  EXPECT_EQ(f->benchmarks[0].declared_repetitions, 10);
  EXPECT_EQ(f->benchmarks[0].aggregates.size(), 4u);
}

TEST(BenchmarkJson, ErrorRunsAreCountedNotTimed) {
  StatusOr<BenchmarkFile> f = ReadBenchmarkFile(kDir + "/new_errors.json");
  ASSERT_TRUE(f.ok()) << f.status().message();
  const BenchmarkSeries* fast = f->Find("BM_Fast");
  ASSERT_NE(fast, nullptr);
  EXPECT_EQ(fast->cpu_ns.size(), 8u);
  EXPECT_EQ(fast->failed_runs, 2);
  ASSERT_EQ(fast->error_messages.size(), 1u);
  EXPECT_EQ(fast->error_messages[0], "socket closed");
  const BenchmarkSeries* slow = f->Find("BM_Slow");
  ASSERT_NE(slow, nullptr);
  EXPECT_TRUE(slow->cpu_ns.empty());
  EXPECT_EQ(slow->failed_runs, 3);
}

TEST(BenchmarkJson, OldFilesWithoutRunNameGroupByStrippedName) {
  const char* text = R"({"benchmarks": [
    {"name": "BM_A", "iterations": 10, "real_time": 5, "cpu_time": 4, "time_unit": "ms"},
    {"name": "BM_A_mean", "aggregate_name": "mean", "run_type": "aggregate",
     "iterations": 1, "real_time": 5, "cpu_time": 4, "time_unit": "ms"},
    {"name": "BM_A_BigO", "aggregate_name": "BigO", "run_type": "aggregate",
     "cpu_coefficient": 1.0, "real_coefficient": 1.0, "big_o": "N"}]})";
  StatusOr<BenchmarkFile> f = ParseBenchmarkJson(text, "legacy.json");
  ASSERT_TRUE(f.ok()) << f.status().message();
  ASSERT_EQ(f->benchmarks.size(), 1u);
  EXPECT_EQ(f->benchmarks[0].name, "BM_A");
  EXPECT_DOUBLE_EQ(f->benchmarks[0].cpu_ns[0], 4e6);
  EXPECT_EQ(f->benchmarks[0].aggregates.count("mean"), 1u);
}

TEST(BenchmarkJson, MalformedInputsNameFileAndProblem) {
  StatusOr<BenchmarkFile> t = ReadBenchmarkFile(kDir + "/truncated.json");
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.status().message().find("truncated.json"), std::string::npos);
  EXPECT_NE(t.status().message().find("not valid JSON"), std::string::npos);

  StatusOr<BenchmarkFile> n = ReadBenchmarkFile(kDir + "/not_benchmark.json");
  ASSERT_FALSE(n.ok());
  EXPECT_NE(n.status().message().find("not_benchmark.json"), std::string::npos);
  EXPECT_NE(n.status().message().find("no 'benchmarks' array"),
            std::string::npos);

  StatusOr<BenchmarkFile> u = ReadBenchmarkFile(kDir + "/bad_unit.json");
  ASSERT_FALSE(u.ok());
  EXPECT_NE(u.status().message().find("benchmarks[1].time_unit"),
            std::string::npos);
  EXPECT_NE(u.status().message().find("fortnights"), std::string::npos);

  StatusOr<BenchmarkFile> missing = ReadBenchmarkFile(kDir + "/nope.json");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("nope.json"), std::string::npos);

  StatusOr<BenchmarkFile> schema =
      ParseBenchmarkJson(R"({"schema": "perfcheck.result/v1"})", "r.json");
  ASSERT_FALSE(schema.ok());
  EXPECT_NE(schema.status().message().find("perfcheck.result/v1"),
            std::string::npos);

  StatusOr<BenchmarkFile> no_time = ParseBenchmarkJson(
      R"({"benchmarks": [{"name": "BM_X", "real_time": "fast", "cpu_time": 1}]})",
      "x.json");
  ASSERT_FALSE(no_time.ok());
  EXPECT_NE(no_time.status().message().find(
                "x.json: field 'benchmarks[0].real_time'"),
            std::string::npos)
      << no_time.status().message();

  EXPECT_FALSE(ParseBenchmarkJson("", "empty.json").ok());
  EXPECT_FALSE(ParseBenchmarkJson("[1,2]", "arr.json").ok());
  EXPECT_TRUE(LooksLikeBenchmarkJson(R"({"benchmarks": []})"));
  EXPECT_FALSE(LooksLikeBenchmarkJson(R"({"benchmarks": )"));
}

}  // namespace
}  // namespace perfcheck
