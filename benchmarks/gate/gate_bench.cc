// A small "query path" benchmark with a compile-time slowdown knob, for the
// gate's evaluation (evaluate.py) and its end-to-end ctest
// (tests/benchmark). GATE_SLOWDOWN_PERCENT=p makes every benchmark do p%
// more work: the work is linear in the bytes hashed / keys looked up, so the
// true slowdown is p% (not a sleep, which would not behave like code).
// GATE_WITH_CALIBRATION adds perfcheck's calibration benchmark (link
// perfcheck::gbench, or compile lib/benchmark/benchmark_calibration.cc in).
#include <benchmark/benchmark.h>

#ifdef GATE_WITH_CALIBRATION
#include "perfcheck/gbench/calibration.h"
#endif

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#ifndef GATE_SLOWDOWN_PERCENT
#define GATE_SLOWDOWN_PERCENT 0
#endif

namespace {

std::size_t Scaled(std::int64_t base) {
  return static_cast<std::size_t>(base * (100 + GATE_SLOWDOWN_PERCENT) / 100);
}

// FNV-1a: a serial multiply chain, so time is linear in the length.
std::uint64_t Hash(const unsigned char* p, std::size_t n) {
  std::uint64_t h = 1469598103934665603ULL;
  for (std::size_t i = 0; i < n; ++i) {
    h ^= p[i];
    h *= 1099511628211ULL;
  }
  return h;
}

void BM_HashPayload(benchmark::State& state) {
  const std::size_t n = Scaled(state.range(0));
  std::vector<unsigned char> buf(n);
  for (std::size_t i = 0; i < n; ++i)
    buf[i] = static_cast<unsigned char>(i * 31);
  for (auto _ : state) benchmark::DoNotOptimize(Hash(buf.data(), n));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * n));
}
BENCHMARK(BM_HashPayload)->Arg(4000)->Arg(40000);

void BM_LookupOrders(benchmark::State& state) {
  std::unordered_map<std::uint64_t, std::uint64_t> orders;
  for (std::uint64_t i = 0; i < 10000; ++i) orders[i * 2654435761ULL] = i;
  const std::size_t lookups = Scaled(state.range(0));
  const auto base = static_cast<std::size_t>(state.range(0));
  for (auto _ : state) {
    std::uint64_t sum = 0;
    // The extra lookups repeat the first keys, so each costs what the base
    // ones do and the time grows by the knob's percentage (with fresh keys
    // the "20%" variant measured only ~8% slower: other cache lines).
    for (std::size_t i = 0; i < lookups; ++i) {
      auto it = orders.find((i % base) * 2654435761ULL);
      sum += it->second;
    }
    benchmark::DoNotOptimize(sum);
  }
}
BENCHMARK(BM_LookupOrders)->Arg(1000);

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
#ifdef GATE_WITH_CALIBRATION
  perfcheck::RegisterCalibrationBenchmark();
#endif
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
