// The database server's own figures during a test: deadlocks and rollbacks
// the server counted, connections in use, so "0 deadlocks" and "connections
// in use <= pool size" become assertions (EXPECT_NO_DEADLOCKS,
// EXPECT_CONNECTIONS_AT_MOST in perfcheck/db/gtest.h).
//
//   auto reader = perfcheck::db::Connect(url);              // its own session
//   auto before = perfcheck::db::ReadServerStats(**reader);
//   perfcheck::db::ServerStatsSampler sampler(url, {.interval = 100ms});
//   ASSERT_TRUE(sampler.Start().ok());
//   RunTheWorkload(*pool);                                  // pool_size 8
//   ASSERT_TRUE(sampler.Stop().ok());
//   ASSERT_TRUE(perfcheck::db::PublishServerStats(*pool).ok());  // see Timing
//   auto after = perfcheck::db::ReadServerStats(**reader);
//   EXPECT_NO_DEADLOCKS(perfcheck::db::Delta(*before, *after));
//   EXPECT_CONNECTIONS_AT_MOST(sampler, 8);
//
// Where the figures come from (PostgreSQL one statement per reading, MariaDB
// two):
//   PostgreSQL  pg_stat_database of the reader's database (deadlocks,
//               xact_commit, xact_rollback, conflicts, temp_files,
//               temp_bytes); pg_stat_activity: client sessions of that
//               database by state; current_setting('max_connections').
//               Scope: THIS database.
//   MariaDB     SHOW GLOBAL STATUS (Innodb_deadlocks, Com_rollback,
//               Com_commit, Aborted_connects, Threads_connected,
//               Threads_running, Max_used_connections);
//               @@global.max_connections. Scope: the WHOLE server (every
//               database, every client), as MariaDB keeps these per server.
//   SQLite      has no server: ReadServerStats() and the sampler return a
//               Status saying so.
// The session that reads the figures is never counted in `connections` or
// `active`, so a pool of 8 busy connections reads 8 whoever watches.
//
// Counters and gauges: a counter (deadlocks, rollbacks, ...) only grows from
// server start or a statistics reset; Delta() subtracts two of them. A gauge
// (connections, active, ...) is a value now; Delta() keeps the later one.
//
// Timing (PostgreSQL): a session publishes its counters when it goes
// idle, at most once a second and otherwise up to ~10 s later (PostgreSQL 15+;
// older servers: ~0.5 s), and always when it disconnects. Before the "after"
// reading, close the workload's pool or call PublishServerStats(pool), which
// makes each of its sessions publish at once. MariaDB counts at once.
//
// Units: counts; temp_bytes in bytes; steady_ns from perfcheck::SteadyClock
// (ns, arbitrary epoch); elapsed and sample times in ns.
//
// Errors: a Status naming the server (redacted URL, never the password) and
// the cause: SQLite, a failed statement (e.g. no privilege), a lost
// connection. Delta() of figures from different servers or backends throws
// std::invalid_argument (misuse). A counter that went backwards (server
// restart, pg_stat_reset()) sets ServerStatsDelta::counters_reset; the
// checks then fail rather than guess.
//
// Thread-safety: ReadServerStats() uses the Connection given, which (like
// any Connection) one thread at a time may use. ServerStatsSampler: Start(),
// Stop() and the destructor from one owning thread; Series() from any thread
// at any time. The Check* functions are pure.
#ifndef PERFCHECK_DB_SERVER_STATS_H_
#define PERFCHECK_DB_SERVER_STATS_H_

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "perfcheck/clock.h"
#include "perfcheck/db/connection.h"
#include "perfcheck/status.h"

namespace perfcheck::db {

// One reading of a server's figures. Optional fields exist on one backend
// only (named after their source); they are nullopt on the other.
struct ServerStats {
  Backend backend = Backend::kPostgres;
  // The reader's connection, password redacted ("postgresql://u:<redacted>@
  // host:port/db"), and the database it is connected to.
  std::string server;
  std::string database;
  // True on MariaDB: counters and connections are those of the whole server.
  bool server_wide = false;
  Nanos steady_ns = 0;  // when read (SteadyClock)

  // Counters.
  std::uint64_t deadlocks = 0;  // pg_stat_database.deadlocks, Innodb_deadlocks
  // Transactions rolled back: pg_stat_database.xact_rollback (every rolled
  // back transaction, deadlock victims and errors included); MariaDB
  // Com_rollback (explicit ROLLBACK statements only).
  std::uint64_t rollbacks = 0;
  // Transactions committed: xact_commit (autocommit statements included);
  // MariaDB Com_commit (explicit COMMIT statements only).
  std::uint64_t commits = 0;
  std::optional<std::uint64_t> conflicts;         // PostgreSQL (standby)
  std::optional<std::uint64_t> temp_files;        // PostgreSQL
  std::optional<std::uint64_t> temp_bytes;        // PostgreSQL, bytes
  std::optional<std::uint64_t> aborted_connects;  // MariaDB

  // Gauges (the reader's own session is not counted).
  // Client sessions open: of this database (PostgreSQL), of the server
  // (MariaDB Threads_connected).
  std::int64_t connections = 0;
  // Of those, running a statement now (state 'active'; Threads_running).
  std::int64_t active = 0;
  std::optional<std::int64_t> idle;                 // PostgreSQL
  std::optional<std::int64_t> idle_in_transaction;  // PostgreSQL (+ aborted)
  // High-water mark of connections since server start, reader included
  // (MariaDB Max_used_connections).
  std::optional<std::int64_t> max_used_connections;
  std::int64_t max_connections = 0;  // the server's limit

  // "postgres server postgresql://...<redacted>.../erp (database erp)" or
  // "mariadb server mysql://... (server-wide)": how messages name the source.
  std::string Describe() const;
};

// Reads the server's figures through `connection` (one statement; on
// PostgreSQL in its own transaction, so the figures are fresh). Errors: see
// the top of this file. Do not use a connection inside an open transaction:
// PostgreSQL would return the figures cached at the transaction's first read.
StatusOr<ServerStats> ReadServerStats(Connection& connection);

// Makes every connection of `pool` publish the counters it holds back
// (PostgreSQL 15+: pg_stat_force_next_flush() on each, which the server
// honours before answering; older PostgreSQL, MariaDB: nothing to do). Waits
// for each connection to be free, up to the pool's wait_timeout. Errors: a
// Status naming the pool (redacted) and the cause. SQLite: OK, nothing to do.
Status PublishServerStats(Database& pool);

// What happened between two readings of the same server.
struct ServerStatsDelta {
  // Counters: after - before. Gauges, server, database: after's.
  ServerStats figures;
  Nanos elapsed_ns = 0;  // after.steady_ns - before.steady_ns
  // A counter of `after` is below `before`'s (server restarted, statistics
  // reset): the counters above are after's alone and may miss events.
  bool counters_reset = false;
};

// Throws std::invalid_argument when `before` and `after` come from different
// backends, servers or databases, or `after` was read before `before`.
ServerStatsDelta Delta(const ServerStats& before, const ServerStats& after);

struct ServerStatsSamplerOptions {
  // Between two readings; >= 10 ms (std::invalid_argument otherwise). Each
  // reading is one small query (tens to hundreds of microseconds of server
  // time).
  std::chrono::nanoseconds interval = std::chrono::milliseconds(200);
  // Readings kept in ServerStatsSeries::samples (>= 2); later readings still
  // update the peaks and `last`, and are counted in `dropped`.
  std::size_t max_samples = 10'000;
};

// The readings of one sampler run.
struct ServerStatsSeries {
  std::vector<ServerStats> samples;  // in time order, at most max_samples
  std::optional<ServerStats> first;  // the reading at Start()
  std::optional<ServerStats> last;   // the latest reading
  std::int64_t peak_connections = 0;
  std::int64_t peak_active = 0;
  Nanos peak_connections_at_ns = 0;  // since the first reading
  std::size_t reads = 0;             // successful readings
  std::size_t dropped = 0;           // readings not kept in `samples`
  std::size_t failed_reads = 0;
  std::string first_error;  // of the first failed reading, "" if none
  Nanos interval_ns = 0;

  // Delta(*first, *last); std::logic_error when there is no reading.
  ServerStatsDelta Delta() const;
};

// Reads the server's figures at an interval from its own connection, in a
// background thread, keeping the series and the peak of connections in use.
// The peak is sampled: a burst shorter than the interval can fall between two
// readings (MariaDB's max_used_connections keeps the true high-water mark).
class ServerStatsSampler {
 public:
  // `url` as for Connect(); kept in memory only, never printed. Throws
  // std::invalid_argument for bad options.
  explicit ServerStatsSampler(std::string url,
                              ServerStatsSamplerOptions options = {});
  // Stops the sampler if running.
  ~ServerStatsSampler();
  ServerStatsSampler(const ServerStatsSampler&) = delete;
  ServerStatsSampler& operator=(const ServerStatsSampler&) = delete;

  // Connects, takes the first reading and starts the thread. An error
  // (connection refused, SQLite, no privilege) starts nothing. A second
  // Start() throws std::logic_error.
  Status Start();
  // Takes a last reading, so the series ends when the test's work does, and
  // joins the thread; closes the connection. Returns the first failed
  // reading's error, if any (the readings that succeeded are kept).
  // Idempotent; OK when never started.
  Status Stop();

  // A copy of the series so far, while running or after Stop().
  ServerStatsSeries Series() const;

 private:
  void Run();
  void ReadOnce();  // with the connection owned by the caller's thread

  std::string url_;
  ServerStatsSamplerOptions options_;
  std::unique_ptr<Connection> connection_;
  mutable std::mutex mu_;  // guards series_ and stop_
  std::condition_variable wake_;
  bool stop_ = false;
  ServerStatsSeries series_;
  std::thread thread_;
  bool started_ = false;
  bool stopped_ = false;
};

// ---- Evaluation: judging figures against a bound ------------------------
//
// The verdict of one check, in the shape of perfcheck::SlaCheck: what was
// compared and the texts a message needs. The texts name the server kind and
// its redacted URL, never the password.
struct [[nodiscard]] ServerStatsCheck {
  bool passed = false;
  // The measured count, or nullopt when unknown (counters reset, no reading):
  // then `passed` is false.
  std::optional<std::int64_t> observed;
  std::int64_t limit = 0;
  // "deadlocks", "rollbacks" or "peak_connections".
  std::string metric;
  // "deadlocks <= 0 on postgres server postgresql://...(database erp)".
  std::string expected;
  // "deadlocks = 1 (pg_stat_database.deadlocks, over 1.20 s)", or why unknown.
  std::string actual;
  // One line: "<expected> -> <actual> [FAIL]".
  std::string summary;
};

// A negative `n` throws std::invalid_argument.
// Deadlocks the server counted in `delta` <= `n`.
ServerStatsCheck CheckDeadlocksAtMost(const ServerStatsDelta& delta,
                                      std::int64_t n);
// Rollbacks (as ServerStats::rollbacks counts them) in `delta` <= `n`.
ServerStatsCheck CheckRollbacksAtMost(const ServerStatsDelta& delta,
                                      std::int64_t n);
// The peak of connections in use during `series` <= `n` (e.g. a pool size).
// Fails when the series has no reading.
ServerStatsCheck CheckConnectionsAtMost(const ServerStatsSeries& series,
                                        std::int64_t n);

}  // namespace perfcheck::db

#endif  // PERFCHECK_DB_SERVER_STATS_H_
