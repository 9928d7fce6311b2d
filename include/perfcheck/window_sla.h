// Soak-run checks over a Result's time series: a bound that must hold in every
// window of the run ("p99 < 2 s in every 1-minute window"), and whether the
// latency drifts upwards during the run.
//
// L3 evaluation, like perfcheck/sla.h: pure functions over a Result (its
// `series`), so a live run and a stored one are judged alike. Each window is
// judged by the very sla.h check a whole run is (same strictness, same texts).
//
// Windows:
// - Tumbling and aligned to the run start: window k (1-based in texts) covers
//   offsets [(k-1) * window, k * window). Its operations are those of the
//   series intervals that start in it; their interval histograms merge
//   exactly, so a window's percentile has the series' precision (2
//   significant digits: within 1% of the exact nearest-rank value).
// - `window` must be a whole multiple of the series' interval; otherwise the
//   check FAILS saying so (observed absent), never passes. A long run's
//   series coarsens (time_series.h: 1 s -> 2 s -> 4 s ... past 1024
//   intervals), so an 8-hour run at 1 s holds 32 s intervals and a 1-minute
//   window cannot be judged on it: the message names the series' interval.
// - The run ends at Result::elapsed_ns (at the end of the last interval when
//   elapsed_ns ends before that interval starts, e.g. 0). Windows after the
//   last completion up to the end are empty, and fail a latency bound. The
//   last window is usually partial. A partial last
//   window that spans at least half a window is judged on its own; a shorter
//   one is folded into the window before it (which then spans up to 1.5
//   windows), so no operation escapes judgement and no window is judged on
//   the few requests of a run's last moments. A run shorter than one window
//   is one (partial) window. Throughput per window is over the window's
//   actual span.
// - Few samples: a window with fewer than 100 / (100 - q) successful
//   operations has no q-percentile beyond its largest value; nearest rank
//   then gives its max, and the check judges that max (stricter, never
//   skipped). Such windows are listed in `notes`. A window with no successful
//   operation fails a latency bound ("no successful operations"), as a
//   whole-run check does: a stall of a whole window is a failure. A window
//   with no operation at all fails an error-rate bound.
// - Per-interval error categories are not kept in the series, so a window's
//   Result counts its failures under one category, "error".
//
// Drift (AnalyzeLatencyDrift): the q-percentile of each window (windows as
// above, those with fewer than 100 / (100 - q) successes left out) against
// the window's mid time, a least-squares slope with an exact Student-t
// interval (n - 2 degrees of freedom, statistics.h). The tolerated rise over
// the run is `allowed_rise` times the reference level (the mean percentile of
// the first `reference_windows` windows used); "drifting" only when the whole
// interval lies above that rise spread over the run, so noise alone never
// reads as drift and a short noisy run is "steady" rather than a false alarm.
// Fewer than `min_windows` usable windows: insufficient data (a check that
// cannot judge is not a pass: the gtest macro and the CLI fail on it).
//
// Errors: misuse throws std::invalid_argument (window <= 0, percent outside
// [0, 100], negative limit or rate, fraction outside [0, 1], drift options
// out of range). A series that cannot be cut into such windows is a failed
// verdict, not an exception.
//
// Thread-safety: pure functions; the types are plain values.
//
// Example:
//   perfcheck::WindowCheck c = perfcheck::CheckPercentileBelowInEveryWindow(
//       load.aggregate, 99, std::chrono::minutes(1), std::chrono::seconds(2));
//   // c.actual: "p99 of window 3 (2m-3m) = 2.4 s; 1 of 5 windows failed"
//   perfcheck::LatencyDrift d = perfcheck::AnalyzeLatencyDrift(
//       load.aggregate, {.percent = 95, .window = std::chrono::minutes(1)});
//   // d.Describe(): "steady: p95 +0.8% over the run (interval -2.1% ..
//   //   +3.7%, allowed +10.0%; from 212 ms), 30 windows of 1m"
#ifndef PERFCHECK_WINDOW_SLA_H_
#define PERFCHECK_WINDOW_SLA_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "perfcheck/clock.h"
#include "perfcheck/result.h"
#include "perfcheck/sla.h"
#include "perfcheck/statistics.h"
#include "perfcheck/status.h"

namespace perfcheck {

// One window of a run, as a Result of its own.
struct RunWindow {
  std::size_t number = 0;  // 1-based, from the run start
  Nanos start_ns = 0;      // offset of its start from the run start
  // The time it covers: the window length; less for a partial last window;
  // more for the window a short tail was folded into.
  Nanos span_ns = 0;
  bool partial = false;      // the last window, shorter than the window length
  bool folded_tail = false;  // a short last window was folded into this one
  // Its operations: latency (2 significant digits), failures under "error",
  // elapsed_ns = span_ns, name "<run name> window N".
  Result result;
};

// Cuts `result.series` into windows of `window_ns` (see the header comment).
// The error says why it cannot: no time series, or a window that is not a
// whole multiple of the series' interval (naming both, and that the series
// coarsened when it did). Throws std::invalid_argument when window_ns <= 0.
StatusOr<std::vector<RunWindow>> SplitIntoWindows(const Result& result,
                                                  Nanos window_ns);

// The verdict of one window.
struct WindowVerdict {
  std::size_t number = 0;  // 1-based
  Nanos start_ns = 0;
  Nanos span_ns = 0;
  std::uint64_t ok = 0, errors = 0;
  SlaCheck check;  // the sla.h check on the window's Result
};

// The verdict of a bound over every window.
struct [[nodiscard]] WindowCheck {
  bool passed = false;
  Nanos window_ns = 0;
  std::vector<WindowVerdict> windows;  // every window, in order
  std::size_t failed = 0;              // windows whose check failed
  // Index into `windows` of the worst one (a failed one when any failed:
  // one with nothing measured first, else the largest latency or error
  // rate, the lowest throughput); nullopt when there is no window.
  std::optional<std::size_t> worst;
  // The worst window's measured value (SlaCheck units), and the bound.
  std::optional<double> observed;
  double limit = 0;
  SlaUnit unit = SlaUnit::kNanoseconds;
  std::string metric;  // "p99", "error_rate", "throughput"
  // The bound alone, as sla.h words it: "< 2 s", "< 1%", ">= 50.0/s".
  std::string requirement;
  // "p99 < 2 s in every 1m window"
  std::string expected;
  // Failed: "p99 of window 3 (2m-3m) = 2.4 s; 1 of 5 windows failed".
  // Passed: "worst p99 = 1.2 s in window 2 (1m-2m); 0 of 5 windows failed".
  // Not judged: the reason ("window 1m is not a whole multiple of the
  // series' interval 32 s (the series coarsened from ...)").
  std::string actual;
  // Remarks on single windows: few samples (judged on the max), a folded
  // tail, a partial last window.
  std::vector<std::string> notes;
  // "<name>: <expected> -> <actual> [PASS|FAIL]"
  std::string summary;
};

// Percentile `percent` (in [0, 100]) of each window's successes < `limit`.
WindowCheck CheckPercentileBelowInEveryWindow(const Result& result,
                                              double percent, Nanos window_ns,
                                              Nanos limit);
// Errors / all operations of each window < `fraction` (in [0, 1]).
WindowCheck CheckErrorRateBelowInEveryWindow(const Result& result,
                                             Nanos window_ns, double fraction);
// Successful operations per second of each window's span >= `per_second`.
WindowCheck CheckThroughputAtLeastInEveryWindow(const Result& result,
                                                Nanos window_ns,
                                                double per_second);

template <class R1, class P1, class R2, class P2>
WindowCheck CheckPercentileBelowInEveryWindow(
    const Result& result, double percent, std::chrono::duration<R1, P1> window,
    std::chrono::duration<R2, P2> limit) {
  return CheckPercentileBelowInEveryWindow(result, percent, ToNanos(window),
                                           ToNanos(limit));
}

// The smallest number of successes for which the nearest-rank `percent`
// percentile is not simply the largest value: ceil(100 / (100 - percent)),
// e.g. 100 for p99, 20 for p95, 2 for p50; 1 for p100 (the max by
// definition). Throws std::invalid_argument outside [0, 100].
std::uint64_t SamplesForPercentile(double percent);

// ----------------------------------------------------------------- drift ----

struct DriftOptions {
  double percent = 95;  // the percentile followed, in [0, 100)
  std::chrono::nanoseconds window = std::chrono::minutes(1);  // > 0
  // Tolerated rise over the whole run, as a fraction of the reference level
  // (0.1: +10%); >= 0.
  double allowed_rise = 0.10;
  // The reference level is the mean percentile of the first this-many usable
  // windows; >= 1 and < min_windows.
  std::size_t reference_windows = 3;
  double confidence = 0.95;     // of the slope's interval, in (0, 1)
  std::size_t min_windows = 5;  // usable windows needed; >= 4
};

enum class DriftVerdict {
  kInsufficientData,  // fewer than min_windows usable windows (or a series
                      // that cannot be cut into them)
  kSteady,            // the interval reaches down to the allowed rise
  kDrifting,          // the whole interval is above the allowed rise
};

struct [[nodiscard]] LatencyDrift {
  DriftVerdict verdict = DriftVerdict::kInsufficientData;
  double percent = 95;
  Nanos window_ns = 0;
  std::size_t windows = 0;  // windows cut from the series
  std::size_t used = 0;     // with enough successes for the percentile
  double reference_ns = 0;  // level of the first windows
  // Least-squares slope of the window percentile over the window mid times,
  // ns of latency per s of run, and its interval at `confidence`.
  double slope_ns_per_s = 0;
  ConfidenceInterval slope_interval;
  double span_s = 0;  // from the first to the last used window's mid time
  // The rise over the run the slope implies (slope * span / reference), its
  // interval, and the allowed rise; fractions (0.1 = +10%). 0 when the
  // reference is 0.
  double rise = 0;
  ConfidenceInterval rise_interval;
  double allowed_rise = 0;
  std::size_t min_windows = 0;
  std::string problem;  // why the series could not be cut, if so
  // "drifting: p95 +86.5% over the run (interval +86.2% .. +86.9%, allowed
  // +10.0%; from 11 ms), 20 windows of 10s"; "steady: ..."; "insufficient
  // data: 3 usable windows of 10s (p95 needs 20 successes each; 3 windows
  // in the run), need 5".
  std::string Describe() const;
};

// See the header comment. Throws std::invalid_argument for options out of
// range.
LatencyDrift AnalyzeLatencyDrift(const Result& result,
                                 const DriftOptions& options = {});

// "2m", "1m30s", "500ms", "1h2m3.5s", "0s": offsets and window lengths in
// the texts above.
std::string FormatOffset(Nanos ns);

}  // namespace perfcheck

#endif  // PERFCHECK_WINDOW_SLA_H_
