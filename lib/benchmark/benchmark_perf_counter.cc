#include "perfcheck/benchmark_perf_counter.h"

#include <iostream>
#include <mutex>
#include <utility>

namespace perfcheck {

BenchmarkPerfCounter::BenchmarkPerfCounter(benchmark::State& state,
                                           PerfEvent event, std::string name)
    : state_(state),
      name_(name.empty() ? std::string(PerfEventName(event))
                         : std::move(name)) {
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
