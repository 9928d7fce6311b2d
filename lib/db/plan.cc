#include "perfcheck/db/plan.h"

#include <cctype>
#include <cmath>
#include <cstdio>
#include <string>

namespace perfcheck::db {
namespace {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

std::string FormatRows(double rows) {
  char buf[32];
  if (rows == std::floor(rows) && rows < 1e15) {
    std::snprintf(buf, sizeof buf, "%.0f", rows);
  } else {
    std::snprintf(buf, sizeof buf, "%.1f", rows);
  }
  return buf;
}

}  // namespace

std::string_view AccessName(Access access) {
  switch (access) {
    case Access::kFullScan:
      return "full scan";
    case Access::kIndexScan:
      return "index";
    case Access::kFullIndexScan:
      return "full index scan";
    case Access::kRowId:
      return "primary key";
    case Access::kOther:
      return "other";
  }
  return "other";
}

std::string PlanNode::ToString() const {
  std::string out = (table.empty() ? detail : table) + ": ";
  out += AccessName(access);
  if (!index.empty()) out += " " + index;
  std::string rows;
  if (estimated_rows) rows = "est. rows " + FormatRows(*estimated_rows);
  if (actual_rows) {
    rows += (rows.empty() ? "" : ", ") + std::string("actual rows ") +
            FormatRows(*actual_rows);
  }
  if (!rows.empty()) out += " (" + rows + ")";
  if (!detail.empty() && !table.empty()) out += " [" + detail + "]";
  return out;
}

bool Plan::UsesIndex(std::string_view index) const {
  for (const PlanNode& node : nodes) {
    const bool indexed = node.access == Access::kIndexScan ||
                         node.access == Access::kFullIndexScan ||
                         node.access == Access::kRowId;
    if (!indexed) continue;
    if (index.empty() || EqualsIgnoreCase(node.index, index)) return true;
  }
  return false;
}

bool Plan::HasFullScan(std::string_view table) const {
  for (const PlanNode& node : nodes) {
    if (node.access != Access::kFullScan) continue;
    if (table.empty() || EqualsIgnoreCase(node.table, table)) return true;
  }
  return false;
}

std::optional<double> Plan::RowsExamined() const {
  if (total_rows_examined) return total_rows_examined;
  std::optional<double> sum;
  for (const PlanNode& node : nodes) {
    if (node.table.empty()) continue;
    std::optional<double> rows =
        analyzed && node.actual_rows ? node.actual_rows : node.estimated_rows;
    if (rows) sum = sum.value_or(0) + *rows;
  }
  return sum;
}

std::string Plan::ToString() const {
  std::string out;
  for (const PlanNode& node : nodes) {
    if (node.table.empty()) continue;
    out += std::string(static_cast<std::size_t>(2 * node.depth), ' ') +
           node.ToString() + "\n";
  }
  if (out.empty()) out = "(no table access in the plan)\n";
  if (total_rows_examined) {
    out +=
        "rows examined (measured): " + FormatRows(*total_rows_examined) + "\n";
  }
  return out;
}

StatusOr<Plan> Explain(Database& db, std::string_view sql, const Params& params,
                       ExplainOptions options) {
  StatusOr<Lease> lease = db.Acquire();
  if (!lease.ok()) return lease.status();
  return (*lease)->Explain(sql, params, options.analyze);
}

}  // namespace perfcheck::db
