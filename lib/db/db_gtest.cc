#include <cmath>
#include <string>

#include "perfcheck/db/gtest.h"

namespace perfcheck::db::testing {
namespace {

std::string Indent(const std::string& text) {
  std::string out = "    ";
  for (char c : text) {
    out.push_back(c);
    if (c == '\n') out += "    ";
  }
  while (!out.empty() && (out.back() == ' ' || out.back() == '\n')) {
    out.pop_back();
  }
  return out;
}

// Shared by all assertions: "query `<sql>` (<expr>) on <db>".
std::string Subject(const char* sql_expr, Database& db, const SqlArg& sql) {
  return "query `" + sql.statement().sql + "` (" + sql_expr + ") on " +
         db.Describe();
}

::testing::AssertionResult ExplainFailed(const char* sql_expr, Database& db,
                                         const SqlArg& sql,
                                         const Status& status) {
  return ::testing::AssertionFailure()
         << "Could not read the plan of " << Subject(sql_expr, db, sql)
         << "\n  Error: " << status.message();
}

::testing::AssertionResult CheckIndex(const char* sql_expr, Database& db,
                                      const SqlArg& sql,
                                      std::string_view index) {
  StatusOr<Plan> plan =
      Explain(db, sql.statement().sql, sql.statement().params);
  if (!plan.ok()) return ExplainFailed(sql_expr, db, sql, plan.status());
  if (plan->UsesIndex(index)) return ::testing::AssertionSuccess();
  const std::string what =
      index.empty() ? "an index" : "index " + std::string(index);
  return ::testing::AssertionFailure()
         << "Expected: " << Subject(sql_expr, db, sql) << " uses " << what
         << "\n  Actual: "
         << (index.empty() || !plan->UsesIndex() ? "no index used"
                                                 : "other indexes used")
         << "; plan:\n"
         << Indent(plan->ToString());
}

::testing::AssertionResult CheckNoFullScan(const char* sql_expr, Database& db,
                                           const SqlArg& sql,
                                           std::string_view table) {
  StatusOr<Plan> plan =
      Explain(db, sql.statement().sql, sql.statement().params);
  if (!plan.ok()) return ExplainFailed(sql_expr, db, sql, plan.status());
  if (!plan->HasFullScan(table)) return ::testing::AssertionSuccess();
  std::string scanned;
  for (const PlanNode& node : plan->nodes) {
    if (node.access != Access::kFullScan) continue;
    if (!table.empty() && node.table != table) continue;
    scanned += (scanned.empty() ? "" : ", ") + node.table;
  }
  return ::testing::AssertionFailure()
         << "Expected: " << Subject(sql_expr, db, sql) << " does no full scan"
         << (table.empty() ? "" : " of " + std::string(table))
         << "\n  Actual: full scan of " << scanned << "; plan:\n"
         << Indent(plan->ToString());
}

}  // namespace

::testing::AssertionResult QueryUsesIndex(const char*, const char* sql_expr,
                                          Database& db, const SqlArg& sql) {
  return CheckIndex(sql_expr, db, sql, {});
}

::testing::AssertionResult QueryUsesIndex(const char*, const char* sql_expr,
                                          const char*, Database& db,
                                          const SqlArg& sql,
                                          std::string_view index) {
  return CheckIndex(sql_expr, db, sql, index);
}

::testing::AssertionResult NoFullScan(const char*, const char* sql_expr,
                                      Database& db, const SqlArg& sql) {
  return CheckNoFullScan(sql_expr, db, sql, {});
}

::testing::AssertionResult NoFullScan(const char*, const char* sql_expr,
                                      const char*, Database& db,
                                      const SqlArg& sql,
                                      std::string_view table) {
  return CheckNoFullScan(sql_expr, db, sql, table);
}

::testing::AssertionResult RowsExaminedBelow(const char*, const char* sql_expr,
                                             const char* n_expr, Database& db,
                                             const SqlArg& sql,
                                             std::uint64_t n) {
  StatusOr<Plan> plan = Explain(db, sql.statement().sql, sql.statement().params,
                                {.analyze = true});
  if (!plan.ok()) return ExplainFailed(sql_expr, db, sql, plan.status());
  const std::optional<double> examined = plan->RowsExamined();
  if (examined && *examined < static_cast<double>(n)) {
    return ::testing::AssertionSuccess();
  }
  ::testing::AssertionResult failure = ::testing::AssertionFailure();
  failure << "Expected: " << Subject(sql_expr, db, sql)
          << " examines fewer than " << n << " rows (" << n_expr << ")"
          << "\n  Actual: ";
  if (examined) {
    failure << "rows examined = " << std::llround(*examined);
  } else {
    failure << "the plan reports no row counts";
  }
  return failure << "; plan:\n" << Indent(plan->ToString());
}

}  // namespace perfcheck::db::testing
