// WarehouseStock: the stock levels of every item in every warehouse, with the
// search behind a "Stock" screen (type a few letters, optionally pick a
// warehouse, see the first page of matching items).
//
// Searching is a linear scan over precomputed lower-case keys: for the 50k
// items of the example that is a few milliseconds, the scale the users' SLO
// ("warehouse stock search < 300 ms for 50k items") is written for.
//
// Errors: adding a duplicate SKU or a negative quantity throws
// std::invalid_argument (misuse); Reserve() returns false for an unknown SKU or
// insufficient stock (a business outcome, not an error).
//
// Thread-safety: const methods may run concurrently; Add() and Reserve() need
// exclusive access.
//
// Example:
//   erp::WarehouseStock stock = erp::MakeWarehouseStock(50'000, /*seed=*/42);
//   erp::StockPage page = stock.Search({.text = "hex bolt", .warehouse =
//   "Berlin"});
#ifndef PERFCHECK_EXAMPLES_ORDER_STORE_WAREHOUSE_STOCK_H_
#define PERFCHECK_EXAMPLES_ORDER_STORE_WAREHOUSE_STOCK_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace erp {

struct StockItem {
  std::string sku;        // unique, e.g. "SKU-004711"
  std::string name;       // e.g. "Galvanized Steel Hex Bolt M8x40"
  std::string category;   // e.g. "Fasteners"
  std::string warehouse;  // e.g. "Berlin"
  int on_hand = 0;        // units physically present
  int reserved = 0;       // units promised to open orders
  std::int64_t unit_price_cents = 0;

  int Available() const { return on_hand - reserved; }
};

struct StockQuery {
  std::string text;       // case-insensitive substring of name or SKU; "" = any
  std::string warehouse;  // exact warehouse name; "" = every warehouse
  bool in_stock_only = false;
  std::size_t limit = 50;  // items returned, 1..500
};

struct StockPage {
  std::vector<StockItem> items;  // the first `limit` matches, in SKU order
  std::size_t total_matches = 0;
};

class WarehouseStock {
 public:
  // Adds an item. Throws std::invalid_argument for a duplicate or empty SKU or
  // negative quantities.
  void Add(StockItem item);

  std::size_t size() const { return items_.size(); }

  // Throws std::invalid_argument when query.limit is outside 1..500.
  StockPage Search(const StockQuery& query) const;

  // The item with `sku`, or nullptr.
  const StockItem* Find(std::string_view sku) const;

  // Reserves `quantity` (> 0) units of `sku`; false when the SKU is unknown or
  // fewer units are available. Release() undoes a reservation.
  bool Reserve(std::string_view sku, int quantity);
  void Release(std::string_view sku, int quantity);

 private:
  struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const {
      return std::hash<std::string_view>{}(s);
    }
  };
  StockItem* FindMutable(std::string_view sku);

  std::vector<StockItem> items_;
  std::vector<std::string> search_keys_;  // lower-case "name sku", per item
  std::unordered_map<std::string, std::size_t, StringHash, std::equal_to<>>
      by_sku_;
};

}  // namespace erp

#endif  // PERFCHECK_EXAMPLES_ORDER_STORE_WAREHOUSE_STOCK_H_
