#include "threshold.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <limits>

#include "perfcheck/sla.h"

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

StatusOr<Nanos> ParseDuration(std::string_view text) {
  const std::string_view t = Trim(text);
  std::size_t i = 0;
  while (i < t.size() &&
         (std::isdigit(static_cast<unsigned char>(t[i])) || t[i] == '.'))
    ++i;
  const std::string_view number = t.substr(0, i), unit = t.substr(i);
  double v = 0;
  if (!ParseNumber(number, &v)) {
    return Status::Error("bad duration '" + std::string(text) +
                         "' (e.g. 500ms, 10s, 2m)");
  }
  double scale = 0;
  if (unit == "ns")
    scale = 1;
  else if (unit == "us")
    scale = 1e3;
  else if (unit == "ms")
    scale = 1e6;
  else if (unit == "s")
    scale = 1e9;
  else if (unit == "m")
    scale = 60e9;
  else if (unit == "h")
    scale = 3600e9;
  else {
    return Status::Error("duration '" + std::string(text) +
                         "' needs a unit (ns, us, ms, s, m, h), e.g. 500ms");
  }
  const double ns = v * scale;
  if (ns > 9e18)
    return Status::Error("duration '" + std::string(text) + "' is too large");
  return static_cast<Nanos>(std::llround(ns));
}

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
  const std::string_view metric =
      Trim(std::string_view(th.text).substr(0, op_pos));
  const bool or_equal =
      op_pos + 1 < th.text.size() && th.text[op_pos + 1] == '=';
  const bool less = th.text[op_pos] == '<';
  th.op = less ? (or_equal ? Threshold::Op::kLessEqual : Threshold::Op::kLess)
               : (or_equal ? Threshold::Op::kGreaterEqual
                           : Threshold::Op::kGreater);
  const std::string_view value =
      Trim(std::string_view(th.text).substr(op_pos + (or_equal ? 2 : 1)));
  if (value.empty()) return Status::Error(where + "missing value");

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
  if (metric == "max") {
    th.metric = Threshold::Metric::kMax;
  } else if (metric == "mean" || metric == "avg") {
    th.metric = Threshold::Metric::kMean;
  } else if (metric.size() > 1 && metric[0] == 'p' &&
             ParseNumber(metric.substr(1), &th.percentile) &&
             th.percentile <= 100) {
    th.metric = Threshold::Metric::kPercentile;
  } else {
    return Status::Error(where + "unknown metric '" + std::string(metric) +
                         "' (use pNN, max, mean, error_rate or rps)");
  }
  if (!less) return Status::Error(where + "latency thresholds take < or <=");
  StatusOr<Nanos> limit = ParseDuration(value);
  if (!limit.ok()) return Status::Error(where + limit.status().message());
  th.limit_ns = *limit;
  return th;
}

ThresholdVerdict Evaluate(const Threshold& th, const Result& r) {
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
  }
  // The limit as the user wrote it, not the one moved for inclusiveness.
  const double limit = c.unit == SlaUnit::kNanoseconds
                           ? static_cast<double>(th.limit_ns)
                           : th.value;
  return {c.passed, c.actual, c.observed, limit, c.unit};
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
  }
  return "?";
}

}  // namespace perfcheck::cli
