#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "perfcheck/baseline.h"
#include "perfcheck/benchmark/compare.h"
#include "perfcheck/clock.h"
#include "perfcheck/gtest.h"
#include "perfcheck/gtest/perf_listener.h"
#include "perfcheck/machine.h"
#include "perfcheck/measure.h"
#include "perfcheck/regression.h"
#include "perfcheck/result_json.h"
#include "perfcheck/testbed.h"
#include "scoped_env.h"

namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

// `n` successful samples spread evenly over [low, 1.2 * low), run back to back
// (elapsed = their sum), plus `errors` failures.
perfcheck::Result MakeResult(std::string name, perfcheck::Nanos low, int n,
                             int errors = 0) {
  perfcheck::Result r(std::move(name));
  for (int i = 0; i < n; ++i) {
    const perfcheck::Nanos v = low + low * i / (5 * n);
    r.latency.Record(v);
    r.elapsed_ns += v;
  }
  for (int i = 0; i < errors; ++i) r.AddError("status_5xx", "503");
  return r;
}

// EXPECT_(NON)FATAL_FAILURE statements may not use locals, hence functions.
const perfcheck::Result& Checkout() {  // 1.0 .. 1.2 ms, 0.3% errors
  static const perfcheck::Result r = MakeResult("checkout", 1'000'000, 997, 3);
  return r;
}
const perfcheck::Result& Down() {  // only failures
  static const perfcheck::Result r = MakeResult("down", 1, 0, 5);
  return r;
}

int g_evaluations = 0;

// A spec on a simulated clock: every call takes g_call_cost of simulated time
// and counts itself, so assertions on it never depend on this machine.
perfcheck::SimulatedClock g_clock;
perfcheck::Nanos g_call_cost = 1'000'000;
int g_calls = 0;
const perfcheck::CallableSpec& Tick() {
  static const perfcheck::MeasureOptions options{
      .warmup_iterations = 0, .iterations = 200, .clock = &g_clock};
  static const perfcheck::CallableSpec spec = perfcheck::Callable(
      "tick",
      [] {
        ++g_calls;
        g_clock.Advance(g_call_cost);
      },
      options);
  return spec;
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

// Failures reported by `statement`, intercepted so their text can be checked
// for what must NOT be there.
template <class Fn>
std::vector<std::string> FailureMessages(Fn statement) {
  ::testing::TestPartResultArray results;
  {
    ::testing::ScopedFakeTestPartResultReporter reporter(
        ::testing::ScopedFakeTestPartResultReporter::
            INTERCEPT_ONLY_CURRENT_THREAD,
        &results);
    statement();
  }
  std::vector<std::string> messages;
  for (int i = 0; i < results.size(); ++i) {
    messages.push_back(results.GetTestPartResult(i).message());
  }
  return messages;
}

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

std::string Joined(const std::vector<std::string>& messages) {
  std::string out;
  for (const std::string& m : messages) out += m + "\n";
  return out;
}

using perfcheck::test::ScopedEnv;

// ------------------------------------------------------------ pass paths ----

TEST(PerfcheckMacros, PassWhenWithinBounds) {
  EXPECT_P50_BELOW(Checkout(), 2ms);
  EXPECT_P90_BELOW(Checkout(), 2ms);
  EXPECT_P95_BELOW(Checkout(), 2ms);
  EXPECT_P99_BELOW(Checkout(), 2ms);
  EXPECT_P999_BELOW(Checkout(), 1.5s);
  EXPECT_MAX_BELOW(Checkout(), 2ms);
  EXPECT_MEAN_BELOW(Checkout(), 2ms);
  EXPECT_PERCENTILE_BELOW(Checkout(), 75, 2ms);
  EXPECT_ERROR_RATE_BELOW(Checkout(), 0.01);
  EXPECT_THROUGHPUT_AT_LEAST(Checkout(), 500);
  ASSERT_P50_BELOW(Checkout(), 2ms);
  ASSERT_P90_BELOW(Checkout(), 2ms);
  ASSERT_P95_BELOW(Checkout(), 2ms);
  ASSERT_P99_BELOW(Checkout(), 2ms);
  ASSERT_P999_BELOW(Checkout(), 2ms);
  ASSERT_MAX_BELOW(Checkout(), 2ms);
  ASSERT_MEAN_BELOW(Checkout(), 2ms);
  ASSERT_PERCENTILE_BELOW(Checkout(), 99.99, 2ms);
  ASSERT_ERROR_RATE_BELOW(Checkout(), 0.01);
  ASSERT_THROUGHPUT_AT_LEAST(Checkout(), 500);
}

TEST(PerfcheckMacros, PredicateFormattersTakeChronoLimitsDirectly) {
  const perfcheck::Result& r = Checkout();
  EXPECT_TRUE(perfcheck::testing::P95Below("r", "500ms", r, 500ms));
  EXPECT_FALSE(perfcheck::testing::P95Below("r", "500us", r, 500us));
  EXPECT_TRUE(perfcheck::testing::MaxBelow("r", "1.5s", r, 1.5s));
  EXPECT_EQ(perfcheck::testing::Limit(1.5s).nanos(), 1'500'000'000);
  EXPECT_EQ(perfcheck::testing::Limit(2us).nanos(), 2'000);
  EXPECT_EQ(perfcheck::testing::Limit::Nanoseconds(7).nanos(), 7);
}

// ---------------------------------------------------------- failure paths ----

TEST(PerfcheckMacros, EveryLatencyMacroFailsWithGtestShapedMessage) {
  EXPECT_NONFATAL_FAILURE(EXPECT_P50_BELOW(Checkout(), 500us),
                          "Expected: p50 of checkout (Checkout()) < 500 us "
                          "(500us)\n  Actual: p50 = ");
  EXPECT_NONFATAL_FAILURE(EXPECT_P90_BELOW(Checkout(), 500us),
                          "p90 of checkout (Checkout())");
  EXPECT_NONFATAL_FAILURE(EXPECT_P95_BELOW(Checkout(), 500us),
                          "\n  Actual: p95 = 1.");
  EXPECT_NONFATAL_FAILURE(EXPECT_P99_BELOW(Checkout(), 500us),
                          "Actual: p99 = ");
  EXPECT_NONFATAL_FAILURE(EXPECT_P999_BELOW(Checkout(), 500us),
                          "Actual: p99.9 = ");
  EXPECT_NONFATAL_FAILURE(EXPECT_MAX_BELOW(Checkout(), 500us),
                          "Expected: max of checkout");
  EXPECT_NONFATAL_FAILURE(EXPECT_MEAN_BELOW(Checkout(), 500us),
                          "Actual: mean = ");
  EXPECT_NONFATAL_FAILURE(EXPECT_PERCENTILE_BELOW(Checkout(), 75, 500us),
                          "Expected: p75 (75) of checkout (Checkout()) < ");
  // The distribution line carries n and errors.
  EXPECT_NONFATAL_FAILURE(EXPECT_P95_BELOW(Checkout(), 500us),
                          "\n  n=997 errors=3 min=");
}

TEST(PerfcheckMacros, AssertTwinsAreFatal) {
  EXPECT_FATAL_FAILURE(ASSERT_P50_BELOW(Checkout(), 500us), "p50 of checkout");
  EXPECT_FATAL_FAILURE(ASSERT_P90_BELOW(Checkout(), 500us), "p90 of checkout");
  EXPECT_FATAL_FAILURE(ASSERT_P95_BELOW(Checkout(), 500us), "p95 of checkout");
  EXPECT_FATAL_FAILURE(ASSERT_P99_BELOW(Checkout(), 500us), "p99 of checkout");
  EXPECT_FATAL_FAILURE(ASSERT_P999_BELOW(Checkout(), 500us),
                       "p99.9 of checkout");
  EXPECT_FATAL_FAILURE(ASSERT_MAX_BELOW(Checkout(), 500us), "max of checkout");
  EXPECT_FATAL_FAILURE(ASSERT_MEAN_BELOW(Checkout(), 500us),
                       "mean of checkout");
  EXPECT_FATAL_FAILURE(ASSERT_PERCENTILE_BELOW(Checkout(), 99.99, 500us),
                       "p99.99 (99.99) of checkout");
  EXPECT_FATAL_FAILURE(ASSERT_ERROR_RATE_BELOW(Checkout(), 0.001),
                       "error rate of checkout");
  EXPECT_FATAL_FAILURE(ASSERT_THROUGHPUT_AT_LEAST(Checkout(), 5000),
                       "throughput of checkout");
}

TEST(PerfcheckMacros, ErrorRateAndThroughputFailures) {
  EXPECT_NONFATAL_FAILURE(
      EXPECT_ERROR_RATE_BELOW(Checkout(), 0.001),
      "Expected: error rate of checkout (Checkout()) < 0.1% (0.001)\n"
      "  Actual: error rate = 0.3% (3 of 1000 operations)");
  EXPECT_NONFATAL_FAILURE(EXPECT_THROUGHPUT_AT_LEAST(Checkout(), 5000),
                          "Expected: throughput of checkout (Checkout()) >= ");
  EXPECT_NONFATAL_FAILURE(EXPECT_THROUGHPUT_AT_LEAST(Checkout(), 5000),
                          "(5000)\n  Actual: throughput = ");
}

TEST(PerfcheckMacros, NoSuccessfulOperationFailsLatencyBounds) {
  EXPECT_NONFATAL_FAILURE(EXPECT_P95_BELOW(Down(), 1s),
                          "Actual: no successful operations");
  EXPECT_NONFATAL_FAILURE(EXPECT_MEAN_BELOW(Down(), 1s),
                          "n=0 errors=5 (no successful operations)");
}

TEST(PerfcheckMacros, ContextIsAppendedToTheMessage) {
  EXPECT_NONFATAL_FAILURE(EXPECT_P95_BELOW(Checkout(), 500us)
                              << "SLO for common UI actions",
                          "SLO for common UI actions");
  EXPECT_FATAL_FAILURE(ASSERT_ERROR_RATE_BELOW(Checkout(), 0.0)
                           << "ticket #" << 42,
                       "ticket #42");
}

TEST(PerfcheckMacros, ArgumentsAreEvaluatedExactlyOnce) {
  g_evaluations = 0;
  EXPECT_P95_BELOW((++g_evaluations, Checkout()), (++g_evaluations, 2ms));
  EXPECT_EQ(g_evaluations, 2);

  g_evaluations = 0;
  EXPECT_NONFATAL_FAILURE(
      EXPECT_PERCENTILE_BELOW((++g_evaluations, Checkout()),
                              (++g_evaluations, 95.0), (++g_evaluations, 1us)),
      "p95");
  EXPECT_EQ(g_evaluations, 3);

  g_evaluations = 0;
  EXPECT_FATAL_FAILURE(
      ASSERT_ERROR_RATE_BELOW((++g_evaluations, Checkout()), 0.0), "error");
  EXPECT_EQ(g_evaluations, 1);
}

TEST(PerfcheckMacros, InvalidBoundsThrow) {
  EXPECT_THROW(EXPECT_P95_BELOW(Checkout(), -1ms), std::invalid_argument);
  EXPECT_THROW(EXPECT_PERCENTILE_BELOW(Checkout(), 101, 1ms),
               std::invalid_argument);
  EXPECT_THROW(EXPECT_PERCENTILE_BELOW(Checkout(), -1, 1ms),
               std::invalid_argument);
  EXPECT_THROW(EXPECT_ERROR_RATE_BELOW(Checkout(), 1.5), std::invalid_argument);
  EXPECT_THROW(EXPECT_THROUGHPUT_AT_LEAST(Checkout(), -1),
               std::invalid_argument);
  // A Measurable is not run when the bound is wrong.
  g_calls = 0;
  EXPECT_THROW(EXPECT_P95_BELOW(Tick(), -1ms), std::invalid_argument);
  EXPECT_THROW(EXPECT_ERROR_RATE_BELOW(Tick(), 2), std::invalid_argument);
  EXPECT_EQ(g_calls, 0);
}

// -------------------------------------------------------------- Measurable
// ----

TEST(PerfcheckMeasurable, RunsTheSpecOnceAndJudgesIt) {
  g_call_cost = 1'000'000;  // 1 ms of simulated time per call
  g_calls = 0;
  EXPECT_P95_BELOW(Tick(), 2ms);
  EXPECT_EQ(g_calls, 200);

  // Every later assertion on the same spec in this test judges that run.
  EXPECT_NONFATAL_FAILURE(EXPECT_P95_BELOW(Tick(), 500us),
                          "Expected: p95 of tick (Tick()) < 500 us");
  EXPECT_FATAL_FAILURE(ASSERT_MEAN_BELOW(Tick(), 500us), "Actual: mean = 1");
  EXPECT_ERROR_RATE_BELOW(Tick(), 0.0);
  EXPECT_PERCENTILE_BELOW(Tick(), 50, 2ms);
  // 1 ms per call in simulated time: about 1000 calls per second.
  EXPECT_THROUGHPUT_AT_LEAST(Tick(), 500);
  EXPECT_NONFATAL_FAILURE(EXPECT_THROUGHPUT_AT_LEAST(Tick(), 5000),
                          "throughput of tick");
  EXPECT_EQ(g_calls, 200);
}

// A spec like Tick(), built where it is used.
perfcheck::CallableSpec LocalTick() {
  return perfcheck::Callable(
      "tick",
      [] {
        ++g_calls;
        g_clock.Advance(g_call_cost);
      },
      {.warmup_iterations = 0, .iterations = 200, .clock = &g_clock});
}

TEST(PerfcheckMeasurable, RemeasureRunsAgainAndItsRunIsKept) {
  g_call_cost = 1'000'000;
  g_calls = 0;
  const perfcheck::CallableSpec op = LocalTick();
  EXPECT_P95_BELOW(op, 2ms);
  g_call_cost = 3'000'000;
  const std::vector<std::string> failures = FailureMessages([&] {
    EXPECT_P95_BELOW(perfcheck::testing::Remeasure(op), 2ms);
    // The new run is op's Result from now on.
    EXPECT_P99_BELOW(op, 2ms);
  });
  EXPECT_EQ(failures.size(), 2u) << Joined(failures);
  EXPECT_EQ(g_calls, 400);
  g_call_cost = 1'000'000;
}

TEST(PerfcheckMeasurable, ASpecBuiltAnewIsMeasuredAgain) {
  // Each iteration's spec may sit at the same address: identity is the
  // object's, not its address or its name.
  g_calls = 0;
  for (const perfcheck::Nanos cost : {1'000'000, 3'000'000}) {
    g_call_cost = cost;
    const perfcheck::CallableSpec op = LocalTick();
    EXPECT_EQ(FailureMessages([&] { EXPECT_MAX_BELOW(op, 2ms); }).size(),
              cost > 2'000'000 ? 1u : 0u);
  }
  EXPECT_EQ(g_calls, 400);
  // A temporary is a new object each time too.
  EXPECT_P95_BELOW(LocalTick(), 4ms);
  EXPECT_P95_BELOW(LocalTick(), 4ms);
  EXPECT_EQ(g_calls, 800);
  g_call_cost = 1'000'000;
}

// The same object in the next test is measured again (RunsTheSpecOnce...
// measured Tick() already).
TEST(PerfcheckMeasurable, TheNextTestMeasuresAgain) {
  g_call_cost = 1'000'000;
  g_calls = 0;
  EXPECT_P95_BELOW(Tick(), 2ms);
  EXPECT_EQ(g_calls, 200);
}

// ----------------------------------------------------------- allocations ----

// 997 successful calls and 3 failed ones, counted at 2.5 operator new calls
// and 96 bytes per call, as Measure leaves a Result.
const perfcheck::Result& Parse() {
  static const perfcheck::Result r = [] {
    perfcheck::Result p = MakeResult("parse", 1'000'000, 997, 3);
    p.counts.allocations = 2.5;
    p.counts.allocated_bytes = 96;
    p.counts.operations = 1000;
    p.counts.key = "x86_64 GCC 12.2.0 Release";
    return p;
  }();
  return r;
}

// Defeats the compiler's right to drop a new/delete pair it can see through.
void* volatile g_escape = nullptr;

// A spec whose every call makes one operator new call of sizeof(long).
int g_alloc_calls = 0;
const perfcheck::CallableSpec& NewLong() {
  static const perfcheck::MeasureOptions options{
      .warmup_iterations = 0, .iterations = 50, .clock = &g_clock};
  static const perfcheck::CallableSpec spec = perfcheck::Callable(
      "new_long",
      [] {
        ++g_alloc_calls;
        long* p = new long(7);
        g_escape = p;
        delete p;
      },
      options);
  return spec;
}

TEST(PerfcheckAllocations, PassAtOrBelowTheBound) {
  EXPECT_ALLOCATIONS_AT_MOST(Parse(), 3);
  EXPECT_ALLOCATIONS_AT_MOST(Parse(), 2.5);  // "at most": equal passes
  EXPECT_ALLOCATED_BYTES_AT_MOST(Parse(), 96);
  EXPECT_ALLOCATED_BYTES_AT_MOST(Parse(), 1024);
  ASSERT_ALLOCATIONS_AT_MOST(Parse(), 2.5);
  ASSERT_ALLOCATED_BYTES_AT_MOST(Parse(), 96);
}

TEST(PerfcheckAllocations, FailWithGtestShapedMessage) {
  EXPECT_NONFATAL_FAILURE(
      EXPECT_ALLOCATIONS_AT_MOST(Parse(), 2),
      "Expected: allocations of parse (Parse()) <= 2 per operation (2)\n"
      "  Actual: allocations = 2.5 per operation (mean over 1000 "
      "operations)\n  n=997 errors=3 min=");
  EXPECT_NONFATAL_FAILURE(
      EXPECT_ALLOCATED_BYTES_AT_MOST(Parse(), 64),
      "Expected: allocated bytes of parse (Parse()) <= 64 B per operation "
      "(64)\n  Actual: allocated bytes = 96 B per operation (mean over 1000 "
      "operations)");
  EXPECT_FATAL_FAILURE(ASSERT_ALLOCATIONS_AT_MOST(Parse(), 0),
                       "allocations of parse");
  EXPECT_FATAL_FAILURE(ASSERT_ALLOCATED_BYTES_AT_MOST(Parse(), 0),
                       "allocated bytes of parse");
  EXPECT_NONFATAL_FAILURE(EXPECT_ALLOCATIONS_AT_MOST(Parse(), 1)
                              << "hot path must not allocate",
                          "hot path must not allocate");
}

TEST(PerfcheckAllocations, NoCountsFailSayingWhatToLink) {
  // Checkout() was timed by hand: nothing counted its allocations.
  EXPECT_NONFATAL_FAILURE(
      EXPECT_ALLOCATIONS_AT_MOST(Checkout(), 1000),
      "  Actual: allocations not counted: only perfcheck::Measure and "
      "Callable count allocations, and only in a binary that links "
      "perfcheck::allocation_hooks (perfcheck::gtest_main links it)");
  EXPECT_NONFATAL_FAILURE(EXPECT_ALLOCATED_BYTES_AT_MOST(Checkout(), 1e9),
                          "allocated bytes not counted: ");
  // Nothing ran.
  EXPECT_NONFATAL_FAILURE(
      EXPECT_ALLOCATIONS_AT_MOST(perfcheck::Result("idle"), 1000),
      "  Actual: no operations");
}

TEST(PerfcheckAllocations, ArgumentsAreEvaluatedExactlyOnce) {
  g_evaluations = 0;
  EXPECT_ALLOCATIONS_AT_MOST((++g_evaluations, Parse()), (++g_evaluations, 3));
  EXPECT_EQ(g_evaluations, 2);
  g_evaluations = 0;
  EXPECT_FATAL_FAILURE(
      ASSERT_ALLOCATED_BYTES_AT_MOST((++g_evaluations, Parse()), 1), "bytes");
  EXPECT_EQ(g_evaluations, 1);
}

TEST(PerfcheckAllocations, InvalidBoundsThrowBeforeAMeasurableRuns) {
  EXPECT_THROW(EXPECT_ALLOCATIONS_AT_MOST(Parse(), -1), std::invalid_argument);
  EXPECT_THROW(EXPECT_ALLOCATED_BYTES_AT_MOST(Parse(), std::nan("")),
               std::invalid_argument);
  g_alloc_calls = 0;
  EXPECT_THROW(EXPECT_ALLOCATIONS_AT_MOST(NewLong(), -1),
               std::invalid_argument);
  EXPECT_THROW(EXPECT_ALLOCATED_BYTES_AT_MOST(NewLong(), -1),
               std::invalid_argument);
  EXPECT_EQ(g_alloc_calls, 0);
}

// This binary links perfcheck::allocation_hooks, as perfcheck::gtest_main does.
TEST(PerfcheckAllocations, MeasurableIsRunOnceAndItsCountsJudged) {
  g_alloc_calls = 0;
  EXPECT_ALLOCATIONS_AT_MOST(NewLong(), 1);
  EXPECT_EQ(g_alloc_calls, 50);
  EXPECT_ALLOCATED_BYTES_AT_MOST(NewLong(), sizeof(long));
  EXPECT_NONFATAL_FAILURE(
      EXPECT_ALLOCATIONS_AT_MOST(NewLong(), 0),
      "Expected: allocations of new_long (NewLong()) <= 0 per operation (0)\n"
      "  Actual: allocations = 1 per operation (mean over 50 operations)");
  EXPECT_NONFATAL_FAILURE(
      EXPECT_ALLOCATED_BYTES_AT_MOST(NewLong(), 1),
      "  Actual: allocated bytes = " + std::to_string(sizeof(long)) +
          " B per operation (mean over 50 operations)");
}

TEST(PerfcheckAllocations, RecordedAndRegisteredLikeEveryBound) {
  EXPECT_ALLOCATIONS_AT_MOST(Parse(), 3);
  EXPECT_EQ(PropertyValue("perfcheck.parse.allocations"), "2.5");
  EXPECT_EQ(PropertyValue("perfcheck.parse.allocated_bytes"), "96");
  EXPECT_EQ(PropertyValue("perfcheck.parse.sla.allocations"),
            "allocations <= 3 per operation: pass");
  EXPECT_NONFATAL_FAILURE(EXPECT_ALLOCATED_BYTES_AT_MOST(Parse(), 8), "bytes");
  EXPECT_EQ(PropertyValue("perfcheck.parse.sla.allocated_bytes"),
            "allocated bytes <= 8 B per operation: FAIL");
  int found = 0;
  for (const auto& e : perfcheck::testing::RegisteredResults()) {
    if (e.test_id !=
        "PerfcheckAllocations.RecordedAndRegisteredLikeEveryBound") {
      continue;
    }
    ++found;
    EXPECT_EQ(e.Verdict(), "FAIL: allocated_bytes");
    EXPECT_EQ(e.result.counts, Parse().counts);
  }
  EXPECT_EQ(found, 1);
}

// ------------------------------------------------ instruction-count runs ----
// The whole path in such a run is tested by gtest_instruction_run_test, a
// process that sees PERFCHECK_CALLGRIND_OUT from its start.

TEST(PerfcheckInstructionRun, TimeIsJudgedOnlyOutsideAnInstructionCountRun) {
  EXPECT_EQ(perfcheck::testing::internal::TimeNotJudgedNote("p95", false),
            std::nullopt);
  EXPECT_EQ(perfcheck::testing::internal::TimeNotJudgedNote("p95", true),
            "p95 not judged: instruction-count run under Valgrind (times are "
            "Valgrind's)");
  EXPECT_EQ(perfcheck::testing::internal::TimeNotJudgedNote("throughput", true)
                ->rfind("throughput not judged: ", 0),
            0u);
}

// ---------------------------------------------- properties and registry ----

TEST(PerfcheckRecording, EveryAssertionRecordsProperties) {
  EXPECT_P95_BELOW(Checkout(), 2ms);
  EXPECT_EQ(PropertyValue("perfcheck.checkout.n"), "997");
  EXPECT_EQ(PropertyValue("perfcheck.checkout.errors"), "3");
  EXPECT_EQ(PropertyValue("perfcheck.checkout.p95_ns"),
            std::to_string(Checkout().latency.Percentile(95)));
  EXPECT_NE(PropertyValue("perfcheck.checkout.throughput"), "<missing>");
  EXPECT_NE(PropertyValue("perfcheck.checkout.sla.p95").find(": pass"),
            std::string::npos);

  // Failing assertions record too.
  EXPECT_NONFATAL_FAILURE(EXPECT_P999_BELOW(Checkout(), 1us), "p99.9");
  EXPECT_EQ(PropertyValue("perfcheck.checkout.p99.9_ns"),
            std::to_string(Checkout().latency.Percentile(99.9)));
  EXPECT_NE(PropertyValue("perfcheck.checkout.sla.p99.9").find(": FAIL"),
            std::string::npos);
}

TEST(PerfcheckRecording, PropertyKeysAreSanitized) {
  EXPECT_MAX_BELOW(MakeResult("GET /orders?id", 1000, 30), 1s);
  EXPECT_EQ(PropertyValue("perfcheck.GET__orders_id.n"), "30");
  // The examples of docs/junit.md.
  EXPECT_MAX_BELOW(
      MakeResult("GET /api/method/ping?api_key=<redacted>", 1000, 31), 1s);
  EXPECT_EQ(
      PropertyValue("perfcheck.GET__api_method_ping_api_key__redacted_.n"),
      "31");
  EXPECT_MAX_BELOW(MakeResult("", 1000, 32), 1s);
  EXPECT_EQ(PropertyValue("perfcheck.unnamed.n"), "32");
  EXPECT_PERCENTILE_BELOW(MakeResult("rbac.check", 1000, 33), 99.9, 1s);
  EXPECT_NE(PropertyValue("perfcheck.rbac.check.p99.9_ns"), "<missing>");
  EXPECT_EQ(PropertyValue("perfcheck.rbac.check.sla.p99.9"),
            "p99.9 < 1 s: pass");
}

TEST(PerfcheckRecording, ResultsAreRegisteredPerTestAndDeduplicated) {
  EXPECT_P50_BELOW(Checkout(), 2ms);
  EXPECT_NONFATAL_FAILURE(EXPECT_P99_BELOW(Checkout(), 1us), "p99");
  EXPECT_MEAN_BELOW(Checkout(), 2ms);
  int found = 0;
  for (const auto& e : perfcheck::testing::RegisteredResults()) {
    if (e.test_id ==
            "PerfcheckRecording.ResultsAreRegisteredPerTestAndDeduplicated" &&
        e.result.name == "checkout") {
      ++found;
      EXPECT_EQ(e.failed, std::vector<std::string>{"p99"});
      EXPECT_EQ(e.Verdict(), "FAIL: p99");
      EXPECT_EQ(e.result.OkCount(), 997u);
    }
  }
  EXPECT_EQ(found, 1);
  EXPECT_EQ(perfcheck::testing::CurrentTestId(),
            "PerfcheckRecording.ResultsAreRegisteredPerTestAndDeduplicated");
}

// --------------------------------------------------- listener and flags ----

TEST(PerfcheckListener, SummaryTableAndFileNames) {
  perfcheck::testing::RegisteredResult ok{"Orders.Search", Checkout(), {}, {}};
  perfcheck::testing::RegisteredResult bad{
      "Orders.Create", Down(), {"p95"}, {}};
  perfcheck::testing::RegisteredResult fresh{
      "Orders.List", Checkout(), {}, {"no baseline"}};
  const std::string table = perfcheck::testing::SummaryTable({ok, bad, fresh});
  std::istringstream lines(table);
  std::string title, header, rule, row1, row2, row3;
  std::getline(lines, title);
  std::getline(lines, header);
  std::getline(lines, rule);
  std::getline(lines, row1);
  std::getline(lines, row2);
  std::getline(lines, row3);
  EXPECT_EQ(title, "perfcheck summary (3 results)");
  std::istringstream columns(header);
  std::vector<std::string> names{std::istream_iterator<std::string>(columns),
                                 {}};
  EXPECT_EQ(names, (std::vector<std::string>{"test", "result", "n", "errors",
                                             "p50", "p95", "p99", "max",
                                             "throughput", "verdict"}));
  EXPECT_EQ(rule.find_first_not_of('-'), std::string::npos);
  EXPECT_EQ(row1.rfind("Orders.Search", 0), 0u);
  EXPECT_NE(row1.find("checkout"), std::string::npos);
  EXPECT_NE(row1.find(" 997 "), std::string::npos);
  EXPECT_EQ(row1.substr(row1.size() - 4), "pass");
  EXPECT_EQ(row2.substr(row2.size() - 9), "FAIL: p95");
  EXPECT_EQ(row3.substr(row3.size() - 18), "pass (no baseline)");
  EXPECT_EQ(perfcheck::testing::SummaryTable({}), "");

  EXPECT_EQ(perfcheck::testing::ResultFileName("Suite/0.Test/1", "GET /a b"),
            "Suite_0.Test_1.GET__a_b.json");
}

// The table's title, column names and rows, each row split at runs of
// spaces (no cell in these tests holds two spaces).
struct Table {
  std::string title;
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
};

Table ParseTable(const std::string& text) {
  auto split = [](const std::string& line) {
    std::vector<std::string> cells;
    std::size_t at = 0;
    while (at < line.size()) {
      std::size_t end = line.find("  ", at);
      if (end == std::string::npos) end = line.size();
      std::string cell = line.substr(at, end - at);
      cell.erase(0, cell.find_first_not_of(' '));
      if (!cell.empty()) cells.push_back(cell);
      at = end + 1;
    }
    return cells;
  };
  std::istringstream lines(text);
  Table table;
  std::string line;
  std::getline(lines, table.title);
  std::getline(lines, line);
  table.header = split(line);
  std::getline(lines, line);  // the rule
  while (std::getline(lines, line)) table.rows.push_back(split(line));
  return table;
}

TEST(PerfcheckListener, SummaryTableShowsAllocationsPerOperation) {
  perfcheck::Result counted = Checkout();
  counted.counts.allocations = 3;
  counted.counts.allocated_bytes = 123456;
  perfcheck::Result fractional = Checkout();
  fractional.name = "search";
  fractional.counts.allocations = 2.5;
  fractional.counts.allocated_bytes = 1000;
  perfcheck::testing::RegisteredResult a{"Orders.Search", counted, {}, {}};
  perfcheck::testing::RegisteredResult b{"Orders.Find", fractional, {}, {}};
  perfcheck::testing::RegisteredResult none{"Orders.List", Checkout(), {}, {}};
  const Table table =
      ParseTable(perfcheck::testing::SummaryTable({a, b, none}));
  EXPECT_EQ(table.title, "perfcheck summary (3 results)");
  EXPECT_EQ(table.header,
            (std::vector<std::string>{"test", "result", "n", "errors", "p50",
                                      "p95", "p99", "max", "throughput",
                                      "allocs/op", "bytes/op", "verdict"}));
  ASSERT_EQ(table.rows.size(), 3u);
  for (const auto& row : table.rows) ASSERT_EQ(row.size(), 12u);
  EXPECT_EQ(table.rows[0][9], "3");
  EXPECT_EQ(table.rows[0][10], "123,456");
  EXPECT_EQ(table.rows[1][9], "2.5");
  EXPECT_EQ(table.rows[1][10], "1,000");
  // A result without counts shows a dash, not a zero.
  EXPECT_EQ(table.rows[2][9], "-");
  EXPECT_EQ(table.rows[2][10], "-");
  EXPECT_EQ(table.rows[2][11], "pass");
}

TEST(PerfcheckListener, SummaryTableOfAnInstructionRunShowsCountsNotTimes) {
  perfcheck::Result counted = Checkout();
  counted.counts.instructions = 12787040;
  perfcheck::Result small = Checkout();
  small.name = "noop";
  small.counts.instructions = 999;
  perfcheck::testing::RegisteredResult a{
      "Orders.Search.instructions", counted, {}, {}};
  perfcheck::testing::RegisteredResult b{
      "Orders.Noop.instructions", small, {"regression"}, {}};
  perfcheck::testing::RegisteredResult none{
      "Orders.List.instructions", Checkout(), {}, {"no baseline"}};
  const std::string text = perfcheck::testing::SummaryTable({a, b, none});
  const Table table = ParseTable(text);
  EXPECT_EQ(table.title,
            "perfcheck summary (3 results, instruction counts under Valgrind)");
  EXPECT_EQ(table.header,
            (std::vector<std::string>{"test", "result", "n", "errors",
                                      "instructions/op", "verdict"}));
  ASSERT_EQ(table.rows.size(), 3u);
  EXPECT_EQ(table.rows[0],
            (std::vector<std::string>{"Orders.Search.instructions", "checkout",
                                      "997", "3", "12,787,040", "pass"}));
  EXPECT_EQ(table.rows[1][4], "999");
  EXPECT_EQ(table.rows[1][5], "FAIL: regression");
  EXPECT_EQ(table.rows[2][4], "-");
  // Valgrind's times are not shown at all.
  EXPECT_EQ(text.find(" ms"), std::string::npos) << text;
  EXPECT_EQ(text.find("/s"), std::string::npos) << text;

  // With allocation counts too, both kinds of count.
  counted.counts.allocations = 1;
  counted.counts.allocated_bytes = 4096;
  a.result = counted;
  const Table both = ParseTable(perfcheck::testing::SummaryTable({a}));
  EXPECT_EQ(both.title,
            "perfcheck summary (1 result, instruction counts under Valgrind)");
  EXPECT_EQ(both.header, (std::vector<std::string>{
                             "test", "result", "n", "errors", "instructions/op",
                             "allocs/op", "bytes/op", "verdict"}));
  ASSERT_EQ(both.rows.size(), 1u);
  EXPECT_EQ(both.rows[0], (std::vector<std::string>{
                              "Orders.Search.instructions", "checkout", "997",
                              "3", "12,787,040", "1", "4,096", "pass"}));
}

TEST(PerfcheckFlags, ParseFlagsRemovesOnlyPerfcheckFlags) {
  const perfcheck::testing::PerfFlags saved = perfcheck::testing::GetFlags();
  std::string a0 = "prog", a1 = "--gtest_color=no",
              a2 = "--perfcheck_baseline_dir=/tmp/b",
              a3 = "--perfcheck_update_baselines=replace", a4 = "positional",
              a5 = "--perfcheck_tolerance=15%",
              a6 = "--perfcheck_results_dir=out",
              a7 = "--perfcheck_candidate_dir=cand";
  char* argv[] = {a0.data(), a1.data(), a2.data(), a3.data(), a4.data(),
                  a5.data(), a6.data(), a7.data(), nullptr};
  int argc = 8;
  perfcheck::testing::ParseFlags(&argc, argv);
  ASSERT_EQ(argc, 3);
  EXPECT_EQ(std::string(argv[0]), "prog");
  EXPECT_EQ(std::string(argv[1]), "--gtest_color=no");
  EXPECT_EQ(std::string(argv[2]), "positional");
  EXPECT_EQ(argv[3], nullptr);
  EXPECT_EQ(perfcheck::testing::BaselineDir(), fs::path("/tmp/b"));
  EXPECT_EQ(perfcheck::testing::ResultsDir(), fs::path("out"));
  EXPECT_EQ(perfcheck::testing::CandidateDir(), fs::path("cand"));
  EXPECT_EQ(perfcheck::testing::GetFlags().update_baselines,
            perfcheck::UpdateMode::kReplace);
  EXPECT_DOUBLE_EQ(*perfcheck::testing::RegressionTolerance(), 0.15);

  std::string bad = "--perfcheck_baseline_dri=x";
  char* argv2[] = {a0.data(), bad.data(), nullptr};
  int argc2 = 2;
  EXPECT_THROW(perfcheck::testing::ParseFlags(&argc2, argv2),
               std::invalid_argument);
  EXPECT_EQ(argc2, 2);  // untouched on error
  std::string bad_tol = "--perfcheck_tolerance=ten";
  char* argv3[] = {a0.data(), bad_tol.data(), nullptr};
  int argc3 = 2;
  EXPECT_THROW(perfcheck::testing::ParseFlags(&argc3, argv3),
               std::invalid_argument);
  perfcheck::testing::SetFlags(saved);
}

TEST(PerfcheckFlags, ToleranceAndPrecedence) {
  EXPECT_EQ(perfcheck::testing::ParseTolerance("10%"), 0.10);
  EXPECT_EQ(perfcheck::testing::ParseTolerance("0.25"), 0.25);
  EXPECT_EQ(perfcheck::testing::ParseTolerance("0"), std::nullopt);
  EXPECT_EQ(perfcheck::testing::ParseTolerance("abc"), std::nullopt);
  EXPECT_EQ(perfcheck::testing::ParseTolerance(""), std::nullopt);

  const perfcheck::testing::PerfFlags saved = perfcheck::testing::GetFlags();
  perfcheck::testing::SetFlags({});
  ::unsetenv("PERFCHECK_BASELINE_DIR");
  EXPECT_EQ(perfcheck::testing::BaselineDir(), fs::path("baselines"));
  EXPECT_EQ(perfcheck::testing::CandidateDir(),
            fs::path("perfcheck-candidates"));
  EXPECT_EQ(perfcheck::testing::ResultsDir(), fs::path("perfcheck-results"));
  ::setenv("PERFCHECK_BASELINE_DIR", "/env/dir", 1);
  EXPECT_EQ(perfcheck::testing::BaselineDir(), fs::path("/env/dir"));
  perfcheck::testing::PerfFlags flags;
  flags.baseline_dir = "/flag/dir";
  perfcheck::testing::SetFlags(flags);
  EXPECT_EQ(perfcheck::testing::BaselineDir(), fs::path("/flag/dir"));
  ::unsetenv("PERFCHECK_BASELINE_DIR");
  perfcheck::testing::SetFlags(saved);
}

TEST(PerfcheckFlags, TestbedFlagIsValidatedAndSetsTheProcessTestbed) {
  const perfcheck::testing::PerfFlags saved = perfcheck::testing::GetFlags();
  ScopedEnv no_env("PERFCHECK_TESTBED", nullptr);
  std::string a0 = "prog", good = "--perfcheck_testbed=ci-runner.2",
              other = "positional";
  char* argv[] = {a0.data(), good.data(), other.data(), nullptr};
  int argc = 3;
  perfcheck::testing::ParseFlags(&argc, argv);
  ASSERT_EQ(argc, 2);
  EXPECT_EQ(std::string(argv[1]), "positional");
  EXPECT_EQ(perfcheck::testing::GetFlags().testbed, "ci-runner.2");
  const perfcheck::StatusOr<std::string> given = perfcheck::GivenTestbedName();
  ASSERT_TRUE(given.ok()) << given.status().message();
  EXPECT_EQ(*given, "ci-runner.2");
  EXPECT_EQ(perfcheck::CaptureFingerprint().testbed, "ci-runner.2");

  for (std::string bad :
       {"--perfcheck_testbed=bad name", "--perfcheck_testbed=auto-1a2b3c4d",
        "--perfcheck_testbed=", "--perfcheck_testbed"}) {
    SCOPED_TRACE(bad);
    char* argv2[] = {a0.data(), bad.data(), nullptr};
    int argc2 = 2;
    try {
      perfcheck::testing::ParseFlags(&argc2, argv2);
      ADD_FAILURE() << "no exception for " << bad;
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find("--perfcheck_testbed"),
                std::string::npos)
          << e.what();
    }
    EXPECT_EQ(argc2, 2);  // untouched on error
    // The testbed in effect is unchanged.
    EXPECT_EQ(perfcheck::GivenTestbedName().value(), "ci-runner.2");
  }

  perfcheck::testing::SetFlags(saved);
  perfcheck::SetTestbedName("");
  EXPECT_EQ(perfcheck::GivenTestbedName().value(), "");
}

TEST(PerfcheckFlags, InstructionsFlagTakesABareFlagOrABoolean) {
  const perfcheck::testing::PerfFlags saved = perfcheck::testing::GetFlags();
  std::string a0 = "prog", other = "positional";
  struct Case {
    const char* flag;
    bool before;  // the flags' value going in
    bool after;
  };
  for (const Case& c : {Case{"--perfcheck_instructions", false, true},
                        Case{"--perfcheck_instructions=1", false, true},
                        Case{"--perfcheck_instructions=true", false, true},
                        Case{"--perfcheck_instructions=0", true, false},
                        Case{"--perfcheck_instructions=false", true, false}}) {
    SCOPED_TRACE(c.flag);
    perfcheck::testing::PerfFlags start;
    start.instructions = c.before;
    perfcheck::testing::SetFlags(start);
    std::string flag = c.flag;
    char* argv[] = {a0.data(), flag.data(), other.data(), nullptr};
    int argc = 3;
    perfcheck::testing::ParseFlags(&argc, argv);
    ASSERT_EQ(argc, 2);
    EXPECT_EQ(std::string(argv[1]), "positional");
    EXPECT_EQ(perfcheck::testing::GetFlags().instructions, c.after);
  }

  for (std::string bad :
       {"--perfcheck_instructions=maybe", "--perfcheck_instructions=yes",
        "--perfcheck_instructions=TRUE"}) {
    SCOPED_TRACE(bad);
    perfcheck::testing::SetFlags({});
    char* argv[] = {a0.data(), bad.data(), nullptr};
    int argc = 2;
    try {
      perfcheck::testing::ParseFlags(&argc, argv);
      ADD_FAILURE() << "no exception for " << bad;
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find("--perfcheck_instructions"),
                std::string::npos)
          << e.what();
    }
    EXPECT_EQ(argc, 2);  // untouched on error
    EXPECT_FALSE(perfcheck::testing::GetFlags().instructions);
  }
  perfcheck::testing::SetFlags(saved);
}

TEST(PerfcheckFlags, UnknownFlagMessageListsEveryFlag) {
  const perfcheck::testing::PerfFlags saved = perfcheck::testing::GetFlags();
  std::string a0 = "prog", bad = "--perfcheck_instruction";
  char* argv[] = {a0.data(), bad.data(), nullptr};
  int argc = 2;
  try {
    perfcheck::testing::ParseFlags(&argc, argv);
    ADD_FAILURE() << "no exception for " << bad;
  } catch (const std::invalid_argument& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("unknown flag --perfcheck_instruction "),
              std::string::npos)
        << message;
    for (const char* known :
         {"--perfcheck_baseline_dir", "--perfcheck_results_dir",
          "--perfcheck_candidate_dir", "--perfcheck_update_baselines",
          "--perfcheck_tolerance", "--perfcheck_testbed",
          "--perfcheck_instructions"}) {
      EXPECT_NE(message.find(known), std::string::npos)
          << known << " missing from: " << message;
    }
  }
  EXPECT_EQ(argc, 2);
  perfcheck::testing::SetFlags(saved);
}

TEST(PerfcheckFlags, DefaultsFileBesideTheBinaryIsBelowFlagsAndVariables) {
  const perfcheck::testing::PerfFlags saved = perfcheck::testing::GetFlags();
  perfcheck::testing::SetFlags({});
  ScopedEnv baseline_env("PERFCHECK_BASELINE_DIR", nullptr);
  ScopedEnv candidate_env("PERFCHECK_CANDIDATE_DIR", nullptr);
  const fs::path root = fs::temp_directory_path() /
                        ("perfcheck_defaults_" + std::to_string(::getpid()));
  fs::create_directories(root / "bin");
  const fs::path binary = root / "bin" / "orders_perf_test";
  EXPECT_EQ(perfcheck::testing::DefaultsFileFor(binary),
            root / "bin" / "orders_perf_test.perfcheck");
  std::ofstream(root / "bin" / "orders_perf_test.perfcheck")
      << "# written by perfcheck_discover_tests\n"
      << "baseline_dir=" << (root / "src" / "baselines").string() << "\n"
      << "candidate_dir=candidates\n";

  ASSERT_TRUE(perfcheck::testing::LoadBinaryDefaults(binary).ok());
  EXPECT_EQ(perfcheck::testing::BaselineDir(), root / "src" / "baselines");
  // Relative to the file, not to the current directory.
  EXPECT_EQ(perfcheck::testing::CandidateDir(), root / "bin" / "candidates");
  EXPECT_EQ(perfcheck::testing::ResultsDir(), fs::path("perfcheck-results"));
  {
    ScopedEnv env("PERFCHECK_BASELINE_DIR", "/from/env");
    EXPECT_EQ(perfcheck::testing::BaselineDir(), fs::path("/from/env"));
    perfcheck::testing::PerfFlags flags;
    flags.baseline_dir = "/from/flag";
    perfcheck::testing::SetFlags(flags);
    EXPECT_EQ(perfcheck::testing::BaselineDir(), fs::path("/from/flag"));
    perfcheck::testing::SetFlags({});
  }

  // A malformed file is an error naming it and the line; nothing changes.
  std::ofstream(root / "bin" / "orders_perf_test.perfcheck")
      << "baseline_dir=/x\nbaseline-dir=/y\n";
  const perfcheck::Status bad = perfcheck::testing::LoadBinaryDefaults(binary);
  EXPECT_FALSE(bad.ok());
  EXPECT_NE(bad.message().find("orders_perf_test.perfcheck:2"),
            std::string::npos)
      << bad.message();
  EXPECT_EQ(perfcheck::testing::BaselineDir(), root / "src" / "baselines");

  // No file: the built-in defaults again.
  ASSERT_TRUE(perfcheck::testing::LoadBinaryDefaults(root / "other").ok());
  EXPECT_EQ(perfcheck::testing::BaselineDir(), fs::path("baselines"));
  fs::remove_all(root);
  perfcheck::testing::SetFlags(saved);
}

TEST(PerfcheckFlags, AMissingBaselineDirectoryIsNamedWithTheFlagToSet) {
  const perfcheck::testing::PerfFlags saved = perfcheck::testing::GetFlags();
  ScopedEnv update_env("PERFCHECK_UPDATE_BASELINES", nullptr);
  const fs::path root = fs::temp_directory_path() /
                        ("perfcheck_missing_" + std::to_string(::getpid()));
  fs::remove_all(root);
  perfcheck::testing::PerfFlags flags;
  flags.baseline_dir = root / "baselines";
  perfcheck::testing::SetFlags(flags);

  const std::optional<std::string> warning =
      perfcheck::testing::MissingBaselineDirWarning();
  ASSERT_TRUE(warning.has_value());
  EXPECT_NE(warning->find("no baseline directory at " +
                          (root / "baselines").string() +
                          " (from --perfcheck_baseline_dir)"),
            std::string::npos)
      << *warning;
  EXPECT_NE(warning->find("set --perfcheck_baseline_dir=DIR"),
            std::string::npos)
      << *warning;
  EXPECT_EQ(warning->find('\n'), std::string::npos) << "one line";

  // Update mode creates it: nothing to warn about.
  flags.update_baselines = perfcheck::UpdateMode::kAppend;
  perfcheck::testing::SetFlags(flags);
  EXPECT_EQ(perfcheck::testing::MissingBaselineDirWarning(), std::nullopt);

  flags.update_baselines.reset();
  perfcheck::testing::SetFlags(flags);
  fs::create_directories(root / "baselines");
  EXPECT_EQ(perfcheck::testing::MissingBaselineDirWarning(), std::nullopt);
  fs::remove_all(root);
  perfcheck::testing::SetFlags(saved);
}

// ------------------------------------------------------------ regression ----

// Points the baseline and candidate directories at a fresh temporary
// directory for each test, via the flag API.
class PerfcheckNoRegression : public ::testing::Test {
 protected:
  void SetUp() override {
    saved_ = perfcheck::testing::GetFlags();
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    root_ =
        fs::temp_directory_path() /
        ("perfcheck_gtest_" + std::to_string(::getpid()) + "_" + info->name());
    fs::remove_all(root_);
    perfcheck::testing::PerfFlags flags;
    flags.baseline_dir = root_ / "baselines";
    flags.candidate_dir = root_ / "candidates";
    flags.results_dir = root_ / "results";
    perfcheck::testing::SetFlags(flags);
    ::unsetenv("PERFCHECK_UPDATE_BASELINES");
    test_id_ = perfcheck::testing::CurrentTestId();
  }
  void TearDown() override {
    perfcheck::testing::SetFlags(saved_);
    ::unsetenv("PERFCHECK_UPDATE_BASELINES");
    fs::remove_all(root_);
  }
  perfcheck::BaselineStore Baselines() const {
    return perfcheck::BaselineStore(root_ / "baselines");
  }

  perfcheck::testing::PerfFlags saved_;
  fs::path root_;
  std::string test_id_;
};

const perfcheck::Result& Orders() {  // 1.0 .. 1.2 ms, 2000 samples
  static const perfcheck::Result r = MakeResult("orders", 1'000'000, 2000);
  return r;
}
const perfcheck::Result& OrdersSlower() {  // the same, 50% slower
  static const perfcheck::Result r = MakeResult("orders", 1'500'000, 2000);
  return r;
}

TEST_F(PerfcheckNoRegression, NoBaselinePassesAndWritesACandidate) {
  EXPECT_NO_REGRESSION(Orders());
  const fs::path candidate =
      perfcheck::BaselineStore(root_ / "candidates").PathFor(test_id_);
  EXPECT_TRUE(fs::exists(candidate)) << candidate;
  EXPECT_FALSE(fs::exists(Baselines().PathFor(test_id_)));
  EXPECT_EQ(PropertyValue("perfcheck.orders.regression"), "no_baseline");
  auto loaded = perfcheck::BaselineStore(root_ / "candidates").Load(test_id_);
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  ASSERT_TRUE(loaded->has_value());
  EXPECT_EQ((*loaded)->entries.count("orders"), 1u);
}

TEST_F(PerfcheckNoRegression, SameRunPasses) {
  ASSERT_TRUE(Baselines().Record(test_id_, Orders()).ok());
  EXPECT_NO_REGRESSION(Orders());
  EXPECT_EQ(PropertyValue("perfcheck.orders.regression"), "unchanged");
}

TEST_F(PerfcheckNoRegression, FiftyPercentSlowerFails) {
  ASSERT_TRUE(Baselines().Record(test_id_, Orders()).ok());
  EXPECT_NONFATAL_FAILURE(EXPECT_NO_REGRESSION(OrdersSlower()),
                          "Expected: no regression of orders (OrdersSlower()) "
                          "against ");
  EXPECT_NONFATAL_FAILURE(EXPECT_NO_REGRESSION(OrdersSlower()),
                          "\n  Actual: regression\n");
  EXPECT_FATAL_FAILURE(ASSERT_NO_REGRESSION(OrdersSlower()) << "PR gate",
                       "PR gate");
  EXPECT_EQ(PropertyValue("perfcheck.orders.regression"), "regression");
}

TEST_F(PerfcheckNoRegression, MalformedBaselineFailsAndStaysUntouched) {
  const fs::path file = Baselines().PathFor(test_id_);
  fs::create_directories(file.parent_path());
  const std::string garbage = "{\"schema\": \"perfcheck.baseline/v1\", oops";
  std::ofstream(file, std::ios::binary) << garbage;
  EXPECT_NONFATAL_FAILURE(EXPECT_NO_REGRESSION(Orders()),
                          file.filename().string());
  EXPECT_EQ(ReadFile(file), garbage);
  // Update mode must not overwrite it either.
  ::setenv("PERFCHECK_UPDATE_BASELINES", "1", 1);
  EXPECT_NONFATAL_FAILURE(EXPECT_NO_REGRESSION(Orders()),
                          file.filename().string());
  EXPECT_EQ(ReadFile(file), garbage);
}

TEST_F(PerfcheckNoRegression, UpdateModeRecordsIntoTheBaselines) {
  ::setenv("PERFCHECK_UPDATE_BASELINES", "1", 1);
  EXPECT_NO_REGRESSION(Orders());
  EXPECT_NO_REGRESSION(Orders());
  EXPECT_EQ(PropertyValue("perfcheck.orders.regression"), "baseline_updated");
  auto loaded = Baselines().Load(test_id_);
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  ASSERT_TRUE(loaded->has_value());
  EXPECT_EQ((*loaded)->entries.at("orders").runs.size(), 2u);

  ::setenv("PERFCHECK_UPDATE_BASELINES", "replace", 1);
  EXPECT_NO_REGRESSION(OrdersSlower());
  loaded = Baselines().Load(test_id_);
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ((*loaded)->entries.at("orders").runs.size(), 1u);

  // After the intended slowdown was recorded, the slower run is the reference.
  ::unsetenv("PERFCHECK_UPDATE_BASELINES");
  EXPECT_NO_REGRESSION(OrdersSlower());

  ::setenv("PERFCHECK_UPDATE_BASELINES", "sometimes", 1);
  EXPECT_NONFATAL_FAILURE(EXPECT_NO_REGRESSION(Orders()),
                          "PERFCHECK_UPDATE_BASELINES");
}

TEST_F(PerfcheckNoRegression, UpdateModeByFlag) {
  perfcheck::testing::PerfFlags flags = perfcheck::testing::GetFlags();
  flags.update_baselines = perfcheck::UpdateMode::kAppend;
  perfcheck::testing::SetFlags(flags);
  EXPECT_NO_REGRESSION(Orders());
  EXPECT_TRUE(fs::exists(Baselines().PathFor(test_id_)));
}

TEST_F(PerfcheckNoRegression, ImprovementPasses) {
  ASSERT_TRUE(Baselines().Record(test_id_, OrdersSlower()).ok());
  EXPECT_NO_REGRESSION(Orders());
  EXPECT_EQ(PropertyValue("perfcheck.orders.regression"), "improvement");
}

TEST_F(PerfcheckNoRegression, MeasurableRegressionIsConfirmedByARerun) {
  g_call_cost = 1'000'000;
  ASSERT_TRUE(Baselines().Record(test_id_, Tick().Run()).ok());

  // Slow in both runs: fails and reports both.
  g_call_cost = 2'000'000;
  g_calls = 0;
  EXPECT_NONFATAL_FAILURE(EXPECT_NO_REGRESSION(Tick()),
                          "regression in the first run and in the "
                          "confirmation run");
  EXPECT_EQ(g_calls, 400);
}

// A spec whose first run is slow and later runs are back to normal.
class FlakySpec final : public perfcheck::Measurable {
 public:
  std::string Name() const override { return "tick"; }
  perfcheck::Result Run() const override {
    ++runs;
    g_call_cost = runs == 1 ? 2'000'000 : 1'000'000;
    return Tick().Run();
  }
  mutable int runs = 0;
};

TEST_F(PerfcheckNoRegression, MeasurableNoiseInOneRunPasses) {
  g_call_cost = 1'000'000;
  ASSERT_TRUE(Baselines().Record(test_id_, Tick().Run()).ok());
  FlakySpec flaky;
  EXPECT_NO_REGRESSION(flaky);
  EXPECT_EQ(flaky.runs, 2);
  g_call_cost = 1'000'000;
}

TEST_F(PerfcheckNoRegression, AssertionsOnOneSpecShareOneRun) {
  perfcheck::testing::ClearRegisteredResults();
  g_call_cost = 1'000'000;
  g_calls = 0;
  const perfcheck::CallableSpec op = LocalTick();
  EXPECT_P95_BELOW(op, 2ms);
  // Were op measured again, these calls would take 3 ms and fail the bounds.
  g_call_cost = 3'000'000;
  EXPECT_P99_BELOW(op, 2ms);
  EXPECT_MAX_BELOW(op, 2ms);
  EXPECT_ERROR_RATE_BELOW(op, 0.01);
  EXPECT_NO_REGRESSION(op);  // no baseline: passes, writes a candidate
  EXPECT_EQ(g_calls, 200);

  // The summary holds that one run, with every verdict.
  const auto registered = perfcheck::testing::RegisteredResults();
  ASSERT_EQ(registered.size(), 1u);
  EXPECT_EQ(registered[0].result.OkCount(), 200u);
  EXPECT_LT(registered[0].result.latency.Max(), 2'000'000);
  EXPECT_EQ(registered[0].Verdict(), "pass (no baseline)");
  g_call_cost = 1'000'000;
  perfcheck::testing::ClearRegisteredResults();
}

// --------------------------------------------------------------- testbeds --

// The regression fixture with no testbed given (override cleared,
// PERFCHECK_TESTBED unset) and the default tolerance; both are restored
// afterwards.
class PerfcheckTestbedGate : public PerfcheckNoRegression {
 protected:
  void SetUp() override {
    PerfcheckNoRegression::SetUp();
    perfcheck::SetTestbedName("");
  }
  void TearDown() override {
    PerfcheckNoRegression::TearDown();
    perfcheck::SetTestbedName("");
  }
  perfcheck::BaselineStore Candidates() const {
    return perfcheck::BaselineStore(root_ / "candidates");
  }

  ScopedEnv testbed_env_{"PERFCHECK_TESTBED", nullptr};
  ScopedEnv tolerance_env_{"PERFCHECK_TOLERANCE", nullptr};
};

perfcheck::Result OnTestbed(perfcheck::Result r, const std::string& testbed,
                            double probe_ns = 10'000'000) {
  r.fingerprint.testbed = testbed;
  r.fingerprint.speed_probe_ns = probe_ns;
  return r;
}

TEST_F(PerfcheckTestbedGate, OtherTestbedsTimeIsNotJudgedAndACandidateIsLeft) {
  // Recorded on another machine, twice as fast as this run.
  perfcheck::Result recorded = MakeResult("orders", 500'000, 2000);
  recorded.fingerprint = perfcheck::CaptureFingerprint();
  recorded.fingerprint.testbed = "other-machine";
  ASSERT_TRUE(Baselines().Record(test_id_, recorded).ok());
  ASSERT_TRUE(Baselines().Record(test_id_, recorded).ok());
  const std::string baseline_text = ReadFile(Baselines().PathFor(test_id_));

  perfcheck::Result now = MakeResult("orders", 1'000'000, 2000);
  now.fingerprint = perfcheck::CaptureFingerprint();  // derived: auto-...
  ASSERT_NE(now.fingerprint.testbed, "other-machine");

  ::testing::internal::CaptureStdout();
  const std::vector<std::string> failures =
      FailureMessages([&] { EXPECT_NO_REGRESSION(now); });
  const std::string out = ::testing::internal::GetCapturedStdout();
  EXPECT_TRUE(failures.empty()) << Joined(failures);
  EXPECT_NE(out.find("time not judged"), std::string::npos) << out;
  EXPECT_NE(out.find("2 runs of testbed other-machine"), std::string::npos)
      << out;
  EXPECT_NE(out.find("(" + now.fingerprint.testbed + ")"), std::string::npos)
      << out;
  EXPECT_NE(out.find("error rate judged: unchanged"), std::string::npos) << out;
  EXPECT_NE(out.find("Candidate written to"), std::string::npos) << out;
  EXPECT_EQ(PropertyValue("perfcheck.orders.regression"), "not_comparable");

  // A candidate of this testbed, from which it can be recorded.
  const fs::path candidate = Candidates().PathFor(test_id_);
  ASSERT_TRUE(fs::exists(candidate)) << candidate;
  auto loaded = Candidates().Load(test_id_);
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  ASSERT_TRUE(loaded->has_value());
  const perfcheck::BaselineEntry& entry = (*loaded)->entries.at("orders");
  ASSERT_EQ(entry.runs.size(), 1u);
  EXPECT_EQ(entry.runs[0].fingerprint.testbed, now.fingerprint.testbed);
  // The reviewed baseline itself is left alone.
  EXPECT_EQ(ReadFile(Baselines().PathFor(test_id_)), baseline_text);
}

TEST_F(PerfcheckTestbedGate, SameTestbedNameIsJudged) {
  perfcheck::SetTestbedName("other-machine");
  // The same baseline as above, but this process is now that testbed.
  perfcheck::Result recorded = MakeResult("orders", 500'000, 2000);
  recorded.fingerprint = perfcheck::CaptureFingerprint();
  ASSERT_EQ(recorded.fingerprint.testbed, "other-machine");
  ASSERT_TRUE(Baselines().Record(test_id_, recorded).ok());
  ASSERT_TRUE(Baselines().Record(test_id_, recorded).ok());

  perfcheck::Result now = MakeResult("orders", 1'000'000, 2000);
  now.fingerprint = perfcheck::CaptureFingerprint();
  ASSERT_EQ(now.fingerprint.testbed, "other-machine");

  ::testing::internal::CaptureStdout();
  const std::vector<std::string> failures =
      FailureMessages([&] { EXPECT_NO_REGRESSION(now); });
  const std::string out = ::testing::internal::GetCapturedStdout();
  ASSERT_EQ(failures.size(), 1u) << Joined(failures);
  EXPECT_NE(failures[0].find("\n  Actual: regression\n"), std::string::npos)
      << failures[0];
  EXPECT_NE(failures[0].find("2 of this testbed (other-machine)"),
            std::string::npos)
      << failures[0];
  EXPECT_EQ(failures[0].find("time not judged"), std::string::npos)
      << failures[0];
  EXPECT_EQ(out.find("time not judged"), std::string::npos) << out;
  EXPECT_EQ(PropertyValue("perfcheck.orders.regression"), "regression");
  EXPECT_FALSE(fs::exists(Candidates().PathFor(test_id_)));
  perfcheck::SetTestbedName("");
}

TEST_F(PerfcheckTestbedGate, InvalidTestbedEnvironmentFailsNamingIt) {
  ASSERT_TRUE(Baselines().Record(test_id_, Orders()).ok());
  const std::string baseline_text = ReadFile(Baselines().PathFor(test_id_));
  for (const char* bad : {"my laptop", "auto-1a2b3c4d"}) {
    SCOPED_TRACE(bad);
    testbed_env_.Set(bad);
    const std::vector<std::string> failures =
        FailureMessages([&] { EXPECT_NO_REGRESSION(Orders()); });
    ASSERT_EQ(failures.size(), 1u) << Joined(failures);
    EXPECT_NE(failures[0].find("PERFCHECK_TESTBED"), std::string::npos)
        << failures[0];
    EXPECT_EQ(PropertyValue("perfcheck.orders.regression"), "error");
  }
  EXPECT_NONFATAL_FAILURE(EXPECT_NO_REGRESSION(Orders()), "PERFCHECK_TESTBED");
  EXPECT_FATAL_FAILURE(ASSERT_NO_REGRESSION(Orders()), "PERFCHECK_TESTBED");

  // Nor is a run recorded, or a candidate written, under a wrong name.
  ScopedEnv update("PERFCHECK_UPDATE_BASELINES", "1");
  EXPECT_NONFATAL_FAILURE(EXPECT_NO_REGRESSION(Orders()), "PERFCHECK_TESTBED");
  update.Set(nullptr);
  EXPECT_EQ(ReadFile(Baselines().PathFor(test_id_)), baseline_text);
  fs::remove(Baselines().PathFor(test_id_));
  EXPECT_NONFATAL_FAILURE(EXPECT_NO_REGRESSION(Orders()), "PERFCHECK_TESTBED");
  EXPECT_FALSE(fs::exists(Candidates().PathFor(test_id_)));

  // A valid name given in-process wins over the environment.
  perfcheck::SetTestbedName("laptop");
  const std::vector<std::string> failures =
      FailureMessages([&] { EXPECT_NO_REGRESSION(Orders()); });
  EXPECT_TRUE(failures.empty()) << Joined(failures);
  perfcheck::SetTestbedName("");
  testbed_env_.Set(nullptr);
}

// The two gates, EXPECT_NO_REGRESSION on a Result and `perfcheck compare` on
// the baseline file and the result file, give one answer per scenario, and
// every metric's verdict equals CompareToBaseline's.
struct GateScenario {
  std::string name;
  std::vector<perfcheck::Result> recorded;
  perfcheck::Result now;
  perfcheck::Verdict p50;
  perfcheck::Verdict error_rate;
  std::string property;  // perfcheck.orders.regression
};

std::vector<GateScenario> GateScenarios() {
  using perfcheck::Verdict;
  const perfcheck::Result ci =
      OnTestbed(MakeResult("orders", 1'000'000, 2000), "ci");
  const perfcheck::Result laptop =
      OnTestbed(MakeResult("orders", 1'000'000, 2000), "laptop");
  return {
      {"unchanged",
       {ci, ci, ci},
       ci,
       Verdict::kUnchanged,
       Verdict::kUnchanged,
       "unchanged"},
      {"slower_same_testbed",
       {ci, ci, ci},
       OnTestbed(MakeResult("orders", 2'000'000, 2000), "ci"),
       Verdict::kRegression,
       Verdict::kUnchanged,
       "regression"},
      {"faster_same_testbed",
       {ci, ci},
       OnTestbed(MakeResult("orders", 500'000, 2000), "ci"),
       Verdict::kImprovement,
       Verdict::kUnchanged,
       "improvement"},
      {"other_testbed_slower",
       {laptop, laptop},
       OnTestbed(MakeResult("orders", 2'000'000, 2000), "ci"),
       Verdict::kNotComparable,
       Verdict::kUnchanged,
       "not_comparable"},
      {"other_testbed_faster",
       {laptop, laptop},
       OnTestbed(MakeResult("orders", 500'000, 2000), "ci"),
       Verdict::kNotComparable,
       Verdict::kUnchanged,
       "not_comparable"},
      {"same_name_other_speed",
       {ci, ci},
       OnTestbed(MakeResult("orders", 2'000'000, 2000), "ci", 20'000'000),
       Verdict::kNotComparable,
       Verdict::kUnchanged,
       "not_comparable"},
      {"unrecorded_baseline",
       {OnTestbed(MakeResult("orders", 1'000'000, 2000), "", 0)},
       OnTestbed(MakeResult("orders", 2'000'000, 2000), "ci"),
       Verdict::kNotComparable,
       Verdict::kUnchanged,
       "not_comparable"},
      {"error_rate_jump_other_testbed",
       {laptop, laptop},
       OnTestbed(MakeResult("orders", 1'000'000, 2000, 500), "ci"),
       Verdict::kNotComparable,
       Verdict::kRegression,
       "regression"},
      {"error_rate_jump_same_testbed",
       {ci, ci},
       OnTestbed(MakeResult("orders", 1'000'000, 2000, 500), "ci"),
       Verdict::kUnchanged,
       Verdict::kRegression,
       "regression"},
  };
}

TEST_F(PerfcheckTestbedGate, TheTwoGatePathsAgree) {
  for (const GateScenario& s : GateScenarios()) {
    SCOPED_TRACE(s.name);
    const fs::path dir = root_ / s.name;
    perfcheck::testing::PerfFlags flags = perfcheck::testing::GetFlags();
    flags.baseline_dir = dir / "baselines";
    flags.candidate_dir = dir / "candidates";
    perfcheck::testing::SetFlags(flags);
    const perfcheck::BaselineStore store(dir / "baselines");
    for (const perfcheck::Result& r : s.recorded) {
      ASSERT_TRUE(store.Record(test_id_, r).ok());
    }
    const fs::path result_file = dir / "new" / "orders.json";
    const perfcheck::Status written =
        perfcheck::WriteResultFile(s.now, result_file);
    ASSERT_TRUE(written.ok()) << written.message();

    // (i) EXPECT_NO_REGRESSION.
    ::testing::internal::CaptureStdout();
    const std::vector<std::string> failures =
        FailureMessages([&] { EXPECT_NO_REGRESSION(s.now); });
    ::testing::internal::GetCapturedStdout();
    const bool gate_failed = !failures.empty();
    const std::string property = PropertyValue("perfcheck.orders.regression");

    // (ii) perfcheck compare on the two files.
    const perfcheck::StatusOr<perfcheck::ComparisonReport> compared =
        perfcheck::CompareFiles(store.PathFor(test_id_), result_file, {});
    ASSERT_TRUE(compared.ok()) << compared.status().message();

    // (iii) CompareToBaseline on what the files hold.
    auto loaded = store.Load(test_id_);
    ASSERT_TRUE(loaded.ok()) << loaded.status().message();
    ASSERT_TRUE(loaded->has_value());
    const perfcheck::BaselineEntry& entry = (*loaded)->entries.at("orders");
    const perfcheck::StatusOr<perfcheck::Result> read_back =
        perfcheck::ReadResultFile(result_file);
    ASSERT_TRUE(read_back.ok()) << read_back.status().message();
    EXPECT_TRUE(*read_back == s.now);
    const perfcheck::RegressionReport expected =
        perfcheck::CompareToBaseline(entry, *read_back);

    // One overall answer.
    EXPECT_EQ(gate_failed, compared->HasRegression())
        << Joined(failures) << perfcheck::RenderTable(*compared, false);
    EXPECT_EQ(gate_failed, expected.HasRegression()) << expected.Describe();
    EXPECT_EQ(property, s.property);
    if (gate_failed) {
      ASSERT_EQ(failures.size(), 1u) << Joined(failures);
      EXPECT_NE(failures[0].find("Actual: regression"), std::string::npos)
          << failures[0];
    }
    // One verdict per metric, all six of them.
    ASSERT_EQ(compared->rows.size(), std::size(perfcheck::kGatedMetrics))
        << perfcheck::RenderTable(*compared, false);
    ASSERT_EQ(expected.metrics.size(), std::size(perfcheck::kGatedMetrics));
    for (const perfcheck::MetricComparison& mc : expected.metrics) {
      const std::string metric(perfcheck::MetricName(mc.metric));
      const perfcheck::MetricComparisonRow* row = nullptr;
      for (const auto& r : compared->rows) {
        if (r.benchmark == "orders" && r.metric == metric) row = &r;
      }
      ASSERT_NE(row, nullptr) << metric;
      EXPECT_EQ(row->verdict, mc.verdict)
          << metric << ": compare says " << perfcheck::VerdictName(row->verdict)
          << ", the gate " << perfcheck::VerdictName(mc.verdict);
    }
    // Why time was not judged is said by both.
    EXPECT_EQ(compared->testbed_notes.empty(), expected.TimeJudged());
    if (!expected.TimeJudged()) {
      ASSERT_EQ(compared->testbed_notes.size(), 1u);
      EXPECT_EQ(compared->testbed_notes[0],
                "orders: " + expected.TestbedNote());
    }
    // And the scenario is the one it claims to be.
    auto verdict_of = [&](perfcheck::Metric m) {
      for (const auto& mc : expected.metrics) {
        if (mc.metric == m) return mc.verdict;
      }
      return perfcheck::Verdict::kError;
    };
    EXPECT_EQ(verdict_of(perfcheck::Metric::kP50), s.p50)
        << expected.Describe();
    EXPECT_EQ(verdict_of(perfcheck::Metric::kErrorRate), s.error_rate)
        << expected.Describe();
  }
}

TEST(PerfcheckNoRegressionOutsideFixture, ConfiguredByEnvironment) {
  const perfcheck::testing::PerfFlags saved = perfcheck::testing::GetFlags();
  perfcheck::testing::SetFlags({});
  const fs::path root = fs::temp_directory_path() /
                        ("perfcheck_gtest_env_" + std::to_string(::getpid()));
  fs::remove_all(root);
  ::setenv("PERFCHECK_BASELINE_DIR", (root / "b").c_str(), 1);
  ::setenv("PERFCHECK_CANDIDATE_DIR", (root / "c").c_str(), 1);
  EXPECT_NO_REGRESSION(Orders());
  EXPECT_TRUE(fs::exists(root / "c" /
                         "PerfcheckNoRegressionOutsideFixture."
                         "ConfiguredByEnvironment.json"));
  EXPECT_FALSE(fs::exists(root / "b"));
  ::unsetenv("PERFCHECK_BASELINE_DIR");
  ::unsetenv("PERFCHECK_CANDIDATE_DIR");
  perfcheck::testing::SetFlags(saved);
  fs::remove_all(root);
}

// ---------------------------------------------------------------- secrets ----

TEST(PerfcheckSecrets, CanaryNeverLeaks) {
  const std::string canary = "CANARY-s3cr3t-7f1e";
  perfcheck::Result r = MakeResult("api.orders", 1'000'000, 100, 1);
  r.SetConfig("api_secret", canary);
  r.config["api_secret"] = canary;  // even when set around SetConfig
  r.config["url"] = "https://user:" + canary + "@erp.example/api";

  std::vector<std::string> messages;
  for (auto& m : FailureMessages([&] { EXPECT_P95_BELOW(r, 1us); })) {
    messages.push_back(m);
  }
  for (auto& m :
       FailureMessages([&] { EXPECT_ERROR_RATE_BELOW(r, 0.0) << "ctx"; })) {
    messages.push_back(m);
  }
  for (auto& m : FailureMessages([&] { EXPECT_THROUGHPUT_AT_LEAST(r, 1e9); })) {
    messages.push_back(m);
  }
  ASSERT_EQ(messages.size(), 3u);
  for (const auto& m : messages) {
    EXPECT_EQ(m.find(canary), std::string::npos) << m;
  }

  const ::testing::TestResult* result =
      ::testing::UnitTest::GetInstance()->current_test_info()->result();
  for (int i = 0; i < result->test_property_count(); ++i) {
    EXPECT_EQ(std::string(result->GetTestProperty(i).value()).find(canary),
              std::string::npos);
  }

  std::vector<perfcheck::testing::RegisteredResult> mine;
  for (const auto& e : perfcheck::testing::RegisteredResults()) {
    if (e.test_id == perfcheck::testing::CurrentTestId()) mine.push_back(e);
  }
  ASSERT_EQ(mine.size(), 1u);
  EXPECT_EQ(perfcheck::testing::SummaryTable(mine).find(canary),
            std::string::npos);
  const fs::path dir = fs::temp_directory_path() /
                       ("perfcheck_gtest_secret_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  const perfcheck::Status s = perfcheck::testing::WriteResultFiles(mine, dir);
  ASSERT_TRUE(s.ok()) << s.message();
  const fs::path file =
      dir / "PerfcheckSecrets.CanaryNeverLeaks.api.orders.json";
  ASSERT_TRUE(fs::exists(file));
  const std::string json = ReadFile(file);
  EXPECT_EQ(json.find(canary), std::string::npos) << json;
  EXPECT_NE(json.find("api_secret"), std::string::npos);
  fs::remove_all(dir);
}

TEST(PerfcheckListener, WritesFilesAndPrintsTheTableAtProgramEnd) {
  EXPECT_P95_BELOW(Checkout(), 2ms);
  const perfcheck::testing::PerfFlags saved = perfcheck::testing::GetFlags();
  const fs::path dir = fs::temp_directory_path() / ("perfcheck_gtest_results_" +
                                                    std::to_string(::getpid()));
  fs::remove_all(dir);
  perfcheck::testing::PerfFlags flags;
  flags.results_dir = dir;
  perfcheck::testing::SetFlags(flags);
  std::ostringstream out;
  perfcheck::testing::PerfListener listener(&out);
  listener.OnTestProgramEnd(*::testing::UnitTest::GetInstance());
  perfcheck::testing::SetFlags(saved);
  EXPECT_NE(out.str().find("perfcheck summary ("), std::string::npos);
  EXPECT_NE(out.str().find("written to " + dir.string()), std::string::npos)
      << out.str();
  EXPECT_TRUE(fs::exists(
      dir /
      "PerfcheckListener.WritesFilesAndPrintsTheTableAtProgramEnd.checkout."
      "json"));
  fs::remove_all(dir);
}

}  // namespace
