// Micro-benchmarks of perfcheck's hot paths: what recording a sample, reading
// a percentile, merging and encoding cost, and how much Measure() adds to each
// timed call compared with a hand-written loop around steady_clock.
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

#include "perfcheck/clock.h"
#include "perfcheck/latency_histogram.h"
#include "perfcheck/measure.h"
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

}  // namespace

BENCHMARK_MAIN();
