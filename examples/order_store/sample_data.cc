#include "order_store/sample_data.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <string_view>

namespace erp {
namespace {

constexpr std::array<std::string_view, 20> kCompanyStems = {
    "Acme",   "Nordwind", "Baltic", "Alpen", "Rhein",  "Elbe",  "Polar",
    "Danube", "Oder",     "Harz",   "Eifel", "Taunus", "Spree", "Weser",
    "Isar",   "Main",     "Ruhr",   "Saale", "Mosel",  "Neckar"};
constexpr std::array<std::string_view, 10> kCompanyTrades = {
    "Tools",     "Logistics", "Engineering", "Trading",    "Construction",
    "Metalwork", "Supply",    "Facilities",  "Industries", "Automation"};
constexpr std::array<std::string_view, 2> kLegalForms = {"GmbH", "AG"};

constexpr std::array<std::string_view, 8> kMaterials = {
    "Steel",     "Stainless", "Galvanized", "Brass",
    "Aluminium", "Copper",    "Nylon",      "Zinc-Plated"};
constexpr std::array<std::string_view, 12> kProducts = {
    "Hex Bolt",   "Wood Screw", "Washer",       "Hinge",
    "Bracket",    "Anchor",     "Cable Tie",    "Rivet",
    "Pipe Clamp", "Hex Nut",    "Threaded Rod", "Drill Bit"};
constexpr std::array<std::string_view, 12> kCategories = {
    "Fasteners", "Fasteners", "Fasteners",  "Hardware",
    "Hardware",  "Fasteners", "Electrical", "Fasteners",
    "Plumbing",  "Fasteners", "Fasteners",  "Tools"};
constexpr std::array<std::string_view, 7> kSizes = {"M4",  "M5",  "M6", "M8",
                                                    "M10", "M12", "M16"};
constexpr std::array<std::string_view, 6> kLengths = {"x10", "x20", "x30",
                                                      "x40", "x60", "x80"};

constexpr std::array<std::string_view, 8> kNotes = {
    "",
    "Urgent: replacement parts for line 2",
    "Deliver to dock 3",
    "Call before delivery",
    "Partial delivery accepted",
    "Invoice to head office",
    "Framework contract 2026",
    "Pick up at counter"};

constexpr std::array<std::string_view, 16> kRoles = {
    "System Manager",   "Sales User",         "Sales Manager",
    "Stock User",       "Stock Manager",      "Accounts User",
    "Accounts Manager", "Purchase User",      "Purchase Manager",
    "HR User",          "Manufacturing User", "Quality Inspector",
    "Projects User",    "Support Team",       "Maintenance User",
    "Auditor"};

constexpr std::int64_t kYear2025 = 1'735'689'600;  // 2025-01-01T00:00:00Z

OrderStatus RandomStatus(SeededRandom& random) {
  const std::size_t roll = random.Below(100);
  if (roll < 5) return OrderStatus::kDraft;
  if (roll < 20) return OrderStatus::kSubmitted;
  if (roll < 45) return OrderStatus::kPaid;
  if (roll < 95) return OrderStatus::kShipped;
  return OrderStatus::kCancelled;
}

}  // namespace

std::uint64_t SeededRandom::Next() {
  std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

std::string CustomerName(int customer_id) {
  // Mixed-radix digits of the id, so ids 1..400 give 400 distinct names.
  const int n = customer_id - 1;
  std::string name(kCompanyStems[n % kCompanyStems.size()]);
  name += ' ';
  name += kCompanyTrades[(n / kCompanyStems.size()) % kCompanyTrades.size()];
  name += ' ';
  name += kLegalForms[(n / (kCompanyStems.size() * kCompanyTrades.size())) %
                      kLegalForms.size()];
  return name;
}

std::string UserName(int index) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "user%04d@example.com", index);
  return buffer;
}

std::string Sku(std::size_t index) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "SKU-%06zu", index);
  return buffer;
}

const std::vector<std::string>& Doctypes() {
  static const std::vector<std::string> doctypes = {"Sales Order",
                                                    "Sales Invoice",
                                                    "Delivery Note",
                                                    "Quotation",
                                                    "Customer",
                                                    "Item",
                                                    "Stock Entry",
                                                    "Warehouse",
                                                    "Purchase Order",
                                                    "Purchase Invoice",
                                                    "Supplier",
                                                    "Payment Entry",
                                                    "Journal Entry",
                                                    "Employee",
                                                    "Leave Application",
                                                    "Work Order",
                                                    "BOM",
                                                    "Quality Inspection",
                                                    "Project",
                                                    "Task",
                                                    "Issue",
                                                    "Maintenance Visit",
                                                    "Material Request",
                                                    "Price List"};
  return doctypes;
}

const std::vector<std::string>& Warehouses() {
  static const std::vector<std::string> warehouses = {"Berlin", "Hamburg",
                                                      "Munich", "Leipzig"};
  return warehouses;
}

WarehouseStock MakeWarehouseStock(std::size_t items, std::uint64_t seed) {
  SeededRandom random(seed);
  WarehouseStock stock;
  for (std::size_t i = 0; i < items; ++i) {
    const std::size_t product = random.Below(kProducts.size());
    StockItem item;
    item.sku = Sku(i);
    item.name = std::string(kMaterials[random.Below(kMaterials.size())]) + " " +
                std::string(kProducts[product]) + " " +
                std::string(kSizes[random.Below(kSizes.size())]) +
                std::string(kLengths[random.Below(kLengths.size())]);
    item.category = kCategories[product];
    item.warehouse = Warehouses()[random.Below(Warehouses().size())];
    // 0.05% out of stock: the reason a small share of new orders is rejected.
    // Everything else holds enough for every order the perf tests place.
    item.on_hand =
        random.Percent(0.05) ? 0 : 200 + static_cast<int>(random.Below(1'800));
    item.unit_price_cents = 5 + static_cast<std::int64_t>(random.Below(5'000));
    stock.Add(std::move(item));
  }
  return stock;
}

OrderStore MakeOrderStore(std::size_t orders, const WarehouseStock& stock,
                          std::uint64_t seed) {
  SeededRandom random(seed);
  OrderStore store;
  std::int64_t created_at = kYear2025;
  for (std::size_t i = 0; i < orders; ++i) {
    Order order;
    order.id = i + 1;
    order.customer_id = 1 + static_cast<int>(random.Below(kCustomerCount));
    order.customer_name = CustomerName(order.customer_id);
    order.status = RandomStatus(random);
    created_at += 1 + static_cast<std::int64_t>(random.Below(6'000));
    order.created_at = created_at;
    const std::size_t lines = 1 + random.Below(5);
    for (std::size_t l = 0; l < lines; ++l) {
      const StockItem* item = stock.Find(Sku(random.Below(stock.size())));
      const int quantity = 1 + static_cast<int>(random.Below(20));
      order.lines.push_back({item->sku, quantity, item->unit_price_cents});
      order.total_cents += quantity * item->unit_price_cents;
    }
    order.notes = kNotes[random.Below(kNotes.size())];
    store.Add(std::move(order));
  }
  return store;
}

PermissionChecker MakePermissionChecker(std::size_t users, std::uint64_t seed) {
  SeededRandom random(seed);
  PermissionChecker rbac;
  const std::vector<std::string>& doctypes = Doctypes();
  for (const std::string& doctype : doctypes) {
    for (int a = 0; a < kActionCount; ++a) {
      rbac.Grant(kRoles[0], doctype, static_cast<Action>(a));
    }
  }
  for (std::size_t r = 1; r < kRoles.size(); ++r) {
    // Every other role: read on a third of the doctypes, more on a few.
    for (const std::string& doctype : doctypes) {
      if (random.Below(3) != 0) continue;
      rbac.Grant(kRoles[r], doctype, Action::kRead);
      for (int a = 1; a < kActionCount; ++a) {
        if (random.Below(2) == 0) {
          rbac.Grant(kRoles[r], doctype, static_cast<Action>(a));
        }
      }
    }
    // A role must grant something to be assignable.
    rbac.Grant(kRoles[r], doctypes[r % doctypes.size()], Action::kRead);
  }
  for (std::size_t u = 1; u <= users; ++u) {
    const std::string user = UserName(static_cast<int>(u));
    const std::size_t roles = 1 + random.Below(4);
    for (std::size_t k = 0; k < roles; ++k) {
      // Administrators are rare: roles 1.. for everyone, role 0 for 1%.
      const std::size_t role =
          random.Percent(1.0) ? 0 : 1 + random.Below(kRoles.size() - 1);
      rbac.AssignRole(user, kRoles[role]);
    }
  }
  return rbac;
}

NewOrder MakeNewOrder(SeededRandom& random, const WarehouseStock& stock,
                      std::size_t catalogue_size) {
  const std::size_t items = std::min(catalogue_size, stock.size());
  NewOrder order;
  order.customer_id = 1 + static_cast<int>(random.Below(kCustomerCount));
  order.customer_name = CustomerName(order.customer_id);
  const std::size_t lines = 5 + random.Below(11);
  for (std::size_t l = 0; l < lines; ++l) {
    order.lines.push_back(
        {Sku(random.Below(items)), 1 + static_cast<int>(random.Below(5)), 0});
  }
  order.notes = kNotes[random.Below(kNotes.size())];
  return order;
}

}  // namespace erp
