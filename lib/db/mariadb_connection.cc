// MariaDB / MySQL backend over mariadb-connector-c (binary protocol prepared
// statements).
#include <errmsg.h>
#include <mysql.h>
#include <mysqld_error.h>

#include <algorithm>
#include <cstring>
#include <exception>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "db/backends.h"
#include "perfcheck/db/connection.h"
#include "perfcheck/db/plan.h"

namespace perfcheck::db::internal {
namespace {

ErrorClass Classify(unsigned int code) {
  switch (code) {
    case ER_LOCK_DEADLOCK:
      return ErrorClass::kDeadlock;
    case ER_LOCK_WAIT_TIMEOUT:
      return ErrorClass::kLockTimeout;
    case ER_PARSE_ERROR:
    case ER_SYNTAX_ERROR:
      return ErrorClass::kSyntax;
    case ER_STATEMENT_TIMEOUT:
    case ER_QUERY_INTERRUPTED:
      return ErrorClass::kTimeout;
    case CR_SERVER_GONE_ERROR:
    case CR_SERVER_LOST:
    case CR_CONNECTION_ERROR:
    case CR_CONN_HOST_ERROR:
    case CR_SERVER_LOST_EXTENDED:
    case ER_CONNECTION_KILLED:
    case ER_SERVER_SHUTDOWN:
    case 4031:  // ER_CLIENT_INTERACTION_TIMEOUT (MariaDB 10.6+)
      return ErrorClass::kConnectionLost;
    default:
      return ErrorClass::kOther;
  }
}

bool IsConnectionError(unsigned int code) {
  return Classify(code) == ErrorClass::kConnectionLost;
}

struct StmtCloser {
  void operator()(MYSQL_STMT* s) const { mysql_stmt_close(s); }
};
using StmtPtr = std::unique_ptr<MYSQL_STMT, StmtCloser>;

std::optional<double> Number(const nlohmann::json& node, const char* key) {
  auto it = node.find(key);
  if (it == node.end() || !it->is_number()) return std::nullopt;
  return it->get<double>();
}

// Every {"table": {"table_name": ...}} object in the plan is one access.
void Walk(const nlohmann::json& node, int depth, Plan& plan) {
  if (node.is_array()) {
    for (const auto& child : node) Walk(child, depth, plan);
    return;
  }
  if (!node.is_object()) return;
  for (const auto& [key, value] : node.items()) {
    if (key == "table" && value.is_object() && value.contains("table_name")) {
      PlanNode n;
      n.depth = depth;
      n.table = value["table_name"].get<std::string>();
      const std::string type = value.value("access_type", "");
      n.detail = "access_type " + type;
      n.index = value.value("key", "");
      if (type == "ALL") {
        n.access = Access::kFullScan;
      } else if (type == "index") {
        n.access = Access::kFullIndexScan;
      } else if ((type == "const" || type == "eq_ref" || type == "system") &&
                 n.index == "PRIMARY") {
        n.access = Access::kRowId;
      } else if (!type.empty()) {
        n.access = Access::kIndexScan;
      }
      n.estimated_rows = Number(value, "rows");
      if (auto r_rows = Number(value, "r_rows")) {
        n.actual_rows = *r_rows * Number(value, "r_loops").value_or(1);
      }
      plan.nodes.push_back(std::move(n));
      Walk(value, depth + 1, plan);
    } else {
      Walk(value, depth, plan);
    }
  }
}

// The file name LoadData() asks the server to request back; the infile
// handler serves nothing else.
constexpr std::string_view kGeneratedRows = "perfcheck-generated-rows";

// Appends one field in LOAD DATA's default text format (FIELDS TERMINATED BY
// '\t' ESCAPED BY '\\' LINES TERMINATED BY '\n'): NULL is \N, and the
// escape character, the separators and NUL are escaped, so any text
// round-trips.
void AppendLoadDataField(const Param& p, std::string& out) {
  switch (p.kind()) {
    case Param::Kind::kNull:
      out += "\\N";
      return;
    case Param::Kind::kInt:
    case Param::Kind::kReal:
      out += p.ToText();  // the same text the INSERT path sends
      return;
    case Param::Kind::kText:
      for (char c : p.text_value()) {
        switch (c) {
          case '\\':
            out += "\\\\";
            break;
          case '\t':
            out += "\\t";
            break;
          case '\n':
            out += "\\n";
            break;
          case '\r':
            out += "\\r";
            break;
          case '\0':
            out += "\\0";
            break;
          default:
            out.push_back(c);
        }
      }
      return;
  }
}

// One LoadData() call in progress: the rows not yet sent to the server.
struct InfileStream {
  const RowSource* next_row = nullptr;
  std::size_t columns = 0;
  bool requested = false;  // the server asked for the rows
  bool done = false;       // next_row returned false
  std::uint64_t rows = 0;  // rows produced so far
  Params row;
  std::string buffer;  // formatted rows; buffer[pos..] not yet sent
  std::size_t pos = 0;
  std::exception_ptr exception;  // thrown by next_row
  std::string error;             // why the stream failed

  // Copies up to `len` bytes of formatted rows into `out`, generating rows
  // as needed; 0 at the end, -1 on error.
  int Read(char* out, unsigned int len) {
    while (buffer.size() - pos < len && !done) {
      if (pos > 0) {
        buffer.erase(0, pos);
        pos = 0;
      }
      row.clear();
      try {
        if (!(*next_row)(row)) {
          done = true;
          break;
        }
      } catch (...) {
        exception = std::current_exception();
        error = "the row source threw an exception";
        return -1;
      }
      if (row.size() != columns) {
        error = "row " + std::to_string(rows) + " has " +
                std::to_string(row.size()) + " values for " +
                std::to_string(columns) + " columns";
        return -1;
      }
      for (std::size_t i = 0; i < row.size(); ++i) {
        if (i) buffer.push_back('\t');
        AppendLoadDataField(row[i], buffer);
      }
      buffer.push_back('\n');
      ++rows;
    }
    const std::size_t n = std::min<std::size_t>(len, buffer.size() - pos);
    std::memcpy(out, buffer.data() + pos, n);
    pos += n;
    return static_cast<int>(n);
  }
};

class MariaDbConnection final : public Connection {
 public:
  MariaDbConnection(MYSQL* mysql, std::string description, std::string password,
                    bool local_infile)
      : mysql_(mysql),
        description_(std::move(description)),
        password_(std::move(password)),
        local_infile_(local_infile) {
    // Installed for the connection's lifetime: every file request the server
    // makes lands here, and only LoadData()'s in-memory rows are served.
    mysql_set_local_infile_handler(mysql_, &InfileInit, &InfileRead, &InfileEnd,
                                   &InfileError, this);
  }
  ~MariaDbConnection() override {
    statements_.clear();
    mysql_close(mysql_);
  }

  Backend backend() const override { return Backend::kMariaDb; }
  std::string Describe() const override { return description_; }
  bool IsOpen() const override { return open_; }
  std::int64_t SessionId() override {
    return static_cast<std::int64_t>(mysql_thread_id(mysql_));
  }

  QueryStatus Execute(std::string_view sql, const Params& params) override {
    return Run(sql, params, nullptr);
  }
  QueryStatus Query(std::string_view sql, const Params& params,
                    Rows* out) override {
    return Run(sql, params, out);
  }

  QueryStatus ExecuteScript(std::string_view sql) override {
    if (!open_) return Closed();
    if (mysql_real_query(mysql_, sql.data(), sql.size()) != 0) {
      return Fail(mysql_errno(mysql_), mysql_error(mysql_));
    }
    QueryStatus total;
    // Drain every result of a multi-statement script.
    for (;;) {
      MYSQL_RES* res = mysql_store_result(mysql_);
      if (res != nullptr) {
        total.rows += mysql_num_rows(res);
        mysql_free_result(res);
      } else if (mysql_field_count(mysql_) == 0) {
        total.rows += mysql_affected_rows(mysql_);
      }
      const int next = mysql_next_result(mysql_);
      if (next > 0) return Fail(mysql_errno(mysql_), mysql_error(mysql_));
      if (next < 0) break;
    }
    return total;
  }

  QueryStatus BulkInsert(std::string_view table,
                         const std::vector<std::string>& columns,
                         const std::vector<Params>& rows) override {
    if (rows.empty()) return {};
    // One multi-row INSERT per batch: one round trip, one parse.
    std::string sql = "INSERT INTO " + std::string(table) + " (";
    for (std::size_t i = 0; i < columns.size(); ++i) {
      sql += (i ? ", " : "") + columns[i];
    }
    sql += ") VALUES ";
    for (std::size_t r = 0; r < rows.size(); ++r) {
      sql += r ? ",(" : "(";
      for (std::size_t i = 0; i < rows[r].size(); ++i) {
        if (i) sql += ",";
        AppendLiteral(rows[r][i], sql);
      }
      sql += ")";
    }
    return ExecuteScript(sql);
  }

  QueryStatus LoadData(std::string_view table,
                       const std::vector<std::string>& columns,
                       const RowSource& next_row, bool* refused) override {
    if (refused != nullptr) *refused = false;
    if (!open_) return Closed();
    if (!local_infile_) {
      if (refused != nullptr) *refused = true;
      return QueryStatus::Error(
          ErrorClass::kOther,
          "mariadb: LOAD DATA LOCAL INFILE is disabled by the connection "
          "option local_infile=0");
    }
    std::string sql = "LOAD DATA LOCAL INFILE '" + std::string(kGeneratedRows) +
                      "' INTO TABLE " + std::string(table) + " CHARACTER SET " +
                      mysql_character_set_name(mysql_) +
                      R"( FIELDS TERMINATED BY '\t' ESCAPED BY '\\')" +
                      R"( LINES TERMINATED BY '\n' ()";
    for (std::size_t i = 0; i < columns.size(); ++i) {
      sql += (i ? ", " : "") + columns[i];
    }
    sql += ")";
    // One transaction: LOCAL turns bad rows into warnings and a failing row
    // source still ends the file normally, so without it a failed load
    // would leave the rows sent so far behind.
    if (QueryStatus s = ExecuteScript("START TRANSACTION"); !s.ok()) return s;
    InfileStream stream;
    stream.next_row = &next_row;
    stream.columns = columns.size();
    stream_ = &stream;
    const int rc = mysql_real_query(mysql_, sql.data(), sql.size());
    stream_ = nullptr;
    QueryStatus result;
    if (rc != 0) {
      const unsigned int code = mysql_errno(mysql_);
      result = Fail(code, mysql_error(mysql_));
      if (!stream.requested && (code == ER_NOT_ALLOWED_COMMAND ||
                                code == ER_LOAD_INFILE_CAPABILITY_DISABLED)) {
        if (refused != nullptr) *refused = true;
      }
    } else if (mysql_warning_count(mysql_) > 0 ||
               mysql_affected_rows(mysql_) != stream.rows) {
      result = QueryStatus::Error(
          ErrorClass::kOther,
          "mariadb: LOAD DATA into " + std::string(table) + " loaded " +
              std::to_string(mysql_affected_rows(mysql_)) + " of " +
              std::to_string(stream.rows) + " rows with " +
              std::to_string(mysql_warning_count(mysql_)) +
              " warnings: " + FirstWarnings());
    } else {
      result = ExecuteScript("COMMIT");
      result.rows = stream.rows;
      if (result.ok()) return result;
    }
    if (open_) ExecuteScript("ROLLBACK");
    if (stream.exception) std::rethrow_exception(stream.exception);
    return result;
  }

  StatusOr<Plan> Explain(std::string_view sql, const Params& params,
                         bool analyze) override {
    // EXPLAIN/ANALYZE are not all preparable, so the parameters are inlined
    // as escaped literals.
    std::string text =
        analyze ? "ANALYZE FORMAT=JSON " : "EXPLAIN FORMAT=JSON ";
    std::size_t next = 0;
    char quote = 0;
    for (char c : sql) {
      if (quote != 0) {
        if (c == quote) quote = 0;
      } else if (c == '\'' || c == '"' || c == '`') {
        quote = c;
      } else if (c == '?' && next < params.size()) {
        AppendLiteral(params[next++], text);
        continue;
      }
      text.push_back(c);
    }
    if (!open_)
      return Status::Error("EXPLAIN on " + description_ + ": " +
                           Closed().message);
    if (mysql_real_query(mysql_, text.data(), text.size()) != 0) {
      QueryStatus s = Fail(mysql_errno(mysql_), mysql_error(mysql_));
      return Status::Error("EXPLAIN on " + description_ +
                           " failed: " + s.message);
    }
    MYSQL_RES* res = mysql_store_result(mysql_);
    Plan plan;
    plan.backend = Backend::kMariaDb;
    plan.analyzed = analyze;
    if (res != nullptr) {
      if (MYSQL_ROW row = mysql_fetch_row(res); row != nullptr && row[0]) {
        plan.raw = row[0];
      }
      mysql_free_result(res);
    }
    while (mysql_next_result(mysql_) == 0) {
      if (MYSQL_RES* extra = mysql_store_result(mysql_))
        mysql_free_result(extra);
    }
    try {
      Walk(nlohmann::json::parse(plan.raw), 0, plan);
    } catch (const std::exception& e) {
      return Status::Error("EXPLAIN on " + description_ +
                           ": unreadable plan JSON: " + e.what());
    }
    return plan;
  }

 private:
  void AppendLiteral(const Param& p, std::string& out) {
    switch (p.kind()) {
      case Param::Kind::kNull:
        out += "NULL";
        return;
      case Param::Kind::kInt:
      case Param::Kind::kReal:
        out += p.ToText();
        return;
      case Param::Kind::kText: {
        const std::string& v = p.text_value();
        std::string escaped(v.size() * 2 + 1, '\0');
        const unsigned long n = mysql_real_escape_string(mysql_, escaped.data(),
                                                         v.data(), v.size());
        out += "'";
        out.append(escaped.data(), n);
        out += "'";
        return;
      }
    }
  }

  // The first warnings of the last statement, for LoadData()'s error.
  std::string FirstWarnings() {
    std::string text;
    if (mysql_real_query(mysql_, "SHOW WARNINGS LIMIT 3", 21) != 0) {
      return "(SHOW WARNINGS failed)";
    }
    if (MYSQL_RES* res = mysql_store_result(mysql_)) {
      while (MYSQL_ROW row = mysql_fetch_row(res)) {
        if (!text.empty()) text += "; ";
        text += row[2] != nullptr ? row[2] : "";
      }
      mysql_free_result(res);
    }
    return text;
  }

  // mysql_set_local_infile_handler callbacks; `data` is the connection.
  // They must not throw: they are called from C.
  static int InfileInit(void** info, const char* filename,
                        void* data) noexcept {
    auto* self = static_cast<MariaDbConnection*>(data);
    *info = self;
    if (self->stream_ == nullptr || filename == nullptr ||
        kGeneratedRows != filename) {
      self->infile_refusal_ =
          "perfcheck refuses the server's request for client file '" +
          std::string(filename != nullptr ? filename : "") +
          "': LOAD DATA LOCAL INFILE is served only from "
          "Connection::LoadData()'s rows";
      return 1;
    }
    self->stream_->requested = true;
    return 0;
  }
  static int InfileRead(void* info, char* buf, unsigned int len) noexcept {
    auto* self = static_cast<MariaDbConnection*>(info);
    return self->stream_ != nullptr ? self->stream_->Read(buf, len) : -1;
  }
  static void InfileEnd(void*) noexcept {}
  static int InfileError(void* info, char* buf, unsigned int len) noexcept {
    auto* self = static_cast<MariaDbConnection*>(info);
    const std::string& text =
        self == nullptr ? std::string("unknown error")
        : self->stream_ != nullptr && !self->stream_->error.empty()
            ? "perfcheck LOAD DATA: " + self->stream_->error
            : self->infile_refusal_;
    if (len > 0) {
      const std::size_t n = std::min<std::size_t>(len - 1, text.size());
      std::memcpy(buf, text.data(), n);
      buf[n] = '\0';
    }
    return CR_UNKNOWN_ERROR;
  }

  QueryStatus Closed() const {
    return QueryStatus::Error(
        ErrorClass::kConnectionLost,
        "mariadb: connection to " + description_ + " is closed");
  }

  QueryStatus Fail(unsigned int code, std::string_view message) {
    if (IsConnectionError(code)) open_ = false;
    return QueryStatus::Error(Classify(code),
                              "mariadb: error " + std::to_string(code) + ": " +
                                  Scrub(std::string(message), password_));
  }

  QueryStatus FailStmt(MYSQL_STMT* stmt) {
    return Fail(mysql_stmt_errno(stmt), mysql_stmt_error(stmt));
  }

  QueryStatus Run(std::string_view sql, const Params& params, Rows* out) {
    if (!open_) return Closed();
    // Heterogeneous lookup: no copy of the SQL text per execution.
    auto it = statements_.find(sql);
    if (it == statements_.end()) {
      std::string key(sql);
      StmtPtr stmt(mysql_stmt_init(mysql_));
      if (!stmt) return Fail(mysql_errno(mysql_), mysql_error(mysql_));
      if (mysql_stmt_prepare(stmt.get(), key.data(), key.size()) != 0) {
        return FailStmt(stmt.get());
      }
      it = statements_.emplace(std::move(key), std::move(stmt)).first;
    }
    MYSQL_STMT* stmt = it->second.get();
    const unsigned long expected = mysql_stmt_param_count(stmt);
    if (expected != params.size()) {
      return QueryStatus::Error(ErrorClass::kOther,
                                "mariadb: statement has " +
                                    std::to_string(expected) + " parameters, " +
                                    std::to_string(params.size()) + " given");
    }
    // Bind buffers live in scratch_, reused by every call: the timed path
    // allocates nothing once the first query has sized them.
    Scratch& b = scratch_;
    const std::size_t n = params.size();
    // resize + memset, not assign(n, {}): the fill loop over 112-byte
    // structs cost ~160 instructions per query (callgrind).
    b.binds.resize(n);
    if (n > 0) std::memset(b.binds.data(), 0, n * sizeof(MYSQL_BIND));
    b.ints.resize(n);
    b.reals.resize(n);
    b.lengths.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
      MYSQL_BIND& bind = b.binds[i];
      const Param& p = params[i];
      switch (p.kind()) {
        case Param::Kind::kNull:
          bind.buffer_type = MYSQL_TYPE_NULL;
          break;
        case Param::Kind::kInt:
          b.ints[i] = p.int_value();
          bind.buffer_type = MYSQL_TYPE_LONGLONG;
          bind.buffer = &b.ints[i];
          break;
        case Param::Kind::kReal:
          b.reals[i] = p.real_value();
          bind.buffer_type = MYSQL_TYPE_DOUBLE;
          bind.buffer = &b.reals[i];
          break;
        case Param::Kind::kText:
          b.lengths[i] = p.text_value().size();
          bind.buffer_type = MYSQL_TYPE_STRING;
          bind.buffer = const_cast<char*>(p.text_value().data());
          bind.buffer_length = b.lengths[i];
          bind.length = &b.lengths[i];
          break;
      }
    }
    if (n > 0 && mysql_stmt_bind_param(stmt, b.binds.data()) != 0) {
      return FailStmt(stmt);
    }
    if (mysql_stmt_execute(stmt) != 0) return FailStmt(stmt);
    QueryStatus status;
    const unsigned int columns = mysql_stmt_field_count(stmt);
    if (columns == 0) {
      status.rows = mysql_stmt_affected_rows(stmt);
      return status;
    }
    if (out != nullptr) {
      // Column names need the metadata, which the client copies per call:
      // read only when the caller wants rows.
      out->columns.clear();
      out->values.clear();
      MYSQL_RES* meta = mysql_stmt_result_metadata(stmt);
      MYSQL_FIELD* fields = meta ? mysql_fetch_fields(meta) : nullptr;
      for (unsigned int c = 0; c < columns; ++c) {
        out->columns.emplace_back(fields ? fields[c].name : "");
      }
      if (meta) mysql_free_result(meta);
    }
    // Without `out` the rows are only counted: dummy binds make the client
    // skip each value instead of converting it. With `out`, 1-byte buffers
    // report each value's length and mysql_stmt_fetch_column reads it whole.
    b.results.resize(columns);
    std::memset(b.results.data(), 0, columns * sizeof(MYSQL_BIND));
    b.result_lengths.resize(columns);
    b.is_null.resize(columns);
    b.error.resize(columns);
    b.tiny.resize(columns);
    for (unsigned int c = 0; c < columns; ++c) {
      MYSQL_BIND& r = b.results[c];
      r.buffer_type = MYSQL_TYPE_STRING;
      r.length = &b.result_lengths[c];
      r.is_null = &b.is_null[c];
      r.error = &b.error[c];
      if (out == nullptr) {
        r.flags = MADB_BIND_DUMMY;
      } else {
        r.buffer = &b.tiny[c];
        r.buffer_length = 1;
      }
    }
    if (mysql_stmt_bind_result(stmt, b.results.data()) != 0) {
      QueryStatus s = FailStmt(stmt);
      mysql_stmt_free_result(stmt);
      return s;
    }
    for (;;) {
      const int rc = mysql_stmt_fetch(stmt);
      if (rc == MYSQL_NO_DATA) break;
      if (rc == 1) {
        QueryStatus s = FailStmt(stmt);
        mysql_stmt_free_result(stmt);
        return s;
      }
      ++status.rows;
      if (out == nullptr) continue;
      auto& row = out->values.emplace_back();
      for (unsigned int c = 0; c < columns; ++c) {
        if (b.is_null[c]) {
          row.emplace_back(std::nullopt);
          continue;
        }
        // At least 64 bytes: the client formats a DOUBLE with only as many
        // digits as the buffer holds, and reported 1 for the 1-byte one.
        std::string value(std::max<unsigned long>(b.result_lengths[c], 64),
                          '\0');
        for (;;) {
          MYSQL_BIND full;
          std::memset(&full, 0, sizeof full);
          unsigned long len = 0;
          full.buffer_type = MYSQL_TYPE_STRING;
          full.buffer = value.data();
          full.buffer_length = value.size();
          full.length = &len;
          mysql_stmt_fetch_column(stmt, &full, c, 0);
          const bool fits = len <= value.size();
          value.resize(len);
          if (fits) break;
        }
        row.emplace_back(std::move(value));
      }
    }
    mysql_stmt_free_result(stmt);
    return status;
  }

  // Run()'s bind buffers (see there).
  struct Scratch {
    std::vector<MYSQL_BIND> binds;
    std::vector<long long> ints;
    std::vector<double> reals;
    std::vector<unsigned long> lengths;
    std::vector<MYSQL_BIND> results;
    std::vector<unsigned long> result_lengths;
    std::vector<my_bool> is_null, error;
    std::vector<char> tiny;
  };

  MYSQL* mysql_;
  Scratch scratch_;
  std::string description_;
  std::string password_;
  bool local_infile_;
  InfileStream* stream_ = nullptr;  // set while LoadData() runs
  std::string infile_refusal_;
  bool open_ = true;
  std::map<std::string, StmtPtr, std::less<>> statements_;
};

}  // namespace

StatusOr<std::unique_ptr<Connection>> ConnectMariaDb(const ConnectionUrl& url) {
  MYSQL* mysql = mysql_init(nullptr);
  if (mysql == nullptr) {
    return Status::Error("cannot connect to " + url.ToString() +
                         ": out of memory in mysql_init");
  }
  unsigned int timeout = 5;
  if (auto it = url.options.find("connect_timeout"); it != url.options.end()) {
    timeout = static_cast<unsigned int>(
        std::strtoul(it->second.c_str(), nullptr, 10));
  }
  mysql_options(mysql, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
  // LOAD DATA LOCAL INFILE for LoadData(); the connection's own infile
  // handler makes sure no client file is ever sent.
  unsigned int local_infile = 1;
  if (auto it = url.options.find("local_infile"); it != url.options.end()) {
    local_infile = it->second == "0" ? 0 : 1;
  }
  mysql_options(mysql, MYSQL_OPT_LOCAL_INFILE, &local_infile);
  const auto socket = url.options.find("socket");
  const std::string host = url.host.empty() ? "localhost" : url.host;
  if (mysql_real_connect(
          mysql, host.c_str(), url.user.empty() ? nullptr : url.user.c_str(),
          url.password.c_str(),
          url.database.empty() ? nullptr : url.database.c_str(),
          static_cast<unsigned int>(url.port),
          socket == url.options.end() ? nullptr : socket->second.c_str(),
          CLIENT_MULTI_STATEMENTS | CLIENT_FOUND_ROWS) == nullptr) {
    std::string message = "cannot connect to " + url.ToString() + ": error " +
                          std::to_string(mysql_errno(mysql)) + ": " +
                          Scrub(mysql_error(mysql), url.password);
    mysql_close(mysql);
    return Status::Error(message);
  }
  return std::unique_ptr<Connection>(std::make_unique<MariaDbConnection>(
      mysql, url.ToString(), url.password, local_infile != 0));
}

}  // namespace perfcheck::db::internal
