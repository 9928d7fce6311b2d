// perfcheck::benchmark inputs: reading files and directories of either kind
// (Google Benchmark JSON, perfcheck results and baselines), and the
// comparison of perfcheck results through the baseline gate (regression.h).
#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <unordered_set>

#include "benchmark/series_metric.h"
#include "io/file_io.h"
#include "json/json.h"
#include "perfcheck/baseline.h"
#include "perfcheck/benchmark/compare_benchmarks.h"
#include "perfcheck/benchmark/compare_files.h"
#include "perfcheck/regression.h"
#include "perfcheck/result_json.h"

namespace perfcheck {

namespace benchmark_internal {

MetricComparisonRow OneSidedRow(const std::string& name, const SeriesMetric& m,
                                BenchmarkVerdict verdict, double old_value,
                                double new_value,
                                const CompareOptions& options) {
  MetricComparisonRow row;
  row.benchmark = name;
  row.metric = m.Name();
  row.is_count = m.kind == SeriesMetric::kCounter;
  row.threshold = options.ThresholdFor(name);
  row.old_value = old_value;
  row.new_value = new_value;
  row.change = row.change_low = row.change_high = row.p_value =
      std::numeric_limits<double>::quiet_NaN();
  row.verdict = verdict;
  return row;
}

}  // namespace benchmark_internal

namespace {

using benchmark_internal::OneSidedRow;
using benchmark_internal::SeriesMetric;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

ComparisonReport CompareEntries(const std::vector<BaselineEntry>& old_entries,
                                const std::vector<Result>& new_results,
                                const CompareOptions& options) {
  options.Validate();
  ComparisonReport report;
  report.mode = "two runs";
  report.confidence = options.confidence;
  std::set<std::string> seen;
  std::set<std::string> differences;
  std::set<std::string> testbed_notes;
  // The last result of a name wins, as a scan from the front would find it.
  std::map<std::string_view, const Result*> by_name;
  for (const Result& r : new_results) by_name[r.name] = &r;
  for (const BaselineEntry& entry : old_entries) {
    seen.insert(entry.name);
    auto found = by_name.find(entry.name);
    const Result* match = found == by_name.end() ? nullptr : found->second;
    if (match == nullptr || entry.runs.empty()) {
      MetricComparisonRow row =
          OneSidedRow(entry.name, SeriesMetric{},
                      BenchmarkVerdict::kMissingInNew, kNaN, kNaN, options);
      row.metric = "p50";
      if (!entry.runs.empty())
        row.old_value = entry.runs.back().metrics.at(Metric::kP50);
      report.rows.push_back(row);
      continue;
    }
    GateOptions gate;
    gate.tolerance = options.ThresholdFor(entry.name);
    gate.confidence = options.confidence;
    const RegressionReport rr = CompareToBaseline(entry, *match, gate);
    differences.insert(rr.machine_differences.begin(),
                       rr.machine_differences.end());
    if (!rr.TimeJudged()) {
      testbed_notes.insert(entry.name + ": " + rr.TestbedNote());
    }
    // Every metric EXPECT_NO_REGRESSION judges, with its verdict unchanged,
    // so the two gates give one answer on the same data.
    for (const MetricComparison& mc : rr.metrics) {
      MetricComparisonRow row;
      row.benchmark = entry.name;
      row.metric = std::string(MetricName(mc.metric));
      row.is_rate = mc.metric == Metric::kThroughput;
      row.is_fraction = mc.metric == Metric::kErrorRate;
      row.old_value = mc.baseline;
      row.new_value = mc.measured;
      row.old_n = entry.runs.back().samples;
      row.new_n = match->OkCount();
      row.change = mc.change;
      if (row.is_fraction) {
        // Error rate: a difference in points, as the gate judges it.
        row.change_low = mc.measured_low - mc.baseline;
        row.change_high = mc.measured_high - mc.baseline;
      } else {
        row.change_low =
            mc.baseline > 0 ? mc.measured_low / mc.baseline - 1 : kNaN;
        row.change_high =
            mc.baseline > 0 ? mc.measured_high / mc.baseline - 1 : kNaN;
      }
      row.p_value = kNaN;
      row.threshold = mc.tolerance;
      row.verdict = mc.verdict;
      row.method = "noise-band";
      if (entry.runs.size() > 1) {
        row.note = std::to_string(entry.runs.size()) + " recorded runs";
      }
      report.rows.push_back(row);
    }
  }
  for (const Result& r : new_results) {
    if (seen.count(r.name) > 0) continue;
    MetricComparisonRow row = OneSidedRow(
        r.name, SeriesMetric{}, BenchmarkVerdict::kNew, kNaN, kNaN, options);
    row.metric = "p50";
    row.new_value = static_cast<double>(r.latency.Percentile(50.0));
    report.rows.push_back(row);
  }
  report.machine_differences.assign(differences.begin(), differences.end());
  report.testbed_notes.assign(testbed_notes.begin(), testbed_notes.end());
  return report;
}

// ---- loading inputs --------------------------------------------------------

struct Input {
  bool is_benchmark = false;
  bool has_benchmark = false;
  bool has_perfcheck = false;
  bool has_baseline = false;
  BenchmarkFile bench;
  std::unordered_set<std::string> bench_names;  // of bench.benchmarks
  std::vector<BaselineEntry> entries;
  std::vector<Result> results;
};

Status AddFile(const std::filesystem::path& path, Input& in) {
  StatusOr<std::string> text = io::ReadFile(path);
  if (!text.ok()) return text.status();
  const std::string source = path.string();
  // The reader below parses the file again, whole: only its top level
  // decides which reader.
  const json_fields::Json doc = json_fields::ParseTopLevel(*text);
  const bool is_object = doc.is_object();
  const bool has_schema =
      is_object && doc.contains("schema") && doc["schema"].is_string();
  if (!is_object || doc.contains("benchmarks") || !has_schema) {
    // Google Benchmark, or garbage: its parser gives the precise message.
    StatusOr<BenchmarkFile> f = ParseBenchmarkJson(*text, source);
    if (!f.ok()) return f.status();
    if (in.has_perfcheck) {
      return Status::Error(
          source + ": Google Benchmark JSON mixed with perfcheck results");
    }
    in.has_benchmark = true;
    if (in.bench.source.empty()) {
      in.bench.source = f->source;
      in.bench.context = f->context;
    }
    for (BenchmarkSeries& s : f->benchmarks) {
      if (!in.bench_names.insert(s.name).second) {
        return Status::Error(source + ": benchmark '" + s.name +
                             "' also appears in another file of the directory");
      }
      in.bench.benchmarks.push_back(std::move(s));
    }
    return Status();
  }
  if (in.has_benchmark) {
    return Status::Error(source +
                         ": perfcheck file mixed with Google Benchmark JSON");
  }
  const std::string schema = doc["schema"].get<std::string>();
  in.has_perfcheck = true;
  if (IsBaselineSchema(schema)) {
    StatusOr<BaselineFile> b = BaselineFileFromJson(*text, source);
    if (!b.ok()) return b.status();
    for (auto& [name, entry] : b->entries) {
      in.entries.push_back(std::move(entry));
    }
    in.has_baseline = true;
    return Status();
  }
  StatusOr<Result> r = ResultFromJson(*text, source);
  if (!r.ok()) return r.status();
  in.results.push_back(std::move(*r));
  return Status();
}

StatusOr<Input> LoadInput(const std::filesystem::path& path) {
  Input in;
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    std::vector<std::filesystem::path> files;
    for (const auto& e : std::filesystem::directory_iterator(path, ec)) {
      if (e.is_regular_file() && e.path().extension() == ".json") {
        files.push_back(e.path());
      }
    }
    if (ec)
      return Status::Error(path.string() + ": cannot list: " + ec.message());
    std::sort(files.begin(), files.end());
    if (files.empty())
      return Status::Error(path.string() + ": no *.json files in directory");
    for (const auto& f : files) {
      if (Status s = AddFile(f, in); !s.ok()) return s;
    }
  } else {
    if (!std::filesystem::exists(path, ec)) {
      return Status::Error(path.string() + ": no such file or directory");
    }
    if (Status s = AddFile(path, in); !s.ok()) return s;
  }
  in.is_benchmark = in.has_benchmark;
  if (in.is_benchmark) in.bench.source = path.string();
  return in;
}

}  // namespace

ComparisonReport CompareResults(const std::vector<Result>& old_results,
                                const std::vector<Result>& new_results,
                                const CompareOptions& options) {
  std::vector<BaselineEntry> entries;
  for (const Result& r : old_results) {
    BaselineEntry e;
    e.name = r.name;
    e.runs.push_back(MakeBaselineRun(r));
    entries.push_back(std::move(e));
  }
  return CompareEntries(entries, new_results, options);
}

StatusOr<ComparisonReport> CompareFiles(const std::filesystem::path& old_path,
                                        const std::filesystem::path& new_path,
                                        const CompareOptions& options) {
  StatusOr<Input> old_in = LoadInput(old_path);
  if (!old_in.ok()) return old_in.status();
  StatusOr<Input> new_in = LoadInput(new_path);
  if (!new_in.ok()) return new_in.status();
  if (old_in->is_benchmark != new_in->is_benchmark) {
    return Status::Error(
        old_path.string() + " and " + new_path.string() +
        ": cannot compare Google Benchmark JSON with perfcheck results");
  }
  ComparisonReport report;
  if (old_in->is_benchmark) {
    if (Status s = CheckComparable(old_in->bench, new_in->bench, options);
        !s.ok()) {
      return s;
    }
    report = CompareBenchmarks(old_in->bench, new_in->bench, options);
  } else {
    if (options.calibrate || options.metric == TimeMetric::kCounter) {
      return Status::Error(old_path.string() +
                           ": calibration and counter metrics apply to "
                           "Google Benchmark JSON, not perfcheck results");
    }
    if (new_in->has_baseline) {
      return Status::Error(
          new_path.string() +
          ": the new side must be perfcheck results, not a baseline");
    }
    std::vector<BaselineEntry> entries = old_in->entries;
    for (const Result& r : old_in->results) {
      BaselineEntry e;
      e.name = r.name;
      e.runs.push_back(MakeBaselineRun(r));
      entries.push_back(std::move(e));
    }
    for (const BaselineEntry& e : entries) {
      if (Status s = options.CheckName(e.name); !s.ok()) return s;
    }
    for (const Result& r : new_in->results) {
      if (Status s = options.CheckName(r.name); !s.ok()) return s;
    }
    report = CompareEntries(entries, new_in->results, options);
  }
  report.old_source = old_path.string();
  report.new_source = new_path.string();
  return report;
}

}  // namespace perfcheck
