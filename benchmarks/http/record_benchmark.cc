// What the HTTP load engine spends on bookkeeping per response: the exact
// function the engine calls for every successful response (RecordOk: two
// histograms and two time series, plus the uncorrected histogram in the open
// model), with the status counter and the progress counters the engine
// updates next to it. Compare the result with the user CPU per request of a
// whole run (compare_wrk.sh) to see the recording's share of a request.
//
//   perfcheck_http_record_benchmark --benchmark_repetitions=5
//       --benchmark_report_aggregates_only=true
//
// Inputs are synthetic and seeded: latencies log-uniform over 20 us .. 20 ms,
// one response every 10 us of run time (100k req/s), so a time-series
// interval closes (and is encoded) every 100,000 responses, as in a real run
// at that rate.
#include <benchmark/benchmark.h>

#include <array>
#include <cmath>
#include <cstdint>
#include <vector>

#include "http/engine.h"

namespace {

using perfcheck::Nanos;
using perfcheck::http::internal::RecordOk;
using perfcheck::http::internal::ThreadOutput;
using perfcheck::http::internal::ThreadProgress;

constexpr std::size_t kValueCount = 1 << 16;
constexpr Nanos kSpacing = 10'000;  // ns of run time between responses

std::vector<Nanos> SyntheticLatencies() {
  std::vector<Nanos> values(kValueCount);
  std::uint64_t state = 0x5eed;
  for (auto& v : values) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    const double unit = static_cast<double>(state >> 11) * 0x1.0p-53;
    v = static_cast<Nanos>(std::pow(10.0, 4.3 + 3.0 * unit));
  }
  return values;
}

// range(0): endpoints the responses are spread over; range(1): open model.
void BM_RecordResponse(benchmark::State& state) {
  const std::vector<Nanos> values = SyntheticLatencies();
  const auto endpoints = static_cast<std::size_t>(state.range(0));
  const bool open_model = state.range(1) != 0;
  ThreadOutput out;
  out.endpoints.resize(endpoints);
  ThreadProgress progress;
  std::uint64_t completed = 0;
  std::size_t i = 0;
  Nanos offset = 0;
  for (auto _ : state) {
    const Nanos latency = values[i & (kValueCount - 1)];
    ++out.status[200];
    RecordOk(out, out.endpoints[i % endpoints], offset, latency,
             latency - latency / 8, open_model);
    progress.completed.store(++completed, std::memory_order_relaxed);
    offset += kSpacing;
    ++i;
  }
  benchmark::DoNotOptimize(out.aggregate.latency.TotalCount());
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RecordResponse)
    ->ArgNames({"endpoints", "open"})
    ->Args({1, 0})
    ->Args({1, 1})
    ->Args({4, 0});

}  // namespace

BENCHMARK_MAIN();
