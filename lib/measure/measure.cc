#include "perfcheck/measure.h"

#include <atomic>
#include <cstdint>
#include <exception>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "perfcheck/allocation_counter.h"
#include "perfcheck/format.h"
#include "perfcheck/instruction_counter.h"
#include "perfcheck/machine.h"

namespace perfcheck {
namespace {

constexpr int kMaxThreads = 256;

void Require(bool condition, std::string_view field, std::string_view rule,
             const std::string& got) {
  if (!condition) {
    throw std::invalid_argument("MeasureOptions." + std::string(field) + " " +
                                std::string(rule) + ", got " + got);
  }
}

// State shared by the workers of one measured phase. The counters are the
// only cross-thread traffic in the hot loop.
struct Phase {
  const Operation* op;
  Clock* clock;
  Nanos start;
  bool iteration_mode;
  std::uint64_t call_limit;  // iterations, or max_iterations in duration mode
  std::uint64_t min_calls;   // duration mode only
  Nanos duration;
  Nanos max_duration;
  std::atomic<std::uint64_t> claimed{0};
  std::atomic<std::uint64_t> done{0};
  std::atomic<bool> abort{false};  // set when a worker could not run
};

bool ShouldStop(const Phase& phase, Nanos now) {
  const Nanos since_start = now - phase.start;
  if (since_start >= phase.max_duration) return true;
  if (phase.abort.load(std::memory_order_relaxed)) return true;
  return !phase.iteration_mode && since_start >= phase.duration &&
         phase.done.load(std::memory_order_relaxed) >= phase.min_calls;
}

// Calls `op` once. `finish` runs right after the call returns or throws and
// before anything that may allocate or read a clock; a failure is then
// recorded in `part` (a measured failure is data: it is counted and the run
// goes on). Returns whether the call succeeded.
template <class Finish>
bool CallOnce(const Operation& op, Result& part, Finish& finish) {
  try {
    op();
    finish();
    return true;
  } catch (const internal::OperationFailed&) {
    finish();
    part.AddError("failed", "operation returned false");
  } catch (const std::exception& e) {
    finish();
    part.AddError("exception", e.what());
  } catch (...) {
    finish();
    part.AddError("exception", "unknown exception");
  }
  return false;
}

// One worker's calls and their allocations (allocation_counter.h; zero when
// the hooks are not linked).
struct CallAllocations {
  std::uint64_t calls = 0;
  AllocationTotals totals;
};

void RunWorker(Phase& phase, Result& part, CallAllocations& allocations) {
  Clock& clock = *phase.clock;
  const Operation& op = *phase.op;
  const bool count_allocations = AllocationCountingAvailable();
  Nanos now = clock.NowNanos();
  while (!ShouldStop(phase, now) &&
         phase.claimed.fetch_add(1, std::memory_order_relaxed) <
             phase.call_limit) {
    // Read outside the timed window, so counting adds nothing to the times;
    // the reads themselves do not allocate.
    const AllocationTotals a0 =
        count_allocations ? ThreadAllocationTotals() : AllocationTotals{};
    const Nanos t0 = clock.NowNanos();
    Nanos t1 = 0;
    AllocationTotals a1;
    // The end of a call: its time, then (outside the timed window) its
    // allocations, both before any bookkeeping that may allocate.
    auto end_call = [&] {
      t1 = clock.NowNanos();
      if (count_allocations) a1 = ThreadAllocationTotals();
    };
    const bool ok = CallOnce(op, part, end_call);
    ++allocations.calls;
    if (count_allocations) {
      allocations.totals.count += a1.count - a0.count;
      allocations.totals.bytes += a1.bytes - a0.bytes;
    }
    if (ok) part.latency.Record(t1 - t0);
    part.series.Record(t1 - phase.start, t1 - t0, ok);
    phase.done.fetch_add(1, std::memory_order_relaxed);
    now = t1;
  }
}

// One warm-up call: failures are not recorded; the measured phase counts
// them.
void WarmUpCall(const Operation& op) {
  try {
    op();
  } catch (...) {
  }
}

// Warm-up runs on the calling thread only, so its call count is exact; it is
// bounded by max_duration and (in its timed part) max_iterations like the run.
void WarmUp(const Operation& op, const MeasureOptions& options, Clock& clock) {
  const Nanos start = clock.NowNanos();
  const Nanos max_duration = options.max_duration.count();
  auto call = [&op] { WarmUpCall(op); };
  for (std::uint64_t i = 0; i < options.warmup_iterations; ++i) {
    if (clock.NowNanos() - start >= max_duration) return;
    call();
  }
  const Nanos warmup = options.warmup_duration.count();
  if (warmup <= 0) return;
  const Nanos timed_start = clock.NowNanos();
  for (std::uint64_t calls = 0; calls < options.max_iterations; ++calls) {
    const Nanos now = clock.NowNanos();
    if (now - timed_start >= warmup || now - start >= max_duration) return;
    call();
  }
}

void FillConfig(const MeasureOptions& options, Result& result) {
  result.SetConfig("mode", options.iterations > 0 ? "iterations" : "duration");
  result.SetConfig("warmup_iterations",
                   std::to_string(options.warmup_iterations));
  result.SetConfig(
      "warmup_duration",
      FormatNanos(static_cast<double>(options.warmup_duration.count())));
  result.SetConfig("iterations", std::to_string(options.iterations));
  result.SetConfig("duration",
                   FormatNanos(static_cast<double>(options.duration.count())));
  result.SetConfig("min_iterations", std::to_string(options.min_iterations));
  result.SetConfig("max_iterations", std::to_string(options.max_iterations));
  result.SetConfig(
      "max_duration",
      FormatNanos(static_cast<double>(options.max_duration.count())));
  result.SetConfig("threads", std::to_string(options.threads));
  result.SetConfig("interval",
                   FormatNanos(static_cast<double>(options.interval.count())));
  result.SetConfig("clock", options.clock == nullptr ? "steady" : "injected");
}

// Per-call means over every worker's calls; left absent when the hooks are
// not linked or nothing was called.
void SetAllocationCounts(const std::vector<CallAllocations>& allocations,
                         OperationCounts& counts) {
  CallAllocations all;
  for (const CallAllocations& a : allocations) {
    all.calls += a.calls;
    all.totals.count += a.totals.count;
    all.totals.bytes += a.totals.bytes;
  }
  if (all.calls == 0 || !AllocationCountingAvailable()) return;
  const auto calls = static_cast<double>(all.calls);
  counts.allocations = static_cast<double>(all.totals.count) / calls;
  counts.allocated_bytes = static_cast<double>(all.totals.bytes) / calls;
  counts.operations = all.calls;
  counts.key = CountsKey();
}

// The instruction-count run (instruction_counter.h): warm-up by count only
// (a timed warm-up would make the counted code depend on the machine), then
// exactly `instruction_iterations` calls on this thread inside one counted
// region. Nothing in that region may depend on time — no clock reads, no
// histogram buckets chosen by a duration, no series intervals — or identical
// code would count differently from run to run. So each successful call is
// recorded afterwards with the mean duration of the region: Valgrind's time,
// never judged (the gtest layer says so).
Result MeasureInstructions(std::string name, const Operation& op,
                           const MeasureOptions& options, Clock& clock) {
  for (std::uint64_t i = 0; i < options.warmup_iterations; ++i) WarmUpCall(op);
  Result result(name);
  result.series = TimeSeries(options.interval);
  const bool count_allocations = AllocationCountingAvailable();
  const std::uint64_t calls = options.instruction_iterations;
  AllocationTotals allocated;
  std::uint64_t ok_calls = 0;
  InstructionCounter counter;
  const Nanos start = clock.NowNanos();
  if (Status started = counter.Start(); !started.ok()) {
    throw std::runtime_error(started.message());
  }
  for (std::uint64_t i = 0; i < calls; ++i) {
    const AllocationTotals a0 =
        count_allocations ? ThreadAllocationTotals() : AllocationTotals{};
    AllocationTotals a1;
    auto end_call = [&] {
      if (count_allocations) a1 = ThreadAllocationTotals();
    };
    if (CallOnce(op, result, end_call)) ++ok_calls;
    allocated.count += a1.count - a0.count;
    allocated.bytes += a1.bytes - a0.bytes;
  }
  StatusOr<std::uint64_t> instructions = counter.Stop();
  const Nanos end = clock.NowNanos();
  if (!instructions.ok()) {
    throw std::runtime_error(instructions.status().message());
  }
  const Nanos mean = (end - start) / static_cast<Nanos>(calls);
  for (std::uint64_t i = 0; i < ok_calls; ++i) result.latency.Record(mean);
  result.series.Finish();
  result.elapsed_ns = end - start;
  FillConfig(options, result);
  result.SetConfig("threads", "1");
  result.SetConfig("counted_under", "callgrind");
  result.SetConfig("instruction_iterations", std::to_string(calls));
  result.fingerprint = CaptureFingerprint();
  const auto n = static_cast<double>(calls);
  if (count_allocations) {
    result.counts.allocations = static_cast<double>(allocated.count) / n;
    result.counts.allocated_bytes = static_cast<double>(allocated.bytes) / n;
  }
  result.counts.instructions = static_cast<double>(*instructions) / n;
  result.counts.operations = calls;
  result.counts.key = CountsKey();
  return result;
}

}  // namespace

void MeasureOptions::Validate() const {
  Require(threads >= 1 && threads <= kMaxThreads, "threads",
          "must be in 1..256", std::to_string(threads));
  Require(max_iterations > 0, "max_iterations", "must be > 0", "0");
  Require(iterations > 0 || duration.count() > 0, "duration",
          "must be > 0 in duration mode (iterations == 0)",
          FormatNanos(static_cast<double>(duration.count())));
  Require(max_duration.count() > 0, "max_duration", "must be > 0",
          FormatNanos(static_cast<double>(max_duration.count())));
  Require(interval.count() > 0, "interval", "must be > 0",
          FormatNanos(static_cast<double>(interval.count())));
  Require(instruction_iterations > 0, "instruction_iterations", "must be > 0",
          "0");
  Require(warmup_duration.count() >= 0, "warmup_duration", "must be >= 0",
          FormatNanos(static_cast<double>(warmup_duration.count())));
}

Result MeasureOperation(std::string name, Operation op,
                        const MeasureOptions& options) {
  options.Validate();
  if (!op) {
    throw std::invalid_argument("Measure(\"" + name +
                                "\"): the operation is empty");
  }
  Clock& clock =
      options.clock != nullptr ? *options.clock : SteadyClock::Instance();
  if (InstructionCountingRequested()) {
    return MeasureInstructions(std::move(name), op, options, clock);
  }

  WarmUp(op, options, clock);

  // Per-thread results are built before the clock starts so the measured
  // phase allocates nothing up front.
  const auto thread_count = static_cast<std::size_t>(options.threads);
  std::vector<Result> parts;
  parts.reserve(thread_count);
  for (std::size_t i = 0; i < thread_count; ++i) {
    parts.emplace_back(name);
    parts.back().series = TimeSeries(options.interval);
  }
  std::vector<std::exception_ptr> worker_errors(thread_count);
  std::vector<CallAllocations> allocations(thread_count);

  Phase phase;
  phase.op = &op;
  phase.clock = &clock;
  phase.iteration_mode = options.iterations > 0;
  phase.call_limit =
      phase.iteration_mode ? options.iterations : options.max_iterations;
  phase.min_calls = options.min_iterations;
  phase.duration = options.duration.count();
  phase.max_duration = options.max_duration.count();

  // Anything but the operation throwing inside a worker (e.g. bad_alloc) must
  // not terminate the test binary: it is carried to the caller instead.
  auto guarded = [&phase, &parts, &worker_errors, &allocations](std::size_t i) {
    try {
      RunWorker(phase, parts[i], allocations[i]);
    } catch (...) {
      worker_errors[i] = std::current_exception();
      phase.abort.store(true, std::memory_order_relaxed);
    }
  };

  phase.start = clock.NowNanos();
  std::vector<std::thread> workers;
  workers.reserve(thread_count - 1);
  try {
    for (std::size_t i = 1; i < thread_count; ++i) {
      workers.emplace_back(guarded, i);
    }
  } catch (...) {
    phase.abort.store(true, std::memory_order_relaxed);
    for (std::thread& worker : workers) worker.join();
    throw;
  }
  guarded(0);  // the caller is worker 0, so threads == 1 spawns nothing
  for (std::thread& worker : workers) worker.join();
  const Nanos end = clock.NowNanos();
  for (const std::exception_ptr& error : worker_errors) {
    if (error) std::rethrow_exception(error);
  }

  for (Result& part : parts) part.series.Finish();
  Result result = std::move(parts[0]);
  for (std::size_t i = 1; i < thread_count; ++i) result.Merge(parts[i]);
  result.name = std::move(name);
  result.elapsed_ns = end - phase.start;
  FillConfig(options, result);
  result.fingerprint = CaptureFingerprint();
  SetAllocationCounts(allocations, result.counts);
  return result;
}

}  // namespace perfcheck
