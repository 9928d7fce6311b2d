// Comparisons of whole inputs, as `perfcheck compare OLD NEW` reads them.
//
// Inputs
//  - Google Benchmark JSON (benchmark_json.h): metric cpu_time and/or
//    real_time, judged on the repetitions;
//  - perfcheck result files (perfcheck.result/v1), or baseline files
//    (perfcheck.baseline/v1 or v2) as the old side: every metric
//    EXPECT_NO_REGRESSION judges (p50, p95, p99, mean, throughput, error
//    rate), by the same CompareToBaseline (regression.h) with the same
//    verdicts, so a `perfcheck compare` and an EXPECT_NO_REGRESSION agree
//    (testbeds included: time of another testbed is "not comparable");
//  - a directory: every *.json file in it (not recursive), all of one kind.
//
// Thread-safety: CompareResults is a pure function; CompareFiles reads files
// and may be called concurrently.
#ifndef PERFCHECK_BENCHMARK_COMPARE_FILES_H_
#define PERFCHECK_BENCHMARK_COMPARE_FILES_H_

#include <filesystem>
#include <vector>

#include "perfcheck/benchmark/comparison.h"
#include "perfcheck/result.h"
#include "perfcheck/status.h"

namespace perfcheck {

// perfcheck results old vs new, matched by Result::name, through
// CompareToBaseline with tolerance = ThresholdFor(name).
ComparisonReport CompareResults(const std::vector<Result>& old_results,
                                const std::vector<Result>& new_results,
                                const CompareOptions& options);

// Reads both inputs (files or directories, kind detected from the content)
// and compares them. Errors name the file and the problem; mixing a Google
// Benchmark input with a perfcheck one is an error, and so is a failed
// CheckComparable, or calibrate / kCounter with perfcheck results.
StatusOr<ComparisonReport> CompareFiles(const std::filesystem::path& old_path,
                                        const std::filesystem::path& new_path,
                                        const CompareOptions& options);

}  // namespace perfcheck

#endif  // PERFCHECK_BENCHMARK_COMPARE_FILES_H_
