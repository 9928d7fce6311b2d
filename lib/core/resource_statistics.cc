#include "perfcheck/resource_statistics.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>
#include <string>

namespace perfcheck {
namespace {

// "+40.1 MB/s", "-512 B/s": decimal units, as the thresholds are written.
std::string BytesPerSecond(double v) {
  const double a = std::fabs(v);
  const char* unit = "B/s";
  double scaled = a;
  if (a >= 1e9) {
    scaled = a / 1e9, unit = "GB/s";
  } else if (a >= 1e6) {
    scaled = a / 1e6, unit = "MB/s";
  } else if (a >= 1e3) {
    scaled = a / 1e3, unit = "KB/s";
  }
  char buf[48];
  std::snprintf(buf, sizeof buf, "%s%.3g %s", v < 0 ? "-" : "+", scaled, unit);
  return buf;
}

}  // namespace

std::string ProcessSeries::Describe() const {
  std::string d = label.empty() ? "" : label + " ";
  d += "process " + std::to_string(pid);
  if (!name.empty()) d += " (" + name + ")";
  return d;
}

std::int64_t PeakRssBytes(const std::vector<ProcessSample>& samples) {
  std::int64_t peak = 0;
  for (const ProcessSample& s : samples) peak = std::max(peak, s.rss_bytes);
  return peak;
}

CpuSummary SummarizeCpu(const std::vector<ProcessSample>& samples) {
  CpuSummary c;
  double sum = 0;
  for (std::size_t i = 1; i < samples.size(); ++i) {
    sum += samples[i].cpu_percent;
    c.peak_percent = std::max(c.peak_percent, samples[i].cpu_percent);
    ++c.n;
  }
  if (c.n > 0) c.mean_percent = sum / static_cast<double>(c.n);
  return c;
}

MemoryGrowth AnalyzeMemoryGrowth(const std::vector<ProcessSample>& samples,
                                 const MemoryGrowthOptions& options) {
  if (!(options.warmup_fraction >= 0 && options.warmup_fraction < 1)) {
    throw std::invalid_argument(
        "MemoryGrowthOptions: warmup_fraction not in [0, 1)");
  }
  if (!(options.confidence > 0 && options.confidence < 1)) {
    throw std::invalid_argument(
        "MemoryGrowthOptions: confidence not in (0, 1)");
  }
  if (options.min_samples < 4) {
    // n - 2 degrees of freedom: below 2 the t quantile is unusable.
    throw std::invalid_argument("MemoryGrowthOptions: min_samples below 4");
  }
  if (options.tolerance_bytes_per_s < 0 ||
      options.tolerance_percent_per_minute < 0) {
    throw std::invalid_argument("MemoryGrowthOptions: negative tolerance");
  }
  MemoryGrowth g;
  g.min_samples = options.min_samples;
  if (samples.empty()) return g;
  const Nanos first = samples.front().t_ns;
  const double cut = static_cast<double>(first) +
                     options.warmup_fraction *
                         static_cast<double>(samples.back().t_ns - first);
  std::vector<std::pair<double, double>> xy;  // (s since first, bytes)
  for (const ProcessSample& s : samples) {
    if (static_cast<double>(s.t_ns) < cut) continue;
    xy.emplace_back(static_cast<double>(s.t_ns - first) / 1e9,
                    static_cast<double>(s.rss_bytes));
  }
  g.n = xy.size();
  double mx = 0, my = 0;
  for (const auto& [x, y] : xy) mx += x, my += y;
  if (g.n > 0) mx /= static_cast<double>(g.n), my /= static_cast<double>(g.n);
  g.mean_rss_bytes = my;
  g.tolerance_bytes_per_s =
      std::max(options.tolerance_bytes_per_s,
               options.tolerance_percent_per_minute / 100.0 * my / 60.0);
  if (g.n < options.min_samples) return g;
  double sxx = 0, sxy = 0;
  for (const auto& [x, y] : xy)
    sxx += (x - mx) * (x - mx), sxy += (x - mx) * (y - my);
  if (sxx <= 0) return g;  // every sample at one time: no slope
  g.slope_bytes_per_s = sxy / sxx;
  double sse = 0;
  for (const auto& [x, y] : xy) {
    const double r = y - my - g.slope_bytes_per_s * (x - mx);
    sse += r * r;
  }
  const double df = static_cast<double>(g.n) - 2;
  const double se = std::sqrt(sse / df / sxx);
  const double half = StudentTCriticalValue(options.confidence, df) * se;
  g.slope_interval = {g.slope_bytes_per_s - half, g.slope_bytes_per_s + half};
  g.verdict = g.slope_interval.low > g.tolerance_bytes_per_s
                  ? GrowthVerdict::kGrows
                  : GrowthVerdict::kSteady;
  return g;
}

std::string MemoryGrowth::Describe() const {
  if (verdict == GrowthVerdict::kInsufficientData) {
    return "insufficient data: " + std::to_string(n) +
           " samples after the warm-up, need " + std::to_string(min_samples) +
           " spread over time";
  }
  return std::string(verdict == GrowthVerdict::kGrows ? "grows" : "steady") +
         ": " + BytesPerSecond(slope_bytes_per_s) + " (interval " +
         BytesPerSecond(slope_interval.low) + " .. " +
         BytesPerSecond(slope_interval.high) + ", tolerance " +
         BytesPerSecond(tolerance_bytes_per_s) + ", n=" + std::to_string(n) +
         ")";
}

}  // namespace perfcheck
