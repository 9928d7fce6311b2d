// perf_event_open counters. The plumbing is tested for real with a software
// event (task-clock works without a PMU, e.g. in a VM); the hardware event
// either counts or explains why not, so the test holds on any Linux machine.
#include "perfcheck/perf_counter.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <cstdint>
#include <string>
#include <utility>

namespace perfcheck {
namespace {

std::uint64_t Spin(std::uint64_t n) {
  volatile std::uint64_t x = 0;
  for (std::uint64_t i = 0; i < n; ++i) x = x + i * 3;
  return x;
}

TEST(PerfCounter, TaskClockCountsThisThreadsCpuTime) {
  StatusOr<PerfCounter> c = PerfCounter::Open(PerfEvent::kTaskClock);
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->event(), PerfEvent::kTaskClock);
  const std::uint64_t a = c->Read().value();
  Spin(2'000'000);
  const std::uint64_t b = c->Read().value();
  Spin(20'000'000);
  const std::uint64_t d = c->Read().value();
  EXPECT_GT(b, a);
  // Ten times the work takes more CPU time; a ratio, not an absolute speed,
  // and with a wide margin for a preempted thread.
  EXPECT_GT(d - b, 2 * (b - a));
}

TEST(PerfCounter, MovedCounterKeepsCounting) {
  StatusOr<PerfCounter> c = PerfCounter::Open(PerfEvent::kTaskClock);
  ASSERT_TRUE(c.ok()) << c.status().message();
  PerfCounter moved = std::move(*c);
  const std::uint64_t a = moved.Read().value();
  Spin(1'000'000);
  EXPECT_GT(moved.Read().value(), a);
  PerfCounter other = PerfCounter::Open(PerfEvent::kTaskClock).value();
  other = std::move(moved);
  EXPECT_TRUE(other.Read().ok());
}

// Either the machine exposes a PMU and instructions are counted, or Open()
// says why not. Never a crash, never a time posing as a count.
TEST(PerfCounter, InstructionsCountOrExplain) {
  StatusOr<PerfCounter> c = PerfCounter::Open(PerfEvent::kInstructions);
  if (c.ok()) {
    const std::uint64_t a = c->Read().value();
    Spin(1'000'000);
    const std::uint64_t b = c->Read().value();
    EXPECT_GT(b - a, 1'000'000u);  // at least one instruction per step
    return;
  }
  const std::string m = c.status().message();
  EXPECT_NE(m.find("perf_event_open(instructions) failed"), std::string::npos)
      << m;
  const bool explained = m.find("no hardware PMU") != std::string::npos ||
                         m.find("perf_event_paranoid") != std::string::npos ||
                         m.find("not available") != std::string::npos ||
                         m.find("cannot be counted") != std::string::npos;
  EXPECT_TRUE(explained) << m;
}

TEST(PerfCounter, ErrorMessagesSayWhy) {
  const std::string no_pmu =
      DescribePerfOpenError(PerfEvent::kInstructions, ENOENT, 2);
  EXPECT_NE(no_pmu.find("no hardware PMU"), std::string::npos) << no_pmu;
  EXPECT_NE(no_pmu.find("virtual machines"), std::string::npos);
  const std::string paranoid =
      DescribePerfOpenError(PerfEvent::kInstructions, EACCES, 3);
  EXPECT_NE(paranoid.find("kernel.perf_event_paranoid is 3"), std::string::npos)
      << paranoid;
  EXPECT_NE(paranoid.find("CAP_PERFMON"), std::string::npos);
  EXPECT_NE(DescribePerfOpenError(PerfEvent::kCycles, EPERM, 4)
                .find("perf_event_paranoid is 4"),
            std::string::npos);
  EXPECT_NE(DescribePerfOpenError(PerfEvent::kCycles, ENOSYS, 2)
                .find("system call is not available"),
            std::string::npos);
  EXPECT_NE(DescribePerfOpenError(PerfEvent::kTaskClock, ENOENT, 2)
                .find("does not support this event"),
            std::string::npos);
}

TEST(PerfCounter, EventNamesRoundTrip) {
  for (PerfEvent e : {PerfEvent::kInstructions, PerfEvent::kCycles,
                      PerfEvent::kTaskClock, PerfEvent::kContextSwitches}) {
    PerfEvent parsed = PerfEvent::kCycles;
    ASSERT_TRUE(ParsePerfEvent(PerfEventName(e), &parsed));
    EXPECT_EQ(parsed, e);
  }
  PerfEvent unused;
  EXPECT_FALSE(ParsePerfEvent("bogus", &unused));
}

}  // namespace
}  // namespace perfcheck
