#include "perfcheck/db/connection.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <utility>

#include "db/backends.h"
#include "perfcheck/percent_encoding.h"
#include "perfcheck/redaction.h"

namespace perfcheck::db {
namespace {

constexpr int kMaxPoolSize = 256;

// RedactConnectionString() (URLs, and libpq keyword strings such as
// "host=db password=pw" given where a URL belongs) plus userinfo of strings
// too malformed for RedactUrl to recognise ("mysql:user:pw@host"): whatever
// sits between a ':' and the last '@'.
std::string SafeUrl(std::string_view url) {
  // A sqlite: location is a file name, not a keyword string: a file may be
  // called "password=x.db" and is shown as it is. Its options are redacted,
  // and any userinfo (never valid there).
  if (url.size() >= 7 &&
      std::equal(url.begin(), url.begin() + 7, "sqlite:", [](char a, char b) {
        return std::tolower(static_cast<unsigned char>(a)) == b;
      })) {
    const std::size_t q = url.find('?');
    std::string out = RedactUrl(url.substr(0, q));
    if (q != std::string_view::npos) out += RedactUrl(url.substr(q));
    return out;
  }
  std::string out = RedactConnectionString(url);
  const std::size_t at = out.rfind('@');
  if (at == std::string::npos) return out;
  const std::size_t scheme = out.find(':');
  const std::size_t colon = out.find(':', scheme + 1);
  if (colon != std::string::npos && colon < at &&
      out.compare(colon + 1, at - colon - 1, kRedacted) != 0) {
    out.replace(colon + 1, at - colon - 1, kRedacted);
  }
  return out;
}

Status UrlError(std::string_view url, std::string_view problem) {
  return Status::Error("invalid database URL '" + SafeUrl(url) +
                       "': " + std::string(problem));
}

bool ParseOptions(std::string_view query,
                  std::map<std::string, std::string>& options) {
  while (!query.empty()) {
    const std::size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view()
                                          : query.substr(amp + 1);
    if (pair.empty()) continue;
    const std::size_t eq = pair.find('=');
    std::string key, value;
    if (!PercentDecodeStrict(pair.substr(0, eq), &key)) return false;
    if (eq != std::string_view::npos &&
        !PercentDecodeStrict(pair.substr(eq + 1), &value)) {
      return false;
    }
    options[key] = value;
  }
  return true;
}

}  // namespace

std::string_view BackendName(Backend backend) {
  switch (backend) {
    case Backend::kSqlite:
      return "sqlite";
    case Backend::kPostgres:
      return "postgres";
    case Backend::kMariaDb:
      return "mariadb";
  }
  return "unknown";
}

bool BackendAvailable(Backend backend) {
  switch (backend) {
    case Backend::kSqlite:
#ifdef PERFCHECK_DB_HAVE_SQLITE
      return true;
#else
      return false;
#endif
    case Backend::kPostgres:
#ifdef PERFCHECK_DB_HAVE_POSTGRES
      return true;
#else
      return false;
#endif
    case Backend::kMariaDb:
#ifdef PERFCHECK_DB_HAVE_MARIADB
      return true;
#else
      return false;
#endif
  }
  return false;
}

std::string_view ErrorClassName(ErrorClass error_class) {
  switch (error_class) {
    case ErrorClass::kNone:
      return "none";
    case ErrorClass::kDeadlock:
      return "deadlock";
    case ErrorClass::kLockTimeout:
      return "lock_timeout";
    case ErrorClass::kSyntax:
      return "syntax";
    case ErrorClass::kConnectionLost:
      return "connection_lost";
    case ErrorClass::kPoolTimeout:
      return "pool_timeout";
    case ErrorClass::kTimeout:
      return "timeout";
    case ErrorClass::kRowsMismatch:
      return "rows_mismatch";
    case ErrorClass::kOther:
      return "other";
  }
  return "other";
}

QueryStatus Connection::LoadData(std::string_view table,
                                 const std::vector<std::string>&,
                                 const RowSource&, bool* refused) {
  if (refused != nullptr) *refused = true;
  return QueryStatus::Error(
      ErrorClass::kOther, std::string(BackendName(backend())) +
                              ": no LOAD DATA for table " + std::string(table) +
                              "; use BulkInsert()");
}

StatusOr<ConnectionUrl> ConnectionUrl::Parse(std::string_view url) {
  ConnectionUrl out;
  const std::size_t colon = url.find(':');
  // RFC 3986 scheme characters only: the text before the first ':' of
  // something that is not a URL ("password=pw host=[::1]") is quoted below
  // as the scheme, and must not carry a secret there.
  const bool scheme_chars =
      colon != std::string_view::npos &&
      std::all_of(url.begin(), url.begin() + static_cast<std::ptrdiff_t>(colon),
                  [](char c) {
                    return std::isalnum(static_cast<unsigned char>(c)) ||
                           c == '+' || c == '-' || c == '.';
                  });
  if (colon == std::string_view::npos || colon == 0 || !scheme_chars) {
    // "host=db port=5432 ..." is libpq's keyword form: say what to write.
    const bool keywords = url.find('=') != std::string_view::npos;
    return UrlError(url,
                    std::string("no scheme; expected sqlite:, postgresql://, "
                                "mysql:// or mariadb://") +
                        (keywords ? " (a libpq keyword/value string is not "
                                    "accepted: write "
                                    "postgresql://user:password@host:port/"
                                    "dbname)"
                                  : ""));
  }
  std::string scheme(url.substr(0, colon));
  for (char& c : scheme) c = static_cast<char>(std::tolower(c));
  std::string_view rest = url.substr(colon + 1);

  if (scheme == "sqlite") {
    out.backend = Backend::kSqlite;
    const std::size_t q = rest.find('?');
    if (q != std::string_view::npos) {
      if (!ParseOptions(rest.substr(q + 1), out.options)) {
        return UrlError(url, "bad percent-encoding in the options");
      }
      rest = rest.substr(0, q);
    }
    if (rest == ":memory:") {
      out.database = ":memory:";
    } else if (rest.starts_with("//")) {
      // sqlite:///abs/path: the authority is empty, the path is absolute.
      if (rest.size() < 4 || rest[2] != '/') {
        return UrlError(url,
                        "expected sqlite:///absolute/path, sqlite:relative/path"
                        " or sqlite::memory:");
      }
      out.database = std::string(rest.substr(2));
    } else if (!rest.empty()) {
      out.database = std::string(rest);
    } else {
      return UrlError(url, "no database path");
    }
    return out;
  }

  if (scheme == "postgresql" || scheme == "postgres") {
    out.backend = Backend::kPostgres;
  } else if (scheme == "mysql" || scheme == "mariadb") {
    out.backend = Backend::kMariaDb;
  } else {
    return UrlError(url, "unsupported scheme '" + scheme +
                             "'; expected sqlite:, postgresql://, mysql:// "
                             "or mariadb://");
  }
  if (!rest.starts_with("//")) {
    return UrlError(url, "expected '" + scheme + "://' after the scheme");
  }
  rest = rest.substr(2);
  const std::size_t authority_end = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, authority_end);
  std::string_view tail = authority_end == std::string_view::npos
                              ? std::string_view()
                              : rest.substr(authority_end);
  const std::size_t at = authority.rfind('@');
  if (at != std::string_view::npos) {
    const std::string_view userinfo = authority.substr(0, at);
    const std::size_t pw = userinfo.find(':');
    if (!PercentDecodeStrict(userinfo.substr(0, pw), &out.user) ||
        (pw != std::string_view::npos &&
         !PercentDecodeStrict(userinfo.substr(pw + 1), &out.password))) {
      return UrlError(url, "bad percent-encoding in the user or password");
    }
    authority = authority.substr(at + 1);
  }
  const std::size_t port_colon = authority.rfind(':');
  std::string_view host = authority.substr(0, port_colon);
  if (port_colon != std::string_view::npos) {
    const std::string_view port = authority.substr(port_colon + 1);
    int value = 0;
    const auto [end, ec] =
        std::from_chars(port.data(), port.data() + port.size(), value);
    if (port.empty() || ec != std::errc() || end != port.data() + port.size() ||
        value < 1 || value > 65535) {
      return UrlError(
          url, "port '" + std::string(port) + "' is not a number in 1..65535");
    }
    out.port = value;
  }
  out.host = std::string(host);
  const std::size_t q = tail.find('?');
  if (q != std::string_view::npos) {
    if (!ParseOptions(tail.substr(q + 1), out.options)) {
      return UrlError(url, "bad percent-encoding in the options");
    }
    tail = tail.substr(0, q);
  }
  if (tail.starts_with("/")) tail = tail.substr(1);
  if (tail.find('/') != std::string_view::npos) {
    return UrlError(url, "the database name must not contain '/'");
  }
  if (!PercentDecodeStrict(tail, &out.database)) {
    return UrlError(url, "bad percent-encoding in the database name");
  }
  if (out.host.empty() && !out.options.contains("host")) {
    return UrlError(url, "no host (give host[:port] or ?host=/socket/dir)");
  }
  return out;
}

std::string ConnectionUrl::ToString() const {
  std::string out;
  if (backend == Backend::kSqlite) {
    out = database == ":memory:"      ? "sqlite::memory:"
          : database.starts_with("/") ? "sqlite://" + database
                                      : "sqlite:" + database;
  } else {
    out = backend == Backend::kPostgres ? "postgresql://" : "mysql://";
    if (!user.empty() || !password.empty()) {
      out += user;
      if (!password.empty()) out += ":" + std::string(kRedacted);
      out += "@";
    }
    out += host;
    // Appended piecewise: `":" + std::to_string(port)` trips GCC 12's
    // -Wrestrict false positive (GCC bug 105329) once inlined.
    if (port != 0) {
      out += ':';
      out += std::to_string(port);
    }
    out += '/';
    out += database;
  }
  char sep = '?';
  for (const auto& [key, value] : options) {
    out += sep;
    out += key + "=" + RedactIfSecret(key, value);
    sep = '&';
  }
  return out;
}

namespace {
StatusOr<std::unique_ptr<Connection>> ConnectParsed(const ConnectionUrl& u) {
  switch (u.backend) {
    case Backend::kSqlite:
#ifdef PERFCHECK_DB_HAVE_SQLITE
      return internal::ConnectSqlite(u);
#else
      break;
#endif
    case Backend::kPostgres:
#ifdef PERFCHECK_DB_HAVE_POSTGRES
      return internal::ConnectPostgres(u);
#else
      break;
#endif
    case Backend::kMariaDb:
#ifdef PERFCHECK_DB_HAVE_MARIADB
      return internal::ConnectMariaDb(u);
#else
      break;
#endif
  }
  return Status::Error("cannot connect to '" + u.ToString() +
                       "': perfcheck was built without the " +
                       std::string(BackendName(u.backend)) +
                       " driver (its client library was not found)");
}
}  // namespace

StatusOr<std::unique_ptr<Connection>> Connect(std::string_view url) {
  StatusOr<ConnectionUrl> parsed = ConnectionUrl::Parse(url);
  if (!parsed.ok()) return parsed.status();
  return ConnectParsed(*parsed);
}

ErrorClass AcquireErrorClass(const Status& status) {
  return status.message().starts_with("pool_timeout")
             ? ErrorClass::kPoolTimeout
             : ErrorClass::kConnectionLost;
}

// --- Database (pool) ---------------------------------------------------------

Lease::Lease(Lease&& other) noexcept
    : db_(other.db_), connection_(std::move(other.connection_)) {
  other.db_ = nullptr;
}

Lease::~Lease() {
  if (db_ != nullptr && connection_ != nullptr) {
    db_->Release(std::move(connection_));
  }
}

StatusOr<std::unique_ptr<Database>> Database::Open(std::string_view url,
                                                   PoolOptions options) {
  if (options.pool_size < 1 || options.pool_size > kMaxPoolSize) {
    throw std::invalid_argument(
        "PoolOptions.pool_size must be in 1..256, got " +
        std::to_string(options.pool_size));
  }
  if (options.wait_timeout.count() < 0) {
    throw std::invalid_argument("PoolOptions.wait_timeout must be >= 0");
  }
  StatusOr<ConnectionUrl> parsed = ConnectionUrl::Parse(url);
  if (!parsed.ok()) return parsed.status();
  if (parsed->backend == Backend::kSqlite && parsed->database == ":memory:" &&
      options.pool_size > 1) {
    return Status::Error(
        "sqlite::memory: is private to one connection, so a pool of " +
        std::to_string(options.pool_size) +
        " would see different databases; use pool_size 1 or "
        "sqlite:///path/to/file.db");
  }
  std::unique_ptr<Database> db(new Database(*parsed, options));
  for (int i = 0; i < options.pool_size; ++i) {
    StatusOr<std::unique_ptr<Connection>> c = ConnectParsed(db->url_);
    if (!c.ok()) return c.status();
    db->idle_.push_back(std::move(c).value());
  }
  return db;
}

Database::~Database() = default;

StatusOr<Lease> Database::Acquire(
    std::optional<std::chrono::milliseconds> wait) {
  const auto deadline =
      std::chrono::steady_clock::now() + wait.value_or(options_.wait_timeout);
  std::unique_lock lock(mu_);
  if (!available_.wait_until(lock, deadline, [this] {
        return !idle_.empty() || closed_slots_ > 0;
      })) {
    return Status::Error(
        "pool_timeout: no connection of the pool (size " +
        std::to_string(options_.pool_size) + ") to " + url_.ToString() +
        " became free within " +
        std::to_string(wait.value_or(options_.wait_timeout).count()) + " ms");
  }
  std::unique_ptr<Connection> connection;
  if (!idle_.empty()) {
    connection = std::move(idle_.back());
    idle_.pop_back();
    if (connection->IsOpen()) return Lease(this, std::move(connection));
    connection.reset();
  } else {
    --closed_slots_;
  }
  // Reopen outside the lock: connecting takes a round trip or more.
  lock.unlock();
  StatusOr<std::unique_ptr<Connection>> fresh = ConnectParsed(url_);
  if (!fresh.ok()) {
    lock.lock();
    ++closed_slots_;
    available_.notify_one();
    return Status::Error("connection_lost: reconnecting failed: " +
                         fresh.status().message());
  }
  return Lease(this, std::move(fresh).value());
}

void Database::Release(std::unique_ptr<Connection> connection) {
  std::lock_guard lock(mu_);
  if (connection->IsOpen()) {
    idle_.push_back(std::move(connection));
  } else {
    ++closed_slots_;
  }
  available_.notify_one();
}

QueryStatus Database::ExecuteScript(std::string_view sql) {
  StatusOr<Lease> lease = Acquire();
  if (!lease.ok()) {
    return QueryStatus::Error(AcquireErrorClass(lease.status()),
                              lease.status().message());
  }
  return (*lease)->ExecuteScript(sql);
}

QueryStatus Database::Query(std::string_view sql, const Params& params,
                            Rows* out) {
  StatusOr<Lease> lease = Acquire();
  if (!lease.ok()) {
    return QueryStatus::Error(AcquireErrorClass(lease.status()),
                              lease.status().message());
  }
  return (*lease)->Query(sql, params, out);
}

}  // namespace perfcheck::db
