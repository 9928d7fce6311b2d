#include "perfcheck/db/server_stats.h"

#include <charconv>
#include <map>
#include <stdexcept>
#include <string_view>
#include <utility>

namespace perfcheck::db {
namespace {

// pid <> pg_backend_pid(): the reader does not count itself. backend_type
// keeps autovacuum and walsenders out (they have a datname too). One
// statement, so the database row and the sessions are read together.
constexpr std::string_view kPostgresSql =
    "SELECT current_database(), d.deadlocks, d.xact_rollback, d.xact_commit, "
    "d.conflicts, d.temp_files, d.temp_bytes, a.total, a.active, a.idle, "
    "a.idle_in_transaction, current_setting('max_connections') "
    "FROM pg_stat_database d, "
    "(SELECT count(*) AS total, "
    "count(*) FILTER (WHERE state = 'active') AS active, "
    "count(*) FILTER (WHERE state = 'idle') AS idle, "
    "count(*) FILTER (WHERE state LIKE 'idle in transaction%') "
    "AS idle_in_transaction "
    "FROM pg_stat_activity WHERE datname = current_database() "
    "AND backend_type = 'client backend' AND pid <> pg_backend_pid()) a "
    "WHERE d.datname = current_database()";

constexpr std::string_view kMariaDbStatusSql =
    "SHOW GLOBAL STATUS WHERE Variable_name IN ('Innodb_deadlocks', "
    "'Com_rollback', 'Com_commit', 'Aborted_connects', 'Threads_connected', "
    "'Threads_running', 'Max_used_connections')";
constexpr std::string_view kMariaDbSettingsSql =
    "SELECT IFNULL(DATABASE(), ''), @@global.max_connections";

Status ReadError(const Connection& c, std::string_view what,
                 std::string_view message) {
  return Status::Error("cannot read the server figures of " + c.Describe() +
                       ": " + std::string(what) + ": " + std::string(message));
}

template <class T>
bool ParseNumber(const std::optional<std::string>& text, T& out) {
  if (!text) return false;
  const char* end = text->data() + text->size();
  auto [ptr, ec] = std::from_chars(text->data(), end, out);
  return ec == std::errc() && ptr == end;
}

StatusOr<ServerStats> ReadPostgres(Connection& c) {
  Rows rows;
  QueryStatus s = c.Query(kPostgresSql, {}, &rows);
  if (!s.ok())
    return ReadError(c, "pg_stat_database/pg_stat_activity", s.message);
  if (rows.values.size() != 1 || rows.values[0].size() != 12) {
    return ReadError(c, "pg_stat_database", "no row for the current database");
  }
  const auto& row = rows.values[0];
  ServerStats st;
  st.backend = Backend::kPostgres;
  st.database = row[0].value_or("");
  std::uint64_t conflicts = 0, temp_files = 0, temp_bytes = 0;
  std::int64_t idle = 0, idle_in_transaction = 0;
  // Every column but the name is a count; a NULL or non-number would mean a
  // server we do not understand: say which column.
  const char* names[] = {
      "deadlocks",  "xact_rollback",       "xact_commit",    "conflicts",
      "temp_files", "temp_bytes",          "sessions",       "active",
      "idle",       "idle in transaction", "max_connections"};
  bool ok[] = {ParseNumber(row[1], st.deadlocks),
               ParseNumber(row[2], st.rollbacks),
               ParseNumber(row[3], st.commits),
               ParseNumber(row[4], conflicts),
               ParseNumber(row[5], temp_files),
               ParseNumber(row[6], temp_bytes),
               ParseNumber(row[7], st.connections),
               ParseNumber(row[8], st.active),
               ParseNumber(row[9], idle),
               ParseNumber(row[10], idle_in_transaction),
               ParseNumber(row[11], st.max_connections)};
  for (std::size_t i = 0; i < std::size(ok); ++i) {
    if (!ok[i]) {
      return ReadError(c, names[i],
                       "not a count: '" + row[i + 1].value_or("NULL") + "'");
    }
  }
  st.conflicts = conflicts;
  st.temp_files = temp_files;
  st.temp_bytes = temp_bytes;
  st.idle = idle;
  st.idle_in_transaction = idle_in_transaction;
  return st;
}

StatusOr<ServerStats> ReadMariaDb(Connection& c) {
  Rows status;
  QueryStatus s = c.Query(kMariaDbStatusSql, {}, &status);
  if (!s.ok()) return ReadError(c, "SHOW GLOBAL STATUS", s.message);
  std::map<std::string, std::optional<std::string>> values;
  for (const auto& row : status.values) {
    if (row.size() == 2 && row[0]) values[*row[0]] = row[1];
  }
  Rows settings;
  s = c.Query(kMariaDbSettingsSql, {}, &settings);
  if (!s.ok()) return ReadError(c, "@@global.max_connections", s.message);
  if (settings.values.size() != 1 || settings.values[0].size() != 2) {
    return ReadError(c, "@@global.max_connections", "no row");
  }
  ServerStats st;
  st.backend = Backend::kMariaDb;
  st.server_wide = true;
  st.database = settings.values[0][0].value_or("");
  if (!ParseNumber(settings.values[0][1], st.max_connections)) {
    return ReadError(c, "@@global.max_connections", "not a count");
  }
  std::uint64_t aborted = 0;
  std::int64_t max_used = 0, connected = 0, running = 0;
  struct Field {
    const char* name;
    bool parsed;
  };
  const Field fields[] = {
      {"Innodb_deadlocks",
       ParseNumber(values["Innodb_deadlocks"], st.deadlocks)},
      {"Com_rollback", ParseNumber(values["Com_rollback"], st.rollbacks)},
      {"Com_commit", ParseNumber(values["Com_commit"], st.commits)},
      {"Aborted_connects", ParseNumber(values["Aborted_connects"], aborted)},
      {"Threads_connected",
       ParseNumber(values["Threads_connected"], connected)},
      {"Threads_running", ParseNumber(values["Threads_running"], running)},
      {"Max_used_connections",
       ParseNumber(values["Max_used_connections"], max_used)},
  };
  for (const Field& f : fields) {
    if (!f.parsed) {
      return ReadError(c, "SHOW GLOBAL STATUS",
                       std::string(f.name) + " missing or not a count");
    }
  }
  // Threads_connected and Threads_running include the reader (it is
  // connected, and running SHOW STATUS): leave it out, as on PostgreSQL.
  st.connections = connected > 0 ? connected - 1 : 0;
  st.active = running > 0 ? running - 1 : 0;
  st.aborted_connects = aborted;
  st.max_used_connections = max_used;
  return st;
}

void Subtract(std::uint64_t after, std::uint64_t before, std::uint64_t& out,
              bool& reset) {
  if (after < before) {
    reset = true;
    out = after;
  } else {
    out = after - before;
  }
}

void Subtract(const std::optional<std::uint64_t>& after,
              const std::optional<std::uint64_t>& before,
              std::optional<std::uint64_t>& out, bool& reset) {
  if (!after || !before) {
    out.reset();
    return;
  }
  std::uint64_t v = 0;
  Subtract(*after, *before, v, reset);
  out = v;
}

}  // namespace

std::string ServerStats::Describe() const {
  std::string out = std::string(BackendName(backend)) + " server " + server;
  if (server_wide) return out + " (server-wide)";
  return out + " (database " + database + ")";
}

StatusOr<ServerStats> ReadServerStats(Connection& connection) {
  if (connection.backend() == Backend::kSqlite) {
    return Status::Error(
        "sqlite has no server figures (deadlocks, connections): SQLite is an "
        "embedded library without a server (" +
        connection.Describe() + ")");
  }
  StatusOr<ServerStats> st = connection.backend() == Backend::kPostgres
                                 ? ReadPostgres(connection)
                                 : ReadMariaDb(connection);
  if (!st.ok()) return st;
  ServerStats out = std::move(st).value();
  out.server = connection.Describe();
  out.steady_ns = SteadyClock::Instance().NowNanos();
  return out;
}

Status PublishServerStats(Database& pool) {
  if (pool.backend() != Backend::kPostgres) return Status();
  // Hold every lease at once, so each statement reaches a different session.
  std::vector<Lease> leases;
  leases.reserve(static_cast<std::size_t>(pool.pool_size()));
  for (int i = 0; i < pool.pool_size(); ++i) {
    StatusOr<Lease> lease = pool.Acquire();
    if (!lease.ok()) {
      return Status::Error("cannot publish the server figures of " +
                           pool.Describe() + ": " + lease.status().message());
    }
    leases.push_back(std::move(lease).value());
  }
  for (Lease& lease : leases) {
    QueryStatus s = lease->ExecuteScript("SELECT pg_stat_force_next_flush()");
    // Before PostgreSQL 15 the function does not exist, and sessions send
    // their counters at each transaction's end anyway.
    if (!s.ok() && s.message.find("does not exist") == std::string::npos) {
      return Status::Error("cannot publish the server figures of " +
                           pool.Describe() + ": " + s.message);
    }
  }
  return Status();
}

ServerStatsDelta Delta(const ServerStats& before, const ServerStats& after) {
  if (before.backend != after.backend || before.server != after.server ||
      before.database != after.database) {
    throw std::invalid_argument("Delta() of figures from two sources: " +
                                before.Describe() + " and " + after.Describe());
  }
  if (after.steady_ns < before.steady_ns) {
    throw std::invalid_argument(
        "Delta(before, after): `after` was read before `before`");
  }
  ServerStatsDelta d;
  d.figures = after;  // gauges and names: the later reading
  d.elapsed_ns = after.steady_ns - before.steady_ns;
  bool& reset = d.counters_reset;
  Subtract(after.deadlocks, before.deadlocks, d.figures.deadlocks, reset);
  Subtract(after.rollbacks, before.rollbacks, d.figures.rollbacks, reset);
  Subtract(after.commits, before.commits, d.figures.commits, reset);
  Subtract(after.conflicts, before.conflicts, d.figures.conflicts, reset);
  Subtract(after.temp_files, before.temp_files, d.figures.temp_files, reset);
  Subtract(after.temp_bytes, before.temp_bytes, d.figures.temp_bytes, reset);
  Subtract(after.aborted_connects, before.aborted_connects,
           d.figures.aborted_connects, reset);
  return d;
}

ServerStatsDelta ServerStatsSeries::Delta() const {
  if (!first || !last) {
    throw std::logic_error("ServerStatsSeries::Delta(): no reading");
  }
  return db::Delta(*first, *last);
}

ServerStatsSampler::ServerStatsSampler(std::string url,
                                       ServerStatsSamplerOptions options)
    : url_(std::move(url)), options_(options) {
  if (options_.interval < std::chrono::milliseconds(10)) {
    throw std::invalid_argument(
        "ServerStatsSampler: interval must be >= 10 ms");
  }
  if (options_.max_samples < 2) {
    throw std::invalid_argument("ServerStatsSampler: max_samples must be >= 2");
  }
  series_.interval_ns = ToNanos(options_.interval);
}

ServerStatsSampler::~ServerStatsSampler() { (void)Stop(); }

Status ServerStatsSampler::Start() {
  if (started_) throw std::logic_error("ServerStatsSampler::Start() twice");
  StatusOr<std::unique_ptr<Connection>> c = Connect(url_);
  if (!c.ok()) return c.status();
  StatusOr<ServerStats> first = ReadServerStats(**c);
  if (!first.ok()) return first.status();
  connection_ = std::move(c).value();
  {
    std::lock_guard lock(mu_);
    series_.first = *first;
    series_.last = *first;
    series_.samples.push_back(*first);
    series_.peak_connections = first->connections;
    series_.peak_active = first->active;
    series_.reads = 1;
  }
  started_ = true;
  thread_ = std::thread([this] { Run(); });
  return Status();
}

void ServerStatsSampler::ReadOnce() {
  StatusOr<ServerStats> st = ReadServerStats(*connection_);
  std::lock_guard lock(mu_);
  if (!st.ok()) {
    if (series_.failed_reads++ == 0)
      series_.first_error = st.status().message();
    return;
  }
  ServerStatsSeries& s = series_;
  ++s.reads;
  if (st->connections > s.peak_connections) {
    s.peak_connections = st->connections;
    s.peak_connections_at_ns = st->steady_ns - s.first->steady_ns;
  }
  if (st->active > s.peak_active) s.peak_active = st->active;
  if (s.samples.size() < options_.max_samples) {
    s.samples.push_back(*st);
  } else {
    ++s.dropped;
  }
  s.last = std::move(st).value();
}

void ServerStatsSampler::Run() {
  std::unique_lock lock(mu_);
  while (!wake_.wait_for(lock, options_.interval, [this] { return stop_; })) {
    lock.unlock();
    ReadOnce();
    lock.lock();
  }
}

Status ServerStatsSampler::Stop() {
  if (!started_ || stopped_) return Status();
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  thread_.join();
  ReadOnce();  // the figures at the end of the work
  connection_.reset();
  stopped_ = true;
  std::lock_guard lock(mu_);
  if (series_.failed_reads == 0) return Status();
  return Status::Error(std::to_string(series_.failed_reads) + " of " +
                       std::to_string(series_.failed_reads + series_.reads) +
                       " readings failed; the first: " + series_.first_error);
}

ServerStatsSeries ServerStatsSampler::Series() const {
  std::lock_guard lock(mu_);
  return series_;
}

}  // namespace perfcheck::db
