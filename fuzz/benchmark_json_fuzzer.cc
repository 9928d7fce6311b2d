// Fuzzes the readers of Google Benchmark JSON (perfcheck/benchmark/json.h):
// ParseBenchmarkJson (`perfcheck compare old.json new.json`), the baseline
// files WriteBenchmarkBaseline records (ParseBenchmarkBaseline) and the
// LooksLikeBenchmarkJson sniffer.
//
// Properties, besides "no crash, no sanitizer report":
//   - no exception escapes: bad input comes back as an error Status with a
//     message naming the source;
//   - a document that parses as a benchmark file looks like one, and every
//     run of a parsed baseline file is usable (finite, non-negative times);
//   - what the reader accepts, `perfcheck compare` can judge: comparing it
//     with itself (stored runs and paired rounds) and rendering the report
//     as table, JSON and Markdown throws nothing.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "perfcheck/benchmark/compare.h"
#include "perfcheck/benchmark/json.h"

namespace {

using perfcheck::fuzz::Violation;

void CheckError(const perfcheck::Status& s) {
  if (s.message().rfind("fuzz.json", 0) != 0) {
    Violation("the error does not start with the source", s.message());
  }
}

// The comparison computes statistics on these; an infinite or negative
// time would make every verdict meaningless.
void CheckTimes(const perfcheck::BenchmarkFile& file) {
  auto usable = [](double ns) { return std::isfinite(ns) && ns >= 0; };
  for (const perfcheck::BenchmarkSeries& s : file.benchmarks) {
    for (const auto* times : {&s.real_ns, &s.cpu_ns}) {
      for (double ns : *times) {
        if (!usable(ns)) {
          Violation("a time that is not finite and >= 0 was accepted", s.name);
        }
      }
    }
    for (const auto& [name, a] : s.aggregates) {
      if (!usable(a.real_time) || !usable(a.cpu_time)) {
        Violation("an aggregate that is not finite and >= 0 was accepted",
                  s.name + " " + name);
      }
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const bool looks = perfcheck::LooksLikeBenchmarkJson(text);
  perfcheck::StatusOr<perfcheck::BenchmarkFile> file =
      perfcheck::ParseBenchmarkJson(text, "fuzz.json");
  if (!file.ok()) {
    CheckError(file.status());
  } else if (!looks) {
    Violation("a parsed benchmark file does not look like one");
  }
  perfcheck::StatusOr<std::vector<perfcheck::BenchmarkFile>> runs =
      perfcheck::ParseBenchmarkBaseline(text, "fuzz.json");
  if (!runs.ok()) {
    CheckError(runs.status());
    return 0;
  }
  for (const perfcheck::BenchmarkFile& run : *runs) CheckTimes(run);

  const perfcheck::BenchmarkFile& run = runs->front();
  const perfcheck::CompareOptions options;
  if (perfcheck::CheckComparable(run, run, options).ok()) {
    const perfcheck::ComparisonReport report =
        perfcheck::CompareBenchmarks(run, run, options);
    (void)perfcheck::RenderTable(report, /*color=*/true);
    (void)perfcheck::RenderJson(report);
    (void)perfcheck::RenderMarkdown(report);
    (void)report.Summary();
    const perfcheck::ComparisonReport paired =
        perfcheck::ComparePaired({{run, run}, {run, run}}, options);
    (void)perfcheck::RenderTable(paired, /*color=*/false);
  }
  return 0;
}
