// Deterministic sample data for the example perf suite: the same seed gives the
// same warehouse, orders and permissions on every machine and every run, so a
// baseline recorded today is compared with the same work tomorrow.
//
// SeededRandom is SplitMix64 with explicit range reduction, rather than
// <random> distributions, whose output is implementation-defined.
//
// Thread-safety: the generators are pure; a SeededRandom is not synchronized.
//
// Example:
//   erp::WarehouseStock stock = erp::MakeWarehouseStock(50'000, /*seed=*/42);
//   erp::OrderStore orders = erp::MakeOrderStore(10'000, stock, /*seed=*/42);
//   erp::PermissionChecker rbac = erp::MakePermissionChecker(1'000, 42);
#ifndef PERFCHECK_EXAMPLES_ORDER_STORE_SAMPLE_DATA_H_
#define PERFCHECK_EXAMPLES_ORDER_STORE_SAMPLE_DATA_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "order_store/order_store.h"
#include "order_store/permission_checker.h"
#include "order_store/warehouse_stock.h"

namespace erp {

class SeededRandom {
 public:
  explicit SeededRandom(std::uint64_t seed) : state_(seed) {}
  std::uint64_t Next();
  // Uniform in [0, n); n must be > 0.
  std::size_t Below(std::size_t n) {
    return static_cast<std::size_t>(Next() % n);
  }
  // True with probability `percent` / 100 (resolution 0.01%).
  bool Percent(double percent) { return Below(10'000) < percent * 100; }

 private:
  std::uint64_t state_;
};

// Customers are numbered 1..kCustomerCount.
inline constexpr int kCustomerCount = 400;
// E.g. "Nordwind Metalworks GmbH"; distinct for every id.
std::string CustomerName(int customer_id);
// "user0001@example.com" for index 1.
std::string UserName(int index);
// The ERP document types the permissions are about ("Sales Order", ...).
const std::vector<std::string>& Doctypes();
const std::vector<std::string>& Warehouses();
// SKU of the item with 0-based `index`: "SKU-000042".
std::string Sku(std::size_t index);

// `items` stock items spread over Warehouses(); about 0.05% are out of stock.
WarehouseStock MakeWarehouseStock(std::size_t items, std::uint64_t seed);
// `orders` orders over one year, ascending dates, of SKUs in `stock`.
OrderStore MakeOrderStore(std::size_t orders, const WarehouseStock& stock,
                          std::uint64_t seed);
// 16 ERP roles over Doctypes(); `users` users holding 1-4 roles each.
PermissionChecker MakePermissionChecker(std::size_t users, std::uint64_t seed);
// An order as the entry form would submit it: 5-15 lines of 1-5 units of
// random items among the first `catalogue_size` SKUs of `stock` (the popular
// part of the catalogue, where most orders go).
NewOrder MakeNewOrder(SeededRandom& random, const WarehouseStock& stock,
                      std::size_t catalogue_size = 10'000);

}  // namespace erp

#endif  // PERFCHECK_EXAMPLES_ORDER_STORE_SAMPLE_DATA_H_
