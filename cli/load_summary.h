// The human end-of-test summary of `perfcheck load` (stdout by default; the
// JSON report moves to --json FILE, or to stdout with --json -). k6-like but
// compact:
//
//   perfcheck load: http://127.0.0.1:8000 (Host: site1)
//     model     closed, 25 connections, 1 thread
//     ran       15 s of 15 s planned
//     requests  12,000 (11,990 ok, 10 errors = 0.08%), 800.0/s, 799.3/s ok
//
//     endpoint          requests    req/s   p50 ...   max  errors
//     GET /api/ping       12,000  800.0/s  1.2 ms ... 9 ms  10 (0.08%)
//     total               12,000  800.0/s  ...
//
//     errors by class
//       status_5xx  10  HTTP 500 from GET /api/ping
//
//     thresholds
//       PASS p95<500ms      observed 2.1 ms, limit 500 ms
//       FAIL error_rate<0%  observed 0.08%, limit 0%
//
// Latency columns are of the successful responses (corrected from the
// intended send in the open model, as the thresholds judge them); "-" where
// there are none. Values are formatted by perfcheck/format.h. Everything
// shown comes from the redacted result (config, endpoint names, error
// examples), so it holds no secret. Stable text for golden tests apart from
// the measured numbers; colour (PASS green, FAIL and errors red) only when
// `color` is true.
//
// Thread-safety: a pure function.
#ifndef PERFCHECK_CLI_LOAD_SUMMARY_H_
#define PERFCHECK_CLI_LOAD_SUMMARY_H_

#include <string>
#include <vector>

#include "load_report.h"
#include "perfcheck/http/load.h"

namespace perfcheck::cli {

// `target` is the redacted Target::Describe(). With monitored processes
// (r.aggregate.resources) a "resources" section follows: per process peak
// RSS, mean and peak CPU, the memory-growth verdict, exits, and the
// verdicts of the resource thresholds `resources`:
//
//     resources (sampled every 1s)
//       process                    peak RSS  mean CPU  peak CPU  memory
//       cmd process 4242 (server)   12.3 MB     3.1 %    10.0 %  steady +1.2 KB/s
//       PASS rss<512MB  peak RSS = 12.3 MB (at 3.00 s, 25 samples) (...)
std::string LoadSummaryText(
    const http::HttpLoadResult& r, const std::string& target,
    const std::vector<ThresholdOutcome>& thresholds, bool color,
    const std::vector<ResourceThresholdOutcome>& resources = {});

}  // namespace perfcheck::cli

#endif  // PERFCHECK_CLI_LOAD_SUMMARY_H_
