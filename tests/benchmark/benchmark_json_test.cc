#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "perfcheck/benchmark/json.h"
#include "perfcheck/testbed.h"

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

// Issue 16: hostile values in one row give an error naming the file, the
// field and the benchmark -- never a nlohmann exception (an "internal error",
// exit 4), undefined behaviour, or a silently accepted value.
struct BadRowCase {
  const char* label;
  const char* fields;    // replaces or adds to a valid row's fields
  const char* expected;  // after "x.json: field 'benchmarks[0]."
};

TEST(BenchmarkJson, BadRowValuesNameFileFieldAndBenchmark) {
  const BadRowCase cases[] = {
      {"number beyond double", R"("real_time": 1e999)",
       "real_time': number overflow"},
      {"run_type a number", R"("run_type": 5)",
       "run_type': expected a string, found number"},
      {"time_unit a number", R"("time_unit": 5)",
       "time_unit': expected a string, found number"},
      {"error_occurred a string", R"("error_occurred": "yes")",
       "error_occurred': expected true or false, found string"},
      {"error_message a number",
       R"("error_occurred": true, "error_message": 5)",
       "error_message': expected a string, found number"},
      {"aggregate_name a number", R"("aggregate_name": 5)",
       "aggregate_name': expected a string"},
      {"label an object", R"("label": {})", "label': expected a string"},
      {"repetitions 1e300", R"("repetitions": 1e300)",
       "repetitions': must be an integer in 0..2147483647, got 1e+300"},
      {"threads 1e300", R"("threads": 1e300)",
       "threads': must be an integer in 1..2147483647"},
      {"threads 0", R"("threads": 0)", "threads': must be an integer in 1.."},
      {"repetitions a fraction", R"("repetitions": 2.5)",
       "repetitions': must be an integer"},
      {"repetitions a string", R"("repetitions": "3")",
       "repetitions': expected an integer, found string"},
      {"iterations negative", R"("iterations": -5)",
       "iterations': must be an integer in 1..9223372036854775807, got -5"},
      {"iterations zero", R"("iterations": 0)",
       "iterations': must be an integer in 1.."},
      {"iterations 1e300", R"("iterations": 1e300)",
       "iterations': must be an integer in 1.."},
      {"negative cpu_time", R"("cpu_time": -1)",
       "cpu_time': must be a finite number >= 0, got -1"},
      {"negative real_time", R"("real_time": -1)",
       "real_time': must be a finite number >= 0"},
  };
  for (const BadRowCase& c : cases) {
    const std::string text =
        std::string(R"({"benchmarks": [{"name": "BM_Hostile", )") + c.fields +
        R"(, "real_time": 10, "cpu_time": 10, "iterations": 100}]})";
    // A later duplicate key would win in nlohmann; the case's own value must
    // be the one read, so put it last instead when it repeats a base field.
    const std::string doc =
        std::string(c.fields).find("_time\"") != std::string::npos ||
                std::string(c.fields).find("iterations") != std::string::npos
            ? std::string(R"({"benchmarks": [{"name": "BM_Hostile", )") +
                  R"("real_time": 10, "cpu_time": 10, "iterations": 100, )" +
                  c.fields + "}]}"
            : text;
    StatusOr<BenchmarkFile> f = ParseBenchmarkJson(doc, "x.json");
    ASSERT_FALSE(f.ok()) << c.label;
    const std::string m = f.status().message();
    EXPECT_NE(m.find(std::string("x.json: field 'benchmarks[0].") + c.expected),
              std::string::npos)
        << c.label << ": " << m;
    // An overflow fails the parse itself, before any row is read: the field
    // path alone locates it.
    if (std::string(c.expected).find("overflow") != std::string::npos) continue;
    EXPECT_NE(m.find("(benchmark 'BM_Hostile')"), std::string::npos)
        << c.label << ": " << m;
  }
}

TEST(BenchmarkJson, BaselineRecordedAtMustBeATimestamp) {
  for (const char* bad : {R"("yesterday")", "5", R"("2024-13-02T09:14:03Z")",
                          R"("2024-05-02 09:14:03")"}) {
    StatusOr<BenchmarkFile> f = ParseBenchmarkJson(
        std::string(R"({"perfcheck_baseline": {"recorded_at": )") + bad +
            R"(}, "benchmarks": [{"name": "BM_A", "real_time": 1,
                                  "cpu_time": 1}]})",
        "b.json");
    ASSERT_FALSE(f.ok()) << bad;
    EXPECT_NE(f.status().message().find(
                  "b.json: field 'perfcheck_baseline.recorded_at'"),
              std::string::npos)
        << f.status().message();
  }
  EXPECT_TRUE(ParseBenchmarkJson(
                  R"({"perfcheck_baseline": {"recorded_at":
                        "2024-05-02T09:14:03Z"},
                      "benchmarks": [{"name": "BM_A", "real_time": 1,
                                      "cpu_time": 1}]})",
                  "b.json")
                  .ok());
}

TEST(BenchmarkJson, ContextOfOddTypesDoesNotFailTheFile) {
  StatusOr<BenchmarkFile> f = ParseBenchmarkJson(
      R"({"context": {"caches": [{"type": 5, "level": "x", "size": 1e300,
                                 "num_sharing": -3}]},
          "benchmarks": [{"name": "BM_A", "real_time": 1, "cpu_time": 1}]})",
      "x.json");
  ASSERT_TRUE(f.ok()) << f.status().message();
  ASSERT_EQ(f->context.caches.size(), 1u);
  EXPECT_EQ(f->context.caches[0].rfind("L0 ?", 0), 0u) << f->context.caches[0];
}

TEST(BenchmarkJson, ValidEdgeValuesAreAccepted) {
  // A failed run may report zero iterations; integral doubles are integers.
  StatusOr<BenchmarkFile> f = ParseBenchmarkJson(
      R"({"benchmarks": [
            {"name": "BM_A", "repetitions": 3.0, "threads": 1,
             "iterations": 1, "real_time": 0, "cpu_time": 0},
            {"name": "BM_B", "error_occurred": true, "iterations": 0,
             "error_message": "skipped"}]})",
      "x.json");
  ASSERT_TRUE(f.ok()) << f.status().message();
  EXPECT_EQ(f->benchmarks[0].declared_repetitions, 3);
  EXPECT_EQ(f->benchmarks[1].failed_runs, 1);
}

// Found by fuzz/benchmark_json_fuzzer (fuzz/regressions/benchmark_json/):
// a time that is finite in its unit but not in ns was accepted as infinity.
TEST(BenchmarkJson, TimesThatOverflowInNanosecondsAreRefused) {
  StatusOr<BenchmarkFile> f = ParseBenchmarkJson(
      R"({"benchmarks": [{"name": "BM_A", "real_time": 1e300,
                          "cpu_time": 1, "time_unit": "s"}]})",
      "x.json");
  ASSERT_FALSE(f.ok());
  EXPECT_NE(f.status().message().find(
                "x.json: field 'benchmarks[0].real_time': too large: 1e+300 s "
                "overflows a double in ns"),
            std::string::npos)
      << f.status().message();
  // The same number in ns is a (silly but) finite time.
  StatusOr<BenchmarkFile> ns = ParseBenchmarkJson(
      R"({"benchmarks": [{"name": "BM_A", "real_time": 1e300,
                          "cpu_time": 1, "time_unit": "ns"}]})",
      "x.json");
  ASSERT_TRUE(ns.ok()) << ns.status().message();
  EXPECT_EQ(ns->benchmarks[0].real_ns[0], 1e300);
}

// ---- baselines holding several testbeds (WriteBenchmarkBaseline) ----------

std::string ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

class BenchmarkBaselineTestbeds : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("perfcheck_bench_testbeds_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    path_ = dir_ / "bench.json";
  }
  void TearDown() override {
    SetTestbedName("");
    std::filesystem::remove_all(dir_);
  }
  // Records fixture `run` (a file of data/) as the baseline on `testbed`.
  void Record(const std::string& testbed, const std::string& run) {
    SetTestbedName(testbed);
    const std::string text = ReadText(kDir + "/" + run);
    const Status s = WriteBenchmarkBaseline(path_, text, run);
    ASSERT_TRUE(s.ok()) << s.message();
  }
  static Fingerprint On(const std::string& testbed) {
    Fingerprint f;
    f.testbed = testbed;
    return f;
  }
  std::filesystem::path dir_;
  std::filesystem::path path_;
};

TEST_F(BenchmarkBaselineTestbeds, AnotherTestbedsRunIsKeptNotReplaced) {
  Record("laptop", "old.json");
  Record("ci", "new_regressed.json");
  StatusOr<std::vector<BenchmarkFile>> runs =
      ParseBenchmarkBaseline(ReadText(path_.string()), path_.string());
  ASSERT_TRUE(runs.ok()) << runs.status().message();
  ASSERT_EQ(runs->size(), 2u);
  EXPECT_EQ((*runs)[0].context.fingerprint.testbed, "ci");
  EXPECT_EQ((*runs)[1].context.fingerprint.testbed, "laptop");

  // Each testbed reads its own run; an unknown one gets the newest.
  const double laptop_fast =
      ReadBenchmarkBaseline(path_, On("laptop"))->Find("BM_Fast")->cpu_ns[0];
  const double ci_fast =
      ReadBenchmarkBaseline(path_, On("ci"))->Find("BM_Fast")->cpu_ns[0];
  EXPECT_EQ(laptop_fast,
            ReadBenchmarkFile(kDir + "/old.json")->Find("BM_Fast")->cpu_ns[0]);
  EXPECT_EQ(ci_fast, ReadBenchmarkFile(kDir + "/new_regressed.json")
                         ->Find("BM_Fast")
                         ->cpu_ns[0]);
  StatusOr<BenchmarkFile> other = ReadBenchmarkBaseline(path_, On("other"));
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(other->context.fingerprint.testbed, "ci");
}

TEST_F(BenchmarkBaselineTestbeds, SameTestbedIsReplacedOthersStay) {
  Record("laptop", "old.json");
  Record("ci", "old.json");
  Record("ci", "new_same.json");
  Record("laptop", "new_regressed.json");
  StatusOr<std::vector<BenchmarkFile>> runs =
      ParseBenchmarkBaseline(ReadText(path_.string()), path_.string());
  ASSERT_TRUE(runs.ok()) << runs.status().message();
  ASSERT_EQ(runs->size(), 2u);
  EXPECT_EQ((*runs)[0].context.fingerprint.testbed, "laptop");
  EXPECT_EQ((*runs)[1].context.fingerprint.testbed, "ci");
  EXPECT_EQ(
      ReadBenchmarkBaseline(path_, On("ci"))->Find("BM_Fast")->cpu_ns[0],
      ReadBenchmarkFile(kDir + "/new_same.json")->Find("BM_Fast")->cpu_ns[0]);
}

TEST_F(BenchmarkBaselineTestbeds, MalformedOtherTestbedsFailsAndKeepsTheFile) {
  Record("laptop", "old.json");
  std::string text = ReadText(path_.string());
  const std::string key = "\"perfcheck_baseline\": {";
  const std::size_t at = text.find(key);
  ASSERT_NE(at, std::string::npos);
  text.insert(at + key.size(), "\"other_testbeds\": 7, ");
  {
    std::ofstream out(path_, std::ios::binary | std::ios::trunc);
    out << text;
  }
  StatusOr<std::vector<BenchmarkFile>> runs =
      ParseBenchmarkBaseline(text, path_.string());
  ASSERT_FALSE(runs.ok());
  EXPECT_NE(
      runs.status().message().find("field 'perfcheck_baseline.other_testbeds'"),
      std::string::npos)
      << runs.status().message();
  SetTestbedName("ci");
  const Status s = WriteBenchmarkBaseline(
      path_, ReadText(kDir + "/new_same.json"), "new_same.json");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(ReadText(path_.string()), text) << "a failed update changed it";
}

}  // namespace
}  // namespace perfcheck
