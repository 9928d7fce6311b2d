// Micro-benchmarks of perfcheck's hot paths: what recording a sample, reading
// a percentile, merging and encoding cost, how much Measure() adds to each
// timed call compared with a hand-written loop around steady_clock, and what
// the regression gates' comparisons cost (`perfcheck compare` on Google
// Benchmark runs, EXPECT_NO_REGRESSION against a baseline entry).
//
//   perfcheck_core_benchmark --benchmark_repetitions=5
//       --benchmark_report_aggregates_only=true
//
// Inputs are synthetic and seeded, so every run times the same work.
#include <benchmark/benchmark.h>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "perfcheck/baseline.h"
#include "perfcheck/benchmark/compare.h"
#include "perfcheck/benchmark/json.h"
#include "perfcheck/clock.h"
#include "perfcheck/latency_histogram.h"
#include "perfcheck/measure.h"
#include "perfcheck/regression.h"
#include "perfcheck/result.h"
#include "perfcheck/time_series.h"

namespace {

// Latencies spread log-uniformly over 1 us .. 100 ms, like a mix of fast and
// slow operations, so Record() touches many buckets rather than one hot line.
std::vector<perfcheck::Nanos> SyntheticLatencies(std::size_t count) {
  std::vector<perfcheck::Nanos> values(count);
  std::uint64_t state = 0x5eed;
  for (auto& v : values) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    const double unit = static_cast<double>(state >> 11) * 0x1.0p-53;
    v = static_cast<perfcheck::Nanos>(std::pow(10.0, 3.0 + 5.0 * unit));
  }
  return values;
}

perfcheck::LatencyHistogram FilledHistogram(std::size_t samples) {
  perfcheck::LatencyHistogram h;
  for (perfcheck::Nanos v : SyntheticLatencies(samples)) h.Record(v);
  return h;
}

constexpr std::size_t kValueCount = 1 << 16;  // power of two: cheap wrap-around

void BM_HistogramRecord(benchmark::State& state) {
  const std::vector<perfcheck::Nanos> values = SyntheticLatencies(kValueCount);
  perfcheck::LatencyHistogram h;
  std::size_t i = 0;
  for (auto _ : state) {
    h.Record(values[i++ & (kValueCount - 1)]);
  }
  benchmark::DoNotOptimize(h.TotalCount());
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_HistogramRecord);

void BM_HistogramPercentile(benchmark::State& state) {
  const perfcheck::LatencyHistogram h = FilledHistogram(1'000'000);
  for (auto _ : state) {
    benchmark::DoNotOptimize(h.Percentile(99.0));
  }
}
BENCHMARK(BM_HistogramPercentile);

void BM_HistogramMerge(benchmark::State& state) {
  const perfcheck::LatencyHistogram part = FilledHistogram(100'000);
  perfcheck::LatencyHistogram total;
  for (auto _ : state) {
    total.Merge(part);
  }
  benchmark::DoNotOptimize(total.TotalCount());
}
BENCHMARK(BM_HistogramMerge);

void BM_HistogramEncode(benchmark::State& state) {
  const perfcheck::LatencyHistogram h = FilledHistogram(100'000);
  std::size_t bytes = 0;
  for (auto _ : state) {
    std::string text = h.Encode();
    bytes = text.size();
    benchmark::DoNotOptimize(text.data());
  }
  state.counters["encoded_bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_HistogramEncode);

void BM_HistogramDecode(benchmark::State& state) {
  const std::string text = FilledHistogram(100'000).Encode();
  for (auto _ : state) {
    auto decoded = perfcheck::LatencyHistogram::Decode(text);
    if (!decoded.ok()) {
      state.SkipWithError("Decode failed");
      break;
    }
    benchmark::DoNotOptimize(decoded);
  }
}
BENCHMARK(BM_HistogramDecode);

// The reference for Measure's overhead: the least a timed loop can do, two
// steady_clock reads around the call.
void BM_RawLoopTwoClockReads(benchmark::State& state) {
  for (auto _ : state) {
    const auto t0 = std::chrono::steady_clock::now();
    benchmark::ClobberMemory();  // the "operation": nothing
    const auto t1 = std::chrono::steady_clock::now();
    benchmark::DoNotOptimize(t1 - t0);
  }
}
BENCHMARK(BM_RawLoopTwoClockReads);

// Measure() of an empty lambda, range(0) calls per run; the time per timed call
// (clock reads, histogram and time-series recording, the std::function call)
// is reported as "per_call" and compares directly with the raw loop above.
// The fixed cost per run (warm-up, result set-up, fingerprint) is amortized
// over range(0) calls.
void BM_MeasureEmptyLambda(benchmark::State& state) {
  const auto calls = static_cast<std::uint64_t>(state.range(0));
  const perfcheck::MeasureOptions options{.warmup_iterations = 0,
                                          .iterations = calls};
  for (auto _ : state) {
    perfcheck::Result r = perfcheck::Measure(
        "empty", [] {}, options);
    benchmark::DoNotOptimize(r.latency.TotalCount());
  }
  state.counters["per_call"] =
      benchmark::Counter(static_cast<double>(calls),
                         benchmark::Counter::kIsIterationInvariantRate |
                             benchmark::Counter::kInvert);
}
BENCHMARK(BM_MeasureEmptyLambda)
    ->Arg(1'000)
    ->Arg(100'000)
    ->Unit(benchmark::kMillisecond);

void BM_TimeSeriesRecord(benchmark::State& state) {
  perfcheck::TimeSeries series(std::chrono::seconds(1));
  const std::vector<perfcheck::Nanos> values = SyntheticLatencies(kValueCount);
  perfcheck::Nanos offset = 0;
  std::size_t i = 0;
  for (auto _ : state) {
    // 10 us apart: an interval closes every 100k records, so the cost of
    // closing (encoding the interval's histogram) is included, amortized.
    offset += 10'000;
    series.Record(offset, values[i++ & (kValueCount - 1)], true);
  }
  series.Finish();
  benchmark::DoNotOptimize(series.Intervals().size());
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_TimeSeriesRecord);

// A Google Benchmark run as `perfcheck compare` reads it: `count` benchmarks
// of `repetitions` repetitions each, times spread +-5% around 1..100 us and
// scaled by `factor`. Seeded, so both sides are the same every run.
perfcheck::BenchmarkFile SyntheticBenchmarkRun(int count, int repetitions,
                                               double factor,
                                               std::uint64_t seed) {
  perfcheck::BenchmarkFile file;
  file.source = "synthetic";
  std::uint64_t state = seed;
  for (int b = 0; b < count; ++b) {
    perfcheck::BenchmarkSeries& series = file.benchmarks.emplace_back();
    series.name = "BM_Query/" + std::to_string(b);
    series.time_unit = "ns";
    series.declared_repetitions = repetitions;
    const double center = 1'000.0 * (1 + b * 99.0 / count) * factor;
    for (int r = 0; r < repetitions; ++r) {
      state = state * 6364136223846793005ULL + 1442695040888963407ULL;
      const double unit = static_cast<double>(state >> 11) * 0x1.0p-53;
      const double t = center * (0.95 + 0.1 * unit);
      series.cpu_ns.push_back(t);
      series.real_ns.push_back(t * 1.01);
    }
  }
  return file;
}

// The verdict of a stored-baseline gate over a 20-benchmark suite with 10
// repetitions a side (Hodges-Lehmann shift, Moses interval and Mann-Whitney U
// per benchmark and metric): what `perfcheck compare` spends judging.
void BM_CompareBenchmarks(benchmark::State& state) {
  const int count = static_cast<int>(state.range(0));
  const perfcheck::BenchmarkFile old_run =
      SyntheticBenchmarkRun(count, 10, 1.0, 1);
  const perfcheck::BenchmarkFile new_run =
      SyntheticBenchmarkRun(count, 10, 1.04, 2);
  perfcheck::CompareOptions options;
  options.metric = perfcheck::TimeMetric::kBoth;
  for (auto _ : state) {
    perfcheck::ComparisonReport report =
        perfcheck::CompareBenchmarks(old_run, new_run, options);
    benchmark::DoNotOptimize(report.rows.data());
  }
  state.SetItemsProcessed(state.iterations() * count);
}
BENCHMARK(BM_CompareBenchmarks)->Arg(20)->Unit(benchmark::kMicrosecond);

// How comparing grows with the number of rows: one repetition per benchmark,
// as a file of many parameterised benchmarks has. Linear since each row is
// found by name through an index (it was a scan per row: 32,000 rows 4.7 s).
// Not in the gated FILTER: a scaling check, read from the Big-O line.
void BM_ScaleCompareBenchmarks(benchmark::State& state) {
  const int count = static_cast<int>(state.range(0));
  const perfcheck::BenchmarkFile old_run =
      SyntheticBenchmarkRun(count, 1, 1.0, 1);
  const perfcheck::BenchmarkFile new_run =
      SyntheticBenchmarkRun(count, 1, 1.04, 2);
  perfcheck::CompareOptions options;
  options.min_repetitions = 2;
  for (auto _ : state) {
    perfcheck::ComparisonReport report =
        perfcheck::CompareBenchmarks(old_run, new_run, options);
    benchmark::DoNotOptimize(report.rows.data());
  }
  state.SetComplexityN(count);
}
BENCHMARK(BM_ScaleCompareBenchmarks)
    ->Arg(1'000)
    ->Arg(4'000)
    ->Arg(16'000)
    ->Arg(64'000)
    ->Unit(benchmark::kMillisecond)
    ->Complexity(benchmark::oN);

// EXPECT_NO_REGRESSION's comparison: a result of 100k samples against a
// baseline entry holding five recorded runs (its noise band).
void BM_CompareToBaseline(benchmark::State& state) {
  perfcheck::Result result("orders.search");
  result.latency = FilledHistogram(100'000);
  result.elapsed_ns = 10'000'000'000;
  perfcheck::BaselineEntry entry;
  entry.name = result.name;
  for (std::size_t i = 0; i < perfcheck::BaselineEntry::kMaxRuns; ++i) {
    entry.runs.push_back(perfcheck::MakeBaselineRun(result));
  }
  for (auto _ : state) {
    perfcheck::RegressionReport report =
        perfcheck::CompareToBaseline(entry, result);
    benchmark::DoNotOptimize(report.metrics.data());
  }
}
BENCHMARK(BM_CompareToBaseline)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
