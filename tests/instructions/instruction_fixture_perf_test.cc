// A perf test binary whose work is known in advance, for the instruction-count
// tests (instruction_run_test.sh): a hash over n integers, n = 10,000 x
// INSTRUCTION_FIXTURE_FACTOR (default 1), and one allocation per call.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <memory>

#include "perfcheck/gtest.h"
#include "perfcheck/measure.h"

namespace {

double Factor() {
  const char* text = std::getenv("INSTRUCTION_FIXTURE_FACTOR");
  return text == nullptr ? 1.0 : std::atof(text);
}

std::uint64_t Hash(std::uint64_t n) {
  std::uint64_t h = 1469598103934665603ULL;
  for (std::uint64_t i = 0; i < n; ++i) {
    h = (h ^ i) * 1099511628211ULL;
    asm volatile("" : "+r"(h));  // one multiply per element, not folded
  }
  return h;
}

TEST(Fixture, Hash) {
  const auto n = static_cast<std::uint64_t>(10'000 * Factor());
  auto spec = perfcheck::Callable(
      "fixture.hash",
      [n] {
        auto box = std::make_unique<std::uint64_t>(Hash(n));
        asm volatile("" : : "r"(box.get()) : "memory");
      },
      {.warmup_iterations = 2, .iterations = 200, .instruction_iterations = 5});
  EXPECT_ALLOCATIONS_AT_MOST(spec, 1);
  EXPECT_NO_REGRESSION(spec);
}

}  // namespace
