// Locust's CSV files, written by `perfcheck load --csv PREFIX`, so scripts
// written for `locust --csv PREFIX` read perfcheck's run unchanged:
//
//   PREFIX_stats.csv          one row per request name (sorted by name, then
//                             method) and an "Aggregated" row
//   PREFIX_failures.csv       Method,Name,Error,Occurrences
//   PREFIX_exceptions.csv     Count,Message,Traceback,Nodes (exceptions that
//                             left a scenario's task; no traceback)
//   PREFIX_stats_history.csv  one "Aggregated" row per interval of the run
//
// The columns, their order and their spelling are Locust 2.12's
// (locust/stats.py, StatsCSV and StatsCSVFileWriter), and so are its rules:
//   - times in milliseconds; every response counts, failed or not
//     ("Request Count" includes failures, percentiles and the average include
//     failed requests' times), so Requests/s is attempted requests per second;
//   - percentiles and the median use Locust's rounding of each time to two
//     significant digits (147 -> 150, 3432 -> 3400) and its rank rule, and
//     print as integers; "N/A" when nothing completed;
//   - numbers print as Python prints them ("150.0", "12.5", "0");
//   - Name is the path, the method being in Type: perfcheck's default name
//     "GET /api/x" becomes "/api/x" (a name set with Request::Named() stays).
// Where perfcheck's data differ from Locust's (both are documented in
// docs/locust-csv.md):
//   - times come from the HDR histogram (3 significant digits), so min, max
//     and average are within 0.1% of the exact value, not exact;
//   - for `perfcheck load --endpoint` runs, failures.csv has one row per
//     error category of a request name with the category's count and its
//     first example as "Error" (Locust, and scenario runs: one row per
//     distinct message);
//   - stats_history.csv rows are perfcheck's intervals (--interval, 1 s by
//     default) rather than Locust's 1 s wall-clock ticks; "Requests/s" and
//     "Failures/s" are the interval's own rates (Locust: a ~10 s moving
//     average), the percentiles are cumulative over the successful requests
//     so far (the interval histograms keep successes only), and "User Count"
//     is the connections active at the interval's end.
//
// Thread-safety: pure functions.
#ifndef PERFCHECK_CLI_LOCUST_CSV_H_
#define PERFCHECK_CLI_LOCUST_CSV_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "perfcheck/clock.h"
#include "perfcheck/http/load.h"
#include "perfcheck/http/scenario.h"

namespace perfcheck::cli {

// The four files' contents, named by their suffix ("_stats.csv", ...).
struct LocustCsvFiles {
  std::vector<std::pair<std::string, std::string>> files;
};

struct LocustCsvRun {
  // Wall-clock start of the run, seconds since the epoch (the history's
  // Timestamp column).
  std::int64_t start_unix_s = 0;
  // Users (connections) active `offset_ns` after the start, for the
  // history's "User Count"; null: 0.
  std::function<double(Nanos offset_ns)> users_at;
};

LocustCsvFiles LocustCsv(const http::HttpLoadResult& result,
                         const LocustCsvRun& run);
// A scenario run: also its responses counted apart (as requests that did not
// fail, like Locust's response.success()), its failures one row per
// distinct message, and exceptions that left a task in exceptions.csv.
LocustCsvFiles LocustCsv(const http::ScenarioResult& result,
                         const LocustCsvRun& run);

// Locust's percentile columns' header: "50%", "66%", ... "99.99%", "100%".
std::vector<std::string> LocustPercentileHeaders();

// Python's str() of a float (shortest round-trip digits, ".0" on whole
// numbers, exponent form below 1e-4 and from 1e16), as Locust's CSV prints.
std::string PythonFloat(double value);

}  // namespace perfcheck::cli

#endif  // PERFCHECK_CLI_LOCUST_CSV_H_
