// Resource statistics: what a series of samples of one process (CPU, RSS,
// threads, open file descriptors; taken by ProcessMonitor, environment layer,
// or made up by a test) says: peak RSS, mean and peak CPU, and whether memory
// grows. Core layer: pure functions over values, no /proc. ProcessSeries is
// the value a Result keeps (Result::resources) and result files store.
//
// Units: t_ns in ns, cpu_percent in % of ONE core, rss_bytes in bytes.
// Thread-safety: pure functions; the types are plain values.
#ifndef PERFCHECK_RESOURCE_STATISTICS_H_
#define PERFCHECK_RESOURCE_STATISTICS_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "perfcheck/clock.h"
#include "perfcheck/statistics.h"

namespace perfcheck {

// One reading of one process.
struct ProcessSample {
  Nanos t_ns = 0;              // since ProcessMonitor::Start()
  double cpu_percent = 0;      // % of one core since the previous sample; the
                               // first sample of a series has no interval: 0,
                               // and the CPU statistics skip it
  std::int64_t rss_bytes = 0;  // resident set size
  int threads = 0;
  int fds = -1;  // open file descriptors; -1 when /proc/<pid>/fd is unreadable
                 // (another user's process)

  friend bool operator==(const ProcessSample&, const ProcessSample&) = default;
};

// The time series of one process.
struct ProcessSeries {
  // Who asked for it, for messages: "cmd" for a command perfcheck started,
  // "cgroup" for a cgroup member, empty for a PID given as such. Free text.
  std::string label;
  std::int64_t pid = 0;
  std::string name;  // comm from /proc/<pid>/stat, e.g. "postgres"
  std::vector<ProcessSample> samples;
  // Set when the process exited (or became a zombie) while monitored: the
  // time of the first tick that found it gone. Its samples stay.
  std::optional<Nanos> exited_ns;
  // Why the series ended early, for messages: "process 123 (server) exited
  // 1.250 s after the start; 25 samples kept". Empty while it runs.
  std::string note;

  // "process 4242 (server)", or "cmd process 4242 (server)" with a label.
  std::string Describe() const;

  friend bool operator==(const ProcessSeries&, const ProcessSeries&) = default;
};

// The largest rss_bytes; 0 for an empty series.
std::int64_t PeakRssBytes(const std::vector<ProcessSample>& samples);

struct CpuSummary {
  std::size_t n = 0;        // samples with an interval (all but the first)
  double mean_percent = 0;  // mean of cpu_percent over them
  double peak_percent = 0;  // largest cpu_percent
};
// Mean and peak CPU, skipping the first sample (it has no interval).
CpuSummary SummarizeCpu(const std::vector<ProcessSample>& samples);

struct MemoryGrowthOptions {
  // The first fraction of the series (by time) is warm-up and left out:
  // caches and pools filling up are not a leak. In [0, 1).
  double warmup_fraction = 0.2;
  double confidence = 0.95;  // of the slope's interval, in (0, 1)
  // Growth below the tolerance is accepted; the tolerance is the larger of
  // the two (bytes per second, % of the mean RSS per minute).
  double tolerance_bytes_per_s = 0;
  double tolerance_percent_per_minute = 1.0;
  // Fewer samples after the warm-up: kInsufficientData.
  std::size_t min_samples = 10;  // >= 4
};

enum class GrowthVerdict {
  kInsufficientData,  // too few samples (or all at one time) after warm-up
  kSteady,            // the interval reaches down to the tolerance or below
  kGrows,             // the whole interval is above the tolerance
};

struct MemoryGrowth {
  GrowthVerdict verdict = GrowthVerdict::kInsufficientData;
  std::size_t n = 0;                  // samples used (after the warm-up)
  double slope_bytes_per_s = 0;       // least-squares slope of RSS over time
  ConfidenceInterval slope_interval;  // bytes/s, at options.confidence
  double tolerance_bytes_per_s = 0;   // the tolerance actually applied
  double mean_rss_bytes = 0;          // over the samples used
  std::size_t min_samples = 0;        // options.min_samples, for Describe()
  // "grows: +40.1 MB/s (interval +38 MB/s .. +42.2 MB/s, tolerance +2.5 KB/s,
  // n=24)"; "steady: ..."; "insufficient data: 4 samples after the warm-up,
  // need 10 spread over time".
  std::string Describe() const;
};

// Least-squares slope of rss_bytes over t_ns after the warm-up, with a
// Student-t interval (n-2 degrees of freedom, the exact quantile of
// statistics.h). "grows" only when the interval's low end is above
// the tolerance, so noise alone never makes a leak. Throws
// std::invalid_argument for options out of range.
MemoryGrowth AnalyzeMemoryGrowth(const std::vector<ProcessSample>& samples,
                                 const MemoryGrowthOptions& options = {});

}  // namespace perfcheck

#endif  // PERFCHECK_RESOURCE_STATISTICS_H_
