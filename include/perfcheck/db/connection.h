// Database connections for query timing: a URL names the server, a Connection
// runs prepared statements on it, a Database is a bounded pool of Connections.
//
//   auto db = perfcheck::db::Database::Open(
//       "postgresql://app:s3cret@127.0.0.1:5432/erp", {.pool_size = 4});
//   if (!db.ok()) FAIL() << db.status().message();   // password redacted
//   auto lease = (*db)->Acquire();
//   perfcheck::db::QueryStatus s =
//       (*lease)->Execute("SELECT * FROM orders WHERE id = $1", {42});
//
// URLs (the scheme picks the backend; each backend exists only when perfcheck
// was built with its client library, see BackendAvailable()):
//   sqlite::memory:                     a private in-memory database (one
//                                       connection)
//   sqlite:///abs/path.db               a database file (created when missing)
//   sqlite:relative/path.db
//   postgresql://user:pass@host:port/dbname
//                                       (also postgres://; host may be a unix
//                                       socket directory given as ?host=/dir)
//   mysql://user:pass@host:port/dbname  (also mariadb://)
// User and password are percent-decoded. Query options: `connect_timeout`
// (seconds, default 5) on all server backends, `busy_timeout_ms` on SQLite,
// `local_infile=0` on MariaDB (the client refuses Connection::LoadData(),
// so seeding uses multi-row INSERTs).
//
// Placeholders: PostgreSQL uses $1, $2, ...; MariaDB and SQLite use ?.
//
// Secrets: ConnectionUrl::ToString(), every error message and every Result
// produced from a URL show the password as "<redacted>".
//
// Errors: connecting returns a Status naming the redacted URL and the cause
// (malformed URL, refused connection, authentication failed, unknown
// database). Statement failures are data: a QueryStatus with an ErrorClass,
// never an exception.
//
// Thread-safety: a Connection is used by one thread at a time. Database is
// thread-safe: any number of threads may Acquire() concurrently.
#ifndef PERFCHECK_DB_CONNECTION_H_
#define PERFCHECK_DB_CONNECTION_H_

#include <charconv>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "perfcheck/status.h"

namespace perfcheck::db {

enum class Backend { kSqlite, kPostgres, kMariaDb };

// "sqlite", "postgres" or "mariadb".
std::string_view BackendName(Backend backend);
// Whether this build of perfcheck contains the backend's driver.
bool BackendAvailable(Backend backend);

struct ConnectionUrl {
  Backend backend = Backend::kSqlite;
  std::string user;
  std::string password;  // never printed: ToString() redacts it
  std::string host;      // "" for SQLite
  int port = 0;          // 0: the backend's default
  std::string database;  // dbname; for SQLite the file path or ":memory:"
  std::map<std::string, std::string> options;  // the ?key=value pairs

  // Parses `url`; the error names the problem and shows the URL redacted.
  static StatusOr<ConnectionUrl> Parse(std::string_view url);
  // The URL with the password replaced by "<redacted>".
  std::string ToString() const;
};

// A statement parameter: NULL, integer, floating point or text. Built
// implicitly from nullptr, any arithmetic type or anything string-like, so
// parameter lists read `{42, "SKU-1", 1.5, nullptr}`.
class Param {
 public:
  enum class Kind { kNull, kInt, kReal, kText };

  Param(std::nullptr_t) {}  // NOLINT(google-explicit-constructor)
  template <class T>
  requires std::is_integral_v<T> Param(
      T v)  // NOLINT(google-explicit-constructor)
      : kind_(Kind::kInt), int_(static_cast<std::int64_t>(v)) {}
  template <class T>
  requires std::is_floating_point_v<T> Param(
      T v)  // NOLINT(google-explicit-constructor)
      : kind_(Kind::kReal), real_(static_cast<double>(v)) {}
  Param(std::string v)  // NOLINT(google-explicit-constructor)
      : kind_(Kind::kText), text_(std::move(v)) {}
  Param(std::string_view v)  // NOLINT(google-explicit-constructor)
      : kind_(Kind::kText), text_(v) {}
  Param(const char* v)  // NOLINT(google-explicit-constructor)
      : kind_(Kind::kText), text_(v) {}

  Kind kind() const { return kind_; }
  bool is_null() const { return kind_ == Kind::kNull; }
  std::int64_t int_value() const { return int_; }
  double real_value() const { return real_; }
  const std::string& text_value() const { return text_; }
  // The value as SQL text ("" for NULL); reals keep full precision.
  std::string ToText() const {
    switch (kind_) {
      case Kind::kInt:
        return std::to_string(int_);
      case Kind::kReal: {
        char buf[32];
        auto r = std::to_chars(buf, buf + sizeof buf, real_);
        return std::string(buf, r.ptr);
      }
      case Kind::kText:
        return text_;
      case Kind::kNull:
        break;
    }
    return "";
  }

  friend bool operator==(const Param&, const Param&) = default;

 private:
  Kind kind_ = Kind::kNull;
  std::int64_t int_ = 0;
  double real_ = 0;
  std::string text_;
};
using Params = std::vector<Param>;

// Why a statement failed, from SQLSTATE (PostgreSQL), the server error code
// (MariaDB) or the result code (SQLite). The names are the error categories
// TimeQuery() counts in Result::errors.
enum class ErrorClass {
  kNone,
  kDeadlock,        // "deadlock": 40P01, ER_LOCK_DEADLOCK 1213
  kLockTimeout,     // "lock_timeout": 55P03, 1205, SQLITE_BUSY/LOCKED
  kSyntax,          // "syntax": 42601, 1064, SQLite "syntax error"
  kConnectionLost,  // "connection_lost": 08xxx, 57P01, 2006, 2013, ...
  kPoolTimeout,     // "pool_timeout": no connection free within the wait
  kTimeout,         // "timeout": statement timeout / query cancelled
  kRowsMismatch,    // "rows_mismatch": rows differ from the expectation
  kOther,           // "other": anything else (constraint, unknown table, ...)
};
std::string_view ErrorClassName(ErrorClass error_class);

// Outcome of one statement. `message` is the server's text (it never holds
// the connection password).
struct QueryStatus {
  ErrorClass error = ErrorClass::kNone;
  std::string message;
  std::uint64_t rows = 0;  // rows returned, or affected when none returned

  bool ok() const { return error == ErrorClass::kNone; }
  static QueryStatus Error(ErrorClass error, std::string message) {
    QueryStatus s;
    s.error = error;
    s.message = std::move(message);
    return s;
  }
};

// Rows as text (NULL as std::nullopt), for tests and plan reading.
struct Rows {
  std::vector<std::string> columns;
  std::vector<std::vector<std::optional<std::string>>> values;
};

struct Plan;  // perfcheck/db/plan.h

// Produces the rows of Connection::LoadData() one at a time: fills `row`
// (one Param per column) and returns true, or returns false after the last
// row. May throw; the exception reaches LoadData()'s caller and nothing is
// loaded.
using RowSource = std::function<bool(Params& row)>;

// One open session. Backends implement it; obtain one from Connect() or a
// Database lease.
class Connection {
 public:
  virtual ~Connection() = default;

  virtual Backend backend() const = 0;
  // The redacted URL this connection was opened from.
  virtual std::string Describe() const = 0;

  // Runs `sql` as a prepared statement (prepared once per connection and
  // cached by its text) with `params` bound; reads and discards the rows,
  // counting them in QueryStatus::rows.
  virtual QueryStatus Execute(std::string_view sql, const Params& params) = 0;
  // Like Execute() but keeps the rows in `out` (when not null).
  virtual QueryStatus Query(std::string_view sql, const Params& params,
                            Rows* out) = 0;
  // Runs one or more ';'-separated statements without parameters (DDL,
  // BEGIN/COMMIT, SET ...), not prepared.
  virtual QueryStatus ExecuteScript(std::string_view sql) = 0;
  // Inserts rows fast (COPY on PostgreSQL, multi-row INSERT on MariaDB, one
  // prepared INSERT in a transaction on SQLite). Each row has one Param per
  // column.
  virtual QueryStatus BulkInsert(std::string_view table,
                                 const std::vector<std::string>& columns,
                                 const std::vector<Params>& rows) = 0;
  // Streams the rows `next_row` produces into `table` with one bulk-load
  // statement, generating them while the server reads (no temp file, no
  // batch held in memory): LOAD DATA LOCAL INFILE on MariaDB, inside a
  // transaction, so a failure loads nothing. QueryStatus::rows is the number
  // of rows loaded; a row the server would only warn about (truncated value,
  // duplicate key) fails the load. Refused when the backend has no such
  // statement (PostgreSQL, SQLite: use BulkInsert()) or when the client or
  // the server disallows it (MariaDB local_infile=0 on either side; the
  // server's error 1148 / 4166): then `*refused` (if given) is set to true,
  // and no row was requested, so the caller can fall back to BulkInsert().
  // The MariaDB connection serves file requests only from this method: a
  // LOAD DATA LOCAL INFILE of a client file sent through ExecuteScript() is
  // refused, so a server cannot read the client's files.
  virtual QueryStatus LoadData(std::string_view table,
                               const std::vector<std::string>& columns,
                               const RowSource& next_row, bool* refused);
  // The backend's plan for `sql`, read into the common view (db_plan.h).
  // `analyze` executes the statement to get actual row counts.
  virtual StatusOr<Plan> Explain(std::string_view sql, const Params& params,
                                 bool analyze) = 0;
  // The server's session/backend id (pg_backend_pid(), CONNECTION_ID(); 0 on
  // SQLite), so a test can kill it from another session.
  virtual std::int64_t SessionId() = 0;
  // False once the server connection is known to be lost.
  virtual bool IsOpen() const = 0;
};

// Opens one connection. Errors: the message names the redacted URL.
StatusOr<std::unique_ptr<Connection>> Connect(std::string_view url);

struct PoolOptions {
  int pool_size = 1;  // 1..256 connections, opened eagerly by Open()
  // How long Acquire() waits for a free connection before giving up.
  std::chrono::milliseconds wait_timeout = std::chrono::seconds(30);
};

class Database;

// A connection borrowed from a Database; returned to the pool on destruction.
class Lease {
 public:
  Lease(Lease&& other) noexcept;
  Lease& operator=(Lease&&) = delete;
  ~Lease();
  Connection* operator->() const { return connection_.get(); }
  Connection& operator*() const { return *connection_; }

 private:
  friend class Database;
  Lease(Database* db, std::unique_ptr<Connection> c)
      : db_(db), connection_(std::move(c)) {}
  Database* db_;
  std::unique_ptr<Connection> connection_;
};

// A pool of connections to one URL. A connection found closed (server
// restarted, backend killed) is reopened by the next Acquire() that gets it.
class Database {
 public:
  // Opens `options.pool_size` connections. std::invalid_argument when
  // pool_size is outside 1..256; a Status when the URL is malformed or a
  // connection fails; `sqlite::memory:` allows pool_size 1 only, since each
  // connection would see its own empty database.
  static StatusOr<std::unique_ptr<Database>> Open(std::string_view url,
                                                  PoolOptions options = {});
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  Backend backend() const { return url_.backend; }
  const ConnectionUrl& url() const { return url_; }
  std::string Describe() const { return url_.ToString(); }
  int pool_size() const { return options_.pool_size; }

  // Borrows a connection, waiting up to `wait` (default: the pool's
  // wait_timeout). Errors: "pool_timeout: ..." when none became free,
  // "connection_lost: ..." when a closed connection could not be reopened
  // (it is then retried on a later Acquire()).
  StatusOr<Lease> Acquire(std::optional<std::chrono::milliseconds> wait = {});

  // Convenience: Acquire() + Connection::ExecuteScript / Query.
  QueryStatus ExecuteScript(std::string_view sql);
  QueryStatus Query(std::string_view sql, const Params& params, Rows* out);

 private:
  friend class Lease;
  Database(ConnectionUrl url, PoolOptions options)
      : url_(std::move(url)), options_(options) {}
  void Release(std::unique_ptr<Connection> connection);

  ConnectionUrl url_;
  PoolOptions options_;
  std::mutex mu_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<Connection>> idle_;
  int closed_slots_ = 0;  // slots whose connection must be reopened
};

// The ErrorClass of a failed Database::Acquire(): kPoolTimeout or
// kConnectionLost.
ErrorClass AcquireErrorClass(const Status& status);

}  // namespace perfcheck::db

#endif  // PERFCHECK_DB_CONNECTION_H_
