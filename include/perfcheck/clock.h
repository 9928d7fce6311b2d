// Clocks used to time work.
//
// perfcheck keeps every time value as int64 nanoseconds internally and accepts
// std::chrono durations in its API. The clock is an interface so unit tests can
// drive a run on a simulated clock and never depend on the machine's speed.
//
// Example:
//   perfcheck::SimulatedClock clock;
//   clock.Advance(std::chrono::milliseconds(5));   // clock.NowNanos() == 5'000'000
//
// Thread-safety: every Clock implementation here may be called from many threads
// at once.
#ifndef PERFCHECK_CLOCK_H_
#define PERFCHECK_CLOCK_H_

#include <atomic>
#include <chrono>
#include <cstdint>

namespace perfcheck {

// Nanoseconds, the unit of every stored time value.
using Nanos = std::int64_t;

// Converts any std::chrono duration to nanoseconds, rounding to nearest so that
// e.g. 1.5us (a floating-point duration) becomes 1500.
template <class Rep, class Period>
constexpr Nanos ToNanos(std::chrono::duration<Rep, Period> d) {
  return std::chrono::round<std::chrono::nanoseconds>(
             std::chrono::duration<long double, Period>(d.count()))
      .count();
}

// A monotonic source of time in nanoseconds since an arbitrary epoch.
class Clock {
 public:
  virtual ~Clock() = default;
  // Current time in nanoseconds; never decreases between two calls.
  virtual Nanos NowNanos() = 0;
};

// std::chrono::steady_clock. The default clock of every perfcheck driver.
class SteadyClock final : public Clock {
 public:
  Nanos NowNanos() override;
  // A process-wide instance (never destroyed, so usable from static destructors).
  static SteadyClock& Instance();
};

// A clock that moves only when told to. Thread-safe: Advance() and NowNanos()
// may be called concurrently from any thread.
class SimulatedClock final : public Clock {
 public:
  explicit SimulatedClock(Nanos start = 0) : now_(start) {}

  Nanos NowNanos() override { return now_.load(std::memory_order_acquire); }

  // Moves the clock forward by `d` (must be >= 0, or std::invalid_argument).
  void Advance(Nanos d);
  template <class Rep, class Period>
  void Advance(std::chrono::duration<Rep, Period> d) {
    Advance(ToNanos(d));
  }

 private:
  std::atomic<Nanos> now_;
};

}  // namespace perfcheck

#endif  // PERFCHECK_CLOCK_H_
