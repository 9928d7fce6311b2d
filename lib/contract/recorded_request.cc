// RecordedRequest: a request as the mock server received it, and the
// parsing of its target into path and query.
#include "perfcheck/contract/recorded_request.h"

#include <string>
#include <utility>

#include "text.h"

namespace perfcheck::contract {

using internal::EqualsIgnoreCase;

std::optional<std::string> RecordedRequest::HeaderValue(
    std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (EqualsIgnoreCase(k, name)) return v;
  }
  return std::nullopt;
}

std::vector<std::string> RecordedRequest::QueryValues(
    std::string_view key) const {
  std::vector<std::string> out;
  for (const auto& [k, v] : query) {
    if (k == key) out.push_back(v);
  }
  return out;
}

HeaderList ParseQuery(std::string_view raw_query) {
  HeaderList out;
  std::size_t start = 0;
  while (start < raw_query.size()) {
    std::size_t amp = raw_query.find('&', start);
    if (amp == std::string_view::npos) amp = raw_query.size();
    std::string_view field = raw_query.substr(start, amp - start);
    if (!field.empty()) {
      std::size_t eq = field.find('=');
      if (eq == std::string_view::npos) {
        out.emplace_back(PercentDecode(field, true), "");
      } else {
        out.emplace_back(PercentDecode(field.substr(0, eq), true),
                         PercentDecode(field.substr(eq + 1), true));
      }
    }
    start = amp + 1;
  }
  return out;
}

void SplitTarget(RecordedRequest& r) {
  std::size_t q = r.target.find('?');
  r.raw_path = r.target.substr(0, q);
  r.raw_query = q == std::string::npos ? "" : r.target.substr(q + 1);
  r.path = PercentDecode(r.raw_path, false);
  r.query = ParseQuery(r.raw_query);
}

}  // namespace perfcheck::contract
