// Running Google Benchmark binaries: one run with JSON output, and the
// interleaved A/B comparison of two binaries (`perfcheck compare
// --interleave`).
//
// Why interleave: two separate runs differ as a whole (another process, CPU
// frequency, memory layout), and repetitions inside one run cannot see that,
// so any gate that compares a stored run with a new one either cries wolf or
// needs a huge threshold. Running OLD and NEW alternately, in a random order
// per round, exposes both to the same slow phases of the machine; the
// per-round ratio new/old cancels them, and the rounds give a paired test
// (ComparePaired in benchmark_compare.h).
//
// Bounded: every run has a timeout (the child is killed past it), and no new
// round starts after `max_duration`; the report then judges the rounds done
// (too few gives "insufficient data").
//
// Errors (Status): the binary cannot be started, exits non-zero, is killed,
// times out, or writes no valid JSON; the message names the binary and
// includes the end of its stderr.
// Thread-safety: functions may run concurrently (each uses its own
// temporary file); they spawn processes, so not from a signal handler.
//
// Example:
//   perfcheck::InterleaveOptions opt;
//   opt.rounds = 12;
//   auto rep = perfcheck::RunInterleaved("./base_bench", "./head_bench", opt,
//   {}); if (rep.ok()) std::cout << perfcheck::RenderTable(*rep, false);
#ifndef PERFCHECK_BENCHMARK_RUN_H_
#define PERFCHECK_BENCHMARK_RUN_H_

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "perfcheck/benchmark/compare.h"
#include "perfcheck/benchmark/json.h"
#include "perfcheck/status.h"

namespace perfcheck {

struct BenchmarkRunOptions {
  int repetitions = 10;  // --benchmark_repetitions; >= 1
  std::string min_time;  // --benchmark_min_time, as the library takes it
                         // ("0.05" in 1.7); empty: library default
  std::string filter;    // --benchmark_filter regex; empty: all
  std::vector<std::string> extra_args;
  std::chrono::seconds timeout{600};
};

// Runs `binary` once with JSON written to a temporary file and parses it.
// When `json_text` is given it receives the raw JSON (e.g. to save it). The
// run carries this machine's testbed and speed probe in its fingerprint.
StatusOr<BenchmarkFile> RunBenchmark(const std::filesystem::path& binary,
                                     const BenchmarkRunOptions& options,
                                     std::string* json_text = nullptr);

struct InterleaveOptions {
  int rounds = 10;  // >= 1; 99% intervals need >= 8
  // Per binary and round; 3 repetitions, whose median is the round's value.
  BenchmarkRunOptions run{.repetitions = 3,
                          .min_time = {},
                          .filter = {},
                          .extra_args = {},
                          .timeout = std::chrono::seconds(600)};
  std::chrono::seconds max_duration{900};  // no new round after this
  std::uint64_t seed = 0;  // order of each round; 0: from the clock
  // Called with a one-line progress message after each run (may be empty).
  std::function<void(const std::string&)> progress;
};

// Runs both binaries alternately (random order per round) and judges the
// paired ratios with ComparePaired.
StatusOr<ComparisonReport> RunInterleaved(
    const std::filesystem::path& old_binary,
    const std::filesystem::path& new_binary, const InterleaveOptions& options,
    const CompareOptions& compare);

}  // namespace perfcheck

#endif  // PERFCHECK_BENCHMARK_RUN_H_
