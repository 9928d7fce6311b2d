// PostgreSQL and MariaDB drivers against a real server. Built twice, once per
// backend (PERFCHECK_TEST_BACKEND_postgres / _mariadb); the ctest fixture
// starts a throwaway server and hands over its URL (db_test_env.h). No server
// is a failure, never a skip.
#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>

#include "db_test_env.h"
#include "perfcheck/db_connection.h"
#include "perfcheck/db_gtest.h"
#include "perfcheck/db_plan.h"
#include "perfcheck/db_seed.h"
#include "perfcheck/db_timing.h"
#include "perfcheck/gtest.h"

namespace perfcheck::db {
namespace {

using namespace std::chrono_literals;

#if defined(PERFCHECK_TEST_BACKEND_postgres)
constexpr Backend kBackend = Backend::kPostgres;
constexpr const char* kUrlVar = "PERFCHECK_PG_URL";
constexpr const char* kEnvFileVar = "PERFCHECK_PG_ENV_FILE";
#else
constexpr Backend kBackend = Backend::kMariaDb;
constexpr const char* kUrlVar = "PERFCHECK_MARIADB_URL";
constexpr const char* kEnvFileVar = "PERFCHECK_MARIADB_ENV_FILE";
#endif
constexpr bool kPostgres = kBackend == Backend::kPostgres;

// Tests write '?' placeholders; PostgreSQL wants $1, $2, ...
std::string P(std::string_view sql) {
  if (!kPostgres) return std::string(sql);
  std::string out;
  int n = 0;
  for (char c : sql) {
    if (c == '?') {
      out += "$" + std::to_string(++n);
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string Sleep(double seconds) {
  return (kPostgres ? "SELECT pg_sleep(" : "SELECT SLEEP(") +
         std::to_string(seconds) + ")";
}

TableSpec Items(bool with_index) {
  TableSpec t{
      .name = "pc_items",
      .columns = {{"id", ColumnType::kInteger, Sequence(1), true},
                  {"sku", ColumnType::kText, Format("SKU-%06d", Sequence(1))},
                  {"warehouse", ColumnType::kInteger, UniformInt(1, 20)},
                  {"qty", ColumnType::kInteger, UniformInt(0, 500)}}};
  if (with_index) t.indexes.push_back({"pc_items_sku_idx", {"sku"}});
  return t;
}

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    StatusOr<std::string> url = test::ServerUrl(kUrlVar, kEnvFileVar);
    ASSERT_TRUE(url.ok()) << url.status().message();
    url_ = *url;
    auto parsed = ConnectionUrl::Parse(url_);
    ASSERT_TRUE(parsed.ok()) << parsed.status().message();
    password_ = parsed->password;
    db_ = OpenDb(4);
    ASSERT_TRUE(db_);
  }

  std::unique_ptr<Database> OpenDb(int pool_size) {
    auto db = Database::Open(url_, {.pool_size = pool_size});
    EXPECT_TRUE(db.ok()) << db.status().message();
    return db.ok() ? std::move(db).value() : nullptr;
  }

  void Exec(Database& db, const std::string& sql) {
    QueryStatus s = db.ExecuteScript(sql);
    ASSERT_TRUE(s.ok()) << sql << ": " << s.message;
  }

  // The password must not appear anywhere in a Result.
  void ExpectNoPassword(const Result& r) {
    ASSERT_FALSE(password_.empty());
    for (const auto& [key, value] : r.config) {
      EXPECT_EQ(value.find(password_), std::string::npos) << key;
    }
    for (const auto& [category, errors] : r.errors) {
      for (const std::string& example : errors.examples) {
        EXPECT_EQ(example.find(password_), std::string::npos) << example;
      }
    }
  }

  std::string url_;
  std::string password_;
  std::unique_ptr<Database> db_;
};

TEST_F(ServerTest, DescribeRedactsThePassword) {
  EXPECT_EQ(db_->backend(), kBackend);
  EXPECT_EQ(db_->Describe().find(password_), std::string::npos);
  EXPECT_NE(db_->Describe().find("<redacted>"), std::string::npos);
}

TEST_F(ServerTest, TimesAPreparedQueryWithParamsOverAPool) {
  ASSERT_TRUE(CreateTable(*db_, Items(true)).ok());
  ASSERT_TRUE(Seed(*db_, Items(true), 2000).ok());
  Result r = TimeQuery(
      *db_,
      P("SELECT id, sku FROM pc_items WHERE warehouse = ? ORDER BY id "
        "LIMIT ?"),
      {3, 5}, {.iterations = 200, .expected_rows = 5}, "items.page");
  EXPECT_EQ(r.OkCount(), 200u);
  EXPECT_EQ(r.ErrorCount(), 0u)
      << (r.errors.empty() ? "" : r.errors.begin()->second.examples[0]);
  EXPECT_EQ(r.config.at("threads"), "4");
  EXPECT_EQ(r.config.at("backend"), BackendName(kBackend));
  ExpectNoPassword(r);

  Rows rows;
  ASSERT_TRUE(
      db_->Query(P("SELECT sku FROM pc_items WHERE id = ?"), {42}, &rows).ok());
  ASSERT_EQ(rows.values.size(), 1u);
  EXPECT_EQ(rows.values[0][0], "SKU-000042");

  Result mismatch = TimeQuery(*db_, P("SELECT id FROM pc_items WHERE id = ?"),
                              {1}, {.iterations = 10, .expected_rows = 2});
  EXPECT_EQ(mismatch.errors.at("rows_mismatch").count, 10u);
}

TEST_F(ServerTest, Seeds50kRowsInSeconds) {
  ASSERT_TRUE(CreateTable(*db_, Items(false)).ok());
  const auto start = std::chrono::steady_clock::now();
  Status s = Seed(*db_, Items(false), 50'000, {.seed = 3});
  const auto took = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_LT(took, 60s);
  Rows rows;
  ASSERT_TRUE(db_->Query("SELECT count(*) FROM pc_items", {}, &rows).ok());
  EXPECT_EQ(rows.values[0][0], "50000");
}

TEST_F(ServerTest, PoolExhaustionIsCountedAsPoolTimeout) {
  auto db = OpenDb(1);
  ASSERT_TRUE(db);
  Result r = TimeQuery(*db, Sleep(0.02), {},
                       {.warmup_iterations = 0,
                        .iterations = 20,
                        .threads = 4,
                        .pool_wait = 1ms});
  EXPECT_EQ(r.TotalCount(), 20u);
  ASSERT_TRUE(r.errors.contains("pool_timeout"));
  EXPECT_GT(r.errors.at("pool_timeout").count, 0u);
  EXPECT_GT(r.OkCount(), 0u);
  ExpectNoPassword(r);
}

TEST_F(ServerTest, RealDeadlockIsCounted) {
  Exec(*db_, "DROP TABLE IF EXISTS pc_locks");
  Exec(*db_, "CREATE TABLE pc_locks (id INTEGER PRIMARY KEY, v INTEGER)");
  Exec(*db_, "INSERT INTO pc_locks VALUES (1, 0), (2, 0)");
  // Two transactions lock the two rows in opposite orders, with a pause in
  // between so they interleave: the server must pick a victim.
  auto txn = [&](int first, int second) {
    return TimeTransaction(
        *db_, "deadlock",
        {{P("UPDATE pc_locks SET v = v + 1 WHERE id = ?"), {first}},
         {Sleep(0.2), {}},
         {P("UPDATE pc_locks SET v = v + 1 WHERE id = ?"), {second}}},
        {.warmup_iterations = 0, .iterations = 2, .threads = 1});
  };
  Result a, b;
  std::thread other([&] { b = txn(2, 1); });
  a = txn(1, 2);
  other.join();
  const std::uint64_t deadlocks =
      (a.errors.contains("deadlock") ? a.errors.at("deadlock").count : 0) +
      (b.errors.contains("deadlock") ? b.errors.at("deadlock").count : 0);
  auto describe = [](const Result& r) {
    std::string out;
    for (const auto& [category, e] : r.errors) {
      out += category + "=" + std::to_string(e.count) + " (" +
             (e.examples.empty() ? "" : e.examples[0]) + ") ";
    }
    return out + "ok=" + std::to_string(r.OkCount());
  };
  ASSERT_GE(deadlocks, 1u) << describe(a) << " / " << describe(b);
  EXPECT_EQ(a.TotalCount() + b.TotalCount(), 4u);
  const Result& victim = a.errors.contains("deadlock") ? a : b;
  EXPECT_NE(victim.errors.at("deadlock")
                .examples[0]
                .find(kPostgres ? "deadlock detected" : "Deadlock"),
            std::string::npos)
      << victim.errors.at("deadlock").examples[0];
}

TEST_F(ServerTest, LockTimeoutIsCounted) {
  Exec(*db_, "DROP TABLE IF EXISTS pc_locks");
  Exec(*db_, "CREATE TABLE pc_locks (id INTEGER PRIMARY KEY, v INTEGER)");
  Exec(*db_, "INSERT INTO pc_locks VALUES (1, 0)");
  auto holder = Connect(url_);
  ASSERT_TRUE(holder.ok()) << holder.status().message();
  ASSERT_TRUE((*holder)->ExecuteScript("BEGIN").ok());
  ASSERT_TRUE(
      (*holder)->ExecuteScript("UPDATE pc_locks SET v = 1 WHERE id = 1").ok());
  auto db = OpenDb(1);
  ASSERT_TRUE(db);
  {
    auto lease = db->Acquire();
    ASSERT_TRUE(lease.ok());
    // Session settings stick to the pool's only connection.
    ASSERT_TRUE((*lease)
                    ->ExecuteScript(kPostgres
                                        ? "SET lock_timeout = '50ms'"
                                        : "SET innodb_lock_wait_timeout = 1")
                    .ok());
  }
  Result r = TimeQuery(*db, P("UPDATE pc_locks SET v = 2 WHERE id = ?"), {1},
                       {.warmup_iterations = 0, .iterations = 2});
  EXPECT_TRUE((*holder)->ExecuteScript("ROLLBACK").ok());
  ASSERT_TRUE(r.errors.contains("lock_timeout"))
      << (r.errors.empty() ? "no errors" : r.errors.begin()->first);
  EXPECT_EQ(r.errors.at("lock_timeout").count, 2u);
}

TEST_F(ServerTest, SyntaxErrorIsClassified) {
  Result r = TimeQuery(*db_, "SELEC 1", {}, {.iterations = 3});
  ASSERT_TRUE(r.errors.contains("syntax"));
  EXPECT_EQ(r.errors.at("syntax").count, 3u);
  EXPECT_NE(r.errors.at("syntax").examples[0].find("syntax"),
            std::string::npos);
  ExpectNoPassword(r);
}

TEST_F(ServerTest, ConnectionLossMidRunIsCountedAndSurvived) {
  auto db = OpenDb(1);
  ASSERT_TRUE(db);
  std::int64_t victim = 0;
  {
    auto lease = db->Acquire();
    ASSERT_TRUE(lease.ok());
    victim = (*lease)->SessionId();
  }
  ASSERT_GT(victim, 0);
  auto killer = Connect(url_);
  ASSERT_TRUE(killer.ok());
  QueryOptions options{
      .warmup_iterations = 0, .iterations = 30, .expected_rows = 1};
  // Kill the session from another connection before operation 10 runs.
  options.params_for = [&](std::uint64_t seq) {
    if (seq == 10) {
      const std::string kill = kPostgres ? "SELECT pg_terminate_backend(" +
                                               std::to_string(victim) + ")"
                                         : "KILL " + std::to_string(victim);
      QueryStatus s = (*killer)->ExecuteScript(kill);
      EXPECT_TRUE(s.ok()) << s.message;
      std::this_thread::sleep_for(50ms);  // let the server close it
    }
    return Params{};
  };
  Result r = TimeQuery(*db, "SELECT 1", {}, options);
  EXPECT_EQ(r.TotalCount(), 30u);
  ASSERT_TRUE(r.errors.contains("connection_lost"))
      << (r.errors.empty() ? "no errors"
                           : r.errors.begin()->first + ": " +
                                 r.errors.begin()->second.examples[0]);
  EXPECT_GE(r.errors.at("connection_lost").count, 1u);
  EXPECT_GE(r.OkCount(), 28u);  // reconnected and went on
  ExpectNoPassword(r);
}

TEST_F(ServerTest, TransactionsPerSecond) {
  Exec(*db_, "DROP TABLE IF EXISTS pc_stock");
  Exec(*db_, "DROP TABLE IF EXISTS pc_moves");
  Exec(*db_, "CREATE TABLE pc_stock (id INTEGER PRIMARY KEY, qty INTEGER)");
  Exec(*db_, "CREATE TABLE pc_moves (item INTEGER, qty INTEGER)");
  Exec(*db_, "INSERT INTO pc_stock VALUES (1, 1000000), (2, 1000000)");
  Result r = TimeTransaction(
      *db_, "stock.move",
      {{P("UPDATE pc_stock SET qty = qty - 1 WHERE id = ?"), {2}},
       {P("INSERT INTO pc_moves (item, qty) VALUES (?, ?)"), {2, -1}}},
      {.warmup_iterations = 0,
       .duration = 500ms,
       .max_duration = 20s,
       .expected_rows = 1});
  EXPECT_GT(r.OkCount(), 0u);
  EXPECT_EQ(r.ErrorCount(), 0u)
      << (r.errors.empty() ? "" : r.errors.begin()->second.examples[0]);
  EXPECT_GT(r.Throughput(), 0.0);
  Rows rows;
  ASSERT_TRUE(db_->Query("SELECT count(*) FROM pc_moves", {}, &rows).ok());
  EXPECT_EQ(rows.values[0][0], std::to_string(r.OkCount()));
}

Database* g_db = nullptr;  // for EXPECT_NONFATAL_FAILURE's statement

TEST_F(ServerTest, PlanAssertionsWithAndWithoutIndex) {
  ASSERT_TRUE(CreateTable(*db_, Items(false)).ok());
  ASSERT_TRUE(Seed(*db_, Items(false), 5000).ok());
  Exec(*db_, kPostgres ? "ANALYZE pc_items" : "ANALYZE TABLE pc_items");
  g_db = db_.get();
  const std::string sql = P("SELECT * FROM pc_items WHERE sku = ?");
  auto plan = Explain(*db_, sql, {"SKU-000042"});
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  EXPECT_TRUE(plan->HasFullScan("pc_items")) << plan->raw;
  EXPECT_NONFATAL_FAILURE(
      EXPECT_NO_FULL_SCAN(*g_db, (Statement{sql, {"SKU-000042"}})),
      "Actual: full scan of pc_items; plan:\n    pc_items: full scan");
  EXPECT_NONFATAL_FAILURE(
      EXPECT_QUERY_USES_INDEX(*g_db, (Statement{sql, {"SKU-000042"}})),
      "no index used");
  EXPECT_NONFATAL_FAILURE(
      EXPECT_ROWS_EXAMINED_BELOW(*g_db, (Statement{sql, {"SKU-000042"}}), 100),
      "examines fewer than 100 rows");

  Exec(*db_, "CREATE INDEX pc_items_sku_idx ON pc_items (sku)");
  Exec(*db_, kPostgres ? "ANALYZE pc_items" : "ANALYZE TABLE pc_items");
  EXPECT_QUERY_USES_INDEX(*db_, (Statement{sql, {"SKU-000042"}}),
                          "pc_items_sku_idx");
  EXPECT_NO_FULL_SCAN(*db_, (Statement{sql, {"SKU-000042"}}), "pc_items");
  EXPECT_ROWS_EXAMINED_BELOW(*db_, (Statement{sql, {"SKU-000042"}}), 100);
  plan = Explain(*db_, sql, {"SKU-000042"}, {.analyze = true});
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  EXPECT_TRUE(plan->analyzed);
  EXPECT_EQ(plan->RowsExamined(), 1.0) << plan->ToString();
  g_db = nullptr;
}

TEST_F(ServerTest, BadInputGetsClearErrorsWithoutThePassword) {
  auto parsed = ConnectionUrl::Parse(url_);
  ASSERT_TRUE(parsed.ok());
  ConnectionUrl wrong = *parsed;

  const std::string bad_password = "not-the-password-x9";
  std::string url = url_;
  url.replace(url.find(password_), password_.size(), bad_password);
  auto c = Database::Open(url);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find(kPostgres ? "password authentication"
                                                : "Access denied"),
            std::string::npos)
      << c.status().message();
  EXPECT_EQ(c.status().message().find(bad_password), std::string::npos);

  const std::string unknown_db =
      url_.substr(0, url_.rfind('/')) + "/no_such_db_perfcheck";
  c = Database::Open(unknown_db);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("no_such_db_perfcheck"),
            std::string::npos);
  EXPECT_EQ(c.status().message().find(password_), std::string::npos)
      << c.status().message();

  std::string closed = url_;
  const std::size_t port_at = closed.rfind(':');
  closed.replace(port_at, closed.rfind('/') - port_at, ":1");
  c = Database::Open(closed);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("127.0.0.1:1"), std::string::npos)
      << c.status().message();
  EXPECT_EQ(c.status().message().find(password_), std::string::npos);

  std::string malformed = url_;
  malformed.replace(port_at, closed.size(), ":port/db");
  c = Database::Open(malformed);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("port"), std::string::npos);
  EXPECT_EQ(c.status().message().find(password_), std::string::npos)
      << c.status().message();
}

TEST_F(ServerTest, QuerySpecIsMeasuredByTheSlaAssertions) {
  auto spec = Query(*db_, "select.one", P("SELECT ?"), {1},
                    {.iterations = 100, .expected_rows = 1});
  EXPECT_P95_BELOW(spec, 10s);
  EXPECT_ERROR_RATE_BELOW(spec, 0.01);
}

}  // namespace
}  // namespace perfcheck::db
