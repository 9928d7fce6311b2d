#include "perfcheck/db/timing.h"

#include <atomic>
#include <exception>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "perfcheck/format.h"
#include "perfcheck/machine.h"

namespace perfcheck::db {
namespace {

constexpr int kMaxThreads = 256;
// Alignment that keeps per-thread data on separate cache lines: 128, not 64,
// because x86 prefetches cache lines in adjacent pairs.
constexpr std::size_t kCacheLine = 128;
// After a failed reconnect, wait a little so a dead server is not hammered
// with connection attempts for the rest of the run.
constexpr auto kReconnectBackoff = std::chrono::milliseconds(10);

void Require(bool condition, std::string_view field, std::string_view rule,
             const std::string& got) {
  if (!condition) {
    throw std::invalid_argument("QueryOptions." + std::string(field) + " " +
                                std::string(rule) + ", got " + got);
  }
}

std::string DurationText(std::chrono::nanoseconds d) {
  return FormatNanos(static_cast<double>(d.count()));
}

// One timed operation on a borrowed connection; `seq` numbers operations.
using Operation = std::function<QueryStatus(Connection&, std::uint64_t seq)>;

// Per-worker state, each on its own cache lines: workers on different cores
// must not invalidate each other's lines on every operation.
struct alignas(kCacheLine) Worker {
  explicit Worker(const std::string& name) : part(name) {}
  Result part;
  // Operations this worker finished; read by the others only once the
  // duration has passed (ShouldStop), so it stays in this core's cache.
  alignas(kCacheLine) std::atomic<std::uint64_t> done{0};
};

struct Phase {
  Database* db;
  const Operation* op;
  const QueryOptions* options;
  Clock* clock;
  std::vector<std::unique_ptr<Worker>>* workers = nullptr;
  Nanos start = 0;
  bool iteration_mode = false;
  // Each worker keeps one leased connection for the whole run (instead of
  // borrowing one per operation) when the pool has a connection for every
  // worker: then no worker ever waits for another, and the pool's mutex and
  // condition variable stay off the per-operation path.
  bool hold_lease = false;
  std::uint64_t call_limit = 0;
  // Written by every operation; kept apart from the read-mostly fields above
  // and from `abort`, which every operation reads.
  alignas(kCacheLine) std::atomic<std::uint64_t> claimed{0};
  alignas(kCacheLine) std::atomic<bool> abort{false};
};

std::uint64_t DoneCount(const Phase& phase) {
  std::uint64_t done = 0;
  for (const std::unique_ptr<Worker>& w : *phase.workers) {
    done += w->done.load(std::memory_order_relaxed);
  }
  return done;
}

bool ShouldStop(const Phase& phase, Nanos now) {
  const Nanos since = now - phase.start;
  if (since >= phase.options->max_duration.count()) return true;
  if (phase.abort.load(std::memory_order_relaxed)) return true;
  // The count is summed only once the duration has passed.
  return !phase.iteration_mode && since >= phase.options->duration.count() &&
         DoneCount(phase) >= phase.options->min_iterations;
}

// Runs one operation; returns the failure, if any (kNone on success).
// `held` (hold_lease mode): the worker's connection, leased on first use and
// kept; dropped (back to the pool, which reopens it on the next Acquire) when
// the operation left it closed. nullptr: borrow a connection for this
// operation only.
QueryStatus RunOnce(Phase& phase, std::uint64_t seq,
                    std::optional<Lease>* held = nullptr) {
  std::optional<Lease> borrowed;
  std::optional<Lease>& lease = held != nullptr ? *held : borrowed;
  if (!lease) {
    StatusOr<Lease> acquired = phase.db->Acquire(phase.options->pool_wait);
    if (!acquired.ok()) {
      const ErrorClass error = AcquireErrorClass(acquired.status());
      if (error == ErrorClass::kConnectionLost) {
        std::this_thread::sleep_for(kReconnectBackoff);
      }
      return QueryStatus::Error(error, acquired.status().message());
    }
    lease.emplace(std::move(acquired).value());
  }
  QueryStatus s = (*phase.op)(**lease, seq);
  // Only a failed operation can have lost the connection; asking after a
  // success would cost a virtual call per query (libpqxx's is_open()).
  if (held != nullptr && !s.ok() && !(*lease)->IsOpen()) lease.reset();
  if (s.ok() && phase.options->expected_rows &&
      s.rows != *phase.options->expected_rows) {
    return QueryStatus::Error(
        ErrorClass::kRowsMismatch,
        "expected " + std::to_string(*phase.options->expected_rows) +
            " rows, got " + std::to_string(s.rows));
  }
  return s;
}

void RunWorker(Phase& phase, Worker& worker) {
  Clock& clock = *phase.clock;
  Result& part = worker.part;
  std::optional<Lease> held;
  std::optional<Lease>* const hold = phase.hold_lease ? &held : nullptr;
  std::uint64_t done = 0;
  Nanos now = clock.NowNanos();
  for (;;) {
    if (ShouldStop(phase, now)) break;
    const std::uint64_t seq =
        phase.claimed.fetch_add(1, std::memory_order_relaxed);
    if (seq >= phase.call_limit) break;
    const Nanos t0 = clock.NowNanos();
    QueryStatus s = RunOnce(phase, seq, hold);
    const Nanos t1 = clock.NowNanos();
    if (s.ok()) {
      part.latency.Record(t1 - t0);
    } else {
      part.AddError(ErrorClassName(s.error), s.message);
    }
    part.series.Record(t1 - phase.start, t1 - t0, s.ok());
    // Only this thread writes it: a plain store, no locked instruction.
    worker.done.store(++done, std::memory_order_relaxed);
    now = t1;
  }
}

void FillConfig(const Database& db, const QueryOptions& o, int threads,
                Result& r) {
  r.SetConfig("backend", BackendName(db.backend()));
  r.SetConfig("url", db.Describe());
  r.SetConfig("pool_size", std::to_string(db.pool_size()));
  r.SetConfig("threads", std::to_string(threads));
  r.SetConfig("mode", o.iterations > 0 ? "iterations" : "duration");
  r.SetConfig("warmup_iterations", std::to_string(o.warmup_iterations));
  r.SetConfig("iterations", std::to_string(o.iterations));
  r.SetConfig("duration", DurationText(o.duration));
  r.SetConfig("min_iterations", std::to_string(o.min_iterations));
  r.SetConfig("max_iterations", std::to_string(o.max_iterations));
  r.SetConfig("max_duration", DurationText(o.max_duration));
  if (o.pool_wait) r.SetConfig("pool_wait", DurationText(*o.pool_wait));
  if (o.expected_rows) {
    r.SetConfig("expected_rows", std::to_string(*o.expected_rows));
  }
  r.SetConfig("interval", DurationText(o.interval));
  r.SetConfig("clock", o.clock == nullptr ? "steady" : "injected");
}

Result Run(Database& db, std::string name, const Operation& op,
           const QueryOptions& options) {
  options.Validate();
  Clock& clock =
      options.clock != nullptr ? *options.clock : SteadyClock::Instance();
  const int threads = options.threads > 0 ? options.threads : db.pool_size();
  const auto thread_count = static_cast<std::size_t>(threads);

  Phase phase;
  phase.db = &db;
  phase.op = &op;
  phase.options = &options;
  phase.clock = &clock;

  // Warm-up on all threads at once, so each pooled connection prepares its
  // statements before the clock starts; failures are not recorded.
  {
    std::atomic<std::uint64_t> left{options.warmup_iterations};
    const Nanos warm_start = clock.NowNanos();
    auto warm = [&] {
      std::uint64_t n = left.load();
      while (n > 0 &&
             clock.NowNanos() - warm_start < options.max_duration.count()) {
        if (!left.compare_exchange_weak(n, n - 1)) continue;
        RunOnce(phase, n);
        n = left.load();
      }
    };
    std::vector<std::thread> warmers;
    for (std::size_t i = 1; i < thread_count && i < options.warmup_iterations;
         ++i) {
      warmers.emplace_back(warm);
    }
    warm();
    for (std::thread& t : warmers) t.join();
  }

  std::vector<std::unique_ptr<Worker>> workers;
  workers.reserve(thread_count);
  for (std::size_t i = 0; i < thread_count; ++i) {
    workers.push_back(std::make_unique<Worker>(name));
    workers.back()->part.series = TimeSeries(options.interval);
  }
  phase.workers = &workers;
  std::vector<std::exception_ptr> worker_errors(thread_count);
  phase.iteration_mode = options.iterations > 0;
  phase.call_limit =
      phase.iteration_mode ? options.iterations : options.max_iterations;
  phase.hold_lease = threads <= db.pool_size();
  // An exception escaping a worker (bad_alloc) must not terminate the test
  // binary; it is rethrown on the caller's thread.
  auto guarded = [&](std::size_t i) {
    try {
      RunWorker(phase, *workers[i]);
    } catch (...) {
      worker_errors[i] = std::current_exception();
      phase.abort.store(true);
    }
  };
  phase.start = clock.NowNanos();
  std::vector<std::thread> threads_run;
  threads_run.reserve(thread_count - 1);
  for (std::size_t i = 1; i < thread_count; ++i)
    threads_run.emplace_back(guarded, i);
  guarded(0);
  for (std::thread& t : threads_run) t.join();
  const Nanos end = clock.NowNanos();
  for (const std::exception_ptr& e : worker_errors) {
    if (e) std::rethrow_exception(e);
  }
  for (std::unique_ptr<Worker>& w : workers) w->part.series.Finish();
  Result result = std::move(workers[0]->part);
  for (std::size_t i = 1; i < thread_count; ++i) {
    result.Merge(workers[i]->part);
  }
  result.name = std::move(name);
  result.elapsed_ns = end - phase.start;
  FillConfig(db, options, threads, result);
  result.fingerprint = CaptureFingerprint();
  return result;
}

}  // namespace

void QueryOptions::Validate() const {
  Require(threads >= 0 && threads <= kMaxThreads, "threads",
          "must be in 0..256 (0: one per pool connection)",
          std::to_string(threads));
  Require(max_iterations > 0, "max_iterations", "must be > 0", "0");
  Require(iterations > 0 || duration.count() > 0, "duration",
          "must be > 0 in duration mode (iterations == 0)",
          DurationText(duration));
  Require(max_duration.count() > 0, "max_duration", "must be > 0",
          DurationText(max_duration));
  Require(interval.count() > 0, "interval", "must be > 0",
          DurationText(interval));
  Require(!pool_wait || pool_wait->count() >= 0, "pool_wait", "must be >= 0",
          pool_wait ? DurationText(*pool_wait) : "");
}

Result TimeQuery(Database& db, std::string_view sql, const Params& params,
                 const QueryOptions& options, std::string name) {
  const std::string text(sql);
  Operation op = [&](Connection& c, std::uint64_t seq) {
    if (options.params_for) return c.Execute(text, options.params_for(seq));
    return c.Execute(text, params);
  };
  Result r = Run(db, name.empty() ? text : std::move(name), op, options);
  r.SetConfig("sql", text);
  r.SetConfig("params", std::to_string(params.size()));
  return r;
}

Result TimeTransaction(Database& db, std::string name,
                       std::vector<Statement> statements,
                       const QueryOptions& options) {
  if (statements.empty()) {
    throw std::invalid_argument("TimeTransaction(\"" + name +
                                "\"): no statements");
  }
  Operation op = [&](Connection& c, std::uint64_t) {
    QueryStatus s = c.ExecuteScript("BEGIN");
    if (!s.ok()) return s;
    for (const Statement& st : statements) {
      s = c.Execute(st.sql, st.params);
      if (!s.ok()) {
        // The failure is what gets counted; a failed rollback (connection
        // gone) changes nothing about that.
        if (c.IsOpen()) c.ExecuteScript("ROLLBACK");
        return s;
      }
    }
    const std::uint64_t rows = s.rows;
    s = c.ExecuteScript("COMMIT");
    s.rows = rows;
    return s;
  };
  Result r = Run(db, name, op, options);
  std::string sql;
  for (const Statement& st : statements) sql += st.sql + "; ";
  r.SetConfig("sql", "BEGIN; " + sql + "COMMIT");
  r.SetConfig("statements", std::to_string(statements.size()));
  return r;
}

QuerySpec::QuerySpec(Database& db, std::string name, std::string sql,
                     Params params, QueryOptions options)
    : db_(&db),
      name_(std::move(name)),
      sql_(std::move(sql)),
      params_(std::move(params)),
      options_(std::move(options)) {}

Result QuerySpec::Run() const {
  return TimeQuery(*db_, sql_, params_, options_, name_);
}

QuerySpec Query(Database& db, std::string name, std::string sql, Params params,
                QueryOptions options) {
  options.Validate();
  return QuerySpec(db, std::move(name), std::move(sql), std::move(params),
                   std::move(options));
}

}  // namespace perfcheck::db
