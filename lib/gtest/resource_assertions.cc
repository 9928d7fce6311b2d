// The predicate-formatters behind EXPECT_PEAK_RSS_BELOW, EXPECT_CPU_BELOW,
// EXPECT_PEAK_CPU_BELOW and EXPECT_NO_MEMORY_GROWTH. The verdicts come from
// perfcheck/resource_sla.h; this file only gathers the series of whatever x
// is and gives the failures gtest's shape.
#include <functional>
#include <string>
#include <vector>

#include "perfcheck/gtest.h"
#include "perfcheck/process_monitor.h"
#include "perfcheck/resource_sla.h"

namespace perfcheck::testing {
namespace {

using ::testing::AssertionFailure;
using ::testing::AssertionResult;
using ::testing::AssertionSuccess;

using SeriesCheck = std::function<SlaCheck(const ProcessSeries&)>;

std::string Words(const std::string& metric) {
  if (metric == "peak_rss") return "peak RSS";
  if (metric == "cpu") return "mean CPU";
  if (metric == "peak_cpu") return "peak CPU";
  return "memory growth";
}

// Every series must pass; each failing one gets its own Expected/Actual pair,
// so a cgroup of eight workers says which of them broke the bound.
AssertionResult JudgeAll(const char* x_expr, const char* bound_expr,
                         const std::vector<ProcessSeries>& series,
                         const SeriesCheck& check) {
  if (series.empty()) {
    return AssertionFailure()
           << "Expected: resources of " << x_expr
           << " to judge\n  Actual: no monitored process (no series: was the "
              "ProcessMonitor started, or Result::resources filled?)";
  }
  std::string message;
  for (const ProcessSeries& p : series) {
    const SlaCheck c = check(p);
    if (c.passed) continue;
    if (!message.empty()) message += "\n";
    message += "Expected: " + Words(c.metric) + " of " + p.Describe() + " (" +
               x_expr + ") " + c.requirement +
               (bound_expr ? std::string(" (") + bound_expr + ")" : "") +
               "\n  Actual: " + c.actual;
  }
  if (message.empty()) return AssertionSuccess();
  return AssertionFailure() << message;
}

std::vector<ProcessSeries> One(const ProcessSeries& s) { return {s}; }

}  // namespace

#define PERFCHECK_RESOURCE_OVERLOADS(Name, BoundType, Check)                   \
  AssertionResult Name(const char* x_expr, const char* bound_expr,             \
                       const std::vector<ProcessSeries>& x, BoundType bound) { \
    return JudgeAll(x_expr, bound_expr, x,                                     \
                    [&](const ProcessSeries& p) { return Check(p, bound); });  \
  }                                                                            \
  AssertionResult Name(const char* x_expr, const char* bound_expr,             \
                       const ProcessSeries& x, BoundType bound) {              \
    return Name(x_expr, bound_expr, One(x), bound);                            \
  }                                                                            \
  AssertionResult Name(const char* x_expr, const char* bound_expr,             \
                       const Result& x, BoundType bound) {                     \
    return Name(x_expr, bound_expr, x.resources, bound);                       \
  }                                                                            \
  AssertionResult Name(const char* x_expr, const char* bound_expr,             \
                       const ProcessMonitor& x, BoundType bound) {             \
    return Name(x_expr, bound_expr, x.Snapshot(), bound);                      \
  }

// Four inputs times three bounds: one definition each, generated, so the
// overloads cannot drift apart.
PERFCHECK_RESOURCE_OVERLOADS(PeakRssBelow, std::int64_t, CheckPeakRssBelow)
PERFCHECK_RESOURCE_OVERLOADS(CpuBelow, double, CheckCpuBelow)
PERFCHECK_RESOURCE_OVERLOADS(PeakCpuBelow, double, CheckPeakCpuBelow)
#undef PERFCHECK_RESOURCE_OVERLOADS

AssertionResult NoMemoryGrowth(const char* x_expr,
                               const std::vector<ProcessSeries>& x) {
  return JudgeAll(x_expr, nullptr, x, [](const ProcessSeries& p) {
    return CheckNoMemoryGrowth(p);
  });
}
AssertionResult NoMemoryGrowth(const char* x_expr, const ProcessSeries& x) {
  return NoMemoryGrowth(x_expr, One(x));
}
AssertionResult NoMemoryGrowth(const char* x_expr, const Result& x) {
  return NoMemoryGrowth(x_expr, x.resources);
}
AssertionResult NoMemoryGrowth(const char* x_expr, const ProcessMonitor& x) {
  return NoMemoryGrowth(x_expr, x.Snapshot());
}

}  // namespace perfcheck::testing
