#include "perfcheck/clock.h"

#include <stdexcept>

namespace perfcheck {

Nanos SteadyClock::NowNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

SteadyClock& SteadyClock::Instance() {
  // Leaked on purpose: drivers may read the clock during static destruction.
  static SteadyClock* clock = new SteadyClock();
  return *clock;
}

void SimulatedClock::Advance(Nanos d) {
  if (d < 0) {
    throw std::invalid_argument("SimulatedClock::Advance: negative duration " +
                                std::to_string(d) + " ns");
  }
  now_.fetch_add(d, std::memory_order_acq_rel);
}

}  // namespace perfcheck
