// ReportSection: what one input of an HTML report shows (perfcheck/report/
// html.h draws it). The readers in perfcheck/report/inputs.h fill it from a
// `perfcheck load --json` document, a result file, a gtest perf results
// directory or a `perfcheck compare --json` document; perfcheck load fills it
// from its live run.
//
// Every figure is kept as the number the page prints, already rounded by the
// rule below, so the page shows exactly the input JSON's numbers:
//   - latencies in milliseconds, round(ns / 1000) / 1000 (3 decimals: the
//     rule of perfcheck load's latency_ms); from a load JSON, its values as
//     they are;
//   - request rates in 1/s to 1 decimal, round(x * 10) / 10 (load JSON's
//     rps); from a load JSON, its values;
//   - error rates as fractions, exactly as in the input (the page shows
//     them x 100 with 2 decimals, "%");
//   - compare rows: old, new and the change interval exactly as in the
//     compare JSON.
// The page prints a number as the shortest text that reads back as the same
// double (std::to_chars), so "12.345" in the JSON is "12.345" on the page.
//
// Text fields hold user data (request names, error examples, config values):
// the renderer escapes every one. Secrets are never here: results redact
// config values when built (Result::SetConfig) and load / compare JSON hold
// none, so a section is as safe to publish as its inputs.
//
// Thread-safety: plain values.
#ifndef PERFCHECK_REPORT_SECTION_H_
#define PERFCHECK_REPORT_SECTION_H_

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "perfcheck/fingerprint.h"
#include "perfcheck/latency_histogram.h"
#include "perfcheck/result.h"

namespace perfcheck::report {

// Milliseconds from nanoseconds by the report's rule: round(ns / 1000) / 1000.
double RoundedMs(double ns);
// A rate to 1 decimal: round(x * 10) / 10.
double RoundedRate(double per_second);

// One row of the per-request-name table (one endpoint, or one result).
struct RequestRow {
  std::string name;
  std::uint64_t count = 0;   // all requests, successful or not
  std::uint64_t errors = 0;  // failed ones
  double rps = 0;            // successful per second, 1 decimal
  double p50_ms = 0, p90_ms = 0, p95_ms = 0, p99_ms = 0, max_ms = 0;
};

// One interval of the run's time series.
struct IntervalPoint {
  double start_s = 0;  // from the start of the run
  std::uint64_t ok = 0, errors = 0;
  double p50_ms = 0, p95_ms = 0, p99_ms = 0;
};

// A threshold and its verdict, as perfcheck load judged it.
struct ThresholdRow {
  std::string text;  // "p95<500ms"
  bool passed = false;
  std::string measured;  // "p95=12.3ms"
};

// One metric of a compare document: the baseline against the new run.
// Values are nullopt where the JSON has null (not computable).
struct CompareRow {
  std::string benchmark, metric, unit;  // unit: ns, count, 1/s, fraction
  std::optional<double> old_value, new_value;
  // Relative change of new against old and its confidence interval
  // (fractions: 0.05 is +5%).
  std::optional<double> change, change_low, change_high;
  double threshold = 0;  // the tolerance (fraction): the baseline's band
  std::string verdict;   // regression, improvement, unchanged, noisy, ...
  std::string note;
};

// One monitored process's samples (perfcheck/resource_statistics.h), and
// its figures as the input states them (nullopt: not in the input).
struct ResourceSeriesView {
  std::string process;              // "pid 1234 (name)"
  std::vector<double> t_s;          // sample times from the monitor's start
  std::vector<double> cpu_percent;  // of one core
  std::vector<double> rss_mb;       // resident set, MiB (bytes / 2^20)
  std::optional<double> peak_rss_bytes, cpu_mean_percent, cpu_peak_percent;
  std::string memory_growth;  // the growth verdict's text
  std::string note;           // e.g. "exited after 3.2 s"
};

struct ReportSection {
  std::string title;  // the input's file name, or "perfcheck load"
  std::string kind;   // "load", "result", "compare"
  // Short facts shown at the top, in order: ("target", "http://..."), ...
  std::vector<std::pair<std::string, std::string>> facts;
  // Whole-run figures (nullopt: the input has none, e.g. compare).
  std::optional<RequestRow> total;
  double error_rate = 0;  // fraction of all requests
  std::vector<RequestRow> requests;
  std::vector<std::pair<std::string, std::uint64_t>> errors_by_class;
  double interval_s = 0;  // length of one interval
  std::vector<IntervalPoint> intervals;
  // The run's latency histogram when the input holds it (result files,
  // perfcheck load): the percentile spectrum and the histogram are drawn
  // from it. Without it, the spectrum shows `percentiles` only.
  std::optional<LatencyHistogram> histogram;
  std::vector<std::pair<double, double>> percentiles;  // (percent, ms)
  std::vector<ThresholdRow> thresholds;
  std::vector<CompareRow> comparisons;
  std::vector<std::string> notes;  // machine differences, testbed notes
  std::optional<Fingerprint> fingerprint;
  std::vector<std::pair<std::string, std::string>> config;
  std::vector<ResourceSeriesView> resources;
};

// A section of one result (a result file, or one test of a gtest perf run):
// one request row named after the result, its series, histogram,
// fingerprint and (redacted) config.
ReportSection SectionFromResult(const Result& result, std::string title);

}  // namespace perfcheck::report

#endif  // PERFCHECK_REPORT_SECTION_H_
