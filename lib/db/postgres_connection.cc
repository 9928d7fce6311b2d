// PostgreSQL backend over libpqxx 6.4.
#include <charconv>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>
#include <pqxx/tablewriter>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "db/backends.h"
#include "perfcheck/db/connection.h"
#include "perfcheck/db/plan.h"

namespace perfcheck::db::internal {
namespace {

ErrorClass ClassifySqlState(std::string_view state) {
  if (state == "40P01") return ErrorClass::kDeadlock;
  if (state == "55P03") return ErrorClass::kLockTimeout;
  if (state == "57014") return ErrorClass::kTimeout;  // statement_timeout
  if (state == "42601") return ErrorClass::kSyntax;
  // 08: connection exception; 57P01-57P03: server shut down / terminated us.
  if (state.starts_with("08") || state == "57P01" || state == "57P02" ||
      state == "57P03") {
    return ErrorClass::kConnectionLost;
  }
  return ErrorClass::kOther;
}

// libpq keyword/value strings quote values in '...' with \ escapes.
std::string Quote(std::string_view value) {
  std::string out = "'";
  for (char c : value) {
    if (c == '\'' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out + "'";
}

// COPY text format: backslash escapes, \N for NULL. UTF-8 continuation
// bytes never equal these ASCII characters, so multibyte text is safe.
void AppendCopyField(const Param& p, std::string& line) {
  if (p.is_null()) {
    line += "\\N";
    return;
  }
  for (char c : p.ToText()) {
    switch (c) {
      case '\\':
        line += "\\\\";
        break;
      case '\t':
        line += "\\t";
        break;
      case '\n':
        line += "\\n";
        break;
      case '\r':
        line += "\\r";
        break;
      default:
        line.push_back(c);
    }
  }
}

// Parameters as libpq wants them: text, with nullptr for NULL.
struct TextParams {
  explicit TextParams(const Params& params) {
    texts.reserve(params.size());
    for (const Param& p : params) texts.push_back(p.ToText());
    for (std::size_t i = 0; i < params.size(); ++i) {
      pointers.push_back(params[i].is_null() ? nullptr : texts[i].c_str());
    }
  }
  std::vector<std::string> texts;
  std::vector<const char*> pointers;
};

// `p` as libpq's text form into `out`, reusing its capacity.
void AssignText(const Param& p, std::string& out) {
  char buf[32];
  switch (p.kind()) {
    case Param::Kind::kInt: {
      const auto r = std::to_chars(buf, buf + sizeof buf, p.int_value());
      out.assign(buf, r.ptr);
      return;
    }
    case Param::Kind::kReal: {
      const auto r = std::to_chars(buf, buf + sizeof buf, p.real_value());
      out.assign(buf, r.ptr);
      return;
    }
    case Param::Kind::kText:
      out.assign(p.text_value());
      return;
    case Param::Kind::kNull:
      out.clear();
      return;
  }
}

std::optional<double> Number(const nlohmann::json& node, const char* key) {
  auto it = node.find(key);
  if (it == node.end() || !it->is_number()) return std::nullopt;
  return it->get<double>();
}

std::string FirstIndexName(const nlohmann::json& node) {
  if (auto it = node.find("Index Name"); it != node.end()) {
    return it->get<std::string>();
  }
  if (auto plans = node.find("Plans"); plans != node.end()) {
    for (const auto& child : *plans) {
      std::string name = FirstIndexName(child);
      if (!name.empty()) return name;
    }
  }
  return "";
}

void Walk(const nlohmann::json& node, int depth, Plan& plan) {
  PlanNode n;
  n.depth = depth;
  n.detail = node.value("Node Type", "");
  if (auto rel = node.find("Relation Name"); rel != node.end()) {
    n.table = rel->get<std::string>();
  }
  if (!n.table.empty()) {
    if (n.detail == "Seq Scan") {
      n.access = Access::kFullScan;
    } else if (n.detail == "Index Scan" || n.detail == "Index Only Scan" ||
               n.detail == "Bitmap Heap Scan") {
      n.access = Access::kIndexScan;
      n.index = FirstIndexName(node);
    } else if (n.detail == "Tid Scan") {
      n.access = Access::kRowId;
    }
  }
  const double loops = Number(node, "Actual Loops").value_or(1);
  n.estimated_rows = Number(node, "Plan Rows");
  if (auto actual = Number(node, "Actual Rows")) {
    // Rows a scan read = rows it returned + rows its filter threw away.
    n.actual_rows =
        (*actual + Number(node, "Rows Removed by Filter").value_or(0) +
         Number(node, "Rows Removed by Index Recheck").value_or(0)) *
        loops;
  }
  plan.nodes.push_back(std::move(n));
  if (auto plans = node.find("Plans"); plans != node.end()) {
    for (const auto& child : *plans) Walk(child, depth + 1, plan);
  }
}

class PgConnection final : public Connection {
 public:
  PgConnection(std::unique_ptr<pqxx::connection> conn, std::string description,
               std::string password)
      : conn_(std::move(conn)),
        description_(std::move(description)),
        password_(std::move(password)) {}

  Backend backend() const override { return Backend::kPostgres; }
  std::string Describe() const override { return description_; }
  bool IsOpen() const override { return open_ && conn_->is_open(); }
  std::int64_t SessionId() override { return conn_->backendpid(); }

  QueryStatus Execute(std::string_view sql, const Params& params) override {
    return Run(sql, params, nullptr);
  }
  QueryStatus Query(std::string_view sql, const Params& params,
                    Rows* out) override {
    return Run(sql, params, out);
  }

  QueryStatus ExecuteScript(std::string_view sql) override {
    return Guard([&] {
      pqxx::nontransaction tx(*conn_);
      pqxx::result r = tx.exec(std::string(sql));
      QueryStatus s;
      s.rows = r.columns() > 0 ? r.size() : r.affected_rows();
      return s;
    });
  }

  QueryStatus BulkInsert(std::string_view table,
                         const std::vector<std::string>& columns,
                         const std::vector<Params>& rows) override {
    return Guard([&] {
      // COPY skips per-row parsing and planning: the fast path of PostgreSQL.
      pqxx::nontransaction tx(*conn_);
      // tablewriter rather than stream_to: 6.4's stream_to takes only
      // compile-time tuples, and our rows are dynamic.
      pqxx::tablewriter copy(tx, std::string(table), columns.begin(),
                             columns.end());
      std::string line;
      for (const Params& row : rows) {
        line.clear();
        for (std::size_t i = 0; i < row.size(); ++i) {
          if (i) line.push_back('\t');
          AppendCopyField(row[i], line);
        }
        copy.write_raw_line(line);
      }
      copy.complete();
      QueryStatus s;
      s.rows = rows.size();
      return s;
    });
  }

  StatusOr<Plan> Explain(std::string_view sql, const Params& params,
                         bool analyze) override {
    Rows rows;
    const std::string explain = std::string("EXPLAIN (FORMAT JSON") +
                                (analyze ? ", ANALYZE" : "") + ") " +
                                std::string(sql);
    QueryStatus s = Guard([&] {
      pqxx::nontransaction tx(*conn_);
      TextParams p(params);
      pqxx::result r = tx.exec_params(
          explain, pqxx::prepare::make_dynamic_params(p.pointers));
      rows.values.push_back(
          {r.empty() ? std::nullopt
                     : std::optional<std::string>(r[0][0].c_str())});
      return QueryStatus{};
    });
    if (!s.ok()) {
      return Status::Error("EXPLAIN on " + description_ +
                           " failed: " + s.message);
    }
    Plan plan;
    plan.backend = Backend::kPostgres;
    plan.analyzed = analyze;
    plan.raw = rows.values[0][0].value_or("");
    try {
      const nlohmann::json json = nlohmann::json::parse(plan.raw);
      Walk(json.at(0).at("Plan"), 0, plan);
    } catch (const std::exception& e) {
      return Status::Error("EXPLAIN on " + description_ +
                           ": unreadable plan JSON: " + e.what());
    }
    // A sequential scan reads the whole table; its "Plan Rows" count only
    // the rows that pass the filter.
    for (PlanNode& node : plan.nodes) {
      if (node.access != Access::kFullScan) continue;
      Rows size;
      if (Run("SELECT reltuples FROM pg_class WHERE relname = $1", {node.table},
              &size)
              .ok() &&
          !size.values.empty() && size.values[0][0]) {
        const double tuples = std::stod(*size.values[0][0]);
        if (tuples > node.estimated_rows.value_or(0)) {
          node.estimated_rows = tuples;
        }
      }
    }
    return plan;
  }

 private:
  template <class Fn>
  QueryStatus Guard(Fn&& fn) {
    if (!IsOpen()) {
      return QueryStatus::Error(
          ErrorClass::kConnectionLost,
          "postgres: connection to " + description_ + " is closed");
    }
    try {
      return fn();
    } catch (const pqxx::broken_connection& e) {
      open_ = false;
      return Fail(ErrorClass::kConnectionLost, e.what());
    } catch (const pqxx::deadlock_detected& e) {
      // libpqxx 6 throws these without a SQLSTATE and outside sql_error.
      return Fail(ErrorClass::kDeadlock, e.what());
    } catch (const pqxx::sql_error& e) {
      ErrorClass error = ClassifySqlState(e.sqlstate());
      if (error == ErrorClass::kConnectionLost || !conn_->is_open()) {
        open_ = false;
        error = ErrorClass::kConnectionLost;
      }
      return Fail(error, e.what());
    } catch (const std::exception& e) {
      if (!conn_->is_open()) {
        open_ = false;
        return Fail(ErrorClass::kConnectionLost, e.what());
      }
      return Fail(ErrorClass::kOther, e.what());
    }
  }

  QueryStatus Fail(ErrorClass error, std::string_view what) {
    return QueryStatus::Error(
        error, "postgres: " + TrimMessage(Scrub(std::string(what), password_)));
  }

  QueryStatus Run(std::string_view sql, const Params& params, Rows* out) {
    return Guard([&] {
      // Heterogeneous lookup: no copy of the SQL text per execution.
      auto it = prepared_.find(sql);
      if (it == prepared_.end()) {
        std::string key(sql);
        const std::string name =
            "perfcheck_" + std::to_string(prepared_.size());
        conn_->prepare(name, key);
        it = prepared_.emplace(std::move(key), name).first;
      }
      pqxx::nontransaction tx(*conn_);
      // Reused buffers: no allocation per execution once they are sized.
      texts_.resize(params.size());
      pointers_.resize(params.size());
      for (std::size_t i = 0; i < params.size(); ++i) {
        AssignText(params[i], texts_[i]);
        pointers_[i] = params[i].is_null() ? nullptr : texts_[i].c_str();
      }
      pqxx::result r = tx.exec_prepared(
          it->second, pqxx::prepare::make_dynamic_params(pointers_));
      QueryStatus s;
      s.rows = r.columns() > 0 ? r.size() : r.affected_rows();
      if (out != nullptr) {
        out->columns.clear();
        out->values.clear();
        for (pqxx::row::size_type c = 0; c < r.columns(); ++c) {
          out->columns.emplace_back(r.column_name(c));
        }
        for (const auto& row : r) {
          auto& values = out->values.emplace_back();
          for (const auto& field : row) {
            if (field.is_null()) {
              values.emplace_back(std::nullopt);
            } else {
              values.emplace_back(std::string(field.c_str(), field.size()));
            }
          }
        }
      }
      return s;
    });
  }

  std::unique_ptr<pqxx::connection> conn_;
  std::string description_;
  std::string password_;
  bool open_ = true;
  std::map<std::string, std::string, std::less<>> prepared_;
  // Run()'s parameter texts and the pointers libpq reads (nullptr = NULL).
  std::vector<std::string> texts_;
  std::vector<const char*> pointers_;
};

}  // namespace

StatusOr<std::unique_ptr<Connection>> ConnectPostgres(
    const ConnectionUrl& url) {
  std::string options;
  auto add = [&](std::string_view key, std::string_view value) {
    if (value.empty()) return;
    options += std::string(key) + "=" + Quote(value) + " ";
  };
  std::map<std::string, std::string> extra = url.options;
  add("host", extra.contains("host") ? extra["host"] : url.host);
  extra.erase("host");
  if (url.port != 0) add("port", std::to_string(url.port));
  add("user", url.user);
  add("password", url.password);
  add("dbname", url.database);
  if (!extra.contains("connect_timeout")) add("connect_timeout", "5");
  if (!extra.contains("application_name")) add("application_name", "perfcheck");
  for (const auto& [key, value] : extra) add(key, value);
  try {
    auto conn = std::make_unique<pqxx::connection>(options);
    return std::unique_ptr<Connection>(std::make_unique<PgConnection>(
        std::move(conn), url.ToString(), url.password));
  } catch (const std::exception& e) {
    return Status::Error("cannot connect to " + url.ToString() + ": " +
                         TrimMessage(Scrub(e.what(), url.password)));
  }
}

}  // namespace perfcheck::db::internal
