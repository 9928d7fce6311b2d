// Counting a perf event (by default retired instructions) over a Google
// Benchmark loop, recorded per iteration as a user counter, so that
// `perfcheck compare --metric instructions` can gate on it
// (docs/benchmark-gate.md, "Instruction counts").
//
// Google Benchmark 1.7 as Debian builds it has no libpfm, so its own
// --benchmark_perf_counters cannot do this; PerfCounter (perf_counter.h)
// reads the kernel's counter directly.
//
// What is recorded: state.counters[name] = events counted between the
// constructor and Finish(), divided by the iterations (kAvgIterations), user
// space only, the constructing thread only (each thread of a multi-threaded
// benchmark constructs its own; Google Benchmark sums them). It includes the
// loop's own bookkeeping and anything between PauseTiming() and
// ResumeTiming(): keep setup outside the counted region.
//
// When the event cannot be counted (no PMU in a VM, perf_event_paranoid,
// seccomp): no counter is written, never a time in its place; the run's
// label becomes "<name> unavailable: <why>" (it reaches the JSON file, where
// `perfcheck compare` shows it), and the reason is printed to stderr once per
// process. Timing is not affected. The label replaces one set earlier.
//
// Thread-safety: one object per benchmark thread.
//
// Example:
//   void BM_Parse(benchmark::State& state) {
//     const std::string doc = MakeDocument();
//     perfcheck::BenchmarkPerfCounter instructions(state);
//     for (auto _ : state) benchmark::DoNotOptimize(Parse(doc));
//     instructions.Finish();  // or let the destructor do it
//   }
#ifndef PERFCHECK_BENCHMARK_PERF_COUNTER_H_
#define PERFCHECK_BENCHMARK_PERF_COUNTER_H_

#include <benchmark/benchmark.h>

#include <cstdint>
#include <optional>
#include <string>

#include "perfcheck/perf_counter.h"

namespace perfcheck {

class BenchmarkPerfCounter {
 public:
  // Starts counting `event`; `name` is the counter's JSON name (default: the
  // event's perf name, e.g. "instructions", "task-clock").
  explicit BenchmarkPerfCounter(benchmark::State& state,
                                PerfEvent event = PerfEvent::kInstructions,
                                std::string name = "");
  BenchmarkPerfCounter(const BenchmarkPerfCounter&) = delete;
  BenchmarkPerfCounter& operator=(const BenchmarkPerfCounter&) = delete;
  // Calls Finish() if it was not called.
  ~BenchmarkPerfCounter();

  // Stops counting and records the counter (or the label saying why not).
  // Later calls do nothing.
  void Finish();

  // Whether the event is being counted.
  bool available() const { return counter_.has_value(); }
  // Why not, when !available() (PerfCounter::Open's message).
  const std::string& unavailable_reason() const { return reason_; }

 private:
  benchmark::State& state_;
  std::string name_;
  std::optional<PerfCounter> counter_;
  std::uint64_t start_ = 0;
  std::string reason_;
  bool finished_ = false;
};

}  // namespace perfcheck

#endif  // PERFCHECK_BENCHMARK_PERF_COUNTER_H_
