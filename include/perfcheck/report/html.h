// The self-contained HTML report: one file, viewable offline, charts drawn
// as inline SVG by this library (no script, no font, no image fetched; a
// Content-Security-Policy of default-src 'none' makes the browser refuse any
// fetch, and any script injected through a hostile name).
//
// Per section (perfcheck/report/section.h), when its input has the data:
//   - facts (target, model, elapsed, ...) and the testbed and machine;
//   - latency over time: p50 / p95 / p99 per interval, and below it the
//     successful requests per second and the errors per interval;
//   - the percentile spectrum, HdrHistogram style: x = 1 / (1 - q) on a log
//     scale (50%, 90%, 99%, 99.9%, ...), y = latency in ms;
//   - the latency histogram (log-spaced bins, ms);
//   - the per-request-name table (count, errors, rps, p50/p90/p95/p99/max);
//   - thresholds with pass / fail;
//   - for a compare input, per metric the baseline's band (the tolerance
//     around the old value) against the new run's confidence interval of
//     the change, and the table of old / new / change / verdict;
//   - RSS and CPU over time per monitored process.
// Numbers are printed as section.h's rule says: the shortest text of the
// stored (rounded) value, the same as in the input JSON. Each table cell
// holding a number carries data-key="<row name>|<column>" for tools.
// Chart elements carry stable ids and classes: svg.chart with ids
// "s<N>-latency-over-time", "s<N>-rate-over-time", "s<N>-spectrum",
// "s<N>-histogram", "s<N>-compare", "s<N>-resources-<M>" (RSS) and
// "s<N>-resources-<M>-cpu"; tables "s<N>-requests", "s<N>-thresholds",
// "s<N>-compare-table", "s<N>-resources", "s<N>-machine" (N, M from 0).
//
// Every text taken from input is HTML-escaped (& < > " ').
//
// Thread-safety: pure functions; WriteHtmlReport may run concurrently for
// different paths.
#ifndef PERFCHECK_REPORT_HTML_H_
#define PERFCHECK_REPORT_HTML_H_

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "perfcheck/report/section.h"
#include "perfcheck/status.h"

namespace perfcheck::report {

// `text` with & < > " ' replaced by entities (safe in content and in quoted
// attribute values).
std::string HtmlEscape(std::string_view text);

// The whole page. `title` goes into <title> and the heading.
std::string RenderHtmlReport(const std::vector<ReportSection>& sections,
                             std::string_view title = "perfcheck report");

// Renders and writes atomically (the file is replaced whole or left as it
// was). Errors name the file.
Status WriteHtmlReport(const std::filesystem::path& path,
                       const std::vector<ReportSection>& sections,
                       std::string_view title = "perfcheck report");

}  // namespace perfcheck::report

#endif  // PERFCHECK_REPORT_HTML_H_
