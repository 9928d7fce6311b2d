// Inline SVG charts of the HTML report (internal to perfcheck::report).
// Each function returns one <svg class="chart" id="..."> element, or "" when
// there is nothing to draw; every text in it is escaped.
#ifndef PERFCHECK_LIB_REPORT_SVG_H_
#define PERFCHECK_LIB_REPORT_SVG_H_

#include <string>
#include <string_view>

#include "perfcheck/report/section.h"

namespace perfcheck::report::svg {

// The shortest text that reads back as the same double ("12.345", "3").
std::string Num(double v);

// p50 / p95 / p99 per interval (ms) against time (s).
std::string LatencyOverTime(const ReportSection& s, std::string_view id);
// Successful and failed requests per second, per interval (stacked bars).
std::string RateOverTime(const ReportSection& s, std::string_view id);
// Latency (ms) by percentile, x = 1 / (1 - q) on a log scale.
std::string PercentileSpectrum(const ReportSection& s, std::string_view id);
// Count of requests per latency bin (log-spaced bins when the range is wide).
std::string Histogram(const ReportSection& s, std::string_view id);
// Per compare row: the baseline's tolerance band around 0% against the new
// run's interval of the change.
std::string CompareBands(const ReportSection& s, std::string_view id);
// One metric of one monitored process against time.
std::string ResourceChart(const ResourceSeriesView& r, bool cpu,
                          std::string_view id);

}  // namespace perfcheck::report::svg

#endif  // PERFCHECK_LIB_REPORT_SVG_H_
