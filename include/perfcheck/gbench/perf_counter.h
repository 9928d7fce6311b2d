// Counting a perf event (by default retired instructions) over a Google
// Benchmark loop, recorded per iteration as a user counter, so that
// `perfcheck compare --metric instructions` can gate on it
// (docs/benchmark-gate.md, "Instruction counts").
//
// Two ways of counting instructions, chosen when the object is constructed:
//  - under callgrind (InstructionCountingRequested(), instruction_counter.h:
//    the binary runs as perfcheck_add_benchmark(... METRIC instructions) runs
//    it, under `valgrind --tool=callgrind` with PERFCHECK_CALLGRIND_OUT set):
//    callgrind's client requests count exactly the guest instructions between
//    the constructor and Finish(). Exact and the same on every machine with
//    the same counts key, so no PMU is needed. Single-threaded benchmarks
//    only (callgrind's counters are per process); with state.threads() > 1
//    the label says so and nothing is counted;
//  - otherwise the kernel's counter (perf_event_open, PerfCounter in
//    perf_counter.h), user space only, the constructing thread only (each
//    thread of a multi-threaded benchmark constructs its own; Google
//    Benchmark sums them). Google Benchmark 1.7 as Debian builds it has no
//    libpfm, so its own --benchmark_perf_counters cannot do this.
// Other events (PerfEvent::kTaskClock, ...) always use perf_event_open.
//
// What is recorded: state.counters[name] = events counted between the
// constructor and Finish(), divided by the iterations (kAvgIterations). It
// includes the loop's own bookkeeping (Google Benchmark starting and stopping
// its timers once per run, a compare-and-decrement per iteration) and
// anything between PauseTiming() and ResumeTiming(): keep setup outside the
// counted region. Under callgrind the count is exact only when the iteration
// count is: perfcheck_add_benchmark runs one iteration per repetition there
// (a tiny --benchmark_min_time), so the bookkeeping is one constant share.
//
// The counts key: a binary that links this class adds, while it initialises
// (before the benchmarks run and the context is written), two entries to
// Google Benchmark's JSON context (benchmark::AddCustomContext),
// "perfcheck_counts_key" (CountsKey() of
// operation_counts.h: architecture, compiler, build type, C library and the
// build's PERFCHECK_COUNTS_KEY) and "perfcheck_instruction_counter"
// ("callgrind" or "perf_event"). `perfcheck compare` judges instruction
// counts only between runs whose two entries agree.
//
// When the event cannot be counted (no PMU in a VM, perf_event_paranoid,
// seccomp; PERFCHECK_CALLGRIND_OUT set but not under callgrind): no counter
// is written, never a time in its place; the run's label becomes
// "<name> unavailable: <why>" (it reaches the JSON file, where `perfcheck
// compare` shows it), and the reason is printed to stderr once per process.
// Timing is not affected. The label replaces one set earlier.
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
#ifndef PERFCHECK_GBENCH_PERF_COUNTER_H_
#define PERFCHECK_GBENCH_PERF_COUNTER_H_

#include <benchmark/benchmark.h>

#include <cstdint>
#include <optional>
#include <string>

#include "perfcheck/instruction_counter.h"
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

  // Whether the event is being counted (by either way).
  bool available() const { return counter_.has_value() || callgrind_; }
  // Whether callgrind counts it (rather than perf_event_open).
  bool counted_by_callgrind() const { return callgrind_; }
  // Why not, when !available() (PerfCounter::Open's or
  // InstructionCounter::Start's message).
  const std::string& unavailable_reason() const { return reason_; }

 private:
  benchmark::State& state_;
  std::string name_;
  std::optional<PerfCounter> counter_;
  InstructionCounter instruction_counter_;  // used when callgrind_
  bool callgrind_ = false;
  std::uint64_t start_ = 0;
  std::string reason_;
  bool finished_ = false;
};

}  // namespace perfcheck

#endif  // PERFCHECK_GBENCH_PERF_COUNTER_H_
