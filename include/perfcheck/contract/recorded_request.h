// RecordedRequest: one HTTP request as a perfcheck::contract::MockServer
// received it (method, target, decoded path and query, headers, body), and
// the parsing of a request target into path and query.
//
// Thread-safety: plain values; the functions are pure.
// Errors: none; malformed percent escapes are kept literally.
#ifndef PERFCHECK_CONTRACT_RECORDED_REQUEST_H_
#define PERFCHECK_CONTRACT_RECORDED_REQUEST_H_

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "perfcheck/percent_encoding.h"

namespace perfcheck::contract {

// Header names (or query keys) in the order received, values as received.
using HeaderList = std::vector<std::pair<std::string, std::string>>;

// One HTTP request as a MockServer received it.
struct RecordedRequest {
  std::string method;  // "GET"
  std::string target;  // raw request target: "/api/resource/Sales%20Order?x=1"
  std::string raw_path;   // target before '?', still encoded
  std::string path;       // raw_path percent-decoded ('+' kept)
  std::string raw_query;  // target after '?', still encoded; "" when none
  HeaderList query;       // form-decoded key/value pairs, repeated keys kept
  HeaderList headers;     // as received
  std::string body;
  // When the request (headers and body) had been read; steady clock, so the
  // gaps between retries can be measured.
  std::chrono::steady_clock::time_point received_at;
  std::size_t sequence = 0;  // 0-based arrival order on its server
  std::string stub;  // name of the stub that answered; "" when unmatched

  // First value of a header, names compared case-insensitively.
  std::optional<std::string> HeaderValue(std::string_view name) const;
  // All values of a query key, in order.
  std::vector<std::string> QueryValues(std::string_view key) const;
};

// Percent-decodes `text`; with `plus_is_space` ('application/x-www-form-
// urlencoded' rules) '+' becomes ' '. Malformed escapes are kept literally.
// The core's decoder (perfcheck/percent_encoding.h), named here as well.
using ::perfcheck::PercentDecode;

// Splits a raw query string into form-decoded pairs, keeping order and
// repeated keys ("a=1&a=2&b" -> {a,1},{a,2},{b,""}).
HeaderList ParseQuery(std::string_view raw_query);

// Fills raw_path, path, raw_query and query of `request` from its target.
void SplitTarget(RecordedRequest& request);

}  // namespace perfcheck::contract

#endif  // PERFCHECK_CONTRACT_RECORDED_REQUEST_H_
