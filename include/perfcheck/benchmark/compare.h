// The PR regression gate behind `perfcheck compare`: old vs new, per benchmark
// and metric, with a noise-aware verdict (docs/benchmark-gate.md). This header
// includes its parts:
//   comparison.h          CompareOptions, MetricComparisonRow, ComparisonReport
//   compare_benchmarks.h  Google Benchmark runs: CheckComparable,
//                         CompareBenchmarks, ComparePaired (the verdict rules)
//   compare_files.h       whole inputs: CompareFiles, CompareResults
//   render.h              RenderTable, RenderJson, RenderMarkdown
//
// Exit-code semantics (used by the CLI): HasRegression() is true for any
// regression or error verdict.
//
// Thread-safety: pure functions on values.
//
// Example:
//   perfcheck::CompareOptions opt;
//   opt.threshold = 0.10;
//   opt.thresholds.push_back({"BM_Parse.*", 0.05});
//   perfcheck::StatusOr<perfcheck::ComparisonReport> rep =
//       perfcheck::CompareFiles("base.json", "head.json", opt);
//   if (!rep.ok()) return 2;
//   std::cout << perfcheck::RenderTable(*rep, /*color=*/false);
//   return rep->HasRegression() ? 1 : 0;
#ifndef PERFCHECK_BENCHMARK_COMPARE_H_
#define PERFCHECK_BENCHMARK_COMPARE_H_

#include "perfcheck/benchmark/compare_benchmarks.h"  // IWYU pragma: export
#include "perfcheck/benchmark/compare_files.h"       // IWYU pragma: export
#include "perfcheck/benchmark/comparison.h"          // IWYU pragma: export
#include "perfcheck/benchmark/render.h"              // IWYU pragma: export

#endif  // PERFCHECK_BENCHMARK_COMPARE_H_
