// The time perfcheck::db::TimeQuery adds per query compared with a raw client
// loop running the same prepared statement on the same server.
//
//   perfcheck_db_overhead [--rounds 7] [--iterations 5000] [--rows 10000]
//                         [--backend postgres|mariadb] [--only raw|perfcheck]
//                         [--no-seed] [--verbose]
//
// URLs come from PERFCHECK_PG_URL and PERFCHECK_MARIADB_URL (a backend whose
// variable is unset is skipped). For each backend the program seeds a table
// of --rows rows, then alternates a raw loop (libpqxx / mariadb-connector-c,
// one connection, one prepared statement, all rows read) and TimeQuery (pool
// of one, one thread, same statement and the same sequence of keys) --rounds
// times, each pair in swapped order every other round, and prints the median
// per-query time of both and the median of the per-round ratios. Medians of
// interleaved runs cancel most of the noise of a shared machine.
//
// Per-query time is the wall time of the measured loop divided by its
// iterations: for TimeQuery that is Result::elapsed_ns, which includes the
// pool lease, two clock reads, the histogram and the time series per query.
//
// --only raw|perfcheck runs one side once (warm-up + --iterations queries)
// inside a function named OverheadSideRaw / OverheadSidePerfcheck, for
// counting client instructions with
//   valgrind --tool=callgrind --toggle-collect='*OverheadSideRaw*' ...
// (overhead_instructions.sh); --no-seed reuses the table of an earlier run
// so two runs differ only in the number of queries.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "perfcheck/db/connection.h"
#include "perfcheck/db/seed.h"
#include "perfcheck/db/timing.h"

#ifdef PERFCHECK_BENCH_PQXX
#include <pqxx/pqxx>
#endif
#ifdef PERFCHECK_BENCH_MARIADB
#include <mysql.h>
#endif

namespace {

using perfcheck::db::Backend;
using perfcheck::db::ConnectionUrl;
using perfcheck::db::Database;
using SteadyTime = std::chrono::steady_clock;

struct Options {
  int rounds = 7;
  std::uint64_t iterations = 5000;
  std::uint64_t rows = 10000;
  std::uint64_t warmup = 200;
  bool verbose = false;
  std::string backend;  // "" = every backend with a URL
  std::string only;     // "", "raw" or "perfcheck"
  bool seed = true;
};

// The key of query `seq`: a fixed permutation-like walk over 1..rows, so both
// loops read the same rows in the same order.
std::int64_t Key(std::uint64_t seq, std::uint64_t rows) {
  return static_cast<std::int64_t>((seq * 7919) % rows) + 1;
}

struct Sample {
  double wall_ns = 0;  // wall time per measured query
  double cpu_ns = 0;   // client thread CPU time per query
};

double ThreadCpuNanos() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e9 + static_cast<double>(ts.tv_nsec);
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

// A raw client loop: runs `n` queries and returns the wall time in ns.
using RawLoop = std::function<double(std::uint64_t first, std::uint64_t n)>;

#ifdef PERFCHECK_BENCH_PQXX
RawLoop MakePqxxLoop(const std::string& url, const Options& o,
                     std::vector<std::shared_ptr<void>>& keep) {
  auto conn = std::make_shared<pqxx::connection>(url);
  conn->prepare("by_id", "SELECT id, sku, qty FROM bench_items WHERE id = $1");
  keep.push_back(conn);
  const std::uint64_t rows = o.rows;
  return [conn, rows](std::uint64_t first, std::uint64_t n) {
    std::uint64_t got = 0;
    const auto t0 = SteadyTime::now();
    for (std::uint64_t i = first; i < first + n; ++i) {
      pqxx::nontransaction tx(*conn);
      pqxx::result r = tx.exec_prepared("by_id", Key(i, rows));
      got += r.size();
    }
    const auto t1 = SteadyTime::now();
    if (got != n) throw std::runtime_error("pqxx: wrong row count");
    return static_cast<double>((t1 - t0).count());
  };
}
#endif

#ifdef PERFCHECK_BENCH_MARIADB
RawLoop MakeMariaDbLoop(const ConnectionUrl& url, const Options& o,
                        std::vector<std::shared_ptr<void>>& keep) {
  MYSQL* mysql = mysql_init(nullptr);
  if (mysql_real_connect(mysql, url.host.c_str(), url.user.c_str(),
                         url.password.c_str(), url.database.c_str(),
                         static_cast<unsigned>(url.port), nullptr,
                         0) == nullptr) {
    throw std::runtime_error(std::string("mariadb: ") + mysql_error(mysql));
  }
  keep.emplace_back(mysql,
                    [](void* m) { mysql_close(static_cast<MYSQL*>(m)); });
  MYSQL_STMT* stmt = mysql_stmt_init(mysql);
  const char* sql = "SELECT id, sku, qty FROM bench_items WHERE id = ?";
  if (mysql_stmt_prepare(stmt, sql, std::strlen(sql)) != 0) {
    throw std::runtime_error(std::string("mariadb: ") + mysql_stmt_error(stmt));
  }
  keep.emplace_back(
      stmt, [](void* s) { mysql_stmt_close(static_cast<MYSQL_STMT*>(s)); });
  const std::uint64_t rows = o.rows;
  return [stmt, rows](std::uint64_t first, std::uint64_t n) {
    long long key = 0;
    MYSQL_BIND param;
    std::memset(&param, 0, sizeof param);
    param.buffer_type = MYSQL_TYPE_LONGLONG;
    param.buffer = &key;
    long long id = 0, qty = 0;
    char sku[64];
    unsigned long sku_len = 0;
    MYSQL_BIND out[3];
    std::memset(out, 0, sizeof out);
    out[0].buffer_type = MYSQL_TYPE_LONGLONG;
    out[0].buffer = &id;
    out[1].buffer_type = MYSQL_TYPE_STRING;
    out[1].buffer = sku;
    out[1].buffer_length = sizeof sku;
    out[1].length = &sku_len;
    out[2].buffer_type = MYSQL_TYPE_LONGLONG;
    out[2].buffer = &qty;
    std::uint64_t got = 0;
    const auto t0 = SteadyTime::now();
    for (std::uint64_t i = first; i < first + n; ++i) {
      key = Key(i, rows);
      if (mysql_stmt_bind_param(stmt, &param) != 0 ||
          mysql_stmt_execute(stmt) != 0 ||
          mysql_stmt_bind_result(stmt, out) != 0) {
        throw std::runtime_error(std::string("mariadb: ") +
                                 mysql_stmt_error(stmt));
      }
      while (mysql_stmt_fetch(stmt) == 0) ++got;
      mysql_stmt_free_result(stmt);
    }
    const auto t1 = SteadyTime::now();
    if (got != n) throw std::runtime_error("mariadb: wrong row count");
    return static_cast<double>((t1 - t0).count());
  };
}
#endif

void Seed(Database& db, std::uint64_t rows) {
  using namespace perfcheck::db;
  TableSpec items{
      .name = "bench_items",
      .columns = {{"id", ColumnType::kInteger, Sequence(1), true},
                  {"sku", ColumnType::kText, Format("SKU-%06d", Sequence(1))},
                  {"qty", ColumnType::kInteger, UniformInt(0, 500)}},
      .indexes = {}};
  perfcheck::Status s = CreateTable(db, items);
  if (s.ok()) s = perfcheck::db::Seed(db, items, rows, {.seed = 42});
  if (!s.ok()) throw std::runtime_error(s.message());
}

// One side of --only: warm-up and measured queries, nothing else, so
// callgrind's --toggle-collect can count exactly this. noinline keeps the
// names in the profile.
__attribute__((noinline)) void OverheadSideRaw(const RawLoop& raw,
                                               const Options& o) {
  raw(0, o.warmup);
  raw(0, o.iterations);
}

__attribute__((noinline)) perfcheck::Result OverheadSidePerfcheck(
    Database& db, const std::string& sql,
    const perfcheck::db::QueryOptions& qo) {
  return perfcheck::db::TimeQuery(db, sql, {}, qo);
}

void RunBackend(const char* label, const std::string& url, Backend backend,
                const Options& o) {
  auto opened = Database::Open(url, {.pool_size = 1});
  if (!opened.ok()) throw std::runtime_error(opened.status().message());
  Database& db = **opened;
  if (o.seed) Seed(db, o.rows);

  std::vector<std::shared_ptr<void>> keep;  // raw client handles
  RawLoop raw;
#ifdef PERFCHECK_BENCH_PQXX
  if (backend == Backend::kPostgres) raw = MakePqxxLoop(url, o, keep);
#endif
#ifdef PERFCHECK_BENCH_MARIADB
  if (backend == Backend::kMariaDb) raw = MakeMariaDbLoop(db.url(), o, keep);
#endif
  if (!raw) {
    std::printf("%-8s raw client library not built in; skipped\n", label);
    return;
  }
  const std::string sql =
      backend == Backend::kPostgres
          ? "SELECT id, sku, qty FROM bench_items WHERE id = $1"
          : "SELECT id, sku, qty FROM bench_items WHERE id = ?";
  const std::uint64_t rows = o.rows;
  perfcheck::db::QueryOptions qo;
  qo.warmup_iterations = o.warmup;
  qo.iterations = o.iterations;
  qo.threads = 1;
  qo.expected_rows = 1;
  qo.params_for = [rows](std::uint64_t seq) -> perfcheck::db::Params {
    return {Key(seq, rows)};
  };

  if (o.only == "raw") {
    const auto t0 = SteadyTime::now();
    OverheadSideRaw(raw, o);
    const std::chrono::duration<double, std::micro> took =
        SteadyTime::now() - t0;
    std::printf("%-8s raw       %llu+%llu queries in %.0f us\n", label,
                static_cast<unsigned long long>(o.warmup),
                static_cast<unsigned long long>(o.iterations), took.count());
    return;
  }
  if (o.only == "perfcheck") {
    perfcheck::Result r = OverheadSidePerfcheck(db, sql, qo);
    if (!r.errors.empty() || r.latency.TotalCount() != o.iterations) {
      throw std::runtime_error(std::string(label) +
                               ": TimeQuery reported errors");
    }
    std::printf("%-8s perfcheck %llu+%llu queries, p50 %.1f us\n", label,
                static_cast<unsigned long long>(o.warmup),
                static_cast<unsigned long long>(o.iterations),
                static_cast<double>(r.latency.Percentile(50)) / 1e3);
    return;
  }

  // One run = warm-up + measured loop. Returns wall ns per measured query
  // and client-thread CPU ns per query (warm-up included on both sides).
  const double all = static_cast<double>(o.warmup + o.iterations);
  auto run_raw = [&] {
    const double cpu0 = ThreadCpuNanos();
    raw(0, o.warmup);  // same warm-up as TimeQuery's
    const double wall = raw(0, o.iterations);
    return Sample{wall / static_cast<double>(o.iterations),
                  (ThreadCpuNanos() - cpu0) / all};
  };
  auto run_perfcheck = [&] {
    // threads = 1: TimeQuery runs warm-up and workload on this thread, so
    // this thread's CPU time is all the client work.
    const double cpu0 = ThreadCpuNanos();
    perfcheck::Result r = perfcheck::db::TimeQuery(db, sql, {}, qo);
    const double cpu = (ThreadCpuNanos() - cpu0) / all;
    if (!r.errors.empty() || r.latency.TotalCount() != o.iterations) {
      throw std::runtime_error(std::string(label) +
                               ": TimeQuery reported errors");
    }
    return Sample{
        static_cast<double>(r.elapsed_ns) / static_cast<double>(o.iterations),
        cpu};
  };

  std::vector<double> raw_wall, pc_wall, wall_ratio, raw_cpu, pc_cpu, cpu_delta;
  for (int round = 0; round < o.rounds; ++round) {
    Sample a, b;
    // Swap the order every round so drift hits both sides alike.
    if (round % 2 == 0) {
      a = run_raw();
      b = run_perfcheck();
    } else {
      b = run_perfcheck();
      a = run_raw();
    }
    raw_wall.push_back(a.wall_ns);
    pc_wall.push_back(b.wall_ns);
    wall_ratio.push_back(b.wall_ns / a.wall_ns);
    raw_cpu.push_back(a.cpu_ns);
    pc_cpu.push_back(b.cpu_ns);
    cpu_delta.push_back(b.cpu_ns - a.cpu_ns);
    if (o.verbose) {
      std::printf(
          "%-8s round %2d  wall raw %7.2f us  perfcheck %7.2f us  ratio "
          "%.4f | cpu raw %6.2f us  perfcheck %6.2f us\n",
          label, round + 1, a.wall_ns / 1e3, b.wall_ns / 1e3,
          b.wall_ns / a.wall_ns, a.cpu_ns / 1e3, b.cpu_ns / 1e3);
    }
  }
  const double ratio = Median(wall_ratio);
  const double raw_med = Median(raw_wall);
  std::printf(
      "%-8s wall/query  raw %7.2f us  perfcheck %7.2f us  median ratio %.4f "
      "(%+.2f%%)\n",
      label, raw_med / 1e3, Median(pc_wall) / 1e3, ratio, (ratio - 1) * 100);
  const double delta = Median(cpu_delta);
  std::printf(
      "%-8s cpu/query   raw %7.2f us  perfcheck %7.2f us  median delta "
      "%+.2f us = %+.2f%% of the raw wall time per query\n",
      label, Median(raw_cpu) / 1e3, Median(pc_cpu) / 1e3, delta / 1e3,
      delta / raw_med * 100);
  std::fflush(stdout);
}

std::uint64_t ParseCount(const char* flag, const char* value) {
  char* end = nullptr;
  const unsigned long long v = std::strtoull(value, &end, 10);
  if (end == value || *end != '\0' || v == 0) {
    throw std::invalid_argument(std::string(flag) +
                                " needs a positive integer, got " + value);
  }
  return v;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    Options o;
    for (int i = 1; i < argc; ++i) {
      const std::string flag = argv[i];
      if (flag == "--verbose") {
        o.verbose = true;
        continue;
      }
      if (flag == "--no-seed") {
        o.seed = false;
        continue;
      }
      if (i + 1 >= argc) throw std::invalid_argument(flag + " needs a value");
      const char* value = argv[++i];
      if (flag == "--rounds") {
        o.rounds = static_cast<int>(ParseCount("--rounds", value));
      } else if (flag == "--iterations") {
        o.iterations = ParseCount("--iterations", value);
      } else if (flag == "--rows") {
        o.rows = ParseCount("--rows", value);
      } else if (flag == "--warmup") {
        o.warmup = ParseCount("--warmup", value);
      } else if (flag == "--backend") {
        o.backend = value;
        if (o.backend != "postgres" && o.backend != "mariadb") {
          throw std::invalid_argument("--backend takes postgres or mariadb");
        }
      } else if (flag == "--only") {
        o.only = value;
        if (o.only != "raw" && o.only != "perfcheck") {
          throw std::invalid_argument("--only takes raw or perfcheck");
        }
      } else {
        throw std::invalid_argument("unknown flag " + flag);
      }
    }
    std::printf(
        "SELECT by primary key on %llu rows; %llu queries per run, %d "
        "interleaved rounds\n",
        static_cast<unsigned long long>(o.rows),
        static_cast<unsigned long long>(o.iterations), o.rounds);
    int ran = 0;
    const char* pg = std::getenv("PERFCHECK_PG_URL");
    const char* my = std::getenv("PERFCHECK_MARIADB_URL");
    if (o.backend == "postgres") my = nullptr;
    if (o.backend == "mariadb") pg = nullptr;
    if (pg && *pg) {
      RunBackend("postgres", pg, Backend::kPostgres, o);
      ++ran;
    }
    if (my && *my) {
      RunBackend("mariadb", my, Backend::kMariaDb, o);
      ++ran;
    }
    if (ran == 0) {
      std::fprintf(stderr,
                   "perfcheck_db_overhead: set PERFCHECK_PG_URL and/or "
                   "PERFCHECK_MARIADB_URL\n");
      return 2;
    }
    return 0;
  } catch (const std::exception& e) {
    // Messages come from perfcheck (passwords redacted) or the client
    // libraries' own errors, which do not echo the password.
    std::fprintf(stderr, "perfcheck_db_overhead: %s\n", e.what());
    return 1;
  }
}
