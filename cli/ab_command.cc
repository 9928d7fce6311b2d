// `perfcheck ab`: the pull-request gate for GoogleTest perf suites: base and
// head builds of the same tests, side by side on this machine
// (perfcheck/ab/run.h, docs/ab-gate.md).
//
//   perfcheck ab --base build-base/perf_test --head build/perf_test
//   perfcheck ab --base A1 --head B1 --base A2 --head B2 -- --extra-test-arg
//
// Exit codes (command.h): 0 no regression, 1 regression (or a head that no
// longer completes a test), 2 usage or input error, or interrupted.
#include <signal.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "command.h"
#include "perfcheck/ab/render.h"
#include "perfcheck/ab/run.h"
#include "report_flags.h"
#include "report_output.h"
#include "threshold.h"

namespace perfcheck::cli {
namespace {

constexpr std::string_view kCommand = "perfcheck ab";

struct AbFlags {
  std::vector<std::string> base;
  std::vector<std::string> head;
  std::vector<std::string> test_args;
  std::string filter;
  int rounds = 10;
  int max_rounds = 0;  // 0: twice --rounds
  std::string threshold = "10%";
  std::vector<std::string> threshold_for;
  std::string error_rate_threshold = "1%";
  double confidence = 0.99;
  std::string run_timeout = "10m";
  std::string max_time = "60m";
  std::uint64_t seed = 0;
  ReportFlags report;
  bool quiet = false;
};

// Set by SIGINT / SIGTERM: the running test process is killed and the report
// covers the rounds done. CI cancels with SIGTERM, a terminal with SIGINT.
std::atomic<bool> g_cancel{false};
extern "C" void OnSignal(int) { g_cancel.store(true); }

int Usage(const std::string& message) {
  std::cerr << kCommand << ": " << message << "\n";
  return kExitUsage;
}

StatusOr<std::chrono::seconds> Seconds(const std::string& flag,
                                       const std::string& text) {
  StatusOr<Nanos> d = ParseDuration(text);
  if (!d.ok()) return Status::Error(flag + ": " + d.status().message());
  if (*d < 1'000'000'000) {
    return Status::Error(flag + " '" + text + "': at least 1s");
  }
  return std::chrono::seconds(*d / 1'000'000'000);
}

bool Emit(const AbFlags& f, const ab::AbReport& report) {
  return EmitReport(
      kCommand, f.report,
      {.table = [&](bool color) { return ab::RenderAbTable(report, color); },
       .markdown = [&] { return ab::RenderAbMarkdown(report); },
       .json = [&] { return ab::RenderAbJson(report); }});
}

int RunAbCommand(const AbFlags& f) {
  if (f.base.size() != f.head.size()) {
    return Usage("--base and --head pair up in order: got " +
                 std::to_string(f.base.size()) + " --base and " +
                 std::to_string(f.head.size()) + " --head");
  }
  ab::AbOptions options;
  options.rounds = f.rounds;
  options.max_rounds = f.max_rounds > 0 ? f.max_rounds : 2 * f.rounds;
  if (options.max_rounds < options.rounds) {
    return Usage("--max-rounds " + std::to_string(f.max_rounds) +
                 " is below --rounds " + std::to_string(f.rounds));
  }
  options.filter = f.filter;
  options.extra_args = f.test_args;
  StatusOr<double> t = ParseFraction(f.threshold);
  if (!t.ok()) return Usage("--threshold: " + t.status().message());
  options.judge.threshold = *t;
  for (const std::string& spec : f.threshold_for) {
    StatusOr<std::pair<std::string, double>> o = ParseThresholdFor(spec);
    if (!o.ok()) return Usage(o.status().message());
    options.judge.thresholds.push_back(*o);
  }
  StatusOr<double> e = ParseFraction(f.error_rate_threshold);
  if (!e.ok() || *e > 1) {
    return Usage("--error-rate-threshold '" + f.error_rate_threshold +
                 "': expected points like 1% (at most 100%)");
  }
  options.judge.error_rate_threshold = *e;
  options.judge.confidence = f.confidence;
  StatusOr<std::chrono::seconds> run_timeout =
      Seconds("--run-timeout", f.run_timeout);
  if (!run_timeout.ok()) return Usage(run_timeout.status().message());
  options.run_timeout = *run_timeout;
  StatusOr<std::chrono::seconds> max_time = Seconds("--max-time", f.max_time);
  if (!max_time.ok()) return Usage(max_time.status().message());
  options.max_duration = *max_time;
  options.seed = f.seed;
  if (!f.quiet) {
    options.progress = [](const std::string& line) {
      std::cerr << kCommand << ": " << line << "\n";
    };
  }
  options.cancel = &g_cancel;
  std::vector<ab::BinaryPair> pairs;
  for (std::size_t i = 0; i < f.base.size(); ++i) {
    pairs.push_back({f.base[i], f.head[i]});
  }
  struct sigaction action = {};
  action.sa_handler = OnSignal;
  sigemptyset(&action.sa_mask);
  struct sigaction old_int = {}, old_term = {};
  ::sigaction(SIGINT, &action, &old_int);
  ::sigaction(SIGTERM, &action, &old_term);
  StatusOr<ab::AbReport> report = ab::RunAb(pairs, options);
  ::sigaction(SIGINT, &old_int, nullptr);
  ::sigaction(SIGTERM, &old_term, nullptr);
  if (!report.ok()) return Usage(report.status().message());
  if (!Emit(f, *report)) return kExitUsage;
  if (report->cancelled) {
    return Usage("interrupted; the report covers the rounds done");
  }
  return report->HasRegression() ? kExitCheckFailed : kExitOk;
}

}  // namespace

void AddAbCommand(CLI::App& app, CommandRunner& run) {
  auto flags = std::make_shared<AbFlags>();
  AbFlags& f = *flags;
  CLI::App* sub = app.add_subcommand(
      "ab",
      "A/B gate for GoogleTest perf suites: base and head builds side by "
      "side on this machine; fail on a credible regression");
  sub->footer(
      "Every perf test runs in a fresh process, base and head back to back "
      "in a random order, for --rounds rounds (more, up to --max-rounds, for "
      "tests not yet settled). Each metric of each result (p50, p95, p99, "
      "mean, throughput, error rate) is judged on the per-round ratios "
      "head/base. Servers a test needs are read from its environment: start "
      "them once, both sides use them.\n" +
      ExitCodesHelp({{kExitOk, "no regression"},
                     {kExitCheckFailed, "regression"},
                     {kExitUsage, "usage or input error, or interrupted"}}) +
      "\n"
      "Examples:\n"
      "  perfcheck ab --base ../base-build/perf_test --head build/perf_test\n"
      "  perfcheck ab --base b/a_test --head h/a_test --base b/db_test "
      "--head h/db_test --format markdown --step-summary\n"
      "  perfcheck ab --base ./perf_test --head ./slow.sh --filter "
      "'OrderSearch.*' -- --perfcheck_tolerance=5%\n"
      "See docs/ab-gate.md and scripts/ab-pr.sh (builds the merge base).");
  sub->add_option("--base", f.base,
                  "Base build's test binary (or a wrapper script); repeatable")
      ->required();
  sub->add_option("--head", f.head,
                  "Head build's test binary, paired with the --base at the "
                  "same position; repeatable")
      ->required();
  sub->add_option("test_args", f.test_args,
                  "After --: extra arguments for every test process");
  sub->add_option("--filter", f.filter, "--gtest_filter for both sides");
  sub->add_option("--rounds", f.rounds,
                  "Rounds before the first judgement (default 10)")
      ->check(CLI::Range(1, 1000));
  sub->add_option("--max-rounds", f.max_rounds,
                  "Rounds at most for tests not settled (default 2x --rounds)")
      ->check(CLI::Range(1, 1000));
  sub->add_option("--threshold", f.threshold,
                  "Smallest slowdown that counts, e.g. 10% (default) or 0.1");
  sub->add_option("--threshold-for", f.threshold_for,
                  "REGEX=PERCENT override for rows TEST/RESULT (repeatable; "
                  "first match wins), e.g. 'ErpDb.*=20%'");
  sub->add_option("--error-rate-threshold", f.error_rate_threshold,
                  "Smallest error-rate increase that counts, in points "
                  "(default 1%)");
  sub->add_option("--confidence", f.confidence,
                  "Overall, over all looks (default 0.99)")
      ->check(CLI::Range(0.5, 0.9999));
  sub->add_option("--run-timeout", f.run_timeout,
                  "Kill one test process after this (default 10m)");
  sub->add_option("--max-time", f.max_time,
                  "Start no test run after this; judge what ran (default 60m)");
  sub->add_option("--seed", f.seed, "Seed of the order (default: clock)");
  AddReportFlags(*sub, f.report);
  sub->add_flag("--quiet,-q", f.quiet, "No progress lines");
  sub->callback(
      [&run, flags] { run = [flags] { return RunAbCommand(*flags); }; });
}

}  // namespace perfcheck::cli
