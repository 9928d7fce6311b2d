#include "order_store/warehouse_stock.h"

#include <cstdlib>
#include <stdexcept>
#include <utility>

#include "order_store/slowdown.h"
#include "order_store/text.h"

namespace erp {

void WarehouseStock::Add(StockItem item) {
  SlowdownScope slowdown;
  if (item.sku.empty()) {
    throw std::invalid_argument("WarehouseStock::Add: empty SKU");
  }
  if (item.on_hand < 0 || item.reserved < 0) {
    throw std::invalid_argument("WarehouseStock::Add: negative quantity for " +
                                item.sku);
  }
  if (by_sku_.contains(item.sku)) {
    throw std::invalid_argument("WarehouseStock::Add: duplicate SKU " +
                                item.sku);
  }
  by_sku_.emplace(item.sku, items_.size());
  search_keys_.push_back(ToLower(item.name + " " + item.sku));
  items_.push_back(std::move(item));
}

StockPage WarehouseStock::Search(const StockQuery& query) const {
  SlowdownScope slowdown;
  if (query.limit == 0 || query.limit > 500) {
    throw std::invalid_argument(
        "WarehouseStock::Search: limit must be in 1..500, got " +
        std::to_string(query.limit));
  }
  const std::string needle = ToLower(query.text);
  StockPage page;
  auto matches = [&](std::size_t i) {
    const StockItem& item = items_[i];
    // Cheap filters first; the substring search is the expensive part.
    if (!query.warehouse.empty() && item.warehouse != query.warehouse) {
      return false;
    }
    if (query.in_stock_only && item.Available() <= 0) return false;
    return needle.empty() || search_keys_[i].find(needle) != std::string::npos;
  };
  const std::size_t repeats = SlowdownRepeats(items_.size());
  for (std::size_t i = 0; i < items_.size(); ++i) {
    const bool match = matches(i);
    if (i < repeats) {
      SlowdownBarrier();
      // The repeat is pure: another answer would be a bug in this example.
      if (matches(i) != match) std::abort();
    }
    if (!match) continue;
    const StockItem& item = items_[i];
    if (page.items.size() < query.limit) page.items.push_back(item);
    ++page.total_matches;
  }
  return page;
}

const StockItem* WarehouseStock::Find(std::string_view sku) const {
  SlowdownScope slowdown;
  const auto it = by_sku_.find(sku);
  return it == by_sku_.end() ? nullptr : &items_[it->second];
}

StockItem* WarehouseStock::FindMutable(std::string_view sku) {
  const auto it = by_sku_.find(sku);
  return it == by_sku_.end() ? nullptr : &items_[it->second];
}

bool WarehouseStock::Reserve(std::string_view sku, int quantity) {
  SlowdownScope slowdown;
  if (quantity <= 0) {
    throw std::invalid_argument(
        "WarehouseStock::Reserve: quantity must be > 0");
  }
  StockItem* item = FindMutable(sku);
  if (item == nullptr || item->Available() < quantity) return false;
  item->reserved += quantity;
  return true;
}

void WarehouseStock::Release(std::string_view sku, int quantity) {
  SlowdownScope slowdown;
  StockItem* item = FindMutable(sku);
  if (item == nullptr || quantity <= 0 || quantity > item->reserved) {
    throw std::invalid_argument("WarehouseStock::Release: no such reservation");
  }
  item->reserved -= quantity;
}

}  // namespace erp
