#include "order_store/slowdown.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace erp {
namespace {

double ReadFactor() {
  const char* text = std::getenv("PERFCHECK_EXAMPLE_SLOWDOWN");
  if (text == nullptr || *text == '\0') return 1.0;
  char* end = nullptr;
  const double factor = std::strtod(text, &end);
  // A typo must not silently turn a demonstration into a no-op run, nor abort a
  // test binary: warn once and run at normal speed.
  if (end == text || *end != '\0' || !(factor >= 1.0) || factor > 100.0) {
    std::fprintf(stderr,
                 "PERFCHECK_EXAMPLE_SLOWDOWN=\"%s\" is not a factor in "
                 "[1, 100]; ignored\n",
                 text);
    return 1.0;
  }
  return factor;
}

// Depth of SlowdownScopes on this thread; only depth 0 -> 1 slows down.
thread_local int scope_depth = 0;

// Whether perfcheck counts instructions in this process (it sets this
// variable when it runs the binary under callgrind).
bool CountingInstructions() {
  static const bool counting = [] {
    const char* v = std::getenv("PERFCHECK_CALLGRIND_OUT");
    return v != nullptr && *v != '\0';
  }();
  return counting;
}

// Repeats owed on this thread, in items.
thread_local double repeat_balance = 0;

}  // namespace

double SlowdownFactor() {
  static const double factor = ReadFactor();
  return factor;
}

namespace internal {

const bool repeat_enabled = CountingInstructions() && SlowdownFactor() > 1.0;

std::size_t RepeatsOwed(std::size_t items) {
  repeat_balance += (SlowdownFactor() - 1.0) * static_cast<double>(items);
  const double whole = std::floor(repeat_balance);
  repeat_balance -= whole;
  return std::min(items, static_cast<std::size_t>(whole));
}

}  // namespace internal

SlowdownScope::SlowdownScope()
    : factor_(scope_depth++ == 0 && !CountingInstructions() ? SlowdownFactor()
                                                            : 1.0) {
  // Without a slowdown the scope must cost nothing measurable: no clock read.
  if (factor_ > 1.0) start_ = std::chrono::steady_clock::now();
}

SlowdownScope::~SlowdownScope() {
  --scope_depth;
  if (factor_ <= 1.0) return;
  const auto end = std::chrono::steady_clock::now();
  const auto extra = std::chrono::duration_cast<std::chrono::nanoseconds>(
      (end - start_) * (factor_ - 1.0));
  const auto until = end + extra;
  // Busy-wait rather than sleep: a sleep's wake-up latency is far coarser than
  // the microsecond operations being slowed down.
  while (std::chrono::steady_clock::now() < until) {
  }
}

}  // namespace erp
