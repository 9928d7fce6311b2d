// A tiny Google Benchmark binary that counts instructions with
// perfcheck::BenchmarkPerfCounter, for the callgrind tests
// (benchmark_callgrind_test.cc and the perfcheck_add_benchmark(... METRIC
// instructions) end-to-end tests in CMakeLists.txt).
//
// CALLGRIND_BENCH_WORK_PERCENT=p makes every benchmark do p% of the base
// work (105: 5% more): the work is linear in the bytes hashed and the
// elements sorted, so the instruction count grows by about that much.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <vector>

#include "perfcheck/gbench/perf_counter.h"

#ifndef CALLGRIND_BENCH_WORK_PERCENT
#define CALLGRIND_BENCH_WORK_PERCENT 100
#endif

namespace {

std::size_t Scaled(std::size_t base) {
  return base * CALLGRIND_BENCH_WORK_PERCENT / 100;
}

// FNV-1a: the same instructions per byte whatever the data.
std::uint64_t Hash(const std::vector<unsigned char>& bytes) {
  std::uint64_t h = 1469598103934665603ULL;
  for (unsigned char b : bytes) {
    h ^= b;
    h *= 1099511628211ULL;
  }
  return h;
}

void BM_Hash(benchmark::State& state) {
  std::vector<unsigned char> bytes(Scaled(20000));
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    bytes[i] = static_cast<unsigned char>(i * 31);
  }
  perfcheck::BenchmarkPerfCounter instructions(state);
  for (auto _ : state) benchmark::DoNotOptimize(Hash(bytes));
}
BENCHMARK(BM_Hash);

// Sorting a copy of fixed pseudo-random data: branches depend on the data,
// which is the same in every run, so the count is too.
void BM_SortCopy(benchmark::State& state) {
  std::vector<std::uint32_t> data(Scaled(2000));
  std::uint32_t x = 12345;
  for (std::uint32_t& v : data) {
    x = x * 1664525u + 1013904223u;
    v = x >> 8;
  }
  std::vector<std::uint32_t> copy;
  copy.reserve(data.size());
  perfcheck::BenchmarkPerfCounter instructions(state);
  for (auto _ : state) {
    copy.assign(data.begin(), data.end());
    std::sort(copy.begin(), copy.end());
    benchmark::DoNotOptimize(copy.data());
  }
}
BENCHMARK(BM_SortCopy);

}  // namespace

BENCHMARK_MAIN();
