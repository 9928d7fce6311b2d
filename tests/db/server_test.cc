// PostgreSQL and MariaDB drivers against a real server. Built twice, once per
// backend (PERFCHECK_TEST_BACKEND_postgres / _mariadb); the ctest fixture
// starts a throwaway server and hands over its URL (db_test_env.h). No server
// is a failure, never a skip.
#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "db_test_env.h"
#include "perfcheck/db/connection.h"
#include "perfcheck/db/gtest.h"
#include "perfcheck/db/plan.h"
#include "perfcheck/db/seed.h"
#include "perfcheck/db/timing.h"
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

// A fingerprint of the stored bytes of `table`, to compare two tables.
std::string Checksum(Database& db, const std::string& table) {
  Rows rows;
  const std::string sql =
      kPostgres ? "SELECT md5(string_agg(t::text, '|' ORDER BY id)) FROM " +
                      table + " t"
                : "CHECKSUM TABLE " + table + " EXTENDED";
  QueryStatus s = db.Query(sql, {}, &rows);
  EXPECT_TRUE(s.ok()) << sql << ": " << s.message;
  if (rows.values.empty()) return "";
  return rows.values[0].back().value_or("NULL");
}

std::uint64_t Count(Database& db, const std::string& table) {
  Rows rows;
  QueryStatus s = db.Query("SELECT count(*) FROM " + table, {}, &rows);
  EXPECT_TRUE(s.ok()) << s.message;
  return rows.values.empty() ? 0 : std::stoull(*rows.values[0][0]);
}

TEST_F(ServerTest, Seeds50kRowsInSeconds) {
  // MariaDB: both methods, so their times can be compared (the test's
  // property seed_50k_ms_<method>) and their tables are shown identical.
  std::vector<SeedMethod> methods = {SeedMethod::kAuto};
  if (!kPostgres) methods = {SeedMethod::kLoadData, SeedMethod::kInsert};
  std::string first_checksum;
  for (SeedMethod method : methods) {
    ASSERT_TRUE(CreateTable(*db_, Items(false)).ok());
    const auto start = std::chrono::steady_clock::now();
    StatusOr<SeedReport> r = SeedWithReport(*db_, Items(false), 50'000,
                                            {.seed = 3, .method = method});
    const auto took = std::chrono::steady_clock::now() - start;
    ASSERT_TRUE(r.ok()) << r.status().message();
    EXPECT_LT(took, 60s);
    EXPECT_EQ(r->rows, 50'000u);
    EXPECT_EQ(r->fallback, "");
    EXPECT_GT(r->elapsed.count(), 0);
    EXPECT_LE(r->elapsed, took);
    EXPECT_EQ(Count(*db_, "pc_items"), 50'000u);
    const auto ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(r->elapsed);
    RecordProperty("seed_50k_ms_" + std::string(SeedMethodName(r->method)),
                   std::to_string(ms.count()));
    std::printf("seeded 50k rows with %s in %lld ms\n",
                std::string(SeedMethodName(r->method)).c_str(),
                static_cast<long long>(ms.count()));
    const std::string checksum = Checksum(*db_, "pc_items");
    if (first_checksum.empty()) first_checksum = checksum;
    EXPECT_EQ(checksum, first_checksum) << SeedMethodName(method);
  }
}

// Text that needs escaping in LOAD DATA's and COPY's text formats.
std::vector<std::string> AwkwardTexts() {
  std::vector<std::string> texts = {
      "plain",       "tab\there",
      "new\nline",   "cr\rlf",
      "back\\slash", "\\N",
      "NULL",        "",
      "end\\",       "\\t not a tab",
      "quote'\"`",   "\u00fcn\u00efc\u00f8d\u00e9 \u20ac"};
  // PostgreSQL text cannot hold NUL.
  if (!kPostgres) texts.push_back(std::string("nul\0byte", 8));
  return texts;
}

TableSpec Awkward(std::string name) {
  return TableSpec{
      .name = std::move(name),
      .columns = {
          {"id", ColumnType::kInteger, Sequence(1), true},
          {"label", ColumnType::kText, Choice(AwkwardTexts())},
          {"maybe", ColumnType::kText,
           [](std::uint64_t, std::uint64_t rng) {
             return rng % 4 == 0 ? Param(nullptr)
                                 : Param("v" + std::to_string(rng % 1000));
           }},
          {"price", ColumnType::kReal, UniformReal(-1e6, 1e6)},
          {"qty", ColumnType::kInteger, UniformInt(-5, 1'000'000'000'000)}}};
}

TEST_F(ServerTest, SeedMethodsStoreTheSameRowsIncludingAwkwardText) {
  constexpr std::uint64_t kRows = 3000;
  const TableSpec by_insert = Awkward("pc_seed_insert");
  const TableSpec by_auto = Awkward("pc_seed_auto");
  ASSERT_TRUE(CreateTable(*db_, by_insert).ok());
  ASSERT_TRUE(CreateTable(*db_, by_auto).ok());
  StatusOr<SeedReport> a = SeedWithReport(
      *db_, by_insert, kRows, {.seed = 11, .method = SeedMethod::kInsert});
  ASSERT_TRUE(a.ok()) << a.status().message();
  EXPECT_EQ(a->method, SeedMethod::kInsert);
  StatusOr<SeedReport> b = SeedWithReport(*db_, by_auto, kRows, {.seed = 11});
  ASSERT_TRUE(b.ok()) << b.status().message();
  EXPECT_EQ(b->method, kPostgres ? SeedMethod::kInsert : SeedMethod::kLoadData);
  EXPECT_EQ(b->fallback, "");
  EXPECT_EQ(b->rows, kRows);

  const std::string select = "SELECT id, label, maybe, price, qty FROM ";
  Rows x, y;
  ASSERT_TRUE(db_->Query(select + "pc_seed_insert ORDER BY id", {}, &x).ok());
  ASSERT_TRUE(db_->Query(select + "pc_seed_auto ORDER BY id", {}, &y).ok());
  ASSERT_EQ(x.values.size(), kRows);
  EXPECT_EQ(x.values, y.values);
  EXPECT_EQ(Checksum(*db_, "pc_seed_insert"), Checksum(*db_, "pc_seed_auto"));

  // Both hold exactly the generated values: every awkward text survived.
  std::set<std::string> labels;
  for (std::uint64_t row = 0; row < kRows; ++row) {
    const Params want = GenerateRow(by_auto, row, 11);
    const auto& got = y.values[row];
    for (std::size_t c : {0, 1, 2, 4}) {
      const std::optional<std::string> expected =
          want[c].is_null() ? std::nullopt
                            : std::optional<std::string>(want[c].ToText());
      ASSERT_EQ(got[c], expected) << "row " << row << " column " << c;
    }
    ASSERT_TRUE(got[3].has_value());
    EXPECT_NEAR(std::stod(*got[3]), want[3].real_value(), 1e-6);
    labels.insert(*got[1]);
  }
  EXPECT_EQ(labels.size(), AwkwardTexts().size());

  if (kPostgres) {
    // LOAD DATA is MariaDB's; asking for it elsewhere is API misuse.
    EXPECT_THROW(
        SeedWithReport(*db_, by_auto, 1, {.method = SeedMethod::kLoadData}),
        std::invalid_argument);
    auto lease = db_->Acquire();
    ASSERT_TRUE(lease.ok());
    bool refused = false;
    EXPECT_FALSE(
        (*lease)
            ->LoadData(
                "pc_seed_auto", {"id"}, [](Params&) { return false; }, &refused)
            .ok());
    EXPECT_TRUE(refused);
  }
}

#if !defined(PERFCHECK_TEST_BACKEND_postgres)

// Sets the server's global local_infile for one test and restores it.
class GlobalLocalInfile {
 public:
  GlobalLocalInfile(Database& db, int value) : db_(db) {
    Rows rows;
    QueryStatus s = db_.Query("SELECT @@GLOBAL.local_infile", {}, &rows);
    EXPECT_TRUE(s.ok()) << s.message;
    if (s.ok()) saved_ = rows.values[0][0].value_or("1");
    s = db_.ExecuteScript("SET GLOBAL local_infile = " + std::to_string(value));
    EXPECT_TRUE(s.ok()) << s.message;
  }
  ~GlobalLocalInfile() {
    QueryStatus s = db_.ExecuteScript("SET GLOBAL local_infile = " + saved_);
    EXPECT_TRUE(s.ok()) << s.message;
  }

 private:
  Database& db_;
  std::string saved_ = "1";
};

TEST_F(ServerTest, LoadDataRefusedByTheServerFallsBackToInsertsAndSaysSo) {
  ASSERT_TRUE(CreateTable(*db_, Items(false)).ok());
  SeedReport report;
  {
    GlobalLocalInfile off(*db_, 0);
    StatusOr<SeedReport> r =
        SeedWithReport(*db_, Items(false), 500, {.seed = 5});
    ASSERT_TRUE(r.ok()) << r.status().message();
    report = *r;
    // Asked for explicitly, a refusal is an error, not a fallback.
    StatusOr<SeedReport> strict = SeedWithReport(
        *db_, Items(false), 10,
        {.seed = 5, .first_row = 500, .method = SeedMethod::kLoadData});
    ASSERT_FALSE(strict.ok());
    EXPECT_NE(strict.status().message().find("load_data"), std::string::npos)
        << strict.status().message();
    EXPECT_NE(strict.status().message().find("4166"), std::string::npos)
        << strict.status().message();
  }
  EXPECT_EQ(report.method, SeedMethod::kInsert);
  EXPECT_EQ(report.rows, 500u);
  EXPECT_NE(report.fallback.find("LOAD DATA LOCAL INFILE refused"),
            std::string::npos)
      << report.fallback;
  EXPECT_NE(report.fallback.find("error 4166"), std::string::npos)
      << report.fallback;
  EXPECT_NE(report.fallback.find("multi-row INSERTs"), std::string::npos);
  EXPECT_EQ(report.fallback.find(password_), std::string::npos);
  EXPECT_EQ(Count(*db_, "pc_items"), 500u);

  // With local_infile back on, the same rows come by LOAD DATA.
  const std::string fallback_checksum = Checksum(*db_, "pc_items");
  ASSERT_TRUE(CreateTable(*db_, Items(false)).ok());
  StatusOr<SeedReport> r = SeedWithReport(*db_, Items(false), 500, {.seed = 5});
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->method, SeedMethod::kLoadData);
  EXPECT_EQ(Checksum(*db_, "pc_items"), fallback_checksum);
}

TEST_F(ServerTest, LoadDataRefusedByTheClientOptionFallsBack) {
  auto db =
      Database::Open(url_ + (url_.find('?') == std::string::npos ? "?" : "&") +
                     "local_infile=0");
  ASSERT_TRUE(db.ok()) << db.status().message();
  ASSERT_TRUE(CreateTable(**db, Items(false)).ok());
  StatusOr<SeedReport> r = SeedWithReport(**db, Items(false), 300);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->method, SeedMethod::kInsert);
  EXPECT_NE(r->fallback.find("local_infile=0"), std::string::npos)
      << r->fallback;
  EXPECT_EQ(Count(**db, "pc_items"), 300u);
}

TEST_F(ServerTest, FailedLoadDataLeavesNothingAndServesNoClientFile) {
  ASSERT_TRUE(CreateTable(*db_, Items(false)).ok());
  auto lease = db_->Acquire();
  ASSERT_TRUE(lease.ok());
  Connection& c = **lease;
  const std::vector<std::string> columns = {"id", "sku", "warehouse", "qty"};
  bool refused = true;

  // The row source throws after 2000 rows (some already sent): the
  // exception reaches the caller and the transaction is rolled back.
  std::uint64_t n = 0;
  EXPECT_THROW(c.LoadData(
                   "pc_items", columns,
                   [&](Params& row) {
                     if (n == 2000) throw std::runtime_error("boom");
                     row = GenerateRow(Items(false), n++, 1);
                     return true;
                   },
                   &refused),
               std::runtime_error);
  EXPECT_FALSE(refused);
  EXPECT_EQ(Count(*db_, "pc_items"), 0u);

  // A row of the wrong width.
  QueryStatus s = c.LoadData(
      "pc_items", columns,
      [&](Params& row) {
        row = {1, "x"};
        return true;
      },
      &refused);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message.find("has 2 values for 4 columns"), std::string::npos)
      << s.message;
  EXPECT_EQ(Count(*db_, "pc_items"), 0u);

  // LOCAL turns a duplicate key into a skipped row and a warning; perfcheck
  // makes it an error, as the INSERT path's, and keeps nothing.
  TableSpec duplicates = Items(false);
  duplicates.columns[0].generate = Constant(7);
  StatusOr<SeedReport> r =
      SeedWithReport(*db_, duplicates, 5, {.method = SeedMethod::kLoadData});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("Duplicate entry"), std::string::npos)
      << r.status().message();
  EXPECT_EQ(Count(*db_, "pc_items"), 0u);

  // The server asking for a client file gets nothing.
  s = c.ExecuteScript(
      "LOAD DATA LOCAL INFILE '/etc/hostname' INTO TABLE pc_items (sku)");
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message.find("refuses the server's request for client file"),
            std::string::npos)
      << s.message;
  EXPECT_EQ(Count(*db_, "pc_items"), 0u);

  // The connection is still usable, and loads afterwards.
  std::uint64_t left = 10;
  s = c.LoadData(
      "pc_items", columns,
      [&](Params& row) {
        if (left == 0) return false;
        row = GenerateRow(Items(false), --left, 1);
        return true;
      },
      &refused);
  EXPECT_TRUE(s.ok()) << s.message;
  EXPECT_EQ(s.rows, 10u);
  EXPECT_EQ(Count(*db_, "pc_items"), 10u);
}

#endif  // !PERFCHECK_TEST_BACKEND_postgres

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
