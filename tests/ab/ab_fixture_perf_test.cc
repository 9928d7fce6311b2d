// A GoogleTest perf binary for the `perfcheck ab` tests: its results are
// synthetic (values, not timings), so every verdict is known in advance and
// no test depends on this machine's speed. Environment knobs (set by wrapper
// scripts on one side only):
//   AB_FIXTURE_FACTOR=1.5      latencies x1.5 (and throughput / 1.5)
//   AB_FIXTURE_ERRORS=10       10 failed operations per 100
//   AB_FIXTURE_CRASH=1         Fixture.Crashes aborts
//   AB_FIXTURE_HANG=1          Fixture.Hangs sleeps for an hour
// Built twice: the B variant (AB_FIXTURE_VARIANT_B) lists Fixture.OnlyInB
// instead of Fixture.OnlyInA, for the "lists differ" cases.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <string>
#include <thread>

#include "perfcheck/gtest.h"

namespace {

using namespace std::chrono_literals;

double EnvNumber(const char* name, double fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::strtod(v, nullptr) : fallback;
}

// 200 operations around 1 ms times the factor, with a small deterministic
// spread and a per-process jitter of under 1% (so rounds differ a little, as
// real ones do, but a 1.5x factor dwarfs it).
perfcheck::Result Synthetic(const std::string& name) {
  const double factor = EnvNumber("AB_FIXTURE_FACTOR", 1.0);
  const double errors = EnvNumber("AB_FIXTURE_ERRORS", 0);
  static const bool seeded = [] {
    std::srand(static_cast<unsigned>(
        std::chrono::steady_clock::now().time_since_epoch().count()));
    return true;
  }();
  (void)seeded;
  const auto jitter = static_cast<double>(std::rand() % 7);
  perfcheck::Result r(name);
  for (int i = 0; i < 200; ++i) {
    const double ns =
        (1'000'000.0 + 2'000.0 * (i % 10) + 1'000.0 * jitter) * factor;
    r.latency.Record(static_cast<perfcheck::Nanos>(ns));
  }
  for (int i = 0; i < static_cast<int>(errors * 2); ++i) {
    r.AddError("synthetic", "injected failure");
  }
  r.elapsed_ns = static_cast<perfcheck::Nanos>(200'000'000.0 * factor);
  return r;
}

TEST(Fixture, Synthetic) { EXPECT_P95_BELOW(Synthetic("synthetic.op"), 1s); }

TEST(Fixture, TwoResults) {
  EXPECT_P50_BELOW(Synthetic("first"), 1s);
  EXPECT_P50_BELOW(Synthetic("second"), 1s);
}

TEST(Fixture, NotPerf) { EXPECT_EQ(2 + 2, 4); }

TEST(Fixture, Crashes) {
  if (std::getenv("AB_FIXTURE_CRASH") != nullptr) std::abort();
  EXPECT_P95_BELOW(Synthetic("crash.op"), 1s);
}

TEST(Fixture, Hangs) {
  if (std::getenv("AB_FIXTURE_HANG") != nullptr) {
    std::this_thread::sleep_for(std::chrono::hours(1));
  }
  EXPECT_P95_BELOW(Synthetic("hang.op"), 1s);
}

TEST(Fixture, SlaFailsWhenSlow) {
  // Fails its own assertion when the factor is above 1.2, as an absolute SLA
  // would on a slower head.
  EXPECT_P95_BELOW(Synthetic("sla.op"), 1'200us);
}

#ifdef AB_FIXTURE_VARIANT_B
TEST(Fixture, OnlyInB) { EXPECT_P95_BELOW(Synthetic("b.op"), 1s); }
#else
TEST(Fixture, OnlyInA) { EXPECT_P95_BELOW(Synthetic("a.op"), 1s); }
#endif

TEST(Fixture, DISABLED_NeverRuns) { FAIL() << "disabled"; }

}  // namespace
