#include "perfcheck/sla.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>

#include "perfcheck/format.h"

namespace perfcheck {
namespace {

using namespace std::chrono_literals;

// `n` successful samples spread evenly over [low_ns, 2 * low_ns), run one after
// another (so elapsed is their sum), plus `errors` failures.
Result MakeResult(std::string name, Nanos low_ns, int n, int errors = 0) {
  Result r(std::move(name));
  for (int i = 0; i < n; ++i) {
    const Nanos v = low_ns + low_ns * i / n;
    r.latency.Record(v);
    r.elapsed_ns += v;
  }
  for (int i = 0; i < errors; ++i) r.AddError("timeout", "deadline exceeded");
  return r;
}

TEST(SlaPercentile, PassesWellBelowAndFailsWellAbove) {
  // Samples 1..2 ms: p95 is about 1.95 ms.
  const Result r = MakeResult("checkout", 1'000'000, 1000);
  EXPECT_TRUE(CheckPercentileBelow(r, 95, 3'000'000).passed);
  const SlaCheck c = CheckPercentileBelow(r, 95, 1'500'000);
  EXPECT_FALSE(c.passed);
  EXPECT_EQ(c.metric, "p95");
  EXPECT_EQ(c.requirement, "< " + FormatNanos(1.5e6));
  EXPECT_EQ(c.expected, "p95 " + c.requirement);
  EXPECT_EQ(c.measured.substr(0, 3), "1.9");
  EXPECT_EQ(c.actual, "p95 = " + c.measured);
  EXPECT_EQ(c.summary,
            "checkout: " + c.expected + " -> p95 = " + c.measured + " [FAIL]");
}

TEST(SlaPercentile, BoundIsStrict) {
  Result r("exact");
  r.latency.RecordN(1000, 50);  // below 2000 ns the histogram is exact
  EXPECT_FALSE(CheckPercentileBelow(r, 50, 1000).passed);
  EXPECT_TRUE(CheckPercentileBelow(r, 50, 1001).passed);
  EXPECT_FALSE(CheckMaxBelow(r, 1000).passed);
  EXPECT_FALSE(CheckMeanBelow(r, 1000).passed);
  EXPECT_TRUE(CheckMeanBelow(r, 1001).passed);
}

TEST(SlaPercentile, AnyPercentileAndChronoLimits) {
  const Result r = MakeResult("search", 100'000, 10'000);
  const SlaCheck c = CheckPercentileBelow(r, 99.9, 1ms);
  EXPECT_TRUE(c.passed);
  EXPECT_EQ(c.metric, "p99.9");
  EXPECT_EQ(c.expected, "p99.9 < " + FormatNanos(1e6));
  EXPECT_FALSE(CheckPercentileBelow(r, 10, 100us).passed);
  EXPECT_TRUE(CheckPercentileBelow(r, 0, 101us).passed);     // the minimum
  EXPECT_FALSE(CheckPercentileBelow(r, 100, 150us).passed);  // the maximum
}

TEST(SlaPercentile, SameLookingValuesShowExactNanoseconds) {
  Result r("close");
  r.latency.RecordN(500'400'000, 10);  // formats as "500 ms", like the limit
  const SlaCheck c = CheckPercentileBelow(r, 95, 500ms);
  EXPECT_FALSE(c.passed);
  EXPECT_EQ(c.measured.rfind("500 ms (", 0), 0u) << c.measured;
  EXPECT_NE(c.measured.find(" ns)"), std::string::npos) << c.measured;
}

TEST(SlaLatency, NoSuccessfulOperationIsAFailure) {
  const Result r = MakeResult("down", 1000, 0, 5);
  for (const SlaCheck& c : {CheckPercentileBelow(r, 95, 1s),
                            CheckMaxBelow(r, 1s), CheckMeanBelow(r, 1s)}) {
    EXPECT_FALSE(c.passed) << c.metric;
    EXPECT_EQ(c.measured, "no successful operations");
    EXPECT_EQ(c.actual, "no successful operations");
    EXPECT_NE(c.summary.find("[FAIL]"), std::string::npos);
  }
  EXPECT_FALSE(CheckPercentileBelow(Result("empty"), 50, 1s).passed);
}

TEST(SlaLatency, MaxAndMean) {
  const Result r = MakeResult("rbac", 1'000'000, 100);  // 1.00 .. 1.99 ms
  EXPECT_TRUE(CheckMaxBelow(r, 2100us).passed);
  EXPECT_FALSE(CheckMaxBelow(r, 1900us).passed);
  const SlaCheck mean = CheckMeanBelow(r, 1400us);  // mean is 1.495 ms
  EXPECT_FALSE(mean.passed);
  EXPECT_EQ(mean.metric, "mean");
  EXPECT_EQ(mean.actual.rfind("mean = 1.", 0), 0u) << mean.actual;
  EXPECT_TRUE(CheckMeanBelow(r, 1600us).passed);
  EXPECT_EQ(CheckMaxBelow(r, 5ms).expected, "max < " + FormatNanos(5e6));
}

TEST(SlaErrorRate, JudgesErrorsOverAllOperations) {
  const Result r = MakeResult("orders", 1000, 997, 3);  // 0.3%
  EXPECT_TRUE(CheckErrorRateBelow(r, 0.01).passed);
  const SlaCheck c = CheckErrorRateBelow(r, 0.001);
  EXPECT_FALSE(c.passed);
  EXPECT_EQ(c.metric, "error_rate");
  EXPECT_EQ(c.expected, "error rate < " + FormatPercent(0.001));
  EXPECT_EQ(c.measured, FormatPercent(0.003));
  EXPECT_EQ(c.actual, "error rate = " + c.measured + " (3 of 1000 operations)");
  EXPECT_FALSE(CheckErrorRateBelow(r, 0.003).passed);  // strict
}

TEST(SlaErrorRate, ZeroMeansNoErrorsAndNothingRunFails) {
  EXPECT_TRUE(CheckErrorRateBelow(MakeResult("clean", 1000, 10), 0).passed);
  EXPECT_FALSE(CheckErrorRateBelow(MakeResult("one", 1000, 10, 1), 0).passed);
  const SlaCheck none = CheckErrorRateBelow(Result("idle"), 0.5);
  EXPECT_FALSE(none.passed);
  EXPECT_EQ(none.actual, "no operations");
  EXPECT_FALSE(CheckErrorRateBelow(MakeResult("all", 1000, 0, 4), 1).passed);
}

TEST(SlaThroughput, AtLeastIsInclusive) {
  Result r("api");
  r.latency.RecordN(1'000'000, 1000);
  r.elapsed_ns = 10'000'000'000;  // 1000 ops in 10 s = 100/s
  EXPECT_TRUE(CheckThroughputAtLeast(r, 50).passed);
  EXPECT_TRUE(CheckThroughputAtLeast(r, 100).passed);
  const SlaCheck c = CheckThroughputAtLeast(r, 150);
  EXPECT_FALSE(c.passed);
  EXPECT_EQ(c.metric, "throughput");
  EXPECT_EQ(c.expected, "throughput >= " + FormatRate(150));
  EXPECT_EQ(c.measured, FormatRate(100));
  EXPECT_NE(c.actual.find("1000 successful in " + FormatNanos(1e10)),
            std::string::npos)
      << c.actual;
  EXPECT_FALSE(CheckThroughputAtLeast(Result("idle"), 1).passed);
  EXPECT_TRUE(CheckThroughputAtLeast(Result("idle"), 0).passed);
}

TEST(SlaArguments, InvalidBoundsThrow) {
  const Result r = MakeResult("x", 1000, 10);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  EXPECT_THROW(CheckPercentileBelow(r, -1, 1000), std::invalid_argument);
  EXPECT_THROW(CheckPercentileBelow(r, 100.5, 1000), std::invalid_argument);
  EXPECT_THROW(CheckPercentileBelow(r, nan, 1000), std::invalid_argument);
  EXPECT_THROW(CheckPercentileBelow(r, 95, -1), std::invalid_argument);
  EXPECT_THROW(CheckMaxBelow(r, -1ms), std::invalid_argument);
  EXPECT_THROW(CheckMeanBelow(r, -1), std::invalid_argument);
  EXPECT_THROW(CheckErrorRateBelow(r, 1.5), std::invalid_argument);
  EXPECT_THROW(CheckErrorRateBelow(r, -0.1), std::invalid_argument);
  EXPECT_THROW(CheckErrorRateBelow(r, nan), std::invalid_argument);
  EXPECT_THROW(CheckThroughputAtLeast(r, -1), std::invalid_argument);
  EXPECT_THROW(CheckThroughputAtLeast(r, nan), std::invalid_argument);
  EXPECT_THROW(
      CheckThroughputAtLeast(r, std::numeric_limits<double>::infinity()),
      std::invalid_argument);
  // Misuse throws even when there is nothing to judge.
  EXPECT_THROW(CheckPercentileBelow(Result(), 101, 1000),
               std::invalid_argument);
}

TEST(SlaNames, PercentileName) {
  EXPECT_EQ(PercentileName(50), "p50");
  EXPECT_EQ(PercentileName(95), "p95");
  EXPECT_EQ(PercentileName(99.9), "p99.9");
  EXPECT_EQ(PercentileName(99.99), "p99.99");
  EXPECT_EQ(PercentileName(0), "p0");
  EXPECT_EQ(PercentileName(100), "p100");
  EXPECT_EQ(PercentileName(12.5), "p12.5");
  EXPECT_THROW(PercentileName(-0.5), std::invalid_argument);
}

TEST(SlaLine, ListsTheDistribution) {
  Result r("line");
  r.latency.RecordN(1'000'000, 999);
  r.latency.Record(5'000'000);
  r.AddError("status_5xx", "503");
  const std::string line = PercentileLine(r);
  const std::string ms1 = FormatNanos(1e6);
  EXPECT_EQ(line.rfind("n=1000 errors=1 min=" + ms1 + " p50=" + ms1, 0), 0u)
      << line;
  for (const std::string& field :
       {std::string(" p90="), std::string(" p95="), std::string(" p99="),
        std::string(" p99.9="), " max=" + FormatNanos(5e6),
        " mean=" + FormatNanos(r.latency.Mean())}) {
    EXPECT_NE(line.find(field), std::string::npos) << field << " in " << line;
  }
  EXPECT_EQ(PercentileLine(MakeResult("down", 1, 0, 2)),
            "n=0 errors=2 (no successful operations)");
}

TEST(SlaSummary, UnnamedResultsAreLabelled) {
  const SlaCheck c = CheckMaxBelow(MakeResult("", 1000, 10), 1s);
  EXPECT_TRUE(c.passed);
  EXPECT_EQ(
      c.summary.rfind("(unnamed): max < " + FormatNanos(1e9) + " -> max = ", 0),
      0u)
      << c.summary;
  EXPECT_NE(c.summary.find("[PASS]"), std::string::npos);
}

// A run of `n` calls with the given allocation means, as Measure leaves it.
Result WithAllocations(std::string name, int n, double allocations,
                       double bytes) {
  Result r = MakeResult(std::move(name), 1000, n);
  r.counts.allocations = allocations;
  r.counts.allocated_bytes = bytes;
  r.counts.operations = static_cast<std::uint64_t>(n);
  r.counts.key = "x86_64 GCC 12.2.0 Release";
  return r;
}

TEST(SlaAllocations, AtMostIsInclusive) {
  const Result r = WithAllocations("parse", 1000, 3, 96);
  EXPECT_TRUE(CheckAllocationsAtMost(r, 3).passed);
  EXPECT_TRUE(CheckAllocationsAtMost(r, 10).passed);
  EXPECT_TRUE(CheckAllocatedBytesAtMost(r, 96).passed);
  const SlaCheck c = CheckAllocationsAtMost(r, 2);
  EXPECT_FALSE(c.passed);
  EXPECT_EQ(c.metric, "allocations");
  EXPECT_EQ(c.requirement, "<= 2 per operation");
  EXPECT_EQ(c.expected, "allocations <= 2 per operation");
  EXPECT_EQ(c.measured, "3");
  EXPECT_EQ(c.actual,
            "allocations = 3 per operation (mean over 1000 operations)");
  EXPECT_EQ(c.summary,
            "parse: allocations <= 2 per operation -> allocations = 3 per "
            "operation (mean over 1000 operations) [FAIL]");
}

TEST(SlaAllocations, BytesCarryTheirUnit) {
  const SlaCheck c =
      CheckAllocatedBytesAtMost(WithAllocations("parse", 40, 3, 1536.5), 1024);
  EXPECT_FALSE(c.passed);
  EXPECT_EQ(c.metric, "allocated_bytes");
  EXPECT_EQ(c.expected,
            "allocated bytes <= " + FormatCount(1024) + " B per operation");
  EXPECT_EQ(c.actual, "allocated bytes = " + FormatCount(1536.5) +
                          " B per operation (mean over 40 operations)");
}

TEST(SlaAllocations, ZeroMeansNoAllocationAtAll) {
  EXPECT_TRUE(CheckAllocationsAtMost(WithAllocations("a", 10, 0, 0), 0).passed);
  EXPECT_FALSE(
      CheckAllocationsAtMost(WithAllocations("a", 10, 0.1, 8), 0).passed);
  EXPECT_FALSE(
      CheckAllocatedBytesAtMost(WithAllocations("a", 10, 0.1, 0.8), 0).passed);
}

TEST(SlaAllocations, AValueThatFormatsLikeTheBoundIsShownExactly) {
  // 2001 allocations over 1000 calls: "2" alone would read as a pass.
  const SlaCheck c =
      CheckAllocationsAtMost(WithAllocations("a", 1000, 2.001, 0), 2);
  EXPECT_FALSE(c.passed);
  EXPECT_EQ(c.measured, "2.001");
}

TEST(SlaAllocations, MissingCountsFailSayingWhy) {
  // Operations ran, but nothing counted their allocations.
  const Result timed_only = MakeResult("http.get", 1000, 10);
  for (const SlaCheck& c : {CheckAllocationsAtMost(timed_only, 100),
                            CheckAllocatedBytesAtMost(timed_only, 1e9)}) {
    EXPECT_FALSE(c.passed);
    EXPECT_EQ(c.measured, "not counted");
    EXPECT_NE(c.actual.find(" not counted: "), std::string::npos) << c.actual;
    EXPECT_NE(c.actual.find("perfcheck::allocation_hooks"), std::string::npos)
        << c.actual;
    EXPECT_NE(c.actual.find("perfcheck::gtest_main"), std::string::npos)
        << c.actual;
  }
  // Nothing ran at all.
  const SlaCheck none = CheckAllocationsAtMost(Result("idle"), 100);
  EXPECT_FALSE(none.passed);
  EXPECT_EQ(none.actual, "no operations");
}

// Every check carries the numbers it compared, so callers (the gtest
// properties, the CLI's JSON report) never parse the texts back.
TEST(SlaNumbers, EveryCheckCarriesTheObservedValueAndTheLimit) {
  const Result r = MakeResult("checkout", 1'000'000, 1000, 10);
  const SlaCheck p95 = CheckPercentileBelow(r, 95, 1500us);
  EXPECT_EQ(p95.unit, SlaUnit::kNanoseconds);
  EXPECT_EQ(p95.comparison, SlaComparison::kLess);
  EXPECT_EQ(p95.limit, 1.5e6);
  ASSERT_TRUE(p95.observed.has_value());
  EXPECT_EQ(*p95.observed, static_cast<double>(r.latency.Percentile(95)));
  EXPECT_EQ(CheckMaxBelow(r, 5ms).observed,
            static_cast<double>(r.latency.Max()));
  EXPECT_EQ(CheckMeanBelow(r, 5ms).observed, r.latency.Mean());

  const SlaCheck errors = CheckErrorRateBelow(r, 0.001);
  EXPECT_EQ(errors.unit, SlaUnit::kFraction);
  EXPECT_EQ(errors.limit, 0.001);
  EXPECT_EQ(errors.observed, 10.0 / 1010);

  const SlaCheck rate = CheckThroughputAtLeast(r, 50);
  EXPECT_EQ(rate.unit, SlaUnit::kPerSecond);
  EXPECT_EQ(rate.comparison, SlaComparison::kGreaterEqual);
  EXPECT_EQ(rate.limit, 50);
  EXPECT_EQ(rate.observed, r.Throughput());

  const Result a = WithAllocations("parse", 40, 3, 1536.5);
  const SlaCheck calls = CheckAllocationsAtMost(a, 2);
  EXPECT_EQ(calls.unit, SlaUnit::kPerOperation);
  EXPECT_EQ(calls.comparison, SlaComparison::kLessEqual);
  EXPECT_EQ(calls.limit, 2);
  EXPECT_EQ(calls.observed, 3);
  const SlaCheck bytes = CheckAllocatedBytesAtMost(a, 1024);
  EXPECT_EQ(bytes.unit, SlaUnit::kBytesPerOperation);
  EXPECT_EQ(bytes.observed, 1536.5);
}

// Nothing measured is no number, and never a pass.
TEST(SlaNumbers, NothingMeasuredHasNoObservedValue) {
  const Result failed = MakeResult("down", 1'000'000, 0, 5);
  const SlaCheck latency = CheckPercentileBelow(failed, 99, 1s);
  EXPECT_FALSE(latency.observed.has_value());
  EXPECT_EQ(latency.limit, 1e9);
  EXPECT_FALSE(latency.passed);
  EXPECT_FALSE(CheckErrorRateBelow(Result("empty"), 0.5).observed);
  EXPECT_FALSE(CheckAllocationsAtMost(failed, 1).observed);
}

TEST(SlaAllocations, InvalidBoundsThrow) {
  const Result r = WithAllocations("a", 10, 1, 8);
  EXPECT_THROW(CheckAllocationsAtMost(r, -1), std::invalid_argument);
  EXPECT_THROW(CheckAllocationsAtMost(r, std::nan("")), std::invalid_argument);
  EXPECT_THROW(
      CheckAllocatedBytesAtMost(r, std::numeric_limits<double>::infinity()),
      std::invalid_argument);
  // Checked before the counts: a bad bound is misuse even with nothing counted.
  EXPECT_THROW(CheckAllocatedBytesAtMost(Result(), -8), std::invalid_argument);
}

}  // namespace
}  // namespace perfcheck
