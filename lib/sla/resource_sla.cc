#include "perfcheck/resource_sla.h"

#include <cmath>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <utility>

namespace perfcheck {
namespace {

constexpr const char kNoSamples[] = "no samples";

// "12.3 %": one decimal is finer than CPU accounting's clock tick allows at
// a 1 s interval (1 %), and keeps 49.96 from reading as a pass of "< 50 %".
std::string Percent(double p) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f %%", p);
  return buf;
}

// "at 3.00 s, 25 samples".
std::string Where(Nanos t_ns, std::size_t n) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "at %.2f s, %zu samples",
                static_cast<double>(t_ns) / 1e9, n);
  return buf;
}

std::string SignedBytesPerSecond(double v) {
  return (v < 0 ? "-" : "+") + FormatBytes(std::fabs(v)) + "/s";
}

void CheckBound(double bound, const char* what) {
  if (!(bound >= 0)) {  // also NaN
    throw std::invalid_argument(std::string(what) + " must be >= 0");
  }
}

SlaCheck Start(std::string metric, std::string words, SlaUnit unit,
               double limit, std::string requirement) {
  SlaCheck c;
  c.metric = std::move(metric);
  c.unit = unit;
  c.limit = limit;
  c.comparison = SlaComparison::kLess;
  c.requirement = std::move(requirement);
  c.expected = std::move(words) + " " + c.requirement;
  return c;
}

// The exit note says why a series is short; a reader of a failure needs it.
SlaCheck Finish(const ProcessSeries& series, SlaCheck c) {
  if (!series.note.empty()) c.actual += " (" + series.note + ")";
  c.summary = series.Describe() + ": " + c.expected + " -> " + c.actual +
              (c.passed ? " [PASS]" : " [FAIL]");
  return c;
}

SlaCheck CpuCheck(const ProcessSeries& series, double percent, bool peak) {
  CheckBound(percent, peak ? "peak CPU bound (%)" : "CPU bound (%)");
  const char* words = peak ? "peak CPU" : "mean CPU";
  SlaCheck c = Start(peak ? "peak_cpu" : "cpu", words, SlaUnit::kPercentOfCore,
                     percent, "< " + Percent(percent) + " of one core");
  const CpuSummary cpu = SummarizeCpu(series.samples);
  if (cpu.n == 0) {
    c.measured = series.samples.empty() ? kNoSamples : "no CPU interval";
    c.actual = c.measured + " (" + std::to_string(series.samples.size()) +
               " sample; CPU needs two)";
    return Finish(series, std::move(c));
  }
  const double v = peak ? cpu.peak_percent : cpu.mean_percent;
  c.observed = v;
  c.passed = v < percent;
  c.measured = Percent(v);
  c.actual = std::string(words) + " = " + c.measured + " (" +
             (peak ? "mean " + Percent(cpu.mean_percent)
                   : "peak " + Percent(cpu.peak_percent)) +
             ", " + std::to_string(cpu.n) + " intervals)";
  return Finish(series, std::move(c));
}

}  // namespace

std::string FormatBytes(double bytes) {
  const double a = std::fabs(bytes);
  const char* unit = "B";
  double scaled = bytes;
  if (a >= 1e9) {
    scaled = bytes / 1e9, unit = "GB";
  } else if (a >= 1e6) {
    scaled = bytes / 1e6, unit = "MB";
  } else if (a >= 1e3) {
    scaled = bytes / 1e3, unit = "KB";
  }
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.3g %s", scaled, unit);
  return buf;
}

SlaCheck CheckPeakRssBelow(const ProcessSeries& series, std::int64_t bytes) {
  CheckBound(static_cast<double>(bytes), "peak RSS bound (bytes)");
  SlaCheck c =
      Start("peak_rss", "peak RSS", SlaUnit::kBytes, static_cast<double>(bytes),
            "< " + FormatBytes(static_cast<double>(bytes)));
  if (series.samples.empty()) {
    c.measured = c.actual = kNoSamples;
    return Finish(series, std::move(c));
  }
  const ProcessSample* top = &series.samples.front();
  for (const ProcessSample& s : series.samples) {
    if (s.rss_bytes > top->rss_bytes) top = &s;
  }
  c.observed = static_cast<double>(top->rss_bytes);
  c.passed = top->rss_bytes < bytes;
  c.measured = FormatBytes(static_cast<double>(top->rss_bytes));
  // Both sides can round alike ("512 MB"); then show the exact bytes.
  if (c.measured == FormatBytes(static_cast<double>(bytes)) &&
      top->rss_bytes != bytes) {
    c.measured += " (" + std::to_string(top->rss_bytes) + " B)";
  }
  c.actual = "peak RSS = " + c.measured + " (" +
             Where(top->t_ns, series.samples.size()) + ")";
  return Finish(series, std::move(c));
}

SlaCheck CheckCpuBelow(const ProcessSeries& series, double percent) {
  return CpuCheck(series, percent, /*peak=*/false);
}

SlaCheck CheckPeakCpuBelow(const ProcessSeries& series, double percent) {
  return CpuCheck(series, percent, /*peak=*/true);
}

SlaCheck CheckNoMemoryGrowth(const ProcessSeries& series,
                             const MemoryGrowthOptions& options) {
  const MemoryGrowth g = AnalyzeMemoryGrowth(series.samples, options);
  SlaCheck c = Start("memory_growth", "memory growth", SlaUnit::kBytesPerSecond,
                     g.tolerance_bytes_per_s, "none");
  c.comparison = SlaComparison::kLessEqual;
  c.requirement = "none (slope interval reaching down to the tolerance " +
                  SignedBytesPerSecond(g.tolerance_bytes_per_s) + ", after a " +
                  std::to_string(static_cast<int>(
                      std::lround(options.warmup_fraction * 100))) +
                  "% warm-up)";
  c.expected = "no memory growth";
  c.measured = g.Describe();
  c.actual = "memory " + g.Describe();
  if (g.verdict != GrowthVerdict::kInsufficientData) {
    c.observed = g.slope_interval.low;
    c.passed = g.verdict == GrowthVerdict::kSteady;
  }
  return Finish(series, std::move(c));
}

}  // namespace perfcheck
