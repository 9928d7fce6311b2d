#include "perfcheck/window_sla.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <optional>
#include <stdexcept>
#include <utility>

#include "perfcheck/format.h"

namespace perfcheck {
namespace {

constexpr Nanos kSecond = 1'000'000'000;

std::string DisplayName(const Result& r) {
  return r.name.empty() ? "(unnamed)" : r.name;
}

std::string Words(std::string metric) {
  for (char& c : metric) {
    if (c == '_') c = ' ';
  }
  return metric;
}

std::string WindowPlace(const WindowVerdict& w) {
  return "window " + std::to_string(w.number) + " (" +
         FormatOffset(w.start_ns) + "-" + FormatOffset(w.start_ns + w.span_ns) +
         ")";
}

std::string SignedPercent(double fraction) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%+.1f%%", 100 * fraction);
  return buf;
}

// The window's operations as a Result of its own, so that the sla.h checks
// judge it exactly as they judge a whole run.
Result WindowResult(const Result& run, std::size_t number) {
  Result r(DisplayName(run) + " window " + std::to_string(number));
  r.latency = LatencyHistogram(TimeSeries::kSignificantDigits);
  return r;
}

void AddInterval(const Interval& in, Result* r) {
  if (!in.latency.empty()) {
    StatusOr<LatencyHistogram> h = LatencyHistogram::Decode(in.latency);
    if (!h.ok()) {
      throw std::invalid_argument("window check: interval at " +
                                  FormatOffset(in.start_ns) + ": " +
                                  h.status().message());
    }
    r->latency.Merge(*h);
  }
  if (in.errors > 0) r->errors["error"].count += in.errors;
}

// Ranks windows for WindowCheck::worst: higher is worse.
double Badness(const SlaCheck& c) {
  if (!c.observed) return std::numeric_limits<double>::infinity();
  return c.comparison == SlaComparison::kGreaterEqual ? -*c.observed
                                                      : *c.observed;
}

// Judges every window with `check` and words the verdict.
template <class CheckFn>
WindowCheck JudgeWindows(const Result& result, Nanos window_ns,
                         const SlaCheck& shape, double percent, CheckFn check) {
  WindowCheck out;
  out.window_ns = window_ns;
  out.metric = shape.metric;
  out.requirement = shape.requirement;
  out.limit = shape.limit;
  out.unit = shape.unit;
  out.expected =
      shape.expected + " in every " + FormatOffset(window_ns) + " window";
  auto finish = [&] {
    out.summary = DisplayName(result) + ": " + out.expected + " -> " +
                  out.actual + (out.passed ? " [PASS]" : " [FAIL]");
    return out;
  };
  StatusOr<std::vector<RunWindow>> windows =
      SplitIntoWindows(result, window_ns);
  if (!windows.ok()) {
    out.actual = windows.status().message();
    return finish();
  }
  const std::uint64_t few =
      shape.unit == SlaUnit::kNanoseconds ? SamplesForPercentile(percent) : 0;
  std::size_t small = 0;  // windows with fewer successes than `few`
  std::optional<WindowVerdict> fewest;  // the smallest of them
  for (RunWindow& w : *windows) {
    WindowVerdict v;
    v.number = w.number;
    v.start_ns = w.start_ns;
    v.span_ns = w.span_ns;
    v.ok = w.result.OkCount();
    v.errors = w.result.ErrorCount();
    v.check = check(w.result);
    if (!v.check.passed) ++out.failed;
    if (w.folded_tail) {
      out.notes.push_back(WindowPlace(v) +
                          " includes the run's last, short window");
    } else if (w.partial) {
      out.notes.push_back(WindowPlace(v) + " is the run's last, partial one");
    }
    if (v.ok > 0 && v.ok < few) {
      ++small;
      if (!fewest || v.ok < fewest->ok) fewest = v;
    }
    out.windows.push_back(std::move(v));
  }
  // One note for all small windows: a run of hours can have hundreds.
  if (small == 1) {
    out.notes.push_back(
        WindowPlace(*fewest) + " had " + std::to_string(fewest->ok) +
        " successful operations, fewer than the " + std::to_string(few) +
        " a " + shape.metric + " needs: judged on its max");
  } else if (small > 1) {
    out.notes.push_back(
        std::to_string(small) + " of " + std::to_string(out.windows.size()) +
        " windows had fewer than the " + std::to_string(few) +
        " successful operations a " + shape.metric +
        " needs and were judged on their max (fewest: " +
        std::to_string(fewest->ok) + ", " + WindowPlace(*fewest) + ")");
  }
  if (out.windows.empty()) {
    out.actual = "no windows: the result's time series is empty";
    return finish();
  }
  std::size_t worst = 0;
  for (std::size_t i = 1; i < out.windows.size(); ++i) {
    const SlaCheck& a = out.windows[i].check;
    const SlaCheck& b = out.windows[worst].check;
    // A failed window is worse than any passed one, whatever the values.
    if (a.passed != b.passed ? !a.passed : Badness(a) > Badness(b)) worst = i;
  }
  out.worst = worst;
  const WindowVerdict& w = out.windows[worst];
  out.observed = w.check.observed;
  out.passed = out.failed == 0;
  const std::string tally = std::to_string(out.failed) + " of " +
                            std::to_string(out.windows.size()) +
                            " windows failed";
  const std::string value = w.check.observed
                                ? Words(shape.metric) + " of " +
                                      WindowPlace(w) + " = " + w.check.measured
                                : WindowPlace(w) + ": " + w.check.measured;
  out.actual = (out.passed ? "worst " : "") +
               (out.passed && w.check.observed
                    ? Words(shape.metric) + " = " + w.check.measured + " in " +
                          WindowPlace(w)
                    : value) +
               "; " + tally;
  return finish();
}

void CheckWindowLength(Nanos window_ns) {
  if (window_ns <= 0) {
    throw std::invalid_argument("window must be > 0, got " +
                                std::to_string(window_ns) + " ns");
  }
}

}  // namespace

std::string FormatOffset(Nanos ns) {
  if (ns == 0) return "0s";
  std::string out = ns < 0 ? "-" : "";
  std::uint64_t v = ns < 0 ? static_cast<std::uint64_t>(-(ns + 1)) + 1
                           : static_cast<std::uint64_t>(ns);
  constexpr std::uint64_t kMinute = 60 * kSecond, kHour = 60 * kMinute;
  if (v >= kHour) {
    out += std::to_string(v / kHour) + "h";
    v %= kHour;
  }
  if (v >= kMinute) {
    out += std::to_string(v / kMinute) + "m";
    v %= kMinute;
  }
  if (v == 0) return out;
  if (v % 1'000'000 != 0 && out.empty() && v < kSecond) {
    return out + FormatNanos(static_cast<double>(v));  // "250 us"
  }
  if (v < kSecond && out.empty()) {
    return out + std::to_string(v / 1'000'000) + "ms";
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", static_cast<double>(v) / 1e9);
  std::string s = buf;  // "1.500" -> "1.5", "2.000" -> "2"
  while (s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  return out + s + "s";
}

std::uint64_t SamplesForPercentile(double percent) {
  if (!(percent >= 0 && percent <= 100)) {
    throw std::invalid_argument("percentile must be in [0, 100], got " +
                                std::to_string(percent));
  }
  if (percent >= 100) return 1;
  const double x = 100 / (100 - percent);
  const double r = std::round(x);
  // 100 / (100 - 99.9) is 1000.0000000000xx in binary: not 1001.
  if (std::abs(x - r) < 1e-9 * r) return static_cast<std::uint64_t>(r);
  return static_cast<std::uint64_t>(std::ceil(x));
}

StatusOr<std::vector<RunWindow>> SplitIntoWindows(const Result& result,
                                                  Nanos window_ns) {
  CheckWindowLength(window_ns);
  const TimeSeries& series = result.series;
  const Nanos step = series.IntervalNanos();
  if (window_ns % step != 0) {
    std::string why = "window " + FormatOffset(window_ns) +
                      " is not a whole multiple of the series' interval " +
                      FormatOffset(step);
    if (step > kSecond && step % kSecond == 0 &&
        series.Intervals().size() > 1) {
      why += " (a long run's series coarsens past " +
             std::to_string(series.MaxIntervals()) +
             " intervals, time_series.h); use a window that is a multiple of " +
             FormatOffset(step);
    }
    return Status::Error(why);
  }
  const std::vector<Interval>& intervals = series.Intervals();
  if (intervals.empty()) {
    return Status::Error("no time series: the result holds no interval");
  }
  // The run usually ends inside its last interval; a Result without a
  // consistent elapsed time ends with its last interval.
  const Nanos end = result.elapsed_ns > intervals.back().start_ns
                        ? result.elapsed_ns
                        : intervals.back().start_ns + step;
  const std::size_t count =
      static_cast<std::size_t>((end + window_ns - 1) / window_ns);
  std::vector<RunWindow> windows;
  windows.reserve(count);
  for (std::size_t k = 0; k < count; ++k) {
    RunWindow w;
    w.number = k + 1;
    w.start_ns = static_cast<Nanos>(k) * window_ns;
    w.span_ns = std::min(window_ns, end - w.start_ns);
    w.partial = w.span_ns < window_ns;
    w.result = WindowResult(result, w.number);
    windows.push_back(std::move(w));
  }
  for (const Interval& in : intervals) {
    const std::size_t k = static_cast<std::size_t>(in.start_ns / window_ns);
    if (k < windows.size()) AddInterval(in, &windows[k].result);
  }
  // A last window under half a window joins the one before it.
  if (windows.size() >= 2 && 2 * windows.back().span_ns < window_ns) {
    RunWindow tail = std::move(windows.back());
    windows.pop_back();
    RunWindow& prev = windows.back();
    prev.result.latency.Merge(tail.result.latency);
    for (const auto& [category, e] : tail.result.errors) {
      prev.result.errors[category].count += e.count;
    }
    prev.span_ns += tail.span_ns;
    prev.folded_tail = true;
  }
  for (RunWindow& w : windows) w.result.elapsed_ns = w.span_ns;
  return windows;
}

WindowCheck CheckPercentileBelowInEveryWindow(const Result& result,
                                              double percent, Nanos window_ns,
                                              Nanos limit) {
  CheckWindowLength(window_ns);
  const SlaCheck shape = CheckPercentileBelow(Result(), percent, limit);
  return JudgeWindows(result, window_ns, shape, percent, [&](const Result& w) {
    return CheckPercentileBelow(w, percent, limit);
  });
}

WindowCheck CheckErrorRateBelowInEveryWindow(const Result& result,
                                             Nanos window_ns, double fraction) {
  CheckWindowLength(window_ns);
  const SlaCheck shape = CheckErrorRateBelow(Result(), fraction);
  return JudgeWindows(result, window_ns, shape, 0, [&](const Result& w) {
    return CheckErrorRateBelow(w, fraction);
  });
}

WindowCheck CheckThroughputAtLeastInEveryWindow(const Result& result,
                                                Nanos window_ns,
                                                double per_second) {
  CheckWindowLength(window_ns);
  const SlaCheck shape = CheckThroughputAtLeast(Result(), per_second);
  return JudgeWindows(result, window_ns, shape, 0, [&](const Result& w) {
    return CheckThroughputAtLeast(w, per_second);
  });
}

// ----------------------------------------------------------------- drift ----

std::string LatencyDrift::Describe() const {
  const std::string of =
      std::to_string(used) + " windows of " + FormatOffset(window_ns);
  const std::string name = PercentileName(percent);
  switch (verdict) {
    case DriftVerdict::kInsufficientData:
      if (!problem.empty()) return "insufficient data: " + problem;
      return "insufficient data: " + std::to_string(used) +
             " usable windows of " + FormatOffset(window_ns) + " (" + name +
             " needs " + std::to_string(SamplesForPercentile(percent)) +
             " successes each; " + std::to_string(windows) +
             " windows in the run), need " + std::to_string(min_windows);
    case DriftVerdict::kSteady:
    case DriftVerdict::kDrifting:
      break;
  }
  return std::string(verdict == DriftVerdict::kDrifting ? "drifting: "
                                                        : "steady: ") +
         name + " " + SignedPercent(rise) + " over the run (interval " +
         SignedPercent(rise_interval.low) + " .. " +
         SignedPercent(rise_interval.high) + ", allowed " +
         SignedPercent(allowed_rise) + "; from " + FormatNanos(reference_ns) +
         "), " + of;
}

LatencyDrift AnalyzeLatencyDrift(const Result& result, const DriftOptions& o) {
  const Nanos window_ns = ToNanos(o.window);
  CheckWindowLength(window_ns);
  if (!(o.percent >= 0 && o.percent < 100)) {
    throw std::invalid_argument("drift: percent must be in [0, 100), got " +
                                std::to_string(o.percent));
  }
  if (!(o.allowed_rise >= 0) || !std::isfinite(o.allowed_rise)) {
    throw std::invalid_argument("drift: allowed_rise must be >= 0");
  }
  if (!(o.confidence > 0 && o.confidence < 1)) {
    throw std::invalid_argument("drift: confidence must be in (0, 1)");
  }
  if (o.min_windows < 4 || o.reference_windows < 1 ||
      o.reference_windows >= o.min_windows) {
    throw std::invalid_argument(
        "drift: need min_windows >= 4 and 1 <= reference_windows < "
        "min_windows");
  }
  LatencyDrift d;
  d.percent = o.percent;
  d.window_ns = window_ns;
  d.allowed_rise = o.allowed_rise;
  d.min_windows = o.min_windows;
  StatusOr<std::vector<RunWindow>> windows =
      SplitIntoWindows(result, window_ns);
  if (!windows.ok()) {
    d.problem = windows.status().message();
    return d;
  }
  d.windows = windows->size();
  // A window too small for the percentile would put its max on the line,
  // and a max is far noisier than a percentile.
  const std::uint64_t need = SamplesForPercentile(o.percent);
  std::vector<double> t, y;
  for (const RunWindow& w : *windows) {
    if (w.result.OkCount() < need) continue;
    t.push_back(static_cast<double>(w.start_ns + w.span_ns / 2) / 1e9);
    y.push_back(static_cast<double>(w.result.latency.Percentile(o.percent)));
  }
  d.used = t.size();
  if (d.used < o.min_windows) return d;
  const double n = static_cast<double>(d.used);
  double reference = 0;
  for (std::size_t i = 0; i < o.reference_windows; ++i) reference += y[i];
  d.reference_ns = reference / static_cast<double>(o.reference_windows);
  double mt = 0, my = 0;
  for (std::size_t i = 0; i < d.used; ++i) {
    mt += t[i];
    my += y[i];
  }
  mt /= n;
  my /= n;
  double sxx = 0, sxy = 0;
  for (std::size_t i = 0; i < d.used; ++i) {
    sxx += (t[i] - mt) * (t[i] - mt);
    sxy += (t[i] - mt) * (y[i] - my);
  }
  d.span_s = t.back() - t.front();
  if (sxx <= 0) return d;
  d.slope_ns_per_s = sxy / sxx;
  double sse = 0;
  for (std::size_t i = 0; i < d.used; ++i) {
    const double fit = my + d.slope_ns_per_s * (t[i] - mt);
    sse += (y[i] - fit) * (y[i] - fit);
  }
  const double se = std::sqrt(sse / (n - 2) / sxx);
  const double tc = StudentTCriticalValue(o.confidence, n - 2);
  d.slope_interval = {d.slope_ns_per_s - tc * se, d.slope_ns_per_s + tc * se};
  const double allowed_slope = o.allowed_rise * d.reference_ns / d.span_s;
  if (d.reference_ns > 0) {
    const double scale = d.span_s / d.reference_ns;
    d.rise = d.slope_ns_per_s * scale;
    d.rise_interval = {d.slope_interval.low * scale,
                       d.slope_interval.high * scale};
  }
  d.verdict = d.slope_interval.low > allowed_slope ? DriftVerdict::kDrifting
                                                   : DriftVerdict::kSteady;
  return d;
}

}  // namespace perfcheck
