// TimeSeries: per-interval statistics of a run (count, errors, p50/p95/p99),
// e.g. one row per second, for plots and for spotting warm-up or stalls.
//
// Each interval keeps its own latency histogram (2 significant digits, stored
// in the compact encoded form once the interval is closed), so two series merge
// exactly, interval by interval. Offsets are measured from the run's start.
//
// Memory is bounded: a closed interval costs about 2 KB (a wide latency
// distribution), so a series keeps at most `max_intervals` of them (default
// 1024). When an offset would need more, adjacent pairs merge and the interval
// length doubles (1 s -> 2 s -> 4 s ...), exactly; a one-hour run at 1 s
// therefore ends with 900 intervals of 4 s, and a run of any length holds
// at most about 2 MB per series.
//
// Thread-safety: not synchronized; use one TimeSeries per thread and Merge().
//
// Example:
//   perfcheck::TimeSeries ts(std::chrono::seconds(1));
//   ts.Record(/*offset_ns=*/1'500'000'000, /*latency_ns=*/2'000'000,
//             /*ok=*/true);
//   ts.Finish();
//   ts.Intervals()[1].p95_ns;   // 2 ms, in the interval [1 s, 2 s)
#ifndef PERFCHECK_TIME_SERIES_H_
#define PERFCHECK_TIME_SERIES_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "perfcheck/clock.h"
#include "perfcheck/latency_histogram.h"

namespace perfcheck {

struct Interval {
  Nanos start_ns = 0;    // offset of the interval's start from the run start
  std::uint64_t ok = 0;  // successful operations that completed in it
  std::uint64_t errors = 0;  // failed operations that completed in it
  Nanos p50_ns = 0, p95_ns = 0, p99_ns = 0;  // of the successful operations
  std::string latency;  // LatencyHistogram::Encode() of the interval (2 digits)

  friend bool operator==(const Interval&, const Interval&) = default;
};

class TimeSeries {
 public:
  static constexpr int kSignificantDigits = 2;
  static constexpr std::size_t kDefaultMaxIntervals = 1024;

  // `interval` must be > 0 and `max_intervals` >= 2 (std::invalid_argument
  // otherwise).
  explicit TimeSeries(
      std::chrono::nanoseconds interval = std::chrono::seconds(1),
      std::size_t max_intervals = kDefaultMaxIntervals);

  // Records one operation that completed `offset_ns` after the run start.
  // Offsets must not decrease between calls on one TimeSeries (a smaller offset
  // is counted in the current interval). Allocates only when an interval closes
  // (and, rarely, when the series coarsens: see above).
  void Record(Nanos offset_ns, Nanos latency_ns, bool ok);

  // Closes the open interval. Call before reading Intervals() or merging.
  void Finish();

  // Adds `other` interval by interval. When one interval length is a whole
  // multiple of the other (a series that coarsened, see above), the finer
  // side is coarsened first; otherwise std::invalid_argument. Both must be
  // Finish()ed.
  void Merge(const TimeSeries& other);

  // Merges groups of intervals so the interval length becomes `interval_ns`,
  // a whole multiple of the current one (std::invalid_argument otherwise).
  // Must be Finish()ed.
  void Coarsen(Nanos interval_ns);

  Nanos IntervalNanos() const { return interval_ns_; }
  std::size_t MaxIntervals() const { return max_intervals_; }
  // Closed intervals in ascending start order; intervals with no operation are
  // present (zero counts) between the first and the last one.
  const std::vector<Interval>& Intervals() const { return intervals_; }

  // Rebuilds a series from stored intervals (used by the JSON reader).
  static TimeSeries FromIntervals(Nanos interval_ns,
                                  std::vector<Interval> intervals);

  friend bool operator==(const TimeSeries& a, const TimeSeries& b) {
    return a.interval_ns_ == b.interval_ns_ && a.intervals_ == b.intervals_;
  }

 private:
  void CloseOpen();

  Nanos interval_ns_;
  std::size_t max_intervals_;
  std::vector<Interval> intervals_;
  std::int64_t open_index_ = -1;  // index (offset / interval) of the open one
  std::uint64_t open_ok_ = 0, open_errors_ = 0;
  std::optional<LatencyHistogram> open_latency_;
};

}  // namespace perfcheck

#endif  // PERFCHECK_TIME_SERIES_H_
