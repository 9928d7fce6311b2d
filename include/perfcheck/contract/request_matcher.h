// RequestMatcher: a description of an HTTP request ("GET /api/resource/Item
// with header Authorization: token ...") that is checked against the requests a
// perfcheck::contract::MockServer received. The same matcher selects the stub
// that answers a request and verifies afterwards what the client sent
// (EXPECT_REQUEST in perfcheck/contract/request_assertions.h).
//
//   using perfcheck::contract::GetRequest;
//   auto list_items = GetRequest("/api/resource/Sales Order")  // decoded path
//                         .RawPath("/api/resource/Sales%20Order")
//                         .Query("limit_page_length", "20")
//                         .Header("authorization", "token abc:def");
//   if (list_items.Matches(request)) ...
//
// Conditions combine with AND. Each kind:
// - Method("GET")              exact, case-sensitive (HTTP methods are).
// - Path("/a b")               decoded path (percent-decoded; '+' stays '+').
// - PathMatches("/api/.+")     ECMAScript regex, full match on the decoded
// path.
// - RawPath("/a%20b")          the still-encoded path exactly as sent.
// - RawTarget("/a%20b?x=1")    the still-encoded request target, path + query.
// - Query("k", "v")            some value of k equals v; keys and values are
//                              form-decoded ("+" and "%20" both mean space).
// - QueryValues("k", {..})     all values of k, in order (repeated keys).
// - QueryAbsent("k")
// - Header("Name", "v")        some value equals v; names case-insensitive.
// - HeaderMatches("Name", re)  some value fully matches the regex.
// - HeaderPresent / HeaderAbsent("Name")
// - Body("text")               exact body bytes.
// - JsonBodyIncludes(R"({"a":1})")  the body is JSON and contains the given
//                              JSON as a subset (objects: every given member
//                              present and matching recursively; arrays and
//                              scalars: equal).
// - JsonBodyAt("/data/name", R"("x")")  JSON pointer (RFC 6901) equality.
// - Where("description", predicate)     anything else.
//
// Secrets: when a matcher or a request is printed (Describe, Explain, failure
// messages, the mock server's 404 body), values of secret-bearing headers are
// shown by shape only (perfcheck/contract/request_display.h); query
// parameters and JSON body members with secret names are redacted.
//
// Errors: an invalid regex, JSON text or JSON pointer throws
// std::invalid_argument when the condition is added (API misuse).
// Thread-safety: a built matcher is immutable in use; const methods may be
// called from many threads. Copies share their (immutable) conditions.
#ifndef PERFCHECK_CONTRACT_REQUEST_MATCHER_H_
#define PERFCHECK_CONTRACT_REQUEST_MATCHER_H_

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "perfcheck/contract/recorded_request.h"
#include "perfcheck/contract/request_display.h"

namespace perfcheck::contract {

// One condition of a matcher that a request did not satisfy.
struct Mismatch {
  std::string field;     // "path", "header Authorization", "json body /data"
  std::string expected;  // printable; secrets shaped
  std::string actual;    // printable; secrets shaped
};

// Internal: one condition; defined in the .cc (keeps regex/JSON out of here).
class RequestCondition;

class RequestMatcher {
 public:
  // Matches every request.
  RequestMatcher();

  RequestMatcher& Method(std::string method);
  RequestMatcher& Path(std::string decoded_path);
  RequestMatcher& PathMatches(std::string ecmascript_regex);
  RequestMatcher& RawPath(std::string encoded_path);
  RequestMatcher& RawTarget(std::string encoded_target);
  RequestMatcher& Query(std::string key, std::string decoded_value);
  RequestMatcher& QueryValues(std::string key, std::vector<std::string> values);
  RequestMatcher& QueryAbsent(std::string key);
  RequestMatcher& Header(std::string name, std::string value);
  RequestMatcher& HeaderMatches(std::string name, std::string ecmascript_regex);
  RequestMatcher& HeaderPresent(std::string name);
  RequestMatcher& HeaderAbsent(std::string name);
  RequestMatcher& Body(std::string exact);
  RequestMatcher& JsonBodyIncludes(std::string_view json_subset);
  RequestMatcher& JsonBodyAt(std::string json_pointer,
                             std::string_view json_value);
  RequestMatcher& Where(std::string description,
                        std::function<bool(const RecordedRequest&)> predicate);

  bool Matches(const RecordedRequest& request) const;

  // The conditions `request` fails, in the order they were added; empty when
  // it matches.
  std::vector<Mismatch> Explain(const RecordedRequest& request,
                                const SecretHeaders& secrets = {}) const;

  // How many conditions there are, for ranking "closest" candidates.
  std::size_t ConditionCount() const { return conditions_.size(); }

  // One line, e.g. `GET path="/a b" header[Authorization]=token <key:3
  // chars>:<secret:redacted>`; "any request" when there is no condition.
  std::string Describe(const SecretHeaders& secrets = {}) const;

 private:
  RequestMatcher& Add(std::shared_ptr<const RequestCondition> condition);
  std::vector<std::shared_ptr<const RequestCondition>> conditions_;
};

// Shorthands: a matcher with a method and an exact decoded path.
RequestMatcher AnyRequest();
RequestMatcher GetRequest(std::string decoded_path);
RequestMatcher PostRequest(std::string decoded_path);
RequestMatcher PutRequest(std::string decoded_path);
RequestMatcher DeleteRequest(std::string decoded_path);
// The same under the 0.1 names. Post, Put and Delete stay; Get is
// perfcheck::http::Get's name too (an endpoint to measure, perfcheck/http/
// spec.h), so a file using both namespaces was ambiguous: it goes after one
// release.
[[deprecated(
    "use perfcheck::contract::GetRequest (perfcheck::http::Get is an endpoint "
    "to measure)")]] inline RequestMatcher
Get(std::string decoded_path) {
  return GetRequest(std::move(decoded_path));
}
RequestMatcher Post(std::string decoded_path);
RequestMatcher Put(std::string decoded_path);
RequestMatcher Delete(std::string decoded_path);

}  // namespace perfcheck::contract

#endif  // PERFCHECK_CONTRACT_REQUEST_MATCHER_H_
