// `perfcheck baseline update|show`: record and inspect baselines.
//
//   perfcheck baseline update BASELINE.json RUN.json        Google Benchmark
//   perfcheck baseline update DIR RESULT.json... --test ID  perfcheck results
//   perfcheck baseline show FILE|DIR
//
// Updates are atomic and locked (a concurrent reader sees the old or the new
// file, never half of one) and carry this machine's fingerprint.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "command.h"
#include "io/file_io.h"
#include "json/json.h"
#include "perfcheck/baseline.h"
#include "perfcheck/benchmark/json.h"
#include "perfcheck/format.h"
#include "perfcheck/rank_tests.h"
#include "perfcheck/result_json.h"
#include "perfcheck/testbed.h"

namespace perfcheck::cli {
namespace {

struct BaselineFlags {
  std::vector<std::string> update_args;
  std::string test_id;
  bool replace = false;
  std::vector<std::string> show_args;
};

int Fail(const std::string& message) {
  std::cerr << "perfcheck baseline: " << message << "\n";
  return kExitUsage;
}

bool IsPerfcheckDocument(const std::string& text, std::string* schema) {
  const json_fields::Json doc = json_fields::ParseTopLevel(text);
  if (!doc.is_object() || !doc.contains("schema") ||
      !doc["schema"].is_string()) {
    return false;
  }
  *schema = doc["schema"].get<std::string>();
  return true;
}

int Update(const BaselineFlags& f) {
  if (f.update_args.size() < 2) {
    return Fail(
        "update needs a TARGET and a RUN: BASELINE.json RUN.json, or DIR "
        "RESULT.json... --test ID");
  }
  const std::filesystem::path target = f.update_args[0];
  // Google Benchmark run -> a baseline file.
  StatusOr<std::string> first = io::ReadFile(f.update_args[1]);
  if (!first.ok()) return Fail(first.status().message());
  std::string schema;
  if (!IsPerfcheckDocument(*first, &schema)) {
    if (f.update_args.size() != 2) {
      return Fail("a Google Benchmark baseline is recorded from one run file");
    }
    Status s = WriteBenchmarkBaseline(target, *first, f.update_args[1]);
    if (!s.ok()) return Fail(s.message());
    std::cout << "recorded " << f.update_args[1] << " as baseline "
              << target.string() << "\n";
    return kExitOk;
  }
  // perfcheck results -> entries of a test's baseline file in a directory.
  if (f.test_id.empty()) {
    return Fail(
        "recording perfcheck results needs --test SUITE.TEST (the file is "
        "DIR/<test>.json)");
  }
  const BaselineStore store(target);
  for (std::size_t i = 1; i < f.update_args.size(); ++i) {
    StatusOr<Result> r = ReadResultFile(f.update_args[i]);
    if (!r.ok()) return Fail(r.status().message());
    Status s = store.Record(
        f.test_id, *r, f.replace ? UpdateMode::kReplace : UpdateMode::kAppend);
    if (!s.ok()) return Fail(s.message());
    std::cout << "recorded '" << r->name << "' into "
              << store.PathFor(f.test_id).string()
              << (f.replace ? " (replaced)" : "") << "\n";
  }
  return kExitOk;
}

std::string Cv(const std::vector<double>& v) {
  if (v.size() < 2) return "-";
  double mean = 0;
  for (double x : v) mean += x;
  mean /= static_cast<double>(v.size());
  double sq = 0;
  for (double x : v) sq += (x - mean) * (x - mean);
  const double sd = std::sqrt(sq / static_cast<double>(v.size() - 1));
  return FormatPercent(mean > 0 ? sd / mean : 0);
}

void ShowBenchmark(const std::string& path, const std::string& text,
                   const BenchmarkFile& file) {
  std::cout << path << ": Google Benchmark baseline\n";
  const BenchmarkContext& c = file.context;
  const nlohmann::json doc = nlohmann::json::parse(text, nullptr, false);
  if (doc.is_object() && doc.contains("perfcheck_baseline") &&
      doc["perfcheck_baseline"].is_object()) {
    const auto& meta = doc["perfcheck_baseline"];
    // Display only: a field of an unexpected type shows as unknown (json's
    // value() would throw type_error, an "internal error").
    auto text = [](const nlohmann::json& obj, const char* key,
                   const char* fallback) {
      auto it = obj.find(key);
      if (it == obj.end()) return std::string(fallback);
      if (it->is_string()) return it->get<std::string>();
      return it->is_number_integer() ? it->dump() : std::string(fallback);
    };
    std::cout << "  recorded: " << text(meta, "recorded_at", "?");
    if (meta.contains("fingerprint") && meta["fingerprint"].is_object()) {
      const auto& fp = meta["fingerprint"];
      std::cout << " on " << text(fp, "cpu_model", "?") << ", "
                << text(fp, "cores", "?") << " cores, " << text(fp, "os", "?")
                << ", git " << text(fp, "git_sha", "-");
    }
    std::cout << "\n  testbed: " << TestbedLabel(c.fingerprint);
    if (c.fingerprint.speed_probe_ns > 0) {
      std::cout << " (speed probe " << FormatNanos(c.fingerprint.speed_probe_ns)
                << ")";
    }
    std::cout << "\n";
  }
  std::cout << "  machine: " << c.fingerprint.cpu_model << "; " << c.num_cpus
            << " CPUs; library build " << c.library_build_type << "; date "
            << c.date << "\n";
  std::printf("  %-40s %5s %12s %12s %8s  %s\n", "benchmark", "reps",
              "cpu median", "real median", "cpu cv", "notes");
  for (const BenchmarkSeries& s : file.benchmarks) {
    std::string cpu = "-", real = "-";
    if (!s.cpu_ns.empty()) {
      cpu = FormatNanos(Median(s.cpu_ns));
      real = FormatNanos(Median(s.real_ns));
    } else if (s.aggregates.count("median") > 0) {
      cpu = FormatNanos(s.aggregates.at("median").cpu_time);
      real = FormatNanos(s.aggregates.at("median").real_time);
    }
    std::string notes;
    if (s.cpu_ns.empty() && !s.aggregates.empty()) notes = "aggregates only";
    if (s.failed_runs > 0)
      notes += std::to_string(s.failed_runs) + " failed run(s)";
    const std::size_t reps =
        s.cpu_ns.empty() ? static_cast<std::size_t>(s.declared_repetitions)
                         : s.cpu_ns.size();
    std::printf("  %-40s %5zu %12s %12s %8s  %s\n", s.name.c_str(), reps,
                cpu.c_str(), real.c_str(), Cv(s.cpu_ns).c_str(), notes.c_str());
  }
}

// One testbed's runs of an entry: time is judged within one testbed only.
void ShowTestbed(const BaselineEntry& entry, const std::string& testbed) {
  std::size_t n = 0;
  for (const BaselineRun& run : entry.runs)
    n += TestbedLabel(run.fingerprint) == testbed ? 1 : 0;
  std::cout << "    testbed " << testbed << ": " << n << " run(s)\n";
  for (const BaselineRun& run : entry.runs) {
    if (TestbedLabel(run.fingerprint) != testbed) continue;
    std::cout << "      " << run.recorded_at << "  n=" << run.samples
              << "  p50 " << FormatNanos(run.metrics.at(Metric::kP50))
              << "  p95 " << FormatNanos(run.metrics.at(Metric::kP95))
              << "  p99 " << FormatNanos(run.metrics.at(Metric::kP99)) << "  "
              << FormatRate(run.metrics.at(Metric::kThroughput)) << "  errors "
              << FormatPercent(run.metrics.at(Metric::kErrorRate)) << "  ("
              << run.fingerprint.cpu_model << ", " << run.fingerprint.cores
              << " cores";
    if (run.fingerprint.speed_probe_ns > 0) {
      std::cout << ", speed probe "
                << FormatNanos(run.fingerprint.speed_probe_ns);
    }
    std::cout << ")\n";
  }
}

void ShowPerfcheck(const std::string& path, const BaselineFile& file) {
  std::cout << path << ": perfcheck baseline of test " << file.test_id << "\n";
  for (const auto& [name, entry] : file.entries) {
    std::cout << "  entry '" << name << "': " << entry.runs.size()
              << " recorded run(s)";
    for (const auto& [metric, tol] : entry.tolerances) {
      std::cout << ", tolerance " << MetricName(metric) << " "
                << FormatPercent(tol);
    }
    std::cout << "\n";
    // Runs grouped by testbed, in order of each testbed's first run: time is
    // judged within one group only.
    std::vector<std::string> testbeds;
    for (const BaselineRun& run : entry.runs) {
      const std::string label = TestbedLabel(run.fingerprint);
      if (std::find(testbeds.begin(), testbeds.end(), label) == testbeds.end())
        testbeds.push_back(label);
    }
    for (const std::string& testbed : testbeds) ShowTestbed(entry, testbed);
  }
}

int ShowFile(const std::filesystem::path& path) {
  StatusOr<std::string> text = io::ReadFile(path);
  if (!text.ok()) return Fail(text.status().message());
  std::string schema;
  if (IsPerfcheckDocument(*text, &schema)) {
    StatusOr<BaselineFile> b = BaselineFileFromJson(*text, path.string());
    if (!b.ok()) return Fail(b.status().message());
    ShowPerfcheck(path.string(), *b);
    return kExitOk;
  }
  StatusOr<std::vector<BenchmarkFile>> g =
      ParseBenchmarkBaseline(*text, path.string());
  if (!g.ok()) return Fail(g.status().message());
  ShowBenchmark(path.string(), *text, g->front());
  // Runs of other testbeds kept in the same file (time is judged within one).
  for (std::size_t i = 1; i < g->size(); ++i) {
    const BenchmarkFile& other = (*g)[i];
    std::cout << "  other testbed " << TestbedLabel(other.context.fingerprint)
              << ": " << other.benchmarks.size() << " benchmark(s), run of "
              << other.context.date << "\n";
  }
  return kExitOk;
}

int Show(const BaselineFlags& f) {
  int rc = kExitOk;
  for (const std::string& arg : f.show_args) {
    std::error_code ec;
    if (std::filesystem::is_directory(arg, ec)) {
      std::vector<std::filesystem::path> files;
      for (const auto& e : std::filesystem::directory_iterator(arg, ec)) {
        if (e.is_regular_file() && e.path().extension() == ".json")
          files.push_back(e.path());
      }
      std::sort(files.begin(), files.end());
      if (files.empty()) rc = Fail(arg + ": no *.json baselines");
      for (const auto& p : files) {
        if (ShowFile(p) != kExitOk) rc = kExitUsage;
      }
    } else if (ShowFile(arg) != kExitOk) {
      rc = kExitUsage;
    }
  }
  return rc;
}

}  // namespace

void AddBaselineCommand(CLI::App& app, CommandRunner& run) {
  auto flags = std::make_shared<BaselineFlags>();
  BaselineFlags& f = *flags;
  CLI::App* sub = app.add_subcommand("baseline", "Record or show baselines");
  sub->require_subcommand(1);
  sub->footer(
      ExitCodesHelp({{kExitOk, "ok"}, {kExitUsage, "usage or bad input"}}));
  CLI::App* update =
      sub->add_subcommand("update",
                          "Record a run as the baseline (atomic, locked, with "
                          "the machine fingerprint)");
  update->footer(
      "  perfcheck baseline update baselines/query_bench.json run.json\n"
      "  perfcheck baseline update baselines result.json --test Orders.Search "
      "[--replace]");
  update->add_option("args", f.update_args, "TARGET RUN...")->required();
  update->add_option("--test", f.test_id,
                     "Test id for perfcheck results (Suite.Test)");
  update->add_flag(
      "--replace", f.replace,
      "perfcheck results: keep only this run instead of adding it to the band");
  update->callback([&run, flags] { run = [flags] { return Update(*flags); }; });
  CLI::App* show = sub->add_subcommand("show", "Show what baselines hold");
  show->add_option("paths", f.show_args, "Baseline files or directories")
      ->required();
  show->callback([&run, flags] { run = [flags] { return Show(*flags); }; });
}

}  // namespace perfcheck::cli
