// The gtest adapter in an instruction-count run (perfcheck/gtest.h): time
// bounds pass with a note, error-rate and allocation bounds are judged.
//
// A process of its own because InstructionCountingRequested() reads
// PERFCHECK_CALLGRIND_OUT once: main() sets it before any test runs, as
// perfcheck's CMake functions do for the run under callgrind. Nothing here
// calls Measure, which would need the real Valgrind.
#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <stdexcept>
#include <string>

#include "perfcheck/gtest.h"
#include "perfcheck/gtest/registry.h"  // alone: the part headers stand alone
#include "perfcheck/instruction_counter.h"

namespace {

using namespace std::chrono_literals;

// 1 ms calls, 3 of 100 failed, 2 allocations of 48 bytes per call.
const perfcheck::Result& Slow() {
  static const perfcheck::Result r = [] {
    perfcheck::Result s("slow");
    for (int i = 0; i < 97; ++i) {
      s.latency.Record(1'000'000);
      s.elapsed_ns += 1'000'000;
    }
    for (int i = 0; i < 3; ++i) s.AddError("exception", "boom");
    s.counts.allocations = 2;
    s.counts.allocated_bytes = 96;
    s.counts.operations = 100;
    s.counts.key = "x86_64 GCC 12.2.0 Release";
    return s;
  }();
  return r;
}

std::string PropertyValue(const std::string& key) {
  const ::testing::TestResult* result =
      ::testing::UnitTest::GetInstance()->current_test_info()->result();
  for (int i = 0; i < result->test_property_count(); ++i) {
    const ::testing::TestProperty& p = result->GetTestProperty(i);
    if (p.key() == key) return p.value();
  }
  return "<missing>";
}

std::size_t Occurrences(const std::string& text, const std::string& part) {
  std::size_t n = 0;
  for (auto at = text.find(part); at != std::string::npos;
       at = text.find(part, at + 1)) {
    ++n;
  }
  return n;
}

TEST(InstructionRun, IsRequested) {
  EXPECT_TRUE(perfcheck::InstructionCountingRequested());
}

TEST(InstructionRun, TimeBoundsPassWithANoteEach) {
  // Every bound here would fail on these 1 ms calls in a timed run.
  ::testing::internal::CaptureStdout();
  EXPECT_P50_BELOW(Slow(), 1us);
  EXPECT_P90_BELOW(Slow(), 1us);
  EXPECT_P95_BELOW(Slow(), 1us);
  ASSERT_P99_BELOW(Slow(), 1us);
  EXPECT_P999_BELOW(Slow(), 1us);
  EXPECT_MAX_BELOW(Slow(), 1us);
  ASSERT_MEAN_BELOW(Slow(), 1us);
  EXPECT_PERCENTILE_BELOW(Slow(), 99.99, 1us);
  EXPECT_THROUGHPUT_AT_LEAST(Slow(), 1e9);
  const std::string out = ::testing::internal::GetCapturedStdout();
  // The test id carries the instruction run's suffix
  // (perfcheck/gtest/registry.h).
  const std::string prefix =
      "perfcheck: " + perfcheck::testing::CurrentTestId() + "/slow: ";
  const std::string why =
      " not judged: instruction-count run under Valgrind (times are "
      "Valgrind's)\n";
  for (const char* metric : {"p50", "p90", "p95", "p99", "p99.9", "max", "mean",
                             "p99.99", "throughput"}) {
    EXPECT_EQ(Occurrences(out, prefix + metric + why), 1u) << metric << out;
  }
  EXPECT_EQ(Occurrences(out, "perfcheck: "), 9u) << out;
}

TEST(InstructionRun, TimeBoundsAreRecordedAsNotJudged) {
  EXPECT_P95_BELOW(Slow(), 1us);
  EXPECT_THROUGHPUT_AT_LEAST(Slow(), 1e9);
  EXPECT_EQ(PropertyValue("perfcheck.slow.sla.p95"),
            "p95 < 1 us: not judged (instruction-count run)");
  EXPECT_EQ(PropertyValue("perfcheck.slow.p95_ns"), "1000000");
  EXPECT_EQ(PropertyValue("perfcheck.slow.allocations"), "2");
  int found = 0;
  for (const auto& e : perfcheck::testing::RegisteredResults()) {
    if (e.test_id != perfcheck::testing::CurrentTestId()) {
      continue;
    }
    ++found;
    EXPECT_EQ(e.Verdict(), "pass (time not judged: instruction-count run)");
  }
  EXPECT_EQ(found, 1);
}

TEST(InstructionRun, InvalidTimeBoundsStillThrow) {
  EXPECT_THROW(EXPECT_P95_BELOW(Slow(), -1ms), std::invalid_argument);
  EXPECT_THROW(EXPECT_PERCENTILE_BELOW(Slow(), 101, 1ms),
               std::invalid_argument);
  EXPECT_THROW(EXPECT_THROUGHPUT_AT_LEAST(Slow(), -1), std::invalid_argument);
}

TEST(InstructionRun, ErrorRateIsJudged) {
  EXPECT_ERROR_RATE_BELOW(Slow(), 0.05);
  EXPECT_NONFATAL_FAILURE(EXPECT_ERROR_RATE_BELOW(Slow(), 0.01),
                          "Actual: error rate = 3% (3 of 100 operations)");
}

TEST(InstructionRun, AllocationsAreJudged) {
  EXPECT_ALLOCATIONS_AT_MOST(Slow(), 2);
  EXPECT_ALLOCATED_BYTES_AT_MOST(Slow(), 96);
  EXPECT_NONFATAL_FAILURE(
      EXPECT_ALLOCATIONS_AT_MOST(Slow(), 1),
      "Actual: allocations = 2 per operation (mean over 100 operations)");
  EXPECT_FATAL_FAILURE(ASSERT_ALLOCATED_BYTES_AT_MOST(Slow(), 64),
                       "Actual: allocated bytes = 96 B per operation");
}

}  // namespace

int main(int argc, char** argv) {
  // Not a path callgrind writes to: nothing here starts a counter.
  ::setenv("PERFCHECK_CALLGRIND_OUT", "perfcheck-instruction-run-test", 1);
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
