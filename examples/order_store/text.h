// Small text helpers shared by the example library's search functions.
#ifndef PERFCHECK_EXAMPLES_ORDER_STORE_TEXT_H_
#define PERFCHECK_EXAMPLES_ORDER_STORE_TEXT_H_

#include <string>
#include <string_view>

namespace erp {

// ASCII lower-case copy (the example data is ASCII).
inline std::string ToLower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

}  // namespace erp

#endif  // PERFCHECK_EXAMPLES_ORDER_STORE_TEXT_H_
