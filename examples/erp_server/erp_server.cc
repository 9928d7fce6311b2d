// erp_server: a small ERP-style HTTP service to run load scenarios against,
// modelled on seed 004's Battwheels OS (tickets, dashboard, inventory,
// finance reports, an AI diagnostic endpoint behind a rate limit). C++ with
// cpp-httplib and SQLite; loopback only, and it ends by itself.
//
//   erp_server [--port 0] [--db :memory:] [--max-seconds 600]
//              [--report-delay-ms 20] [--ai-limit-per-minute 20]
//              [--threads 256] [--port-file FILE]
//
// Prints "erp_server listening on 127.0.0.1:PORT" on stdout once it accepts
// connections (with --port 0 the kernel picks the port; --port-file also
// writes it to FILE, atomically, for scripts). --threads: the connections
// served at once (cpp-httplib holds a thread per open keep-alive connection),
// so at least the number of virtual users.
//
// API (JSON bodies; every /api route except login needs
// "Authorization: Bearer <token>", else 401):
//   POST /api/auth/login          {"email","password"} -> {"token","user"}
//                                 (any email with password "admin"; 401
//                                 otherwise)
//   GET  /api/tickets?status=open&limit=20   -> {"data":[...],"total":N}
//   POST /api/tickets             {"title","vehicle","priority"} -> 201
//                                 {"id","ticket_number"} (numbers are
//                                 gapless: taken inside the insert's
//                                 transaction)
//   GET  /api/tickets/{id}        -> ticket, 404 when missing
//   GET  /api/dashboard/stats     -> counts by status
//   GET  /api/inventory?limit=50  -> items
//   GET  /api/journal-entries?limit=50, POST /api/journal-entries
//   GET  /api/reports/profit-loss, /api/reports/balance-sheet,
//        /api/reports/ar-aging    -> aggregates over the journal; each also
//                                 waits --report-delay-ms, so a report takes
//                                 a known, measurable time
//   POST /api/efi/diagnose        {"symptoms"} -> a canned diagnosis; at most
//                                 --ai-limit-per-minute per user per sliding
//                                 minute, then 429 with Retry-After
//   GET  /health                  -> "ok" (no auth)
//
// SQLite holds the data; one connection behind a mutex serializes the
// queries, which is what a single-writer SQLite service does anyway.
#include <httplib.h>
#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

struct Options {
  int port = 0;
  std::string db = ":memory:";
  int max_seconds = 600;
  int report_delay_ms = 20;
  int ai_limit_per_minute = 20;
  int threads = 256;
  std::string port_file;
};

[[noreturn]] void Usage(const std::string& error) {
  std::cerr << "erp_server: " << error
            << "\nusage: erp_server [--port N] [--db PATH|:memory:] "
               "[--max-seconds N] [--report-delay-ms N] "
               "[--ai-limit-per-minute N] [--threads N] [--port-file FILE]\n";
  std::exit(2);
}

int IntArg(const std::string& flag, const char* value, int min, int max) {
  char* end = nullptr;
  const long v = std::strtol(value, &end, 10);
  if (end == value || *end != '\0' || v < min || v > max) {
    Usage(flag + " '" + value + "': expected an integer in [" +
          std::to_string(min) + ", " + std::to_string(max) + "]");
  }
  return static_cast<int>(v);
}

Options Parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (i + 1 >= argc) Usage(flag + " needs a value");
    const char* v = argv[++i];
    if (flag == "--port") {
      o.port = IntArg(flag, v, 0, 65535);
    } else if (flag == "--db") {
      o.db = v;
    } else if (flag == "--max-seconds") {
      o.max_seconds = IntArg(flag, v, 1, 86400);
    } else if (flag == "--report-delay-ms") {
      o.report_delay_ms = IntArg(flag, v, 0, 60000);
    } else if (flag == "--ai-limit-per-minute") {
      o.ai_limit_per_minute = IntArg(flag, v, 1, 1000000);
    } else if (flag == "--threads") {
      o.threads = IntArg(flag, v, 1, 4096);
    } else if (flag == "--port-file") {
      o.port_file = v;
    } else {
      Usage("unknown flag " + flag);
    }
  }
  return o;
}

// One SQLite connection; every use holds the mutex.
class Database {
 public:
  explicit Database(const std::string& path) {
    if (sqlite3_open(path.c_str(), &db_) != SQLITE_OK) {
      std::cerr << "erp_server: cannot open database " << path << ": "
                << sqlite3_errmsg(db_) << "\n";
      std::exit(1);
    }
  }
  ~Database() { sqlite3_close(db_); }
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  std::mutex& mu() { return mu_; }

  void Exec(const std::string& sql) {
    char* error = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error) !=
        SQLITE_OK) {
      const std::string message = error != nullptr ? error : "unknown";
      sqlite3_free(error);
      throw std::runtime_error("sqlite: " + message + " in: " + sql);
    }
  }

  // Runs `sql` with text/integer parameters; returns rows as JSON objects.
  json Query(const std::string& sql, const std::vector<json>& params = {}) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &st, nullptr) != SQLITE_OK) {
      throw std::runtime_error(std::string("sqlite: ") + sqlite3_errmsg(db_));
    }
    for (std::size_t i = 0; i < params.size(); ++i) {
      const int at = static_cast<int>(i) + 1;
      if (params[i].is_number_integer()) {
        sqlite3_bind_int64(st, at, params[i].get<std::int64_t>());
      } else if (params[i].is_number()) {
        sqlite3_bind_double(st, at, params[i].get<double>());
      } else {
        const std::string s = params[i].get<std::string>();
        sqlite3_bind_text(st, at, s.c_str(), static_cast<int>(s.size()),
                          SQLITE_TRANSIENT);
      }
    }
    json rows = json::array();
    int rc = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
      json row = json::object();
      for (int c = 0; c < sqlite3_column_count(st); ++c) {
        const char* name = sqlite3_column_name(st, c);
        switch (sqlite3_column_type(st, c)) {
          case SQLITE_INTEGER:
            row[name] = sqlite3_column_int64(st, c);
            break;
          case SQLITE_FLOAT:
            row[name] = sqlite3_column_double(st, c);
            break;
          case SQLITE_NULL:
            row[name] = nullptr;
            break;
          default:
            row[name] = reinterpret_cast<const char*>(
                sqlite3_column_text(st, c));
        }
      }
      rows.push_back(std::move(row));
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
      throw std::runtime_error(std::string("sqlite: ") + sqlite3_errmsg(db_));
    }
    return rows;
  }

  std::int64_t LastId() { return sqlite3_last_insert_rowid(db_); }

 private:
  sqlite3* db_ = nullptr;
  std::mutex mu_;
};

void Seed(Database& db) {
  db.Exec(R"sql(
    CREATE TABLE IF NOT EXISTS tickets (
      id INTEGER PRIMARY KEY, ticket_number TEXT UNIQUE NOT NULL,
      title TEXT NOT NULL, vehicle TEXT, priority TEXT NOT NULL,
      status TEXT NOT NULL, created_by TEXT NOT NULL, created_at INTEGER);
    CREATE INDEX IF NOT EXISTS tickets_status ON tickets(status, id);
    CREATE TABLE IF NOT EXISTS inventory (
      id INTEGER PRIMARY KEY, sku TEXT UNIQUE, name TEXT, stock INTEGER,
      price REAL);
    CREATE TABLE IF NOT EXISTS journal (
      id INTEGER PRIMARY KEY, account TEXT NOT NULL, debit REAL, credit REAL,
      memo TEXT, created_at INTEGER);
    CREATE INDEX IF NOT EXISTS journal_account ON journal(account);
  )sql");
  if (db.Query("SELECT COUNT(*) AS n FROM tickets")[0]["n"] != 0) return;
  // A deterministic data set: 2,000 tickets, 500 items, 20,000 journal rows.
  std::mt19937 rng(4);
  const char* statuses[] = {"open", "in_progress", "resolved", "closed"};
  const char* priorities[] = {"low", "medium", "high"};
  const char* accounts[] = {"revenue", "cogs", "payroll", "rent",
                            "receivables", "payables", "cash"};
  db.Exec("BEGIN");
  for (int i = 1; i <= 2000; ++i) {
    db.Query(
        "INSERT INTO tickets(ticket_number,title,vehicle,priority,status,"
        "created_by,created_at) VALUES(?,?,?,?,?,?,?)",
        {"TKT-" + std::to_string(i), "Battery check " + std::to_string(i),
         "EV-" + std::to_string(rng() % 900 + 100), priorities[rng() % 3],
         statuses[rng() % 4], "seed", i});
  }
  for (int i = 1; i <= 500; ++i) {
    db.Query("INSERT INTO inventory(sku,name,stock,price) VALUES(?,?,?,?)",
             {"SKU-" + std::to_string(i), "Part " + std::to_string(i),
              static_cast<int>(rng() % 200), (rng() % 10000) / 100.0});
  }
  for (int i = 1; i <= 20000; ++i) {
    const double amount = (rng() % 100000) / 100.0;
    const bool debit = rng() % 2 == 0;
    db.Query(
        "INSERT INTO journal(account,debit,credit,memo,created_at) "
        "VALUES(?,?,?,?,?)",
        {accounts[rng() % 7], debit ? amount : 0.0, debit ? 0.0 : amount,
         "entry " + std::to_string(i), i});
  }
  db.Exec("COMMIT");
}

// Tokens and the AI rate limit's sliding window per user.
class Sessions {
 public:
  std::string Login(const std::string& email) {
    std::lock_guard<std::mutex> lock(mu_);
    char buf[40];
    std::snprintf(buf, sizeof buf, "%016llx%016llx",
                  static_cast<unsigned long long>(rng_()),
                  static_cast<unsigned long long>(rng_()));
    tokens_[buf] = email;
    return buf;
  }
  std::optional<std::string> User(const httplib::Request& req) {
    const std::string auth = req.get_header_value("Authorization");
    if (auth.rfind("Bearer ", 0) != 0) return std::nullopt;
    std::lock_guard<std::mutex> lock(mu_);
    auto it = tokens_.find(auth.substr(7));
    if (it == tokens_.end()) return std::nullopt;
    return it->second;
  }
  // True when `user` may call the AI endpoint now; else the seconds until a
  // slot frees up.
  bool TakeAiSlot(const std::string& user, int per_minute, int* retry_after) {
    std::lock_guard<std::mutex> lock(mu_);
    std::deque<Clock::time_point>& calls = ai_calls_[user];
    const Clock::time_point now = Clock::now();
    while (!calls.empty() && now - calls.front() >= std::chrono::minutes(1)) {
      calls.pop_front();
    }
    if (static_cast<int>(calls.size()) >= per_minute) {
      *retry_after = static_cast<int>(
          std::chrono::duration_cast<std::chrono::seconds>(
              calls.front() + std::chrono::minutes(1) - now)
              .count() +
          1);
      return false;
    }
    calls.push_back(now);
    return true;
  }

 private:
  std::mutex mu_;
  std::mt19937_64 rng_{std::random_device{}()};
  std::map<std::string, std::string> tokens_;
  std::map<std::string, std::deque<Clock::time_point>> ai_calls_;
};

void Reply(httplib::Response& res, int status, const json& body) {
  res.status = status;
  res.set_content(body.dump(), "application/json");
}

int Limit(const httplib::Request& req, int fallback) {
  if (!req.has_param("limit")) return fallback;
  const std::string v = req.get_param_value("limit");
  char* end = nullptr;
  const long n = std::strtol(v.c_str(), &end, 10);
  if (end == v.c_str() || *end != '\0' || n < 1 || n > 500) return -1;
  return static_cast<int>(n);
}

std::atomic<bool> g_stop{false};
void OnSignal(int) { g_stop = true; }

}  // namespace

int main(int argc, char** argv) {
  const Options opt = Parse(argc, argv);
  Database db(opt.db);
  Seed(db);
  Sessions sessions;
  httplib::Server server;
  // cpp-httplib gives each open keep-alive connection a pool thread until
  // it closes: with fewer threads than users, the others would wait for a
  // thread, and that wait, not the handler, would be what a run measures.
  server.new_task_queue = [&opt] {
    return new httplib::ThreadPool(static_cast<std::size_t>(opt.threads));
  };
  // cpp-httplib writes a response's head and body separately; with Nagle's
  // algorithm the body then waits for the client's delayed ACK (~40 ms).
  server.set_tcp_nodelay(true);
  server.set_keep_alive_max_count(100000);
  server.set_keep_alive_timeout(30);

  // Every /api route but login checks the token first.
  auto authed = [&sessions](auto handler) {
    return [&sessions, handler](const httplib::Request& req,
                                httplib::Response& res) {
      std::optional<std::string> user = sessions.User(req);
      if (!user) {
        Reply(res, 401, {{"error", "missing or invalid bearer token"}});
        return;
      }
      try {
        handler(req, res, *user);
      } catch (const std::exception& e) {
        Reply(res, 500, {{"error", e.what()}});
      }
    };
  };
  auto body_of = [](const httplib::Request& req, httplib::Response& res)
      -> std::optional<json> {
    json body = json::parse(req.body, nullptr, /*allow_exceptions=*/false);
    if (body.is_discarded() || !body.is_object()) {
      Reply(res, 400, {{"error", "the body must be a JSON object"}});
      return std::nullopt;
    }
    return body;
  };

  server.Get("/health", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("ok", "text/plain");
  });
  server.Post("/api/auth/login", [&](const httplib::Request& req,
                                     httplib::Response& res) {
    std::optional<json> body = body_of(req, res);
    if (!body) return;
    const std::string email = body->value("email", "");
    if (email.empty() || body->value("password", "") != "admin") {
      Reply(res, 401, {{"error", "invalid credentials"}});
      return;
    }
    Reply(res, 200, {{"token", sessions.Login(email)}, {"user", email}});
  });
  server.Get("/api/tickets", authed([&](const httplib::Request& req,
                                        httplib::Response& res,
                                        const std::string&) {
    const int limit = Limit(req, 20);
    if (limit < 0) {
      Reply(res, 400, {{"error", "limit must be an integer in [1, 500]"}});
      return;
    }
    const std::string status =
        req.has_param("status") ? req.get_param_value("status") : "";
    std::lock_guard<std::mutex> lock(db.mu());
    json rows = status.empty()
                    ? db.Query("SELECT * FROM tickets ORDER BY id DESC LIMIT ?",
                               {limit})
                    : db.Query(
                          "SELECT * FROM tickets WHERE status = ? ORDER BY id "
                          "DESC LIMIT ?",
                          {status, limit});
    json total =
        status.empty()
            ? db.Query("SELECT COUNT(*) AS n FROM tickets")
            : db.Query("SELECT COUNT(*) AS n FROM tickets WHERE status = ?",
                       {status});
    Reply(res, 200, {{"data", rows}, {"total", total[0]["n"]}});
  }));
  server.Post("/api/tickets", authed([&](const httplib::Request& req,
                                         httplib::Response& res,
                                         const std::string& user) {
    std::optional<json> body = body_of(req, res);
    if (!body) return;
    const std::string title = body->value("title", "");
    const std::string priority = body->value("priority", "medium");
    if (title.empty()) {
      Reply(res, 422, {{"error", "title is required"}});
      return;
    }
    if (priority != "low" && priority != "medium" && priority != "high") {
      Reply(res, 422, {{"error", "priority must be low, medium or high"}});
      return;
    }
    std::lock_guard<std::mutex> lock(db.mu());
    db.Exec("BEGIN IMMEDIATE");
    try {
      const std::int64_t next =
          db.Query("SELECT COALESCE(MAX(id), 0) + 1 AS n FROM tickets")[0]["n"];
      const std::string number = "TKT-" + std::to_string(next);
      db.Query(
          "INSERT INTO tickets(id,ticket_number,title,vehicle,priority,status,"
          "created_by,created_at) VALUES(?,?,?,?,?,'open',?,?)",
          {next, number, title, body->value("vehicle", ""), priority, user,
           static_cast<std::int64_t>(std::time(nullptr))});
      db.Exec("COMMIT");
      Reply(res, 201, {{"id", next}, {"ticket_number", number}});
    } catch (...) {
      db.Exec("ROLLBACK");
      throw;
    }
  }));
  server.Get(R"(/api/tickets/(\d+))",
             authed([&](const httplib::Request& req, httplib::Response& res,
                        const std::string&) {
               std::lock_guard<std::mutex> lock(db.mu());
               json rows = db.Query("SELECT * FROM tickets WHERE id = ?",
                                    {std::stoll(req.matches[1].str())});
               if (rows.empty()) {
                 Reply(res, 404, {{"error", "no such ticket"}});
               } else {
                 Reply(res, 200, rows[0]);
               }
             }));
  server.Get("/api/dashboard/stats",
             authed([&](const httplib::Request&, httplib::Response& res,
                        const std::string&) {
               std::lock_guard<std::mutex> lock(db.mu());
               json by_status = json::object();
               for (const json& r :
                    db.Query("SELECT status, COUNT(*) AS n FROM tickets "
                             "GROUP BY status")) {
                 by_status[r["status"].get<std::string>()] = r["n"];
               }
               Reply(res, 200, {{"tickets_by_status", by_status}});
             }));
  // A page of a table, newest or first rows, ?limit=N (1..500).
  auto list = [&](const std::string& sql) {
    return authed([&db, sql](const httplib::Request& req,
                             httplib::Response& res, const std::string&) {
      const int limit = Limit(req, 50);
      if (limit < 0) {
        Reply(res, 400, {{"error", "limit must be an integer in [1, 500]"}});
        return;
      }
      std::lock_guard<std::mutex> lock(db.mu());
      Reply(res, 200, {{"data", db.Query(sql, {limit})}});
    });
  };
  server.Get("/api/inventory",
             list("SELECT * FROM inventory ORDER BY id LIMIT ?"));
  server.Get("/api/journal-entries",
             list("SELECT * FROM journal ORDER BY id DESC LIMIT ?"));
  server.Post("/api/journal-entries",
              authed([&](const httplib::Request& req, httplib::Response& res,
                         const std::string&) {
                std::optional<json> body = body_of(req, res);
                if (!body) return;
                const std::string account = body->value("account", "");
                if (account.empty()) {
                  Reply(res, 422, {{"error", "account is required"}});
                  return;
                }
                std::lock_guard<std::mutex> lock(db.mu());
                db.Query(
                    "INSERT INTO journal(account,debit,credit,memo,created_at)"
                    " VALUES(?,?,?,?,?)",
                    {account, body->value("debit", 0.0),
                     body->value("credit", 0.0), body->value("memo", ""),
                     static_cast<std::int64_t>(std::time(nullptr))});
                Reply(res, 201, {{"id", db.LastId()}});
              }));
  // Reports: a real aggregate over the journal plus a known delay, outside
  // the database lock so reports overlap like slow queries on a real server.
  const std::map<std::string, std::string> reports = {
      {"profit-loss",
       "SELECT account, SUM(credit) - SUM(debit) AS net FROM journal WHERE "
       "account IN ('revenue','cogs','payroll','rent') GROUP BY account"},
      {"balance-sheet",
       "SELECT account, SUM(debit) - SUM(credit) AS balance FROM journal "
       "WHERE account IN ('cash','receivables','payables') GROUP BY account"},
      {"ar-aging",
       "SELECT (created_at / 5000) AS bucket, SUM(debit) AS due FROM journal "
       "WHERE account = 'receivables' GROUP BY bucket ORDER BY bucket"},
  };
  for (const auto& [name, sql] : reports) {
    server.Get("/api/reports/" + name,
               authed([&, sql = sql, name = name](const httplib::Request&,
                                                  httplib::Response& res,
                                                  const std::string&) {
                 json rows;
                 {
                   std::lock_guard<std::mutex> lock(db.mu());
                   rows = db.Query(sql);
                 }
                 std::this_thread::sleep_for(
                     std::chrono::milliseconds(opt.report_delay_ms));
                 Reply(res, 200, {{"report", name}, {"rows", rows}});
               }));
  }
  server.Post("/api/efi/diagnose",
              authed([&](const httplib::Request& req, httplib::Response& res,
                         const std::string& user) {
                std::optional<json> body = body_of(req, res);
                if (!body) return;
                int retry_after = 0;
                if (!sessions.TakeAiSlot(user, opt.ai_limit_per_minute,
                                         &retry_after)) {
                  res.set_header("Retry-After", std::to_string(retry_after));
                  Reply(res, 429, {{"error", "rate limit: " +
                                                 std::to_string(
                                                     opt.ai_limit_per_minute) +
                                                 " diagnoses per minute"}});
                  return;
                }
                Reply(res, 200,
                      {{"diagnosis", "check the battery management system"},
                       {"confidence", 0.82},
                       {"symptoms", body->value("symptoms", "")}});
              }));

  const int port = opt.port == 0 ? server.bind_to_any_port("127.0.0.1")
                                 : (server.bind_to_port("127.0.0.1", opt.port)
                                        ? opt.port
                                        : -1);
  if (port < 0) {
    std::cerr << "erp_server: cannot listen on 127.0.0.1:" << opt.port << "\n";
    return 1;
  }
  if (!opt.port_file.empty()) {
    const std::string tmp = opt.port_file + ".tmp";
    std::ofstream(tmp) << port << "\n";
    std::rename(tmp.c_str(), opt.port_file.c_str());
  }
  std::signal(SIGINT, OnSignal);
  std::signal(SIGTERM, OnSignal);
  // Bounded: stops after --max-seconds, or on SIGINT/SIGTERM.
  std::thread watchdog([&server, &opt] {
    const Clock::time_point end =
        Clock::now() + std::chrono::seconds(opt.max_seconds);
    while (!g_stop && Clock::now() < end) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    server.stop();
  });
  std::thread listener([&server] { server.listen_after_bind(); });
  while (!server.is_running() && !g_stop) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  std::cout << "erp_server listening on 127.0.0.1:" << port << std::endl;
  listener.join();
  g_stop = true;
  watchdog.join();
  return 0;
}
