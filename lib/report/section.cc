#include "perfcheck/report/section.h"

#include <cmath>
#include <cstdio>
#include <string>
#include <utility>

#include "perfcheck/resource_statistics.h"

namespace perfcheck::report {

// The rule of perfcheck load's latency_ms (cli/load_report.cc), so a page
// drawn from a result and one drawn from a load JSON print the same figures.
double RoundedMs(double ns) { return std::round(ns / 1e3) / 1e3; }

double RoundedRate(double per_second) {
  return std::round(per_second * 10) / 10;
}

ReportSection SectionFromResult(const Result& result, std::string title) {
  ReportSection s;
  s.title = std::move(title);
  s.kind = "result";
  s.facts.push_back({"result", result.name});
  char elapsed[32];
  std::snprintf(elapsed, sizeof elapsed, "%.3f s",
                static_cast<double>(result.elapsed_ns) / 1e9);
  s.facts.push_back({"elapsed", elapsed});
  const LatencyHistogram& h = result.latency;
  auto ms = [&](double percent) {
    return RoundedMs(static_cast<double>(h.Percentile(percent)));
  };
  RequestRow row;
  row.name = result.name;
  row.count = result.TotalCount();
  row.errors = result.ErrorCount();
  row.rps = RoundedRate(result.Throughput());
  row.p50_ms = ms(50);
  row.p90_ms = ms(90);
  row.p95_ms = ms(95);
  row.p99_ms = ms(99);
  row.max_ms = RoundedMs(static_cast<double>(h.Max()));
  s.total = row;
  s.requests.push_back(row);
  s.error_rate = result.ErrorRate();
  for (const auto& [category, e] : result.errors) {
    s.errors_by_class.push_back({category, e.count});
  }
  s.interval_s = static_cast<double>(result.series.IntervalNanos()) / 1e9;
  for (const Interval& i : result.series.Intervals()) {
    s.intervals.push_back({.start_s = static_cast<double>(i.start_ns) / 1e9,
                           .ok = i.ok,
                           .errors = i.errors,
                           .p50_ms = RoundedMs(static_cast<double>(i.p50_ns)),
                           .p95_ms = RoundedMs(static_cast<double>(i.p95_ns)),
                           .p99_ms = RoundedMs(static_cast<double>(i.p99_ns))});
  }
  if (h.TotalCount() > 0) s.histogram = h;
  for (double p : {50.0, 90.0, 95.0, 99.0, 99.9}) {
    if (h.TotalCount() > 0) s.percentiles.push_back({p, ms(p)});
  }
  // Rounded as perfcheck load's JSON rounds them (cli/load_report.cc), so a
  // result and a load JSON of one run print the same figures.
  auto hundredths = [](double v) { return std::round(v * 100) / 100; };
  for (const ProcessSeries& p : result.resources) {
    ResourceSeriesView v;
    v.process = p.Describe();
    for (const ProcessSample& sample : p.samples) {
      v.t_s.push_back(std::round(static_cast<double>(sample.t_ns) / 1e6) / 1e3);
      v.cpu_percent.push_back(hundredths(sample.cpu_percent));
      v.rss_mb.push_back(static_cast<double>(sample.rss_bytes) /
                         (1024.0 * 1024.0));
    }
    v.peak_rss_bytes = static_cast<double>(PeakRssBytes(p.samples));
    const CpuSummary cpu = SummarizeCpu(p.samples);
    v.cpu_mean_percent = hundredths(cpu.mean_percent);
    v.cpu_peak_percent = hundredths(cpu.peak_percent);
    v.memory_growth = AnalyzeMemoryGrowth(p.samples).Describe();
    v.note = p.note;
    s.resources.push_back(std::move(v));
  }
  s.fingerprint = result.fingerprint;
  for (const auto& [k, v] : result.config) s.config.push_back({k, v});
  return s;
}

}  // namespace perfcheck::report
