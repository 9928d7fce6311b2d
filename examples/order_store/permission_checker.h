// PermissionChecker: role-based access control as an ERP does it — roles grant
// actions on document types ("Sales Manager may submit Sales Order"), users
// hold roles, and every screen and API call asks Check(user, doctype, action).
//
// A check is two hash lookups (user, doctype) and one bit test per role the
// user holds; the users' SLO is "RBAC check < 5 ms".
//
// Errors: granting to or assigning an empty name throws std::invalid_argument;
// assigning a role that was never granted anything throws too (a typo would
// otherwise silently deny). Check() on an unknown user or doctype is a plain
// `false`.
//
// Thread-safety: Check() may run concurrently; Grant() and AssignRole() need
// exclusive access.
//
// Example:
//   erp::PermissionChecker rbac;
//   rbac.Grant("Sales User", "Sales Order", erp::Action::kCreate);
//   rbac.AssignRole("anna@example.com", "Sales User");
//   rbac.Check("anna@example.com", "Sales Order", erp::Action::kCreate);  //
//   true
#ifndef PERFCHECK_EXAMPLES_ORDER_STORE_PERMISSION_CHECKER_H_
#define PERFCHECK_EXAMPLES_ORDER_STORE_PERMISSION_CHECKER_H_

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace erp {

enum class Action : std::uint8_t {
  kRead,
  kWrite,
  kCreate,
  kDelete,
  kSubmit,
  kCancel
};
inline constexpr int kActionCount = 6;

class PermissionChecker {
 public:
  void Grant(std::string_view role, std::string_view doctype, Action action);
  void AssignRole(std::string_view user, std::string_view role);

  // Whether any of `user`'s roles grants `action` on `doctype`.
  bool Check(std::string_view user, std::string_view doctype,
             Action action) const;

  std::size_t user_count() const { return user_roles_.size(); }

 private:
  struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const {
      return std::hash<std::string_view>{}(s);
    }
  };
  template <class V>
  using NameMap =
      std::unordered_map<std::string, V, StringHash, std::equal_to<>>;

  int DoctypeId(std::string_view doctype);

  NameMap<int> role_ids_;
  NameMap<int> doctype_ids_;
  // role_actions_[role][doctype]: bit i set = Action(i) granted.
  std::vector<std::vector<std::uint8_t>> role_actions_;
  NameMap<std::vector<int>> user_roles_;
};

}  // namespace erp

#endif  // PERFCHECK_EXAMPLES_ORDER_STORE_PERMISSION_CHECKER_H_
