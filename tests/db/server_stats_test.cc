// Server figures (perfcheck/db/server_stats.h) and their assertions. Built
// three times: with PERFCHECK_TEST_BACKEND_postgres / _mariadb against the
// real server a ctest fixture starts (db_test_env.h; no server is a failure,
// never a skip), and with neither for the pure parts (Delta, the checks and
// their messages on figures built by hand, SQLite's refusal). The header
// under test comes first, to prove it stands alone.
#include "perfcheck/db/server_stats.h"

#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

#include <chrono>
#include <latch>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "perfcheck/db/connection.h"
#include "perfcheck/db/gtest.h"

#if defined(PERFCHECK_TEST_BACKEND_postgres) || \
    defined(PERFCHECK_TEST_BACKEND_mariadb)
#define PERFCHECK_TEST_SERVER 1
#include "db_test_env.h"
#endif

namespace perfcheck::db {
namespace {

using namespace std::chrono_literals;

#if !defined(PERFCHECK_TEST_SERVER)

ServerStats Pg(std::uint64_t deadlocks, std::uint64_t rollbacks,
               std::int64_t connections, Nanos at) {
  ServerStats s;
  s.backend = Backend::kPostgres;
  s.server = "postgresql://app:<redacted>@127.0.0.1:5432/erp";
  s.database = "erp";
  s.steady_ns = at;
  s.deadlocks = deadlocks;
  s.rollbacks = rollbacks;
  s.commits = 100;
  s.temp_files = 1;
  s.temp_bytes = 4096;
  s.connections = connections;
  s.active = connections / 2;
  s.idle = connections - connections / 2;
  s.idle_in_transaction = 0;
  s.max_connections = 100;
  return s;
}

TEST(ServerStatsDelta, CountersSubtractAndGaugesKeepTheLaterValue) {
  ServerStats before = Pg(3, 10, 8, 1'000'000'000);
  ServerStats after = Pg(5, 11, 2, 2'500'000'000);
  after.commits = 160;
  after.temp_bytes = 8192;
  ServerStatsDelta d = Delta(before, after);
  EXPECT_FALSE(d.counters_reset);
  EXPECT_EQ(d.elapsed_ns, 1'500'000'000);
  EXPECT_EQ(d.figures.deadlocks, 2u);
  EXPECT_EQ(d.figures.rollbacks, 1u);
  EXPECT_EQ(d.figures.commits, 60u);
  EXPECT_EQ(d.figures.temp_files, 0u);
  EXPECT_EQ(d.figures.temp_bytes, 4096u);
  EXPECT_FALSE(d.figures.aborted_connects.has_value());
  EXPECT_EQ(d.figures.connections, 2);  // gauge: the later reading
  EXPECT_EQ(d.figures.idle, 1);
  EXPECT_EQ(d.figures.max_connections, 100);
}

TEST(ServerStatsDelta, ACounterGoingBackwardsIsAResetAndTheChecksFail) {
  ServerStatsDelta d = Delta(Pg(7, 10, 1, 0), Pg(1, 10, 1, 1'000'000'000));
  EXPECT_TRUE(d.counters_reset);
  EXPECT_EQ(d.figures.deadlocks, 1u);  // counted since the reset
  ServerStatsCheck c = CheckDeadlocksAtMost(d, 5);
  EXPECT_FALSE(c.passed);
  EXPECT_FALSE(c.observed.has_value());
  EXPECT_NE(c.actual.find("unknown: the server's counters went backwards"),
            std::string::npos)
      << c.actual;
}

TEST(ServerStatsDelta, FiguresOfTwoSourcesOrOutOfOrderAreMisuse) {
  ServerStats a = Pg(0, 0, 0, 0);
  ServerStats b = a;
  b.database = "other";
  EXPECT_THROW((void)Delta(a, b), std::invalid_argument);
  b = a;
  b.backend = Backend::kMariaDb;
  EXPECT_THROW((void)Delta(a, b), std::invalid_argument);
  b = a;
  b.steady_ns = -1;
  EXPECT_THROW((void)Delta(a, b), std::invalid_argument);
  ServerStatsSeries empty;
  EXPECT_THROW((void)empty.Delta(), std::logic_error);
}

TEST(ServerStatsCheck, DeadlocksNameTheServerTheCountAndTheLimit) {
  ServerStatsDelta d = Delta(Pg(3, 0, 0, 0), Pg(5, 0, 0, 1'200'000'000));
  ServerStatsCheck c = CheckDeadlocksAtMost(d, 1);
  EXPECT_FALSE(c.passed);
  EXPECT_EQ(c.observed, 2);
  EXPECT_EQ(c.limit, 1);
  EXPECT_EQ(c.metric, "deadlocks");
  EXPECT_EQ(c.summary,
            "deadlocks <= 1 on postgres server "
            "postgresql://app:<redacted>@127.0.0.1:5432/erp (database erp) -> "
            "deadlocks = 2 (pg_stat_database.deadlocks, over 1.20 s) [FAIL]");
  EXPECT_TRUE(CheckDeadlocksAtMost(d, 2).passed);
  EXPECT_THROW((void)CheckDeadlocksAtMost(d, -1), std::invalid_argument);
}

TEST(ServerStatsCheck, MariaDbFiguresSayTheyAreServerWide) {
  ServerStats a;
  a.backend = Backend::kMariaDb;
  a.server = "mysql://app:<redacted>@127.0.0.1:3306/erp";
  a.database = "erp";
  a.server_wide = true;
  a.rollbacks = 4;
  a.aborted_connects = 0;
  ServerStats b = a;
  b.rollbacks = 7;
  b.aborted_connects = 2;
  b.steady_ns = 500'000'000;
  ServerStatsDelta d = Delta(a, b);
  EXPECT_EQ(d.figures.aborted_connects, 2u);
  ServerStatsCheck c = CheckRollbacksAtMost(d, 0);
  EXPECT_FALSE(c.passed);
  EXPECT_EQ(c.summary,
            "rollbacks <= 0 on mariadb server "
            "mysql://app:<redacted>@127.0.0.1:3306/erp (server-wide) -> "
            "rollbacks = 3 (Com_rollback, server-wide, over 0.50 s) [FAIL]");
}

TEST(ServerStatsCheck, ConnectionsJudgeThePeakAndNeedAReading) {
  ServerStatsSeries s;
  s.interval_ns = 50'000'000;
  ServerStatsCheck none = CheckConnectionsAtMost(s, 4);
  EXPECT_FALSE(none.passed);
  EXPECT_EQ(none.actual, "no reading of the server's figures");

  s.first = Pg(0, 0, 2, 0);
  s.last = Pg(0, 0, 1, 2'000'000'000);
  s.peak_connections = 6;
  s.peak_active = 5;
  s.peak_connections_at_ns = 1'250'000'000;
  s.reads = 12;
  ServerStatsCheck c = CheckConnectionsAtMost(s, 4);
  EXPECT_FALSE(c.passed);
  EXPECT_EQ(c.observed, 6);
  EXPECT_EQ(c.actual,
            "peak = 6 at 1.25 s (5 active at most; 12 readings every 50 ms, "
            "the sampler's own connection not counted)");
  EXPECT_TRUE(CheckConnectionsAtMost(s, 6).passed);
}

TEST(ServerStatsGtest, MacrosPassAndFailWithTheCheckText) {
  ServerStatsDelta quiet = Delta(Pg(3, 1, 0, 0), Pg(3, 1, 0, 1));
  EXPECT_NO_DEADLOCKS(quiet);
  EXPECT_NO_ROLLBACKS(quiet);
  ASSERT_DEADLOCKS_AT_MOST(quiet, 0);
  ServerStatsDelta two = Delta(Pg(3, 1, 0, 0), Pg(5, 2, 0, 1));
  EXPECT_NONFATAL_FAILURE(EXPECT_NO_DEADLOCKS(two),
                          "Actual: deadlocks = 2 (pg_stat_database");
  EXPECT_NONFATAL_FAILURE(EXPECT_DEADLOCKS_AT_MOST(two, 1), "limit 1");
  EXPECT_NONFATAL_FAILURE(EXPECT_NO_ROLLBACKS(two), "rollbacks = 1");
  EXPECT_FATAL_FAILURE(
      {
        ServerStatsDelta d = Delta(Pg(0, 0, 0, 0), Pg(1, 0, 0, 1));
        ASSERT_NO_DEADLOCKS(d);
      },
      "deadlocks <= 0 on postgres server");

  ServerStatsSeries s;
  s.first = s.last = Pg(0, 0, 3, 0);
  s.peak_connections = 3;
  s.reads = 1;
  EXPECT_CONNECTIONS_AT_MOST(s, 3);
  EXPECT_NONFATAL_FAILURE(EXPECT_CONNECTIONS_AT_MOST(s, 2), "peak = 3");
  // Each argument evaluated once.
  int evaluated = 0;
  EXPECT_DEADLOCKS_AT_MOST((++evaluated, quiet), 0);
  EXPECT_EQ(evaluated, 1);
}

TEST(ServerStatsSampler, RejectsBadOptions) {
  EXPECT_THROW(
      ServerStatsSampler("postgresql://u:p@127.0.0.1:1/d", {.interval = 5ms}),
      std::invalid_argument);
  EXPECT_THROW(
      ServerStatsSampler("postgresql://u:p@127.0.0.1:1/d", {.max_samples = 1}),
      std::invalid_argument);
  // Never started: Stop() is OK and the series empty.
  ServerStatsSampler idle("postgresql://u:p@127.0.0.1:1/d");
  EXPECT_TRUE(idle.Stop().ok());
  EXPECT_EQ(idle.Series().reads, 0u);
}

#if defined(PERFCHECK_TEST_HAVE_SQLITE)
TEST(ServerStatsSqlite, SaysItHasNoServerFigures) {
  auto c = Connect("sqlite::memory:");
  ASSERT_TRUE(c.ok()) << c.status().message();
  StatusOr<ServerStats> st = ReadServerStats(**c);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.status().message().find("sqlite has no server figures"),
            std::string::npos)
      << st.status().message();
  ServerStatsSampler sampler("sqlite::memory:");
  Status s = sampler.Start();
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("sqlite has no server figures"),
            std::string::npos);
  EXPECT_TRUE(sampler.Stop().ok());
}
#endif

#else  // PERFCHECK_TEST_SERVER

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

std::string Sleep(double seconds) {
  return (kPostgres ? "SELECT pg_sleep(" : "SELECT SLEEP(") +
         std::to_string(seconds) + ")";
}

class ServerStatsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    StatusOr<std::string> url = test::ServerUrl(kUrlVar, kEnvFileVar);
    ASSERT_TRUE(url.ok()) << url.status().message();
    url_ = *url;
    auto parsed = ConnectionUrl::Parse(url_);
    ASSERT_TRUE(parsed.ok()) << parsed.status().message();
    password_ = parsed->password;
    ASSERT_FALSE(password_.empty());
    auto reader = Connect(url_);
    ASSERT_TRUE(reader.ok()) << reader.status().message();
    reader_ = std::move(reader).value();
  }

  ServerStats Read() {
    StatusOr<ServerStats> st = ReadServerStats(*reader_);
    EXPECT_TRUE(st.ok()) << st.status().message();
    return st.ok() ? *st : ServerStats{};
  }

  // PostgreSQL publishes a session's counters when it goes idle or closes,
  // not at once: poll (bounded) until `done` holds for the delta from
  // `before`. MariaDB counts at once, so the first reading settles.
  template <class Done>
  ServerStatsDelta Settle(const ServerStats& before, Done done) {
    ServerStatsDelta d = Delta(before, Read());
    for (auto end = std::chrono::steady_clock::now() + 20s;
         !done(d) && std::chrono::steady_clock::now() < end;) {
      std::this_thread::sleep_for(100ms);
      d = Delta(before, Read());
    }
    return d;
  }

  std::unique_ptr<Connection> Open() {
    auto c = Connect(url_);
    EXPECT_TRUE(c.ok()) << c.status().message();
    return c.ok() ? std::move(c).value() : nullptr;
  }

  void ExpectNoPassword(const std::string& text) {
    EXPECT_EQ(text.find(password_), std::string::npos) << text;
  }

  std::string url_;
  std::string password_;
  std::unique_ptr<Connection> reader_;
};

TEST_F(ServerStatsTest, ReadsTheServersFigures) {
  ServerStats s = Read();
  EXPECT_EQ(s.backend, kBackend);
  EXPECT_EQ(s.database, "perfcheck");
  EXPECT_EQ(s.server_wide, !kPostgres);
  EXPECT_GT(s.max_connections, 0);
  EXPECT_GE(s.connections, 0);
  EXPECT_GE(s.connections, s.active);
  EXPECT_EQ(s.idle.has_value(), kPostgres);
  EXPECT_EQ(s.temp_bytes.has_value(), kPostgres);
  EXPECT_EQ(s.aborted_connects.has_value(), !kPostgres);
  EXPECT_EQ(s.max_used_connections.has_value(), !kPostgres);
  ExpectNoPassword(s.Describe());
  EXPECT_NE(s.Describe().find("<redacted>"), std::string::npos);
  if (kPostgres) {
    // A session inside a transaction is counted as such.
    auto open = Open();
    ASSERT_TRUE(open);
    ASSERT_TRUE(open->ExecuteScript("BEGIN; SELECT 1").ok());
    ServerStats in_txn = Read();
    EXPECT_GE(in_txn.idle_in_transaction.value_or(0), 1);
    EXPECT_TRUE(open->ExecuteScript("ROLLBACK").ok());
  }
}

TEST_F(ServerStatsTest, AQuietRunHasNoDeadlocks) {
  ServerStats before = Read();
  {
    auto db = Database::Open(url_, {.pool_size = 2});
    ASSERT_TRUE(db.ok()) << db.status().message();
    ASSERT_TRUE(
        (*db)->ExecuteScript("DROP TABLE IF EXISTS pc_stats_quiet").ok());
    ASSERT_TRUE((*db)
                    ->ExecuteScript("CREATE TABLE pc_stats_quiet (id "
                                    "INTEGER PRIMARY KEY, v INTEGER)")
                    .ok());
    for (int i = 0; i < 20; ++i) {
      ASSERT_TRUE((*db)
                      ->ExecuteScript("INSERT INTO pc_stats_quiet VALUES (" +
                                      std::to_string(i) + ", 0)")
                      .ok());
    }
  }  // closed: PostgreSQL publishes the sessions' counters
  // Wait for the commits to show (PostgreSQL), so the deadlock counter is
  // read at least as late as the work's own figures.
  ServerStatsDelta d = Settle(before, [](const ServerStatsDelta& x) {
    return !kPostgres || x.figures.commits >= 20;
  });
  EXPECT_FALSE(d.counters_reset);
  if (kPostgres) {
    EXPECT_GE(d.figures.commits, 20u);
  }
  EXPECT_NO_DEADLOCKS(d);
  EXPECT_TRUE(CheckDeadlocksAtMost(d, 0).passed);
}

TEST_F(ServerStatsTest, ARealDeadlockIsCountedOnceAndFailsTheAssertion) {
  ASSERT_TRUE(
      reader_->ExecuteScript("DROP TABLE IF EXISTS pc_stats_locks").ok());
  ASSERT_TRUE(reader_
                  ->ExecuteScript("CREATE TABLE pc_stats_locks (id INTEGER "
                                  "PRIMARY KEY, v INTEGER)")
                  .ok());
  ASSERT_TRUE(
      reader_->ExecuteScript("INSERT INTO pc_stats_locks VALUES (1, 0), (2, 0)")
          .ok());
  ServerStats before = Read();

  // Two sessions lock the two rows in opposite orders; the latch makes both
  // hold their first row before either asks for its second, so the server
  // must pick a victim. Lock timeouts bound the wait if it did not.
  std::unique_ptr<Connection> sessions[2] = {Open(), Open()};
  ASSERT_TRUE(sessions[0] && sessions[1]);
  std::latch both_hold_first(2);
  QueryStatus second[2];
  auto txn = [&](int i, int first_row, int second_row) {
    Connection& c = *sessions[i];
    (void)c.ExecuteScript(kPostgres ? "SET lock_timeout = '15s'"
                                    : "SET innodb_lock_wait_timeout = 15");
    (void)c.ExecuteScript("BEGIN");
    QueryStatus s =
        c.ExecuteScript("UPDATE pc_stats_locks SET v = v + 1 WHERE id = " +
                        std::to_string(first_row));
    both_hold_first.count_down();
    both_hold_first.wait();
    if (s.ok()) {
      s = c.ExecuteScript("UPDATE pc_stats_locks SET v = v + 1 WHERE id = " +
                          std::to_string(second_row));
    }
    second[i] = s;
    (void)c.ExecuteScript(s.ok() ? "COMMIT" : "ROLLBACK");
  };
  std::thread other([&] { txn(1, 2, 1); });
  txn(0, 1, 2);
  other.join();
  int deadlocked = 0;
  for (const QueryStatus& s : second) {
    if (s.error == ErrorClass::kDeadlock) ++deadlocked;
  }
  ASSERT_EQ(deadlocked, 1) << second[0].message << " / " << second[1].message;
  sessions[0].reset();  // closing publishes their counters (PostgreSQL)
  sessions[1].reset();

  ServerStatsDelta d = Settle(before, [](const ServerStatsDelta& x) {
    return x.figures.deadlocks >= 1 && x.figures.rollbacks >= 1;
  });
  // Exactly one: this binary's tests hold the server's RESOURCE_LOCK, so no
  // other test deadlocks on it meanwhile (MariaDB counts server-wide).
  EXPECT_EQ(d.figures.deadlocks, 1u);
  EXPECT_GE(d.figures.rollbacks, 1u);
  EXPECT_DEADLOCKS_AT_MOST(d, 1);
  const std::string source =
      kPostgres ? "pg_stat_database.deadlocks" : "Innodb_deadlocks";
  EXPECT_NONFATAL_FAILURE(EXPECT_NO_DEADLOCKS(d),
                          "Actual: deadlocks = 1 (" + source);
  EXPECT_NONFATAL_FAILURE(
      EXPECT_NO_DEADLOCKS(d),
      "deadlocks <= 0 on " + std::string(BackendName(kBackend)) + " server");
  EXPECT_NONFATAL_FAILURE(EXPECT_NO_ROLLBACKS(d), "rollbacks = ");
  ServerStatsCheck c = CheckDeadlocksAtMost(d, 0);
  EXPECT_FALSE(c.passed);
  ExpectNoPassword(c.summary);
  EXPECT_NE(c.summary.find("<redacted>"), std::string::npos) << c.summary;
}

TEST_F(ServerStatsTest, APoolsDeadlockIsReadAtOnceAfterPublishServerStats) {
  ASSERT_TRUE(
      reader_->ExecuteScript("DROP TABLE IF EXISTS pc_stats_locks").ok());
  ASSERT_TRUE(reader_
                  ->ExecuteScript("CREATE TABLE pc_stats_locks (id INTEGER "
                                  "PRIMARY KEY, v INTEGER)")
                  .ok());
  ASSERT_TRUE(
      reader_->ExecuteScript("INSERT INTO pc_stats_locks VALUES (1, 0), (2, 0)")
          .ok());
  auto pool = Database::Open(url_, {.pool_size = 2});
  ASSERT_TRUE(pool.ok()) << pool.status().message();
  ServerStats before = Read();
  std::latch both_hold_first(2);
  QueryStatus second[2];
  auto txn = [&](int i, int first_row, int second_row) {
    auto lease = (*pool)->Acquire();
    if (!lease.ok()) {
      both_hold_first.count_down();  // the other session must not wait
      return;
    }
    Connection& c = **lease;
    // A deadlock found 100 ms after the sessions last published (PostgreSQL
    // default: 1 s) is held back: the case PublishServerStats() is for.
    (void)c.ExecuteScript(kPostgres ? "SET lock_timeout = '15s'; "
                                      "SET deadlock_timeout = '100ms'"
                                    : "SET innodb_lock_wait_timeout = 15");
    (void)c.ExecuteScript("BEGIN");
    QueryStatus s =
        c.ExecuteScript("UPDATE pc_stats_locks SET v = v + 1 WHERE id = " +
                        std::to_string(first_row));
    both_hold_first.arrive_and_wait();
    if (s.ok()) {
      s = c.ExecuteScript("UPDATE pc_stats_locks SET v = v + 1 WHERE id = " +
                          std::to_string(second_row));
    }
    second[i] = s;
    (void)c.ExecuteScript(s.ok() ? "COMMIT" : "ROLLBACK");
  };
  std::thread other([&] { txn(1, 2, 1); });
  txn(0, 1, 2);
  other.join();
  ASSERT_EQ((second[0].error == ErrorClass::kDeadlock) +
                (second[1].error == ErrorClass::kDeadlock),
            1)
      << second[0].message << " / " << second[1].message;
  // The pool stays open: without publishing, PostgreSQL could hold the
  // count back for up to 10 s. One reading, no polling.
  ASSERT_TRUE(PublishServerStats(**pool).ok());
  ServerStatsDelta d = Delta(before, Read());
  EXPECT_EQ(d.figures.deadlocks, 1u);
  EXPECT_NONFATAL_FAILURE(EXPECT_NO_DEADLOCKS(d), "deadlocks = 1");
}

TEST_F(ServerStatsTest, SamplerSeesPooledConnectionsInUse) {
  constexpr int kPool = 4;
  ServerStatsSampler sampler(url_, {.interval = 20ms});
  ASSERT_TRUE(sampler.Start().ok());
  // Sessions open before the pool (this test's reader, leftovers of earlier
  // tests still closing): the pool adds at most kPool to them.
  const std::int64_t already = sampler.Series().first->connections;
  {
    auto db = Database::Open(url_, {.pool_size = kPool});
    ASSERT_TRUE(db.ok()) << db.status().message();
    // Every connection busy at once, long enough for many readings.
    std::latch all_leased(kPool);
    std::vector<std::thread> workers;
    for (int i = 0; i < kPool; ++i) {
      workers.emplace_back([&] {
        auto lease = (*db)->Acquire();
        all_leased.count_down();
        if (!lease.ok()) return;
        all_leased.wait();
        (void)(*lease)->Execute(Sleep(0.6), {});
      });
    }
    for (std::thread& t : workers) t.join();
  }
  ASSERT_TRUE(sampler.Stop().ok());
  ServerStatsSeries s = sampler.Series();
  EXPECT_GE(s.reads, 10u);
  EXPECT_EQ(s.failed_reads, 0u);
  EXPECT_GE(s.peak_connections, kPool);
  EXPECT_LE(s.peak_connections, kPool + already);
  EXPECT_GE(s.peak_active, kPool);
  EXPECT_CONNECTIONS_AT_MOST(sampler, kPool + already);
  EXPECT_CONNECTIONS_AT_MOST(s, kPool + already);
  EXPECT_NONFATAL_FAILURE(
      EXPECT_CONNECTIONS_AT_MOST(s, kPool - 1),
      "peak connections in use <= 3 on " + std::string(BackendName(kBackend)));
  ExpectNoPassword(CheckConnectionsAtMost(s, 0).summary);
}

TEST_F(ServerStatsTest, SamplerKeepsABoundedSeriesAndStopsCleanly) {
  ServerStatsSampler sampler(url_, {.interval = 10ms, .max_samples = 3});
  ASSERT_TRUE(sampler.Start().ok());
  std::this_thread::sleep_for(200ms);
  ASSERT_TRUE(sampler.Stop().ok());
  ASSERT_TRUE(sampler.Stop().ok());  // idempotent
  ServerStatsSeries s = sampler.Series();
  EXPECT_EQ(s.samples.size(), 3u);
  EXPECT_GT(s.dropped, 0u);
  EXPECT_EQ(s.reads, s.samples.size() + s.dropped);
  ASSERT_TRUE(s.first && s.last);
  EXPECT_GT(s.last->steady_ns, s.samples.back().steady_ns);
  EXPECT_FALSE(s.Delta().counters_reset);
  const std::size_t reads = s.reads;
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(sampler.Series().reads, reads);  // stopped: no more readings
}

TEST_F(ServerStatsTest, AWrongPasswordIsAClearErrorWithoutThePassword) {
  auto url = ConnectionUrl::Parse(url_);
  ASSERT_TRUE(url.ok());
  const std::string wrong = "wrong-" + password_;
  std::string bad = url_;
  bad.replace(bad.find(password_), password_.size(), wrong);
  ServerStatsSampler sampler(bad, {.interval = 50ms});
  Status s = sampler.Start();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.message().find(wrong), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("<redacted>"), std::string::npos) << s.message();
  EXPECT_TRUE(sampler.Stop().ok());
  EXPECT_EQ(sampler.Series().reads, 0u);
}

#endif  // PERFCHECK_TEST_SERVER

}  // namespace
}  // namespace perfcheck::db
