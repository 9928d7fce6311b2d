// Windowed bounds and the latency-drift check (perfcheck/window_sla.h), on
// series built with a simulated clock: every operation is recorded at a
// chosen offset, so nothing here depends on this machine's speed.
#include "perfcheck/window_sla.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <stdexcept>

namespace perfcheck {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

constexpr Nanos kMs = 1'000'000;
constexpr Nanos kS = 1'000'000'000;

// A run of `run_ns` with `per_second` operations per second, evenly spaced;
// `latency(t)` gives each one's latency (ns) at offset t, `ok(t)` whether it
// succeeded.
Result SimulatedRun(
    Nanos run_ns, int per_second, const std::function<Nanos(Nanos)>& latency,
    const std::function<bool(Nanos)>& ok = [](Nanos) { return true; },
    Nanos interval = kS) {
  Result r("soak");
  r.series = TimeSeries(std::chrono::nanoseconds(interval));
  const Nanos step = kS / per_second;
  for (Nanos t = step / 2; t < run_ns; t += step) {
    const bool success = ok(t);
    const Nanos l = latency(t);
    r.series.Record(t, l, success);
    if (success) {
      r.latency.Record(l);
    } else {
      r.AddError("status_5xx", "500");
    }
  }
  r.series.Finish();
  r.elapsed_ns = run_ns;
  return r;
}

Nanos At(Nanos ms) { return ms * kMs; }

// ---------------------------------------------------------------- windows ----

TEST(WindowSlaTest, FailsTheSlowWindowAHealthyWholeRunHides) {
  // 5 minutes at 10/s, 100 ms, but 2.4 s for 2 s inside the third minute:
  // 20 slow of 3000 (0.7%) leave the run's p99 at 100 ms; 20 of the third
  // window's 600 (3.3%) do not.
  const Result r = SimulatedRun(5 * 60 * kS, 10, [](Nanos t) {
    return t >= 150 * kS && t < 152 * kS ? At(2400) : At(100);
  });
  EXPECT_TRUE(CheckPercentileBelow(r, 99, seconds(2)).passed);
  const WindowCheck c =
      CheckPercentileBelowInEveryWindow(r, 99, minutes(1), seconds(2));
  EXPECT_FALSE(c.passed);
  EXPECT_EQ(c.windows.size(), 5u);
  EXPECT_EQ(c.failed, 1u);
  ASSERT_TRUE(c.worst.has_value());
  EXPECT_EQ(c.windows[*c.worst].number, 3u);
  EXPECT_EQ(c.expected, "p99 < 2 s in every 1m window");
  EXPECT_EQ(c.actual,
            "p99 of window 3 (2m-3m) = " + c.windows[2].check.measured +
                "; 1 of 5 windows failed");
  EXPECT_NEAR(*c.observed, 2.4e9, 0.01 * 2.4e9);  // 2 significant digits
  EXPECT_EQ(c.limit, 2e9);
  EXPECT_EQ(c.summary.rfind("soak: p99 < 2 s in every 1m window -> ", 0), 0u)
      << c.summary;
  EXPECT_TRUE(c.notes.empty());
  for (const WindowVerdict& w : c.windows) {
    EXPECT_EQ(w.ok, 600u);
    EXPECT_EQ(w.span_ns, 60 * kS);
    EXPECT_EQ(w.check.passed, w.number != 3) << w.number;
  }
}

TEST(WindowSlaTest, PassesNamingTheWorstWindow) {
  const Result r = SimulatedRun(3 * 60 * kS, 10, [](Nanos t) {
    return t >= 70 * kS && t < 80 * kS ? At(900) : At(100);
  });
  const WindowCheck c =
      CheckPercentileBelowInEveryWindow(r, 99, minutes(1), seconds(2));
  EXPECT_TRUE(c.passed);
  EXPECT_EQ(c.failed, 0u);
  EXPECT_EQ(c.windows[*c.worst].number, 2u);
  EXPECT_EQ(c.actual, "worst p99 = " + c.windows[1].check.measured +
                          " in window 2 (1m-2m); 0 of 3 windows failed");
  EXPECT_EQ(c.summary.substr(c.summary.size() - 6), "[PASS]");
}

// A partial last window of at least half a window is judged alone; a shorter
// one joins the window before it, so its operations are judged too.
TEST(WindowSlaTest, LastPartialWindowJudgedAloneOrFoldedIn) {
  const Result long_tail =
      SimulatedRun(5 * 60 * kS + 40 * kS, 10, [](Nanos) { return At(100); });
  const WindowCheck a =
      CheckPercentileBelowInEveryWindow(long_tail, 99, minutes(1), seconds(2));
  ASSERT_EQ(a.windows.size(), 6u);
  EXPECT_EQ(a.windows[5].span_ns, 40 * kS);
  EXPECT_EQ(a.windows[5].ok, 400u);
  ASSERT_EQ(a.notes.size(), 1u);
  EXPECT_EQ(a.notes[0], "window 6 (5m-5m40s) is the run's last, partial one");

  // 10 s of tail, all slow: folded into window 5, which fails.
  const Result short_tail =
      SimulatedRun(5 * 60 * kS + 10 * kS, 10,
                   [](Nanos t) { return t >= 300 * kS ? At(3000) : At(100); });
  const WindowCheck b =
      CheckPercentileBelowInEveryWindow(short_tail, 99, minutes(1), seconds(2));
  ASSERT_EQ(b.windows.size(), 5u);
  EXPECT_EQ(b.windows[4].span_ns, 70 * kS);
  EXPECT_EQ(b.windows[4].ok, 700u);
  EXPECT_FALSE(b.passed);
  EXPECT_EQ(b.windows[*b.worst].number, 5u);
  EXPECT_NE(b.actual.find("window 5 (4m-5m10s)"), std::string::npos)
      << b.actual;
  ASSERT_EQ(b.notes.size(), 1u);
  EXPECT_EQ(b.notes[0],
            "window 5 (4m-5m10s) includes the run's last, short window");

  // A run shorter than one window is one partial window.
  const Result short_run =
      SimulatedRun(20 * kS, 10, [](Nanos) { return At(100); });
  const WindowCheck c =
      CheckPercentileBelowInEveryWindow(short_run, 95, minutes(1), seconds(2));
  ASSERT_EQ(c.windows.size(), 1u);
  EXPECT_EQ(c.windows[0].span_ns, 20 * kS);
  EXPECT_TRUE(c.passed);
}

// With fewer than 100 / (100 - q) successes the nearest-rank percentile is
// the window's max: judged on it, never skipped, and said so.
TEST(WindowSlaTest, WindowWithTooFewSamplesIsJudgedOnItsMax) {
  // 1 op/s: 60 per window, fewer than the 100 a p99 needs. One slow op.
  const Result r = SimulatedRun(2 * 60 * kS, 1, [](Nanos t) {
    return t > 90 * kS && t < 91 * kS ? At(2500) : At(100);
  });
  EXPECT_EQ(r.series.Intervals().size(), 120u);
  const WindowCheck p99 =
      CheckPercentileBelowInEveryWindow(r, 99, minutes(1), seconds(2));
  EXPECT_FALSE(p99.passed);
  EXPECT_EQ(p99.windows[*p99.worst].number, 2u);
  ASSERT_EQ(p99.notes.size(), 1u);
  EXPECT_EQ(p99.notes[0],
            "2 of 2 windows had fewer than the 100 successful operations a "
            "p99 needs and were judged on their max (fewest: 60, window 1 "
            "(0s-1m))");
  // One such window is named alone.
  const Result one = SimulatedRun(90 * kS, 2, [](Nanos) { return At(100); });
  const WindowCheck c =
      CheckPercentileBelowInEveryWindow(one, 99, minutes(1), seconds(2));
  ASSERT_EQ(c.notes.size(), 2u);
  EXPECT_EQ(c.notes[0], "window 2 (1m-1m30s) is the run's last, partial one");
  EXPECT_EQ(c.notes[1],
            "window 2 (1m-1m30s) had 60 successful operations, fewer than "
            "the 100 a p99 needs: judged on its max");
  // p95 needs 20: 60 are enough, and one slow op of 60 (1.7%) is under 5%.
  const WindowCheck p95 =
      CheckPercentileBelowInEveryWindow(r, 95, minutes(1), seconds(2));
  EXPECT_TRUE(p95.passed) << p95.actual;
  EXPECT_TRUE(p95.notes.empty());
}

TEST(WindowSlaTest, AWindowWithoutSuccessFails) {
  // Nothing completes in the second minute (a stall).
  Result r = SimulatedRun(3 * 60 * kS, 10, [](Nanos) { return At(100); });
  std::vector<Interval> kept;
  for (const Interval& in : r.series.Intervals()) {
    if (in.start_ns < 60 * kS || in.start_ns >= 120 * kS) {
      kept.push_back(in);
    } else {
      Interval gap;
      gap.start_ns = in.start_ns;
      kept.push_back(gap);
    }
  }
  r.series = TimeSeries::FromIntervals(kS, kept);
  const WindowCheck c =
      CheckPercentileBelowInEveryWindow(r, 99, minutes(1), seconds(2));
  EXPECT_FALSE(c.passed);
  EXPECT_EQ(c.actual,
            "window 2 (1m-2m): no successful operations; 1 of 3 windows "
            "failed");
  EXPECT_FALSE(c.observed.has_value());
  const WindowCheck e = CheckErrorRateBelowInEveryWindow(r, 60 * kS, 0.01);
  EXPECT_FALSE(e.passed);
  EXPECT_EQ(e.actual, "window 2 (1m-2m): no operations; 1 of 3 windows failed");
}

TEST(WindowSlaTest, ErrorRateAndThroughputPerWindow) {
  // Every 10th operation fails during the second minute only: 10% there,
  // 3.3% over the run.
  const Result r = SimulatedRun(
      3 * 60 * kS, 10, [](Nanos) { return At(100); },
      [](Nanos t) {
        return !(t >= 60 * kS && t < 120 * kS && (t / (kS / 10)) % 10 == 0);
      });
  EXPECT_TRUE(CheckErrorRateBelow(r, 0.05).passed);
  const WindowCheck e = CheckErrorRateBelowInEveryWindow(r, 60 * kS, 0.05);
  EXPECT_FALSE(e.passed);
  EXPECT_EQ(e.windows[*e.worst].number, 2u);
  EXPECT_EQ(e.windows[1].errors, 60u);
  EXPECT_NE(e.actual.find("error rate of window 2 (1m-2m) = 10%"),
            std::string::npos)
      << e.actual;

  // 10/s in the first and third minute, 9/s (the failures left out) in the
  // second.
  const WindowCheck fast = CheckThroughputAtLeastInEveryWindow(r, 60 * kS, 9.5);
  EXPECT_FALSE(fast.passed);
  EXPECT_EQ(fast.windows[*fast.worst].number, 2u);
  EXPECT_DOUBLE_EQ(*fast.observed, 9.0);
  EXPECT_TRUE(CheckThroughputAtLeastInEveryWindow(r, 60 * kS, 9).passed);
}

TEST(WindowSlaTest, WindowMustBeAWholeMultipleOfTheSeriesInterval) {
  const Result r = SimulatedRun(10 * kS, 10, [](Nanos) { return At(100); });
  const WindowCheck c = CheckPercentileBelowInEveryWindow(
      r, 99, std::chrono::milliseconds(1500), seconds(2));
  EXPECT_FALSE(c.passed);
  EXPECT_FALSE(c.observed.has_value());
  EXPECT_EQ(c.actual,
            "window 1.5s is not a whole multiple of the series' interval 1s");

  // A series that coarsened (4 intervals at most: 1 s -> 4 s over 10 s).
  Result coarse("soak");
  coarse.series = TimeSeries(seconds(1), 4);
  for (Nanos t = 0; t < 10 * kS; t += kS / 10) {
    coarse.series.Record(t, At(100), true);
    coarse.latency.Record(At(100));
  }
  coarse.series.Finish();
  coarse.elapsed_ns = 10 * kS;
  ASSERT_EQ(coarse.series.IntervalNanos(), 4 * kS);
  const WindowCheck d =
      CheckPercentileBelowInEveryWindow(coarse, 99, seconds(6), seconds(2));
  EXPECT_FALSE(d.passed);
  EXPECT_NE(d.actual.find("series' interval 4s (a long run's series coarsens "
                          "past 4 intervals"),
            std::string::npos)
      << d.actual;
  EXPECT_TRUE(
      CheckPercentileBelowInEveryWindow(coarse, 99, seconds(8), seconds(2))
          .passed);
}

TEST(WindowSlaTest, MisuseThrows) {
  const Result r = SimulatedRun(10 * kS, 10, [](Nanos) { return At(100); });
  EXPECT_THROW(
      static_cast<void>(CheckPercentileBelowInEveryWindow(r, 99, 0, 2 * kS)),
      std::invalid_argument);
  EXPECT_THROW(
      static_cast<void>(CheckPercentileBelowInEveryWindow(r, 101, kS, 2 * kS)),
      std::invalid_argument);
  EXPECT_THROW(static_cast<void>(CheckErrorRateBelowInEveryWindow(r, kS, 1.5)),
               std::invalid_argument);
  EXPECT_THROW(static_cast<void>(SplitIntoWindows(r, -1)),
               std::invalid_argument);
  EXPECT_FALSE(SplitIntoWindows(Result("empty"), kS).ok());
}

TEST(WindowSlaTest, SamplesForPercentileAndOffsets) {
  EXPECT_EQ(SamplesForPercentile(99), 100u);
  EXPECT_EQ(SamplesForPercentile(95), 20u);
  EXPECT_EQ(SamplesForPercentile(99.9), 1000u);
  EXPECT_EQ(SamplesForPercentile(50), 2u);
  EXPECT_EQ(SamplesForPercentile(0), 1u);
  EXPECT_EQ(SamplesForPercentile(100), 1u);
  EXPECT_EQ(SamplesForPercentile(97), 34u);  // 33.3.. -> 34
  EXPECT_EQ(FormatOffset(0), "0s");
  EXPECT_EQ(FormatOffset(120 * kS), "2m");
  EXPECT_EQ(FormatOffset(90 * kS), "1m30s");
  EXPECT_EQ(FormatOffset(500 * kMs), "500ms");
  EXPECT_EQ(FormatOffset(1500 * kMs), "1.5s");
  EXPECT_EQ(FormatOffset(3723 * kS + 500 * kMs), "1h2m3.5s");
}

// ------------------------------------------------------------------ drift ----

// Deterministic noise in [-1, 1] (a fixed LCG, so the test is repeatable).
double Noise(Nanos t) {
  std::uint64_t x = static_cast<std::uint64_t>(t) * 6364136223846793005ULL +
                    1442695040888963407ULL;
  x ^= x >> 33;
  return static_cast<double>(x % 2001) / 1000.0 - 1.0;
}

// 20 windows of 10 s at 10 op/s (100 per window, enough for a p95).
Result DriftRun(const std::function<double(double window_mid_s)>& level_ms,
                double noise_fraction, Nanos run_ns = 200 * kS) {
  const std::uint64_t seed_offset = 7;
  return SimulatedRun(run_ns, 10, [&](Nanos t) {
    const double window_mid = static_cast<double>(t / (10 * kS)) * 10 + 5;
    // One level per window, with window-to-window noise, and spread within.
    const double level =
        level_ms(window_mid) *
        (1 + noise_fraction *
                 Noise(t / (10 * kS) + static_cast<Nanos>(seed_offset)));
    return static_cast<Nanos>(level * 1e6 * (1 + 0.02 * Noise(t)));
  });
}

DriftOptions TenSecondWindows() {
  DriftOptions o;
  o.window = seconds(10);
  return o;
}

TEST(LatencyDriftTest, SteadyRunIsSteady) {
  const LatencyDrift d = AnalyzeLatencyDrift(
      DriftRun([](double) { return 10; }, 0.0), TenSecondWindows());
  EXPECT_EQ(d.verdict, DriftVerdict::kSteady) << d.Describe();
  EXPECT_EQ(d.used, 20u);
  EXPECT_NEAR(d.reference_ns, 10.2e6, 0.3e6);
  EXPECT_LT(std::abs(d.rise), 0.02) << d.Describe();
  EXPECT_EQ(d.Describe().rfind("steady: p95 ", 0), 0u) << d.Describe();
}

TEST(LatencyDriftTest, RisingRunDrifts) {
  // 10 ms -> 20 ms over the run: +100%, far above the allowed 10%.
  const LatencyDrift d = AnalyzeLatencyDrift(
      DriftRun([](double s) { return 10 + 10 * s / 200; }, 0.05),
      TenSecondWindows());
  EXPECT_EQ(d.verdict, DriftVerdict::kDrifting) << d.Describe();
  EXPECT_GT(d.rise_interval.low, 0.10);
  EXPECT_NEAR(d.rise, 0.9, 0.25);  // ~+90% from the first windows' level
  EXPECT_EQ(d.Describe().rfind("drifting: p95 +", 0), 0u) << d.Describe();
  EXPECT_NE(d.Describe().find("allowed +10.0%"), std::string::npos);
  EXPECT_NE(d.Describe().find("20 windows of 10s"), std::string::npos);
}

TEST(LatencyDriftTest, NoisyButFlatRunIsNotDrift) {
  // +-30% from window to window around a flat 10 ms.
  const LatencyDrift d = AnalyzeLatencyDrift(
      DriftRun([](double) { return 10; }, 0.30), TenSecondWindows());
  EXPECT_EQ(d.verdict, DriftVerdict::kSteady) << d.Describe();
  EXPECT_LT(d.rise_interval.low, 0.10);
}

TEST(LatencyDriftTest, RiseBelowTheAllowedOneIsSteady) {
  // An exact +5% over the run: certainly rising, but less than 10%.
  const LatencyDrift d = AnalyzeLatencyDrift(
      DriftRun([](double s) { return 10 * (1 + 0.05 * s / 200); }, 0.0),
      TenSecondWindows());
  EXPECT_EQ(d.verdict, DriftVerdict::kSteady) << d.Describe();
  EXPECT_GT(d.slope_interval.low, 0);
  DriftOptions strict = TenSecondWindows();
  strict.allowed_rise = 0.01;
  EXPECT_EQ(
      AnalyzeLatencyDrift(
          DriftRun([](double s) { return 10 * (1 + 0.05 * s / 200); }, 0.0),
          strict)
          .verdict,
      DriftVerdict::kDrifting);
}

TEST(LatencyDriftTest, TooShortToJudge) {
  const LatencyDrift d = AnalyzeLatencyDrift(
      DriftRun([](double) { return 10; }, 0.0, 40 * kS), TenSecondWindows());
  EXPECT_EQ(d.verdict, DriftVerdict::kInsufficientData);
  EXPECT_EQ(d.used, 4u);
  EXPECT_EQ(d.Describe(),
            "insufficient data: 4 usable windows of 10s (p95 needs 20 "
            "successes each; 4 windows in the run), need 5");
  // Windows too small for the percentile do not count.
  const Result sparse = SimulatedRun(200 * kS, 1, [](Nanos) { return At(10); });
  const LatencyDrift s = AnalyzeLatencyDrift(sparse, TenSecondWindows());
  EXPECT_EQ(s.verdict, DriftVerdict::kInsufficientData);
  EXPECT_EQ(s.windows, 20u);
  EXPECT_EQ(s.used, 0u);
  // A window the series cannot be cut into.
  DriftOptions odd = TenSecondWindows();
  odd.window = std::chrono::milliseconds(2500);
  const LatencyDrift w = AnalyzeLatencyDrift(sparse, odd);
  EXPECT_EQ(w.verdict, DriftVerdict::kInsufficientData);
  EXPECT_NE(w.Describe().find("not a whole multiple"), std::string::npos);
}

TEST(LatencyDriftTest, OptionsOutOfRangeThrow) {
  const Result r = SimulatedRun(10 * kS, 10, [](Nanos) { return At(100); });
  DriftOptions o;
  o.percent = 100;
  EXPECT_THROW(static_cast<void>(AnalyzeLatencyDrift(r, o)),
               std::invalid_argument);
  o = {};
  o.reference_windows = 5;
  EXPECT_THROW(static_cast<void>(AnalyzeLatencyDrift(r, o)),
               std::invalid_argument);
  o = {};
  o.window = std::chrono::seconds(0);
  EXPECT_THROW(static_cast<void>(AnalyzeLatencyDrift(r, o)),
               std::invalid_argument);
}

}  // namespace
}  // namespace perfcheck
