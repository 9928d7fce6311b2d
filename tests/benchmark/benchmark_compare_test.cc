#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "perfcheck/benchmark/compare.h"
#include "perfcheck/result.h"
#include "perfcheck/result_json.h"

namespace perfcheck {
namespace {

const std::string kDir = PERFCHECK_BENCH_FIXTURES;

ComparisonReport Compare(const std::string& old_name,
                         const std::string& new_name,
                         CompareOptions options = {}) {
  StatusOr<ComparisonReport> r =
      CompareFiles(kDir + "/" + old_name, kDir + "/" + new_name, options);
  if (!r.ok()) throw std::runtime_error(r.status().message());
  return *r;
}

const MetricComparisonRow& Row(const ComparisonReport& r,
                               const std::string& name,
                               const std::string& metric = "cpu_time") {
  for (const auto& row : r.rows) {
    if (row.benchmark == name && row.metric == metric) return row;
  }
  throw std::runtime_error("no row " + name + " " + metric);
}

TEST(BenchmarkCompare, IdenticalCodeIsUnchanged) {
  const ComparisonReport r = Compare("old.json", "new_same.json");
  EXPECT_FALSE(r.HasRegression());
  EXPECT_EQ(Row(r, "BM_Fast").verdict, BenchmarkVerdict::kUnchanged);
  EXPECT_EQ(Row(r, "BM_Slow").verdict, BenchmarkVerdict::kUnchanged);
  EXPECT_EQ(Row(r, "BM_Renamed").verdict, BenchmarkVerdict::kUnchanged);
  EXPECT_NE(Row(r, "BM_Noisy").verdict, BenchmarkVerdict::kRegression);
  EXPECT_TRUE(r.machine_differences.empty());
  EXPECT_EQ(Row(r, "BM_Fast").method, "mann-whitney");
}

TEST(BenchmarkCompare, RegressionRenamedAndNoisy) {
  const ComparisonReport r = Compare("old.json", "new_regressed.json");
  EXPECT_TRUE(r.HasRegression());
  const MetricComparisonRow& slow = Row(r, "BM_Slow");
  EXPECT_EQ(slow.verdict, BenchmarkVerdict::kRegression);
  EXPECT_NEAR(slow.change, 0.25, 0.03);  // us in NEW converted to ns
  EXPECT_GT(slow.change_low, 0.0);
  EXPECT_LT(slow.p_value, 0.001);
  EXPECT_EQ(Row(r, "BM_Fast").verdict, BenchmarkVerdict::kUnchanged);
  EXPECT_EQ(Row(r, "BM_Renamed").verdict, BenchmarkVerdict::kMissingInNew);
  EXPECT_EQ(Row(r, "BM_RenamedV2").verdict, BenchmarkVerdict::kNew);
  // +15% with +-30% spread: not credible.
  const BenchmarkVerdict noisy = Row(r, "BM_Noisy").verdict;
  EXPECT_TRUE(noisy == BenchmarkVerdict::kNoisy ||
              noisy == BenchmarkVerdict::kUnchanged)
      << BenchmarkVerdictName(noisy);
}

TEST(BenchmarkCompare, SignificantButSmallChangeIsNotARegression) {
  const ComparisonReport r = Compare("old.json", "new_small_change.json");
  const MetricComparisonRow& fast = Row(r, "BM_Fast");
  EXPECT_GT(fast.change_low, 0.0);                        // credibly slower ...
  EXPECT_EQ(fast.verdict, BenchmarkVerdict::kUnchanged);  // ... but by ~4%
  EXPECT_FALSE(r.HasRegression());
  // A per-benchmark threshold of 3% makes it one.
  CompareOptions strict;
  strict.thresholds.push_back({"^BM_Fa", 0.03});
  const ComparisonReport s =
      Compare("old.json", "new_small_change.json", strict);
  EXPECT_EQ(Row(s, "BM_Fast").verdict, BenchmarkVerdict::kRegression);
  EXPECT_DOUBLE_EQ(Row(s, "BM_Fast").threshold, 0.03);
}

TEST(BenchmarkCompare, Improvement) {
  const ComparisonReport r = Compare("old.json", "new_improved.json");
  EXPECT_EQ(Row(r, "BM_Fast").verdict, BenchmarkVerdict::kImprovement);
  EXPECT_FALSE(r.HasRegression());
}

TEST(BenchmarkCompare, SingleRunsAreInsufficientData) {
  const ComparisonReport r = Compare("single_old.json", "single_new.json");
  const MetricComparisonRow& fast = Row(r, "BM_Fast");
  EXPECT_EQ(fast.verdict, BenchmarkVerdict::kInsufficientData);
  EXPECT_NEAR(fast.change, 0.5, 1e-9);  // shown, not judged
  EXPECT_FALSE(r.HasRegression());
}

TEST(BenchmarkCompare, AggregatesOnlyUseWelch) {
  const ComparisonReport r = Compare("agg_old.json", "agg_new.json");
  const MetricComparisonRow& slow = Row(r, "BM_Slow");
  EXPECT_EQ(slow.method, "welch");
  EXPECT_EQ(slow.verdict, BenchmarkVerdict::kRegression);
  EXPECT_NEAR(slow.change, 0.30, 0.03);
  // Aggregates vs repetitions also works (moments from the repetitions).
  const ComparisonReport m = Compare("old.json", "agg_new.json");
  EXPECT_EQ(Row(m, "BM_Slow").verdict, BenchmarkVerdict::kRegression);
}

TEST(BenchmarkCompare, FailedRuns) {
  const ComparisonReport r = Compare("old.json", "new_errors.json");
  EXPECT_EQ(Row(r, "BM_Slow").verdict, BenchmarkVerdict::kError);
  EXPECT_NE(Row(r, "BM_Slow").note.find("db down"), std::string::npos);
  const MetricComparisonRow& fast = Row(r, "BM_Fast");
  EXPECT_EQ(fast.verdict, BenchmarkVerdict::kUnchanged);
  EXPECT_EQ(fast.new_n, 8u);
  EXPECT_NE(fast.note.find("2 run(s) failed"), std::string::npos);
  EXPECT_TRUE(
      r.HasRegression());  // a benchmark that no longer runs fails the gate
}

TEST(BenchmarkCompare, OtherMachineIsStated) {
  const ComparisonReport r = Compare("old.json", "new_other_machine.json");
  ASSERT_FALSE(r.machine_differences.empty());
  bool cores = false;
  for (const auto& d : r.machine_differences)
    cores = cores || d.find("cores: 2 -> 8") != std::string::npos;
  EXPECT_TRUE(cores);
  EXPECT_NE(RenderTable(r, false).find("WARNING: different machines"),
            std::string::npos);
  EXPECT_NE(RenderMarkdown(r).find("different machines"), std::string::npos);
}

TEST(BenchmarkCompare, BothMetrics) {
  CompareOptions both;
  both.metric = TimeMetric::kBoth;
  const ComparisonReport r = Compare("old.json", "new_regressed.json", both);
  EXPECT_EQ(Row(r, "BM_Slow", "real_time").verdict,
            BenchmarkVerdict::kRegression);
  EXPECT_EQ(Row(r, "BM_Slow", "cpu_time").verdict,
            BenchmarkVerdict::kRegression);
}

TEST(BenchmarkCompare, InputErrorsNameTheFile) {
  StatusOr<ComparisonReport> t =
      CompareFiles(kDir + "/old.json", kDir + "/truncated.json", {});
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.status().message().find("truncated.json: not valid JSON"),
            std::string::npos)
      << t.status().message();
  StatusOr<ComparisonReport> d = CompareFiles(kDir, kDir + "/old.json", {});
  ASSERT_FALSE(d.ok());  // the fixture directory holds bad files too
  EXPECT_FALSE(
      CompareFiles(kDir + "/missing.json", kDir + "/old.json", {}).ok());
}

TEST(BenchmarkCompare, OptionsAreValidated) {
  CompareOptions bad;
  bad.threshold = -0.1;
  EXPECT_THROW(bad.Validate(), std::invalid_argument);
  CompareOptions regex;
  regex.thresholds.push_back({"([", 0.1});
  EXPECT_THROW(regex.Validate(), std::invalid_argument);
}

// Bad options from user input come back as a Status naming the field
// (Validate() throws the same message, for API misuse).
TEST(BenchmarkCompare, OptionChecksReturnAStatus) {
  CompareOptions bad;
  bad.confidence = 1.5;
  EXPECT_EQ(bad.Check().message(),
            "confidence must be in (0, 1), got 1.500000");
  CompareOptions regex;
  regex.thresholds.push_back({"([", 0.1});
  EXPECT_NE(regex.Check().message().find("bad regex '(['"), std::string::npos)
      << regex.Check().message();
  EXPECT_TRUE(CompareOptions().Check().ok());
  // A name too long to match is refused by CheckComparable, before a
  // comparison would have to throw.
  CompareOptions o;
  o.thresholds.push_back({"BM_.*", 0.05});
  BenchmarkFile f;
  BenchmarkSeries s;
  s.name = "BM_" + std::string(CompareOptions::kMaxRegexNameLength, 'A');
  s.cpu_ns = s.real_ns = {1, 1, 1, 1, 1};
  f.benchmarks.push_back(s);
  EXPECT_FALSE(o.CheckName(s.name).ok());
  const Status st = CheckComparable(f, f, o);
  EXPECT_NE(st.message().find("characters long"), std::string::npos)
      << st.message();
}

// Issue 16: std::regex recurses per character; a 50,000-character name used
// to crash `perfcheck compare --threshold-for` with SIGSEGV.
TEST(BenchmarkCompare, OverlongNamesAreRefusedNotMatched) {
  CompareOptions o;
  o.thresholds.push_back({"BM_.*", 0.05});
  const std::string longest(CompareOptions::kMaxRegexNameLength, 'A');
  EXPECT_EQ(o.ThresholdFor("BM_" + longest.substr(3)), 0.05);
  const std::string name = "BM_" + std::string(50000, 'A');
  try {
    o.ThresholdFor(name);
    ADD_FAILURE() << "an overlong name was matched";
  } catch (const std::invalid_argument& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("threshold override 'BM_.*'"), std::string::npos) << m;
    EXPECT_NE(m.find("50003 characters long"), std::string::npos) << m;
    EXPECT_LT(m.size(), 300u) << "the name is not quoted whole";
  }
  // Without overrides no regex runs: any name gets the default.
  EXPECT_EQ(CompareOptions{}.ThresholdFor(name), 0.10);
}

// Interleaved rounds: per-round ratios judged paired. Each round's machine
// speed differs by up to +-20% (both sides alike), the code by +12%.
BenchmarkFile RunOf(double ns, const std::string& source) {
  BenchmarkFile f;
  f.source = source;
  BenchmarkSeries s;
  s.name = "BM_Query";
  for (int i = 0; i < 3; ++i) {
    s.cpu_ns.push_back(ns * (1 + 0.002 * i));
    s.real_ns.push_back(ns * (1 + 0.002 * i));
  }
  f.benchmarks.push_back(s);
  return f;
}

TEST(BenchmarkCompare, PairedRoundsCancelMachineDrift) {
  const double drift[] = {1.0, 1.2, 0.85, 1.1, 0.9, 1.15, 0.95, 1.05, 0.8, 1.0};
  const double wobble[] = {0.0, 0.01, -0.01, 0.005, -0.005,
                           0.0, 0.01, -0.01, 0.003, -0.003};
  std::vector<BenchmarkRound> slow, same;
  for (int i = 0; i < 10; ++i) {
    slow.push_back({RunOf(1000 * drift[i], "old"),
                    RunOf(1120 * drift[i] * (1 + wobble[i]), "new")});
    same.push_back({RunOf(1000 * drift[i], "old"),
                    RunOf(1000 * drift[i] * (1 + wobble[i]), "new")});
  }
  const ComparisonReport r = ComparePaired(slow, {});
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(r.rows[0].verdict, BenchmarkVerdict::kRegression);
  EXPECT_NEAR(r.rows[0].change, 0.12, 0.01);
  EXPECT_EQ(r.rows[0].method, "signed-rank");
  EXPECT_EQ(r.mode, "interleaved, 10 rounds");
  // Rounds cover between-process noise: half the threshold is enough, and the
  // PR comment says so (two runs need all of it: golden/regressed.md).
  EXPECT_TRUE(r.paired);
  EXPECT_NE(RenderMarkdown(r).find("an estimate of at least half the "
                                   "threshold"),
            std::string::npos);
  EXPECT_EQ(ComparePaired(same, {}).rows[0].verdict,
            BenchmarkVerdict::kUnchanged);
  // Too few rounds for a 99% interval: no guess.
  std::vector<BenchmarkRound> few(slow.begin(), slow.begin() + 5);
  EXPECT_EQ(ComparePaired(few, {}).rows[0].verdict,
            BenchmarkVerdict::kInsufficientData);
}

TEST(BenchmarkCompare, PerfcheckResultsUseTheNoiseBandGate) {
  Result old_r("search");
  Result new_r("search");
  for (int i = 0; i < 2000; ++i) {
    old_r.latency.Record(1'000'000 + (i % 100) * 1000);
    new_r.latency.Record(1'500'000 + (i % 100) * 1500);
  }
  old_r.elapsed_ns = new_r.elapsed_ns = 2'000'000'000;
  Result extra("checkout");
  extra.latency.Record(5);
  const ComparisonReport r = CompareResults({old_r}, {new_r, extra}, {});
  EXPECT_TRUE(r.HasRegression());
  EXPECT_EQ(Row(r, "search", "p50").verdict, BenchmarkVerdict::kRegression);
  EXPECT_EQ(Row(r, "search", "p95").verdict, BenchmarkVerdict::kRegression);
  EXPECT_EQ(Row(r, "search", "throughput").verdict,
            BenchmarkVerdict::kUnchanged);
  EXPECT_EQ(Row(r, "checkout", "p50").verdict, BenchmarkVerdict::kNew);
  EXPECT_EQ(Row(r, "search", "p50").method, "noise-band");
}

TEST(BenchmarkCompare, RenderersAgreeOnVerdicts) {
  const ComparisonReport r = Compare("old.json", "new_regressed.json");
  const std::string table = RenderTable(r, false);
  EXPECT_NE(table.find("regression"), std::string::npos);
  EXPECT_EQ(table.find("\033["), std::string::npos);
  EXPECT_NE(RenderTable(r, true).find("\033[1;31m"), std::string::npos);
  const std::string json = RenderJson(r);
  EXPECT_NE(json.find("\"schema\": \"perfcheck.compare/v1\""),
            std::string::npos);
  EXPECT_NE(json.find("\"regression\": true"), std::string::npos);
  EXPECT_NE(json.find("\"change_low\": null"),
            std::string::npos);  // missing rows
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Golden: the Markdown a PR comment shows. Regenerate with
//   PERFCHECK_UPDATE_GOLDEN=1 ./benchmark_adapter_test --gtest_filter=*Golden*
TEST(BenchmarkCompare, MarkdownGolden) {
  const ComparisonReport r = Compare("old.json", "new_regressed.json");
  const std::string md = RenderMarkdown(r);
  const std::string golden_path =
      std::string(PERFCHECK_BENCH_GOLDEN) + "/regressed.md";
  if (std::getenv("PERFCHECK_UPDATE_GOLDEN") != nullptr) {
    std::ofstream(golden_path) << md;
  }
  EXPECT_EQ(md, ReadAll(golden_path));
}

// --calibrate: machine B is 1.5x slower at everything, the calibration
// workload included (fixtures from data/make_fixtures.py).
TEST(BenchmarkCalibration, SlowerMachineRegressesOnlyWithoutCalibration) {
  const ComparisonReport raw = Compare("cal_old.json", "cal_new_slower.json");
  EXPECT_EQ(Row(raw, "BM_Fast").verdict, BenchmarkVerdict::kRegression);
  EXPECT_NEAR(Row(raw, "BM_Slow").change, 0.5, 0.03);
  EXPECT_TRUE(raw.calibration.empty());
  // The reference workload is shown, never judged.
  EXPECT_EQ(Row(raw, "perfcheck/calibration").verdict,
            BenchmarkVerdict::kCalibration);

  CompareOptions cal;
  cal.calibrate = true;
  const ComparisonReport r =
      Compare("cal_old.json", "cal_new_slower.json", cal);
  EXPECT_FALSE(r.HasRegression());
  EXPECT_EQ(Row(r, "BM_Fast").verdict, BenchmarkVerdict::kUnchanged);
  EXPECT_EQ(Row(r, "BM_Slow").verdict, BenchmarkVerdict::kUnchanged);
  EXPECT_NEAR(Row(r, "BM_Slow").change, 0.0, 0.02);
  EXPECT_EQ(Row(r, "perfcheck/calibration").verdict,
            BenchmarkVerdict::kCalibration);
  ASSERT_EQ(r.calibration.size(), 1u);
  const CalibrationFactor& f = r.calibration[0];
  EXPECT_EQ(f.metric, "cpu_time");
  EXPECT_NEAR(f.factor, 1.5, 0.02);
  EXPECT_LT(f.factor_low, f.factor);
  EXPECT_GT(f.factor_high, f.factor);
  EXPECT_EQ(f.old_n, 10u);
  // The reference row shows the factor and its interval.
  const MetricComparisonRow& ref = Row(r, "perfcheck/calibration");
  EXPECT_NEAR(ref.change, f.factor - 1, 1e-12);
  EXPECT_NEAR(ref.change_low, f.factor_low - 1, 1e-12);
  EXPECT_NEAR(ref.change_high, f.factor_high - 1, 1e-12);
  EXPECT_EQ(r.mode, "two runs, calibrated");
  // Old values are shown scaled to the new machine.
  EXPECT_NEAR(Row(r, "BM_Slow").old_value, 1500, 30);
}

TEST(BenchmarkCalibration, TrueRegressionIsStillCaught) {
  CompareOptions cal;
  cal.calibrate = true;
  cal.metric = TimeMetric::kBoth;
  const ComparisonReport r =
      Compare("cal_old.json", "cal_new_regressed.json", cal);
  EXPECT_TRUE(r.HasRegression());
  EXPECT_EQ(Row(r, "BM_Slow").verdict, BenchmarkVerdict::kRegression);
  EXPECT_NEAR(Row(r, "BM_Slow").change, 0.30, 0.03);
  EXPECT_EQ(Row(r, "BM_Slow", "real_time").verdict,
            BenchmarkVerdict::kRegression);
  EXPECT_EQ(Row(r, "BM_Fast").verdict, BenchmarkVerdict::kUnchanged);
  EXPECT_EQ(r.calibration.size(), 2u);  // one factor per metric
}

// The factor's uncertainty widens every interval: in quadrature, so the
// calibrated interval is wider than the raw one and narrower than the sum.
TEST(BenchmarkCalibration, FactorUncertaintyWidensTheInterval) {
  CompareOptions cal;
  cal.calibrate = true;
  const ComparisonReport r =
      Compare("cal_old.json", "cal_new_slower.json", cal);
  const ComparisonReport raw = Compare("cal_old.json", "cal_new_slower.json");
  const MetricComparisonRow& c = Row(r, "BM_Slow");
  const MetricComparisonRow& u = Row(raw, "BM_Slow");
  const double calibrated =
      std::log1p(c.change_high) - std::log1p(c.change_low);
  const double plain = std::log1p(u.change_high) - std::log1p(u.change_low);
  const double factor = std::log(r.calibration[0].factor_high) -
                        std::log(r.calibration[0].factor_low);
  EXPECT_GT(calibrated, plain * 1.05);
  EXPECT_LT(calibrated, plain + factor + 1e-9);
}

TEST(BenchmarkCalibration, MissingOrShortCalibrationIsAnInputError) {
  CompareOptions cal;
  cal.calibrate = true;
  StatusOr<ComparisonReport> missing =
      CompareFiles(kDir + "/cal_old.json", kDir + "/cal_missing.json", cal);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find(
                "cal_missing.json: no 'perfcheck/calibration' benchmark"),
            std::string::npos)
      << missing.status().message();
  // The old side too (old.json has no calibration benchmark).
  StatusOr<ComparisonReport> old_side =
      CompareFiles(kDir + "/old.json", kDir + "/cal_old.json", cal);
  ASSERT_FALSE(old_side.ok());
  EXPECT_NE(old_side.status().message().find("old.json: no 'perfcheck/"),
            std::string::npos);
  StatusOr<ComparisonReport> short_run =
      CompareFiles(kDir + "/cal_old.json", kDir + "/cal_short.json", cal);
  ASSERT_FALSE(short_run.ok());
  EXPECT_NE(short_run.status().message().find("cal_short.json"),
            std::string::npos);
  EXPECT_NE(short_run.status().message().find("too few repetitions"),
            std::string::npos);
  // Calling CompareBenchmarks without the check is misuse.
  BenchmarkFile a = ReadBenchmarkFile(kDir + "/cal_old.json").value();
  BenchmarkFile b = ReadBenchmarkFile(kDir + "/cal_missing.json").value();
  EXPECT_THROW(CompareBenchmarks(a, b, cal), std::invalid_argument);
}

TEST(BenchmarkCalibration, RenderersStateTheFactor) {
  CompareOptions cal;
  cal.calibrate = true;
  const ComparisonReport r =
      Compare("cal_old.json", "cal_new_slower.json", cal);
  const std::string table = RenderTable(r, false);
  EXPECT_NE(table.find("CALIBRATED: old cpu_time values x1.4"),
            std::string::npos)
      << table;
  const std::string json = RenderJson(r);
  EXPECT_NE(json.find("\"calibrated\": true"), std::string::npos);
  EXPECT_NE(json.find("\"factor\": 1.4"), std::string::npos) << json;
  EXPECT_NE(json.find("\"verdict\": \"calibration\""), std::string::npos);
  EXPECT_NE(RenderMarkdown(r).find("**Calibrated across machines**"),
            std::string::npos);
}

// --metric instructions: times spread +-20%, counts within 0.01%.
TEST(BenchmarkInstructions, CountsAreJudgedOnTheMedianRatio) {
  CompareOptions opt;
  opt.metric = TimeMetric::kCounter;
  opt.counter = "instructions";
  const ComparisonReport r = Compare("instr_old.json", "instr_new.json", opt);
  const MetricComparisonRow& parse = Row(r, "BM_Parse", "instructions");
  EXPECT_EQ(parse.verdict, BenchmarkVerdict::kRegression);
  EXPECT_NEAR(parse.change, 0.15, 0.001);
  EXPECT_TRUE(parse.is_count);
  EXPECT_GT(parse.change_low, 0.14);  // intervals are still computed
  EXPECT_EQ(Row(r, "BM_Lookup", "instructions").verdict,
            BenchmarkVerdict::kUnchanged);
  EXPECT_EQ(Row(r, "BM_Encode", "instructions").verdict,
            BenchmarkVerdict::kImprovement);
  // No counter on the new side: never judged on time instead.
  const MetricComparisonRow& vm = Row(r, "BM_Vm", "instructions");
  EXPECT_EQ(vm.verdict, BenchmarkVerdict::kInsufficientData);
  EXPECT_NE(vm.note.find("new: no 'instructions' counter"), std::string::npos);
  EXPECT_NE(vm.note.find("no hardware PMU"), std::string::npos) << vm.note;
  EXPECT_NE(RenderJson(r).find("\"unit\": \"count\""), std::string::npos);
  // The same files judged on time: the noise hides the +15% (not a gate).
  const ComparisonReport t = Compare("instr_old.json", "instr_new.json");
  EXPECT_NE(Row(t, "BM_Parse").verdict, BenchmarkVerdict::kRegression);
}

TEST(BenchmarkInstructions, CountsInAggregatesOnlyFiles) {
  // Counters are read from aggregate rows too.
  BenchmarkFile f = ReadBenchmarkFile(kDir + "/instr_old.json").value();
  const BenchmarkSeries* parse = f.Find("BM_Parse");
  ASSERT_NE(parse, nullptr);
  ASSERT_EQ(parse->counters.at("instructions").size(), 10u);
  EXPECT_NEAR(parse->aggregates.at("median").counters.at("instructions"), 12000,
              5);
}

TEST(BenchmarkInstructions, NoCounterAnywhereIsAnInputError) {
  CompareOptions opt;
  opt.metric = TimeMetric::kCounter;
  opt.counter = "instructions";
  StatusOr<ComparisonReport> r = CompareFiles(
      kDir + "/instr_old.json", kDir + "/instr_unavailable.json", opt);
  ASSERT_FALSE(r.ok());
  const std::string m = r.status().message();
  EXPECT_NE(m.find("instr_unavailable.json: no benchmark has a user counter "
                   "'instructions'"),
            std::string::npos)
      << m;
  EXPECT_NE(m.find("no hardware PMU"), std::string::npos);  // the label
  opt.counter = "cycles";
  StatusOr<ComparisonReport> other =
      CompareFiles(kDir + "/instr_old.json", kDir + "/instr_new.json", opt);
  ASSERT_FALSE(other.ok());
  EXPECT_NE(other.status().message().find("counters present: instructions"),
            std::string::npos);
  CompareOptions unnamed;
  unnamed.metric = TimeMetric::kCounter;
  EXPECT_THROW(unnamed.Validate(), std::invalid_argument);
}

// Paired rounds judge counters with the same rule.
TEST(BenchmarkInstructions, PairedRounds) {
  std::vector<BenchmarkRound> rounds;
  for (int i = 0; i < 10; ++i) {
    BenchmarkFile o = RunOf(1000 * (1 + 0.1 * (i % 3)), "old");
    BenchmarkFile n = RunOf(1000 * (1 + 0.1 * (i % 2)), "new");
    o.benchmarks[0].counters["instructions"] = {5000, 5000.2, 4999.9};
    n.benchmarks[0].counters["instructions"] = {5600, 5600.1, 5599.8};
    rounds.push_back({o, n});
  }
  CompareOptions opt;
  opt.metric = TimeMetric::kCounter;
  opt.counter = "instructions";
  const ComparisonReport r = ComparePaired(rounds, opt);
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(r.rows[0].verdict, BenchmarkVerdict::kRegression);
  EXPECT_NEAR(r.rows[0].change, 0.12, 0.001);
}

// ---------------------------------------------------------------- testbeds --

BenchmarkFile Fixture(const std::string& name, const std::string& testbed,
                      double probe_ns = 0) {
  BenchmarkFile f = ReadBenchmarkFile(kDir + "/" + name).value();
  f.context.fingerprint.testbed = testbed;
  f.context.fingerprint.speed_probe_ns = probe_ns;
  return f;
}

std::vector<BenchmarkVerdict> VerdictsOf(const ComparisonReport& r) {
  std::vector<BenchmarkVerdict> out;
  for (const auto& row : r.rows) out.push_back(row.verdict);
  return out;
}

bool IsJudgement(BenchmarkVerdict v) {
  return v == BenchmarkVerdict::kUnchanged ||
         v == BenchmarkVerdict::kRegression ||
         v == BenchmarkVerdict::kImprovement || v == BenchmarkVerdict::kNoisy ||
         v == BenchmarkVerdict::kInsufficientData;
}

TEST(BenchmarkTestbeds, AnotherTestbedsTimesAreNotComparable) {
  const ComparisonReport plain = CompareBenchmarks(
      Fixture("old.json", ""), Fixture("new_regressed.json", ""), {});
  ASSERT_TRUE(plain.HasRegression());
  ASSERT_TRUE(plain.testbed_notes.empty());

  const ComparisonReport r = CompareBenchmarks(
      Fixture("old.json", "laptop"), Fixture("new_regressed.json", "ci"), {});
  EXPECT_FALSE(r.HasRegression());
  ASSERT_EQ(r.rows.size(), plain.rows.size());
  for (std::size_t i = 0; i < r.rows.size(); ++i) {
    SCOPED_TRACE(r.rows[i].benchmark + " " + r.rows[i].metric);
    if (IsJudgement(plain.rows[i].verdict)) {
      EXPECT_EQ(r.rows[i].verdict, BenchmarkVerdict::kNotComparable);
    } else {
      // One-sided rows say what they said.
      EXPECT_EQ(r.rows[i].verdict, plain.rows[i].verdict);
    }
    // The values are still shown.
    if (!std::isnan(plain.rows[i].change)) {
      EXPECT_EQ(r.rows[i].change, plain.rows[i].change);
    }
  }
  EXPECT_EQ(Row(r, "BM_Slow").verdict, BenchmarkVerdict::kNotComparable);
  EXPECT_EQ(Row(r, "BM_Renamed").verdict, BenchmarkVerdict::kMissingInNew);
  EXPECT_EQ(Row(r, "BM_RenamedV2").verdict, BenchmarkVerdict::kNew);
  ASSERT_EQ(r.testbed_notes.size(), 1u);
  EXPECT_EQ(r.testbed_notes[0],
            "time not judged: the baseline holds no run of this testbed "
            "(ci), only 1 run of testbed laptop");
  EXPECT_NE(RenderTable(r, false).find("OTHER TESTBED: time not judged"),
            std::string::npos);
  EXPECT_NE(RenderMarkdown(r).find("Time was **not judged**"),
            std::string::npos);
  EXPECT_NE(RenderJson(r).find("\"testbed_notes\""), std::string::npos);
  EXPECT_NE(RenderJson(r).find("not comparable"), std::string::npos);
}

TEST(BenchmarkTestbeds, FailedRunsStillFailOnAnotherTestbed) {
  const ComparisonReport r = CompareBenchmarks(
      Fixture("old.json", "laptop"), Fixture("new_errors.json", "ci"), {});
  EXPECT_EQ(Row(r, "BM_Slow").verdict, BenchmarkVerdict::kError);
  EXPECT_EQ(Row(r, "BM_Fast").verdict, BenchmarkVerdict::kNotComparable);
  EXPECT_TRUE(r.HasRegression());
}

TEST(BenchmarkTestbeds, SameNameOtherSpeedProbeIsNotComparable) {
  const ComparisonReport r =
      CompareBenchmarks(Fixture("old.json", "ci", 10'000'000),
                        Fixture("new_regressed.json", "ci", 20'000'000), {});
  EXPECT_FALSE(r.HasRegression());
  EXPECT_EQ(Row(r, "BM_Slow").verdict, BenchmarkVerdict::kNotComparable);
  ASSERT_EQ(r.testbed_notes.size(), 1u);
  EXPECT_EQ(r.testbed_notes[0],
            "time not judged: the baseline holds no run of this testbed "
            "(ci), only 1 run of testbed ci [this machine 2.00x slower by "
            "the speed probe]");
}

TEST(BenchmarkTestbeds, UnrecordedOldSideIsNotComparable) {
  const ComparisonReport r = CompareBenchmarks(
      Fixture("old.json", ""), Fixture("new_regressed.json", "ci"), {});
  EXPECT_FALSE(r.HasRegression());
  EXPECT_EQ(Row(r, "BM_Slow").verdict, BenchmarkVerdict::kNotComparable);
  ASSERT_EQ(r.testbed_notes.size(), 1u);
  EXPECT_NE(r.testbed_notes[0].find("an unrecorded testbed"), std::string::npos)
      << r.testbed_notes[0];
}

TEST(BenchmarkTestbeds, SameTestbedAndUnknownNewTestbedAreJudgedAsBefore) {
  const ComparisonReport plain = CompareBenchmarks(
      Fixture("old.json", ""), Fixture("new_regressed.json", ""), {});
  // The new side knows no testbed (a file from elsewhere): judged.
  const ComparisonReport unknown = CompareBenchmarks(
      Fixture("old.json", "laptop"), Fixture("new_regressed.json", ""), {});
  EXPECT_EQ(VerdictsOf(unknown), VerdictsOf(plain));
  EXPECT_TRUE(unknown.HasRegression());
  EXPECT_TRUE(unknown.testbed_notes.empty());
  // The same testbed, probes within the margin: judged.
  const ComparisonReport same =
      CompareBenchmarks(Fixture("old.json", "ci", 10'000'000),
                        Fixture("new_regressed.json", "ci", 12'000'000), {});
  EXPECT_EQ(VerdictsOf(same), VerdictsOf(plain));
  EXPECT_EQ(Row(same, "BM_Slow").verdict, BenchmarkVerdict::kRegression);
  EXPECT_TRUE(same.testbed_notes.empty());
}

TEST(BenchmarkTestbeds, CalibratedComparisonsAreJudgedAcrossTestbeds) {
  CompareOptions cal;
  cal.calibrate = true;
  const ComparisonReport plain = CompareBenchmarks(
      Fixture("cal_old.json", ""), Fixture("cal_new_regressed.json", ""), cal);
  const ComparisonReport r =
      CompareBenchmarks(Fixture("cal_old.json", "laptop"),
                        Fixture("cal_new_regressed.json", "ci"), cal);
  EXPECT_EQ(VerdictsOf(r), VerdictsOf(plain));
  EXPECT_EQ(Row(r, "BM_Slow").verdict, BenchmarkVerdict::kRegression);
  EXPECT_EQ(Row(r, "BM_Fast").verdict, BenchmarkVerdict::kUnchanged);
  EXPECT_TRUE(r.HasRegression());
  EXPECT_TRUE(r.testbed_notes.empty());
}

TEST(BenchmarkTestbeds, CountersAreJudgedAcrossTestbeds) {
  CompareOptions opt;
  opt.metric = TimeMetric::kCounter;
  opt.counter = "instructions";
  const ComparisonReport plain = CompareBenchmarks(
      Fixture("instr_old.json", ""), Fixture("instr_new.json", ""), opt);
  const ComparisonReport r =
      CompareBenchmarks(Fixture("instr_old.json", "laptop"),
                        Fixture("instr_new.json", "ci"), opt);
  EXPECT_EQ(VerdictsOf(r), VerdictsOf(plain));
  EXPECT_EQ(Row(r, "BM_Parse", "instructions").verdict,
            BenchmarkVerdict::kRegression);
  EXPECT_TRUE(r.HasRegression());
  EXPECT_TRUE(r.testbed_notes.empty());
  // The same files judged on time are not.
  const ComparisonReport t = CompareBenchmarks(
      Fixture("instr_old.json", "laptop"), Fixture("instr_new.json", "ci"), {});
  EXPECT_EQ(Row(t, "BM_Parse").verdict, BenchmarkVerdict::kNotComparable);
  EXPECT_EQ(t.testbed_notes.size(), 1u);
}

// Golden: the calibrated Markdown, factor line included.
TEST(BenchmarkCalibration, MarkdownGolden) {
  CompareOptions cal;
  cal.calibrate = true;
  const ComparisonReport r =
      Compare("cal_old.json", "cal_new_regressed.json", cal);
  const std::string md = RenderMarkdown(r);
  const std::string golden_path =
      std::string(PERFCHECK_BENCH_GOLDEN) + "/calibrated.md";
  if (std::getenv("PERFCHECK_UPDATE_GOLDEN") != nullptr) {
    std::ofstream(golden_path) << md;
  }
  EXPECT_EQ(md, ReadAll(golden_path));
}

}  // namespace
}  // namespace perfcheck

namespace perfcheck {
namespace {

// perfcheck result files and directories as inputs, and the kind check.
TEST(BenchmarkCompare, ResultFilesAndDirectories) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() /
      ("perfcheck-compare-test-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  Result old_r("orders");
  Result new_r("orders");
  for (int i = 0; i < 1000; ++i) {
    old_r.latency.Record(200'000 + i * 10);
    new_r.latency.Record(260'000 + i * 13);
  }
  old_r.elapsed_ns = new_r.elapsed_ns = 1'000'000'000;
  ASSERT_TRUE(WriteResultFile(old_r, dir / "old" / "orders.json").ok());
  ASSERT_TRUE(WriteResultFile(new_r, dir / "new" / "orders.json").ok());
  StatusOr<ComparisonReport> files = CompareFiles(
      dir / "old" / "orders.json", dir / "new" / "orders.json", {});
  ASSERT_TRUE(files.ok()) << files.status().message();
  EXPECT_TRUE(files->HasRegression());
  StatusOr<ComparisonReport> dirs = CompareFiles(dir / "old", dir / "new", {});
  ASSERT_TRUE(dirs.ok()) << dirs.status().message();
  // Every metric EXPECT_NO_REGRESSION gates, in its order.
  std::vector<std::string> metrics;
  for (const auto& row : dirs->rows) metrics.push_back(row.metric);
  EXPECT_EQ(metrics, (std::vector<std::string>{"p50", "p95", "p99", "mean",
                                               "throughput", "error_rate"}));
  StatusOr<ComparisonReport> mixed =
      CompareFiles(kDir + "/old.json", dir / "new", {});
  ASSERT_FALSE(mixed.ok());
  EXPECT_NE(
      mixed.status().message().find("cannot compare Google Benchmark JSON"),
      std::string::npos);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace perfcheck
