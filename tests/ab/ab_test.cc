// Tests of perfcheck::ab: the test list parser, the judgement of rounds on
// crafted results, the planned looks, and RunAb end to end on a fixture perf
// binary whose results are synthetic (ab_fixture_perf_test.cc), so no verdict
// here depends on this machine's speed.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "perfcheck/ab/gtest_binary.h"
#include "perfcheck/ab/render.h"
#include "perfcheck/ab/rounds.h"
#include "perfcheck/ab/run.h"
#include "perfcheck/change_rule.h"
#include "perfcheck/child_process.h"

namespace perfcheck::ab {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

// ------------------------------------------------------------ test list ----

TEST(ParseTestList, SuitesTestsAndParameters) {
  const std::string out =
      "Running main() from gtest_main.cc\n"
      "OrderSearch.\n"
      "  KeyAccountDashboard\n"
      "  StatusList\n"
      "Sizes/Pages.  # TypeParam = int\n"
      "  Load/0  # GetParam() = 10\n"
      "  Load/1  # GetParam() = 100\n"
      "Misc.\n"
      "  DISABLED_Slow\n"
      "DISABLED_Suite.\n"
      "  Anything\n";
  EXPECT_EQ(ParseTestList(out),
            (std::vector<std::string>{
                "OrderSearch.KeyAccountDashboard", "OrderSearch.StatusList",
                "Sizes/Pages.Load/0", "Sizes/Pages.Load/1"}));
  EXPECT_EQ(ParseTestList(out, /*with_disabled=*/true).size(), 6u);
}

TEST(ParseTestList, NothingThatLooksLikeAListGivesNothing) {
  EXPECT_TRUE(ParseTestList("").empty());
  EXPECT_TRUE(ParseTestList("usage: tool [options]\n  --help\n").empty());
  EXPECT_TRUE(ParseTestList("  Orphan\n").empty());
}

TEST(LookRounds, FirstLookThenEveryHalfUpToTheMaximum) {
  EXPECT_EQ(LookRounds(10, 20), (std::vector<int>{10, 15, 20}));
  EXPECT_EQ(LookRounds(10, 10), (std::vector<int>{10}));
  EXPECT_EQ(LookRounds(8, 12), (std::vector<int>{8, 12}));
  EXPECT_EQ(LookRounds(1, 3), (std::vector<int>{1, 2, 3}));
  EXPECT_EQ(LookRounds(10, 22), (std::vector<int>{10, 15, 20, 22}));
}

// ---------------------------------------------------------- change rule ----

TEST(ChangeRule, PairedNeedsHalfTheThresholdTwoRunsAllOfIt) {
  const double t = std::log1p(0.10);
  const Shift seven{std::log(1.07), std::log(1.04), std::log(1.11), 0.001};
  EXPECT_EQ(JudgeShift(seven, t, Evidence::kPairedRounds),
            Verdict::kRegression);
  EXPECT_EQ(JudgeShift(seven, t, Evidence::kTwoRuns), Verdict::kUnchanged);
  const Shift wide{0.0, -0.3, 0.3, 0.9};
  EXPECT_EQ(JudgeShift(wide, t, Evidence::kPairedRounds), Verdict::kNoisy);
  const Shift better{-0.2, -0.25, -0.15, 0.001};
  EXPECT_EQ(JudgeShift(better, t, Evidence::kPairedRounds),
            Verdict::kImprovement);
}

TEST(ChangeRule, TooFewRoundsIsInsufficientData) {
  const std::vector<double> three = {0.5, 0.5, 0.5};
  const PairedJudgement j = JudgePairedRounds(three, std::log1p(0.1), 0.99, 1);
  EXPECT_EQ(j.verdict, Verdict::kInsufficientData);
  EXPECT_NE(j.note.find("too few rounds"), std::string::npos);
  EXPECT_EQ(JudgePairedRounds({}, 0.1, 0.99, 1).verdict,
            Verdict::kInsufficientData);
}

// ------------------------------------------------------------ judgement ----

// A completed run with one result: `n` latencies around `ns` (spread 1%),
// `errors` failures, elapsed n * ns.
TestRun CompletedRun(double ns, int errors = 0, const std::string& name = "op",
                     int n = 100) {
  TestRun run;
  run.completed = true;
  Result r(name);
  for (int i = 0; i < n; ++i) {
    r.latency.Record(static_cast<Nanos>(ns * (1 + 0.0001 * (i % 100))));
  }
  for (int i = 0; i < errors; ++i) r.AddError("e", "failed");
  r.elapsed_ns = static_cast<Nanos>(ns * n);
  run.results.push_back(std::move(r));
  return run;
}

TestRun Broken(const std::string& problem) {
  TestRun run;
  run.problem = problem;
  return run;
}

// Rounds whose base is `base_ns` and head `base_ns * factor`, with a
// round-to-round drift of a few percent shared by both sides (the machine's
// slow phases, which the pairing cancels).
TestRounds Rounds(int n, double factor, int base_errors = 0,
                  int head_errors = 0) {
  TestRounds t;
  t.test = "Suite.Test";
  for (int i = 0; i < n; ++i) {
    const double drift = 1 + 0.03 * ((i * 7) % 5);
    const double wobble = 1 + 0.002 * ((i * 3) % 4);  // not exactly paired
    t.rounds.push_back(
        {CompletedRun(1e6 * drift, base_errors),
         CompletedRun(1e6 * drift * factor * wobble, head_errors)});
  }
  return t;
}

const MetricComparisonRow& RowOf(const std::vector<MetricComparisonRow>& rows,
                                 const std::string& metric) {
  for (const MetricComparisonRow& r : rows) {
    if (r.metric == metric) return r;
  }
  ADD_FAILURE() << "no row " << metric;
  return rows.front();
}

TEST(JudgeTest, SameCodeIsUnchangedInEveryMetric) {
  const auto rows = JudgeTest(Rounds(10, 1.0), JudgeOptions{});
  ASSERT_EQ(rows.size(), 6u);
  for (const MetricComparisonRow& r : rows) {
    EXPECT_EQ(r.verdict, Verdict::kUnchanged) << r.metric << " " << r.note;
    EXPECT_EQ(r.benchmark, "Suite.Test/op");
    EXPECT_EQ(r.old_n, 10u);
  }
  EXPECT_TRUE(Settled(rows));
  EXPECT_EQ(TestVerdict(rows), Verdict::kUnchanged);
}

TEST(JudgeTest, SlowerHeadRegressesLatencyAndThroughput) {
  const auto rows = JudgeTest(Rounds(10, 1.25), JudgeOptions{});
  for (const char* m : {"p50", "p95", "p99", "mean"}) {
    const MetricComparisonRow& r = RowOf(rows, m);
    EXPECT_EQ(r.verdict, Verdict::kRegression) << m;
    EXPECT_NEAR(r.change, 0.25, 0.01) << m;
    EXPECT_GT(r.change_low, 0) << m;
  }
  const MetricComparisonRow& tput = RowOf(rows, "throughput");
  EXPECT_TRUE(tput.is_rate);
  EXPECT_EQ(tput.verdict, Verdict::kRegression);
  EXPECT_NEAR(tput.change, 1 / 1.25 - 1, 0.01);  // reported as new/old - 1
  EXPECT_LT(tput.change_high, 0);
  EXPECT_EQ(RowOf(rows, "error_rate").verdict, Verdict::kUnchanged);
  EXPECT_EQ(TestVerdict(rows), Verdict::kRegression);
}

TEST(JudgeTest, FasterHeadIsAnImprovement) {
  const auto rows = JudgeTest(Rounds(10, 0.7), JudgeOptions{});
  EXPECT_EQ(RowOf(rows, "p50").verdict, Verdict::kImprovement);
  EXPECT_EQ(RowOf(rows, "throughput").verdict, Verdict::kImprovement);
  EXPECT_EQ(TestVerdict(rows), Verdict::kImprovement);
}

TEST(JudgeTest, ChangeBelowTheThresholdIsUnchanged) {
  const auto rows = JudgeTest(Rounds(10, 1.03), JudgeOptions{});
  EXPECT_EQ(RowOf(rows, "p50").verdict, Verdict::kUnchanged);
  JudgeOptions tight;
  tight.threshold = 0.02;
  EXPECT_EQ(RowOf(JudgeTest(Rounds(10, 1.03), tight), "p50").verdict,
            Verdict::kRegression);
}

// Issue 16: the A/B gate shares CompareOptions::ThresholdFor, so an
// overlong row name is refused there too instead of overflowing the stack.
TEST(JudgeTest, OverlongRowNamesAreRefused) {
  JudgeOptions o;
  o.thresholds = {{"Suite\\..*", 0.5}};
  EXPECT_THROW(o.ThresholdFor("Suite." + std::string(50000, 'x') + "/op"),
               std::invalid_argument);
  EXPECT_EQ(o.ThresholdFor("Suite.Test/op"), 0.5);
}

TEST(JudgeTest, PerRowThresholdOverrides) {
  JudgeOptions o;
  o.thresholds = {{"^Other/", 0.01}, {"Suite\\.Test/op", 0.5}};
  EXPECT_EQ(o.ThresholdFor("Suite.Test/op"), 0.5);
  EXPECT_EQ(o.ThresholdFor("Else/op"), 0.10);
  const auto rows = JudgeTest(Rounds(10, 1.25), o);
  EXPECT_EQ(RowOf(rows, "p50").verdict, Verdict::kUnchanged);
  EXPECT_EQ(RowOf(rows, "p50").threshold, 0.5);
  EXPECT_EQ(RowOf(rows, "error_rate").threshold, 0.01);
  o.thresholds = {{"(", 0.2}};
  EXPECT_THROW(o.Validate(), std::invalid_argument);
}

TEST(JudgeTest, ErrorRateIsJudgedAsADifferenceInPoints) {
  // 100 successes and 5 failures per run: +4.8 points, above 1 point.
  const auto rows = JudgeTest(Rounds(10, 1.0, 0, 5), JudgeOptions{});
  const MetricComparisonRow& e = RowOf(rows, "error_rate");
  EXPECT_TRUE(e.is_fraction);
  EXPECT_EQ(e.verdict, Verdict::kRegression);
  EXPECT_NEAR(e.change, 5.0 / 105, 1e-9);
  EXPECT_EQ(RowOf(rows, "p50").verdict, Verdict::kUnchanged);
}

TEST(JudgeTest, FewerRoundsThanTheMinimumIsInsufficientData) {
  JudgeOptions o;
  o.min_rounds = 5;
  const auto rows = JudgeTest(Rounds(4, 1.5), o);
  EXPECT_EQ(RowOf(rows, "p50").verdict, Verdict::kInsufficientData);
  EXPECT_FALSE(Settled(rows));
}

TEST(JudgeTest, RoundsWithABrokenSideAreSkippedAndCounted) {
  TestRounds t = Rounds(12, 1.0);
  t.rounds[3].head = Broken("killed by signal 11 (Segmentation fault)");
  t.rounds[7].base = Broken("exited with status 2");
  const auto rows = JudgeTest(t, JudgeOptions{});
  EXPECT_EQ(RowOf(rows, "p50").old_n, 10u);
  EXPECT_NE(rows.front().note.find("head: 1 of 12 runs did not complete "
                                   "(killed by signal 11"),
            std::string::npos)
      << rows.front().note;
  EXPECT_NE(rows.front().note.find("base: 1 of 12"), std::string::npos);
}

TEST(JudgeTest, HeadThatNeverCompletesIsAnError) {
  TestRounds t = Rounds(3, 1.0);
  for (Round& r : t.rounds) r.head = Broken("killed after the timeout of 5 s");
  const auto rows = JudgeTest(t, JudgeOptions{});
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].verdict, Verdict::kError);
  EXPECT_EQ(rows[0].benchmark, "Suite.Test");
  EXPECT_NE(rows[0].note.find("timeout"), std::string::npos);
  EXPECT_EQ(TestVerdict(rows), Verdict::kError);

  for (Round& r : t.rounds) r.base = Broken("exited with status 3");
  EXPECT_EQ(JudgeTest(t, JudgeOptions{})[0].verdict,
            Verdict::kInsufficientData);
}

TEST(JudgeTest, ResultsOnOneSideOnlyAreMissingOrNew) {
  TestRounds t;
  t.test = "Suite.Test";
  for (int i = 0; i < 10; ++i) {
    TestRun base = CompletedRun(1e6, 0, "kept");
    base.results.push_back(CompletedRun(1e6, 0, "dropped").results[0]);
    TestRun head = CompletedRun(1e6, 0, "kept");
    head.results.push_back(CompletedRun(1e6, 0, "added").results[0]);
    t.rounds.push_back({base, head});
  }
  const auto rows = JudgeTest(t, JudgeOptions{});
  ASSERT_EQ(rows.size(), 6u + 2u);
  int missing = 0, added = 0;
  for (const auto& r : rows) {
    missing += r.verdict == Verdict::kMissingInNew &&
               r.benchmark == "Suite.Test/dropped";
    added += r.verdict == Verdict::kNew && r.benchmark == "Suite.Test/added";
  }
  EXPECT_EQ(missing, 1);
  EXPECT_EQ(added, 1);
}

TEST(JudgeTest, TestAssertionFailuresAreNotedNotJudged) {
  TestRounds t = Rounds(10, 1.0);
  for (int i = 0; i < 4; ++i) t.rounds[i].head.test_failed = true;
  const auto rows = JudgeTest(t, JudgeOptions{});
  EXPECT_EQ(TestVerdict(rows), Verdict::kUnchanged);
  EXPECT_NE(rows.front().note.find("head: the test's own assertions failed in "
                                   "4 of 10 runs"),
            std::string::npos)
      << rows.front().note;
}

TEST(JudgeOptions, BadValuesThrow) {
  JudgeOptions o;
  o.threshold = 0;
  EXPECT_THROW(o.Validate(), std::invalid_argument);
  o = {};
  o.confidence = 1;
  EXPECT_THROW(o.Validate(), std::invalid_argument);
  o = {};
  o.error_rate_threshold = 2;
  EXPECT_THROW(o.Validate(), std::invalid_argument);
}

// -------------------------------------------------------- child process ----

class TempDirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("perfcheck-ab-test-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // An executable shell script in the temp directory.
  std::string Script(const std::string& name, const std::string& body) {
    const fs::path p = dir_ / name;
    std::ofstream(p) << "#!/bin/sh\n" << body << "\n";
    fs::permissions(p, fs::perms::owner_all);
    return p.string();
  }
  std::string Slurp(const fs::path& p) {
    std::ifstream in(p);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

  fs::path dir_;
};

using ChildProcessTest = TempDirTest;

TEST_F(ChildProcessTest, ExitStatusOutputAndEnvironment) {
  ChildProcessOptions o;
  o.argv = {Script("s.sh", "echo \"$AB_VAR\"; echo oops >&2; exit 3")};
  o.environment = {{"AB_VAR", "hello"}};
  o.stdout_path = dir_ / "out";
  o.stderr_path = dir_ / "err";
  StatusOr<ChildProcessEnd> end = RunChildProcess(o);
  ASSERT_TRUE(end.ok()) << end.status().message();
  EXPECT_EQ(end->how, ChildProcessEnd::How::kExited);
  EXPECT_EQ(end->exit_code, 3);
  EXPECT_FALSE(end->Succeeded());
  EXPECT_EQ(end->Describe(o.timeout), "exited with status 3");
  EXPECT_EQ(Slurp(dir_ / "out"), "hello\n");
  EXPECT_EQ(FileTail(dir_ / "err", 100), "oops");
}

TEST_F(ChildProcessTest, SignalIsReportedByName) {
  ChildProcessOptions o;
  o.argv = {Script("s.sh", "kill -SEGV $$")};
  StatusOr<ChildProcessEnd> end = RunChildProcess(o);
  ASSERT_TRUE(end.ok());
  EXPECT_EQ(end->how, ChildProcessEnd::How::kSignaled);
  EXPECT_EQ(end->signal, SIGSEGV);
  EXPECT_NE(end->Describe(o.timeout).find("killed by signal 11"),
            std::string::npos);
}

TEST_F(ChildProcessTest, TimeoutKillsTheWholeProcessGroup) {
  // A wrapper that does not exec: its child must die with it.
  ChildProcessOptions o;
  o.argv = {Script("s.sh", "sleep 60 & echo $! > \"" + (dir_ / "pid").string() +
                               "\"; wait")};
  o.timeout = 300ms;
  const auto start = std::chrono::steady_clock::now();
  StatusOr<ChildProcessEnd> end = RunChildProcess(o);
  ASSERT_TRUE(end.ok());
  EXPECT_EQ(end->how, ChildProcessEnd::How::kTimedOut);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 30s);
  EXPECT_EQ(end->Describe(o.timeout), "killed after the timeout of 300 ms");
  const std::string pid = Slurp(dir_ / "pid");
  ASSERT_FALSE(pid.empty());
  // Killed: gone, or a zombie until init reaps it.
  for (int i = 0; i < 200; ++i) {
    std::ifstream stat("/proc/" + pid.substr(0, pid.find('\n')) + "/stat");
    std::string all;
    std::getline(stat, all);
    if (!stat || all.find(") Z") != std::string::npos) return;
    std::this_thread::sleep_for(10ms);
  }
  ADD_FAILURE() << "the grandchild " << pid << " survived the timeout";
}

TEST_F(ChildProcessTest, CancelEndsTheChildAtOnce) {
  std::atomic<bool> cancel{false};
  ChildProcessOptions o;
  o.argv = {Script("s.sh", "exec sleep 60")};
  o.cancel = &cancel;
  std::thread t([&] {
    std::this_thread::sleep_for(100ms);
    cancel = true;
  });
  StatusOr<ChildProcessEnd> end = RunChildProcess(o);
  t.join();
  ASSERT_TRUE(end.ok());
  EXPECT_EQ(end->how, ChildProcessEnd::How::kCancelled);
}

TEST_F(ChildProcessTest, ProgramThatCannotStartIsAnError) {
  ChildProcessOptions o;
  o.argv = {(dir_ / "no-such-program").string()};
  StatusOr<ChildProcessEnd> end = RunChildProcess(o);
  ASSERT_FALSE(end.ok());
  EXPECT_NE(end.status().message().find("no-such-program: cannot start"),
            std::string::npos);
}

// ------------------------------------------------- RunAb on the fixture ----

class RunAbTest : public TempDirTest {
 protected:
  // A head (or base) wrapper: `env` assignments, then exec of the fixture.
  std::string Wrapper(const std::string& name, const std::string& env,
                      const char* binary = AB_FIXTURE_A) {
    return Script(name, env + " exec \"" + std::string(binary) + "\" \"$@\"");
  }
  AbOptions Options(const std::string& filter, int rounds = 8) {
    AbOptions o;
    o.filter = filter;
    o.rounds = rounds;
    o.max_rounds = rounds;
    o.seed = 42;
    o.run_timeout = 60s;
    return o;
  }
  const TestOutcome* Outcome(const AbReport& r, const std::string& test) {
    for (const TestOutcome& t : r.tests) {
      if (t.test == test) return &t;
    }
    return nullptr;
  }
};

TEST_F(RunAbTest, ListsTestsAndRejectsWhatIsNotAGtestBinary) {
  StatusOr<std::vector<std::string>> tests = ListTests(AB_FIXTURE_A, {});
  ASSERT_TRUE(tests.ok()) << tests.status().message();
  EXPECT_EQ(tests->front(), "Fixture.Synthetic");
  EXPECT_EQ(std::count(tests->begin(), tests->end(), "Fixture.NeverRuns"), 0);

  StatusOr<std::vector<std::string>> none =
      ListTests(Script("true.sh", "exit 0"), {});
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.status().message().find("lists no test"), std::string::npos);

  StatusOr<std::vector<std::string>> failing =
      ListTests(Script("fail.sh", "echo 'bad flag' >&2; exit 9"), {});
  ASSERT_FALSE(failing.ok());
  EXPECT_NE(failing.status().message().find("exited with status 9"),
            std::string::npos);
  EXPECT_NE(failing.status().message().find("bad flag"), std::string::npos);

  ListOptions filtered;
  filtered.filter = "Nothing.*";
  StatusOr<std::vector<std::string>> nomatch =
      ListTests(AB_FIXTURE_A, filtered);
  ASSERT_FALSE(nomatch.ok());
  EXPECT_NE(nomatch.status().message().find("no test matches --filter "
                                            "'Nothing.*'"),
            std::string::npos);

  ListOptions hang;
  hang.timeout = 300ms;
  StatusOr<std::vector<std::string>> hung =
      ListTests(Script("hang.sh", "exec sleep 60"), hang);
  ASSERT_FALSE(hung.ok());
  EXPECT_NE(hung.status().message().find("timeout"), std::string::npos);
}

TEST_F(RunAbTest, RunTestReadsTheResultsAndLeavesNoBaselineBehind) {
  TestRunOptions o;
  o.work_dir = dir_ / "run";
  fs::create_directories(o.work_dir);
  StatusOr<TestRun> run = RunTest(AB_FIXTURE_A, "Fixture.TwoResults", o);
  ASSERT_TRUE(run.ok()) << run.status().message();
  EXPECT_TRUE(run->completed) << run->problem;
  ASSERT_EQ(run->results.size(), 2u);
  EXPECT_EQ(run->results[0].name, "first");
  EXPECT_TRUE(fs::is_empty(o.work_dir / "no-baselines"));
}

TEST_F(RunAbTest, IdenticalBuildsPassAndNotPerfTestsRunOnce) {
  StatusOr<AbReport> r =
      RunAb({{AB_FIXTURE_A, Wrapper("same.sh", "")}},
            Options("Fixture.Synthetic:Fixture.NotPerf:Fixture.TwoResults"));
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_FALSE(r->HasRegression()) << RenderAbTable(*r, false);
  EXPECT_EQ(r->not_perf_tests, std::vector<std::string>{"Fixture.NotPerf"});
  ASSERT_NE(Outcome(*r, "Fixture.Synthetic"), nullptr);
  EXPECT_EQ(Outcome(*r, "Fixture.Synthetic")->rounds, 8);
  EXPECT_EQ(Outcome(*r, "Fixture.Synthetic")->verdict, Verdict::kUnchanged);
  EXPECT_EQ(Outcome(*r, "Fixture.TwoResults")->verdict, Verdict::kUnchanged);
  EXPECT_EQ(r->comparison.rows.size(), 3u * 6u);
}

TEST_F(RunAbTest, SlowerHeadIsARegressionAndTheSlaFailureIsNoted) {
  StatusOr<AbReport> r =
      RunAb({{AB_FIXTURE_A, Wrapper("slow.sh", "AB_FIXTURE_FACTOR=1.5")}},
            Options("Fixture.Synthetic:Fixture.SlaFailsWhenSlow"));
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_TRUE(r->HasRegression());
  EXPECT_EQ(Outcome(*r, "Fixture.Synthetic")->verdict, Verdict::kRegression);
  bool noted = false;
  for (const auto& row : r->comparison.rows) {
    noted = noted || row.note.find(
                         "head: the test's own assertions failed in "
                         "8 of 8") != std::string::npos;
  }
  EXPECT_TRUE(noted) << RenderAbTable(*r, false);
  const std::string md = RenderAbMarkdown(*r);
  EXPECT_NE(md.find(":x: performance regression"), std::string::npos);
  EXPECT_NE(md.find("| `Fixture.Synthetic` | **regression** |"),
            std::string::npos)
      << md;
  const std::string json = RenderAbJson(*r);
  EXPECT_NE(json.find("\"schema\": \"perfcheck.ab/v1\""), std::string::npos);
  EXPECT_NE(json.find("\"perfcheck.compare/v1\""), std::string::npos);
}

TEST_F(RunAbTest, ErrorRateIncreaseIsARegression) {
  StatusOr<AbReport> r =
      RunAb({{AB_FIXTURE_A, Wrapper("errors.sh", "AB_FIXTURE_ERRORS=10")}},
            Options("Fixture.Synthetic"));
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_TRUE(r->HasRegression());
  for (const auto& row : r->comparison.rows) {
    EXPECT_EQ(row.verdict, row.metric == "error_rate" ? Verdict::kRegression
                                                      : Verdict::kUnchanged)
        << row.metric;
  }
}

TEST_F(RunAbTest, HeadThatCrashesOrHangsIsAnErrorAndStaysBounded) {
  AbOptions o = Options("Fixture.Crashes:Fixture.Hangs", 2);
  o.judge.min_rounds = 1;
  o.run_timeout = 1s;
  const auto start = std::chrono::steady_clock::now();
  StatusOr<AbReport> r =
      RunAb({{AB_FIXTURE_A,
              Wrapper("broken.sh", "AB_FIXTURE_CRASH=1 AB_FIXTURE_HANG=1")}},
            o);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 60s);
  EXPECT_EQ(Outcome(*r, "Fixture.Crashes")->verdict, Verdict::kError);
  EXPECT_EQ(Outcome(*r, "Fixture.Hangs")->verdict, Verdict::kError);
  std::string notes;
  for (const auto& row : r->comparison.rows) notes += row.note + "\n";
  EXPECT_NE(notes.find("killed by signal 6"), std::string::npos) << notes;
  EXPECT_NE(notes.find("killed after the timeout of 1 s"), std::string::npos)
      << notes;
}

TEST_F(RunAbTest, TestsOnOneSideAreMissingOrNewAndNotRun) {
  StatusOr<AbReport> r = RunAb({{AB_FIXTURE_A, AB_FIXTURE_B}},
                               Options("Fixture.Synthetic:Fixture.OnlyIn*", 5));
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(Outcome(*r, "Fixture.OnlyInA")->verdict, Verdict::kMissingInNew);
  EXPECT_EQ(Outcome(*r, "Fixture.OnlyInB")->verdict, Verdict::kNew);
  EXPECT_EQ(Outcome(*r, "Fixture.OnlyInA")->rounds, 0);
  EXPECT_FALSE(r->HasRegression());
}

TEST_F(RunAbTest, NoTestInCommonIsAnError) {
  StatusOr<AbReport> r =
      RunAb({{AB_FIXTURE_A, AB_FIXTURE_B}}, Options("Fixture.OnlyIn*"));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("list no test in common"),
            std::string::npos);
}

TEST_F(RunAbTest, TheTimeBudgetEndsTheRunAndSaysSo) {
  AbOptions o = Options("Fixture.Synthetic", 1000);
  o.max_rounds = 1000;
  o.max_duration = 1s;
  StatusOr<AbReport> r = RunAb({{AB_FIXTURE_A, AB_FIXTURE_A}}, o);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->budget_reached);
  EXPECT_LT(r->rounds_run, 1000);
  EXPECT_NE(r->comparison.rows.front().note.find("time budget reached"),
            std::string::npos);
}

TEST_F(RunAbTest, UnsettledTestsGetMoreRoundsUpToTheMaximum) {
  // 3 rounds cannot give a 99% interval: every look but the last is
  // unsettled, so the test runs to max_rounds.
  AbOptions o = Options("Fixture.Synthetic", 3);
  o.max_rounds = 9;
  StatusOr<AbReport> r = RunAb({{AB_FIXTURE_A, AB_FIXTURE_A}}, o);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->look_rounds, (std::vector<int>{3, 4, 5, 6, 7, 8, 9}));
  EXPECT_EQ(Outcome(*r, "Fixture.Synthetic")->rounds, 9);
  EXPECT_NEAR(r->comparison.confidence, 1 - 0.01 / 7, 1e-12);
}

}  // namespace
}  // namespace perfcheck::ab
