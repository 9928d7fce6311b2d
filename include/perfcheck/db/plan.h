// Query plans in one view across backends, for index-usage checks.
//
//   auto plan = perfcheck::db::Explain(
//       *db, "SELECT * FROM items WHERE sku = $1", {"SKU-00042"});
//   if (plan.ok() && plan->HasFullScan("items")) ...
//   std::cout << plan->ToString();
//     items: index items_sku_idx (est. rows 1)
//
// What each backend provides:
//   PostgreSQL  EXPLAIN (FORMAT JSON[, ANALYZE]); every scan node becomes a
//               PlanNode; rows examined = rows output + rows removed by filter.
//   MariaDB     EXPLAIN FORMAT=JSON (ANALYZE FORMAT=JSON with analyze); one
//               PlanNode per table; access_type ALL/index = full scan.
//   SQLite      EXPLAIN QUERY PLAN; "SCAN t" = full scan, "SEARCH t USING
//               INDEX i" = index. SQLite gives no row estimates: estimated rows
//               of a full scan are the table's row count; with analyze, the
//               rows examined are the full-scan steps plus the rows returned.
//
// Errors: Explain() returns a Status naming the backend and the server's
// message (syntax error, unknown table). Thread-safety: Plan is a value.
#ifndef PERFCHECK_DB_PLAN_H_
#define PERFCHECK_DB_PLAN_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "perfcheck/db/connection.h"
#include "perfcheck/status.h"

namespace perfcheck::db {

enum class Access {
  kFullScan,   // every row of the table is read (Seq Scan, ALL, SCAN t)
  kIndexScan,  // rows found through an index (also index-only, bitmap, range)
  kFullIndexScan,  // every entry of an index is read (MariaDB "index",
                   // SQLite "SCAN t USING COVERING INDEX")
  kRowId,          // primary-key / rowid lookup without a named index
  kOther,          // joins, sorts, aggregates, derived tables: no table access
};
std::string_view AccessName(Access access);

struct PlanNode {
  std::string table;  // "" for nodes that read no table
  Access access = Access::kOther;
  std::string index;  // index name for index accesses, else ""
  std::optional<double> estimated_rows;  // planner's estimate, when given
  std::optional<double> actual_rows;     // rows examined (analyze only)
  int depth = 0;                         // nesting in the backend's plan tree
  std::string detail;  // the backend's own words, e.g. "Index Scan"

  // One line: "<table>: <access> [<index>] (est. rows N, actual rows M)".
  std::string ToString() const;
};

struct Plan {
  Backend backend = Backend::kSqlite;
  bool analyzed = false;
  std::vector<PlanNode> nodes;  // in the backend's plan order
  std::string raw;              // the backend's plan text (JSON or rows)
  // Total rows examined when the backend measures only a total (SQLite with
  // analyze); std::nullopt otherwise.
  std::optional<double> total_rows_examined;

  // Whether any node reads through an index (`index` empty) or through the
  // index of that name (case-insensitive).
  bool UsesIndex(std::string_view index = {}) const;
  // Whether any node reads all rows of a table (`table` empty) or of that
  // table. A full scan of an index does not count.
  bool HasFullScan(std::string_view table = {}) const;
  // Rows examined: total_rows_examined when set, else the sum over table
  // accesses of actual rows when analyzed and known, else of estimates;
  // std::nullopt when the backend gave neither.
  std::optional<double> RowsExamined() const;
  // Nodes that access a table, one ToString() line each, indented by depth.
  std::string ToString() const;
};

struct ExplainOptions {
  // Executes the statement for actual row counts (it runs for real: DML
  // changes data).
  bool analyze = false;
};

// Explains `sql` on a connection borrowed from `db`.
StatusOr<Plan> Explain(Database& db, std::string_view sql,
                       const Params& params = {}, ExplainOptions options = {});

}  // namespace perfcheck::db

#endif  // PERFCHECK_DB_PLAN_H_
