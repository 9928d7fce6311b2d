#include <iostream>
#include <mutex>
#include <utility>

#include "perfcheck/gbench/perf_counter.h"
#include "perfcheck/machine.h"

namespace perfcheck {
namespace {

// Google Benchmark writes its context (custom entries included) before the
// first benchmark runs, so a constructor inside a benchmark is too late: the
// key is added while the binary initialises. AddCustomContext only fills a
// map behind a zero-initialised pointer, so this is safe in any order of
// static initialisation.
const bool kCountsKeyAdded = [] {
  benchmark::AddCustomContext("perfcheck_counts_key", CountsKey());
  benchmark::AddCustomContext(
      "perfcheck_instruction_counter",
      InstructionCountingRequested() ? "callgrind" : "perf_event");
  return true;
}();

}  // namespace

BenchmarkPerfCounter::BenchmarkPerfCounter(benchmark::State& state,
                                           PerfEvent event, std::string name)
    : state_(state),
      name_(name.empty() ? std::string(PerfEventName(event))
                         : std::move(name)) {
  static_cast<void>(kCountsKeyAdded);
  if (event == PerfEvent::kInstructions && InstructionCountingRequested()) {
    // perfcheck set up a callgrind run: count there, never fall back to the
    // PMU, whose counts would be judged against callgrind's.
    if (state.threads() > 1) {
      reason_ =
          "callgrind counts the whole process, not one thread: count a "
          "single-threaded benchmark";
      return;
    }
    // Last in the constructor: what follows Start() is counted.
    if (Status s = instruction_counter_.Start(); !s.ok()) {
      reason_ = s.message();
      return;
    }
    callgrind_ = true;
    return;
  }
  StatusOr<PerfCounter> c = PerfCounter::Open(event);
  if (!c.ok()) {
    reason_ = c.status().message();
    return;
  }
  StatusOr<std::uint64_t> start = c->Read();
  if (!start.ok()) {
    reason_ = start.status().message();
    return;
  }
  start_ = *start;
  counter_.emplace(std::move(*c));
}

BenchmarkPerfCounter::~BenchmarkPerfCounter() { Finish(); }

void BenchmarkPerfCounter::Finish() {
  if (finished_) return;
  finished_ = true;
  if (callgrind_) {
    callgrind_ = false;
    StatusOr<std::uint64_t> count = instruction_counter_.Stop();
    if (count.ok()) {
      state_.counters[name_] = benchmark::Counter(
          static_cast<double>(*count), benchmark::Counter::kAvgIterations);
      return;
    }
    reason_ = count.status().message();
  }
  if (counter_) {
    StatusOr<std::uint64_t> end = counter_->Read();
    counter_.reset();
    if (end.ok()) {
      state_.counters[name_] =
          benchmark::Counter(static_cast<double>(*end - start_),
                             benchmark::Counter::kAvgIterations);
      return;
    }
    reason_ = end.status().message();
  }
  // Said where the numbers go (the label reaches the JSON file) and once on
  // stderr; no counter is written, so nothing can mistake a time for it.
  state_.SetLabel(name_ + " unavailable: " + reason_);
  static std::once_flag once;
  std::call_once(once, [this] {
    std::cerr << "perfcheck: '" << name_ << "' not counted: " << reason_
              << "\n";
  });
}

}  // namespace perfcheck
