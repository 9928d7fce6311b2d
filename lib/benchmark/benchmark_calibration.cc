// The calibration workload (perfcheck/gbench/calibration.h). Its code must stay
// the same across perfcheck versions: a change would move every calibration
// factor between a baseline and a new run. It is compiled with -O2 whatever
// the build type (lib/benchmark/CMakeLists.txt) for the same reason.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <mutex>
#include <string>
#include <vector>

#include "perfcheck/benchmark/compare.h"
#include "perfcheck/gbench/calibration.h"

namespace perfcheck {
namespace {

constexpr std::size_t kWalkSlots = std::size_t{1} << 18;  // x 4 B = 1 MiB
constexpr int kWalkSteps = 64;
constexpr std::size_t kHashBytes = 512;
constexpr std::size_t kTableSize = 1024;  // x 4 B = 4 KiB
constexpr int kSearches = 32;

// splitmix64: a fixed generator, so the buffers are the same everywhere
// (std:: distributions are not specified bit for bit).
std::uint64_t SplitMix(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

struct Buffers {
  std::vector<std::uint32_t> next;  // one cycle through all slots
  std::array<unsigned char, kHashBytes> bytes{};
  std::array<std::uint32_t, kTableSize> table{};

  Buffers() : next(kWalkSlots) {
    std::uint64_t seed = 20240501;
    // Sattolo's algorithm: a random permutation that is a single cycle, so
    // the walk visits every slot before repeating and cannot be prefetched.
    for (std::size_t i = 0; i < kWalkSlots; ++i) {
      next[i] = static_cast<std::uint32_t>(i);
    }
    for (std::size_t i = kWalkSlots - 1; i > 0; --i) {
      const std::size_t j = SplitMix(seed) % i;
      std::swap(next[i], next[j]);
    }
    for (unsigned char& b : bytes) {
      b = static_cast<unsigned char>(SplitMix(seed));
    }
    for (std::uint32_t& t : table) {
      t = static_cast<std::uint32_t>(SplitMix(seed) >> 33);
    }
    std::sort(table.begin(), table.end());
  }
};

const Buffers& TheBuffers() {
  static const Buffers buffers;  // built once, thread-safe
  return buffers;
}

// Per thread, so that concurrent benchmark threads do not share a cursor.
thread_local std::uint32_t walk_position = 0;
thread_local std::uint64_t key_state = 0x5eed;

void BM_Calibration(benchmark::State& state) {
  TheBuffers();  // outside the timed loop
  for (auto _ : state) benchmark::DoNotOptimize(RunCalibrationWorkloadOnce());
}

}  // namespace

std::uint64_t RunCalibrationWorkloadOnce() {
  const Buffers& b = TheBuffers();
  // 1. Memory latency: each load's address is the previous load's value.
  std::uint32_t p = walk_position;
  for (int i = 0; i < kWalkSteps; ++i) p = b.next[p];
  walk_position = p;
  // 2. Integer latency: FNV-1a, one multiply per byte in a serial chain.
  std::uint64_t h = 1469598103934665603ULL ^ p;
  for (unsigned char c : b.bytes) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  // 3. Comparisons on unpredictable keys: binary searches.
  std::uint64_t k = key_state;
  std::uint64_t found = 0;
  for (int i = 0; i < kSearches; ++i) {
    k = k * 6364136223846793005ULL + 1442695040888963407ULL;
    const std::uint32_t key = static_cast<std::uint32_t>(k >> 33);
    std::size_t lo = 0;
    std::size_t hi = kTableSize;
    while (lo < hi) {
      const std::size_t mid = (lo + hi) / 2;
      if (b.table[mid] < key) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    found += lo;
  }
  key_state = k;
  return h ^ found ^ p;
}

void RegisterCalibrationBenchmark() {
  static std::once_flag once;
  std::call_once(once, [] {
    benchmark::RegisterBenchmark(std::string(kCalibrationBenchmarkName).c_str(),
                                 BM_Calibration);
  });
}

}  // namespace perfcheck
