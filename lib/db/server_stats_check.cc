// Evaluation of server figures (L3): judges ServerStatsDelta and
// ServerStatsSeries values, whether read live or built by hand.
#include <cstdio>
#include <stdexcept>
#include <string>

#include "perfcheck/db/server_stats.h"

namespace perfcheck::db {
namespace {

std::string Seconds(Nanos ns) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f s", static_cast<double>(ns) / 1e9);
  return buf;
}

void RequireLimit(std::int64_t n, const char* what) {
  if (n < 0) {
    throw std::invalid_argument(std::string(what) + ": limit " +
                                std::to_string(n) + " is negative");
  }
}

ServerStatsCheck Finish(ServerStatsCheck c) {
  c.summary =
      c.expected + " -> " + c.actual + (c.passed ? " [PASS]" : " [FAIL]");
  return c;
}

// Where a counter comes from, for the message.
std::string Source(const ServerStats& s, const char* postgres,
                   const char* mariadb) {
  return s.backend == Backend::kPostgres
             ? std::string(postgres)
             : std::string(mariadb) + ", server-wide";
}

ServerStatsCheck CheckCounter(const ServerStatsDelta& delta, std::int64_t n,
                              const char* metric, std::uint64_t value,
                              const std::string& source) {
  ServerStatsCheck c;
  c.metric = metric;
  c.limit = n;
  c.expected = std::string(metric) + " <= " + std::to_string(n) + " on " +
               delta.figures.Describe();
  if (delta.counters_reset) {
    c.actual =
        "unknown: the server's counters went backwards between the "
        "readings (restart or statistics reset); " +
        std::to_string(value) + " counted since";
    return Finish(c);
  }
  c.observed = static_cast<std::int64_t>(value);
  c.passed = *c.observed <= n;
  c.actual = std::string(metric) + " = " + std::to_string(value) + " (" +
             source + ", over " + Seconds(delta.elapsed_ns) + ")";
  return Finish(c);
}

}  // namespace

ServerStatsCheck CheckDeadlocksAtMost(const ServerStatsDelta& delta,
                                      std::int64_t n) {
  RequireLimit(n, "CheckDeadlocksAtMost");
  return CheckCounter(
      delta, n, "deadlocks", delta.figures.deadlocks,
      Source(delta.figures, "pg_stat_database.deadlocks", "Innodb_deadlocks"));
}

ServerStatsCheck CheckRollbacksAtMost(const ServerStatsDelta& delta,
                                      std::int64_t n) {
  RequireLimit(n, "CheckRollbacksAtMost");
  return CheckCounter(
      delta, n, "rollbacks", delta.figures.rollbacks,
      Source(delta.figures, "pg_stat_database.xact_rollback", "Com_rollback"));
}

ServerStatsCheck CheckConnectionsAtMost(const ServerStatsSeries& series,
                                        std::int64_t n) {
  RequireLimit(n, "CheckConnectionsAtMost");
  ServerStatsCheck c;
  c.metric = "peak_connections";
  c.limit = n;
  c.expected = "peak connections in use <= " + std::to_string(n) + " on " +
               (series.last ? series.last->Describe() : "the server");
  if (!series.last) {
    c.actual = "no reading of the server's figures" +
               (series.first_error.empty() ? std::string()
                                           : ": " + series.first_error);
    return Finish(c);
  }
  c.observed = series.peak_connections;
  c.passed = series.peak_connections <= n;
  c.actual = "peak = " + std::to_string(series.peak_connections) + " at " +
             Seconds(series.peak_connections_at_ns) + " (" +
             std::to_string(series.peak_active) + " active at most; " +
             std::to_string(series.reads) + " readings every " +
             std::to_string(series.interval_ns / 1'000'000) +
             " ms, the sampler's own connection not counted)";
  return Finish(c);
}

}  // namespace perfcheck::db
