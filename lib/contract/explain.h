// Internal: ranking and printing of "closest" candidates, shared by the mock
// server's 404 body and the request assertions' failure messages.
#ifndef PERFCHECK_LIB_CONTRACT_EXPLAIN_H_
#define PERFCHECK_LIB_CONTRACT_EXPLAIN_H_

#include <algorithm>
#include <cstddef>
#include <string>
#include <vector>

#include "perfcheck/contract/request_matcher.h"

namespace perfcheck::contract::internal {

// Field-by-field lines, one per failed condition:
//   "<indent>path: expected \"/a\", got \"/b\"\n"
inline std::string FormatMismatches(const std::vector<Mismatch>& mismatches,
                                    const std::string& indent) {
  std::string out;
  for (const Mismatch& m : mismatches) {
    out += indent + m.field + ": expected " + m.expected + ", got " + m.actual +
           "\n";
  }
  return out;
}

// Indices of the `limit` candidates with the fewest failed conditions
// (stable: earlier candidates first among equals).
inline std::vector<std::size_t> Closest(
    const std::vector<std::vector<Mismatch>>& mismatches, std::size_t limit) {
  std::vector<std::size_t> order(mismatches.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) {
                     return mismatches[a].size() < mismatches[b].size();
                   });
  if (order.size() > limit) order.resize(limit);
  return order;
}

}  // namespace perfcheck::contract::internal

#endif  // PERFCHECK_LIB_CONTRACT_EXPLAIN_H_
