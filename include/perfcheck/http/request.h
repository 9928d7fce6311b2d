// http::Request: one kind of request a load run sends — method, path, query
// parameters, headers, body — plus the name its statistics are kept under and
// an optional check of each response.
//
//   perfcheck::http::Request search =
//       perfcheck::http::Request::Get("/api/resource/Item")
//           .Query("filters", R"([["item_group","=","Raw Material"]])")
//           .Named("item search")
//           .ExpectBody([](std::string_view body) {
//             return body.find("\"data\"") != body.npos;
//           });
//
// Paths are sent as given (after the target's base path); build a path segment
// from user text with PercentEncode(), e.g. "/api/resource/" +
// PercentEncode("Sales Order"). Query() values are percent-encoded for you.
//
// Response classification (the error categories of the Result):
//   - status 2xx and 3xx are successes unless ExpectStatus() says otherwise;
//   - 4xx -> "status_4xx", 5xx -> "status_5xx" (and any other unexpected status
//     -> "status_other");
//   - a body predicate returning false -> "check" (e.g. a 200 with the wrong
//     body). Setting one makes the engine keep the body (up to
//     max_checked_body_bytes), which costs a copy per response.
// Only successful responses enter the latency histogram.
//
// Thread-safety: a plain value. The predicate is called concurrently from the
// engine's threads, so it must be thread-safe (a pure function is).
#ifndef PERFCHECK_HTTP_REQUEST_H_
#define PERFCHECK_HTTP_REQUEST_H_

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "perfcheck/http/target.h"
#include "perfcheck/status.h"

namespace perfcheck::http {

// Percent-encodes every byte except RFC 3986 unreserved characters
// (A-Z a-z 0-9 - . _ ~), so "Sales Order/1" -> "Sales%20Order%2F1".
// `keep` lists extra characters left as they are (e.g. "/" for a whole path).
std::string PercentEncode(std::string_view text, std::string_view keep = "");

// Returns true when the body of a response is acceptable.
using BodyPredicate = std::function<bool(std::string_view body)>;

struct Request {
  std::string method = "GET";
  std::string path =
      "/";  // relative to the target's base path; starts with '/'
  std::vector<std::pair<std::string, std::string>> query;  // unencoded
  std::vector<Header> headers;  // added to / replacing the target's defaults
  std::string body;
  std::string content_type;  // sent when non-empty
  // The per-endpoint statistics key; "" means "<METHOD> <path>", with the
  // values of secret-named query parameters in the path redacted
  // (perfcheck::RedactUrl).
  std::string name;
  // Accepted status codes; empty means "any 2xx or 3xx".
  std::vector<int> expected_status;
  BodyPredicate body_check;
  // Bodies are kept for body_check up to this size; a longer body fails the
  // check (category "check").
  std::size_t max_checked_body_bytes = 1 << 20;

  static Request Get(std::string path);
  static Request Post(std::string path, std::string body,
                      std::string content_type = "application/json");
  static Request Make(std::string method, std::string path);

  // Fluent setters (return *this).
  Request& Query(std::string key, std::string value);
  Request& AddHeader(std::string name, std::string value, bool secret = false);
  Request& Named(std::string request_name);
  Request& ExpectStatus(std::vector<int> codes);
  Request& ExpectBody(BodyPredicate predicate);

  // The statistics key: `name`, or "<METHOD> <path>" (secret query values
  // redacted).
  std::string DisplayName() const;
  // The request target as sent: base path + path + "?" + encoded query.
  std::string RequestTarget(const Target& target) const;
  // The full HTTP/1.1 request message for `target` (request line, Host, the
  // target's and the request's headers, Content-Length, body). Contains
  // secrets: for the engine and for tests, never print it.
  // Throws std::invalid_argument when Check() fails.
  std::string Serialize(const Target& target) const;
  // Whether the request can be sent, as a Status for user input: the error
  // names the request when the method or path is malformed (empty,
  // spaces/CR/LF, path not starting with '/') or a header is bad or frames
  // the connection. Serialize() does not throw for a request that passes.
  Status Check() const;
};

}  // namespace perfcheck::http

#endif  // PERFCHECK_HTTP_REQUEST_H_
