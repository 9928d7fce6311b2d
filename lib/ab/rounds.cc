#include "perfcheck/ab/rounds.h"

#include <cmath>
#include <limits>
#include <set>
#include <stdexcept>

#include "perfcheck/baseline.h"
#include "perfcheck/change_rule.h"
#include "perfcheck/rank_tests.h"

namespace perfcheck::ab {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

double ValueOf(const Result& r, Metric m) {
  switch (m) {
    case Metric::kP50:
      return static_cast<double>(r.latency.Percentile(50.0));
    case Metric::kP95:
      return static_cast<double>(r.latency.Percentile(95.0));
    case Metric::kP99:
      return static_cast<double>(r.latency.Percentile(99.0));
    case Metric::kMean:
      return r.latency.Mean();
    case Metric::kThroughput:
      return r.Throughput();
    case Metric::kErrorRate:
      return r.ErrorRate();
    case Metric::kInstructions:
    case Metric::kAllocations:
    case Metric::kAllocatedBytes:
      return CountOf(r.counts, m).value_or(kNaN);
  }
  return kNaN;
}

const Result* Find(const TestRun& run, const std::string& name) {
  for (const Result& r : run.results) {
    if (r.name == name) return &r;
  }
  return nullptr;
}

void AppendNote(std::string& note, const std::string& more) {
  if (more.empty()) return;
  if (!note.empty()) note += "; ";
  note += more;
}

// "head: 2 of 10 runs did not complete (killed by signal 11 ...)".
std::string SideNote(const std::vector<Round>& rounds, bool head) {
  std::size_t broken = 0, failed = 0;
  std::string example;
  for (const Round& r : rounds) {
    const TestRun& run = head ? r.head : r.base;
    if (!run.completed) {
      ++broken;
      if (example.empty()) example = run.problem;
    } else if (run.test_failed) {
      ++failed;
    }
  }
  std::string note;
  const std::string side = head ? "head" : "base";
  const std::string of = " of " + std::to_string(rounds.size());
  if (broken > 0) {
    note = side + ": " + std::to_string(broken) + of +
           " runs did not complete (" + example + ")";
  }
  if (failed > 0) {
    AppendNote(note, side + ": the test's own assertions failed in " +
                         std::to_string(failed) + of + " runs");
  }
  return note;
}

MetricComparisonRow JudgeMetric(const TestRounds& test, const std::string& name,
                                Metric m, const JudgeOptions& options) {
  MetricComparisonRow row =
      EmptyRow(test.test + "/" + name, std::string(MetricName(m)),
               Verdict::kInsufficientData);
  row.is_rate = m == Metric::kThroughput;
  row.is_fraction = m == Metric::kErrorRate;
  row.threshold = row.is_fraction ? options.error_rate_threshold
                                  : options.ThresholdFor(row.benchmark);
  std::vector<double> changes, olds, news;
  std::size_t unusable = 0;
  for (const Round& round : test.rounds) {
    const Result* b = Find(round.base, name);
    const Result* h = Find(round.head, name);
    if (b == nullptr || h == nullptr) continue;
    const double bv = ValueOf(*b, m);
    const double hv = ValueOf(*h, m);
    if (row.is_fraction) {
      changes.push_back(hv - bv);
    } else if (bv > 0 && hv > 0 && std::isfinite(bv) && std::isfinite(hv)) {
      changes.push_back(row.is_rate ? std::log(bv / hv) : std::log(hv / bv));
    } else {
      // No successful operation on a side: no time to compare this round.
      ++unusable;
      continue;
    }
    olds.push_back(bv);
    news.push_back(hv);
  }
  row.old_n = row.new_n = changes.size();
  if (unusable > 0) {
    AppendNote(row.note, std::to_string(unusable) +
                             " round(s) without a successful operation");
  }
  if (changes.empty()) {
    AppendNote(row.note, "no round in which both sides measured it");
    return row;
  }
  row.old_value = Median(olds);
  row.new_value = Median(news);
  const double t = row.is_fraction ? row.threshold : std::log1p(row.threshold);
  const PairedJudgement j =
      JudgePairedRounds(changes, t, options.confidence, options.min_rounds);
  const Shift& s = j.shift;
  if (row.is_fraction) {
    row.change = s.estimate;
    row.change_low = s.low;
    row.change_high = s.high;
  } else if (row.is_rate) {
    row.change = std::expm1(-s.estimate);
    row.change_low = std::expm1(-s.high);
    row.change_high = std::expm1(-s.low);
  } else {
    row.change = std::expm1(s.estimate);
    row.change_low = std::expm1(s.low);
    row.change_high = std::expm1(s.high);
  }
  row.p_value = s.p_value;
  row.verdict = j.verdict;
  AppendNote(row.note, j.note);
  return row;
}

}  // namespace

double JudgeOptions::ThresholdFor(std::string_view name) const {
  // One matching rule for both gates: CompareOptions holds it.
  CompareOptions compare;
  compare.threshold = threshold;
  compare.thresholds = thresholds;
  return compare.ThresholdFor(name);
}

MetricComparisonRow EmptyRow(const std::string& benchmark,
                             const std::string& metric, Verdict verdict,
                             const std::string& note) {
  MetricComparisonRow row;
  row.benchmark = benchmark;
  row.metric = metric;
  row.old_value = row.new_value = row.change = kNaN;
  row.change_low = row.change_high = row.p_value = kNaN;
  row.verdict = verdict;
  row.method = "signed-rank";
  row.note = note;
  return row;
}

void JudgeOptions::Validate() const {
  if (!(threshold > 0) || !std::isfinite(threshold)) {
    throw std::invalid_argument("ab::JudgeOptions: threshold must be > 0");
  }
  for (const auto& [pattern, value] : thresholds) {
    if (!(value > 0) || !std::isfinite(value)) {
      throw std::invalid_argument("ab::JudgeOptions: threshold for '" +
                                  pattern + "' must be > 0");
    }
  }
  ThresholdFor("");  // compiles every regex
  if (!(error_rate_threshold > 0) || !(error_rate_threshold <= 1)) {
    throw std::invalid_argument(
        "ab::JudgeOptions: error_rate_threshold must be in (0, 1]");
  }
  if (!(confidence > 0) || !(confidence < 1)) {
    throw std::invalid_argument(
        "ab::JudgeOptions: confidence must be in (0, 1)");
  }
  if (min_rounds < 1) {
    throw std::invalid_argument("ab::JudgeOptions: min_rounds must be >= 1");
  }
}

std::vector<MetricComparisonRow> JudgeTest(const TestRounds& test,
                                           const JudgeOptions& options) {
  options.Validate();
  std::vector<MetricComparisonRow> rows;
  std::vector<std::string> names;
  std::set<std::string> in_base, in_head;
  std::size_t base_done = 0, head_done = 0;
  for (const Round& r : test.rounds) {
    base_done += r.base.completed ? 1 : 0;
    head_done += r.head.completed ? 1 : 0;
    for (const TestRun* run : {&r.base, &r.head}) {
      for (const Result& res : run->results) {
        if (!in_base.count(res.name) && !in_head.count(res.name)) {
          names.push_back(res.name);
        }
        (run == &r.base ? in_base : in_head).insert(res.name);
      }
    }
  }
  std::string note = SideNote(test.rounds, false);
  AppendNote(note, SideNote(test.rounds, true));
  if (head_done == 0 || base_done == 0) {
    // A head that never completes where the base does is the change's
    // doing; a base that never completes leaves nothing to compare with.
    MetricComparisonRow row =
        EmptyRow(test.test, "test",
                 head_done == 0 && base_done > 0 ? Verdict::kError
                                                 : Verdict::kInsufficientData);
    row.note = note.empty() ? "no rounds" : note;
    rows.push_back(std::move(row));
    return rows;
  }
  for (const std::string& name : names) {
    if (!in_head.count(name) || !in_base.count(name)) {
      MetricComparisonRow row = EmptyRow(
          test.test + "/" + name, "result",
          in_head.count(name) ? Verdict::kNew : Verdict::kMissingInNew);
      row.note = in_head.count(name) ? "only the head wrote this result"
                                     : "only the base wrote this result";
      rows.push_back(std::move(row));
      continue;
    }
    for (Metric m : kGatedMetrics) {
      rows.push_back(JudgeMetric(test, name, m, options));
    }
  }
  if (!rows.empty()) {
    std::string& first = rows.front().note;
    std::string joined = note;
    AppendNote(joined, first);
    first = joined;
  }
  return rows;
}

bool Settled(const std::vector<MetricComparisonRow>& rows) {
  for (const MetricComparisonRow& r : rows) {
    if (r.verdict == Verdict::kNoisy ||
        r.verdict == Verdict::kInsufficientData) {
      return false;
    }
  }
  return true;
}

Verdict TestVerdict(const std::vector<MetricComparisonRow>& rows) {
  for (Verdict v : {Verdict::kError, Verdict::kRegression, Verdict::kNoisy,
                    Verdict::kInsufficientData, Verdict::kImprovement,
                    Verdict::kMissingInNew, Verdict::kNew}) {
    for (const MetricComparisonRow& r : rows) {
      if (r.verdict == v) return v;
    }
  }
  return Verdict::kUnchanged;
}

}  // namespace perfcheck::ab
