#include <algorithm>
#include <cmath>
#include <cstdio>
#include <initializer_list>
#include <limits>
#include <optional>
#include <regex>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>

#include "benchmark/series_metric.h"
#include "perfcheck/benchmark/compare_benchmarks.h"
#include "perfcheck/change_rule.h"
#include "perfcheck/rank_tests.h"
#include "perfcheck/statistics.h"
#include "perfcheck/testbed.h"

namespace perfcheck {
namespace {

// BenchmarkFile::Find is a linear scan; looking up every row of one file in
// the other that way made comparing 32,000 rows take seconds.
class SeriesIndex {
 public:
  explicit SeriesIndex(const BenchmarkFile& file) {
    by_name_.reserve(file.benchmarks.size());
    // emplace keeps the first of equal names, as Find does.
    for (const BenchmarkSeries& s : file.benchmarks)
      by_name_.emplace(s.name, &s);
  }
  const BenchmarkSeries* Find(std::string_view name) const {
    auto it = by_name_.find(name);
    return it == by_name_.end() ? nullptr : it->second;
  }

 private:
  std::unordered_map<std::string_view, const BenchmarkSeries*> by_name_;
};

using benchmark_internal::AggregateOf;
using benchmark_internal::CountOf;
using benchmark_internal::HasMetric;
using benchmark_internal::MetricsOf;
using benchmark_internal::Moments;
using benchmark_internal::MomentsOf;
using benchmark_internal::OneSidedRow;
using benchmark_internal::PointOf;
using benchmark_internal::SeriesMetric;
using benchmark_internal::ValuesOf;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// The threshold of `threshold` (relative) on the log scale of JudgeShift.
double LogThreshold(double threshold) { return std::log1p(threshold); }

void FillChange(MetricComparisonRow& row, const Shift& s) {
  row.change = std::expm1(s.estimate);
  row.change_low = std::expm1(s.low);
  row.change_high = std::expm1(s.high);
  row.p_value = s.p_value;
}

bool AllPositive(const std::vector<double>& v) {
  return std::all_of(v.begin(), v.end(), [](double x) { return x > 0; });
}

std::vector<double> Logs(const std::vector<double>& v) {
  std::vector<double> out;
  out.reserve(v.size());
  for (double x : v) out.push_back(std::log(x));
  return out;
}

// The counter rule of the header: counts are near-deterministic, so the size
// of the change (ratio of the medians, `ratio` on the log scale) decides and
// the interval only has to agree on the direction.
BenchmarkVerdict JudgeCount(const Shift& s, double ratio, double threshold) {
  const double t = std::log1p(threshold);
  if (s.high - s.low > 2 * t) return BenchmarkVerdict::kNoisy;
  if (ratio >= t) {
    return s.low > 0 ? BenchmarkVerdict::kRegression : BenchmarkVerdict::kNoisy;
  }
  if (ratio <= -t) {
    return s.high < 0 ? BenchmarkVerdict::kImprovement
                      : BenchmarkVerdict::kNoisy;
  }
  return BenchmarkVerdict::kUnchanged;
}

std::string FailureNote(const BenchmarkSeries& s, std::string_view side) {
  if (s.failed_runs == 0) return "";
  std::string note = std::string(side) + ": " + std::to_string(s.failed_runs) +
                     " run(s) failed";
  if (!s.error_messages.empty()) note += " (" + s.error_messages.front() + ")";
  return note;
}

void AppendNote(std::string& note, const std::string& more) {
  if (more.empty()) return;
  if (!note.empty()) note += "; ";
  note += more;
}

std::string MissingCounterNote(const BenchmarkSeries& s, const SeriesMetric& m,
                               std::string_view side) {
  std::string note = std::string(side) + ": no '" + m.counter + "' counter";
  if (!s.label.empty()) note += " (label: " + s.label + ")";
  return note;
}

// The normalisation of one metric: factor and its uncertainty on the log
// scale, below and above log(factor).
struct Calibration {
  CalibrationFactor factor;
  double log_below = 0;
  double log_above = 0;
};

// The row's identity and the two sides' points, before any judgement; the
// old side scaled by the calibration factor (1 without calibration).
MetricComparisonRow RowOf(const BenchmarkSeries& o, const BenchmarkSeries& n,
                          const SeriesMetric& m, const CompareOptions& options,
                          double scale) {
  MetricComparisonRow row;
  row.benchmark = o.name;
  row.metric = m.Name();
  row.is_count = m.kind == SeriesMetric::kCounter;
  row.threshold = options.ThresholdFor(o.name);
  row.old_value = PointOf(o, m) * scale;
  row.new_value = PointOf(n, m);
  row.old_n = CountOf(o, m);
  row.new_n = CountOf(n, m);
  row.change = row.old_value > 0 ? row.new_value / row.old_value - 1 : kNaN;
  row.change_low = row.change_high = row.p_value = kNaN;
  AppendNote(row.note, FailureNote(o, "old"));
  AppendNote(row.note, FailureNote(n, "new"));
  return row;
}

// Verdicts that need no estimate: every new run failed, the counter is
// missing on a side, or too few repetitions. True when `row` is settled.
bool SettledWithoutEstimate(const BenchmarkSeries& o, const BenchmarkSeries& n,
                            const SeriesMetric& m,
                            const CompareOptions& options,
                            MetricComparisonRow& row) {
  if (n.cpu_ns.empty() && n.aggregates.empty() && n.failed_runs > 0) {
    row.verdict = BenchmarkVerdict::kError;
    return true;
  }
  if (m.kind == SeriesMetric::kCounter &&
      (!HasMetric(o, m) || !HasMetric(n, m))) {
    // Never judged on something else: the label says why it is missing.
    row.verdict = BenchmarkVerdict::kInsufficientData;
    if (!HasMetric(o, m)) AppendNote(row.note, MissingCounterNote(o, m, "old"));
    if (!HasMetric(n, m)) AppendNote(row.note, MissingCounterNote(n, m, "new"));
    return true;
  }
  if (row.old_n < options.min_repetitions ||
      row.new_n < options.min_repetitions) {
    row.verdict = BenchmarkVerdict::kInsufficientData;
    AppendNote(row.note, "needs >= " + std::to_string(options.min_repetitions) +
                             " repetitions per side");
    return true;
  }
  return false;
}

// Both sides have repetitions: Hodges-Lehmann shift of the logs with the
// Moses interval. Nothing (verdict set) when a value is not positive.
std::optional<Shift> RankShift(const std::vector<double>& ov,
                               const std::vector<double>& nv, double confidence,
                               MetricComparisonRow& row) {
  if (!AllPositive(ov) || !AllPositive(nv)) {
    row.verdict = BenchmarkVerdict::kInsufficientData;
    AppendNote(row.note, row.is_count
                             ? "zero counts: nothing to compare"
                             : "zero times: the benchmark is too short to "
                               "time");
    return std::nullopt;
  }
  const ShiftEstimate hl = HodgesLehmannShift(Logs(ov), Logs(nv), confidence);
  row.method = "mann-whitney";
  return Shift{hl.estimate, hl.low, hl.high, hl.p_value};
}

// At least one side is aggregates only: a Welch interval on the log ratio of
// the means (delta method), the best those numbers allow. Nothing (verdict
// set) without a mean and stddev on each side.
std::optional<Shift> WelchShift(const BenchmarkSeries& o,
                                const BenchmarkSeries& n, const SeriesMetric& m,
                                double scale, double confidence,
                                MetricComparisonRow& row) {
  Moments mo = MomentsOf(o, m);
  const Moments mn = MomentsOf(n, m);
  mo.mean *= scale;
  mo.stddev *= scale;
  if (!mo.ok || !mn.ok || mo.mean <= 0 || mn.mean <= 0) {
    row.verdict = BenchmarkVerdict::kInsufficientData;
    AppendNote(row.note, "aggregates lack mean and stddev");
    return std::nullopt;
  }
  const double a = std::pow(mo.stddev / mo.mean, 2) / mo.n;
  const double b = std::pow(mn.stddev / mn.mean, 2) / mn.n;
  const double se = std::sqrt(a + b);
  Shift s;
  s.estimate = std::log(mn.mean / mo.mean);
  if (se > 0) {
    const double df =
        (a + b) * (a + b) / (a * a / (mo.n - 1) + b * b / (mn.n - 1));
    const double t = StudentTCriticalValue(confidence, std::max(df, 1.0));
    s.low = s.estimate - t * se;
    s.high = s.estimate + t * se;
    s.p_value =
        std::min(1.0, std::erfc(std::fabs(s.estimate / se) / std::sqrt(2.0)));
  } else {
    s.low = s.high = s.estimate;
    s.p_value = s.estimate == 0 ? 1.0 : 0.0;
  }
  row.method = "welch";
  return s;
}

// The shift new/old on the log scale: from the repetitions when both sides
// have enough, else from the aggregates.
std::optional<Shift> EstimateShift(const BenchmarkSeries& o,
                                   const BenchmarkSeries& n,
                                   const SeriesMetric& m,
                                   const CompareOptions& options, double scale,
                                   MetricComparisonRow& row) {
  std::vector<double> ov = ValuesOf(o, m);
  const std::vector<double>& nv = ValuesOf(n, m);
  for (double& x : ov) x *= scale;
  if (ov.size() >= options.min_repetitions &&
      nv.size() >= options.min_repetitions) {
    return RankShift(ov, nv, options.confidence, row);
  }
  return WelchShift(o, n, m, scale, options.confidence, row);
}

// The factor's own error, added in quadrature (independent errors): a factor
// estimated too high makes the change look too small.
void WidenByCalibration(const Calibration& cal, Shift& s) {
  s.low = s.estimate - std::hypot(s.estimate - s.low, cal.log_above);
  s.high = s.estimate + std::hypot(s.high - s.estimate, cal.log_below);
}

// The verdict on an estimated shift: counts by the size of the change,
// times by the interval (JudgeShift).
void JudgeRow(const Shift& s, MetricComparisonRow& row) {
  FillChange(row, s);
  if (!std::isfinite(s.low) || !std::isfinite(s.high)) {
    row.verdict = BenchmarkVerdict::kInsufficientData;
    AppendNote(row.note,
               "too few repetitions for an interval at this confidence");
    return;
  }
  if (row.is_count) {
    const double ratio = std::log(row.new_value / row.old_value);
    row.change = std::expm1(ratio);
    row.verdict = JudgeCount(s, ratio, row.threshold);
  } else {
    row.verdict =
        JudgeShift(s, LogThreshold(row.threshold), Evidence::kTwoRuns);
  }
}

MetricComparisonRow CompareSeries(const BenchmarkSeries& o,
                                  const BenchmarkSeries& n,
                                  const SeriesMetric& m,
                                  const CompareOptions& options,
                                  const Calibration* cal) {
  const double scale = cal != nullptr ? cal->factor.factor : 1.0;
  MetricComparisonRow row = RowOf(o, n, m, options, scale);
  if (SettledWithoutEstimate(o, n, m, options, row)) return row;
  std::optional<Shift> s = EstimateShift(o, n, m, options, scale, row);
  if (!s) return row;
  if (cal != nullptr) WidenByCalibration(*cal, *s);
  JudgeRow(*s, row);
  return row;
}

// How much the repetitions of one side differ, when they do: an exact count
// that moves between repetitions is not deterministic for this benchmark.
std::string SpreadNote(const BenchmarkSeries& s, const SeriesMetric& m,
                       std::string_view side) {
  const std::vector<double>& v = ValuesOf(s, m);
  if (v.size() < 2) return "";
  const auto [lo, hi] = std::minmax_element(v.begin(), v.end());
  if (*lo == *hi || !(*lo > 0)) return "";
  char buf[160];
  std::snprintf(buf, sizeof buf, "%s repetitions differ: %.0f .. %.0f (%.3f%%)",
                std::string(side).c_str(), *lo, *hi, (*hi / *lo - 1) * 100);
  return buf;
}

// Callgrind's counts on both sides (header: "Exact instruction counts"):
// nothing to estimate, so the size of the change decides from one repetition.
MetricComparisonRow CompareExactCounts(const BenchmarkSeries& o,
                                       const BenchmarkSeries& n,
                                       const SeriesMetric& m,
                                       const CompareOptions& options) {
  MetricComparisonRow row;
  row.benchmark = o.name;
  row.metric = m.Name();
  row.is_count = true;
  row.method = "exact count";
  row.threshold = options.ThresholdFor(o.name);
  row.old_value = PointOf(o, m);
  row.new_value = PointOf(n, m);
  row.old_n = CountOf(o, m);
  row.new_n = CountOf(n, m);
  row.change = row.change_low = row.change_high = row.p_value = kNaN;
  AppendNote(row.note, FailureNote(o, "old"));
  AppendNote(row.note, FailureNote(n, "new"));
  if (n.cpu_ns.empty() && n.aggregates.empty() && n.failed_runs > 0) {
    row.verdict = BenchmarkVerdict::kError;
    return row;
  }
  if (!HasMetric(o, m) || !HasMetric(n, m)) {
    row.verdict = BenchmarkVerdict::kInsufficientData;
    if (!HasMetric(o, m)) AppendNote(row.note, MissingCounterNote(o, m, "old"));
    if (!HasMetric(n, m)) AppendNote(row.note, MissingCounterNote(n, m, "new"));
    return row;
  }
  if (!(row.old_value > 0) || !(row.new_value > 0)) {
    row.verdict = BenchmarkVerdict::kInsufficientData;
    AppendNote(row.note, "zero counts: nothing to compare");
    return row;
  }
  AppendNote(row.note, SpreadNote(o, m, "old"));
  AppendNote(row.note, SpreadNote(n, m, "new"));
  row.change = row.new_value / row.old_value - 1;
  row.verdict = row.change > row.threshold    ? BenchmarkVerdict::kRegression
                : row.change < -row.threshold ? BenchmarkVerdict::kImprovement
                                              : BenchmarkVerdict::kUnchanged;
  return row;
}

// The calibration benchmark's own row: shown, never judged.
// Its change is the factor (ratio of the medians) and its interval the
// factor's, as the report's calibration line states them.
MetricComparisonRow CalibrationRow(MetricComparisonRow row) {
  if (row.old_value > 0 && row.new_value > 0 && std::isfinite(row.change)) {
    const double shift =
        std::log(row.new_value / row.old_value) - std::log1p(row.change);
    row.change = row.new_value / row.old_value - 1;
    row.change_low = std::expm1(std::log1p(row.change_low) + shift);
    row.change_high = std::expm1(std::log1p(row.change_high) + shift);
  }
  row.verdict = BenchmarkVerdict::kCalibration;
  row.method = "calibration";
  AppendNote(row.note, "reference workload, not judged");
  return row;
}

StatusOr<Calibration> MeasureCalibration(const BenchmarkFile& old_file,
                                         const BenchmarkFile& new_file,
                                         const SeriesMetric& m,
                                         const CompareOptions& options) {
  const std::string name(kCalibrationBenchmarkName);
  const std::string fix =
      " (call perfcheck::RegisterCalibrationBenchmark() in the benchmark "
      "binary and record the baseline again; docs/benchmark-gate.md)";
  const BenchmarkSeries* o = old_file.Find(name);
  const BenchmarkSeries* n = new_file.Find(name);
  const std::pair<const BenchmarkFile*, const BenchmarkSeries*> sides[] = {
      {&old_file, o}, {&new_file, n}};
  for (const auto& [file, s] : sides) {
    if (s == nullptr) {
      return Status::Error(file->source + ": no '" + name +
                           "' benchmark: --calibrate needs the calibration "
                           "workload in both runs" +
                           fix);
    }
    if (!(PointOf(*s, m) > 0)) {
      return Status::Error(file->source + ": '" + name + "' has no " +
                           m.Name() + " value (" +
                           std::to_string(s->failed_runs) + " failed runs)");
    }
  }
  CompareOptions plain = options;
  plain.calibrate = false;
  const MetricComparisonRow r = CompareSeries(*o, *n, m, plain, nullptr);
  if (!std::isfinite(r.change_low) || !std::isfinite(r.change_high)) {
    const BenchmarkFile& file = r.old_n < r.new_n ? old_file : new_file;
    return Status::Error(
        file.source + ": '" + name + "' has too few " +
        "repetitions to estimate the calibration factor " +
        "(needs >= " + std::to_string(options.min_repetitions) +
        " per side with an interval at this confidence)");
  }
  Calibration c;
  c.factor.metric = m.Name();
  c.factor.old_value = r.old_value;
  c.factor.new_value = r.new_value;
  c.factor.old_n = r.old_n;
  c.factor.new_n = r.new_n;
  c.factor.factor = r.new_value / r.old_value;
  // The interval's half-widths around the estimate, moved to the factor.
  const double estimate = std::log1p(r.change);
  c.log_below = estimate - std::log1p(r.change_low);
  c.log_above = std::log1p(r.change_high) - estimate;
  c.factor.factor_low = c.factor.factor * std::exp(-c.log_below);
  c.factor.factor_high = c.factor.factor * std::exp(c.log_above);
  return c;
}

Status CheckCounter(const BenchmarkFile& file, const SeriesMetric& m) {
  std::set<std::string> present;
  std::string label;
  for (const BenchmarkSeries& s : file.benchmarks) {
    if (HasMetric(s, m)) return Status();
    for (const auto& [name, values] : s.counters) present.insert(name);
    if (label.empty() && !s.label.empty()) {
      label = "; label of '" + s.name + "': " + s.label;
    }
  }
  std::string known;
  for (const std::string& c : present) known += (known.empty() ? "" : ", ") + c;
  return Status::Error(file.source + ": no benchmark has a user counter '" +
                       m.counter + "' (" +
                       (known.empty() ? std::string("no user counters at all")
                                      : "counters present: " + known) +
                       label + ")");
}

}  // namespace

Status CompareOptions::CheckName(std::string_view name) const {
  // libstdc++'s matcher recurses per character: a 50,000-character name
  // crashes the process (SIGSEGV) instead of failing.
  if (thresholds.empty() || name.size() <= kMaxRegexNameLength) {
    return Status();
  }
  return Status::Error(
      "threshold override '" + thresholds.front().first + "': the name '" +
      std::string(name.substr(0, 40)) + "...' is " +
      std::to_string(name.size()) +
      " characters long; names are matched against threshold patterns "
      "only up to " +
      std::to_string(kMaxRegexNameLength) + " characters");
}

double CompareOptions::ThresholdFor(std::string_view name) const {
  for (const auto& [pattern, value] : thresholds) {
    std::regex re;
    try {
      re = std::regex(pattern, std::regex::ECMAScript);
    } catch (const std::regex_error& e) {
      throw std::invalid_argument("threshold override: bad regex '" + pattern +
                                  "': " + e.what());
    }
    if (Status s = CheckName(name); !s.ok()) {
      throw std::invalid_argument(s.message());
    }
    if (std::regex_search(name.begin(), name.end(), re)) return value;
  }
  return threshold;
}

Status CompareOptions::Check() const {
  auto fraction = [](double t, const std::string& what) {
    if (!(t > 0) || !std::isfinite(t)) {
      return Status::Error(what + " must be a positive finite fraction, got " +
                           std::to_string(t));
    }
    return Status();
  };
  if (Status s = fraction(threshold, "threshold"); !s.ok()) return s;
  for (const auto& [pattern, value] : thresholds) {
    const std::string what = "threshold for '" + pattern + "'";
    if (Status s = fraction(value, what); !s.ok()) return s;
    // std::regex reports a bad pattern only by throwing: caught at the call.
    try {
      std::regex(pattern, std::regex::ECMAScript);
    } catch (const std::regex_error& e) {
      return Status::Error("threshold override: bad regex '" + pattern +
                           "': " + e.what());
    }
  }
  if (!(confidence > 0 && confidence < 1)) {
    return Status::Error("confidence must be in (0, 1), got " +
                         std::to_string(confidence));
  }
  if (min_repetitions < 2) {
    return Status::Error("min_repetitions must be >= 2");
  }
  if (metric == TimeMetric::kCounter && counter.empty()) {
    return Status::Error("metric kCounter needs a counter name");
  }
  return Status();
}

void CompareOptions::Validate() const {
  if (Status s = Check(); !s.ok()) throw std::invalid_argument(s.message());
}

bool ComparisonReport::HasRegression() const {
  return Count(BenchmarkVerdict::kRegression) +
             Count(BenchmarkVerdict::kError) >
         0;
}

std::size_t ComparisonReport::Count(BenchmarkVerdict v) const {
  return static_cast<std::size_t>(std::count_if(
      rows.begin(), rows.end(),
      [v](const MetricComparisonRow& r) { return r.verdict == v; }));
}

std::string ComparisonReport::Summary() const {
  std::string out;
  for (BenchmarkVerdict v :
       {BenchmarkVerdict::kRegression, BenchmarkVerdict::kError,
        BenchmarkVerdict::kImprovement, BenchmarkVerdict::kNoisy,
        BenchmarkVerdict::kInsufficientData, BenchmarkVerdict::kNotComparable,
        BenchmarkVerdict::kUnchanged, BenchmarkVerdict::kMissingInNew,
        BenchmarkVerdict::kNew}) {
    const std::size_t n = Count(v);
    if (n == 0) continue;
    if (!out.empty()) out += ", ";
    out += std::to_string(n) + " " + std::string(BenchmarkVerdictName(v));
  }
  return out.empty() ? "nothing to compare" : out;
}

Status CheckComparable(const BenchmarkFile& old_file,
                       const BenchmarkFile& new_file,
                       const CompareOptions& options) {
  for (const BenchmarkFile* file : {&old_file, &new_file}) {
    for (const BenchmarkSeries& series : file->benchmarks) {
      if (Status st = options.CheckName(series.name); !st.ok()) return st;
    }
  }
  for (const SeriesMetric& m : MetricsOf(options)) {
    if (m.kind == SeriesMetric::kCounter) {
      if (Status s = CheckCounter(old_file, m); !s.ok()) return s;
      if (Status s = CheckCounter(new_file, m); !s.ok()) return s;
    }
    if (options.calibrate) {
      StatusOr<Calibration> c =
          MeasureCalibration(old_file, new_file, m, options);
      if (!c.ok()) return c.status();
    }
  }
  return Status();
}

namespace {

// Time recorded on another testbed says nothing about this one (testbed.h).
// Applies when the new side knows its testbed (a `--run` on this machine, a
// recorded baseline): times become "not comparable"; counters (not a
// machine's speed) and calibrated comparisons (asked to cross machines) stay
// judged.
void ExcludeOtherTestbed(const BenchmarkFile& old_file,
                         const BenchmarkFile& new_file,
                         const CompareOptions& options,
                         ComparisonReport& report) {
  const Fingerprint& was = old_file.context.fingerprint;
  const Fingerprint& now = new_file.context.fingerprint;
  if (now.testbed.empty() || options.calibrate ||
      options.metric == TimeMetric::kCounter) {
    return;
  }
  const TestbedMatch match = MatchTestbed(was, now);
  if (match == TestbedMatch::kSame) return;
  for (MetricComparisonRow& row : report.rows) {
    switch (row.verdict) {
      case Verdict::kUnchanged:
      case Verdict::kRegression:
      case Verdict::kImprovement:
      case Verdict::kNoisy:
      case Verdict::kInsufficientData:
        if (!row.is_count) row.verdict = Verdict::kNotComparable;
        break;
      default:
        break;
    }
  }
  std::string label = TestbedLabel(was);
  if (match == TestbedMatch::kOtherSpeed) label += SpeedDifference(was, now);
  report.testbed_notes.push_back(
      TimeNotJudgedNote(now.testbed, {{label, std::size_t{1}}}));
}

// Callgrind's counts are exact only for the build and counter they came
// from (the counts key); across keys they are not compared at all.
bool ExactCounts(const BenchmarkFile& old_file, const BenchmarkFile& new_file,
                 const SeriesMetric& m) {
  return m.kind == SeriesMetric::kCounter && m.counter == "instructions" &&
         old_file.context.instruction_counter == "callgrind" &&
         new_file.context.instruction_counter == "callgrind";
}

std::string CountsKeyText(const BenchmarkContext& c) {
  if (c.counts_key.empty() && c.instruction_counter.empty()) {
    return "none (recorded without a counts key)";
  }
  return "'" + c.counts_key + "' (" +
         (c.instruction_counter.empty() ? "?" : c.instruction_counter) + ")";
}

// Instruction counts depend on the build and the counter, not the machine
// (operation_counts.h): a run under another key says nothing about this one.
void ExcludeOtherCountsKey(const BenchmarkFile& old_file,
                           const BenchmarkFile& new_file,
                           ComparisonReport& report) {
  const BenchmarkContext& was = old_file.context;
  const BenchmarkContext& now = new_file.context;
  if (was.counts_key == now.counts_key &&
      was.instruction_counter == now.instruction_counter) {
    return;
  }
  const std::string note = "counts key differs: old " + CountsKeyText(was) +
                           ", new " + CountsKeyText(now);
  bool excluded = false;
  for (MetricComparisonRow& row : report.rows) {
    if (!row.is_count || row.metric != "instructions") continue;
    switch (row.verdict) {
      case Verdict::kUnchanged:
      case Verdict::kRegression:
      case Verdict::kImprovement:
      case Verdict::kNoisy:
      case Verdict::kInsufficientData:
        row.verdict = Verdict::kNotComparable;
        AppendNote(row.note, note);
        excluded = true;
        break;
      default:
        break;
    }
  }
  if (excluded) {
    report.counts_notes.push_back(
        "baseline counted under " + CountsKeyText(was) + "; this run under " +
        CountsKeyText(now) + ": instructions not judged");
  }
}

}  // namespace

ComparisonReport CompareBenchmarks(const BenchmarkFile& old_file,
                                   const BenchmarkFile& new_file,
                                   const CompareOptions& options) {
  options.Validate();
  if (Status s = CheckComparable(old_file, new_file, options); !s.ok()) {
    throw std::invalid_argument(s.message());
  }
  ComparisonReport report;
  report.old_source = old_file.source;
  report.new_source = new_file.source;
  report.mode = options.calibrate ? "two runs, calibrated" : "two runs";
  report.confidence = options.confidence;
  report.machine_differences = old_file.context.fingerprint.MachineDifferences(
      new_file.context.fingerprint);
  const SeriesIndex old_index(old_file);
  const SeriesIndex new_index(new_file);
  for (const SeriesMetric& m : MetricsOf(options)) {
    std::optional<Calibration> cal;
    if (options.calibrate) {
      cal = MeasureCalibration(old_file, new_file, m, options).value();
      report.calibration.push_back(cal->factor);
    }
    for (const BenchmarkSeries& o : old_file.benchmarks) {
      const BenchmarkSeries* n = new_index.Find(o.name);
      const bool reference = o.name == kCalibrationBenchmarkName;
      if (n == nullptr) {
        report.rows.push_back(OneSidedRow(o.name, m,
                                          BenchmarkVerdict::kMissingInNew,
                                          PointOf(o, m), kNaN, options));
      } else if (reference) {
        report.rows.push_back(
            CalibrationRow(CompareSeries(o, *n, m, options, nullptr)));
      } else if (ExactCounts(old_file, new_file, m)) {
        report.rows.push_back(CompareExactCounts(o, *n, m, options));
      } else {
        report.rows.push_back(
            CompareSeries(o, *n, m, options, cal ? &*cal : nullptr));
      }
    }
    for (const BenchmarkSeries& n : new_file.benchmarks) {
      if (old_index.Find(n.name) != nullptr) continue;
      report.rows.push_back(OneSidedRow(n.name, m, BenchmarkVerdict::kNew, kNaN,
                                        PointOf(n, m), options));
    }
  }
  ExcludeOtherTestbed(old_file, new_file, options, report);
  ExcludeOtherCountsKey(old_file, new_file, report);
  return report;
}

ComparisonReport ComparePaired(const std::vector<BenchmarkRound>& rounds,
                               const CompareOptions& options) {
  options.Validate();
  ComparisonReport report;
  report.mode = "interleaved, " + std::to_string(rounds.size()) + " rounds";
  report.paired = true;
  report.confidence = options.confidence;
  if (rounds.empty()) return report;
  report.old_source = rounds.front().old_run.source;
  report.new_source = rounds.front().new_run.source;
  report.machine_differences =
      rounds.front().old_run.context.fingerprint.MachineDifferences(
          rounds.front().new_run.context.fingerprint);
  // Benchmark names in first-seen order over all rounds.
  std::vector<std::string> names;
  std::set<std::string> known;
  for (const BenchmarkRound& r : rounds) {
    for (const BenchmarkSeries& s : r.old_run.benchmarks) {
      if (known.insert(s.name).second) names.push_back(s.name);
    }
    for (const BenchmarkSeries& s : r.new_run.benchmarks) {
      if (known.insert(s.name).second) names.push_back(s.name);
    }
  }
  std::vector<std::pair<SeriesIndex, SeriesIndex>> indexes;
  indexes.reserve(rounds.size());
  for (const BenchmarkRound& r : rounds) {
    indexes.emplace_back(SeriesIndex(r.old_run), SeriesIndex(r.new_run));
  }
  for (const SeriesMetric& m : MetricsOf(options)) {
    for (const std::string& name : names) {
      std::vector<double> diffs, olds, news;
      bool in_old = false, in_new = false;
      int failed = 0;
      for (const auto& [old_index, new_index] : indexes) {
        const BenchmarkSeries* o = old_index.Find(name);
        const BenchmarkSeries* n = new_index.Find(name);
        in_old = in_old || o != nullptr;
        in_new = in_new || n != nullptr;
        if (o == nullptr || n == nullptr) continue;
        const double ov = PointOf(*o, m);
        const double nv = PointOf(*n, m);
        if (!(ov > 0) || !(nv > 0)) {
          ++failed;
          continue;
        }
        olds.push_back(ov);
        news.push_back(nv);
        diffs.push_back(std::log(nv / ov));
      }
      if (!in_new) {
        report.rows.push_back(OneSidedRow(
            name, m, BenchmarkVerdict::kMissingInNew, kNaN, kNaN, options));
        continue;
      }
      if (!in_old) {
        report.rows.push_back(
            OneSidedRow(name, m, BenchmarkVerdict::kNew, kNaN, kNaN, options));
        continue;
      }
      MetricComparisonRow row = OneSidedRow(
          name, m, BenchmarkVerdict::kUnchanged, kNaN, kNaN, options);
      row.method = "signed-rank";
      row.old_n = row.new_n = diffs.size();
      if (failed > 0) {
        row.note =
            std::to_string(failed) + (m.kind == SeriesMetric::kCounter
                                          ? " round(s) without the counter"
                                          : " round(s) without a time");
      }
      if (diffs.empty()) {
        row.verdict = failed > 0 ? BenchmarkVerdict::kError
                                 : BenchmarkVerdict::kInsufficientData;
        if (m.kind == SeriesMetric::kCounter) {
          // A missing counter is not a broken benchmark.
          row.verdict = BenchmarkVerdict::kInsufficientData;
        }
      } else {
        row.old_value = Median(olds);
        row.new_value = Median(news);
        const PairedJudgement j =
            JudgePairedRounds(diffs, LogThreshold(row.threshold),
                              options.confidence, options.min_repetitions);
        FillChange(row, j.shift);
        if (j.verdict == BenchmarkVerdict::kInsufficientData) {
          row.verdict = j.verdict;
          AppendNote(row.note, j.note);
        } else if (row.is_count) {
          const double ratio = Median(diffs);
          row.change = std::expm1(ratio);
          row.verdict = JudgeCount(j.shift, ratio, row.threshold);
        } else {
          row.verdict = j.verdict;
        }
      }
      report.rows.push_back(name == kCalibrationBenchmarkName
                                ? CalibrationRow(std::move(row))
                                : std::move(row));
    }
  }
  return report;
}

}  // namespace perfcheck
