// Resource SLA checks: judge the series of one monitored process (CPU, RSS;
// perfcheck/resource_statistics.h) against a bound: "peak RSS < 512 MB",
// "mean CPU < 80 %", "peak CPU < 95 %", "no memory growth".
//
// Evaluation layer, like perfcheck/sla.h, and returning the same SlaCheck:
// they see only a ProcessSeries (a value from a live ProcessMonitor or read
// back from a result file), never /proc, and never print. The gtest macros
// (EXPECT_PEAK_RSS_BELOW, EXPECT_CPU_BELOW, EXPECT_PEAK_CPU_BELOW,
// EXPECT_NO_MEMORY_GROWTH in perfcheck/gtest.h) and the CLI's resource
// thresholds (`rss<512MB`, `cpu<80%`, `peak_cpu<95%`, `memory_growth=none`)
// are thin layers over these.
//
// Semantics:
// - Bounds are strict: peak RSS < bytes, mean CPU < percent, peak CPU <
//   percent. CPU is in % of ONE core; the first sample of a series has no
//   interval and is skipped (SummarizeCpu).
// - Nothing measured is never a pass: a series without samples fails
//   ("no samples"); CPU checks need two samples ("no CPU interval");
//   the growth check fails with kInsufficientData ("insufficient data: ...").
// - CheckNoMemoryGrowth runs AnalyzeMemoryGrowth (warm-up left out, least-
//   squares slope with a Student-t interval) and passes unless the verdict is
//   kGrows; `observed` is the interval's low end and `limit` the tolerance
//   (both bytes/s): it fails exactly when observed > limit. The message gives
//   the slope, its interval, the tolerance, n and the verdict.
// - A process that exited during the run is judged on the samples kept; its
//   note is appended to `actual`.
//
// Errors: a negative byte or percent bound, or NaN, throws
// std::invalid_argument; MemoryGrowthOptions out of range throw as in
// AnalyzeMemoryGrowth.
//
// Thread-safety: pure functions.
//
// Example:
//   for (const perfcheck::ProcessSeries& p : monitor.Snapshot()) {
//     perfcheck::SlaCheck c = perfcheck::CheckPeakRssBelow(p, 512'000'000);
//     if (!c.passed) std::cerr << c.summary << "\n";
//     // "process 4242 (server): peak RSS < 512 MB -> peak RSS = 600 MB
//     //  (at 12.0 s, 30 samples) [FAIL]"
//   }
#ifndef PERFCHECK_RESOURCE_SLA_H_
#define PERFCHECK_RESOURCE_SLA_H_

#include <cstdint>
#include <string>

#include "perfcheck/resource_statistics.h"
#include "perfcheck/sla.h"

namespace perfcheck {

// Largest resident set size < `bytes` (>= 0). metric "peak_rss", unit kBytes.
SlaCheck CheckPeakRssBelow(const ProcessSeries& series, std::int64_t bytes);

// Mean CPU over the samples with an interval < `percent` of one core (>= 0).
// metric "cpu", unit kPercentOfCore.
SlaCheck CheckCpuBelow(const ProcessSeries& series, double percent);

// Largest per-interval CPU < `percent` of one core (>= 0). With a 1 s
// interval this is the busiest second. metric "peak_cpu".
SlaCheck CheckPeakCpuBelow(const ProcessSeries& series, double percent);

// RSS does not grow after the warm-up (see the header comment). metric
// "memory_growth", unit kBytesPerSecond.
SlaCheck CheckNoMemoryGrowth(const ProcessSeries& series,
                             const MemoryGrowthOptions& options = {});

// Bytes with decimal units as thresholds are written: "950 B", "12.3 KB",
// "512 MB", "1.5 GB" (three significant digits).
std::string FormatBytes(double bytes);

}  // namespace perfcheck

#endif  // PERFCHECK_RESOURCE_SLA_H_
