#include "threshold.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <chrono>
#include <cmath>
#include <limits>

#include "perfcheck/sla.h"
#include "perfcheck/time_series.h"
#include "perfcheck/window_sla.h"

namespace perfcheck::cli {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())))
    s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())))
    s.remove_suffix(1);
  return s;
}

// Parses a whole non-negative decimal number.
bool ParseNumber(std::string_view s, double* out) {
  if (s.empty() || s.front() == '-' || s.front() == '+') return false;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && end == s.data() + s.size() && std::isfinite(*out);
}

}  // namespace

StatusOr<Threshold> ParseThreshold(std::string_view raw) {
  Threshold th;
  th.text = std::string(Trim(raw));
  const std::string where = "threshold '" + th.text + "': ";
  const std::size_t op_pos = th.text.find_first_of("<>");
  if (op_pos == std::string::npos) {
    return Status::Error(where +
                         "expected <metric><op><value>, e.g. p95<500ms, "
                         "error_rate<1%, rps>50");
  }
  std::string_view metric = Trim(std::string_view(th.text).substr(0, op_pos));
  // An optional window: "p99[1m]", "drift(p95)[10s]".
  bool has_window = false;
  if (!metric.empty() && metric.back() == ']') {
    const std::size_t open = metric.rfind('[');
    if (open == std::string_view::npos) {
      return Status::Error(where + "unmatched ']' (a window reads p99[1m])");
    }
    const std::string_view window =
        Trim(metric.substr(open + 1, metric.size() - open - 2));
    StatusOr<Nanos> w = ParseDuration(window);
    if (!w.ok() || *w <= 0) {
      return Status::Error(where + "bad window '" + std::string(window) +
                           "' (a duration such as 1m or 30s, e.g. p99[1m]<2s)");
    }
    th.window_ns = *w;
    has_window = true;
    metric = Trim(metric.substr(0, open));
  }
  const bool or_equal =
      op_pos + 1 < th.text.size() && th.text[op_pos + 1] == '=';
  const bool less = th.text[op_pos] == '<';
  th.op = less ? (or_equal ? Threshold::Op::kLessEqual : Threshold::Op::kLess)
               : (or_equal ? Threshold::Op::kGreaterEqual
                           : Threshold::Op::kGreater);
  const std::string_view value =
      Trim(std::string_view(th.text).substr(op_pos + (or_equal ? 2 : 1)));
  if (value.empty()) return Status::Error(where + "missing value");

  if (metric.starts_with("drift(") && metric.ends_with(")")) {
    const std::string_view inner = Trim(metric.substr(6, metric.size() - 7));
    if (inner.size() < 2 || inner[0] != 'p' ||
        !ParseNumber(inner.substr(1), &th.percentile) || th.percentile >= 100) {
      return Status::Error(where +
                           "drift takes a percentile below p100, e.g. "
                           "drift(p95)<10%");
    }
    if (!less) return Status::Error(where + "drift takes < or <=");
    double v = 0;
    const bool percent = value.back() == '%';
    if (!ParseNumber(Trim(percent ? value.substr(0, value.size() - 1) : value),
                     &v)) {
      return Status::Error(where + "bad allowed rise '" + std::string(value) +
                           "' (e.g. 10% or 0.1)");
    }
    th.value = percent ? v / 100 : v;
    th.metric = Threshold::Metric::kDrift;
    if (!has_window) th.window_ns = ToNanos(DriftOptions{}.window);
    return th;
  }

  if (metric == "error_rate") {
    if (!less) return Status::Error(where + "error_rate takes < or <=");
    double v = 0;
    const bool percent = value.back() == '%';
    if (!ParseNumber(Trim(percent ? value.substr(0, value.size() - 1) : value),
                     &v)) {
      return Status::Error(where + "bad error rate '" + std::string(value) +
                           "' (e.g. 1% or 0.01)");
    }
    th.value = percent ? v / 100 : v;
    if (th.value > 1) return Status::Error(where + "error rate above 100%");
    th.metric = Threshold::Metric::kErrorRate;
    return th;
  }
  if (metric == "rps" || metric == "throughput") {
    if (less) return Status::Error(where + "rps takes > or >=");
    if (!ParseNumber(value, &th.value)) {
      return Status::Error(where + "bad rate '" + std::string(value) +
                           "' (e.g. rps>50)");
    }
    th.metric = Threshold::Metric::kRps;
    return th;
  }
  if (metric == "max" || metric == "mean" || metric == "avg") {
    if (has_window) {
      return Status::Error(where + std::string(metric) +
                           " takes no window (a percentile does: p99[1m]<2s)");
    }
    th.metric =
        metric == "max" ? Threshold::Metric::kMax : Threshold::Metric::kMean;
  } else if (metric.size() > 1 && metric[0] == 'p' &&
             ParseNumber(metric.substr(1), &th.percentile) &&
             th.percentile <= 100) {
    th.metric = Threshold::Metric::kPercentile;
  } else {
    return Status::Error(where + "unknown metric '" + std::string(metric) +
                         "' (use pNN, max, mean, error_rate, rps or "
                         "drift(pNN))");
  }
  if (!less) return Status::Error(where + "latency thresholds take < or <=");
  StatusOr<Nanos> limit = ParseDuration(value);
  if (!limit.ok()) return Status::Error(where + limit.status().message());
  th.limit_ns = *limit;
  return th;
}

namespace {

// The bound sla.h judges for `th`: its checks are strict (< for latency and
// error rate, >= for rate); the other operators move the bound by the
// smallest step.
Nanos LatencyBound(const Threshold& th) {
  return th.limit_ns + (th.op == Threshold::Op::kLessEqual ? 1 : 0);
}
double ErrorRateBound(const Threshold& th) {
  return th.op == Threshold::Op::kLessEqual
             ? std::min(1.0, std::nextafter(th.value, 2.0))
             : th.value;
}
double RateBound(const Threshold& th) {
  return th.op == Threshold::Op::kGreater
             ? std::nextafter(th.value, std::numeric_limits<double>::infinity())
             : th.value;
}

ThresholdVerdict EvaluateWindows(const Threshold& th, const Result& r) {
  WindowCheck c;
  switch (th.metric) {
    case Threshold::Metric::kErrorRate:
      c = CheckErrorRateBelowInEveryWindow(r, th.window_ns, ErrorRateBound(th));
      break;
    case Threshold::Metric::kRps:
      c = CheckThroughputAtLeastInEveryWindow(r, th.window_ns, RateBound(th));
      break;
    default:
      c = CheckPercentileBelowInEveryWindow(r, th.percentile, th.window_ns,
                                            LatencyBound(th));
      break;
  }
  if (th.metric == Threshold::Metric::kErrorRate && th.value >= 1 &&
      th.op == Threshold::Op::kLessEqual) {
    c.passed = true;
  }
  const double limit = c.unit == SlaUnit::kNanoseconds
                           ? static_cast<double>(th.limit_ns)
                           : th.value;
  return {c.passed, c.actual, c.observed, limit, c.unit};
}

ThresholdVerdict EvaluateDrift(const Threshold& th, const Result& r) {
  DriftOptions o;
  o.percent = th.percentile;
  o.window = std::chrono::nanoseconds(th.window_ns);
  o.allowed_rise = th.value;
  const LatencyDrift d = AnalyzeLatencyDrift(r, o);
  std::optional<double> observed;
  if (d.verdict != DriftVerdict::kInsufficientData) observed = d.rise;
  return {d.verdict == DriftVerdict::kSteady, d.Describe(), observed, th.value,
          SlaUnit::kFraction};
}

}  // namespace

ThresholdVerdict Evaluate(const Threshold& th, const Result& r) {
  if (th.metric == Threshold::Metric::kDrift) return EvaluateDrift(th, r);
  if (th.window_ns > 0) return EvaluateWindows(th, r);
  // sla.h checks are strict (< for latency and error rate, >= for rate); the
  // other operators move the bound by the smallest step.
  const bool inclusive = th.op == Threshold::Op::kLessEqual;
  SlaCheck c;
  switch (th.metric) {
    case Threshold::Metric::kPercentile:
      c = CheckPercentileBelow(r, th.percentile,
                               th.limit_ns + (inclusive ? 1 : 0));
      break;
    case Threshold::Metric::kMax:
      c = CheckMaxBelow(r, th.limit_ns + (inclusive ? 1 : 0));
      break;
    case Threshold::Metric::kMean:
      c = CheckMeanBelow(r, th.limit_ns + (inclusive ? 1 : 0));
      break;
    case Threshold::Metric::kErrorRate:
      c = CheckErrorRateBelow(
          r,
          inclusive ? std::min(1.0, std::nextafter(th.value, 2.0)) : th.value);
      if (inclusive && th.value >= 1) c.passed = true;
      break;
    case Threshold::Metric::kRps:
      c = CheckThroughputAtLeast(
          r, th.op == Threshold::Op::kGreater
                 ? std::nextafter(th.value,
                                  std::numeric_limits<double>::infinity())
                 : th.value);
      break;
    case Threshold::Metric::kDrift:  // judged by EvaluateDrift above
      break;
  }
  // The limit as the user wrote it, not the one moved for inclusiveness.
  const double limit = c.unit == SlaUnit::kNanoseconds
                           ? static_cast<double>(th.limit_ns)
                           : th.value;
  return {c.passed, c.actual, c.observed, limit, c.unit};
}

Status CheckAgainstRun(const Threshold& th, Nanos interval_ns,
                       Nanos planned_ns) {
  if (th.window_ns <= 0 || interval_ns <= 0) return Status();
  const std::string where = "threshold '" + th.text + "': ";
  // The series' interval at the end of the run (time_series.h doubles it
  // whenever an offset would need more than the cap).
  Nanos step = interval_ns;
  while (planned_ns / step >=
         static_cast<Nanos>(TimeSeries::kDefaultMaxIntervals)) {
    step *= 2;
  }
  if (th.window_ns % step != 0) {
    std::string why = where + "the window " + FormatOffset(th.window_ns) +
                      " is not a whole multiple of the time series' interval " +
                      FormatOffset(step);
    if (step != interval_ns) {
      why += " (a " + FormatOffset(planned_ns) + " run keeps its series at " +
             FormatOffset(step) + " intervals: at most " +
             std::to_string(TimeSeries::kDefaultMaxIntervals) + ")";
    }
    return Status::Error(why + "; use a multiple of " + FormatOffset(step));
  }
  const std::size_t need = DriftOptions{}.min_windows;
  if (th.metric == Threshold::Metric::kDrift &&
      planned_ns / th.window_ns < static_cast<Nanos>(need)) {
    return Status::Error(
        where + "a " + FormatOffset(planned_ns) + " run has " +
        std::to_string(planned_ns / th.window_ns) + " whole windows of " +
        FormatOffset(th.window_ns) + "; the drift check needs " +
        std::to_string(need) + " (a shorter window, e.g. drift(" +
        PercentileName(th.percentile) + ")[" +
        FormatOffset(std::max<Nanos>(
            interval_ns, planned_ns / 10 / interval_ns * interval_ns)) +
        "]<10%, or a longer run)");
  }
  return Status();
}

std::string_view UnitName(SlaUnit unit) {
  switch (unit) {
    case SlaUnit::kNanoseconds:
      return "ns";
    case SlaUnit::kFraction:
      return "fraction";
    case SlaUnit::kPerSecond:
      return "per_second";
    case SlaUnit::kPerOperation:
      return "per_operation";
    case SlaUnit::kBytesPerOperation:
      return "bytes_per_operation";
    case SlaUnit::kBytes:
      return "bytes";
    case SlaUnit::kPercentOfCore:
      return "percent_of_core";
    case SlaUnit::kBytesPerSecond:
      return "bytes_per_second";
  }
  return "?";
}

}  // namespace perfcheck::cli
