// Creating a table and filling it fast with deterministic generated rows, so
// "50k items" setups take seconds and two runs see the same data.
//
//   using namespace perfcheck::db;
//   TableSpec items{
//       .name = "items",
//       .columns = {{"id", ColumnType::kInteger, Sequence(1), true},
//                   {"sku", ColumnType::kText,
//                    Format("SKU-%06d", Sequence(1))},
//                   {"warehouse", ColumnType::kInteger, UniformInt(1, 20)},
//                   {"qty", ColumnType::kInteger, UniformInt(0, 500)},
//                   {"name", ColumnType::kText, Choice({"bolt", "nut"})}},
//       .indexes = {{"items_sku_idx", {"sku"}}}};
//   Status s = CreateTable(*db, items);            // DROP + CREATE + indexes
//   s = Seed(*db, items, 50'000, {.seed = 42});     // COPY / LOAD DATA / ...
//
//   // The same, with what was done: method, rows, time, fallback reason.
//   StatusOr<SeedReport> r = SeedWithReport(*db, items, 50'000, {.seed = 42});
//   if (r.ok() && !r->fallback.empty()) std::cout << r->fallback << "\n";
//
// Speed (SeedMethod::kAuto): PostgreSQL uses COPY in batches of
// SeedOptions::batch_rows rows; MariaDB one LOAD DATA LOCAL INFILE whose rows
// are generated while the server reads them (no temp file), falling back to
// multi-row INSERTs of batch_rows rows when the client or server has
// local_infile off (SeedReport::fallback says so); SQLite one prepared
// INSERT per row inside a transaction per batch.
//
// Determinism: row i's values depend only on (seed, column index, i), so the
// same spec and seed give the same table on every backend and machine, and
// with every SeedMethod.
//
// Errors: a Status naming the table and the server's message. Generators are
// called concurrently only if you call Seed() concurrently; they are pure.
#ifndef PERFCHECK_DB_SEED_H_
#define PERFCHECK_DB_SEED_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "perfcheck/db/connection.h"
#include "perfcheck/status.h"

namespace perfcheck::db {

enum class ColumnType {
  kInteger,  // BIGINT (SQLite INTEGER)
  kReal,     // DOUBLE PRECISION / DOUBLE / REAL
  kText,     // TEXT on PostgreSQL and SQLite, VARCHAR(255) on MariaDB so it
             // can be indexed
};

// Makes the value of row `row` (0-based); `rng` is a seeded 64-bit value
// unique to (seed, column, row).
using Generator = std::function<Param(std::uint64_t row, std::uint64_t rng)>;

// start, start+step, ...
Generator Sequence(std::int64_t start = 1, std::int64_t step = 1);
// Uniform integer in [lo, hi].
Generator UniformInt(std::int64_t lo, std::int64_t hi);
// Uniform real in [lo, hi).
Generator UniformReal(double lo, double hi);
// One of `values`, uniformly.
Generator Choice(std::vector<std::string> values);
// Random lowercase letters, `length` of them.
Generator RandomText(int length);
// printf-style `pattern` with one integer conversion, fed by `inner`, e.g.
// Format("SKU-%06d", Sequence(1)) -> "SKU-000001".
Generator Format(std::string pattern, Generator inner);
// The same value in every row.
Generator Constant(Param value);

struct ColumnSpec {
  std::string name;
  ColumnType type = ColumnType::kInteger;
  Generator generate;
  bool primary_key = false;
};

struct IndexSpec {
  std::string name;
  std::vector<std::string> columns;
};

struct TableSpec {
  std::string name;
  std::vector<ColumnSpec> columns;
  std::vector<IndexSpec> indexes;  // created by CreateTable()
};

// How Seed() sends the rows.
enum class SeedMethod {
  // The fastest the backend and server allow: kLoadData on MariaDB when
  // local_infile is on (client and server), else kInsert.
  kAuto,
  // Connection::LoadData(): one streamed LOAD DATA LOCAL INFILE (MariaDB
  // only; std::invalid_argument on other backends). An error, not a
  // fallback, when the client or server refuses it.
  kLoadData,
  // Connection::BulkInsert() per batch_rows rows: COPY on PostgreSQL,
  // multi-row INSERT on MariaDB, prepared INSERTs in a transaction on SQLite.
  kInsert,
};
// "auto", "load_data" or "insert".
std::string_view SeedMethodName(SeedMethod method);

struct SeedOptions {
  std::uint64_t seed = 1;
  std::uint64_t first_row = 0;      // row number of the first generated row
  std::uint64_t batch_rows = 1000;  // rows per INSERT / COPY / transaction
  SeedMethod method = SeedMethod::kAuto;
};

// What SeedWithReport() did.
struct SeedReport {
  std::uint64_t rows = 0;                   // rows inserted
  SeedMethod method = SeedMethod::kInsert;  // the method used; never kAuto
  // Why kAuto did not use LOAD DATA although the backend has it (the
  // server's or client's refusal, e.g. "mariadb: error 4166: ..."), and that
  // multi-row INSERTs were used instead. Empty when nothing fell back.
  std::string fallback;
  std::chrono::nanoseconds elapsed{0};  // wall time of the whole seeding
};

// The CREATE TABLE statement for `backend`.
std::string CreateTableSql(Backend backend, const TableSpec& table);
// DROP TABLE IF EXISTS, CREATE TABLE, CREATE INDEX for each index.
Status CreateTable(Database& db, const TableSpec& table);
// Generates `rows` rows and inserts them with options.method.
// std::invalid_argument when a column has no generator, batch_rows == 0 or
// kLoadData is asked of a backend other than MariaDB.
Status Seed(Database& db, const TableSpec& table, std::uint64_t rows,
            SeedOptions options = {});
// Seed(), reporting the method used, a fallback and the time taken.
StatusOr<SeedReport> SeedWithReport(Database& db, const TableSpec& table,
                                    std::uint64_t rows,
                                    SeedOptions options = {});
// Row `row` as Params, exactly as Seed() would insert it.
Params GenerateRow(const TableSpec& table, std::uint64_t row,
                   std::uint64_t seed);

}  // namespace perfcheck::db

#endif  // PERFCHECK_DB_SEED_H_
