// The predicate-formatters behind perfcheck's gtest macros. SLA verdicts come
// from perfcheck/sla.h and the baseline gate from baseline.h/regression.h, so
// this file only adds gtest's shape: messages, properties, registration. The
// one decision made here is the adapter's own: in an instruction-count run
// (instruction_counter.h) the time bounds are not judged.
#include <charconv>
#include <cmath>
#include <iostream>
#include <map>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>

#include "perfcheck/baseline.h"
#include "perfcheck/format.h"
#include "perfcheck/gate_policy.h"
#include "perfcheck/gtest.h"
#include "perfcheck/gtest/flags.h"
#include "perfcheck/gtest/registry.h"
#include "perfcheck/instruction_counter.h"
#include "perfcheck/regression.h"
#include "perfcheck/sla.h"
#include "perfcheck/testbed.h"

namespace perfcheck::testing {
namespace {

using ::testing::AssertionFailure;
using ::testing::AssertionResult;
using ::testing::AssertionSuccess;

std::string DisplayName(const Result& r) {
  return r.name.empty() ? "(unnamed)" : r.name;
}

// Property keys become XML attribute names in the JUnit report, which allow
// only a few characters.
std::string KeyPrefix(const Result& r) {
  std::string name = r.name.empty() ? "unnamed" : r.name;
  for (char& c : name) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                    (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
    if (!ok) c = '_';
  }
  return "perfcheck." + name + ".";
}

std::string Number(double v) {
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return ec == std::errc() ? std::string(buf, end) : std::to_string(v);
}

void Record(const std::string& key, const std::string& value) {
  ::testing::Test::RecordProperty(key, value);
}

// The values every assertion leaves in the JUnit XML, pass or fail.
void RecordValues(const Result& r) {
  const std::string p = KeyPrefix(r);
  Record(p + "n", std::to_string(r.OkCount()));
  Record(p + "errors", std::to_string(r.ErrorCount()));
  Record(p + "error_rate", Number(r.ErrorRate()));
  Record(p + "throughput", Number(r.Throughput()));
  if (r.OkCount() == 0) return;
  Record(p + "p50_ns", std::to_string(r.latency.Percentile(50)));
  Record(p + "p95_ns", std::to_string(r.latency.Percentile(95)));
  Record(p + "p99_ns", std::to_string(r.latency.Percentile(99)));
  Record(p + "max_ns", std::to_string(r.latency.Max()));
  Record(p + "mean_ns", std::to_string(std::llround(r.latency.Mean())));
}

// The machine-independent counts, when the run has them.
void RecordCounts(const Result& r) {
  const std::string p = KeyPrefix(r);
  const OperationCounts& c = r.counts;
  if (c.instructions) Record(p + "instructions", Number(*c.instructions));
  if (c.allocations) Record(p + "allocations", Number(*c.allocations));
  if (c.allocated_bytes) {
    Record(p + "allocated_bytes", Number(*c.allocated_bytes));
  }
}

// The error rate's verdict (the row is there in every report).
std::string ErrorRateVerdict(const RegressionReport& report) {
  for (const MetricComparison& c : report.metrics) {
    if (c.metric == Metric::kErrorRate) {
      return std::string(VerdictName(c.verdict));
    }
  }
  return "not judged";
}

void Print(std::string text) {
  while (!text.empty() && text.back() == '\n') text.pop_back();
  std::cout << "perfcheck: " << text << std::endl;
}

std::string Words(std::string text) {
  for (char& c : text) {
    if (c == '_') c = ' ';
  }
  return text;
}

// Turns an SlaCheck into gtest's Expected/Actual shape and records it.
AssertionResult Report(const char* x_expr, const std::string& metric_label,
                       const char* bound_expr, const Result& r,
                       const SlaCheck& check,
                       std::optional<double> latency_value) {
  RecordValues(r);
  RecordCounts(r);
  const std::string p = KeyPrefix(r);
  if (latency_value) {
    Record(p + check.metric + "_ns",
           std::to_string(std::llround(*latency_value)));
  }
  Record(p + "sla." + check.metric,
         check.expected + (check.passed ? ": pass" : ": FAIL"));
  RegisterResult(r, check.metric, check.passed);
  if (check.passed) return AssertionSuccess();
  return AssertionFailure()
         << "Expected: " << metric_label << " of " << DisplayName(r) << " ("
         << x_expr << ") " << check.requirement << " (" << bound_expr << ")\n"
         << "  Actual: " << check.actual << "\n  " << PercentileLine(r);
}

// A time bound (latency or throughput): judged by Report(), except in an
// instruction-count run, where it passes with a note. Valgrind runs the code
// 10-100x slower, unevenly, so its times say nothing about the bound; the
// bound was still validated when `check` was made.
AssertionResult ReportTime(const char* x_expr, const std::string& metric_label,
                           const char* bound_expr, const Result& r,
                           const SlaCheck& check,
                           std::optional<double> latency_value) {
  const std::optional<std::string> note = internal::TimeNotJudgedNote(
      Words(check.metric), InstructionCountingRequested());
  if (!note) {
    return Report(x_expr, metric_label, bound_expr, r, check, latency_value);
  }
  RecordValues(r);
  RecordCounts(r);
  Record(KeyPrefix(r) + "sla." + check.metric,
         check.expected + ": not judged (instruction-count run)");
  RegisterResult(r, check.metric, true,
                 "time not judged: instruction-count run");
  const std::string test_id = CurrentTestId();
  Print((test_id.empty() ? "" : test_id + "/") + DisplayName(r) + ": " + *note);
  return AssertionSuccess();
}

// Validates the bound before a Measurable runs (a run can take minutes; only
// the throw matters, the verdict on nothing is dropped); the
// checks throw std::invalid_argument on an empty Result just as on a full one.
const Result& EmptyResult() {
  static const Result* empty = new Result();
  return *empty;
}

// ------------------------------------------------ one run per test ----

// The Result of each Measurable already measured in the running test, so that
// several assertions on one spec judge (and register) one run. Keyed on the
// object's address and instance_id(): an address alone can be reused by the
// next spec built in a loop; the id never is. Cleared when a test (or a
// suite, for SetUpTestSuite's assertions) ends.
class MeasuredInTest {
 public:
  static MeasuredInTest& Instance() {
    // Leaked on purpose, as the registry: assertions may run at exit.
    static MeasuredInTest* cache = new MeasuredInTest;
    return *cache;
  }

  // x's Result in this test: the one measured earlier, or a new run that is
  // remembered. Remeasured asks for a new run of the spec it wraps.
  Result Get(const Measurable& x) {
    const auto* again = dynamic_cast<const Remeasured*>(&x);
    const Measurable& spec = again != nullptr ? again->spec() : x;
    const std::string test_id = CurrentTestId();
    if (test_id.empty()) return spec.Run();  // no test: nothing to share with
    InstallForgetter();
    const Key key{test_id, &spec, spec.instance_id()};
    if (again == nullptr) {
      std::lock_guard<std::mutex> lock(mu_);
      if (auto it = runs_.find(key); it != runs_.end()) return it->second;
    }
    Result r = spec.Run();  // unlocked: a run may take minutes
    std::lock_guard<std::mutex> lock(mu_);
    runs_.insert_or_assign(key, r);
    return r;
  }

  // `r` is now x's Result in this test (the gate's confirmation run).
  void Replace(const Measurable& x, const Result& r) {
    const auto* again = dynamic_cast<const Remeasured*>(&x);
    const Measurable& spec = again != nullptr ? again->spec() : x;
    const std::string test_id = CurrentTestId();
    if (test_id.empty()) return;
    std::lock_guard<std::mutex> lock(mu_);
    runs_.insert_or_assign(Key{test_id, &spec, spec.instance_id()}, r);
  }

  void Clear() {
    std::lock_guard<std::mutex> lock(mu_);
    runs_.clear();
  }

 private:
  using Key = std::tuple<std::string, const Measurable*, std::uint64_t>;

  class Forgetter : public ::testing::EmptyTestEventListener {
    void OnTestEnd(const ::testing::TestInfo&) override { Instance().Clear(); }
    void OnTestSuiteEnd(const ::testing::TestSuite&) override {
      Instance().Clear();
    }
  };

  // Installed by the first assertion on a Measurable, so that any main()
  // gets it (perfcheck::gtest_main or a user's own). gtest owns it.
  void InstallForgetter() {
    std::call_once(installed_, [] {
      ::testing::UnitTest::GetInstance()->listeners().Append(new Forgetter);
    });
  }

  std::mutex mu_;
  std::once_flag installed_;
  std::map<Key, Result> runs_;
};

Result Measured(const Measurable& x) {
  return MeasuredInTest::Instance().Get(x);
}

// The latency statistic a bound applies to.
struct Statistic {
  enum class Kind { kPercentile, kMax, kMean };
  Kind kind = Kind::kPercentile;
  double percent = 0;  // kPercentile only, in [0, 100]
};
constexpr Statistic Percentile(double percent) {
  return {Statistic::Kind::kPercentile, percent};
}
constexpr Statistic kMax{Statistic::Kind::kMax};
constexpr Statistic kMean{Statistic::Kind::kMean};

SlaCheck LatencyCheck(const Result& r, Statistic s, Nanos limit) {
  switch (s.kind) {
    case Statistic::Kind::kMax:
      return CheckMaxBelow(r, limit);
    case Statistic::Kind::kMean:
      return CheckMeanBelow(r, limit);
    case Statistic::Kind::kPercentile:
      break;
  }
  return CheckPercentileBelow(r, s.percent, limit);
}

// The value a latency check compared, for the metric-specific property.
std::optional<double> LatencyValue(const Result& r, Statistic s) {
  if (r.OkCount() == 0) return std::nullopt;
  switch (s.kind) {
    case Statistic::Kind::kMax:
      return static_cast<double>(r.latency.Max());
    case Statistic::Kind::kMean:
      return r.latency.Mean();
    case Statistic::Kind::kPercentile:
      break;
  }
  return static_cast<double>(r.latency.Percentile(s.percent));
}

AssertionResult Latency(const char* x_expr, const std::string& label,
                        const char* limit_expr, const Result& x, Statistic s,
                        Limit limit) {
  SlaCheck check = LatencyCheck(x, s, limit.nanos());
  return ReportTime(x_expr, label.empty() ? Words(check.metric) : label,
                    limit_expr, x, check, LatencyValue(x, s));
}

AssertionResult Latency(const char* x_expr, const std::string& label,
                        const char* limit_expr, const Measurable& x,
                        Statistic s, Limit limit) {
  static_cast<void>(LatencyCheck(EmptyResult(), s, limit.nanos()));
  const Result r = Measured(x);
  return Latency(x_expr, label, limit_expr, r, s, limit);
}

// ------------------------------------------------------ regression gate ----

std::string OverallVerdict(const RegressionReport& report) {
  if (report.HasRegression()) return "regression";
  if (report.HasImprovement()) return "improvement";
  return "unchanged";
}

// Describe() lists machine differences already in most cases; state them
// explicitly only when it did not, so a cross-machine comparison is never
// silent.
std::string MachineNote(const RegressionReport& report,
                        const std::string& described) {
  if (report.machine_differences.empty()) return "";
  if (described.find(report.machine_differences.front()) != std::string::npos) {
    return "";
  }
  std::string note = "  Note: the baseline was measured on another machine: ";
  for (std::size_t i = 0; i < report.machine_differences.size(); ++i) {
    if (i > 0) note += "; ";
    note += report.machine_differences[i];
  }
  return note + "\n";
}

// EXPECT_NO_REGRESSION's gate for one run: reads the settings, lets the gate
// policy (gate_policy.h) decide, then reports the decision in gtest's shape.
// The policy decides; this class only translates.
class RegressionGate {
 public:
  // `spec` (may be null) measures the confirmation run.
  RegressionGate(const char* x_expr, Result r, const Measurable* spec)
      : x_expr_(x_expr),
        r_(std::move(r)),
        spec_(spec),
        test_id_(CurrentTestId()),
        who_(test_id_ + "/" + DisplayName(r_)),
        prefix_(KeyPrefix(r_)),
        store_(BaselineDir()),
        candidates_(CandidateDir()),
        // PathFor throws on "", reported by Run() as "no test is running".
        path_(test_id_.empty() ? "" : store_.PathFor(test_id_).string()),
        against_("against " + path_) {}

  AssertionResult Run() {
    RecordValues(r_);
    if (test_id_.empty()) {
      return Fail("error", "against its test's baseline",
                  "no test is running (the baseline file is named after the "
                  "current test)");
    }
    if (Status s = ReadSettings(); !s.ok()) {
      return Fail("error", "", s.message());
    }
    const StatusOr<GateDecision<RegressionReport>> decision =
        RunGatePolicy(Steps());
    if (!decision.ok()) {
      return Fail("error", error_expected_, decision.status().message());
    }
    return ReportDecision(*decision);
  }

 private:
  // Update mode, tolerance and testbed, and the "Expected:" text they give.
  Status ReadSettings() {
    StatusOr<std::optional<UpdateMode>> update = UpdateBaselinesMode();
    if (!update.ok()) return update.status();
    update_ = *update;
    const StatusOr<double> tolerance = RegressionTolerance();
    if (!tolerance.ok()) return tolerance.status();
    // A bad testbed name must not silently judge (or record) under another.
    const StatusOr<std::string> testbed = GivenTestbedName();
    if (!testbed.ok()) return testbed.status();
    options_.tolerance = *tolerance;
    // Under callgrind the times are Valgrind's: judge the counts only.
    options_.judge_time = !InstructionCountingRequested();
    expected_ = against_ + " (tolerance " +
                FormatPercent(options_.judge_time ? *tolerance
                                                  : options_.count_tolerance) +
                (options_.judge_time ? ")" : " on counts)");
    error_expected_ = expected_;
    return Status();
  }

  // What the gate policy may do, as steps over this gate's state.
  GateSteps<RegressionReport> Steps() {
    GateSteps<RegressionReport> steps;
    if (update_) steps.update = [this] { return UpdateBaseline(); };
    steps.judge = [this] { return Judge(); };
    // A count repeats exactly: measuring again would only double the cost.
    if (spec_ != nullptr && options_.judge_time) {
      steps.rejudge = [this](const RegressionReport&) {
        second_ = spec_->Run();
        return Compare(second_);
      };
    }
    steps.write_candidate = [this] {
      // Never into the baselines: a baseline is a reviewed decision.
      return candidates_.Record(test_id_, r_, UpdateMode::kAppend);
    };
    steps.regressed = [](const RegressionReport& x) {
      return x.HasRegression();
    };
    steps.time_judged = [](const RegressionReport& x) { return x.Judged(); };
    return steps;
  }

  Status UpdateBaseline() {
    error_expected_ = against_;
    if (Status s = store_.Record(test_id_, r_, *update_); !s.ok()) {
      return Status::Error("cannot update the baseline: " + s.message());
    }
    return Status();
  }

  // Loads the baseline (once: a confirmation run is judged against the same
  // file) and compares the run; nullopt when there is no entry for it.
  StatusOr<std::optional<RegressionReport>> Judge() {
    StatusOr<std::optional<BaselineFile>> loaded = store_.Load(test_id_);
    if (!loaded.ok()) {
      // The message names the file; it is left as it is for a human to fix.
      error_expected_ = against_;
      return Status::Error("cannot read the baseline: " +
                           loaded.status().message());
    }
    file_ = std::move(*loaded);
    if (file_) {
      auto it = file_->entries.find(r_.name);
      if (it != file_->entries.end() && !it->second.runs.empty()) {
        entry_ = &it->second;
      }
    }
    if (entry_ == nullptr) return std::optional<RegressionReport>();
    StatusOr<RegressionReport> report = Compare(r_);
    if (!report.ok()) return report.status();
    return std::optional<RegressionReport>(std::move(*report));
  }

  StatusOr<RegressionReport> Compare(const Result& run) const {
    try {
      return CompareToBaseline(*entry_, run, options_);
    } catch (const std::invalid_argument&) {
      // E.g. histograms of another precision.
      return Status::Error("the baseline entry '" + r_.name +
                           "' cannot be compared with this run (different "
                           "histogram configuration); re-record it");
    }
  }

  AssertionResult ReportDecision(
      const GateDecision<RegressionReport>& decision) {
    switch (decision.outcome) {
      case GateOutcome::kBaselineUpdated:
        Print("baseline for " + who_ + " updated in " + path_ +
              (*update_ == UpdateMode::kReplace ? " (replace)" : " (append)"));
        return Pass("baseline_updated", "baseline updated");
      case GateOutcome::kNoBaseline:
        Print("no baseline for " + who_ + "; " +
              CandidateNote(decision, "candidate", "cannot"));
        return Pass("no_baseline", "no baseline");
      case GateOutcome::kNotComparable:
        return ReportNotComparable(decision);
      case GateOutcome::kUnconfirmed:
        return ReportUnconfirmed(decision);
      case GateOutcome::kRegression:
        return ReportRegression(decision);
      case GateOutcome::kPass:
        break;
    }
    return ReportPass(*decision.first);
  }

  // Another machine's times say nothing about this one: pass, say so, and
  // leave a candidate from which this testbed can be recorded.
  AssertionResult ReportNotComparable(
      const GateDecision<RegressionReport>& decision) {
    const RegressionReport& report = *decision.first;
    if (report.time_skipped) {
      const std::string why =
          report.CountsNote().empty()
              ? "the baseline holds no instruction count of " + r_.name
              : report.CountsNote();
      Print(who_ + ": " + why +
            " (error rate judged: " + ErrorRateVerdict(report) +
            ").\n  Counts are the same on every machine with the same "
            "build: record them once with PERFCHECK_UPDATE_BASELINES=1 "
            "(docs/instruction-counts.md).\n  " +
            CandidateNote(decision, "Candidate", "Cannot"));
      return Pass("not_comparable", "counts of another build");
    }
    Print(who_ + ": " + report.TestbedNote() +
          " (error rate judged: " + ErrorRateVerdict(report) + ").\n" +
          "  To gate time on this machine, record its testbed: " +
          "PERFCHECK_UPDATE_BASELINES=1 (a few runs; name it with "
          "PERFCHECK_TESTBED=NAME), or compare A/B with the base build on "
          "this runner (docs/regression-method.md, \"Testbeds\").\n  " +
          CandidateNote(decision, "Candidate", "Cannot"));
    return Pass("not_comparable", "other testbed");
  }

  AssertionResult ReportUnconfirmed(
      const GateDecision<RegressionReport>& decision) {
    const std::string first_text =
        TextOf(*decision.first) + "  " + PercentileLine(r_);
    UseConfirmationRun();
    Print(who_ +
          ": the first run regressed but the confirmation run did "
          "not; passing. First run:\n" +
          first_text);
    return Pass(OverallVerdict(*decision.confirmation), "confirmed by re-run");
  }

  AssertionResult ReportRegression(
      const GateDecision<RegressionReport>& decision) {
    const std::string first_text =
        TextOf(*decision.first) + "  " + PercentileLine(r_);
    if (!decision.confirmation) {
      return Fail("regression", expected_, "regression\n" + first_text);
    }
    UseConfirmationRun();
    return Fail("regression", expected_,
                "regression in the first run and in the confirmation run\n"
                "First run:\n" +
                    first_text + "\nConfirmation run:\n" +
                    TextOf(*decision.confirmation) + "  " + PercentileLine(r_));
  }

  AssertionResult ReportPass(const RegressionReport& report) {
    const std::string verdict = OverallVerdict(report);
    if (report.HasImprovement()) {
      Print(who_ + " improved against " + path_ +
            "; refresh the baseline with PERFCHECK_UPDATE_BASELINES=1 (or "
            "--perfcheck_update_baselines):\n" +
            report.Describe());
    }
    if (!report.machine_differences.empty()) {
      std::string diffs;
      for (const auto& d : report.machine_differences) {
        diffs += (diffs.empty() ? "" : "; ") + d;
      }
      Print(who_ + ": the baseline was measured on another machine (" + diffs +
            "); timings may not be comparable");
    }
    return Pass(verdict, verdict == "improvement" ? "improvement" : "");
  }

  // From here on the confirmation run is the one reported and registered,
  // and the spec's Result for the rest of the test.
  void UseConfirmationRun() {
    r_ = std::move(second_);
    RecordValues(r_);
    MeasuredInTest::Instance().Replace(*spec_, r_);
  }

  AssertionResult Pass(const std::string& verdict, std::string_view note) {
    Record(prefix_ + "regression", verdict);
    RegisterResult(r_, "regression", true, note);
    return AssertionSuccess();
  }

  AssertionResult Fail(const std::string& verdict, const std::string& expected,
                       const std::string& actual) {
    Record(prefix_ + "regression", verdict);
    RegisterResult(r_, "regression", false);
    return AssertionFailure()
           << "Expected: no regression of " << DisplayName(r_) << " ("
           << x_expr_ << ")" << (expected.empty() ? "" : " ") << expected
           << "\n  Actual: " << actual;
  }

  // "Candidate written to ..." or "Cannot write a candidate: ...", with the
  // first word as the sentence needs it.
  std::string CandidateNote(const GateDecision<RegressionReport>& decision,
                            const char* candidate_word,
                            const char* cannot_word) const {
    return decision.candidate.ok()
               ? std::string(candidate_word) + " written to " +
                     candidates_.PathFor(test_id_).string()
               : std::string(cannot_word) +
                     " write a candidate: " + decision.candidate.message();
  }

  static std::string TextOf(const RegressionReport& x) {
    const std::string described = x.Describe();
    return described + MachineNote(x, described);
  }

  const char* x_expr_;
  Result r_;                // the run reported (the confirmation, once used)
  const Measurable* spec_;  // null for a Result
  const std::string test_id_;
  const std::string who_;     // "<test>/<result>" in printed notes
  const std::string prefix_;  // of the recorded properties
  const BaselineStore store_;
  const BaselineStore candidates_;
  const std::string path_;     // the baseline file
  const std::string against_;  // "against <path>"

  std::optional<UpdateMode> update_;  // set: update mode
  GateOptions options_;
  std::string expected_;        // "against <path> (tolerance 10%)"
  std::string error_expected_;  // what an error's "Expected:" line says
  std::optional<BaselineFile> file_;
  const BaselineEntry* entry_ = nullptr;  // x's entry in file_, if any
  Result second_;                         // the confirmation run, if any
};

AssertionResult Gate(const char* x_expr, Result r, const Measurable* spec) {
  return RegressionGate(x_expr, std::move(r), spec).Run();
}

}  // namespace

namespace internal {

std::optional<std::string> TimeNotJudgedNote(std::string_view metric,
                                             bool instruction_count_run) {
  if (!instruction_count_run) return std::nullopt;
  return std::string(metric) +
         " not judged: instruction-count run under Valgrind (times are "
         "Valgrind's)";
}

}  // namespace internal

// ------------------------------------------------------- latency bounds ----

#define PERFCHECK_DEFINE_LATENCY_(Name, statistic)                 \
  AssertionResult Name(const char* x_expr, const char* limit_expr, \
                       const Result& x, Limit limit) {             \
    return Latency(x_expr, "", limit_expr, x, statistic, limit);   \
  }                                                                \
  AssertionResult Name(const char* x_expr, const char* limit_expr, \
                       const Measurable& x, Limit limit) {         \
    return Latency(x_expr, "", limit_expr, x, statistic, limit);   \
  }

PERFCHECK_DEFINE_LATENCY_(P50Below, Percentile(50.0))
PERFCHECK_DEFINE_LATENCY_(P90Below, Percentile(90.0))
PERFCHECK_DEFINE_LATENCY_(P95Below, Percentile(95.0))
PERFCHECK_DEFINE_LATENCY_(P99Below, Percentile(99.0))
PERFCHECK_DEFINE_LATENCY_(P999Below, Percentile(99.9))
PERFCHECK_DEFINE_LATENCY_(MaxBelow, kMax)
PERFCHECK_DEFINE_LATENCY_(MeanBelow, kMean)
#undef PERFCHECK_DEFINE_LATENCY_

AssertionResult PercentileBelow(const char* x_expr, const char* q_expr,
                                const char* limit_expr, const Result& x,
                                double q, Limit limit) {
  const std::string label = PercentileName(q) + " (" + q_expr + ")";
  return Latency(x_expr, label, limit_expr, x, Percentile(q), limit);
}

AssertionResult PercentileBelow(const char* x_expr, const char* q_expr,
                                const char* limit_expr, const Measurable& x,
                                double q, Limit limit) {
  const std::string label = PercentileName(q) + " (" + q_expr + ")";
  return Latency(x_expr, label, limit_expr, x, Percentile(q), limit);
}

// ------------------------------------------- error rate and throughput ----

AssertionResult ErrorRateBelow(const char* x_expr, const char* fraction_expr,
                               const Result& x, double fraction) {
  const SlaCheck check = CheckErrorRateBelow(x, fraction);
  return Report(x_expr, "error rate", fraction_expr, x, check, std::nullopt);
}

AssertionResult ErrorRateBelow(const char* x_expr, const char* fraction_expr,
                               const Measurable& x, double fraction) {
  static_cast<void>(CheckErrorRateBelow(EmptyResult(), fraction));
  return ErrorRateBelow(x_expr, fraction_expr, Measured(x), fraction);
}

AssertionResult ThroughputAtLeast(const char* x_expr, const char* rate_expr,
                                  const Result& x, double per_second) {
  const SlaCheck check = CheckThroughputAtLeast(x, per_second);
  return ReportTime(x_expr, "throughput", rate_expr, x, check, std::nullopt);
}

AssertionResult ThroughputAtLeast(const char* x_expr, const char* rate_expr,
                                  const Measurable& x, double per_second) {
  static_cast<void>(CheckThroughputAtLeast(EmptyResult(), per_second));
  return ThroughputAtLeast(x_expr, rate_expr, Measured(x), per_second);
}

// ----------------------------------------------------------- allocations ----

AssertionResult AllocationsAtMost(const char* x_expr, const char* n_expr,
                                  const Result& x, double per_operation) {
  const SlaCheck check = CheckAllocationsAtMost(x, per_operation);
  return Report(x_expr, "allocations", n_expr, x, check, std::nullopt);
}

AssertionResult AllocationsAtMost(const char* x_expr, const char* n_expr,
                                  const Measurable& x, double per_operation) {
  static_cast<void>(CheckAllocationsAtMost(EmptyResult(), per_operation));
  return AllocationsAtMost(x_expr, n_expr, Measured(x), per_operation);
}

AssertionResult AllocatedBytesAtMost(const char* x_expr, const char* bytes_expr,
                                     const Result& x, double bytes) {
  const SlaCheck check = CheckAllocatedBytesAtMost(x, bytes);
  return Report(x_expr, "allocated bytes", bytes_expr, x, check, std::nullopt);
}

AssertionResult AllocatedBytesAtMost(const char* x_expr, const char* bytes_expr,
                                     const Measurable& x, double bytes) {
  static_cast<void>(CheckAllocatedBytesAtMost(EmptyResult(), bytes));
  return AllocatedBytesAtMost(x_expr, bytes_expr, Measured(x), bytes);
}

// ------------------------------------------------------- baseline gate ----

AssertionResult NoRegression(const char* x_expr, const Result& x) {
  return Gate(x_expr, x, nullptr);
}

AssertionResult NoRegression(const char* x_expr, const Measurable& x) {
  return Gate(x_expr, Measured(x), &x);
}

}  // namespace perfcheck::testing
