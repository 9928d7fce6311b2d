#include "perfcheck/fingerprint.h"

#include <string>
#include <string_view>
#include <vector>

namespace perfcheck {
namespace {

std::string Shown(const std::string& value) {
  return value.empty() ? "(unknown)" : value;
}

void AddIfDifferent(std::string_view field, const std::string& mine,
                    const std::string& theirs, std::vector<std::string>& out) {
  if (mine != theirs) {
    out.push_back(std::string(field) + ": " + Shown(mine) + " -> " +
                  Shown(theirs));
  }
}

}  // namespace

std::vector<std::string> Fingerprint::MachineDifferences(
    const Fingerprint& other) const {
  std::vector<std::string> out;
  AddIfDifferent("cpu_model", cpu_model, other.cpu_model, out);
  AddIfDifferent("cores", cores > 0 ? std::to_string(cores) : "",
                 other.cores > 0 ? std::to_string(other.cores) : "", out);
  AddIfDifferent("cpu_governor", cpu_governor, other.cpu_governor, out);
  AddIfDifferent("os", os, other.os, out);
  AddIfDifferent("kernel", kernel, other.kernel, out);
  AddIfDifferent("compiler", compiler, other.compiler, out);
  AddIfDifferent("build_type", build_type, other.build_type, out);
  AddIfDifferent("hostname_hash", hostname_hash, other.hostname_hash, out);
  return out;
}

}  // namespace perfcheck
