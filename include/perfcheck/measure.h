// Measure: time any code.
//
//   auto r = perfcheck::Measure("rbac.check", [&] { rbac.Allowed(user, "Order"); },
//                               {.warmup_iterations = 100, .iterations = 10'000});
//   auto spec = perfcheck::Callable("jwt.verify", [&] { Verify(token); });
//   EXPECT_P95_BELOW(spec, 10ms);   // the assertion runs the spec
//
// The callable is timed call by call. An exception it throws is counted as an
// error (category "exception", with the message as example) and the run goes on;
// a callable returning bool counts `false` as an error (category "failed").
//
// Bounds: every run stops by itself. In iteration mode it makes exactly
// `iterations` calls (over all threads) unless `max_duration` runs out first; in
// duration mode (iterations == 0) it runs for `duration` and at least
// `min_iterations` calls, never more than `max_iterations` calls or longer than
// `max_duration`. Warm-up calls are made first and are not recorded.
//
// Thread-safety: with threads > 1 the callable is invoked concurrently from that
// many threads; it must be safe for that. Each thread records into its own
// histogram; they are merged at the end.
#ifndef PERFCHECK_MEASURE_H_
#define PERFCHECK_MEASURE_H_

#include <chrono>
#include <concepts>
#include <cstdint>
#include <functional>
#include <string>
#include <type_traits>
#include <utility>

#include "perfcheck/clock.h"
#include "perfcheck/measurable.h"
#include "perfcheck/result.h"

namespace perfcheck {

struct MeasureOptions {
  std::uint64_t warmup_iterations = 10;
  std::chrono::nanoseconds warmup_duration{0};  // extra warm-up time, if > 0
  std::uint64_t iterations = 0;  // > 0: iteration mode
  std::chrono::nanoseconds duration = std::chrono::seconds(1);
  std::uint64_t min_iterations = 20;
  std::uint64_t max_iterations = 1'000'000;
  std::chrono::nanoseconds max_duration = std::chrono::seconds(60);
  int threads = 1;  // 1..256
  // Calls counted under Valgrind (instruction_counter.h), where the options
  // above that depend on time (duration, warmup_duration, max_duration,
  // threads) do not apply: warm-up is warmup_iterations calls, then exactly
  // this many calls on the calling thread are counted. Must be > 0.
  std::uint64_t instruction_iterations = 10;
  std::chrono::nanoseconds interval = std::chrono::seconds(1);  // time series
  Clock* clock = nullptr;  // nullptr: SteadyClock; not owned

  // Throws std::invalid_argument naming the bad field (threads out of range,
  // negative or zero durations, max_iterations == 0, ...).
  void Validate() const;
};

// The type-erased operation Measure() times. Returns normally on success.
using Operation = std::function<void()>;

// Runs `op` under `options` and returns the Result named `name`, with config
// (the options) and fingerprint filled in. Throws std::invalid_argument on bad
// options or an empty `op`.
Result MeasureOperation(std::string name, Operation op,
                        const MeasureOptions& options = {});

namespace internal {
// Thrown by the bool adapter below; counted as category "failed".
struct OperationFailed {};
template <class F>
Operation ToOperation(F&& fn) {
  if constexpr (std::is_same_v<std::invoke_result_t<F&>, bool>) {
    return [f = std::forward<F>(fn)]() mutable {
      if (!f()) throw OperationFailed{};
    };
  } else {
    return Operation(std::forward<F>(fn));
  }
}
}  // namespace internal

// Times any callable taking no argument and returning void or bool.
template <class F>
  requires std::invocable<F&>
Result Measure(std::string name, F&& fn, const MeasureOptions& options = {}) {
  return MeasureOperation(std::move(name),
                          internal::ToOperation(std::forward<F>(fn)), options);
}

// A callable with its options, measured when an assertion needs it.
class CallableSpec final : public Measurable {
 public:
  CallableSpec(std::string name, Operation op, MeasureOptions options)
      : name_(std::move(name)), op_(std::move(op)), options_(options) {}
  std::string Name() const override { return name_; }
  Result Run() const override { return MeasureOperation(name_, op_, options_); }
  const MeasureOptions& options() const { return options_; }

 private:
  std::string name_;
  Operation op_;
  MeasureOptions options_;
};

template <class F>
  requires std::invocable<F&>
CallableSpec Callable(std::string name, F&& fn, MeasureOptions options = {}) {
  options.Validate();
  return CallableSpec(std::move(name),
                      internal::ToOperation(std::forward<F>(fn)), options);
}

}  // namespace perfcheck

#endif  // PERFCHECK_MEASURE_H_
