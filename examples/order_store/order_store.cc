#include "order_store/order_store.h"

#include <algorithm>
#include <cstdlib>
#include <stdexcept>
#include <utility>

#include "order_store/slowdown.h"
#include "order_store/text.h"

namespace erp {
namespace {

std::string SearchKey(const Order& order) {
  std::string key = order.customer_name;
  key += ' ';
  key += order.notes;
  for (const OrderLine& line : order.lines) {
    key += ' ';
    key += line.sku;
  }
  return ToLower(key);
}

}  // namespace

std::string_view OrderStatusName(OrderStatus status) {
  switch (status) {
    case OrderStatus::kDraft:
      return "draft";
    case OrderStatus::kSubmitted:
      return "submitted";
    case OrderStatus::kPaid:
      return "paid";
    case OrderStatus::kShipped:
      return "shipped";
    case OrderStatus::kCancelled:
      return "cancelled";
  }
  return "unknown";
}

void OrderStore::Add(Order order) {
  SlowdownScope slowdown;
  if (by_id_.contains(order.id)) {
    throw std::invalid_argument("OrderStore::Add: duplicate order id " +
                                std::to_string(order.id));
  }
  next_id_ = std::max(next_id_, order.id + 1);
  std::string key = SearchKey(order);
  if (orders_.empty() || orders_.back().created_at <= order.created_at) {
    const std::size_t position = orders_.size();
    by_id_.emplace(order.id, position);
    by_customer_[order.customer_id].push_back(position);
    orders_.push_back(std::move(order));
    search_keys_.push_back(std::move(key));
    return;
  }
  // Out-of-order import: insert at the sorted position; every stored position
  // after it moves, so the indexes are rebuilt.
  const auto it = std::upper_bound(
      orders_.begin(), orders_.end(), order.created_at,
      [](std::int64_t t, const Order& o) { return t < o.created_at; });
  const auto offset = it - orders_.begin();
  orders_.insert(it, std::move(order));
  search_keys_.insert(search_keys_.begin() + offset, std::move(key));
  RebuildIndex();
}

void OrderStore::RebuildIndex() {
  by_customer_.clear();
  by_id_.clear();
  for (std::size_t i = 0; i < orders_.size(); ++i) {
    by_customer_[orders_[i].customer_id].push_back(i);
    by_id_.emplace(orders_[i].id, i);
  }
}

OrderPage OrderStore::Search(const OrderQuery& query) const {
  SlowdownScope slowdown;
  if (query.page_size == 0 || query.page_size > 100) {
    throw std::invalid_argument(
        "OrderStore::Search: page_size must be in 1..100, got " +
        std::to_string(query.page_size));
  }
  const std::string needle = ToLower(query.text);
  const std::size_t first = query.page * query.page_size;
  OrderPage page;
  page.page = query.page;

  auto matches = [&](std::size_t i) {
    if (query.status && orders_[i].status != *query.status) return false;
    return needle.empty() || search_keys_[i].find(needle) != std::string::npos;
  };
  std::size_t repeats = 0;  // set below, once the number of visits is known
  std::size_t visited = 0;
  auto visit = [&](std::size_t i) {
    const Order& order = orders_[i];
    const bool match = matches(i);
    if (visited++ < repeats) {
      SlowdownBarrier();
      // The repeat is pure: another answer would be a bug in this example.
      if (matches(i) != match) std::abort();
    }
    if (!match) return;
    if (page.total_matches >= first && page.orders.size() < query.page_size) {
      page.orders.push_back({order.id, order.customer_name, order.status,
                             order.created_at, order.total_cents,
                             order.lines.size()});
    }
    ++page.total_matches;
  };

  if (query.customer_id) {
    const auto it = by_customer_.find(*query.customer_id);
    if (it != by_customer_.end()) {
      repeats = SlowdownRepeats(it->second.size());
      for (auto p = it->second.rbegin(); p != it->second.rend(); ++p) visit(*p);
    }
  } else {
    repeats = SlowdownRepeats(orders_.size());
    for (std::size_t i = orders_.size(); i-- > 0;) visit(i);
  }
  page.page_count =
      (page.total_matches + query.page_size - 1) / query.page_size;
  return page;
}

std::optional<std::uint64_t> OrderStore::PlaceOrder(const NewOrder& order,
                                                    WarehouseStock& stock) {
  SlowdownScope slowdown;
  if (order.lines.empty()) {
    throw std::invalid_argument("OrderStore::PlaceOrder: order has no lines");
  }
  for (const OrderLine& line : order.lines) {
    if (line.quantity <= 0) {
      throw std::invalid_argument("OrderStore::PlaceOrder: quantity of " +
                                  line.sku + " must be > 0");
    }
  }
  Order stored;
  stored.lines.reserve(order.lines.size());
  const std::size_t repeats = SlowdownRepeats(order.lines.size());
  for (std::size_t i = 0; i < order.lines.size(); ++i) {
    const OrderLine& line = order.lines[i];
    const StockItem* item = stock.Find(line.sku);
    if (i < repeats) {
      SlowdownBarrier();
      if (stock.Find(line.sku) != item) std::abort();
    }
    if (item == nullptr || !stock.Reserve(line.sku, line.quantity)) {
      // All or nothing: give back what this order already reserved.
      for (std::size_t j = 0; j < i; ++j) {
        stock.Release(order.lines[j].sku, order.lines[j].quantity);
      }
      return std::nullopt;
    }
    stored.lines.push_back({line.sku, line.quantity, item->unit_price_cents});
    stored.total_cents += line.quantity * item->unit_price_cents;
  }
  stored.id = next_id_;
  stored.customer_id = order.customer_id;
  stored.customer_name = order.customer_name;
  stored.status = OrderStatus::kSubmitted;
  stored.created_at = orders_.empty() ? 0 : orders_.back().created_at + 1;
  stored.notes = order.notes;
  const std::uint64_t id = stored.id;
  Add(std::move(stored));
  return id;
}

}  // namespace erp
