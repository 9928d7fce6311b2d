// GoogleTest assertions on the requests a perfcheck::contract::MockServer
// recorded: what the client under test actually sent.
//
//   using namespace perfcheck::contract;
//   MockServer server;
//   server.Stub(GetRequest("/api/resource/Sales Order"), Reply(200).Json("{}"));
//   client.List("Sales Order");
//   EXPECT_REQUEST(server, GetRequest("/api/resource/Sales Order")
//                              .RawPath("/api/resource/Sales%20Order"));
//   EXPECT_REQUEST_COUNT(server, AnyRequest().Method("GET"), 1);
//   EXPECT_NO_UNMATCHED_REQUESTS(server);
//   EXPECT_REQUESTS_IN_ORDER(server, PostRequest("/api/method/login"),
//                            GetRequest("/api/resource/Item"));
//
// Macros (each with an ASSERT_ twin that stops the test on failure):
//   EXPECT_REQUEST(server, matcher)          at least one request matches
//   EXPECT_REQUEST_COUNT(server, matcher, n) exactly n requests match
//   EXPECT_NO_UNMATCHED_REQUESTS(server)     every request was answered by a
//                                            stub (no 404 from the mock)
//   EXPECT_REQUESTS_IN_ORDER(server, m1, m2, ...)
//                                            requests matching m1, m2, ...
//                                            arrived in this order (others may
//                                            come in between)
// Each argument is evaluated exactly once; `<< "context"` appends to the
// failure message.
//
// Failure messages have gtest's shape: what was expected (the matcher,
// described), what was received, and for the closest recorded requests (those
// failing the fewest conditions) a field-by-field difference:
//   Expected: server received a request matching GetRequest("/api/resource/Item")
//             method GET, path "/api/resource/Item"
//     Actual: none of 2 requests matches; closest:
//     #1 GET /api/resource/Itme
//         path (decoded): "/api/resource/Itme"
//         Authorization: token <key:8 chars>:<secret:redacted>
//       path: expected "/api/resource/Item", got "/api/resource/Itme"
// Secret-bearing headers (see perfcheck/contract/request_matcher.h and
// MockServerOptions::secret_headers) are shown by shape only, so a failing
// contract test never prints a credential.
//
// Thread-safety: use from the test's thread, after the client's calls have
// returned (a request is recorded before it is answered).
#ifndef PERFCHECK_CONTRACT_REQUEST_ASSERTIONS_H_
#define PERFCHECK_CONTRACT_REQUEST_ASSERTIONS_H_

#include <gtest/gtest.h>

#include <vector>

#include "perfcheck/contract/mock_server.h"
#include "perfcheck/contract/request_matcher.h"

namespace perfcheck::testing {

// Predicate-formatters behind the macros; the leading `const char*`
// parameters receive the argument expressions' text.
::testing::AssertionResult RequestReceived(
    const char* server_expr, const char* matcher_expr,
    const contract::MockServer& server,
    const contract::RequestMatcher& matcher);

// `n` < 0 throws std::invalid_argument (reported by gtest as a failure).
::testing::AssertionResult RequestCountIs(
    const char* server_expr, const char* matcher_expr, const char* n_expr,
    const contract::MockServer& server, const contract::RequestMatcher& matcher,
    int n);

::testing::AssertionResult NoUnmatchedRequests(
    const char* server_expr, const contract::MockServer& server);

::testing::AssertionResult RequestsInOrder(
    const char* server_expr, const char* matchers_expr,
    const contract::MockServer& server,
    const std::vector<contract::RequestMatcher>& matchers);

}  // namespace perfcheck::testing

#define EXPECT_REQUEST(server, matcher) \
  EXPECT_PRED_FORMAT2(::perfcheck::testing::RequestReceived, server, matcher)
#define ASSERT_REQUEST(server, matcher) \
  ASSERT_PRED_FORMAT2(::perfcheck::testing::RequestReceived, server, matcher)

#define EXPECT_REQUEST_COUNT(server, matcher, n) \
  EXPECT_PRED_FORMAT3(::perfcheck::testing::RequestCountIs, server, matcher, n)
#define ASSERT_REQUEST_COUNT(server, matcher, n) \
  ASSERT_PRED_FORMAT3(::perfcheck::testing::RequestCountIs, server, matcher, n)

#define EXPECT_NO_UNMATCHED_REQUESTS(server) \
  EXPECT_PRED_FORMAT1(::perfcheck::testing::NoUnmatchedRequests, server)
#define ASSERT_NO_UNMATCHED_REQUESTS(server) \
  ASSERT_PRED_FORMAT1(::perfcheck::testing::NoUnmatchedRequests, server)

// The braces' commas are protected by the parentheses around the vector.
#define EXPECT_REQUESTS_IN_ORDER(server, ...)        \
  EXPECT_PRED_FORMAT2(                               \
      ::perfcheck::testing::RequestsInOrder, server, \
      (::std::vector<::perfcheck::contract::RequestMatcher>{__VA_ARGS__}))
#define ASSERT_REQUESTS_IN_ORDER(server, ...)        \
  ASSERT_PRED_FORMAT2(                               \
      ::perfcheck::testing::RequestsInOrder, server, \
      (::std::vector<::perfcheck::contract::RequestMatcher>{__VA_ARGS__}))

#endif  // PERFCHECK_CONTRACT_REQUEST_ASSERTIONS_H_
