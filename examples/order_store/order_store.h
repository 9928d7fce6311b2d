// OrderStore: an in-memory store of sales orders with the searches behind an
// ERP "Orders" list screen — filter by customer, status and free text, sorted
// by date (newest first), paginated 20 per page — and order entry (PlaceOrder),
// which reserves stock in a WarehouseStock.
//
// Searching scans the matching candidates newest-first (all orders, or one
// customer's orders through a per-customer index) and counts every match, since
// the screen shows "page 3 of 41".
//
// Errors: a malformed query (page_size outside 1..100) or order (no lines,
// quantity <= 0) throws std::invalid_argument (misuse). An order that cannot be
// fulfilled (unknown SKU, not enough stock) is rejected: PlaceOrder returns
// std::nullopt and reserves nothing.
//
// Thread-safety: const methods may run concurrently; Add() and PlaceOrder()
// need exclusive access.
//
// Example:
//   erp::WarehouseStock stock = erp::MakeWarehouseStock(50'000, 42);
//   erp::OrderStore orders = erp::MakeOrderStore(10'000, stock, 42);
//   erp::OrderPage page = orders.Search({.status = erp::OrderStatus::kPaid,
//                                        .page = 2});
#ifndef PERFCHECK_EXAMPLES_ORDER_STORE_ORDER_STORE_H_
#define PERFCHECK_EXAMPLES_ORDER_STORE_ORDER_STORE_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "order_store/warehouse_stock.h"

namespace erp {

enum class OrderStatus { kDraft, kSubmitted, kPaid, kShipped, kCancelled };
// "draft", "submitted", "paid", "shipped", "cancelled".
std::string_view OrderStatusName(OrderStatus status);

struct OrderLine {
  std::string sku;
  int quantity = 0;
  std::int64_t unit_price_cents = 0;  // filled from the stock by PlaceOrder
};

struct Order {
  std::uint64_t id = 0;
  int customer_id = 0;
  std::string customer_name;
  OrderStatus status = OrderStatus::kDraft;
  std::int64_t created_at = 0;  // Unix time, seconds
  std::vector<OrderLine> lines;
  std::int64_t total_cents = 0;
  std::string notes;
};

struct OrderQuery {
  std::optional<int> customer_id;
  std::optional<OrderStatus> status;
  std::string text;  // case-insensitive substring of customer, notes or SKUs
  std::size_t page = 0;        // 0-based
  std::size_t page_size = 20;  // 1..100
};

// What one row of the list screen shows.
struct OrderSummary {
  std::uint64_t id = 0;
  std::string customer_name;
  OrderStatus status = OrderStatus::kDraft;
  std::int64_t created_at = 0;
  std::int64_t total_cents = 0;
  std::size_t line_count = 0;
};

struct OrderPage {
  std::vector<OrderSummary> orders;  // newest first
  std::size_t total_matches = 0;
  std::size_t page = 0;
  std::size_t page_count = 0;  // ceil(total_matches / page_size)
};

// An order as the entry form submits it; prices come from the stock.
struct NewOrder {
  int customer_id = 0;
  std::string customer_name;
  std::vector<OrderLine> lines;  // sku + quantity
  std::string notes;
};

class OrderStore {
 public:
  // Adds an existing order (e.g. from an import). Orders may arrive in any date
  // order; adding in ascending date order is O(1). Throws std::invalid_argument
  // for a duplicate id.
  void Add(Order order);

  std::size_t size() const { return orders_.size(); }

  // Throws std::invalid_argument when page_size is outside 1..100.
  OrderPage Search(const OrderQuery& query) const;

  // Validates `order`, reserves every line in `stock` and stores it as
  // kSubmitted with the next id and a creation time after every stored order.
  // Returns the new id, or nullopt (nothing reserved) when a line's SKU is
  // unknown or out of stock. Throws std::invalid_argument for an order without
  // lines or with a quantity <= 0.
  std::optional<std::uint64_t> PlaceOrder(const NewOrder& order,
                                          WarehouseStock& stock);

 private:
  void RebuildIndex();

  std::vector<Order> orders_;             // ascending created_at
  std::vector<std::string> search_keys_;  // lower-case text per order
  std::unordered_map<int, std::vector<std::size_t>> by_customer_;  // ascending
  std::unordered_map<std::uint64_t, std::size_t> by_id_;
  std::uint64_t next_id_ = 1;
};

}  // namespace erp

#endif  // PERFCHECK_EXAMPLES_ORDER_STORE_ORDER_STORE_H_
