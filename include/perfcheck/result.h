// Result: everything one measured run produced. Drivers (Measure, HTTP load,
// database timing) fill it; evaluation (SLA checks, the baseline gate, reports)
// only reads it, so a live run and a stored one are judged by the same code.
//
// - latency: histogram of the successful operations only.
// - errors: failed operations by category ("exception", "timeout",
// "status_5xx",
//   ...), each with a count and up to kMaxErrorExamples example messages.
// - elapsed_ns: wall-clock time of the measured phase (warm-up excluded).
// - series: per-interval statistics.
// - config: the run's configuration as text; values of secret-named keys are
//   redacted on insertion (SetConfig), so a Result never holds a secret.
// - fingerprint: where it was measured.
// - counts: machine-independent costs per operation (instructions under
//   Valgrind, heap allocations), each absent when not counted.
// - resources: the series of the processes monitored during the run
//   (ProcessMonitor: CPU, RSS, threads, fds); empty when none was watched.
//
// Thread-safety: a plain value; build one per thread and Merge().
#ifndef PERFCHECK_RESULT_H_
#define PERFCHECK_RESULT_H_

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "perfcheck/clock.h"
#include "perfcheck/fingerprint.h"
#include "perfcheck/latency_histogram.h"
#include "perfcheck/operation_counts.h"
#include "perfcheck/resource_statistics.h"
#include "perfcheck/time_series.h"

namespace perfcheck {

struct ErrorCategory {
  std::uint64_t count = 0;
  std::vector<std::string> examples;  // at most Result::kMaxErrorExamples

  friend bool operator==(const ErrorCategory&, const ErrorCategory&) = default;
};

struct Result {
  static constexpr std::size_t kMaxErrorExamples = 3;
  static constexpr std::size_t kMaxExampleLength = 200;  // longer ones are cut

  Result() = default;
  explicit Result(std::string result_name) : name(std::move(result_name)) {}

  std::string name;
  LatencyHistogram latency;
  std::map<std::string, ErrorCategory> errors;
  Nanos elapsed_ns = 0;
  TimeSeries series;
  std::map<std::string, std::string> config;
  Fingerprint fingerprint;
  OperationCounts counts;
  // One series per monitored process of the system under test, in order of
  // first sight (perfcheck/resource_statistics.h judges them).
  std::vector<ProcessSeries> resources;

  // Counts one failed operation in `category`, keeping `message` (cut to
  // kMaxExampleLength) as an example while fewer than kMaxErrorExamples are kept.
  void AddError(std::string_view category, std::string_view message);
  // Stores a configuration value, redacted when `key` names a secret.
  void SetConfig(std::string_view key, std::string_view value);

  std::uint64_t OkCount() const { return latency.TotalCount(); }
  std::uint64_t ErrorCount() const;
  std::uint64_t TotalCount() const { return OkCount() + ErrorCount(); }
  // Errors / all operations, in [0, 1]; 0 when nothing ran.
  double ErrorRate() const;
  // Successful operations per second of elapsed time; 0 when elapsed_ns == 0.
  double Throughput() const;

  // Adds `other` (same histogram configuration, else std::invalid_argument):
  // histograms, errors and series merge exactly; elapsed_ns becomes the larger
  // of the two, as parts of one run proceed in parallel. Name, config,
  // fingerprint and counts stay those of *this (taken from `other` when *this
  // is empty). Resource series of `other` are appended unless an equal one
  // (same label, pid and samples) is already there.
  void Merge(const Result& other);

  friend bool operator==(const Result&, const Result&) = default;
};

}  // namespace perfcheck

#endif  // PERFCHECK_RESULT_H_
