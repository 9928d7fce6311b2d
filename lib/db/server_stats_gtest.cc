// gtest adapter (L4) for the server-figure checks: translates a
// ServerStatsCheck into an AssertionResult; the verdict is the check's.
#include <string>

#include "perfcheck/db/gtest.h"
#include "perfcheck/db/server_stats.h"

namespace perfcheck::db::testing {
namespace {

::testing::AssertionResult Translate(const ServerStatsCheck& check,
                                     const char* subject_expr,
                                     const char* limit_expr) {
  if (check.passed) return ::testing::AssertionSuccess();
  ::testing::AssertionResult failure = ::testing::AssertionFailure();
  failure << "Expected: " << check.expected << "\n  Actual: " << check.actual
          << "\n  Judged: " << subject_expr;
  if (limit_expr != nullptr) failure << ", limit " << limit_expr;
  return failure;
}

}  // namespace

::testing::AssertionResult NoDeadlocks(const char* delta_expr,
                                       const ServerStatsDelta& delta) {
  return Translate(CheckDeadlocksAtMost(delta, 0), delta_expr, nullptr);
}

::testing::AssertionResult DeadlocksAtMost(const char* delta_expr,
                                           const char* n_expr,
                                           const ServerStatsDelta& delta,
                                           std::int64_t n) {
  return Translate(CheckDeadlocksAtMost(delta, n), delta_expr, n_expr);
}

::testing::AssertionResult NoRollbacks(const char* delta_expr,
                                       const ServerStatsDelta& delta) {
  return Translate(CheckRollbacksAtMost(delta, 0), delta_expr, nullptr);
}

::testing::AssertionResult ConnectionsAtMost(const char* series_expr,
                                             const char* n_expr,
                                             const ServerStatsSeries& series,
                                             std::int64_t n) {
  return Translate(CheckConnectionsAtMost(series, n), series_expr, n_expr);
}

::testing::AssertionResult ConnectionsAtMost(const char* sampler_expr,
                                             const char* n_expr,
                                             const ServerStatsSampler& sampler,
                                             std::int64_t n) {
  return Translate(CheckConnectionsAtMost(sampler.Series(), n), sampler_expr,
                   n_expr);
}

}  // namespace perfcheck::db::testing
