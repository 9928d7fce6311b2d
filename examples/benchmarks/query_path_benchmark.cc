// Query-path micro-benchmarks of the example ERP: what a team would put under
// Google Benchmark on its read path and gate with perfcheck_add_benchmark()
// (examples/README.md, "Query-path benchmark").
//
//   BM_SqliteOrderListScreen   the "Orders" list screen on SQLite: a prepared
//                              COUNT and a prepared page query (status filter,
//                              newest first, 20 rows) over the 10k seeded
//                              orders
//   BM_SqliteCustomerOrders    a prepared per-customer query with its totals
//   BM_ParseSalesOrderList     a Frappe `GET /api/resource/Sales Order`
//                              response (50 rows, ~25 kB) parsed into structs
//   BM_OrderStoreCustomerSearch  erp::OrderStore::Search by customer
//
// Everything runs in-process (an in-memory SQLite database, no server) on the
// example's deterministic data (order_store/sample_data.h, the seed of the
// example perf tests), so every run and machine times the same work.
//
// PERFCHECK_EXAMPLE_SLOWDOWN=1.5 (order_store/slowdown.h) makes every read-path
// function below 50% slower, to demonstrate the gate failing.
//
// Every benchmark counts its instructions per iteration with
// perfcheck::BenchmarkPerfCounter (started after the setup, so only the loop
// is counted): under callgrind as perfcheck_add_benchmark(... METRIC
// instructions) runs it, or from the PMU where there is one; elsewhere the
// label says why there is no count.
#include <benchmark/benchmark.h>
#include <sqlite3.h>

#include <cstdint>
#include <cstdio>
#include <ctime>
#include <iterator>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "order_store/order_store.h"
#include "order_store/sample_data.h"
#include "order_store/slowdown.h"
#include "order_store/warehouse_stock.h"
#include "perfcheck/gbench/perf_counter.h"

namespace {

using nlohmann::json;

// The seed and sizes of examples/order_store_perf_test.cc: the same orders.
constexpr std::uint64_t kSeed = 20260205;
constexpr std::size_t kOrders = 10'000;
constexpr std::size_t kStockItems = 50'000;

// ---------------------------------------------------------------------------
// The "application code": a small read-path layer over SQLite and the JSON of
// a Frappe API, written the way a team would write it.

struct OrderRow {
  std::int64_t id = 0;
  std::string customer_name;
  std::string status;
  std::int64_t created_at = 0;
  std::int64_t total_cents = 0;
  int line_count = 0;
};

struct OrderListScreen {
  std::int64_t total_matches = 0;
  std::vector<OrderRow> rows;
};

struct CustomerOrders {
  std::int64_t order_count = 0;
  std::int64_t revenue_cents = 0;
  std::vector<OrderRow> recent;
};

struct StatementDeleter {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};
using Statement = std::unique_ptr<sqlite3_stmt, StatementDeleter>;

struct DatabaseDeleter {
  void operator()(sqlite3* db) const { sqlite3_close(db); }
};

class OrderRepository {
 public:
  // An in-memory database holding `store`'s orders; nullopt (with the reason
  // on stderr) when SQLite fails.
  static std::optional<OrderRepository> Create(const erp::OrderStore& store);

  OrderListScreen ListByStatus(std::string_view status, int page) const {
    erp::SlowdownScope slowdown;
    OrderListScreen screen;
    sqlite3_stmt* count = count_by_status_.get();
    sqlite3_bind_text(count, 1, status.data(), static_cast<int>(status.size()),
                      SQLITE_STATIC);
    if (sqlite3_step(count) == SQLITE_ROW) {
      screen.total_matches = sqlite3_column_int64(count, 0);
    }
    sqlite3_reset(count);
    sqlite3_stmt* page_query = page_by_status_.get();
    sqlite3_bind_text(page_query, 1, status.data(),
                      static_cast<int>(status.size()), SQLITE_STATIC);
    sqlite3_bind_int(page_query, 2, kPageSize);
    sqlite3_bind_int(page_query, 3, page * kPageSize);
    ReadRows(page_query, screen.rows);
    return screen;
  }

  CustomerOrders ForCustomer(int customer_id) const {
    erp::SlowdownScope slowdown;
    CustomerOrders out;
    sqlite3_stmt* totals = customer_totals_.get();
    sqlite3_bind_int(totals, 1, customer_id);
    if (sqlite3_step(totals) == SQLITE_ROW) {
      out.order_count = sqlite3_column_int64(totals, 0);
      out.revenue_cents = sqlite3_column_int64(totals, 1);
    }
    sqlite3_reset(totals);
    sqlite3_stmt* recent = customer_recent_.get();
    sqlite3_bind_int(recent, 1, customer_id);
    ReadRows(recent, out.recent);
    return out;
  }

 private:
  static constexpr int kPageSize = 20;

  static void ReadRows(sqlite3_stmt* s, std::vector<OrderRow>& rows) {
    while (sqlite3_step(s) == SQLITE_ROW) {
      OrderRow& r = rows.emplace_back();
      r.id = sqlite3_column_int64(s, 0);
      r.customer_name =
          reinterpret_cast<const char*>(sqlite3_column_text(s, 1));
      r.status = reinterpret_cast<const char*>(sqlite3_column_text(s, 2));
      r.created_at = sqlite3_column_int64(s, 3);
      r.total_cents = sqlite3_column_int64(s, 4);
      r.line_count = sqlite3_column_int(s, 5);
    }
    sqlite3_reset(s);
  }

  std::unique_ptr<sqlite3, DatabaseDeleter> db_;
  Statement count_by_status_;
  Statement page_by_status_;
  Statement customer_totals_;
  Statement customer_recent_;
};

bool Check(sqlite3* db, int rc, const char* what) {
  if (rc == SQLITE_OK || rc == SQLITE_DONE) return true;
  std::fprintf(stderr, "query_path_benchmark: %s: %s\n", what,
               sqlite3_errmsg(db));
  return false;
}

Statement Prepare(sqlite3* db, const char* sql) {
  sqlite3_stmt* s = nullptr;
  if (!Check(db, sqlite3_prepare_v2(db, sql, -1, &s, nullptr), sql)) {
    return nullptr;
  }
  return Statement(s);
}

// Every order of `store`, read back through its public search (per customer,
// 100 a page), since that is the example library's only way to list them.
std::vector<std::pair<int, erp::OrderSummary>> AllOrders(
    const erp::OrderStore& store) {
  std::vector<std::pair<int, erp::OrderSummary>> out;
  for (int customer = 1; customer <= erp::kCustomerCount; ++customer) {
    erp::OrderQuery q{.customer_id = customer, .page_size = 100};
    for (;; ++q.page) {
      const erp::OrderPage page = store.Search(q);
      for (const erp::OrderSummary& o : page.orders)
        out.emplace_back(customer, o);
      if (q.page + 1 >= page.page_count) break;
    }
  }
  return out;
}

std::optional<OrderRepository> OrderRepository::Create(
    const erp::OrderStore& store) {
  sqlite3* raw = nullptr;
  const int open_rc = sqlite3_open(":memory:", &raw);
  OrderRepository repo;
  repo.db_.reset(raw);
  sqlite3* db = raw;
  if (!Check(db, open_rc, "open :memory:")) return std::nullopt;
  const char* schema =
      "CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER NOT "
      "NULL, customer_name TEXT NOT NULL, status TEXT NOT NULL, created_at "
      "INTEGER NOT NULL, total_cents INTEGER NOT NULL, line_count INTEGER NOT "
      "NULL);"
      "CREATE INDEX orders_status_created ON orders(status, created_at);"
      "CREATE INDEX orders_customer_created ON orders(customer_id, "
      "created_at);";
  if (!Check(db, sqlite3_exec(db, schema, nullptr, nullptr, nullptr),
             "create schema")) {
    return std::nullopt;
  }
  Statement insert = Prepare(db, "INSERT INTO orders VALUES (?,?,?,?,?,?,?)");
  if (!insert) return std::nullopt;
  if (!Check(db, sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr),
             "begin")) {
    return std::nullopt;
  }
  const std::vector<std::pair<int, erp::OrderSummary>> orders =
      AllOrders(store);
  // Every order, or the benchmark would time a different table than the
  // baseline did.
  if (orders.size() != store.size()) {
    std::fprintf(stderr, "query_path_benchmark: read %zu of %zu orders\n",
                 orders.size(), store.size());
    return std::nullopt;
  }
  for (const auto& [customer, o] : orders) {
    sqlite3_stmt* s = insert.get();
    const std::string_view status = erp::OrderStatusName(o.status);
    sqlite3_bind_int64(s, 1, static_cast<std::int64_t>(o.id));
    sqlite3_bind_int(s, 2, customer);
    sqlite3_bind_text(s, 3, o.customer_name.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 4, status.data(), static_cast<int>(status.size()),
                      SQLITE_STATIC);
    sqlite3_bind_int64(s, 5, o.created_at);
    sqlite3_bind_int64(s, 6, o.total_cents);
    sqlite3_bind_int64(s, 7, static_cast<std::int64_t>(o.line_count));
    if (!Check(db, sqlite3_step(s), "insert order")) return std::nullopt;
    sqlite3_reset(s);
  }
  if (!Check(db,
             sqlite3_exec(db, "COMMIT; ANALYZE;", nullptr, nullptr, nullptr),
             "commit")) {
    return std::nullopt;
  }
  constexpr const char* kColumns =
      "SELECT id, customer_name, status, created_at, total_cents, line_count "
      "FROM orders ";
  repo.count_by_status_ =
      Prepare(db, "SELECT count(*) FROM orders WHERE status = ?1");
  repo.page_by_status_ = Prepare(
      db, (std::string(kColumns) +
           "WHERE status = ?1 ORDER BY created_at DESC LIMIT ?2 OFFSET ?3")
              .c_str());
  repo.customer_totals_ =
      Prepare(db,
              "SELECT count(*), coalesce(sum(total_cents), 0) FROM orders "
              "WHERE customer_id = ?1");
  repo.customer_recent_ =
      Prepare(db, (std::string(kColumns) +
                   "WHERE customer_id = ?1 ORDER BY created_at DESC LIMIT 20")
                      .c_str());
  if (!repo.count_by_status_ || !repo.page_by_status_ ||
      !repo.customer_totals_ || !repo.customer_recent_) {
    return std::nullopt;
  }
  return repo;
}

// One row of a Frappe Sales Order list, as the integration reads it.
struct SalesOrderRow {
  std::string name;
  std::string customer;
  std::string status;
  std::string transaction_date;
  std::string delivery_date;
  double grand_total = 0;
  std::string currency;
  double per_delivered = 0;
  double per_billed = 0;
  int docstatus = 0;
  std::string modified;
};

// Parses the body of `GET /api/resource/Sales Order?fields=[...]`:
// {"data": [{...}, ...]}. nullopt when it is not that shape.
std::optional<std::vector<SalesOrderRow>> ParseSalesOrderList(
    std::string_view body) {
  erp::SlowdownScope slowdown;
  const json doc = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object()) return std::nullopt;
  const auto data = doc.find("data");
  if (data == doc.end() || !data->is_array()) return std::nullopt;
  std::vector<SalesOrderRow> rows;
  rows.reserve(data->size());
  for (const json& item : *data) {
    if (!item.is_object()) return std::nullopt;
    SalesOrderRow& r = rows.emplace_back();
    r.name = item.value("name", "");
    r.customer = item.value("customer", "");
    r.status = item.value("status", "");
    r.transaction_date = item.value("transaction_date", "");
    r.delivery_date = item.value("delivery_date", "");
    r.grand_total = item.value("grand_total", 0.0);
    r.currency = item.value("currency", "");
    r.per_delivered = item.value("per_delivered", 0.0);
    r.per_billed = item.value("per_billed", 0.0);
    r.docstatus = item.value("docstatus", 0);
    r.modified = item.value("modified", "");
  }
  return rows;
}

// ---------------------------------------------------------------------------
// Fixtures, built once per process (setup is never timed).

struct ExampleData {
  erp::WarehouseStock stock = erp::MakeWarehouseStock(kStockItems, kSeed);
  erp::OrderStore orders = erp::MakeOrderStore(kOrders, stock, kSeed);
};

const ExampleData& Data() {
  static const ExampleData data;
  return data;
}

// nullptr when SQLite failed (the reason is on stderr).
const OrderRepository* Repository() {
  static const std::optional<OrderRepository> repo =
      OrderRepository::Create(Data().orders);
  return repo.has_value() ? &*repo : nullptr;
}

std::string Date(std::int64_t unix_seconds) {
  const std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return buf;
}

std::string_view FrappeStatus(erp::OrderStatus s) {
  switch (s) {
    case erp::OrderStatus::kDraft:
      return "Draft";
    case erp::OrderStatus::kSubmitted:
      return "To Deliver and Bill";
    case erp::OrderStatus::kPaid:
      return "To Deliver";
    case erp::OrderStatus::kShipped:
      return "Completed";
    case erp::OrderStatus::kCancelled:
      return "Cancelled";
  }
  return "";
}

// The newest 50 orders as a Frappe REST list response, with the fields an
// integration typically asks for; about 25 kB of JSON.
std::string SalesOrderListResponse() {
  const erp::OrderPage page = Data().orders.Search({.page_size = 50});
  json data = json::array();
  for (const erp::OrderSummary& o : page.orders) {
    char name[32];
    std::snprintf(name, sizeof name, "SAL-ORD-2025-%05llu",
                  static_cast<unsigned long long>(o.id));
    const bool draft = o.status == erp::OrderStatus::kDraft;
    const bool cancelled = o.status == erp::OrderStatus::kCancelled;
    const bool shipped = o.status == erp::OrderStatus::kShipped;
    data.push_back({
        {"name", name},
        {"customer", o.customer_name},
        {"customer_name", o.customer_name},
        {"status", FrappeStatus(o.status)},
        {"docstatus", draft       ? 0
                      : cancelled ? 2
                                  : 1},
        {"transaction_date", Date(o.created_at)},
        {"delivery_date", Date(o.created_at + 14 * 86'400)},
        {"company", "Example Trading GmbH"},
        {"currency", "EUR"},
        {"conversion_rate", 1.0},
        {"selling_price_list", "Standard Selling"},
        {"set_warehouse", "Stores - ET"},
        {"total_qty", static_cast<double>(o.line_count * 4)},
        {"net_total", static_cast<double>(o.total_cents) / 100.0},
        {"total_taxes_and_charges",
         static_cast<double>(o.total_cents) * 0.19 / 100.0},
        {"grand_total", static_cast<double>(o.total_cents) * 1.19 / 100.0},
        {"per_delivered", shipped ? 100.0 : 0.0},
        {"per_billed",
         shipped || o.status == erp::OrderStatus::kPaid ? 100.0 : 0.0},
        {"owner", "sales.manager@example.com"},
        {"modified", Date(o.created_at) + " 10:15:42.318604"},
    });
  }
  return json{{"data", std::move(data)}}.dump();
}

// ---------------------------------------------------------------------------
// Benchmarks.

void BM_SqliteOrderListScreen(benchmark::State& state) {
  const OrderRepository* repo = Repository();
  if (repo == nullptr) {
    state.SkipWithError("could not build the SQLite database");
    return;
  }
  std::size_t rows = 0;
  perfcheck::BenchmarkPerfCounter instructions(state);
  for (auto _ : state) {
    // Page 3 of the "paid" orders: a screen a user opens all day.
    OrderListScreen screen = repo->ListByStatus("paid", 2);
    rows = screen.rows.size();
    benchmark::DoNotOptimize(screen);
  }
  state.counters["rows"] = static_cast<double>(rows);
}
BENCHMARK(BM_SqliteOrderListScreen)->Unit(benchmark::kMicrosecond);

void BM_SqliteCustomerOrders(benchmark::State& state) {
  const OrderRepository* repo = Repository();
  if (repo == nullptr) {
    state.SkipWithError("could not build the SQLite database");
    return;
  }
  // A fixed set of customers per iteration, so every iteration does the same
  // work however many iterations Google Benchmark picks.
  constexpr int kCustomers[] = {7, 42, 99, 123, 256, 311, 387, 400};
  perfcheck::BenchmarkPerfCounter instructions(state);
  for (auto _ : state) {
    for (int customer : kCustomers) {
      CustomerOrders orders = repo->ForCustomer(customer);
      benchmark::DoNotOptimize(orders);
    }
  }
  state.SetItemsProcessed(state.iterations() * std::size(kCustomers));
}
BENCHMARK(BM_SqliteCustomerOrders)->Unit(benchmark::kMicrosecond);

void BM_ParseSalesOrderList(benchmark::State& state) {
  const std::string body = SalesOrderListResponse();
  perfcheck::BenchmarkPerfCounter instructions(state);
  for (auto _ : state) {
    std::optional<std::vector<SalesOrderRow>> rows = ParseSalesOrderList(body);
    if (!rows || rows->size() != 50) {
      state.SkipWithError("unexpected response shape");
      break;
    }
    benchmark::DoNotOptimize(rows);
  }
  state.SetBytesProcessed(state.iterations() *
                          static_cast<std::int64_t>(body.size()));
  state.counters["body_bytes"] = static_cast<double>(body.size());
}
BENCHMARK(BM_ParseSalesOrderList)->Unit(benchmark::kMicrosecond);

void BM_OrderStoreCustomerSearch(benchmark::State& state) {
  const erp::OrderStore& orders = Data().orders;
  constexpr int kCustomers[] = {7, 42, 99, 123, 256, 311, 387, 400};
  perfcheck::BenchmarkPerfCounter instructions(state);
  for (auto _ : state) {
    for (int customer : kCustomers) {
      erp::OrderPage page = orders.Search({.customer_id = customer});
      benchmark::DoNotOptimize(page);
    }
  }
  state.SetItemsProcessed(state.iterations() * std::size(kCustomers));
}
BENCHMARK(BM_OrderStoreCustomerSearch)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
