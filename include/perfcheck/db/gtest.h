// GoogleTest assertions on query plans (link perfcheck::db_gtest).
//
//   #include "perfcheck/db/gtest.h"
//   EXPECT_QUERY_USES_INDEX(*db, "SELECT * FROM items WHERE sku = 'SKU-1'");
//   EXPECT_QUERY_USES_INDEX(*db, sql, "items_sku_idx");   // that index
//   EXPECT_NO_FULL_SCAN(*db, sql);                         // of any table
//   EXPECT_NO_FULL_SCAN(*db, sql, "items");                // of that table
//   EXPECT_ROWS_EXAMINED_BELOW(*db, sql, 1000);
//   // With parameters, pass a Statement:
//   EXPECT_NO_FULL_SCAN(*db, (perfcheck::db::Statement{sql, {"SKU-1"}}));
//
// Arguments: `db` is a perfcheck::db::Database&; `sql` a string or a
// perfcheck::db::Statement; `index` and `table` names compare
// case-insensitively; `n` a row count. Each argument is evaluated once and
// `<< "context"` appends to the message. Each has an ASSERT_ twin.
//
// USES_INDEX and NO_FULL_SCAN read the estimated plan (EXPLAIN, the statement
// is not run). ROWS_EXAMINED_BELOW runs it under EXPLAIN ANALYZE (SQLite:
// counts full-scan steps while running it) and compares the rows examined
// (strict "<"); a DML statement really changes data.
//
// Failure messages show the plan lines of the tables accessed:
//   Expected: query (sql) on sqlite::memory: does no full scan of items
//     Actual: plan
//       items: full scan (est. rows 50000) [SCAN items]
// A failed EXPLAIN (syntax error, unknown table, lost connection) is a
// failure naming the backend and the server's message.
//
// The server's own figures (perfcheck/db/server_stats.h; PostgreSQL and
// MariaDB), judged by the Check* functions there:
//   EXPECT_NO_DEADLOCKS(delta);                 // ServerStatsDelta
//   EXPECT_DEADLOCKS_AT_MOST(delta, n);
//   EXPECT_NO_ROLLBACKS(delta);
//   EXPECT_CONNECTIONS_AT_MOST(sampler, n);     // or a ServerStatsSeries:
//                                               // peak connections in use
// Failure messages name the server kind and its redacted URL, the count and
// the limit:
//   Expected: deadlocks <= 0 on postgres server postgresql://app:<redacted>@
//             127.0.0.1:5432/erp (database erp)
//     Actual: deadlocks = 1 (pg_stat_database.deadlocks, over 1.20 s)
//     Judged: delta
//
// Thread-safety: from the test's thread, as any gtest assertion.
#ifndef PERFCHECK_DB_GTEST_H_
#define PERFCHECK_DB_GTEST_H_

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "perfcheck/db/connection.h"
#include "perfcheck/db/plan.h"
#include "perfcheck/db/server_stats.h"
#include "perfcheck/db/timing.h"

namespace perfcheck::db::testing {

// SQL text or a Statement; what the plan assertions take as `sql`.
class SqlArg {
 public:
  SqlArg(const char* sql) : statement_{sql, {}} {}  // NOLINT
  SqlArg(std::string_view sql)                      // NOLINT
      : statement_{std::string(sql), {}} {}
  SqlArg(const std::string& sql) : statement_{sql, {}} {}            // NOLINT
  SqlArg(Statement statement) : statement_(std::move(statement)) {}  // NOLINT
  const Statement& statement() const { return statement_; }

 private:
  Statement statement_;
};

::testing::AssertionResult QueryUsesIndex(const char* db_expr,
                                          const char* sql_expr, Database& db,
                                          const SqlArg& sql);
::testing::AssertionResult QueryUsesIndex(const char* db_expr,
                                          const char* sql_expr,
                                          const char* index_expr, Database& db,
                                          const SqlArg& sql,
                                          std::string_view index);
::testing::AssertionResult NoFullScan(const char* db_expr, const char* sql_expr,
                                      Database& db, const SqlArg& sql);
::testing::AssertionResult NoFullScan(const char* db_expr, const char* sql_expr,
                                      const char* table_expr, Database& db,
                                      const SqlArg& sql,
                                      std::string_view table);
::testing::AssertionResult RowsExaminedBelow(const char* db_expr,
                                             const char* sql_expr,
                                             const char* n_expr, Database& db,
                                             const SqlArg& sql,
                                             std::uint64_t n);

// Server figures (lib/db/server_stats_gtest.cc).
::testing::AssertionResult NoDeadlocks(const char* delta_expr,
                                       const ServerStatsDelta& delta);
::testing::AssertionResult DeadlocksAtMost(const char* delta_expr,
                                           const char* n_expr,
                                           const ServerStatsDelta& delta,
                                           std::int64_t n);
::testing::AssertionResult NoRollbacks(const char* delta_expr,
                                       const ServerStatsDelta& delta);
::testing::AssertionResult ConnectionsAtMost(const char* series_expr,
                                             const char* n_expr,
                                             const ServerStatsSeries& series,
                                             std::int64_t n);
::testing::AssertionResult ConnectionsAtMost(const char* sampler_expr,
                                             const char* n_expr,
                                             const ServerStatsSampler& sampler,
                                             std::int64_t n);

}  // namespace perfcheck::db::testing

// Picks the 2- or 3-argument form.
#define PERFCHECK_DB_PICK_(_1, _2, _3, name, ...) name

#define EXPECT_QUERY_USES_INDEX(...)                                        \
  PERFCHECK_DB_PICK_(__VA_ARGS__, EXPECT_PRED_FORMAT3, EXPECT_PRED_FORMAT2, \
                     unused)                                                \
  (::perfcheck::db::testing::QueryUsesIndex, __VA_ARGS__)
#define ASSERT_QUERY_USES_INDEX(...)                                        \
  PERFCHECK_DB_PICK_(__VA_ARGS__, ASSERT_PRED_FORMAT3, ASSERT_PRED_FORMAT2, \
                     unused)                                                \
  (::perfcheck::db::testing::QueryUsesIndex, __VA_ARGS__)
#define EXPECT_NO_FULL_SCAN(...)                                            \
  PERFCHECK_DB_PICK_(__VA_ARGS__, EXPECT_PRED_FORMAT3, EXPECT_PRED_FORMAT2, \
                     unused)                                                \
  (::perfcheck::db::testing::NoFullScan, __VA_ARGS__)
#define ASSERT_NO_FULL_SCAN(...)                                            \
  PERFCHECK_DB_PICK_(__VA_ARGS__, ASSERT_PRED_FORMAT3, ASSERT_PRED_FORMAT2, \
                     unused)                                                \
  (::perfcheck::db::testing::NoFullScan, __VA_ARGS__)
// (Parameter names must not be `db`: the expansion names ::perfcheck::db.)
#define EXPECT_ROWS_EXAMINED_BELOW(database, sql, n)                         \
  EXPECT_PRED_FORMAT3(::perfcheck::db::testing::RowsExaminedBelow, database, \
                      sql, n)
#define ASSERT_ROWS_EXAMINED_BELOW(database, sql, n)                         \
  ASSERT_PRED_FORMAT3(::perfcheck::db::testing::RowsExaminedBelow, database, \
                      sql, n)

#define EXPECT_NO_DEADLOCKS(delta) \
  EXPECT_PRED_FORMAT1(::perfcheck::db::testing::NoDeadlocks, delta)
#define ASSERT_NO_DEADLOCKS(delta) \
  ASSERT_PRED_FORMAT1(::perfcheck::db::testing::NoDeadlocks, delta)
#define EXPECT_DEADLOCKS_AT_MOST(delta, n) \
  EXPECT_PRED_FORMAT2(::perfcheck::db::testing::DeadlocksAtMost, delta, n)
#define ASSERT_DEADLOCKS_AT_MOST(delta, n) \
  ASSERT_PRED_FORMAT2(::perfcheck::db::testing::DeadlocksAtMost, delta, n)
#define EXPECT_NO_ROLLBACKS(delta) \
  EXPECT_PRED_FORMAT1(::perfcheck::db::testing::NoRollbacks, delta)
#define ASSERT_NO_ROLLBACKS(delta) \
  ASSERT_PRED_FORMAT1(::perfcheck::db::testing::NoRollbacks, delta)
#define EXPECT_CONNECTIONS_AT_MOST(sampler_or_series, n)           \
  EXPECT_PRED_FORMAT2(::perfcheck::db::testing::ConnectionsAtMost, \
                      sampler_or_series, n)
#define ASSERT_CONNECTIONS_AT_MOST(sampler_or_series, n)           \
  ASSERT_PRED_FORMAT2(::perfcheck::db::testing::ConnectionsAtMost, \
                      sampler_or_series, n)

#endif  // PERFCHECK_DB_GTEST_H_
