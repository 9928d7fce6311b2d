// Instruction counts of Google Benchmark loops under callgrind, for real:
// callgrind_bench (BenchmarkPerfCounter around two small loops) runs under
// `valgrind --tool=callgrind` the way perfcheck_add_benchmark(... METRIC
// instructions) runs it, in separate processes, and the gate judges the
// counts. Nothing here depends on this machine's speed: the counts are exact.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "perfcheck/benchmark/compare.h"
#include "perfcheck/benchmark/json.h"
#include "perfcheck/child_process.h"

namespace perfcheck {
namespace {

namespace fs = std::filesystem;

// Set by CMake: the benchmark binaries (base work and 5% more) and valgrind
// (empty when find_program found none).
constexpr const char* kBench = CALLGRIND_BENCH;
constexpr const char* kBenchMore = CALLGRIND_BENCH_MORE;
constexpr const char* kValgrind = PERFCHECK_VALGRIND_PATH;

class CallgrindBenchmark : public ::testing::Test {
 protected:
  void SetUp() override {
    // valgrind is a dependency (scripts/install-deps.sh): without it this
    // fails, on every machine, rather than pass by skipping.
    ASSERT_FALSE(std::string(kValgrind).empty())
        << "valgrind not found: install valgrind (scripts/install-deps.sh)";
    dir_ = fs::temp_directory_path() /
           ("perfcheck-callgrind-test-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override {
    std::error_code ignored;
    if (!dir_.empty()) fs::remove_all(dir_, ignored);
  }

  // One process: `binary` under callgrind (when `valgrind`), with the
  // environment perfcheck's wrapper sets, 2 repetitions of one iteration.
  BenchmarkFile Run(const std::string& binary, const std::string& key,
                    bool valgrind = true) {
    const std::string out =
        (dir_ / ("run" + std::to_string(++runs_) + ".json")).string();
    ChildProcessOptions child;
    if (valgrind) {
      child.argv = {kValgrind, "-q", "--tool=callgrind", "--instr-atstart=no",
                    "--callgrind-out-file=" + (dir_ / "callgrind").string()};
    }
    child.argv.insert(
        child.argv.end(),
        {binary, "--benchmark_out=" + out, "--benchmark_out_format=json",
         "--benchmark_repetitions=2", "--benchmark_min_time=0.000001"});
    child.environment = {
        {"PERFCHECK_CALLGRIND_OUT", (dir_ / "callgrind").string()},
        {"PERFCHECK_COUNTS_KEY", key},
        {"LD_BIND_NOW", "1"}};
    child.stderr_path = dir_ / "stderr.txt";
    child.timeout = std::chrono::seconds(60);
    StatusOr<ChildProcessEnd> end = RunChildProcess(child);
    EXPECT_TRUE(end.ok()) << end.status().message();
    if (end.ok()) {
      EXPECT_TRUE(end->Succeeded()) << end->Describe(child.timeout) << ": "
                                    << FileTail(child.stderr_path, 400);
    }
    StatusOr<BenchmarkFile> file = ReadBenchmarkFile(out);
    EXPECT_TRUE(file.ok()) << file.status().message();
    return file.ok() ? *file : BenchmarkFile{};
  }

  static CompareOptions Instructions() {
    CompareOptions options;
    options.threshold = 0.01;
    options.metric = TimeMetric::kCounter;
    options.counter = "instructions";
    return options;
  }

  fs::path dir_;
  int runs_ = 0;
};

const std::vector<double>& Counts(const BenchmarkFile& f,
                                  const std::string& name) {
  static const std::vector<double> kNone;
  const BenchmarkSeries* s = f.Find(name);
  if (s == nullptr || s->counters.count("instructions") == 0) return kNone;
  return s->counters.at("instructions");
}

TEST_F(CallgrindBenchmark, IdenticalCodeCountsTheSameInSeparateProcesses) {
  const BenchmarkFile first = Run(kBench, "test-key");
  const BenchmarkFile second = Run(kBench, "test-key");
  EXPECT_EQ(first.context.instruction_counter, "callgrind");
  EXPECT_NE(first.context.counts_key.find("test-key"), std::string::npos)
      << first.context.counts_key;
  for (const char* name : {"BM_Hash", "BM_SortCopy"}) {
    SCOPED_TRACE(name);
    const std::vector<double>& a = Counts(first, name);
    ASSERT_EQ(a.size(), 2u);
    // The loop hashes 20000 bytes: at least a few instructions per byte.
    EXPECT_GT(a[0], 20000.0);
    EXPECT_EQ(a, Counts(second, name));  // exact, not approximately
    EXPECT_EQ(a[0], a[1]);
  }
  const ComparisonReport report =
      CompareBenchmarks(first, second, Instructions());
  ASSERT_EQ(report.rows.size(), 2u);
  for (const MetricComparisonRow& row : report.rows) {
    EXPECT_EQ(row.verdict, Verdict::kUnchanged) << row.benchmark << row.note;
    EXPECT_EQ(row.method, "exact count");
    EXPECT_EQ(row.change, 0.0);
    EXPECT_TRUE(row.note.empty()) << row.note;
  }
}

TEST_F(CallgrindBenchmark, FivePercentMoreWorkIsARegressionAtOnePercent) {
  const BenchmarkFile base = Run(kBench, "test-key");
  const BenchmarkFile head = Run(kBenchMore, "test-key");
  const ComparisonReport report = CompareBenchmarks(base, head, Instructions());
  ASSERT_EQ(report.rows.size(), 2u);
  for (const MetricComparisonRow& row : report.rows) {
    EXPECT_EQ(row.verdict, Verdict::kRegression) << row.benchmark;
    EXPECT_GT(row.change, 0.04) << row.benchmark;
    // 5% more bytes hashed is 5% more instructions, less the loop's constant
    // share. (5% more elements sorted is more than 5%: n log n, other data.)
    if (row.benchmark == "BM_Hash") {
      EXPECT_LT(row.change, 0.05);
    }
  }
  EXPECT_TRUE(report.HasRegression());
  // And the other way round: 5% less work is an improvement.
  const ComparisonReport back = CompareBenchmarks(head, base, Instructions());
  EXPECT_EQ(back.Count(Verdict::kImprovement), 2u) << back.Summary();
}

TEST_F(CallgrindBenchmark, AnotherCountsKeyIsNotComparable) {
  const BenchmarkFile base = Run(kBench, "cxxflags:aaaa");
  const BenchmarkFile head = Run(kBench, "cxxflags:bbbb");
  const ComparisonReport report = CompareBenchmarks(base, head, Instructions());
  ASSERT_EQ(report.rows.size(), 2u);
  for (const MetricComparisonRow& row : report.rows) {
    EXPECT_EQ(row.verdict, Verdict::kNotComparable) << row.benchmark;
    EXPECT_NE(row.note.find("cxxflags:aaaa"), std::string::npos) << row.note;
    EXPECT_NE(row.note.find("cxxflags:bbbb"), std::string::npos) << row.note;
  }
  ASSERT_EQ(report.counts_notes.size(), 1u);
  EXPECT_NE(report.counts_notes[0].find("instructions not judged"),
            std::string::npos);
  EXPECT_FALSE(report.HasRegression());
  EXPECT_NE(RenderTable(report, false).find("OTHER COUNTS KEY: "),
            std::string::npos);
}

TEST_F(CallgrindBenchmark, NotUnderValgrindTheCountIsAbsentAndSaysWhy) {
  const BenchmarkFile file = Run(kBench, "test-key", /*valgrind=*/false);
  ASSERT_EQ(file.benchmarks.size(), 2u);
  for (const BenchmarkSeries& s : file.benchmarks) {
    EXPECT_EQ(s.counters.count("instructions"), 0u) << s.name;
    EXPECT_NE(s.label.find("instructions unavailable: "), std::string::npos)
        << s.label;
    EXPECT_NE(s.label.find("not running under valgrind"), std::string::npos)
        << s.label;
    EXPECT_FALSE(s.cpu_ns.empty());  // timing is not affected
  }
  // Asked to count, the process says callgrind: never the PMU's numbers.
  EXPECT_EQ(file.context.instruction_counter, "callgrind");
  // The gate refuses such a file rather than judging something else.
  EXPECT_FALSE(CheckComparable(file, file, Instructions()).ok());
}

}  // namespace
}  // namespace perfcheck
