// SQLite backend: the embedded default, no server needed.
#include <sqlite3.h>

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "db/backends.h"
#include "perfcheck/db/connection.h"
#include "perfcheck/db/plan.h"

namespace perfcheck::db::internal {
namespace {

constexpr int kDefaultBusyTimeoutMs = 5000;

ErrorClass Classify(int rc, std::string_view message) {
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return ErrorClass::kLockTimeout;
    case SQLITE_INTERRUPT:
      return ErrorClass::kTimeout;
    case SQLITE_ERROR:
      // SQLite has no separate code for a parse error; its message does.
      if (message.find("syntax error") != std::string_view::npos ||
          message.find("incomplete input") != std::string_view::npos) {
        return ErrorClass::kSyntax;
      }
      return ErrorClass::kOther;
    default:
      return ErrorClass::kOther;
  }
}

struct StmtDeleter {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};
using StmtPtr = std::unique_ptr<sqlite3_stmt, StmtDeleter>;

// Parses one EXPLAIN QUERY PLAN detail, e.g. "SEARCH o USING INDEX oc (c=?)".
PlanNode ParseDetail(std::string_view detail) {
  PlanNode node;
  node.detail = std::string(detail);
  auto word_after = [&](std::string_view prefix) -> std::string {
    std::string_view rest = detail.substr(prefix.size());
    return std::string(rest.substr(0, rest.find(' ')));
  };
  const bool scan = detail.starts_with("SCAN ");
  const bool search = detail.starts_with("SEARCH ");
  if (!scan && !search) return node;  // USE TEMP B-TREE, CO-ROUTINE, ...
  node.table = word_after(scan ? "SCAN " : "SEARCH ");
  if (node.table == "CONSTANT" || node.table.starts_with("(")) {
    node.table.clear();  // "SCAN CONSTANT ROW", "SCAN (subquery-1)"
    return node;
  }
  std::size_t using_index = detail.find(" USING COVERING INDEX ");
  std::size_t skip = sizeof(" USING COVERING INDEX ") - 1;
  if (using_index == std::string_view::npos) {
    using_index = detail.find(" USING INDEX ");
    skip = sizeof(" USING INDEX ") - 1;
  }
  if (using_index != std::string_view::npos) {
    std::string_view rest = detail.substr(using_index + skip);
    node.index = std::string(rest.substr(0, rest.find(' ')));
    node.access = scan ? Access::kFullIndexScan : Access::kIndexScan;
  } else if (detail.find("PRIMARY KEY") != std::string_view::npos) {
    node.access = Access::kRowId;
  } else {
    node.access = scan ? Access::kFullScan : Access::kIndexScan;
  }
  return node;
}

class SqliteConnection final : public Connection {
 public:
  SqliteConnection(sqlite3* db, std::string description)
      : db_(db), description_(std::move(description)) {}
  ~SqliteConnection() override {
    statements_.clear();
    sqlite3_close_v2(db_);
  }

  Backend backend() const override { return Backend::kSqlite; }
  std::string Describe() const override { return description_; }
  bool IsOpen() const override { return true; }
  std::int64_t SessionId() override { return 0; }

  QueryStatus Execute(std::string_view sql, const Params& params) override {
    return Run(sql, params, nullptr);
  }
  QueryStatus Query(std::string_view sql, const Params& params,
                    Rows* out) override {
    return Run(sql, params, out);
  }

  QueryStatus ExecuteScript(std::string_view sql) override {
    char* error = nullptr;
    const int rc =
        sqlite3_exec(db_, std::string(sql).c_str(), nullptr, nullptr, &error);
    if (rc != SQLITE_OK) {
      std::string message = error != nullptr ? error : sqlite3_errstr(rc);
      sqlite3_free(error);
      return QueryStatus::Error(Classify(rc, message), "sqlite: " + message);
    }
    QueryStatus ok;
    ok.rows = static_cast<std::uint64_t>(sqlite3_changes64(db_));
    return ok;
  }

  QueryStatus BulkInsert(std::string_view table,
                         const std::vector<std::string>& columns,
                         const std::vector<Params>& rows) override {
    std::string sql = "INSERT INTO " + std::string(table) + " (";
    std::string marks;
    for (std::size_t i = 0; i < columns.size(); ++i) {
      sql += (i ? ", " : "") + columns[i];
      marks += i ? ", ?" : "?";
    }
    sql += ") VALUES (" + marks + ")";
    // One transaction per batch: SQLite's cost is the commit, not the row.
    const bool own_txn = sqlite3_get_autocommit(db_) != 0;
    if (own_txn) {
      QueryStatus begin = ExecuteScript("BEGIN");
      if (!begin.ok()) return begin;
    }
    QueryStatus total;
    for (const Params& row : rows) {
      QueryStatus s = Run(sql, row, nullptr);
      if (!s.ok()) {
        if (own_txn) ExecuteScript("ROLLBACK");
        return s;
      }
      total.rows += s.rows;
    }
    if (own_txn) {
      QueryStatus commit = ExecuteScript("COMMIT");
      if (!commit.ok()) return commit;
    }
    return total;
  }

  StatusOr<Plan> Explain(std::string_view sql, const Params& params,
                         bool analyze) override {
    Plan plan;
    plan.backend = Backend::kSqlite;
    Rows rows;
    QueryStatus s =
        Run("EXPLAIN QUERY PLAN " + std::string(sql), params, &rows);
    if (!s.ok()) return Status::Error("EXPLAIN on sqlite failed: " + s.message);
    std::map<std::string, int> depth_of;  // plan row id -> depth
    for (const auto& row : rows.values) {
      if (row.size() < 4) continue;
      const std::string id = row[0].value_or("");
      const std::string parent = row[1].value_or("0");
      const std::string detail = row[3].value_or("");
      plan.raw += detail + "\n";
      PlanNode node = ParseDetail(detail);
      auto p = depth_of.find(parent);
      node.depth = p == depth_of.end() ? 0 : p->second + 1;
      depth_of[id] = node.depth;
      if (node.access == Access::kFullScan) {
        // SQLite gives no estimates; a full scan reads the whole table.
        Rows count;
        if (Run("SELECT count(*) FROM \"" + node.table + "\"", {}, &count)
                .ok() &&
            !count.values.empty() && count.values[0][0]) {
          node.estimated_rows = std::stod(*count.values[0][0]);
        }
      }
      plan.nodes.push_back(std::move(node));
    }
    if (analyze) {
      // Full-scan steps plus rows returned approximate the rows examined.
      sqlite3_stmt* stmt = nullptr;
      QueryStatus run = Prepare(sql, &stmt);
      if (!run.ok()) return Status::Error("sqlite: " + run.message);
      sqlite3_stmt_status(stmt, SQLITE_STMTSTATUS_FULLSCAN_STEP, 1);  // reset
      run = Step(stmt, params, nullptr);
      if (!run.ok()) return Status::Error("sqlite: " + run.message);
      const int fullscan =
          sqlite3_stmt_status(stmt, SQLITE_STMTSTATUS_FULLSCAN_STEP, 1);
      plan.analyzed = true;
      plan.total_rows_examined = static_cast<double>(fullscan + run.rows);
    }
    return plan;
  }

 private:
  QueryStatus Prepare(std::string_view sql, sqlite3_stmt** out) {
    std::string key(sql);
    auto it = statements_.find(key);
    if (it != statements_.end()) {
      *out = it->second.get();
      return {};
    }
    sqlite3_stmt* stmt = nullptr;
    const int rc = sqlite3_prepare_v2(
        db_, key.data(), static_cast<int>(key.size()), &stmt, nullptr);
    if (rc != SQLITE_OK) {
      std::string message = sqlite3_errmsg(db_);
      return QueryStatus::Error(Classify(rc, message), "sqlite: " + message);
    }
    *out = stmt;
    statements_.emplace(std::move(key), StmtPtr(stmt));
    return {};
  }

  QueryStatus Step(sqlite3_stmt* stmt, const Params& params, Rows* out) {
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
    const int expected = sqlite3_bind_parameter_count(stmt);
    if (expected != static_cast<int>(params.size())) {
      return QueryStatus::Error(ErrorClass::kOther,
                                "sqlite: statement has " +
                                    std::to_string(expected) + " parameters, " +
                                    std::to_string(params.size()) + " given");
    }
    for (int i = 0; i < expected; ++i) {
      const Param& p = params[static_cast<std::size_t>(i)];
      switch (p.kind()) {
        case Param::Kind::kNull:
          sqlite3_bind_null(stmt, i + 1);
          break;
        case Param::Kind::kInt:
          sqlite3_bind_int64(stmt, i + 1, p.int_value());
          break;
        case Param::Kind::kReal:
          sqlite3_bind_double(stmt, i + 1, p.real_value());
          break;
        case Param::Kind::kText:
          sqlite3_bind_text(stmt, i + 1, p.text_value().data(),
                            static_cast<int>(p.text_value().size()),
                            SQLITE_STATIC);
          break;
      }
    }
    const int columns = sqlite3_column_count(stmt);
    if (out != nullptr) {
      out->columns.clear();
      out->values.clear();
      for (int c = 0; c < columns; ++c) {
        out->columns.emplace_back(sqlite3_column_name(stmt, c));
      }
    }
    QueryStatus status;
    for (;;) {
      const int rc = sqlite3_step(stmt);
      if (rc == SQLITE_ROW) {
        ++status.rows;
        if (out != nullptr) {
          auto& row = out->values.emplace_back();
          for (int c = 0; c < columns; ++c) {
            const unsigned char* text = sqlite3_column_text(stmt, c);
            if (text == nullptr) {
              row.emplace_back(std::nullopt);
            } else {
              row.emplace_back(std::string(
                  reinterpret_cast<const char*>(text),
                  static_cast<std::size_t>(sqlite3_column_bytes(stmt, c))));
            }
          }
        }
        continue;
      }
      if (rc == SQLITE_DONE) break;
      std::string message = sqlite3_errmsg(db_);
      sqlite3_reset(stmt);
      return QueryStatus::Error(Classify(rc, message), "sqlite: " + message);
    }
    if (columns == 0) {
      status.rows = static_cast<std::uint64_t>(sqlite3_changes64(db_));
    }
    return status;
  }

  QueryStatus Run(std::string_view sql, const Params& params, Rows* out) {
    sqlite3_stmt* stmt = nullptr;
    QueryStatus prepared = Prepare(sql, &stmt);
    if (!prepared.ok()) return prepared;
    QueryStatus s = Step(stmt, params, out);
    sqlite3_reset(stmt);  // releases read locks held by a finished SELECT
    return s;
  }

  sqlite3* db_;
  std::string description_;
  std::map<std::string, StmtPtr, std::less<>> statements_;
};

}  // namespace

StatusOr<std::unique_ptr<Connection>> ConnectSqlite(const ConnectionUrl& url) {
  sqlite3* db = nullptr;
  const int flags =
      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  const int rc = sqlite3_open_v2(url.database.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string message =
        db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close_v2(db);
    return Status::Error("cannot open '" + url.ToString() + "': " + message);
  }
  int busy_ms = kDefaultBusyTimeoutMs;
  if (auto it = url.options.find("busy_timeout_ms"); it != url.options.end()) {
    try {
      busy_ms = std::stoi(it->second);
    } catch (const std::exception&) {
      sqlite3_close_v2(db);
      return Status::Error("invalid database URL '" + url.ToString() +
                           "': busy_timeout_ms '" + it->second +
                           "' is not a number");
    }
  }
  sqlite3_busy_timeout(db, busy_ms);
  return std::unique_ptr<Connection>(
      std::make_unique<SqliteConnection>(db, url.ToString()));
}

}  // namespace perfcheck::db::internal
