// The report of `perfcheck load`: the JSON document written by --json FILE
// (printed on stdout in place of the summary with --json -), and the CSV
// table of --csv. The human summary is load_summary.h.
//
// JSON (one object):
//   total_requests, ok, errors, error_rate, rps (successful responses per
//   second), attempted_rps, elapsed_s, status_codes {"200": n},
//   latency_ms {min, p50, p90, p95, p99, max, mean}, errors_by_class
//   {"timeout": n}, error_examples {"timeout": [...]}, bytes_sent,
//   bytes_received, connections_opened, endpoints {name: {total_requests, ok,
//   errors, rps, latency_ms, errors_by_class, method, failed_latency_ms
//   (the failed requests' times), body_bytes}}, open_model (only with --rate:
//   rate, late_sends, dropped_sends, uncorrected_latency_ms), thresholds
//   [{threshold, passed, measured (text), observed (number, null when nothing
//   was measured), limit, unit ("ns", "fraction", "per_second")}], target,
//   config.
//   resources (only when processes were monitored, --monitor-*):
//     {"interval": "1s", "processes": [{"label" ("cmd" for --monitor-cmd,
//     "cgroup", or ""), "pid", "name", "exited_s" (null while running),
//     "note", "peak_rss_bytes", "cpu_mean_percent", "cpu_peak_percent",
//     "memory_growth": {"verdict" ("steady", "grows", "insufficient_data"),
//     "slope_bytes_per_s", "interval_low", "interval_high" (bytes/s),
//     "tolerance_bytes_per_s", "n", "text"}, "samples": {"t_s" (seconds
//     since the monitor started, just before the run), "cpu_percent" (% of
//     one core), "rss_bytes", "threads", "fds" (-1: unreadable)}}],
//     "thresholds": [{"threshold", "passed", "processes": [{"pid",
//     "passed", "measured", "observed", "limit", "unit"}]}]}
//   Resource thresholds also appear in "thresholds" with the worst process's
//   numbers and unit "bytes", "percent_of_core" or "bytes_per_second".
//   scenario (only with --scenario): {"users_spawned", "classes" {name:
//   {the endpoint fields, "users"}}, "tasks" {"Class.task": started},
//   "counted_apart" {request name: {"count", "latency_ms"}}}.
// Nothing in it can hold a secret: config values are redacted by
// Result::SetConfig, error examples name only method and path.
// For plots (perfcheck report, docs/html-report.md) also: series
// {interval_s, intervals [{start_s, ok, errors, p50_ms, p95_ms, p99_ms}]}
// and latency_histogram (LatencyHistogram::Encode() of the successful
// requests' latencies).
//
// CSV: one row per endpoint plus "ALL":
//   endpoint,requests,ok,errors,error_rate,rps,min_ms,p50_ms,p90_ms,p95_ms,p99_ms,max_ms,mean_ms
#ifndef PERFCHECK_CLI_LOAD_REPORT_H_
#define PERFCHECK_CLI_LOAD_REPORT_H_

#include <string>
#include <vector>

#include "perfcheck/http/load.h"
#include "perfcheck/http/scenario.h"
#include "resource_threshold.h"
#include "threshold.h"

namespace perfcheck::cli {

struct ThresholdOutcome {
  Threshold threshold;
  ThresholdVerdict verdict;
};

// `resources`: the verdicts of the resource thresholds (rss<512MB, ...),
// listed in "thresholds" too; the series are r.aggregate.resources.
// `scenario`: the same run as a scenario's result (--scenario), whose
// classes, tasks and responses counted apart go under "scenario".
std::string LoadReportJson(
    const http::HttpLoadResult& r, const std::string& target,
    const std::vector<ThresholdOutcome>& thresholds,
    const std::vector<ResourceThresholdOutcome>& resources = {},
    const http::ScenarioResult* scenario = nullptr);
std::string LoadReportCsv(const http::HttpLoadResult& r);

}  // namespace perfcheck::cli

#endif  // PERFCHECK_CLI_LOAD_REPORT_H_
