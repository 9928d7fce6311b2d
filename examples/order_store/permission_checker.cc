#include "order_store/permission_checker.h"

#include <algorithm>
#include <cstdlib>
#include <stdexcept>
#include <string>

#include "order_store/slowdown.h"

namespace erp {

int PermissionChecker::DoctypeId(std::string_view doctype) {
  const auto it = doctype_ids_.find(doctype);
  if (it != doctype_ids_.end()) return it->second;
  const int id = static_cast<int>(doctype_ids_.size());
  doctype_ids_.emplace(std::string(doctype), id);
  for (auto& actions : role_actions_) actions.resize(doctype_ids_.size(), 0);
  return id;
}

void PermissionChecker::Grant(std::string_view role, std::string_view doctype,
                              Action action) {
  SlowdownScope slowdown;
  if (role.empty() || doctype.empty()) {
    throw std::invalid_argument(
        "PermissionChecker::Grant: empty role or doctype");
  }
  const int doctype_id = DoctypeId(doctype);
  auto [it, inserted] = role_ids_.try_emplace(
      std::string(role), static_cast<int>(role_actions_.size()));
  if (inserted) role_actions_.emplace_back(doctype_ids_.size(), 0);
  role_actions_[it->second][doctype_id] |=
      static_cast<std::uint8_t>(1u << static_cast<unsigned>(action));
}

void PermissionChecker::AssignRole(std::string_view user,
                                   std::string_view role) {
  SlowdownScope slowdown;
  if (user.empty()) {
    throw std::invalid_argument("PermissionChecker::AssignRole: empty user");
  }
  const auto role_it = role_ids_.find(role);
  if (role_it == role_ids_.end()) {
    throw std::invalid_argument(
        "PermissionChecker::AssignRole: unknown role '" + std::string(role) +
        "'");
  }
  auto user_it = user_roles_.find(user);
  if (user_it == user_roles_.end()) {
    user_it = user_roles_.emplace(std::string(user), std::vector<int>{}).first;
  }
  std::vector<int>& roles = user_it->second;
  if (std::find(roles.begin(), roles.end(), role_it->second) == roles.end()) {
    roles.push_back(role_it->second);
  }
}

bool PermissionChecker::Check(std::string_view user, std::string_view doctype,
                              Action action) const {
  SlowdownScope slowdown;
  const auto bit =
      static_cast<std::uint8_t>(1u << static_cast<unsigned>(action));
  auto allowed = [&] {
    const auto user_it = user_roles_.find(user);
    if (user_it == user_roles_.end()) return false;
    const auto doctype_it = doctype_ids_.find(doctype);
    if (doctype_it == doctype_ids_.end()) return false;
    for (const int role : user_it->second) {
      if (role_actions_[role][doctype_it->second] & bit) return true;
    }
    return false;
  };
  const bool result = allowed();
  if (SlowdownRepeats(1) > 0) {
    SlowdownBarrier();
    // The repeat is pure: another answer would be a bug in this example.
    if (allowed() != result) std::abort();
  }
  return result;
}

}  // namespace erp
