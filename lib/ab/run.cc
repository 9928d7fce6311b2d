#include "perfcheck/ab/run.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <map>
#include <random>
#include <set>
#include <stdexcept>

#include "temp_dir.h"

namespace perfcheck::ab {
namespace {

using Clock = std::chrono::steady_clock;

// One test to compare: where it lives and what has been seen of it.
struct Entry {
  std::size_t pair = 0;
  std::string test;   // the gtest name
  std::string label;  // the row prefix
  TestRounds rounds;
  TestOutcome outcome;
  std::vector<MetricComparisonRow> rows;
  bool open = true;  // still running rounds
  bool not_perf = false;
};

// A side that has not completed a single run yet has nothing to compare
// with: more rounds of a test that keeps crashing only cost time.
bool NeverCompletedOnASide(const TestRounds& t) {
  bool base = false, head = false;
  for (const Round& r : t.rounds) {
    base = base || r.base.completed;
    head = head || r.head.completed;
  }
  return !base || !head;
}

std::string Seconds(std::chrono::nanoseconds d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f s",
                std::chrono::duration<double>(d).count());
  return buf;
}

std::string Percent(double fraction) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4g%%", fraction * 100);
  return buf;
}

}  // namespace

void AbOptions::Validate() const {
  if (rounds < 1) throw std::invalid_argument("ab: rounds must be >= 1");
  if (max_rounds < rounds) {
    throw std::invalid_argument("ab: max_rounds must be >= rounds");
  }
  if (run_timeout.count() < 1 || max_duration.count() < 1) {
    throw std::invalid_argument(
        "ab: run_timeout and max_duration must be >= 1 s");
  }
  judge.Validate();
}

std::vector<int> LookRounds(int rounds, int max_rounds) {
  std::vector<int> looks;
  const int step = std::max(1, rounds / 2);
  for (int r = rounds; r < max_rounds; r += step) looks.push_back(r);
  looks.push_back(max_rounds);
  return looks;
}

StatusOr<AbReport> RunAb(const std::vector<BinaryPair>& pairs,
                         const AbOptions& options) {
  options.Validate();
  if (pairs.empty()) throw std::invalid_argument("ab: no binary pair");
  const auto start = Clock::now();
  AbReport report;
  report.seed =
      options.seed != 0
          ? options.seed
          : static_cast<std::uint64_t>(start.time_since_epoch().count()) | 1;
  std::mt19937_64 rng(report.seed);
  report.look_rounds = LookRounds(options.rounds, options.max_rounds);
  report.overall_confidence = options.judge.confidence;
  JudgeOptions judge = options.judge;
  judge.confidence = 1 - (1 - options.judge.confidence) /
                             static_cast<double>(report.look_rounds.size());

  // The tests of every pair, in the base's order; one-sided ones get a row.
  std::vector<Entry> entries;
  std::vector<MetricComparisonRow> one_sided;
  std::map<std::string, int> seen;  // test name -> pairs listing it
  std::vector<std::pair<std::vector<std::string>, std::vector<std::string>>>
      lists;
  ListOptions list{.filter = options.filter,
                   .extra_args = options.extra_args,
                   .timeout = std::chrono::seconds(60),
                   .cancel = options.cancel};
  for (const BinaryPair& p : pairs) {
    StatusOr<std::vector<std::string>> base = ListTests(p.base, list);
    if (!base.ok()) return Status::Error("base " + base.status().message());
    StatusOr<std::vector<std::string>> head = ListTests(p.head, list);
    if (!head.ok()) return Status::Error("head " + head.status().message());
    for (const std::string& t : *base) ++seen[t];
    lists.emplace_back(std::move(*base), std::move(*head));
  }
  for (std::size_t i = 0; i < pairs.size(); ++i) {
    const auto& [base, head] = lists[i];
    const std::set<std::string> head_set(head.begin(), head.end());
    const std::set<std::string> base_set(base.begin(), base.end());
    auto label = [&](const std::string& t) {
      return seen[t] > 1 ? pairs[i].base.filename().string() + ":" + t : t;
    };
    bool common = false;
    for (const std::string& t : base) {
      if (!head_set.count(t)) {
        one_sided.push_back(EmptyRow(label(t), "test", Verdict::kMissingInNew,
                                     "listed by the base only; not run"));
        continue;
      }
      common = true;
      Entry e;
      e.pair = i;
      e.test = t;
      e.label = label(t);
      e.rounds.test = e.label;
      e.outcome.test = e.label;
      entries.push_back(std::move(e));
    }
    for (const std::string& t : head) {
      if (base_set.count(t)) continue;
      one_sided.push_back(EmptyRow(label(t), "test", Verdict::kNew,
                                   "listed by the head only; not run"));
    }
    if (!common) {
      return Status::Error(pairs[i].base.string() + " and " +
                           pairs[i].head.string() + " list no test in common");
    }
  }

  ab_internal::TempDir work("ab");
  if (work.path().empty()) {
    return Status::Error(std::string("cannot create a temporary directory: ") +
                         std::strerror(errno));
  }
  const auto deadline = start + options.max_duration;
  auto progress = [&](const std::string& line) {
    if (options.progress) options.progress(line);
  };
  std::size_t run_counter = 0;
  auto run_side = [&](const Entry& e, bool head) -> StatusOr<TestRun> {
    const std::filesystem::path dir =
        work.path() / ("run-" + std::to_string(++run_counter));
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) {
      return Status::Error("cannot create '" + dir.string() +
                           "': " + ec.message());
    }
    TestRunOptions run{.extra_args = options.extra_args,
                       .timeout = options.run_timeout,
                       .work_dir = dir,
                       .cancel = options.cancel};
    const BinaryPair& p = pairs[e.pair];
    StatusOr<TestRun> r = RunTest(head ? p.head : p.base, e.test, run);
    std::filesystem::remove_all(dir, ec);
    return r;
  };

  for (int round = 1; round <= options.max_rounds; ++round) {
    std::vector<Entry*> open;
    for (Entry& e : entries) {
      if (e.open) open.push_back(&e);
    }
    if (open.empty()) break;
    std::shuffle(open.begin(), open.end(), rng);
    for (Entry* e : open) {
      if (Clock::now() > deadline) report.budget_reached = true;
      if (options.cancel != nullptr && options.cancel->load()) {
        report.cancelled = true;
      }
      if (report.budget_reached || report.cancelled) break;
      const bool base_first = (rng() & 1) == 0;
      Round r;
      for (int k = 0; k < 2; ++k) {
        const bool head = (k == 0) != base_first;
        StatusOr<TestRun> run = run_side(*e, head);
        if (!run.ok()) return run.status();
        if (run->cancelled) report.cancelled = true;
        (head ? r.head : r.base) = std::move(*run);
        if (report.cancelled) break;
      }
      if (report.cancelled) break;
      e->outcome.base_wall += r.base.wall;
      e->outcome.head_wall += r.head.wall;
      ++e->outcome.rounds;
      const bool no_results = r.base.results.empty() && r.head.results.empty();
      const bool both_completed = r.base.completed && r.head.completed;
      progress(
          "round " + std::to_string(round) + "/" +
          std::to_string(options.max_rounds) + "  " + e->label + ": base " +
          Seconds(r.base.wall) + ", head " + Seconds(r.head.wall) +
          (r.base.problem.empty() ? "" : "  [base: " + r.base.problem + "]") +
          (r.head.problem.empty() ? "" : "  [head: " + r.head.problem + "]"));
      e->rounds.rounds.push_back(std::move(r));
      if (round == 1 && no_results && both_completed) {
        e->open = false;
        e->not_perf = true;
      }
    }
    if (report.budget_reached || report.cancelled) break;
    report.rounds_run = round;
    if (std::find(report.look_rounds.begin(), report.look_rounds.end(),
                  round) == report.look_rounds.end()) {
      continue;
    }
    for (Entry& e : entries) {
      if (!e.open) continue;
      e.rows = JudgeTest(e.rounds, judge);
      if (Settled(e.rows) || NeverCompletedOnASide(e.rounds) ||
          round == options.max_rounds) {
        e.open = false;
      } else {
        progress(e.label + ": not settled after " + std::to_string(round) +
                 " rounds (" + std::string(VerdictName(TestVerdict(e.rows))) +
                 "); more rounds");
      }
    }
  }

  ComparisonReport& c = report.comparison;
  c.paired = true;
  c.confidence = judge.confidence;
  c.old_source = pairs.front().base.string();
  c.new_source = pairs.front().head.string();
  if (pairs.size() > 1) {
    c.old_source += " and " + std::to_string(pairs.size() - 1) + " more";
    c.new_source += " and " + std::to_string(pairs.size() - 1) + " more";
  }
  c.mode = "A/B, a fresh process per test, up to " +
           std::to_string(report.rounds_run) + " rounds";
  if (report.look_rounds.size() > 1) {
    std::string looks;
    for (int r : report.look_rounds) {
      looks += (looks.empty() ? "" : ", ") + std::to_string(r);
    }
    c.mode += " (looks at " + looks + ", " + Percent(judge.confidence) +
              " each for " + Percent(report.overall_confidence) + " overall)";
  }
  for (Entry& e : entries) {
    if (e.not_perf) {
      report.not_perf_tests.push_back(e.label);
      continue;
    }
    if (e.open || e.rows.empty()) {
      // Stopped by the budget or a cancellation before a look.
      e.rows = JudgeTest(e.rounds, judge);
      if (!e.rows.empty()) {
        std::string& note = e.rows.front().note;
        note = std::string(report.cancelled ? "cancelled"
                                            : "time budget reached") +
               " after " + std::to_string(e.outcome.rounds) + " rounds" +
               (note.empty() ? "" : "; " + note);
      }
    }
    e.outcome.verdict = TestVerdict(e.rows);
    report.tests.push_back(e.outcome);
    c.rows.insert(c.rows.end(), e.rows.begin(), e.rows.end());
  }
  c.rows.insert(c.rows.end(), one_sided.begin(), one_sided.end());
  for (const MetricComparisonRow& row : one_sided) {
    TestOutcome o;
    o.test = row.benchmark;
    o.verdict = row.verdict;
    report.tests.push_back(o);
  }
  report.wall = Clock::now() - start;
  return report;
}

}  // namespace perfcheck::ab
