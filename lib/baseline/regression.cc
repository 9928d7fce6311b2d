#include "perfcheck/regression.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>

#include "perfcheck/format.h"
#include "perfcheck/statistics.h"
#include "perfcheck/testbed.h"

namespace perfcheck {
namespace {

// One side of a comparison for one metric: a point value, its within-run
// confidence interval and the number of observations behind it.
struct Estimate {
  double point = 0;
  double low = 0;
  double high = 0;
  std::uint64_t samples = 0;
};

bool IsLatency(Metric m) {
  return m == Metric::kP50 || m == Metric::kP95 || m == Metric::kP99 ||
         m == Metric::kMean;
}

double PercentOf(Metric m) {
  switch (m) {
    case Metric::kP50:
      return 50.0;
    case Metric::kP95:
      return 95.0;
    default:
      return 99.0;
  }
}

// The latency interval of `h` for `m`, or the point itself when the histogram
// holds nothing (a baseline imported without one).
Estimate LatencyEstimate(Metric m, double point, const LatencyHistogram& h,
                         std::uint64_t samples, double confidence) {
  Estimate e{point, point, point, samples};
  if (h.TotalCount() == 0) return e;
  const ConfidenceInterval ci =
      m == Metric::kMean ? MeanInterval(h, confidence)
                         : PercentileInterval(h, PercentOf(m), confidence);
  // The stored point and the interval come from the same histogram, but keep
  // the invariant low <= point <= high even for hand-made baselines.
  e.low = std::min(ci.low, point);
  e.high = std::max(ci.high, point);
  return e;
}

// Throughput's interval, by Little's law: in a closed loop, operations per
// second = concurrency / mean latency, so the relative uncertainty of the
// throughput is that of the mean latency (its interval, inverted). A single
// stall (a 9 ms GC pause in a 50 ms run) then widens the interval instead of
// reading as a throughput regression. In an open model the arrival rate sets
// the throughput and this interval is merely conservative.
Estimate ThroughputEstimate(double t, const LatencyHistogram& h,
                            std::uint64_t samples, double confidence) {
  Estimate e{t, t, t, samples};
  if (t <= 0 || h.TotalCount() < 2) return e;
  const double mean = h.Mean();
  const ConfidenceInterval ci = MeanInterval(h, confidence);
  if (mean <= 0 || !(ci.high > 0)) return e;
  e.low = std::min(t, t * mean / ci.high);
  e.high = ci.low > 0 ? std::max(t, t * mean / ci.low)
                      : std::numeric_limits<double>::infinity();
  return e;
}

Estimate ResultEstimate(Metric m, const Result& r, double confidence) {
  if (IsLatency(m)) {
    const double point =
        m == Metric::kMean
            ? r.latency.Mean()
            : static_cast<double>(r.latency.Percentile(PercentOf(m)));
    return LatencyEstimate(m, point, r.latency, r.OkCount(), confidence);
  }
  if (m == Metric::kThroughput) {
    return ThroughputEstimate(r.Throughput(), r.latency,
                              r.elapsed_ns > 0 ? r.OkCount() : 0, confidence);
  }
  const ConfidenceInterval ci =
      ProportionInterval(r.ErrorCount(), r.TotalCount(), confidence);
  return {r.ErrorRate(), ci.low, ci.high, r.TotalCount()};
}

Estimate RunEstimate(Metric m, const BaselineRun& run, double confidence) {
  const auto stored = run.metrics.find(m);
  if (IsLatency(m)) {
    double point;
    if (stored != run.metrics.end()) {
      point = stored->second;
    } else {
      point = m == Metric::kMean
                  ? run.latency.Mean()
                  : static_cast<double>(run.latency.Percentile(PercentOf(m)));
    }
    return LatencyEstimate(m, point, run.latency, run.samples, confidence);
  }
  if (m == Metric::kThroughput) {
    double t = 0;
    if (stored != run.metrics.end()) {
      t = stored->second;
    } else if (run.elapsed_ns > 0) {
      t = static_cast<double>(run.samples) * 1e9 /
          static_cast<double>(run.elapsed_ns);
    }
    return ThroughputEstimate(t, run.latency, t > 0 ? run.samples : 0,
                              confidence);
  }
  const std::uint64_t trials = run.samples + run.errors;
  const double rate = stored != run.metrics.end()
                          ? stored->second
                          : (trials == 0 ? 0.0
                                         : static_cast<double>(run.errors) /
                                               static_cast<double>(trials));
  const ConfidenceInterval ci =
      ProportionInterval(run.errors, trials, confidence);
  return {rate, std::min(ci.low, rate), std::max(ci.high, rate), trials};
}

double Median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const std::size_t n = values.size();
  return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

double ToleranceFor(Metric m, const BaselineEntry& entry,
                    const GateOptions& options) {
  double tol = m == Metric::kErrorRate ? options.error_rate_tolerance
               : IsCountMetric(m)      ? options.count_tolerance
                                       : options.tolerance;
  if (auto it = options.tolerances.find(m); it != options.tolerances.end()) {
    tol = it->second;
  }
  if (auto it = entry.tolerances.find(m); it != entry.tolerances.end()) {
    tol = it->second;
  }
  if (!(tol >= 0.0) || !std::isfinite(tol)) {
    throw std::invalid_argument(
        "CompareToBaseline: tolerance for " + std::string(MetricName(m)) +
        " of entry '" + entry.name + "' must be a finite value >= 0, got " +
        std::to_string(tol));
  }
  return tol;
}

MetricComparison Compare(Metric m, const BaselineEntry& entry,
                         const std::vector<const BaselineRun*>& recorded,
                         const Result& result, const GateOptions& options) {
  MetricComparison c;
  c.metric = m;
  c.tolerance = ToleranceFor(m, entry, options);

  const Estimate now = ResultEstimate(m, result, options.confidence);
  c.measured = now.point;
  c.measured_low = now.low;
  c.measured_high = now.high;

  // Runs recorded from too few samples are too erratic to bound the noise;
  // they are left out rather than poisoning the band of the others.
  std::vector<Estimate> runs;
  std::vector<Estimate> all;
  for (const BaselineRun* run : recorded) {
    Estimate e = RunEstimate(m, *run, options.confidence);
    all.push_back(e);
    if (e.samples >= options.min_samples) runs.push_back(e);
  }
  const std::vector<Estimate>& shown = runs.empty() ? all : runs;
  std::vector<double> points;
  double band_low = std::numeric_limits<double>::infinity();
  double band_high = -std::numeric_limits<double>::infinity();
  double lowest_bound = std::numeric_limits<double>::infinity();
  double highest_bound = -std::numeric_limits<double>::infinity();
  for (const Estimate& e : shown) {
    points.push_back(e.point);
    band_low = std::min(band_low, e.point);
    band_high = std::max(band_high, e.point);
    lowest_bound = std::min(lowest_bound, e.low);
    highest_bound = std::max(highest_bound, e.high);
  }
  c.baseline = Median(points);
  c.band_low = band_low;
  c.band_high = band_high;

  const bool absolute = m == Metric::kErrorRate;
  if (absolute) {
    c.change = c.measured - c.baseline;
  } else if (c.baseline != 0) {
    c.change = c.measured / c.baseline - 1.0;
  } else {
    c.change = c.measured == 0 ? 0.0 : std::numeric_limits<double>::infinity();
  }

  if (runs.empty() || now.samples < options.min_samples) {
    c.verdict = Verdict::kInsufficientData;
    return c;
  }

  const double tol = c.tolerance;
  auto plus_tol = [&](double v) {
    return absolute ? v + tol : v * (1.0 + tol);
  };
  auto minus_tol = [&](double v) {
    return absolute ? v - tol : v * (1.0 - tol);
  };
  // The tolerance counted from the median decides the "noisy" hint, but a
  // credible change must clear it from the worst recorded run: a new run of
  // unchanged code lies beyond all k recorded runs one time in k + 1, and when
  // the runs themselves spread by about the tolerance, beating the median by
  // the tolerance is then routine (see the A/A trials in regression_test).
  if (m == Metric::kThroughput) {
    // Higher is better.
    if (now.high < minus_tol(band_low) && now.high < lowest_bound) {
      c.verdict = Verdict::kRegression;
    } else if (now.low > plus_tol(band_high) && now.low > highest_bound) {
      c.verdict = Verdict::kImprovement;
    } else if (now.point < minus_tol(c.baseline)) {
      c.verdict = Verdict::kNoisy;
    }
    return c;
  }
  // Lower is better (latency, error rate).
  if (now.low > plus_tol(band_high) && now.low > highest_bound) {
    c.verdict = Verdict::kRegression;
  } else if (now.high < minus_tol(band_low) && now.high < lowest_bound) {
    c.verdict = Verdict::kImprovement;
  } else if (now.point > plus_tol(c.baseline)) {
    c.verdict = Verdict::kNoisy;
  }
  return c;
}

// A count against the recorded values of its key (`recorded`, non-empty).
// Counts are exact, so the band of recorded values is the whole noise.
MetricComparison CompareCount(Metric m, double measured,
                              const std::vector<double>& recorded,
                              const BaselineEntry& entry,
                              const GateOptions& options) {
  MetricComparison c;
  c.metric = m;
  c.tolerance = ToleranceFor(m, entry, options);
  c.measured = c.measured_low = c.measured_high = measured;
  c.baseline = Median(recorded);
  c.band_low = *std::min_element(recorded.begin(), recorded.end());
  c.band_high = *std::max_element(recorded.begin(), recorded.end());
  if (c.baseline != 0) {
    c.change = measured / c.baseline - 1.0;
  } else {
    c.change = measured == 0 ? 0.0 : std::numeric_limits<double>::infinity();
  }
  // From zero, any count is beyond every tolerance: an operation that did
  // not allocate and now does has regressed.
  if (measured > c.band_high * (1.0 + c.tolerance)) {
    c.verdict = Verdict::kRegression;
  } else if (measured < c.band_low * (1.0 - c.tolerance)) {
    c.verdict = Verdict::kImprovement;
  }
  return c;
}

// Formats one value of metric `m` in its natural unit.
std::string FormatValue(Metric m, double v) {
  if (m == Metric::kThroughput) return FormatRate(v);
  if (m == Metric::kErrorRate) return FormatPercent(v);
  if (m == Metric::kInstructions) return FormatCount(v);
  if (m == Metric::kAllocations) return FormatCount(v);
  if (m == Metric::kAllocatedBytes) return FormatCount(v) + " B";
  return FormatNanos(v);
}

std::string FormatChange(const MetricComparison& c) {
  char buf[48];
  if (c.metric == Metric::kErrorRate) {
    std::snprintf(buf, sizeof buf, "%+.2f pts", c.change * 100.0);
  } else if (!std::isfinite(c.change)) {
    return "n/a";
  } else if (IsCountMetric(c.metric)) {
    // Two decimals: the default count tolerance is 1%.
    std::snprintf(buf, sizeof buf, "%+.2f%%", c.change * 100.0);
  } else {
    std::snprintf(buf, sizeof buf, "%+.1f%%", c.change * 100.0);
  }
  return buf;
}

// Error-rate tolerances are absolute percentage points ("1 pts"), the others
// relative ("10%").
std::string FormatTolerance(const MetricComparison& c) {
  const std::string percent = FormatPercent(c.tolerance);
  if (c.metric != Metric::kErrorRate) return percent;
  return percent.substr(0, percent.size() - 1) + " pts";
}

void AppendPadded(std::string& out, const std::string& cell,
                  std::size_t width) {
  out += cell;
  if (cell.size() < width) out.append(width - cell.size(), ' ');
}

// Appends a row for each count the result and some recorded run both have.
void CompareCounts(const BaselineEntry& entry, const Result& result,
                   const GateOptions& options, RegressionReport& report) {
  report.counts_key = result.counts.key;
  for (const BaselineRun& run : entry.runs) {
    if (!run.counts.empty() && run.counts.key == result.counts.key) {
      ++report.counts_key_runs;
    }
  }
  std::set<std::string> other_keys;
  for (Metric m : kCountMetrics) {
    const std::optional<double> measured = CountOf(result.counts, m);
    if (!measured) continue;
    std::vector<double> same_key;
    std::vector<double> any_key;
    for (const BaselineRun& run : entry.runs) {
      const std::optional<double> v = CountOf(run.counts, m);
      if (!v) continue;
      any_key.push_back(*v);
      if (run.counts.key == result.counts.key) {
        same_key.push_back(*v);
      } else {
        other_keys.insert(run.counts.key);
      }
    }
    if (any_key.empty()) continue;
    if (same_key.empty()) {
      // Shown against every key for information; never judged.
      MetricComparison c = CompareCount(m, *measured, any_key, entry, options);
      c.verdict = Verdict::kNotComparable;
      report.metrics.push_back(c);
    } else {
      report.metrics.push_back(
          CompareCount(m, *measured, same_key, entry, options));
    }
  }
  report.other_counts_keys.assign(other_keys.begin(), other_keys.end());
}

}  // namespace

bool RegressionReport::HasRegression() const {
  return std::any_of(metrics.begin(), metrics.end(), [](const auto& c) {
    return c.verdict == Verdict::kRegression;
  });
}

bool RegressionReport::HasImprovement() const {
  return std::any_of(metrics.begin(), metrics.end(), [](const auto& c) {
    return c.verdict == Verdict::kImprovement;
  });
}

bool RegressionReport::TimeJudged() const {
  return std::any_of(metrics.begin(), metrics.end(), [](const auto& c) {
    return c.metric != Metric::kErrorRate && !IsCountMetric(c.metric) &&
           c.verdict != Verdict::kNotComparable;
  });
}

bool RegressionReport::CountsJudged() const {
  return std::any_of(metrics.begin(), metrics.end(), [](const auto& c) {
    return IsCountMetric(c.metric) && c.verdict != Verdict::kNotComparable;
  });
}

bool RegressionReport::Judged() const {
  return time_skipped ? CountsJudged() : TimeJudged();
}

std::string RegressionReport::TestbedNote() const {
  if (time_skipped) return "";
  return TimeJudged() ? "" : TimeNotJudgedNote(testbed, other_testbeds);
}

std::string RegressionReport::CountsNote() const {
  if (other_counts_keys.empty() || CountsJudged()) return "";
  std::string note =
      "counts not judged: the baseline's counts were made by another build "
      "or machine (";
  for (std::size_t i = 0; i < other_counts_keys.size(); ++i) {
    if (i > 0) note += "; ";
    note += "'" + other_counts_keys[i] + "'";
  }
  return note + "), this run's by '" + counts_key + "'";
}

std::string RegressionReport::Describe() const {
  const std::vector<std::string> header = {
      "metric", "baseline [band]", "measured [interval]",
      "change", "tolerance",       "verdict"};
  std::vector<std::vector<std::string>> rows;
  for (const MetricComparison& c : metrics) {
    const Metric m = c.metric;
    std::string baseline = FormatValue(m, c.baseline);
    std::string measured = FormatValue(m, c.measured);
    // A count is exact: no interval, and a band only when runs differ.
    if (!IsCountMetric(m) || c.band_low != c.band_high) {
      baseline += " [" + FormatValue(m, c.band_low) + " .. " +
                  FormatValue(m, c.band_high) + "]";
    }
    if (!IsCountMetric(m)) {
      measured += " [" + FormatValue(m, c.measured_low) + " .. " +
                  FormatValue(m, c.measured_high) + "]";
    }
    rows.push_back({std::string(MetricName(m)), baseline, measured,
                    FormatChange(c), FormatTolerance(c),
                    std::string(VerdictName(c.verdict))});
  }
  std::vector<std::size_t> width(header.size());
  for (std::size_t i = 0; i < header.size(); ++i) {
    width[i] = header[i].size();
    for (const auto& row : rows) width[i] = std::max(width[i], row[i].size());
  }
  std::string out;
  auto append_row = [&](const std::vector<std::string>& row) {
    out += "  ";
    for (std::size_t i = 0; i < row.size(); ++i) {
      if (i + 1 == row.size()) {
        out += row[i];
      } else {
        AppendPadded(out, row[i], width[i] + 2);
      }
    }
    out += '\n';
  };
  out += "  baseline: " + std::to_string(baseline_runs) + " recorded run" +
         (baseline_runs == 1 ? "" : "s");
  if (time_skipped) {
    // Testbeds do not matter to counts; builds do.
    out += ", " + std::to_string(counts_key_runs) + " with this build's counts";
  } else if (!testbed.empty()) {
    out += ", " + std::to_string(testbed_runs) + " of this testbed (" +
           testbed + ")";
  }
  out += "\n";
  if (!TestbedNote().empty()) out += "  " + TestbedNote() + "\n";
  if (time_skipped) {
    out += "  time not judged: instruction-count run under Valgrind\n";
  }
  if (!CountsNote().empty()) out += "  " + CountsNote() + "\n";
  append_row(header);
  for (const auto& row : rows) append_row(row);
  for (const std::string& d : machine_differences) {
    out += "  machine differs from baseline: " + d + "\n";
  }
  return out;
}

RegressionReport CompareToBaseline(const BaselineEntry& entry,
                                   const Result& result,
                                   const GateOptions& options) {
  if (entry.runs.empty()) {
    throw std::invalid_argument("CompareToBaseline: baseline entry '" +
                                entry.name + "' holds no recorded run");
  }
  // Validates the confidence once, before any metric is computed.
  NormalCriticalValue(options.confidence);
  RegressionReport report;
  report.baseline_runs = entry.runs.size();
  report.testbed = result.fingerprint.testbed;
  // Time is judged against this testbed's runs only; the error rate against
  // every run (it does not depend on the machine's speed).
  std::vector<const BaselineRun*> all;
  std::vector<const BaselineRun*> same;
  std::map<std::string, std::size_t> others;
  for (const BaselineRun& run : entry.runs) {
    all.push_back(&run);
    switch (MatchTestbed(run.fingerprint, result.fingerprint)) {
      case TestbedMatch::kSame:
        same.push_back(&run);
        break;
      case TestbedMatch::kOtherSpeed:
        ++others[TestbedLabel(run.fingerprint) +
                 SpeedDifference(run.fingerprint, result.fingerprint)];
        break;
      default:
        ++others[TestbedLabel(run.fingerprint)];
    }
  }
  report.testbed_runs = same.size();
  report.other_testbeds.assign(others.begin(), others.end());
  report.time_skipped = !options.judge_time;
  for (Metric m : kGatedMetrics) {
    if (!options.judge_time && m != Metric::kErrorRate) continue;
    if (m == Metric::kErrorRate) {
      report.metrics.push_back(Compare(m, entry, all, result, options));
    } else if (same.empty()) {
      // Shown against every run for information; never judged.
      MetricComparison c = Compare(m, entry, all, result, options);
      c.verdict = Verdict::kNotComparable;
      report.metrics.push_back(c);
    } else {
      report.metrics.push_back(Compare(m, entry, same, result, options));
    }
  }
  CompareCounts(entry, result, options, report);
  const BaselineRun& newest = same.empty() ? entry.runs.back() : *same.back();
  report.machine_differences =
      newest.fingerprint.MachineDifferences(result.fingerprint);
  return report;
}

}  // namespace perfcheck
