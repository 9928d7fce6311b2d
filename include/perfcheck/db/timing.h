// Timing SQL statements and transactions on a Database (connection pool).
//
//   using namespace std::chrono_literals;
//   auto db = perfcheck::db::Database::Open(url, {.pool_size = 4}).value();
//   perfcheck::Result r = perfcheck::db::TimeQuery(
//       *db, "SELECT * FROM orders ORDER BY id LIMIT 20 OFFSET $1", {9980},
//       {.iterations = 500, .threads = 4, .expected_rows = 20});
//   EXPECT_P95_BELOW(r, 500ms);               // perfcheck/gtest.h
//
//   // Or hand the assertion a spec; it runs the query itself:
//   auto spec = perfcheck::db::Query(*db, "orders.page", sql, {9980}, options);
//   EXPECT_P95_BELOW(spec, 500ms);
//
//   // Transactions per second of a multi-statement transaction:
//   auto tps = perfcheck::db::TimeTransaction(*db, "stock.move",
//       {{"UPDATE stock SET qty = qty - 1 WHERE id = ?", {7}},
//        {"INSERT INTO moves(item, qty) VALUES (?, ?)", {7, -1}}},
//       {.duration = 2s, .threads = 4});
//   EXPECT_THROUGHPUT_AT_LEAST(tps, 5000);
//
// One operation = execute + read all rows (+ COMMIT for a transaction). With
// threads <= pool_size each worker leases one connection at its first
// operation and keeps it for the run (nothing to wait for, so the pool stays
// off the per-query path; other users of the same Database meanwhile get only
// the connections left over). With threads > pool_size every operation
// borrows a connection and the pool wait is included in its latency, as an
// application sees it: that measures pool contention; pool_wait bounds the
// wait.
//
// Failures are data, counted in Result::errors by ErrorClassName(): deadlock,
// lock_timeout, syntax, connection_lost, pool_timeout, timeout, rows_mismatch,
// other — each with up to 3 example messages. A failed transaction is rolled
// back. A lost connection is reopened by the next operation and the run goes
// on.
//
// Bounds (those of perfcheck::Measure): iteration mode (iterations > 0) makes
// exactly `iterations` operations over all threads unless max_duration runs
// out first; duration mode runs for `duration` and at least min_iterations,
// never more than max_iterations operations or longer than max_duration.
// Warm-up operations run first on every thread's connection (at least
// warmup_iterations in total) and are not recorded.
//
// Result: name, latency of successful operations, errors, elapsed_ns,
// per-interval series, config (backend, redacted URL, sql, options) and
// fingerprint. Drivers never judge: assertions do.
//
// Errors: bad options throw std::invalid_argument naming the field. Thread-
// safety: TimeQuery may run concurrently on one Database.
#ifndef PERFCHECK_DB_TIMING_H_
#define PERFCHECK_DB_TIMING_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "perfcheck/clock.h"
#include "perfcheck/db/connection.h"
#include "perfcheck/measurable.h"
#include "perfcheck/result.h"

namespace perfcheck::db {

struct QueryOptions {
  std::uint64_t warmup_iterations = 10;
  std::uint64_t iterations = 0;  // > 0: iteration mode
  std::chrono::nanoseconds duration = std::chrono::seconds(1);
  std::uint64_t min_iterations = 20;
  std::uint64_t max_iterations = 1'000'000;
  std::chrono::nanoseconds max_duration = std::chrono::seconds(60);
  int threads = 0;  // 0: one per pool connection; else 1..256
  // Longest wait for a pooled connection; std::nullopt: the pool's own.
  std::optional<std::chrono::milliseconds> pool_wait;
  // Rows each execution must return (or affect); a difference is counted as
  // "rows_mismatch". std::nullopt: not checked.
  std::optional<std::uint64_t> expected_rows;
  // Parameters per operation, overriding the fixed ones (e.g. a different
  // SKU each time). Called with the operation's sequence number, concurrently
  // from the worker threads (warm-up operations call it too, with numbers
  // that repeat those of the measured phase); must be deterministic for
  // comparable runs.
  std::function<Params(std::uint64_t)> params_for;
  std::chrono::nanoseconds interval = std::chrono::seconds(1);  // series
  Clock* clock = nullptr;  // nullptr: SteadyClock; not owned

  // Throws std::invalid_argument naming the bad field.
  void Validate() const;
};

struct Statement {
  std::string sql;
  Params params;
};

// Times `sql` with `params` bound; the Result is named `name` (or the SQL
// text when `name` is empty).
Result TimeQuery(Database& db, std::string_view sql, const Params& params = {},
                 const QueryOptions& options = {}, std::string name = {});

// Times BEGIN; statements...; COMMIT as one operation. `options.params_for`
// is not used; expected_rows applies to the last statement.
Result TimeTransaction(Database& db, std::string name,
                       std::vector<Statement> statements,
                       const QueryOptions& options = {});

// A query with its options that an assertion measures (Measurable). The
// Database must outlive the spec.
class QuerySpec final : public Measurable {
 public:
  QuerySpec(Database& db, std::string name, std::string sql, Params params,
            QueryOptions options);
  std::string Name() const override { return name_; }
  Result Run() const override;

 private:
  Database* db_;
  std::string name_;
  std::string sql_;
  Params params_;
  QueryOptions options_;
};

// Validates the options and returns a spec (std::invalid_argument on bad
// options).
QuerySpec Query(Database& db, std::string name, std::string sql,
                Params params = {}, QueryOptions options = {});

}  // namespace perfcheck::db

#endif  // PERFCHECK_DB_TIMING_H_
