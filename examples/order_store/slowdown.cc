#include "order_store/slowdown.h"

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

}  // namespace

double SlowdownFactor() {
  static const double factor = ReadFactor();
  return factor;
}

SlowdownScope::SlowdownScope()
    : factor_(scope_depth++ == 0 ? SlowdownFactor() : 1.0) {
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
