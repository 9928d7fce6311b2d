// Helper process for baseline_test: records `n_updates` synthetic runs of the
// entry `entry_name` into the baseline of `test_id` under `dir`, so the test
// can run several of these at once and check that no update is lost or torn.
//
// Usage: baseline_update_tool <dir> <test_id> <entry_name> <n_updates> <seed>
// Run k (0-based) has exactly seed * 1000 + k + 1 samples, so the test can tell
// from a stored run which process and which update produced it.
// Exit status: 0 on success, 1 when an update failed, 2 on bad arguments.
#include <cstdint>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <random>
#include <string>

#include "perfcheck/baseline.h"

int main(int argc, char** argv) {
  if (argc != 6) {
    std::cerr << "usage: " << argv[0]
              << " <dir> <test_id> <entry_name> <n_updates> <seed>\n";
    return 2;
  }
  int n_updates = 0;
  std::uint64_t seed = 0;
  try {
    n_updates = std::stoi(argv[4]);
    seed = std::stoull(argv[5]);
  } catch (const std::exception&) {
    std::cerr
        << "baseline_update_tool: <n_updates> and <seed> must be numbers\n";
    return 2;
  }
  const perfcheck::BaselineStore store(argv[1]);
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<perfcheck::Nanos> latency(100'000, 5'000'000);
  for (int k = 0; k < n_updates; ++k) {
    perfcheck::Result result(argv[3]);
    const std::uint64_t samples =
        seed * 1000 + static_cast<std::uint64_t>(k) + 1;
    for (std::uint64_t i = 0; i < samples; ++i)
      result.latency.Record(latency(rng));
    result.elapsed_ns = 1'000'000'000;
    result.fingerprint.cpu_model = "baseline_update_tool";
    result.fingerprint.cores = 1;
    const perfcheck::Status s = store.Record(argv[2], result);
    if (!s.ok()) {
      std::cerr << "baseline_update_tool: " << s.message() << "\n";
      return 1;
    }
  }
  return 0;
}
