// Creating a table and filling it fast with deterministic generated rows, so
// "50k items" setups take seconds and two runs see the same data.
//
//   using namespace perfcheck::db;
//   TableSpec items{
//       .name = "items",
//       .columns = {{"id", ColumnType::kInteger, Sequence(1), true},
//                   {"sku", ColumnType::kText, Format("SKU-%06d",
//                   Sequence(1))},
//                   {"warehouse", ColumnType::kInteger, UniformInt(1, 20)},
//                   {"qty", ColumnType::kInteger, UniformInt(0, 500)},
//                   {"name", ColumnType::kText, Choice({"bolt", "nut"})}},
//       .indexes = {{"items_sku_idx", {"sku"}}}};
//   Status s = CreateTable(*db, items);            // DROP + CREATE + indexes
//   s = Seed(*db, items, 50'000, {.seed = 42});     // COPY / multi-row INSERT
//
// Speed: PostgreSQL uses COPY, MariaDB multi-row INSERTs of
// SeedOptions::batch_rows rows, SQLite one prepared INSERT per row inside a
// transaction per batch.
//
// Determinism: row i's values depend only on (seed, column index, i), so the
// same spec and seed give the same table on every backend and machine.
//
// Errors: a Status naming the table and the server's message. Generators are
// called concurrently only if you call Seed() concurrently; they are pure.
#ifndef PERFCHECK_DB_SEED_H_
#define PERFCHECK_DB_SEED_H_

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "perfcheck/db_connection.h"
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

struct SeedOptions {
  std::uint64_t seed = 1;
  std::uint64_t first_row = 0;      // row number of the first generated row
  std::uint64_t batch_rows = 1000;  // rows per INSERT / transaction
};

// The CREATE TABLE statement for `backend`.
std::string CreateTableSql(Backend backend, const TableSpec& table);
// DROP TABLE IF EXISTS, CREATE TABLE, CREATE INDEX for each index.
Status CreateTable(Database& db, const TableSpec& table);
// Generates `rows` rows and inserts them with Connection::BulkInsert().
// std::invalid_argument when a column has no generator or batch_rows == 0.
Status Seed(Database& db, const TableSpec& table, std::uint64_t rows,
            SeedOptions options = {});
// Row `row` as Params, exactly as Seed() would insert it.
Params GenerateRow(const TableSpec& table, std::uint64_t row,
                   std::uint64_t seed);

}  // namespace perfcheck::db

#endif  // PERFCHECK_DB_SEED_H_
