// Resource thresholds of `perfcheck load --threshold`, judged on the series
// of the monitored processes (--monitor-pid, --monitor-cmd, --monitor-cgroup):
//
//   rss<512MB            peak RSS of every monitored process (B, KB, MB, GB
//                        decimal; KiB, MiB, GiB binary; case-insensitive)
//   cpu<80%              mean CPU, % of ONE core (a process busy on two
//                        cores shows 200%)
//   peak_cpu<95%         the busiest sampling interval's CPU
//   memory_growth=none   RSS does not grow after a 20% warm-up (slope with a
//                        95% interval against 1% of the mean RSS per minute)
//
// Bounds are strict upper bounds ('<' only), as in perfcheck/resource_sla.h,
// which judges them: the CLI and the gtest macros agree on every boundary. A
// threshold passes when every monitored process passes; nothing monitored is
// no pass.
//
// Thread-safety: pure functions.
#ifndef PERFCHECK_CLI_RESOURCE_THRESHOLD_H_
#define PERFCHECK_CLI_RESOURCE_THRESHOLD_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "perfcheck/resource_statistics.h"
#include "perfcheck/sla.h"
#include "perfcheck/status.h"

namespace perfcheck::cli {

struct ResourceThreshold {
  enum class Metric { kRss, kCpu, kPeakCpu, kMemoryGrowth };
  std::string text;  // as written, trimmed
  Metric metric = Metric::kRss;
  double value = 0;  // bytes (kRss) or % of one core (kCpu, kPeakCpu)
};

// The verdict over every monitored process.
struct ResourceThresholdOutcome {
  ResourceThreshold threshold;
  bool passed = false;
  // One per process, in the order of the series.
  std::vector<SlaCheck> checks;
  // The worst process's check (largest observed value; a process with
  // nothing measured counts as worst), or nullopt with no process at all.
  std::optional<SlaCheck> worst;
  // "peak RSS = 80.2 MB (cmd process 42 (server))", or "no monitored process".
  std::string measured;
};

// Whether `text` names a resource metric (rss, cpu, peak_cpu,
// memory_growth), so the caller knows which parser it belongs to.
bool IsResourceThreshold(std::string_view text);

// Moves the resource thresholds out of `all` (the --threshold values, in
// order) into `resources`; the rest stay for the response thresholds.
void SplitResourceThresholds(std::vector<std::string>* all,
                             std::vector<std::string>* resources);

// Parses one expression; the error says what is wrong and quotes it:
//   threshold 'rss<512': memory needs a unit (B, KB, MB, GB, KiB, MiB, GiB),
//   e.g. rss<512MB
StatusOr<ResourceThreshold> ParseResourceThreshold(std::string_view text);

ResourceThresholdOutcome EvaluateResourceThreshold(
    const ResourceThreshold& threshold,
    const std::vector<ProcessSeries>& series);

}  // namespace perfcheck::cli

#endif  // PERFCHECK_CLI_RESOURCE_THRESHOLD_H_
