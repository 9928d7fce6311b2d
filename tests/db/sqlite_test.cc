// SQLite backend: timing, pools, errors by class, plans, seeding. No server;
// file databases live in a per-test temporary directory.
#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <string>

#include "perfcheck/db/connection.h"
#include "perfcheck/db/gtest.h"
#include "perfcheck/db/plan.h"
#include "perfcheck/db/seed.h"
#include "perfcheck/db/timing.h"
#include "perfcheck/gtest.h"

namespace perfcheck::db {
namespace {

using namespace std::chrono_literals;

TableSpec Items(bool with_index) {
  TableSpec t{
      .name = "items",
      .columns = {{"id", ColumnType::kInteger, Sequence(1), true},
                  {"sku", ColumnType::kText, Format("SKU-%06d", Sequence(1))},
                  {"warehouse", ColumnType::kInteger, UniformInt(1, 20)},
                  {"qty", ColumnType::kInteger, UniformInt(0, 500)}}};
  if (with_index) t.indexes.push_back({"items_sku_idx", {"sku"}});
  return t;
}

class SqliteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("perfcheck_sqlite_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string FileUrl(std::string_view options = "") const {
    return "sqlite://" + (dir_ / "test.db").string() + std::string(options);
  }

  std::unique_ptr<Database> Open(const std::string& url, int pool_size = 1) {
    auto db = Database::Open(url, {.pool_size = pool_size});
    EXPECT_TRUE(db.ok()) << db.status().message();
    return db.ok() ? std::move(db).value() : nullptr;
  }

  std::filesystem::path dir_;
};

TEST_F(SqliteTest, TimesAPreparedQueryWithParams) {
  auto db = Open("sqlite::memory:");
  ASSERT_TRUE(db);
  ASSERT_TRUE(CreateTable(*db, Items(true)).ok());
  ASSERT_TRUE(Seed(*db, Items(true), 1000).ok());
  Result r =
      TimeQuery(*db, "SELECT * FROM items WHERE warehouse = ? LIMIT ?", {3, 5},
                {.iterations = 200, .expected_rows = 5}, "items.by_warehouse");
  EXPECT_EQ(r.name, "items.by_warehouse");
  EXPECT_EQ(r.OkCount(), 200u);
  EXPECT_EQ(r.ErrorCount(), 0u) << r.errors.begin()->second.examples[0];
  EXPECT_GT(r.elapsed_ns, 0);
  EXPECT_GT(r.latency.Min(), 0);
  EXPECT_EQ(r.config.at("backend"), "sqlite");
  EXPECT_EQ(r.config.at("sql"),
            "SELECT * FROM items WHERE warehouse = ? LIMIT ?");
  EXPECT_FALSE(r.series.Intervals().empty());
}

TEST_F(SqliteTest, RowsMismatchIsCountedAsAnError) {
  auto db = Open("sqlite::memory:");
  ASSERT_TRUE(db);
  ASSERT_TRUE(CreateTable(*db, Items(false)).ok());
  ASSERT_TRUE(Seed(*db, Items(false), 10).ok());
  Result r = TimeQuery(*db, "SELECT * FROM items WHERE id <= ?", {3},
                       {.iterations = 50, .expected_rows = 4});
  EXPECT_EQ(r.OkCount(), 0u);
  ASSERT_TRUE(r.errors.contains("rows_mismatch"));
  EXPECT_EQ(r.errors.at("rows_mismatch").count, 50u);
  EXPECT_EQ(r.errors.at("rows_mismatch").examples[0], "expected 4 rows, got 3");
}

TEST_F(SqliteTest, ParamsPerOperationAreUsed) {
  auto db = Open("sqlite::memory:");
  ASSERT_TRUE(db);
  ASSERT_TRUE(CreateTable(*db, Items(true)).ok());
  ASSERT_TRUE(Seed(*db, Items(true), 100).ok());
  QueryOptions options{.iterations = 100, .expected_rows = 1};
  options.params_for = [](std::uint64_t i) {
    return Params{"SKU-" +
                  std::string(6 - std::to_string(i % 100 + 1).size(), '0') +
                  std::to_string(i % 100 + 1)};
  };
  Result r = TimeQuery(*db, "SELECT id FROM items WHERE sku = ?", {}, options);
  EXPECT_EQ(r.OkCount(), 100u);
  EXPECT_EQ(r.ErrorCount(), 0u);
}

TEST_F(SqliteTest, DurationModeIsBounded) {
  auto db = Open("sqlite::memory:");
  ASSERT_TRUE(db);
  Result r = TimeQuery(
      *db, "SELECT 1", {},
      {.duration = 100ms, .min_iterations = 50, .max_iterations = 5000});
  EXPECT_GE(r.OkCount(), 50u);
  EXPECT_LE(r.OkCount(), 5000u);
}

TEST_F(SqliteTest, PoolRunsOneThreadPerConnection) {
  auto db = Open(FileUrl(), 4);
  ASSERT_TRUE(db);
  ASSERT_TRUE(CreateTable(*db, Items(true)).ok());
  ASSERT_TRUE(Seed(*db, Items(true), 2000).ok());
  Result r = TimeQuery(*db, "SELECT count(*) FROM items WHERE warehouse = ?",
                       {7}, {.iterations = 400, .expected_rows = 1});
  EXPECT_EQ(r.OkCount(), 400u);
  EXPECT_EQ(r.config.at("threads"), "4");
  EXPECT_EQ(r.config.at("pool_size"), "4");
}

TEST_F(SqliteTest, PoolExhaustionIsCountedAsPoolTimeout) {
  auto db = Open(FileUrl(), 1);
  ASSERT_TRUE(db);
  // ~10+ ms per query on any machine; 4 threads share one connection and
  // wait at most 1 ms for it.
  const char* slow =
      "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c "
      "WHERE x < 300000) SELECT max(x) FROM c";
  Result r = TimeQuery(*db, slow, {},
                       {.warmup_iterations = 0,
                        .iterations = 40,
                        .threads = 4,
                        .pool_wait = 1ms});
  EXPECT_EQ(r.TotalCount(), 40u);
  ASSERT_TRUE(r.errors.contains("pool_timeout"));
  EXPECT_GT(r.errors.at("pool_timeout").count, 0u);
  EXPECT_NE(r.errors.at("pool_timeout").examples[0].find("pool (size 1)"),
            std::string::npos);
  EXPECT_GT(r.OkCount(), 0u);
}

TEST_F(SqliteTest, LockTimeoutIsCounted) {
  auto db = Open(FileUrl("?busy_timeout_ms=5"), 1);
  ASSERT_TRUE(db);
  ASSERT_TRUE(CreateTable(*db, Items(false)).ok());
  auto holder = Connect(FileUrl());
  ASSERT_TRUE(holder.ok());
  ASSERT_TRUE((*holder)->ExecuteScript("BEGIN IMMEDIATE").ok());
  Result r = TimeQuery(
      *db,
      "INSERT INTO items (id, sku, warehouse, qty) VALUES (NULL, 'x', 1, 1)",
      {}, {.warmup_iterations = 0, .iterations = 10});
  EXPECT_TRUE((*holder)->ExecuteScript("ROLLBACK").ok());
  ASSERT_TRUE(r.errors.contains("lock_timeout"));
  EXPECT_EQ(r.errors.at("lock_timeout").count, 10u);
  EXPECT_NE(r.errors.at("lock_timeout").examples[0].find("locked"),
            std::string::npos);
}

TEST_F(SqliteTest, SyntaxAndOtherErrorsAreClassified) {
  auto db = Open("sqlite::memory:");
  ASSERT_TRUE(db);
  Result syntax = TimeQuery(*db, "SELEC 1", {}, {.iterations = 5});
  ASSERT_TRUE(syntax.errors.contains("syntax"));
  EXPECT_EQ(syntax.errors.at("syntax").count, 5u);
  EXPECT_NE(syntax.errors.at("syntax").examples[0].find("syntax error"),
            std::string::npos);
  Result missing = TimeQuery(*db, "SELECT * FROM nope", {}, {.iterations = 5});
  ASSERT_TRUE(missing.errors.contains("other"));
  EXPECT_NE(missing.errors.at("other").examples[0].find("no such table"),
            std::string::npos);
}

TEST_F(SqliteTest, TransactionsPerSecond) {
  auto db = Open(FileUrl(), 2);
  ASSERT_TRUE(db);
  ASSERT_TRUE(db->ExecuteScript("CREATE TABLE stock (id INTEGER PRIMARY KEY, "
                                "qty INTEGER); CREATE TABLE moves (item "
                                "INTEGER, qty INTEGER);"
                                "INSERT INTO stock VALUES (1, 1000000)")
                  .ok());
  Result r = TimeTransaction(
      *db, "stock.move",
      {{"UPDATE stock SET qty = qty - 1 WHERE id = ?", {1}},
       {"INSERT INTO moves (item, qty) VALUES (?, ?)", {1, -1}}},
      {.warmup_iterations = 0, .iterations = 100, .expected_rows = 1});
  EXPECT_EQ(r.OkCount() + r.ErrorCount(), 100u);
  EXPECT_GT(r.OkCount(), 0u);
  EXPECT_GT(r.Throughput(), 0.0);
  Rows rows;
  ASSERT_TRUE(db->Query("SELECT count(*) FROM moves", {}, &rows).ok());
  EXPECT_EQ(rows.values[0][0], std::to_string(r.OkCount()));
}

TEST_F(SqliteTest, Seeds50kRowsInSecondsDeterministically) {
  auto db = Open(FileUrl());
  ASSERT_TRUE(db);
  ASSERT_TRUE(CreateTable(*db, Items(true)).ok());
  const auto start = std::chrono::steady_clock::now();
  Status s = Seed(*db, Items(true), 50'000, {.seed = 7});
  const auto took = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_LT(took, 30s);  // "seconds, not minutes", with a wide margin
  Rows rows;
  ASSERT_TRUE(
      db->Query("SELECT count(*), sum(qty) FROM items", {}, &rows).ok());
  EXPECT_EQ(rows.values[0][0], "50000");
  std::int64_t expected_sum = 0;
  for (std::uint64_t i = 0; i < 50'000; ++i) {
    expected_sum += GenerateRow(Items(true), i, 7)[3].int_value();
  }
  EXPECT_EQ(rows.values[0][1], std::to_string(expected_sum));
}

TEST_F(SqliteTest, PlanShowsFullScanWithoutIndexAndIndexWithIt) {
  auto db = Open("sqlite::memory:");
  ASSERT_TRUE(db);
  ASSERT_TRUE(CreateTable(*db, Items(false)).ok());
  ASSERT_TRUE(Seed(*db, Items(false), 500).ok());
  const std::string sql = "SELECT * FROM items WHERE sku = ?";
  auto plan = Explain(*db, sql, {"SKU-000042"});
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  EXPECT_TRUE(plan->HasFullScan("items"));
  EXPECT_FALSE(plan->UsesIndex());
  EXPECT_EQ(plan->RowsExamined(), 500.0);

  ASSERT_TRUE(
      db->ExecuteScript("CREATE INDEX items_sku_idx ON items (sku)").ok());
  plan = Explain(*db, sql, {"SKU-000042"}, {.analyze = true});
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  EXPECT_FALSE(plan->HasFullScan());
  EXPECT_TRUE(plan->UsesIndex("items_sku_idx"));
  EXPECT_EQ(plan->RowsExamined(), 1.0);  // one row returned, no scan steps
}

// The database the failure-message tests below explain against; file scope
// because EXPECT_NONFATAL_FAILURE's statement is checked in its own scope.
Database* g_db = nullptr;

TEST_F(SqliteTest, PlanAssertionsPassAndFailWithPlanLines) {
  auto db = Open("sqlite::memory:");
  ASSERT_TRUE(db);
  g_db = db.get();
  ASSERT_TRUE(CreateTable(*db, Items(false)).ok());
  ASSERT_TRUE(Seed(*db, Items(false), 300).ok());
  EXPECT_NONFATAL_FAILURE(
      EXPECT_QUERY_USES_INDEX(*g_db, "SELECT * FROM items WHERE sku = 'x'"),
      "uses an index\n  Actual: no index used; plan:\n"
      "    items: full scan (est. rows 300) [SCAN items]");
  EXPECT_NONFATAL_FAILURE(
      EXPECT_NO_FULL_SCAN(*g_db, "SELECT * FROM items WHERE sku = 'x'", "items")
          << "stock search",
      "does no full scan of items\n  Actual: full scan of items");
  EXPECT_NONFATAL_FAILURE(EXPECT_ROWS_EXAMINED_BELOW(
                              *g_db, "SELECT * FROM items WHERE qty > -1", 100),
                          "examines fewer than 100 rows");
  EXPECT_NONFATAL_FAILURE(EXPECT_NO_FULL_SCAN(*g_db, "SELEC oops"),
                          "Could not read the plan of query `SELEC oops`");

  ASSERT_TRUE(
      db->ExecuteScript("CREATE INDEX items_sku_idx ON items (sku)").ok());
  EXPECT_QUERY_USES_INDEX(*db, "SELECT * FROM items WHERE sku = 'x'");
  EXPECT_QUERY_USES_INDEX(*db, "SELECT * FROM items WHERE sku = 'x'",
                          "items_sku_idx");
  EXPECT_NO_FULL_SCAN(*db,
                      (Statement{"SELECT * FROM items WHERE sku = ?", {"x"}}));
  EXPECT_ROWS_EXAMINED_BELOW(
      *db, "SELECT * FROM items WHERE sku = 'SKU-000001'", 10);
  EXPECT_NONFATAL_FAILURE(
      EXPECT_QUERY_USES_INDEX(*g_db, "SELECT * FROM items WHERE sku = 'x'",
                              "items_other_idx"),
      "uses index items_other_idx\n  Actual: other indexes used; plan:\n"
      "    items: index items_sku_idx");
  g_db = nullptr;
}

TEST_F(SqliteTest, QuerySpecIsMeasuredByTheSlaAssertions) {
  auto db = Open("sqlite::memory:");
  ASSERT_TRUE(db);
  auto spec = Query(*db, "select.one", "SELECT ?", {1},
                    {.iterations = 50, .expected_rows = 1});
  EXPECT_EQ(spec.Name(), "select.one");
  EXPECT_P95_BELOW(spec, 10s);
  EXPECT_ERROR_RATE_BELOW(spec, 0.01);
  EXPECT_THROW(Query(*db, "bad", "SELECT 1", {}, {.threads = 999}),
               std::invalid_argument);
}

}  // namespace
}  // namespace perfcheck::db
