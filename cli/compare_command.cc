// `perfcheck compare`: the PR regression gate (docs/benchmark-gate.md).
//
//   perfcheck compare OLD NEW                      stored run vs new run
//   perfcheck compare --interleave OLD_BIN NEW_BIN  A/B rounds on this machine
//   perfcheck compare BASELINE --run BIN            run, then judge (ctest)
//
// Exit codes (command.h): 0 no regression, 1 regression (or a benchmark that
// no longer runs), 2 usage or input error.

#include <CLI/CLI.hpp>
#include <cmath>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "command.h"
#include "perfcheck/benchmark/compare.h"
#include "perfcheck/benchmark/run.h"
#include "perfcheck/gate_policy.h"
#include "report_flags.h"
#include "report_output.h"
#include "threshold.h"

namespace perfcheck::cli {
namespace {

struct CompareFlags {
  std::vector<std::string> inputs;
  std::string threshold = "10%";
  std::vector<std::string> threshold_for;
  double confidence = 0.99;
  std::size_t min_repetitions = 5;
  std::string metric = "cpu_time";
  ReportFlags report;
  bool require_same_machine = false;
  bool calibrate = false;
  // --interleave
  bool interleave = false;
  int rounds = 10;
  int repetitions = 0;  // 0: 3 per round when interleaving, 10 with --run
  std::string min_time;
  std::string filter;
  std::string max_time = "15m";
  std::string run_timeout = "10m";
  std::uint64_t seed = 0;
  bool quiet = false;
  // --run
  std::string run_binary;
  std::string save;
  std::string candidate;
  bool confirm = false;
};

int Usage(const std::string& message) {
  std::cerr << "perfcheck compare: " << message << "\n";
  return kExitUsage;
}

// Prints and writes the report as asked; returns false on a write error.
bool Emit(const CompareFlags& f, const ComparisonReport& report) {
  return EmitReport(
      "perfcheck compare", f.report,
      {.table = [&](bool color) { return RenderTable(report, color); },
       .markdown = [&] { return RenderMarkdown(report); },
       .json = [&] { return RenderJson(report); }});
}

int Finish(const CompareFlags& f, const ComparisonReport& report) {
  if (!Emit(f, report)) return kExitUsage;
  if (!report.machine_differences.empty() && f.require_same_machine) {
    std::cerr << "perfcheck compare: the runs come from different machines "
                 "(--require-same-machine):";
    for (const std::string& d : report.machine_differences)
      std::cerr << " " << d << ";";
    std::cerr << "\n";
    return kExitUsage;
  }
  return report.HasRegression() ? kExitCheckFailed : kExitOk;
}

// A regression must show in a second, independent run too: one unlucky run
// (a noisy neighbour during those seconds) then no longer fails the build.
ComparisonReport Confirm(const ComparisonReport& first,
                         ComparisonReport second) {
  for (MetricComparisonRow& row : second.rows) {
    bool was = false;
    for (const MetricComparisonRow& r : first.rows) {
      was = was || (r.benchmark == row.benchmark && r.metric == row.metric &&
                    r.verdict == BenchmarkVerdict::kRegression);
    }
    if (row.verdict == BenchmarkVerdict::kRegression && !was) {
      row.verdict = BenchmarkVerdict::kNoisy;
      row.note += std::string(row.note.empty() ? "" : "; ") +
                  "regressed in the confirmation run only";
    } else if (row.verdict == BenchmarkVerdict::kRegression) {
      row.note += std::string(row.note.empty() ? "" : "; ") +
                  "confirmed by a second run";
    } else if (was) {
      row.note += std::string(row.note.empty() ? "" : "; ") +
                  "regressed in the first run, not confirmed by the second";
    }
  }
  second.mode += ", confirmed by a re-run";
  return second;
}

int RunWithBinary(const CompareFlags& f, const CompareOptions& options,
                  const BenchmarkRunOptions& run) {
  const std::string baseline = f.inputs[0];
  const std::string candidate =
      f.candidate.empty() ? baseline + ".candidate.json" : f.candidate;
  std::string json;
  StatusOr<BenchmarkFile> fresh = RunBenchmark(f.run_binary, run, &json);
  if (!fresh.ok()) return Usage(fresh.status().message());
  if (!f.save.empty() && !WriteText("perfcheck compare", f.save, json, false)) {
    return kExitUsage;
  }
  fresh->source = f.save.empty() ? f.run_binary : f.save;

  // The same policy as EXPECT_NO_REGRESSION (gate_policy.h); recording is
  // `perfcheck baseline update`, so there is no update step here.
  std::optional<BenchmarkFile> old_file;
  auto judge =
      [&](const BenchmarkFile& run_file) -> StatusOr<ComparisonReport> {
    if (Status s = CheckComparable(*old_file, run_file, options); !s.ok()) {
      return s;
    }
    return CompareBenchmarks(*old_file, run_file, options);
  };
  GateSteps<ComparisonReport> steps;
  steps.judge = [&]() -> StatusOr<std::optional<ComparisonReport>> {
    std::error_code ec;
    if (!std::filesystem::exists(baseline, ec)) {
      return std::optional<ComparisonReport>();
    }
    // The run of this testbed when the file holds several (testbed.h); for
    // instruction counts the run of this build's counts key, any testbed's.
    const bool counts = options.metric == TimeMetric::kCounter &&
                        options.counter == "instructions";
    StatusOr<BenchmarkFile> loaded =
        counts ? ReadBenchmarkBaselineForCounts(baseline, fresh->context)
               : ReadBenchmarkBaseline(baseline, fresh->context.fingerprint);
    if (!loaded.ok()) return loaded.status();
    old_file = std::move(*loaded);
    StatusOr<ComparisonReport> report = judge(*fresh);
    if (!report.ok()) return report.status();
    return std::optional<ComparisonReport>(std::move(*report));
  };
  if (f.confirm) {
    steps.rejudge =
        [&](const ComparisonReport& first) -> StatusOr<ComparisonReport> {
      std::cout << RenderTable(first, UseColor(f.report.color))
                << "  regression seen; confirming with a second run...\n";
      StatusOr<BenchmarkFile> again = RunBenchmark(f.run_binary, run);
      if (!again.ok()) return again.status();
      again->source = f.run_binary + " (re-run)";
      StatusOr<ComparisonReport> second = judge(*again);
      if (!second.ok()) return second.status();
      return Confirm(first, std::move(*second));
    };
  }
  steps.write_candidate = [&]() -> Status {
    std::error_code ec;
    const std::filesystem::path dir =
        std::filesystem::path(candidate).parent_path();
    std::filesystem::create_directories(dir.empty() ? "." : dir, ec);
    return WriteText("perfcheck compare", candidate, json, false)
               ? Status()
               : Status::Error("cannot write '" + candidate + "'");
  };
  steps.regressed = [](const ComparisonReport& r) { return r.HasRegression(); };
  steps.time_judged = [](const ComparisonReport& r) {
    return r.testbed_notes.empty() && r.counts_notes.empty();
  };

  const StatusOr<GateDecision<ComparisonReport>> decision =
      RunGatePolicy(steps);
  if (!decision.ok()) return Usage(decision.status().message());
  switch (decision->outcome) {
    case GateOutcome::kNoBaseline:
      if (!decision->candidate.ok()) return kExitUsage;
      std::cout << "perfcheck compare: no baseline at " << baseline
                << "; nothing to judge. Candidate written to " << candidate
                << "\n  record it with: perfcheck baseline update " << baseline
                << " " << candidate << "\n";
      return kExitOk;
    case GateOutcome::kNotComparable: {
      // Another machine's times (or another build's counts): nothing to
      // judge here. The candidate is what this testbed's (this key's)
      // baseline can be recorded from.
      const int status = Finish(f, *decision->first);
      if (!decision->candidate.ok()) return kExitUsage;
      if (!decision->first->counts_notes.empty()) {
        std::cout << "perfcheck compare: instructions not judged (the "
                     "baseline was counted under another counts key). "
                     "Candidate written to "
                  << candidate
                  << "\n  to gate this build's counts, record it: perfcheck "
                     "baseline update "
                  << baseline << " " << candidate << "\n";
        return status;
      }
      std::cout << "perfcheck compare: time not judged (the baseline comes "
                   "from another testbed). Candidate written to "
                << candidate
                << "\n  to gate time on this testbed, record it (perfcheck "
                   "baseline update "
                << baseline << " " << candidate
                << ") or compare A/B on this runner (perfcheck compare "
                   "--interleave BASE_BIN HEAD_BIN)\n";
      return status;
    }
    default:
      return Finish(f, decision->confirmation ? *decision->confirmation
                                              : *decision->first);
  }
}

int RunCompare(const CompareFlags& f) {
  CompareOptions options;
  StatusOr<double> t = ParseFraction(f.threshold);
  if (!t.ok()) return Usage(t.status().message());
  options.threshold = *t;
  for (const std::string& spec : f.threshold_for) {
    StatusOr<std::pair<std::string, double>> o = ParseThresholdFor(spec);
    if (!o.ok()) return Usage(o.status().message());
    options.thresholds.push_back(*o);
  }
  options.confidence = f.confidence;
  options.min_repetitions = f.min_repetitions;
  if (f.metric == "cpu_time") {
    options.metric = TimeMetric::kCpuTime;
  } else if (f.metric == "real_time") {
    options.metric = TimeMetric::kRealTime;
  } else if (f.metric == "both") {
    options.metric = TimeMetric::kBoth;
  } else if (f.metric == "instructions") {
    options.metric = TimeMetric::kCounter;
    options.counter = "instructions";
  } else if (f.metric.rfind("counter:", 0) == 0 && f.metric.size() > 8) {
    options.metric = TimeMetric::kCounter;
    options.counter = f.metric.substr(8);
  } else {
    return Usage("--metric '" + f.metric +
                 "': expected cpu_time, real_time, both, instructions or "
                 "counter:NAME");
  }
  options.calibrate = f.calibrate;
  if (Status s = options.Check(); !s.ok()) return Usage(s.message());

  BenchmarkRunOptions run;
  run.min_time = f.min_time;
  run.filter = f.filter;
  StatusOr<Nanos> run_timeout = ParseDuration(f.run_timeout);
  if (!run_timeout.ok()) return Usage(run_timeout.status().message());
  run.timeout =
      std::chrono::seconds(std::max<Nanos>(1, *run_timeout / 1'000'000'000));

  if (f.interleave) {
    if (f.calibrate) {
      return Usage(
          "--calibrate normalises a baseline from another machine; "
          "--interleave runs both binaries on this one (nothing to "
          "calibrate)");
    }
    if (f.inputs.size() != 2 || !f.run_binary.empty()) {
      return Usage(
          "--interleave takes two benchmark binaries: OLD_BINARY NEW_BINARY");
    }
    InterleaveOptions il;
    il.rounds = f.rounds;
    il.run = run;
    il.run.repetitions = f.repetitions > 0 ? f.repetitions : 3;
    il.seed = f.seed;
    StatusOr<Nanos> max_time = ParseDuration(f.max_time);
    if (!max_time.ok()) return Usage(max_time.status().message());
    il.max_duration = std::chrono::seconds(*max_time / 1'000'000'000);
    if (!f.quiet) {
      il.progress = [](const std::string& line) {
        std::cerr << "perfcheck compare: " << line << "\n";
      };
    }
    StatusOr<ComparisonReport> report =
        RunInterleaved(f.inputs[0], f.inputs[1], il, options);
    if (!report.ok()) return Usage(report.status().message());
    return Finish(f, *report);
  }
  if (!f.run_binary.empty()) {
    if (f.inputs.size() != 1)
      return Usage("--run takes one input: the BASELINE file");
    run.repetitions = f.repetitions > 0 ? f.repetitions : 10;
    if (f.calibrate && !run.filter.empty()) {
      // A filter for the project's benchmarks must not drop the reference.
      run.filter = "(" + run.filter + ")|^" +
                   std::string(kCalibrationBenchmarkName) + "$";
    }
    return RunWithBinary(f, options, run);
  }
  if (f.inputs.size() != 2) return Usage("expected two inputs: OLD NEW");
  StatusOr<ComparisonReport> report =
      CompareFiles(f.inputs[0], f.inputs[1], options);
  if (!report.ok()) return Usage(report.status().message());
  return Finish(f, *report);
}

}  // namespace

void AddCompareCommand(CLI::App& app, CommandRunner& run) {
  auto flags = std::make_shared<CompareFlags>();
  CompareFlags& f = *flags;
  CLI::App* sub = app.add_subcommand(
      "compare",
      "Compare benchmark or perfcheck runs; fail on a credible regression");
  sub->footer(
      "Inputs: Google Benchmark JSON (with repetitions or aggregates), "
      "perfcheck "
      "result or baseline files, or directories of them.\n" +
      ExitCodesHelp({{kExitOk, "no regression"},
                     {kExitCheckFailed, "regression"},
                     {kExitUsage, "usage or input error"}}) +
      "\n"
      "Examples:\n"
      "  perfcheck compare base.json head.json --format markdown "
      "--step-summary\n"
      "  perfcheck compare --interleave ./bench_base ./bench_head --rounds 12\n"
      "  perfcheck compare baselines/bench.json --run ./bench --confirm\n"
      "  perfcheck compare laptop.json ci.json --calibrate\n"
      "  perfcheck compare base.json head.json --metric instructions");
  sub->add_option("inputs", f.inputs,
                  "OLD NEW (files or directories), or OLD_BINARY NEW_BINARY "
                  "with --interleave, or BASELINE with --run")
      ->required();
  sub->add_option("--threshold", f.threshold,
                  "Smallest slowdown that counts, e.g. 10% (default) or 0.1");
  sub->add_option(
      "--threshold-for", f.threshold_for,
      "REGEX=PERCENT per-benchmark override (repeatable; first match wins)");
  sub->add_option("--confidence", f.confidence,
                  "Of every interval (default 0.99)")
      ->check(CLI::Range(0.5, 0.9999));
  sub->add_option("--min-repetitions", f.min_repetitions,
                  "Below this per side: 'insufficient data' (default 5)")
      ->check(CLI::Range(2, 100000));
  sub->add_option("--metric", f.metric,
                  "cpu_time (default), real_time, both, instructions (the "
                  "counter perfcheck::BenchmarkPerfCounter writes) or "
                  "counter:NAME (any user counter)");
  sub->add_flag("--calibrate", f.calibrate,
                "Scale OLD by the perfcheck/calibration benchmark's new/old "
                "ratio before judging (baseline from another machine)");
  AddReportFlags(*sub, f.report);
  sub->add_flag("--require-same-machine", f.require_same_machine,
                "Exit 2 when the fingerprints of the two runs differ");
  sub->add_flag(
      "--interleave", f.interleave,
      "Run OLD_BINARY and NEW_BINARY alternately and judge paired ratios");
  sub->add_option("--rounds", f.rounds, "Interleaved rounds (default 10)")
      ->check(CLI::Range(1, 1000));
  sub->add_option("--repetitions", f.repetitions,
                  "Per run: default 3 per round (--interleave), 10 (--run)")
      ->check(CLI::Range(1, 10000));
  sub->add_option("--min-time", f.min_time,
                  "--benchmark_min_time for each run");
  sub->add_option("--filter", f.filter, "--benchmark_filter for each run");
  sub->add_option("--max-time", f.max_time,
                  "No new round after this (default 15m)");
  sub->add_option("--run-timeout", f.run_timeout,
                  "Kill one benchmark run after this (default 10m)");
  sub->add_option("--seed", f.seed, "Seed of the round order (default: clock)");
  sub->add_flag("--quiet,-q", f.quiet, "No progress lines");
  sub->add_option("--run", f.run_binary, "Run this benchmark binary as NEW");
  sub->add_option("--save", f.save, "With --run: keep its JSON in FILE");
  sub->add_option("--candidate", f.candidate,
                  "With --run and no baseline: where to write the candidate");
  sub->add_flag("--confirm", f.confirm,
                "With --run: a regression must repeat in a second run");
  sub->callback(
      [&run, flags] { run = [flags] { return RunCompare(*flags); }; });
}

}  // namespace perfcheck::cli
