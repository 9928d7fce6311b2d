// The ERP database SLAs from the seed documents as perf tests, on one backend
// per binary (PERFCHECK_EXAMPLE_BACKEND_sqlite / _postgres / _mariadb):
//
//   manufacturing order list, paginated, over 10k orders      p95 < 500 ms
//   warehouse stock search over 50k items                     p95 < 300 ms
//     ... and the index assertion catching a missing index
//   RBAC permission check                                     p95 < 50 ms
//   order detail JOIN (orders, customers, order lines)        p95 < 500 ms
//   stock movement transaction                                TPS, 0 deadlocks
//
//   ctest --test-dir build -L perf -R erp_db
//
// The SLA bounds are the users' service levels and sit far above what these
// queries need, so they never flake. EXPECT_NO_REGRESSION is the tight gate
// against baselines/db/ (record with PERFCHECK_UPDATE_BASELINES=1).
//
// Data are generated deterministically (perfcheck/db/seed.h) once per binary,
// so every run and every backend sees the same rows.
#include <gtest/gtest-spi.h>

#include <chrono>
#include <cstdlib>
#include <memory>
#include <string>

#include "perfcheck/db/connection.h"
#include "perfcheck/db/gtest.h"
#include "perfcheck/db/seed.h"
#include "perfcheck/db/server_stats.h"
#include "perfcheck/db/timing.h"
#include "perfcheck/gtest.h"

#if defined(PERFCHECK_EXAMPLE_BACKEND_postgres)
#define ERP_SUITE ErpDbPostgres
#define ERP_URL_VAR "PERFCHECK_PG_URL"
#define ERP_ENV_FILE_VAR "PERFCHECK_PG_ENV_FILE"
#elif defined(PERFCHECK_EXAMPLE_BACKEND_mariadb)
#define ERP_SUITE ErpDbMariaDb
#define ERP_URL_VAR "PERFCHECK_MARIADB_URL"
#define ERP_ENV_FILE_VAR "PERFCHECK_MARIADB_ENV_FILE"
#else
#define ERP_SUITE ErpDbSqlite
#endif

#if !defined(PERFCHECK_EXAMPLE_BACKEND_sqlite)
#include "../../tests/db/db_test_env.h"
#endif

namespace {

using namespace std::chrono_literals;
namespace db = perfcheck::db;

constexpr std::uint64_t kSeed = 20260205;
constexpr std::uint64_t kOrders = 10'000;
constexpr std::uint64_t kItems = 50'000;
constexpr std::uint64_t kCustomers = 500;
constexpr std::uint64_t kUsers = 200;

bool IsPostgres(const db::Database& d) {
  return d.backend() == db::Backend::kPostgres;
}

// Tests write '?' placeholders; PostgreSQL wants $1, $2, ...
std::string Sql(const db::Database& d, std::string_view sql) {
  if (!IsPostgres(d)) return std::string(sql);
  std::string out;
  int n = 0;
  for (char c : sql) {
    out += c == '?' ? "$" + std::to_string(++n) : std::string(1, c);
  }
  return out;
}

std::string Sku(std::uint64_t n) {
  std::string digits = std::to_string(n);
  return "SKU-" + std::string(digits.size() < 6 ? 6 - digits.size() : 0, '0') +
         digits;
}

db::TableSpec Customers() {
  return {.name = "erp_customers",
          .columns = {{"id", db::ColumnType::kInteger, db::Sequence(1), true},
                      {"name", db::ColumnType::kText, db::RandomText(12)},
                      {"city", db::ColumnType::kText,
                       db::Choice({"Semarang", "Jakarta", "Bandung"})}}};
}

db::TableSpec Orders() {
  return {
      .name = "erp_orders",
      .columns = {{"id", db::ColumnType::kInteger, db::Sequence(1), true},
                  {"customer_id", db::ColumnType::kInteger,
                   db::UniformInt(1, kCustomers)},
                  {"status", db::ColumnType::kText,
                   db::Choice(
                       {"draft", "cutting", "sewing", "finishing", "done"})},
                  {"created_at", db::ColumnType::kInteger,
                   db::Sequence(1'700'000'000, 60)},
                  {"total", db::ColumnType::kReal, db::UniformReal(10, 5000)}},
      .indexes = {{"erp_orders_created_idx", {"created_at"}},
                  {"erp_orders_customer_idx", {"customer_id"}}}};
}

db::TableSpec OrderLines() {
  return {.name = "erp_order_lines",
          .columns = {{"id", db::ColumnType::kInteger, db::Sequence(1), true},
                      {"order_id", db::ColumnType::kInteger,
                       db::UniformInt(1, kOrders)},
                      {"sku", db::ColumnType::kText,
                       db::Format("SKU-%06d", db::UniformInt(1, kItems))},
                      {"qty", db::ColumnType::kInteger, db::UniformInt(1, 20)}},
          .indexes = {{"erp_order_lines_order_idx", {"order_id"}}}};
}

db::TableSpec Items(std::string name, bool with_index) {
  db::TableSpec t{
      .name = name,
      .columns = {{"id", db::ColumnType::kInteger, db::Sequence(1), true},
                  {"sku", db::ColumnType::kText,
                   db::Format("SKU-%06d", db::Sequence(1))},
                  {"warehouse", db::ColumnType::kInteger, db::UniformInt(1, 8)},
                  {"qty", db::ColumnType::kInteger, db::UniformInt(0, 900)},
                  {"name", db::ColumnType::kText, db::RandomText(16)}}};
  if (with_index) t.indexes.push_back({name + "_sku_idx", {"sku"}});
  return t;
}

db::TableSpec UserRoles() {
  return {
      .name = "erp_user_roles",
      .columns = {{"user_id", db::ColumnType::kInteger, db::Sequence(1)},
                  {"role_id", db::ColumnType::kInteger, db::UniformInt(1, 12)}},
      .indexes = {{"erp_user_roles_user_idx", {"user_id"}}}};
}

db::TableSpec RolePermissions() {
  return {
      .name = "erp_role_permissions",
      .columns = {{"role_id", db::ColumnType::kInteger, db::UniformInt(1, 12)},
                  {"permission", db::ColumnType::kText,
                   db::Format("perm.%d", db::UniformInt(1, 60))}},
      .indexes = {{"erp_role_permissions_idx", {"role_id", "permission"}}}};
}

class ERP_SUITE : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
#if defined(PERFCHECK_EXAMPLE_BACKEND_sqlite)
    std::string url = "sqlite://" PERFCHECK_EXAMPLE_SQLITE_PATH;
    const int pool = 1;  // SQLite has one writer; the TPS test uses one thread
#else
    auto found = db::test::ServerUrl(ERP_URL_VAR, ERP_ENV_FILE_VAR);
    if (!found.ok()) {
      setup_error_ = found.status().message();
      return;
    }
    std::string url = *found;
    const int pool = 4;
#endif
    url_ = url;
    auto opened = db::Database::Open(url, {.pool_size = pool});
    if (!opened.ok()) {
      setup_error_ = opened.status().message();
      return;
    }
    db_ = std::move(opened).value().release();
    // ctest runs each test in its own process: seed once, mark it, reuse.
    const std::string marker = "v1-" + std::to_string(kSeed);
    db::Rows seeded;
    if (db_->Query("SELECT version FROM erp_seeded", {}, &seeded).ok() &&
        !seeded.values.empty() && seeded.values[0][0] == marker) {
      return;
    }
    const db::TableSpec tables[] = {Customers(),
                                    Orders(),
                                    OrderLines(),
                                    Items("erp_items", true),
                                    Items("erp_items_noidx", false),
                                    UserRoles(),
                                    RolePermissions()};
    const std::uint64_t rows[] = {kCustomers, kOrders, 3 * kOrders, kItems,
                                  kItems,     kUsers,  400};
    for (std::size_t i = 0; i < std::size(tables); ++i) {
      perfcheck::Status s = db::CreateTable(*db_, tables[i]);
      if (s.ok()) s = db::Seed(*db_, tables[i], rows[i], {.seed = kSeed});
      if (!s.ok()) {
        setup_error_ = s.message();
        return;
      }
    }
    // Fresh statistics, as a production database would have.
    const char* analyze = db_->backend() == db::Backend::kPostgres  ? "ANALYZE"
                          : db_->backend() == db::Backend::kMariaDb ? nullptr
                                                                    : "ANALYZE";
    if (analyze != nullptr) db_->ExecuteScript(analyze);
    if (db_->backend() == db::Backend::kMariaDb) {
      for (const db::TableSpec& t : tables) {
        db_->ExecuteScript("ANALYZE TABLE " + t.name);
      }
    }
    db_->ExecuteScript("DROP TABLE IF EXISTS erp_seeded");
    db_->ExecuteScript("CREATE TABLE erp_seeded (version VARCHAR(64))");
    db_->ExecuteScript("INSERT INTO erp_seeded VALUES ('" + marker + "')");
  }
  static void TearDownTestSuite() {
    delete db_;
    db_ = nullptr;
  }
  void SetUp() override { ASSERT_NE(db_, nullptr) << setup_error_; }

  static db::Database* db_;
  static std::string url_;
  static std::string setup_error_;
};
db::Database* ERP_SUITE::db_ = nullptr;
std::string ERP_SUITE::url_;
std::string ERP_SUITE::setup_error_ = "database not opened";

TEST_F(ERP_SUITE, OrderListPageOver10kOrders) {
  // Keyset pagination ("older than the last row shown"): with LIMIT/OFFSET
  // MariaDB sorts all 10k orders per page, which the index assertion below
  // reports as a full scan.
  const std::string sql =
      Sql(*db_,
          "SELECT id, customer_id, status, total FROM erp_orders "
          "WHERE created_at < ? ORDER BY created_at DESC LIMIT 50");
  auto cursor = [](std::uint64_t page) {
    return static_cast<std::int64_t>(1'700'000'000 +
                                     60 * (kOrders - (page % 20) * 50));
  };
  EXPECT_QUERY_USES_INDEX(*db_, (db::Statement{sql, {cursor(10)}}),
                          "erp_orders_created_idx");
  db::QueryOptions options{.iterations = 400, .expected_rows = 50};
  // The first 20 pages, as users page through the list.
  options.params_for = [&](std::uint64_t i) { return db::Params{cursor(i)}; };
  perfcheck::Result r =
      db::TimeQuery(*db_, sql, {}, options, "orders.list_page");
  EXPECT_P95_BELOW(r, 500ms) << "manufacturing order list, 10k orders";
  EXPECT_ERROR_RATE_BELOW(r, 0.0);
  EXPECT_NO_REGRESSION(r);
}

TEST_F(ERP_SUITE, StockSearchOver50kItems) {
  const std::string sql =
      Sql(*db_, "SELECT id, sku, warehouse, qty FROM erp_items WHERE sku = ?");
  EXPECT_QUERY_USES_INDEX(*db_, (db::Statement{sql, {"SKU-000042"}}),
                          "erp_items_sku_idx");
  EXPECT_ROWS_EXAMINED_BELOW(*db_, (db::Statement{sql, {"SKU-000042"}}), 10);
  db::QueryOptions options{.iterations = 2000, .expected_rows = 1};
  options.params_for = [](std::uint64_t i) {
    return db::Params{Sku(i * 7919 % kItems + 1)};
  };
  perfcheck::Result r = db::TimeQuery(*db_, sql, {}, options, "stock.search");
  EXPECT_P95_BELOW(r, 300ms) << "warehouse stock search, 50k items";
  EXPECT_ERROR_RATE_BELOW(r, 0.0);
  EXPECT_NO_REGRESSION(r);
}

db::Database* g_db = nullptr;  // EXPECT_NONFATAL_FAILURE checks a fixed scope

TEST_F(ERP_SUITE, MissingIndexIsCaughtByThePlanAssertion) {
  const std::string sql =
      Sql(*db_,
          "SELECT id, sku, warehouse, qty FROM erp_items_noidx "
          "WHERE sku = ?");
  g_db = db_;
  // Without the index the search reads all 50k rows: the plan assertions say
  // so, with the plan, even when the timing SLA still passes on small data.
  EXPECT_NONFATAL_FAILURE(
      EXPECT_NO_FULL_SCAN(*g_db, (db::Statement{sql, {"SKU-000042"}}),
                          "erp_items_noidx"),
      "full scan of erp_items_noidx");
  EXPECT_NONFATAL_FAILURE(
      EXPECT_ROWS_EXAMINED_BELOW(*g_db, (db::Statement{sql, {"SKU-000042"}}),
                                 1000),
      "examines fewer than 1000 rows");
  g_db = nullptr;
  perfcheck::Result r = db::TimeQuery(*db_, sql, {"SKU-000042"},
                                      {.iterations = 100, .expected_rows = 1},
                                      "stock.search_without_index");
  EXPECT_P95_BELOW(r, 300ms);
  EXPECT_NO_REGRESSION(r);
}

TEST_F(ERP_SUITE, RbacPermissionCheck) {
  const std::string sql =
      Sql(*db_,
          "SELECT 1 FROM erp_user_roles ur JOIN erp_role_permissions rp "
          "ON rp.role_id = ur.role_id "
          "WHERE ur.user_id = ? AND rp.permission = ? LIMIT 1");
  db::QueryOptions options{.iterations = 2000};
  options.params_for = [](std::uint64_t i) {
    return db::Params{static_cast<std::int64_t>(i % kUsers + 1),
                      "perm." + std::to_string(i % 60 + 1)};
  };
  auto spec = db::Query(*db_, "rbac.check", sql, {}, options);
  perfcheck::Result r = spec.Run();
  EXPECT_P95_BELOW(r, 50ms) << "RBAC permission check";
  EXPECT_ERROR_RATE_BELOW(r, 0.0);
  EXPECT_NO_REGRESSION(r);
}

TEST_F(ERP_SUITE, OrderDetailJoin) {
  const std::string sql =
      Sql(*db_,
          "SELECT o.id, c.name, count(l.id), sum(l.qty) FROM erp_orders o "
          "JOIN erp_customers c ON c.id = o.customer_id "
          "JOIN erp_order_lines l ON l.order_id = o.id "
          "WHERE o.customer_id = ? GROUP BY o.id, c.name");
  EXPECT_NO_FULL_SCAN(*db_, (db::Statement{sql, {7}}), "erp_order_lines");
  db::QueryOptions options{.iterations = 500};
  options.params_for = [](std::uint64_t i) {
    return db::Params{static_cast<std::int64_t>(i % kCustomers + 1)};
  };
  perfcheck::Result r = db::TimeQuery(*db_, sql, {}, options, "orders.join");
  EXPECT_P95_BELOW(r, 500ms);
  EXPECT_ERROR_RATE_BELOW(r, 0.0);
  EXPECT_NO_REGRESSION(r);
}

TEST_F(ERP_SUITE, StockMovementTransactionsPerSecond) {
  ASSERT_TRUE(db_->ExecuteScript("DROP TABLE IF EXISTS erp_moves").ok());
  ASSERT_TRUE(db_->ExecuteScript("CREATE TABLE erp_moves (item_id BIGINT, "
                                 "qty BIGINT)")
                  .ok());
  db::QueryOptions options{.warmup_iterations = 20,
                           .duration = 2s,
                           .max_duration = 30s,
                           .expected_rows = 1};
#if !defined(PERFCHECK_EXAMPLE_BACKEND_sqlite)
  // The server's own figures (SQLite has none): the deadlocks it counted,
  // which a driver retrying its victims would hide from r.errors, and the
  // connections in use against the pool size.
  auto read_figures = [] {
    auto lease = db_->Acquire();
    return lease.ok() ? db::ReadServerStats(**lease)
                      : perfcheck::StatusOr<db::ServerStats>(lease.status());
  };
  auto before = read_figures();
  ASSERT_TRUE(before.ok()) << before.status().message();
  db::ServerStatsSampler sampler(url_, {.interval = 100ms});
  ASSERT_TRUE(sampler.Start().ok());
#endif
  // Each thread moves stock of its own items, as operators at different
  // stations do; the same rows in one order never deadlock.
  perfcheck::Result r = db::TimeTransaction(
      *db_, "stock.move",
      {{Sql(*db_, "UPDATE erp_items SET qty = qty - 1 WHERE id = ?"), {42}},
       {Sql(*db_, "INSERT INTO erp_moves (item_id, qty) VALUES (?, ?)"),
        {42, -1}}},
      options);
  // The seed's ">= 5000 transactions/s" is a production-server target; on a
  // CI runner the floor is deliberately low, the baseline is the gate.
  EXPECT_THROUGHPUT_AT_LEAST(r, 50);
  EXPECT_ERROR_RATE_BELOW(r, 0.01);
  EXPECT_FALSE(r.errors.contains("deadlock")) << "0 deadlocks";
#if !defined(PERFCHECK_EXAMPLE_BACKEND_sqlite)
  EXPECT_TRUE(sampler.Stop().ok());
  // The pool stays open: make its sessions publish what they counted
  // (PostgreSQL would hold it back for up to 10 s).
  ASSERT_TRUE(db::PublishServerStats(*db_).ok());
  auto after = read_figures();
  ASSERT_TRUE(after.ok()) << after.status().message();
  EXPECT_NO_DEADLOCKS(db::Delta(*before, *after));
  EXPECT_CONNECTIONS_AT_MOST(sampler, db_->pool_size());
#endif
  EXPECT_NO_REGRESSION(r);
}

}  // namespace
