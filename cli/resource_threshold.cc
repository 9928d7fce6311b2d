#include "resource_threshold.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <string>

#include "perfcheck/resource_sla.h"

namespace perfcheck::cli {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())))
    s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())))
    s.remove_suffix(1);
  return s;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// The metric name before the operator, lower-cased and trimmed.
std::string MetricName(std::string_view text) {
  const std::size_t op = text.find_first_of("<>=!");
  return Lower(Trim(text.substr(0, op)));
}

bool ParseNumber(std::string_view s, double* v) {
  if (s.empty()) return false;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *v);
  return ec == std::errc() && end == s.data() + s.size() && std::isfinite(*v);
}

}  // namespace

bool IsResourceThreshold(std::string_view text) {
  const std::string m = MetricName(text);
  return m == "rss" || m == "cpu" || m == "peak_cpu" || m == "memory_growth";
}

void SplitResourceThresholds(std::vector<std::string>* all,
                             std::vector<std::string>* resources) {
  std::vector<std::string> rest;
  for (std::string& t : *all) {
    (IsResourceThreshold(t) ? resources : &rest)->push_back(std::move(t));
  }
  *all = std::move(rest);
}

StatusOr<ResourceThreshold> ParseResourceThreshold(std::string_view text) {
  ResourceThreshold th;
  th.text = std::string(Trim(text));
  const std::string where = "threshold '" + th.text + "': ";
  const std::string metric = MetricName(th.text);
  const std::size_t op_at = th.text.find_first_of("<>=!");
  if (op_at == std::string::npos) {
    return Status::Error(where + "expected METRIC<VALUE, e.g. rss<512MB");
  }
  std::string_view rest = std::string_view(th.text).substr(op_at);
  if (metric == "memory_growth") {
    th.metric = ResourceThreshold::Metric::kMemoryGrowth;
    if (rest.substr(0, 2) == "==") rest.remove_prefix(1);
    if (rest.empty() || rest[0] != '=' ||
        Lower(Trim(rest.substr(1))) != "none") {
      return Status::Error(where +
                           "memory growth is written memory_growth=none");
    }
    return th;
  }
  if (rest.substr(0, 2) == "<=" || rest[0] != '<') {
    return Status::Error(where +
                         "resource bounds are strict upper bounds: use '<', "
                         "e.g. " +
                         metric + (metric == "rss" ? "<512MB" : "<80%"));
  }
  const std::string_view value = Trim(rest.substr(1));
  std::size_t i = 0;
  while (
      i < value.size() &&
      (std::isdigit(static_cast<unsigned char>(value[i])) || value[i] == '.'))
    ++i;
  double v = 0;
  if (!ParseNumber(value.substr(0, i), &v)) {
    return Status::Error(where + "expected a number after '<'");
  }
  const std::string unit = Lower(Trim(value.substr(i)));
  if (metric == "rss") {
    th.metric = ResourceThreshold::Metric::kRss;
    double scale = 0;
    if (unit == "b")
      scale = 1;
    else if (unit == "kb")
      scale = 1e3;
    else if (unit == "mb")
      scale = 1e6;
    else if (unit == "gb")
      scale = 1e9;
    else if (unit == "kib")
      scale = 1024.0;
    else if (unit == "mib")
      scale = 1024.0 * 1024;
    else if (unit == "gib")
      scale = 1024.0 * 1024 * 1024;
    else {
      return Status::Error(
          where +
          "memory needs a unit (B, KB, MB, GB, KiB, MiB, GiB), "
          "e.g. rss<512MB");
    }
    th.value = std::round(v * scale);
    if (th.value > 9e18) return Status::Error(where + "too large");
    return th;
  }
  th.metric = metric == "cpu" ? ResourceThreshold::Metric::kCpu
                              : ResourceThreshold::Metric::kPeakCpu;
  if (unit != "%") {
    return Status::Error(where +
                         "CPU is a percentage of one core: write it with %, "
                         "e.g. " +
                         metric + "<80%");
  }
  th.value = v;
  return th;
}

ResourceThresholdOutcome EvaluateResourceThreshold(
    const ResourceThreshold& threshold,
    const std::vector<ProcessSeries>& series) {
  ResourceThresholdOutcome out;
  out.threshold = threshold;
  for (const ProcessSeries& p : series) {
    switch (threshold.metric) {
      case ResourceThreshold::Metric::kRss:
        out.checks.push_back(
            CheckPeakRssBelow(p, static_cast<std::int64_t>(threshold.value)));
        break;
      case ResourceThreshold::Metric::kCpu:
        out.checks.push_back(CheckCpuBelow(p, threshold.value));
        break;
      case ResourceThreshold::Metric::kPeakCpu:
        out.checks.push_back(CheckPeakCpuBelow(p, threshold.value));
        break;
      case ResourceThreshold::Metric::kMemoryGrowth:
        out.checks.push_back(CheckNoMemoryGrowth(p));
        break;
    }
  }
  if (out.checks.empty()) {
    out.measured = "no monitored process";
    return out;
  }
  out.passed = true;
  std::size_t worst = 0;
  for (std::size_t i = 0; i < out.checks.size(); ++i) {
    const SlaCheck& c = out.checks[i];
    out.passed = out.passed && c.passed;
    const SlaCheck& w = out.checks[worst];
    // Nothing measured is the worst; then the largest value.
    if (w.observed && (!c.observed || *c.observed > *w.observed)) worst = i;
  }
  out.worst = out.checks[worst];
  out.measured = out.worst->actual + " (" + series[worst].Describe() + ")";
  return out;
}

}  // namespace perfcheck::cli
