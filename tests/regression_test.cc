#include "perfcheck/regression.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <iostream>
#include <random>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "perfcheck/baseline.h"
#include "perfcheck/format.h"
#include "perfcheck/result.h"

namespace perfcheck {
namespace {

// All data here is synthetic and seeded: the gate is judged by what it says
// about distributions we know, never by this machine's speed.
constexpr int kSeeds = 200;
constexpr int kSamples = 2000;
constexpr Nanos kElapsed = 1'000'000'000;  // 1 s per run: 2000 ops/s

using Sampler = std::function<double(std::mt19937_64&)>;

// Lognormal latencies: median 1 ms, a long right tail.
double Lognormal(std::mt19937_64& rng) {
  std::lognormal_distribution<double> d(std::log(1e6), 0.5);
  return d(rng);
}

// Bimodal latencies: 90% cache hits around 1 ms, 10% misses around 5 ms, so
// p95 and p99 sit in the slow mode and p50 in the fast one.
double Bimodal(std::mt19937_64& rng) {
  std::bernoulli_distribution miss(0.10);
  std::normal_distribution<double> hit_ns(1e6, 1e5);
  std::normal_distribution<double> miss_ns(5e6, 5e5);
  return std::max(1.0, miss(rng) ? miss_ns(rng) : hit_ns(rng));
}

struct RunSpec {
  int samples = kSamples;
  double factor = 1.0;  // multiplies every latency (between-run noise)
  // Multiplies only latencies above `tail_from_ns` (a slower tail).
  double tail_factor = 1.0;
  double tail_from_ns = 0;
  Nanos elapsed_ns = kElapsed;
  int errors = 0;
};

Result MakeRun(std::mt19937_64& rng, const Sampler& sample,
               const RunSpec& spec = {}) {
  Result r("op");
  for (int i = 0; i < spec.samples; ++i) {
    double v = sample(rng) * spec.factor;
    if (spec.tail_factor != 1.0 && v > spec.tail_from_ns) v *= spec.tail_factor;
    r.latency.Record(static_cast<Nanos>(v));
  }
  for (int i = 0; i < spec.errors; ++i) r.AddError("status_5xx", "HTTP 503");
  r.elapsed_ns = spec.elapsed_ns;
  return r;
}

BaselineEntry MakeEntry(std::mt19937_64& rng, const Sampler& sample, int runs,
                        double run_noise = 0.0) {
  BaselineEntry entry;
  entry.name = "op";
  std::uniform_real_distribution<double> factor(1.0 - run_noise,
                                                1.0 + run_noise);
  for (int i = 0; i < runs; ++i) {
    RunSpec spec;
    spec.factor = run_noise > 0 ? factor(rng) : 1.0;
    entry.runs.push_back(MakeBaselineRun(MakeRun(rng, sample, spec)));
  }
  return entry;
}

const MetricComparison& Get(const RegressionReport& report, Metric m) {
  for (const MetricComparison& c : report.metrics) {
    if (c.metric == m) return c;
  }
  throw std::logic_error("metric missing from report");
}

Verdict VerdictOf(const RegressionReport& report, Metric m) {
  return Get(report, m).verdict;
}

struct Distribution {
  const char* name;
  Sampler sample;
};
const Distribution kDistributions[] = {{"lognormal", Lognormal},
                                       {"bimodal", Bimodal}};

// Runs `trials` comparisons per distribution and counts how many of them the
// gate flagged (any metric for A/A, `metric` for detection). The counts are
// printed so docs/regression-method.md can quote them.
struct Tally {
  int trials = 0;
  int regressions = 0;     // report.HasRegression()
  int metric_flagged = 0;  // the watched metric is a regression
  int noisy = 0;           // the watched metric is noisy
  int improvements = 0;    // report.HasImprovement()
};

Tally RunTrials(const Distribution& dist, Metric watched, int baseline_runs,
                double run_noise, const RunSpec& change, int seed_offset) {
  Tally t;
  for (int seed = 0; seed < kSeeds; ++seed) {
    std::mt19937_64 rng(seed_offset * 100'000 + seed);
    // 0 runs means "cycle through 1..5 runs".
    const int runs = baseline_runs > 0 ? baseline_runs : 1 + seed % 5;
    const BaselineEntry entry = MakeEntry(rng, dist.sample, runs, run_noise);
    RunSpec spec = change;
    if (run_noise > 0) {
      std::uniform_real_distribution<double> f(1.0 - run_noise,
                                               1.0 + run_noise);
      spec.factor *= f(rng);
    }
    const RegressionReport report =
        CompareToBaseline(entry, MakeRun(rng, dist.sample, spec));
    ++t.trials;
    t.regressions += report.HasRegression() ? 1 : 0;
    t.improvements += report.HasImprovement() ? 1 : 0;
    t.metric_flagged += VerdictOf(report, watched) == Verdict::kRegression;
    t.noisy += VerdictOf(report, watched) == Verdict::kNoisy;
  }
  return t;
}

void Print(const char* what, const Distribution& dist, const Tally& t) {
  std::cout << "[gate-stats] " << what << " " << dist.name << ": "
            << t.regressions << "/" << t.trials
            << " reports with a regression, " << t.metric_flagged
            << " on the watched metric, " << t.noisy << " noisy, "
            << t.improvements << " improvements\n";
}

// ------------------------------------------------------------ false alarms --

TEST(RegressionGateTest, IdenticalDistributionsAreNeverFlagged) {
  for (const Distribution& dist : kDistributions) {
    const Tally t = RunTrials(dist, Metric::kP95, /*baseline_runs=*/0,
                              /*run_noise=*/0, RunSpec{}, 1);
    Print("A/A, 1-5 runs", dist, t);
    EXPECT_EQ(t.regressions, 0) << dist.name;
    EXPECT_EQ(t.improvements, 0) << dist.name;
  }
}

TEST(RegressionGateTest, ThreePercentSlowerIsNotFlagged) {
  RunSpec slower;
  slower.factor = 1.03;
  for (const Distribution& dist : kDistributions) {
    const Tally t = RunTrials(dist, Metric::kP95, 0, 0, slower, 2);
    Print("+3%, 1-5 runs", dist, t);
    EXPECT_EQ(t.regressions, 0) << dist.name;
  }
}

TEST(RegressionGateTest, BetweenRunNoiseWithFiveRunBandIsNeverFlagged) {
  for (const Distribution& dist : kDistributions) {
    const Tally t =
        RunTrials(dist, Metric::kP95, 5, /*run_noise=*/0.10, RunSpec{}, 3);
    Print("A/A, 5 runs, +-10% run noise", dist, t);
    EXPECT_EQ(t.regressions, 0) << dist.name;
  }
}

// ---------------------------------------------------------------- detection --

TEST(RegressionGateTest, ThirtyPercentSlowerIsFlaggedOnP95) {
  RunSpec slower;
  slower.factor = 1.30;
  for (const Distribution& dist : kDistributions) {
    const Tally t = RunTrials(dist, Metric::kP95, 0, 0, slower, 4);
    Print("+30%, 1-5 runs", dist, t);
    EXPECT_EQ(t.metric_flagged, t.trials) << dist.name;
  }
}

// Only the slow tail gets slower (e.g. a lock on the slow path): p95 and p99
// regress while the median is untouched.
TEST(RegressionGateTest, SlowerTailIsFlaggedOnP95ButNotOnP50) {
  for (const Distribution& dist : kDistributions) {
    int p95 = 0;
    int p50 = 0;
    for (int seed = 0; seed < kSeeds; ++seed) {
      std::mt19937_64 rng(500'000 + seed);
      const BaselineEntry entry = MakeEntry(rng, dist.sample, 1 + seed % 5);
      RunSpec tail;
      tail.tail_factor = 1.30;
      tail.tail_from_ns = entry.runs.front().latency.Percentile(90);
      const RegressionReport report =
          CompareToBaseline(entry, MakeRun(rng, dist.sample, tail));
      p95 += VerdictOf(report, Metric::kP95) == Verdict::kRegression;
      p50 += VerdictOf(report, Metric::kP50) == Verdict::kRegression;
    }
    std::cout << "[gate-stats] +30% above p90, 1-5 runs " << dist.name
              << ": p95 " << p95 << "/" << kSeeds << ", p50 " << p50 << "/"
              << kSeeds << "\n";
    EXPECT_EQ(p95, kSeeds) << dist.name;
    EXPECT_EQ(p50, 0) << dist.name;
  }
}

// With +-10% between-run noise a +30% change is not always credible: a new run
// at the fast end of the noise (x0.9 * 1.3 = 1.17) against a band whose
// slowest run is x1.1 differs from it by only 6%. Most are still caught, and
// nearly all of the rest are reported as noisy rather than as unchanged.
TEST(RegressionGateTest, ThirtyPercentSlowerIsMostlyFlaggedThroughRunNoise) {
  RunSpec slower;
  slower.factor = 1.30;
  for (const Distribution& dist : kDistributions) {
    const Tally t = RunTrials(dist, Metric::kP95, 5, 0.10, slower, 5);
    Print("+30%, 5 runs, +-10% run noise", dist, t);
    EXPECT_GE(t.metric_flagged, t.trials / 2) << dist.name;
    EXPECT_GE(t.metric_flagged + t.noisy, t.trials * 97 / 100) << dist.name;
  }
}

TEST(RegressionGateTest, ImprovementIsReported) {
  RunSpec faster;
  faster.factor = 0.70;
  for (const Distribution& dist : kDistributions) {
    const Tally t = RunTrials(dist, Metric::kP95, 0, 0, faster, 6);
    Print("-30%, 1-5 runs", dist, t);
    EXPECT_EQ(t.improvements, t.trials) << dist.name;
    EXPECT_EQ(t.regressions, 0) << dist.name;
  }
  std::mt19937_64 rng(7);
  const BaselineEntry entry = MakeEntry(rng, Lognormal, 3);
  const RegressionReport report =
      CompareToBaseline(entry, MakeRun(rng, Lognormal, faster));
  // p99 of 2000 samples has a wide interval (ranks 1969..1993); the others
  // are precise enough to call a 30% improvement in every case.
  EXPECT_NE(VerdictOf(report, Metric::kP99), Verdict::kRegression);
  for (Metric m : {Metric::kP50, Metric::kP95, Metric::kMean}) {
    EXPECT_EQ(VerdictOf(report, m), Verdict::kImprovement)
        << MetricName(m) << "\n"
        << report.Describe();
    EXPECT_LT(Get(report, m).change, -0.2);
  }
  EXPECT_FALSE(report.HasRegression());
  EXPECT_TRUE(report.HasImprovement());
}

// ------------------------------------------------------- report contents --

TEST(RegressionGateTest, ReportHoldsReferenceBandAndInterval) {
  std::mt19937_64 rng(11);
  BaselineEntry entry = MakeEntry(rng, Lognormal, 3, 0.10);
  const Result now = MakeRun(rng, Lognormal);
  const RegressionReport report = CompareToBaseline(entry, now);
  EXPECT_EQ(report.baseline_runs, 3u);
  ASSERT_EQ(report.metrics.size(), std::size(kGatedMetrics));
  std::vector<double> p95s;
  for (const BaselineRun& run : entry.runs)
    p95s.push_back(run.metrics.at(Metric::kP95));
  std::sort(p95s.begin(), p95s.end());
  const MetricComparison& c = Get(report, Metric::kP95);
  EXPECT_EQ(c.baseline, p95s[1]);  // median of three
  EXPECT_EQ(c.band_low, p95s[0]);
  EXPECT_EQ(c.band_high, p95s[2]);
  EXPECT_EQ(c.measured, static_cast<double>(now.latency.Percentile(95)));
  EXPECT_LT(c.measured_low, c.measured);
  EXPECT_GT(c.measured_high, c.measured);
  EXPECT_DOUBLE_EQ(c.change, c.measured / c.baseline - 1);
  EXPECT_EQ(c.tolerance, 0.10);
  EXPECT_EQ(Get(report, Metric::kErrorRate).tolerance, 0.01);
}

TEST(RegressionGateTest, EmptyBaselineEntryThrows) {
  BaselineEntry entry;
  entry.name = "op";
  EXPECT_THROW(CompareToBaseline(entry, Result("op")), std::invalid_argument);
}

TEST(RegressionGateTest, InvalidOptionsThrow) {
  std::mt19937_64 rng(12);
  BaselineEntry entry = MakeEntry(rng, Lognormal, 1);
  const Result now = MakeRun(rng, Lognormal);
  GateOptions bad_confidence;
  bad_confidence.confidence = 1.0;
  EXPECT_THROW(CompareToBaseline(entry, now, bad_confidence),
               std::invalid_argument);
  GateOptions negative;
  negative.tolerances[Metric::kP99] = -0.1;
  EXPECT_THROW(CompareToBaseline(entry, now, negative), std::invalid_argument);
}

// ------------------------------------------------------ insufficient data --

TEST(RegressionGateTest, TooFewSamplesInTheNewRunIsInsufficientData) {
  std::mt19937_64 rng(13);
  const BaselineEntry entry = MakeEntry(rng, Lognormal, 3);
  RunSpec tiny;
  tiny.samples = 10;
  tiny.factor = 3.0;  // even a large change is not judged from 10 samples
  const RegressionReport report =
      CompareToBaseline(entry, MakeRun(rng, Lognormal, tiny));
  for (Metric m : kGatedMetrics) {
    EXPECT_EQ(VerdictOf(report, m), Verdict::kInsufficientData)
        << MetricName(m);
  }
  EXPECT_FALSE(report.HasRegression());
  EXPECT_GT(Get(report, Metric::kP95).change, 1.0);  // still shown
}

TEST(RegressionGateTest, TooFewSamplesInTheBaselineIsInsufficientData) {
  std::mt19937_64 rng(14);
  BaselineEntry entry;
  entry.name = "op";
  RunSpec tiny;
  tiny.samples = 19;
  entry.runs.push_back(MakeBaselineRun(MakeRun(rng, Lognormal, tiny)));
  RunSpec slower;
  slower.factor = 2.0;
  const RegressionReport report =
      CompareToBaseline(entry, MakeRun(rng, Lognormal, slower));
  for (Metric m : kGatedMetrics) {
    EXPECT_EQ(VerdictOf(report, m), Verdict::kInsufficientData)
        << MetricName(m);
  }
  // The threshold is an option.
  GateOptions lenient;
  lenient.min_samples = 10;
  EXPECT_EQ(VerdictOf(CompareToBaseline(entry, MakeRun(rng, Lognormal, slower),
                                        lenient),
                      Metric::kP50),
            Verdict::kRegression);
}

TEST(RegressionGateTest, SmallRunsInTheBandAreLeftOut) {
  std::mt19937_64 rng(15);
  BaselineEntry entry = MakeEntry(rng, Lognormal, 2);
  // A 5-sample run with wild values would widen the band to anything.
  RunSpec tiny;
  tiny.samples = 5;
  tiny.factor = 10.0;
  entry.runs.push_back(MakeBaselineRun(MakeRun(rng, Lognormal, tiny)));
  RunSpec slower;
  slower.factor = 1.5;
  const RegressionReport report =
      CompareToBaseline(entry, MakeRun(rng, Lognormal, slower));
  EXPECT_EQ(VerdictOf(report, Metric::kP50), Verdict::kRegression);
  EXPECT_LT(Get(report, Metric::kP50).band_high, 2e6);
  EXPECT_EQ(report.baseline_runs, 3u);
}

// -------------------------------------------------------------- tolerances --

TEST(RegressionGateTest, ToleranceOverridesEntryBeatsOptionsBeatsDefault) {
  std::mt19937_64 rng(16);
  BaselineEntry entry = MakeEntry(rng, Lognormal, 3);
  RunSpec slower;
  slower.factor = 1.30;
  const Result now = MakeRun(rng, Lognormal, slower);

  EXPECT_EQ(VerdictOf(CompareToBaseline(entry, now), Metric::kP95),
            Verdict::kRegression);

  GateOptions loose;
  loose.tolerance = 0.50;  // every relative metric
  RegressionReport report = CompareToBaseline(entry, now, loose);
  EXPECT_EQ(VerdictOf(report, Metric::kP95), Verdict::kUnchanged);
  EXPECT_EQ(Get(report, Metric::kP95).tolerance, 0.50);

  GateOptions p95_only;
  p95_only.tolerances[Metric::kP95] = 0.50;
  report = CompareToBaseline(entry, now, p95_only);
  EXPECT_EQ(VerdictOf(report, Metric::kP95), Verdict::kUnchanged);
  EXPECT_EQ(VerdictOf(report, Metric::kP50), Verdict::kRegression);

  // The baseline file's own tolerance wins over the gate's options.
  entry.tolerances[Metric::kP95] = 0.10;
  report = CompareToBaseline(entry, now, p95_only);
  EXPECT_EQ(VerdictOf(report, Metric::kP95), Verdict::kRegression);
  EXPECT_EQ(Get(report, Metric::kP95).tolerance, 0.10);

  entry.tolerances[Metric::kP95] = 0.60;
  report = CompareToBaseline(entry, now);
  EXPECT_EQ(VerdictOf(report, Metric::kP95), Verdict::kUnchanged);
}

// ------------------------------------------------------------- throughput --

Result FixedRun(Nanos elapsed_ns, int errors = 0, int samples = kSamples) {
  Result r("op");
  r.latency.RecordN(1'000'000, static_cast<std::uint64_t>(samples));
  for (int i = 0; i < errors; ++i) r.AddError("timeout", "deadline exceeded");
  r.elapsed_ns = elapsed_ns;
  return r;
}

BaselineEntry EntryOf(std::initializer_list<Result> runs) {
  BaselineEntry entry;
  entry.name = "op";
  for (const Result& r : runs) entry.runs.push_back(MakeBaselineRun(r));
  return entry;
}

TEST(RegressionGateTest, ThroughputLowerIsWorse) {
  const BaselineEntry entry = EntryOf({FixedRun(kElapsed)});  // 2000/s
  EXPECT_EQ(VerdictOf(CompareToBaseline(entry, FixedRun(kElapsed * 3 / 2)),
                      Metric::kThroughput),
            Verdict::kRegression);  // 1333/s
  EXPECT_EQ(VerdictOf(CompareToBaseline(entry, FixedRun(kElapsed / 2)),
                      Metric::kThroughput),
            Verdict::kImprovement);  // 4000/s
  EXPECT_EQ(VerdictOf(CompareToBaseline(entry, FixedRun(kElapsed * 105 / 100)),
                      Metric::kThroughput),
            Verdict::kUnchanged);  // -5%
  const RegressionReport report =
      CompareToBaseline(entry, FixedRun(kElapsed * 2));
  EXPECT_DOUBLE_EQ(Get(report, Metric::kThroughput).change, -0.5);
  EXPECT_EQ(VerdictOf(report, Metric::kP95), Verdict::kUnchanged);
}

TEST(RegressionGateTest, ThroughputInsideAWideBandIsNoisy) {
  // Runs at 2000, 2000, 2000, 1333, 1333 ops/s: median 2000.
  const BaselineEntry entry =
      EntryOf({FixedRun(kElapsed), FixedRun(kElapsed), FixedRun(kElapsed),
               FixedRun(kElapsed * 3 / 2), FixedRun(kElapsed * 3 / 2)});
  const RegressionReport report =
      CompareToBaseline(entry, FixedRun(kElapsed * 13 / 10));  // 1538/s
  const MetricComparison& c = Get(report, Metric::kThroughput);
  EXPECT_EQ(c.verdict, Verdict::kNoisy);
  EXPECT_NEAR(c.band_low, 2000.0 / 1.5, 1e-6);
  EXPECT_NEAR(c.band_high, 2000.0, 1e-6);
  // Credible once below the slowest recorded run by the tolerance too
  // (1333/s * 0.9 = 1200/s); 1111/s is.
  EXPECT_EQ(VerdictOf(CompareToBaseline(entry, FixedRun(kElapsed * 16 / 10)),
                      Metric::kThroughput),
            Verdict::kNoisy);
  EXPECT_EQ(VerdictOf(CompareToBaseline(entry, FixedRun(kElapsed * 18 / 10)),
                      Metric::kThroughput),
            Verdict::kRegression);
}

TEST(RegressionGateTest, OneStallIsNotAThroughputRegression) {
  // Closed loop, one worker: elapsed = sum of latencies (Little's law).
  auto closed_loop = [](std::mt19937_64& rng, double factor, Nanos stall) {
    Result r("op");
    for (int i = 0; i < kSamples; ++i) {
      const auto v = static_cast<Nanos>(Lognormal(rng) * factor);
      r.latency.Record(v);
      r.elapsed_ns += v;
    }
    if (stall > 0) {
      r.latency.Record(stall);
      r.elapsed_ns += stall;
    }
    return r;
  };
  std::mt19937_64 rng(7);
  BaselineEntry entry;
  entry.name = "op";
  for (int i = 0; i < 5; ++i) {
    entry.runs.push_back(MakeBaselineRun(closed_loop(rng, 1.0, 0)));
  }
  // One 2.5 s pause in a ~2.3 s run halves the throughput, but the mean
  // latency's interval (and so the throughput's) now spans the baseline: a
  // stall, not a credible regression.
  const RegressionReport stalled =
      CompareToBaseline(entry, closed_loop(rng, 1.0, 2'500'000'000));
  const MetricComparison& t = Get(stalled, Metric::kThroughput);
  EXPECT_LT(t.change, -0.4);
  EXPECT_NE(t.verdict, Verdict::kRegression);
  EXPECT_GT(t.measured_high, t.baseline);
  EXPECT_LT(t.measured_low, t.measured);
  // Every operation 50% slower: the interval moves with it and is narrow.
  const RegressionReport slower =
      CompareToBaseline(entry, closed_loop(rng, 1.5, 0));
  EXPECT_EQ(VerdictOf(slower, Metric::kThroughput), Verdict::kRegression);
  EXPECT_LT(Get(slower, Metric::kThroughput).measured_high,
            Get(slower, Metric::kThroughput).baseline * 0.8);
}

TEST(RegressionGateTest, ThroughputWithoutElapsedTimeIsInsufficientData) {
  const BaselineEntry entry = EntryOf({FixedRun(kElapsed)});
  EXPECT_EQ(
      VerdictOf(CompareToBaseline(entry, FixedRun(0)), Metric::kThroughput),
      Verdict::kInsufficientData);
}

// ------------------------------------------------------------- error rate --

TEST(RegressionGateTest, ErrorRateUsesAnAbsoluteTolerance) {
  const BaselineEntry clean = EntryOf({FixedRun(kElapsed), FixedRun(kElapsed)});
  // 100 errors in 2100 operations: 4.8%, far beyond 0% + 1 point.
  RegressionReport report = CompareToBaseline(clean, FixedRun(kElapsed, 100));
  const MetricComparison& c = Get(report, Metric::kErrorRate);
  EXPECT_EQ(c.verdict, Verdict::kRegression);
  EXPECT_NEAR(c.change, 100.0 / 2100.0, 1e-12);  // points, not a ratio
  EXPECT_GT(c.measured_low, 0.01);
  // 10 errors: 0.5%, within one point.
  EXPECT_EQ(VerdictOf(CompareToBaseline(clean, FixedRun(kElapsed, 10)),
                      Metric::kErrorRate),
            Verdict::kUnchanged);
  // 30 errors: 1.48%, worse than one point but its interval reaches below it.
  report = CompareToBaseline(clean, FixedRun(kElapsed, 30));
  EXPECT_EQ(VerdictOf(report, Metric::kErrorRate), Verdict::kNoisy);
  EXPECT_LT(Get(report, Metric::kErrorRate).measured_low, 0.01);
  // A looser absolute tolerance.
  GateOptions loose;
  loose.error_rate_tolerance = 0.10;
  EXPECT_EQ(VerdictOf(CompareToBaseline(clean, FixedRun(kElapsed, 100), loose),
                      Metric::kErrorRate),
            Verdict::kUnchanged);
}

TEST(RegressionGateTest, ErrorRateImprovementAndBaselineInterval) {
  // Baseline at 10% errors (222 of 2222).
  const BaselineEntry flaky = EntryOf({FixedRun(kElapsed, 222)});
  EXPECT_EQ(VerdictOf(CompareToBaseline(flaky, FixedRun(kElapsed, 0)),
                      Metric::kErrorRate),
            Verdict::kImprovement);
  // 12% is two points worse than 10%, but within the baseline run's own
  // Wilson interval at 99% (about 8.4%..11.8% for 2222 trials) plus the new
  // run's: not credible.
  EXPECT_NE(VerdictOf(CompareToBaseline(flaky, FixedRun(kElapsed, 273)),
                      Metric::kErrorRate),
            Verdict::kRegression);
  EXPECT_EQ(VerdictOf(CompareToBaseline(flaky, FixedRun(kElapsed, 700)),
                      Metric::kErrorRate),
            Verdict::kRegression);
}

// -------------------------------------------------- Describe and machines --

TEST(RegressionGateTest, DescribeListsMetricsValuesAndVerdicts) {
  std::mt19937_64 rng(17);
  const BaselineEntry entry = MakeEntry(rng, Lognormal, 2);
  RunSpec slower;
  slower.factor = 1.5;
  slower.elapsed_ns = kElapsed;
  const RegressionReport report =
      CompareToBaseline(entry, MakeRun(rng, Lognormal, slower));
  const std::string text = report.Describe();
  for (const char* needle :
       {"metric", "baseline [band]", "measured [interval]", "change", "verdict",
        "p50", "p95", "p99", "mean", "throughput", "error_rate", "regression",
        "unchanged", "2 recorded runs", "2000.0/s", "+0.00 pts"}) {
    EXPECT_NE(text.find(needle), std::string::npos)
        << "missing '" << needle << "' in\n"
        << text;
  }
  const MetricComparison& p95 = Get(report, Metric::kP95);
  EXPECT_NE(text.find(FormatNanos(p95.baseline)), std::string::npos) << text;
  EXPECT_NE(text.find(FormatNanos(p95.measured)), std::string::npos) << text;
  char change[32];
  std::snprintf(change, sizeof change, "%+.1f%%", p95.change * 100);
  EXPECT_NE(text.find(change), std::string::npos) << text;
  EXPECT_EQ(text.find("machine differs"), std::string::npos) << text;
  // A fixed-width table: every row of it has its verdict column aligned.
  const std::size_t header = text.find("  metric");
  const std::size_t verdict_col = text.find("verdict", header) - header;
  const std::size_t p95_row = text.find("  p95 ");
  EXPECT_EQ(text.substr(p95_row + verdict_col, 10), "regression") << text;
}

TEST(RegressionGateTest, MachineDifferencesComeFromTheNewestBaselineRun) {
  std::mt19937_64 rng(18);
  BaselineEntry entry = MakeEntry(rng, Lognormal, 2);
  entry.runs.front().fingerprint.cores = 64;  // older run: ignored
  entry.runs.back().fingerprint.cores = 8;
  entry.runs.back().fingerprint.cpu_governor = "performance";
  Result now = MakeRun(rng, Lognormal);
  now.fingerprint.cores = 2;
  now.fingerprint.cpu_governor = "performance";
  const RegressionReport report = CompareToBaseline(entry, now);
  ASSERT_EQ(report.machine_differences.size(), 1u);
  EXPECT_EQ(report.machine_differences[0], "cores: 8 -> 2");
  EXPECT_NE(
      report.Describe().find("machine differs from baseline: cores: 8 -> 2"),
      std::string::npos)
      << report.Describe();
  now.fingerprint.cores = 8;
  EXPECT_TRUE(CompareToBaseline(entry, now).machine_differences.empty());
}

// --------------------------------------------------------------- testbeds --

// kSamples operations spread evenly over [low, 1.2 * low), run back to back
// (elapsed = their sum), measured on `testbed` with speed probe `probe_ns`
// (0: unknown), plus `errors` failures. Fixed values: no randomness.
Result BedRun(Nanos low, const std::string& testbed, double probe_ns = 0,
              int errors = 0) {
  Result r("op");
  for (int i = 0; i < kSamples; ++i) {
    const Nanos v = low + low * i / (5 * kSamples);
    r.latency.Record(v);
    r.elapsed_ns += v;
  }
  for (int i = 0; i < errors; ++i) r.AddError("status_5xx", "HTTP 503");
  r.fingerprint.testbed = testbed;
  r.fingerprint.speed_probe_ns = probe_ns;
  return r;
}

constexpr Metric kTimeMetrics[] = {Metric::kP50, Metric::kP95, Metric::kP99,
                                   Metric::kMean, Metric::kThroughput};

void ExpectTimeNotComparable(const RegressionReport& report) {
  for (Metric m : kTimeMetrics) {
    EXPECT_EQ(VerdictOf(report, m), Verdict::kNotComparable)
        << MetricName(m) << "\n"
        << report.Describe();
  }
  EXPECT_FALSE(report.TimeJudged());
}

TEST(RegressionTestbedTest, AnotherTestbedsTimeIsNotComparable) {
  const BaselineEntry laptop =
      EntryOf({BedRun(1'000'000, "laptop"), BedRun(1'000'000, "laptop"),
               BedRun(1'000'000, "laptop")});
  // Twice as slow and twice as fast: neither is judged.
  for (Nanos low : {Nanos{2'000'000}, Nanos{500'000}}) {
    SCOPED_TRACE(low);
    const RegressionReport report =
        CompareToBaseline(laptop, BedRun(low, "ci"));
    ASSERT_EQ(report.metrics.size(), std::size(kGatedMetrics));
    ExpectTimeNotComparable(report);
    EXPECT_EQ(VerdictOf(report, Metric::kErrorRate), Verdict::kUnchanged);
    EXPECT_FALSE(report.HasRegression());
    EXPECT_FALSE(report.HasImprovement());
    EXPECT_EQ(report.testbed, "ci");
    EXPECT_EQ(report.testbed_runs, 0u);
    EXPECT_EQ(report.baseline_runs, 3u);
    EXPECT_EQ(
        report.other_testbeds,
        (std::vector<std::pair<std::string, std::size_t>>{{"laptop", 3}}));
    EXPECT_EQ(report.TestbedNote(),
              "time not judged: the baseline holds no run of this testbed "
              "(ci), only 3 runs of testbed laptop");
    // The values are still shown, for information.
    const double expected_change = low > 1'000'000 ? 1.0 : -0.5;
    EXPECT_NEAR(Get(report, Metric::kP50).change, expected_change, 0.01);
    const std::string text = report.Describe();
    EXPECT_NE(text.find(report.TestbedNote()), std::string::npos) << text;
    EXPECT_NE(text.find("not comparable"), std::string::npos) << text;
    EXPECT_NE(text.find("0 of this testbed (ci)"), std::string::npos) << text;
  }
}

TEST(RegressionTestbedTest, SameNameButOtherSpeedProbeIsNotComparable) {
  const BaselineEntry ci = EntryOf({BedRun(1'000'000, "ci", 10'000'000),
                                    BedRun(1'000'000, "ci", 10'000'000),
                                    BedRun(1'000'000, "ci", 10'000'000)});
  // This machine's probe took twice as long: a slower VM of the same name.
  RegressionReport report =
      CompareToBaseline(ci, BedRun(2'000'000, "ci", 20'000'000));
  ExpectTimeNotComparable(report);
  EXPECT_FALSE(report.HasRegression());
  EXPECT_EQ(report.testbed_runs, 0u);
  EXPECT_EQ(report.TestbedNote(),
            "time not judged: the baseline holds no run of this testbed (ci), "
            "only 3 runs of testbed ci [this machine 2.00x slower by the "
            "speed probe]");
  EXPECT_NE(report.TestbedNote().find("speed probe"), std::string::npos);

  // And twice as fast.
  report = CompareToBaseline(ci, BedRun(500'000, "ci", 5'000'000));
  ExpectTimeNotComparable(report);
  EXPECT_FALSE(report.HasImprovement());
  EXPECT_NE(report.TestbedNote().find("2.00x faster by the speed probe"),
            std::string::npos)
      << report.TestbedNote();

  // Within the margin (1.2x) it is the same testbed, and judged.
  report = CompareToBaseline(ci, BedRun(2'000'000, "ci", 12'000'000));
  EXPECT_TRUE(report.TimeJudged());
  EXPECT_EQ(VerdictOf(report, Metric::kP50), Verdict::kRegression);
  // An unknown probe on either side does not split a testbed.
  report = CompareToBaseline(ci, BedRun(2'000'000, "ci", 0));
  EXPECT_TRUE(report.TimeJudged());
  EXPECT_EQ(VerdictOf(report, Metric::kP50), Verdict::kRegression);
}

TEST(RegressionTestbedTest, SameTestbedUnchangedIsNoRegression) {
  const BaselineEntry ci = EntryOf({BedRun(1'000'000, "ci", 10'000'000),
                                    BedRun(1'000'000, "ci", 10'000'000),
                                    BedRun(1'000'000, "ci", 10'000'000)});
  const RegressionReport report =
      CompareToBaseline(ci, BedRun(1'000'000, "ci", 10'500'000));
  for (Metric m : kGatedMetrics) {
    EXPECT_EQ(VerdictOf(report, m), Verdict::kUnchanged) << MetricName(m);
  }
  EXPECT_FALSE(report.HasRegression());
  EXPECT_FALSE(report.HasImprovement());
  EXPECT_TRUE(report.TimeJudged());
  EXPECT_EQ(report.TestbedNote(), "");
  EXPECT_EQ(report.testbed, "ci");
  EXPECT_EQ(report.testbed_runs, 3u);
  EXPECT_TRUE(report.other_testbeds.empty());
  EXPECT_NE(report.Describe().find("3 of this testbed (ci)"), std::string::npos)
      << report.Describe();
}

TEST(RegressionTestbedTest, SameTestbedTwiceAsSlowIsARegression) {
  const BaselineEntry ci = EntryOf({BedRun(1'000'000, "ci", 10'000'000),
                                    BedRun(1'000'000, "ci", 10'000'000),
                                    BedRun(1'000'000, "ci", 10'000'000)});
  const RegressionReport report =
      CompareToBaseline(ci, BedRun(2'000'000, "ci", 10'000'000));
  EXPECT_TRUE(report.TimeJudged());
  EXPECT_TRUE(report.HasRegression());
  for (Metric m : kTimeMetrics) {
    EXPECT_EQ(VerdictOf(report, m), Verdict::kRegression) << MetricName(m);
  }
  EXPECT_EQ(VerdictOf(report, Metric::kErrorRate), Verdict::kUnchanged);
}

TEST(RegressionTestbedTest, EachTestbedIsJudgedAgainstItsOwnRuns) {
  // One entry, two testbeds: a fast laptop and a CI runner twice as slow.
  const BaselineEntry entry =
      EntryOf({BedRun(1'000'000, "laptop"), BedRun(2'000'000, "ci"),
               BedRun(1'000'000, "laptop"), BedRun(2'000'000, "ci"),
               BedRun(1'000'000, "laptop"), BedRun(2'000'000, "ci")});
  const Result ci_speed = BedRun(2'000'000, "ci");

  // On CI, CI's speed is no change.
  const RegressionReport on_ci = CompareToBaseline(entry, ci_speed);
  EXPECT_FALSE(on_ci.HasRegression()) << on_ci.Describe();
  EXPECT_FALSE(on_ci.HasImprovement()) << on_ci.Describe();
  for (Metric m : kGatedMetrics) {
    EXPECT_EQ(VerdictOf(on_ci, m), Verdict::kUnchanged) << MetricName(m);
  }
  EXPECT_EQ(on_ci.baseline_runs, 6u);
  EXPECT_EQ(on_ci.testbed_runs, 3u);
  EXPECT_EQ(on_ci.other_testbeds,
            (std::vector<std::pair<std::string, std::size_t>>{{"laptop", 3}}));
  EXPECT_EQ(Get(on_ci, Metric::kP50).baseline,
            static_cast<double>(ci_speed.latency.Percentile(50)));

  // The same values measured on the laptop are twice as slow as the laptop.
  Result laptop_at_ci_speed = ci_speed;
  laptop_at_ci_speed.fingerprint.testbed = "laptop";
  const RegressionReport on_laptop =
      CompareToBaseline(entry, laptop_at_ci_speed);
  EXPECT_TRUE(on_laptop.HasRegression());
  EXPECT_EQ(VerdictOf(on_laptop, Metric::kP50), Verdict::kRegression)
      << on_laptop.Describe();
  EXPECT_EQ(on_laptop.testbed_runs, 3u);
  EXPECT_EQ(on_laptop.other_testbeds,
            (std::vector<std::pair<std::string, std::size_t>>{{"ci", 3}}));
  EXPECT_NEAR(Get(on_laptop, Metric::kP50).change, 1.0, 0.01);

  // And the laptop's speed on CI is an improvement, not a regression.
  const RegressionReport fast_ci =
      CompareToBaseline(entry, BedRun(1'000'000, "ci"));
  EXPECT_FALSE(fast_ci.HasRegression());
  EXPECT_EQ(VerdictOf(fast_ci, Metric::kP50), Verdict::kImprovement);
}

TEST(RegressionTestbedTest, ErrorRateIsJudgedAcrossTestbeds) {
  const BaselineEntry laptop =
      EntryOf({BedRun(1'000'000, "laptop"), BedRun(1'000'000, "laptop")});
  // 0% -> 20% errors (500 of 2500 operations) on another testbed.
  const RegressionReport report =
      CompareToBaseline(laptop, BedRun(1'000'000, "ci", 0, 500));
  ExpectTimeNotComparable(report);
  const MetricComparison& e = Get(report, Metric::kErrorRate);
  EXPECT_EQ(e.verdict, Verdict::kRegression) << report.Describe();
  EXPECT_NEAR(e.measured, 0.2, 1e-12);
  EXPECT_EQ(e.baseline, 0.0);
  EXPECT_TRUE(report.HasRegression());
  // Fewer errors than before is judged across testbeds too.
  const BaselineEntry flaky = EntryOf({BedRun(1'000'000, "laptop", 0, 500)});
  const RegressionReport better =
      CompareToBaseline(flaky, BedRun(1'000'000, "ci"));
  EXPECT_EQ(VerdictOf(better, Metric::kErrorRate), Verdict::kImprovement);
  EXPECT_TRUE(better.HasImprovement());
  EXPECT_FALSE(better.TimeJudged());
}

TEST(RegressionTestbedTest, UnrecordedRunsAreNotComparableWithATestbed) {
  // Runs read from a v1 file carry no testbed.
  const BaselineEntry v1 =
      EntryOf({BedRun(1'000'000, ""), BedRun(1'000'000, "")});
  const RegressionReport report =
      CompareToBaseline(v1, BedRun(2'000'000, "ci", 12'000'000));
  ExpectTimeNotComparable(report);
  EXPECT_FALSE(report.HasRegression());
  EXPECT_EQ(VerdictOf(report, Metric::kErrorRate), Verdict::kUnchanged);
  EXPECT_EQ(
      report.other_testbeds,
      (std::vector<std::pair<std::string, std::size_t>>{{"(unrecorded)", 2}}));
  EXPECT_EQ(report.TestbedNote(),
            "time not judged: the baseline holds no run of this testbed (ci), "
            "only 2 runs of an unrecorded testbed (recorded before testbeds)");

  // Neither side knows its testbed: judged as before testbeds.
  const RegressionReport both_unknown =
      CompareToBaseline(v1, BedRun(2'000'000, ""));
  EXPECT_TRUE(both_unknown.TimeJudged());
  EXPECT_EQ(VerdictOf(both_unknown, Metric::kP50), Verdict::kRegression);
  EXPECT_EQ(both_unknown.testbed_runs, 2u);
  EXPECT_EQ(both_unknown.TestbedNote(), "");
}

TEST(RegressionTestbedTest, NoteListsEveryOtherTestbed) {
  const BaselineEntry entry =
      EntryOf({BedRun(1'000'000, ""), BedRun(1'000'000, "laptop"),
               BedRun(1'000'000, "laptop")});
  const RegressionReport report =
      CompareToBaseline(entry, BedRun(1'000'000, "auto-1a2b3c4d"));
  ExpectTimeNotComparable(report);
  EXPECT_EQ(report.TestbedNote(),
            "time not judged: the baseline holds no run of this testbed "
            "(auto-1a2b3c4d), only 1 run of an unrecorded testbed (recorded "
            "before testbeds), 2 runs of testbed laptop");
}

TEST(VerdictNameTest, NamesEveryVerdict) {
  EXPECT_EQ(VerdictName(Verdict::kUnchanged), "unchanged");
  EXPECT_EQ(VerdictName(Verdict::kRegression), "regression");
  EXPECT_EQ(VerdictName(Verdict::kImprovement), "improvement");
  EXPECT_EQ(VerdictName(Verdict::kNoisy), "noisy");
  EXPECT_EQ(VerdictName(Verdict::kInsufficientData), "insufficient data");
  EXPECT_EQ(VerdictName(Verdict::kNotComparable), "not comparable");
  EXPECT_EQ(VerdictName(Verdict::kError), "error");
  EXPECT_EQ(VerdictName(Verdict::kMissingInNew), "missing in new");
  EXPECT_EQ(VerdictName(Verdict::kNew), "new");
  EXPECT_EQ(VerdictName(Verdict::kCalibration), "calibration");
}

TEST(VerdictNameTest, OnlyRegressionAndErrorFail) {
  EXPECT_TRUE(IsFailure(Verdict::kRegression));
  EXPECT_TRUE(IsFailure(Verdict::kError));
  for (Verdict v :
       {Verdict::kUnchanged, Verdict::kImprovement, Verdict::kNoisy,
        Verdict::kInsufficientData, Verdict::kNotComparable,
        Verdict::kMissingInNew, Verdict::kNew, Verdict::kCalibration}) {
    EXPECT_FALSE(IsFailure(v)) << VerdictName(v);
  }
}

}  // namespace
}  // namespace perfcheck
