#include "perfcheck/sla.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <optional>
#include <stdexcept>
#include <string>

#include "perfcheck/format.h"

namespace perfcheck {
namespace {

constexpr const char kNoSuccess[] = "no successful operations";

// Two different values can format alike ("500 ms" for 500.4 ms); then the
// exact nanoseconds are shown so "Actual: p95 = 500 ms" never reads as a pass.
std::string MeasuredNanos(double measured, Nanos limit) {
  std::string text = FormatNanos(measured);
  if (text == FormatNanos(static_cast<double>(limit)) &&
      measured != static_cast<double>(limit)) {
    char exact[64];
    std::snprintf(exact, sizeof exact, " (%.0f ns)", measured);
    text += exact;
  }
  return text;
}

// Metric names use '_' so they can be property keys; messages use words.
std::string Words(std::string metric) {
  for (char& c : metric) {
    if (c == '_') c = ' ';
  }
  return metric;
}

SlaCheck Finish(const Result& result, SlaCheck check) {
  check.expected = Words(check.metric) + " " + check.requirement;
  check.summary =
      (result.name.empty() ? std::string("(unnamed)") : result.name) + ": " +
      check.expected + " -> " + check.actual +
      (check.passed ? " [PASS]" : " [FAIL]");
  return check;
}

void CheckLimit(Nanos limit) {
  if (limit < 0) {
    throw std::invalid_argument("SLA latency limit must be >= 0, got " +
                                std::to_string(limit) + " ns");
  }
}

// Shared by every latency bound: `value` is only evaluated when there is data.
template <class ValueFn>
SlaCheck LatencyCheck(const Result& result, std::string metric, Nanos limit,
                      ValueFn value) {
  CheckLimit(limit);
  SlaCheck check;
  check.metric = std::move(metric);
  check.limit = static_cast<double>(limit);
  check.unit = SlaUnit::kNanoseconds;
  check.comparison = SlaComparison::kLess;
  check.requirement = "< " + FormatNanos(static_cast<double>(limit));
  if (result.OkCount() == 0) {
    check.passed = false;
    check.measured = kNoSuccess;
    check.actual = kNoSuccess;
    return Finish(result, std::move(check));
  }
  const double measured = value();
  check.observed = measured;
  check.passed = measured < static_cast<double>(limit);
  check.measured = MeasuredNanos(measured, limit);
  check.actual = Words(check.metric) + " = " + check.measured;
  return Finish(result, std::move(check));
}

// Shared by both allocation bounds. `unit` follows the number ("" or " B").
SlaCheck AllocationCheck(const Result& result, std::string metric,
                         std::optional<double> measured, double bound,
                         SlaUnit sla_unit, const std::string& unit) {
  if (!(bound >= 0.0) || std::isinf(bound)) {
    throw std::invalid_argument("allocation bound (" + Words(metric) +
                                " per operation) must be a finite number >= "
                                "0, got " +
                                std::to_string(bound));
  }
  SlaCheck check;
  check.metric = std::move(metric);
  check.limit = bound;
  check.unit = sla_unit;
  check.comparison = SlaComparison::kLessEqual;
  check.requirement = "<= " + FormatCount(bound) + unit + " per operation";
  if (!measured) {
    check.passed = false;
    if (result.TotalCount() == 0) {
      check.measured = "no operations";
      check.actual = "no operations";
    } else {
      // Nothing counted: the usual cause is a binary without the hooks.
      check.measured = "not counted";
      check.actual =
          Words(check.metric) +
          " not counted: only perfcheck::Measure and Callable count "
          "allocations, and only in a binary that links "
          "perfcheck::allocation_hooks (perfcheck::gtest_main links it)";
    }
    return Finish(result, std::move(check));
  }
  check.observed = *measured;
  check.passed = *measured <= bound;
  check.measured = FormatCount(*measured);
  // A mean of 2.001 formats as "2", which would read as a pass of "<= 2".
  if (check.measured == FormatCount(bound) && *measured != bound) {
    char exact[64];
    auto [end, ec] = std::to_chars(exact, exact + sizeof exact, *measured);
    if (ec == std::errc()) check.measured = std::string(exact, end);
  }
  check.measured += unit;
  check.actual = Words(check.metric) + " = " + check.measured +
                 " per operation (mean over " +
                 std::to_string(result.counts.operations) + " operations)";
  return Finish(result, std::move(check));
}

}  // namespace

std::string PercentileName(double percent) {
  if (!(percent >= 0.0 && percent <= 100.0)) {
    throw std::invalid_argument("percentile must be in [0, 100], got " +
                                std::to_string(percent));
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", percent);
  std::string text = buf;
  text.erase(text.find_last_not_of('0') + 1);
  if (text.back() == '.') text.pop_back();
  return "p" + text;
}

SlaCheck CheckPercentileBelow(const Result& result, double percent,
                              Nanos limit) {
  std::string name = PercentileName(percent);  // validates percent
  return LatencyCheck(result, std::move(name), limit, [&] {
    return static_cast<double>(result.latency.Percentile(percent));
  });
}

SlaCheck CheckMaxBelow(const Result& result, Nanos limit) {
  return LatencyCheck(result, "max", limit, [&] {
    return static_cast<double>(result.latency.Max());
  });
}

SlaCheck CheckMeanBelow(const Result& result, Nanos limit) {
  return LatencyCheck(result, "mean", limit,
                      [&] { return result.latency.Mean(); });
}

SlaCheck CheckErrorRateBelow(const Result& result, double fraction) {
  if (!(fraction >= 0.0 && fraction <= 1.0)) {
    throw std::invalid_argument(
        "error rate bound must be a fraction in [0, 1] (0.01 = 1%), got " +
        std::to_string(fraction));
  }
  SlaCheck check;
  check.metric = "error_rate";
  check.limit = fraction;
  check.unit = SlaUnit::kFraction;
  check.comparison = SlaComparison::kLess;
  check.requirement = "< " + FormatPercent(fraction);
  const std::uint64_t total = result.TotalCount();
  if (total == 0) {
    check.passed = false;
    check.measured = "no operations";
    check.actual = "no operations";
    return Finish(result, std::move(check));
  }
  const std::uint64_t errors = result.ErrorCount();
  const double rate = result.ErrorRate();
  check.observed = rate;
  // A bound of 0 can only mean "no errors"; strict "< 0" would never pass.
  check.passed = fraction == 0.0 ? errors == 0 : rate < fraction;
  check.measured = FormatPercent(rate);
  check.actual = "error rate = " + check.measured + " (" +
                 std::to_string(errors) + " of " + std::to_string(total) +
                 " operations)";
  return Finish(result, std::move(check));
}

SlaCheck CheckThroughputAtLeast(const Result& result, double per_second) {
  if (!(per_second >= 0.0) || std::isinf(per_second)) {
    throw std::invalid_argument(
        "throughput bound must be a finite rate >= 0 per second, got " +
        std::to_string(per_second));
  }
  SlaCheck check;
  check.metric = "throughput";
  check.limit = per_second;
  check.unit = SlaUnit::kPerSecond;
  check.comparison = SlaComparison::kGreaterEqual;
  check.requirement = ">= " + FormatRate(per_second);
  const double rate = result.Throughput();
  check.observed = rate;
  check.passed = rate >= per_second;
  check.measured = FormatRate(rate);
  check.actual = "throughput = " + check.measured + " (" +
                 std::to_string(result.OkCount()) + " successful in " +
                 FormatNanos(static_cast<double>(result.elapsed_ns)) + ")";
  return Finish(result, std::move(check));
}

SlaCheck CheckAllocationsAtMost(const Result& result, double per_operation) {
  return AllocationCheck(result, "allocations", result.counts.allocations,
                         per_operation, SlaUnit::kPerOperation, "");
}

SlaCheck CheckAllocatedBytesAtMost(const Result& result, double bytes) {
  return AllocationCheck(result, "allocated_bytes",
                         result.counts.allocated_bytes, bytes,
                         SlaUnit::kBytesPerOperation, " B");
}

std::string PercentileLine(const Result& result) {
  const LatencyHistogram& h = result.latency;
  std::string line = "n=" + std::to_string(h.TotalCount()) +
                     " errors=" + std::to_string(result.ErrorCount());
  if (h.TotalCount() == 0) return line + " (" + kNoSuccess + ")";
  auto add = [&](const char* label, double ns) {
    line += ' ';
    line += label;
    line += '=';
    line += FormatNanos(ns);
  };
  auto pct = [&](double p) { return static_cast<double>(h.Percentile(p)); };
  add("min", static_cast<double>(h.Min()));
  add("p50", pct(50));
  add("p90", pct(90));
  add("p95", pct(95));
  add("p99", pct(99));
  add("p99.9", pct(99.9));
  add("max", static_cast<double>(h.Max()));
  add("mean", h.Mean());
  return line;
}

}  // namespace perfcheck
