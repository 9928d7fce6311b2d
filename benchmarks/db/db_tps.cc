// Queries per second of one parameterised SELECT run by perfcheck::db::
// TimeQuery, for side-by-side runs with pgbench and sysbench
// (compare_pgbench.sh, compare_sysbench.sh).
//
//   export PERFCHECK_PG_URL=postgresql://...
//   perfcheck_db_tps --url-env PERFCHECK_PG_URL --clients 4 --seconds 10
//       --sql 'SELECT abalance FROM pgbench_accounts WHERE aid = $1'
//       --key-max 100000
//
// Each query binds one key drawn uniformly from 1..--key-max (a fixed hash of
// the operation number, so runs are repeatable), as pgbench -S and sysbench
// oltp_point_select do. --clients connections, one thread each. Prints one
// line: "tps <queries/s> queries <n> errors <n> p50_us <..> p99_us <..>".
// The URL is read from the environment so the password stays out of `ps`.
//
// --raw runs the same workload without perfcheck: one thread per connection,
// each a plain libpqxx / mariadb-connector-c loop (only for the backends this
// benchmark was built with), to tell the cost of perfcheck from that of the
// client library when comparing with pgbench / sysbench.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "perfcheck/db/connection.h"
#include "perfcheck/db/timing.h"

#ifdef PERFCHECK_BENCH_PQXX
#include <pqxx/pqxx>
#endif
#ifdef PERFCHECK_BENCH_MARIADB
#include <mysql.h>
#endif

namespace {

// splitmix64: a cheap, well-mixed hash so keys look uniformly random.
std::uint64_t Mix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

std::uint64_t ParseCount(const std::string& flag, const char* value) {
  char* end = nullptr;
  const unsigned long long v = std::strtoull(value, &end, 10);
  if (end == value || *end != '\0' || v == 0) {
    throw std::invalid_argument(flag + " needs a positive integer, got " +
                                value);
  }
  return v;
}

// One raw client: runs queries until `stop`, adds them to `done`.
void RawClient(const perfcheck::db::ConnectionUrl& url, const char* raw_url,
               const std::string& sql, std::uint64_t key_max,
               std::uint64_t first_seq, std::atomic<bool>& stop,
               std::atomic<std::uint64_t>& done) {
  std::uint64_t n = 0;
  std::uint64_t seq = first_seq;
  if (url.backend == perfcheck::db::Backend::kPostgres) {
#ifdef PERFCHECK_BENCH_PQXX
    pqxx::connection conn(raw_url);
    conn.prepare("q", sql);
    while (!stop.load(std::memory_order_relaxed)) {
      pqxx::nontransaction tx(conn);
      const auto key = static_cast<std::int64_t>(Mix(seq++) % key_max + 1);
      if (tx.exec_prepared("q", key).size() != 1) {
        throw std::runtime_error("raw postgres: wrong row count");
      }
      ++n;
    }
#else
    throw std::invalid_argument("--raw: built without libpqxx");
#endif
  } else if (url.backend == perfcheck::db::Backend::kMariaDb) {
#ifdef PERFCHECK_BENCH_MARIADB
    MYSQL* mysql = mysql_init(nullptr);
    if (mysql_real_connect(mysql, url.host.c_str(), url.user.c_str(),
                           url.password.c_str(), url.database.c_str(),
                           static_cast<unsigned>(url.port), nullptr,
                           0) == nullptr) {
      throw std::runtime_error(std::string("raw mariadb: ") +
                               mysql_error(mysql));
    }
    MYSQL_STMT* stmt = mysql_stmt_init(mysql);
    if (mysql_stmt_prepare(stmt, sql.data(), sql.size()) != 0) {
      throw std::runtime_error(std::string("raw mariadb: ") +
                               mysql_stmt_error(stmt));
    }
    long long key = 0;
    MYSQL_BIND param;
    std::memset(&param, 0, sizeof param);
    param.buffer_type = MYSQL_TYPE_LONGLONG;
    param.buffer = &key;
    char value[256];
    unsigned long length = 0;
    MYSQL_BIND out;
    std::memset(&out, 0, sizeof out);
    out.buffer_type = MYSQL_TYPE_STRING;
    out.buffer = value;
    out.buffer_length = sizeof value;
    out.length = &length;
    while (!stop.load(std::memory_order_relaxed)) {
      key = static_cast<long long>(Mix(seq++) % key_max + 1);
      if (mysql_stmt_bind_param(stmt, &param) != 0 ||
          mysql_stmt_execute(stmt) != 0 ||
          mysql_stmt_bind_result(stmt, &out) != 0) {
        throw std::runtime_error(std::string("raw mariadb: ") +
                                 mysql_stmt_error(stmt));
      }
      while (mysql_stmt_fetch(stmt) == 0) {
      }
      mysql_stmt_free_result(stmt);
      ++n;
    }
    mysql_stmt_close(stmt);
    mysql_close(mysql);
#else
    throw std::invalid_argument("--raw: built without mariadb-connector-c");
#endif
  } else {
    throw std::invalid_argument("--raw: postgres and mariadb only");
  }
  done.fetch_add(n);
}

// Raw mode: `clients` threads, each its own connection and loop.
int RunRaw(const char* raw_url, const std::string& sql, std::uint64_t key_max,
           std::uint64_t clients, std::uint64_t seconds) {
  auto url = perfcheck::db::ConnectionUrl::Parse(raw_url);
  if (!url.ok()) throw std::invalid_argument(url.status().message());
  std::atomic<bool> stop{false};
  std::atomic<std::uint64_t> done{0};
  std::vector<std::string> failures(clients);
  std::vector<std::thread> threads;
  const auto t0 = std::chrono::steady_clock::now();
  for (std::uint64_t i = 0; i < clients; ++i) {
    threads.emplace_back([&, i] {
      try {
        // Disjoint key sequences per client, as TimeQuery's shared counter.
        RawClient(*url, raw_url, sql, key_max, i << 40, stop, done);
      } catch (const std::exception& e) {
        failures[i] = e.what();
        stop.store(true);
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::seconds(seconds));
  stop.store(true);
  for (std::thread& t : threads) t.join();
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0)
          .count();
  for (const std::string& f : failures) {
    if (!f.empty()) throw std::runtime_error(f);
  }
  std::printf("tps %.1f queries %llu errors 0 (raw client loop)\n",
              static_cast<double>(done.load()) / secs,
              static_cast<unsigned long long>(done.load()));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    std::string url_env = "PERFCHECK_PG_URL";
    std::string sql;
    std::uint64_t key_max = 100000;
    std::uint64_t clients = 1;
    std::uint64_t seconds = 10;
    bool raw = false;
    for (int i = 1; i < argc; ++i) {
      const std::string flag = argv[i];
      if (flag == "--raw") {
        raw = true;
        continue;
      }
      if (i + 1 >= argc) throw std::invalid_argument(flag + " needs a value");
      const char* value = argv[++i];
      if (flag == "--url-env") {
        url_env = value;
      } else if (flag == "--sql") {
        sql = value;
      } else if (flag == "--key-max") {
        key_max = ParseCount(flag, value);
      } else if (flag == "--clients") {
        clients = ParseCount(flag, value);
      } else if (flag == "--seconds") {
        seconds = ParseCount(flag, value);
      } else {
        throw std::invalid_argument("unknown flag " + flag);
      }
    }
    if (sql.empty()) throw std::invalid_argument("--sql is required");
    const char* url = std::getenv(url_env.c_str());
    if (url == nullptr || *url == '\0') {
      throw std::invalid_argument(url_env + " is not set");
    }
    if (raw) return RunRaw(url, sql, key_max, clients, seconds);
    auto db = perfcheck::db::Database::Open(
        url, {.pool_size = static_cast<int>(clients)});
    if (!db.ok()) throw std::runtime_error(db.status().message());

    perfcheck::db::QueryOptions o;
    o.warmup_iterations = 10 * clients;
    o.duration = std::chrono::seconds(seconds);
    o.max_iterations = 1'000'000'000;
    o.max_duration = std::chrono::seconds(seconds + 30);
    o.threads = static_cast<int>(clients);
    o.expected_rows = 1;
    o.params_for = [key_max](std::uint64_t seq) -> perfcheck::db::Params {
      return {static_cast<std::int64_t>(Mix(seq) % key_max + 1)};
    };
    perfcheck::Result r = perfcheck::db::TimeQuery(**db, sql, {}, o);
    std::uint64_t errors = 0;
    for (const auto& [category, e] : r.errors) errors += e.count;
    const double secs = static_cast<double>(r.elapsed_ns) / 1e9;
    std::printf("tps %.1f queries %llu errors %llu p50_us %.1f p99_us %.1f\n",
                static_cast<double>(r.latency.TotalCount()) / secs,
                static_cast<unsigned long long>(r.latency.TotalCount()),
                static_cast<unsigned long long>(errors),
                static_cast<double>(r.latency.Percentile(50)) / 1e3,
                static_cast<double>(r.latency.Percentile(99)) / 1e3);
    return errors == 0 ? 0 : 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "perfcheck_db_tps: %s\n", e.what());
    return 1;
  }
}
