#include "perfcheck/contract/request_assertions.h"

#include <stdexcept>
#include <string>

#include "explain.h"

namespace perfcheck::testing {
namespace {

using contract::Mismatch;
using contract::MockServer;
using contract::RecordedRequest;
using contract::RequestMatcher;

constexpr std::size_t kClosestShown = 3;

std::string RequestHeading(const RecordedRequest& r,
                           const contract::SecretHeaders& secrets) {
  return "  #" + std::to_string(r.sequence) + " " +
         contract::DescribeRequest(r, secrets);
}

// The closest of `requests` to `matcher`, each with its field-by-field
// difference; "" when there are none.
std::string ClosestRequests(const std::vector<RecordedRequest>& requests,
                            const RequestMatcher& matcher,
                            const contract::SecretHeaders& secrets) {
  std::vector<std::vector<Mismatch>> why;
  why.reserve(requests.size());
  for (const auto& r : requests) why.push_back(matcher.Explain(r, secrets));
  std::string out;
  for (std::size_t i : contract::internal::Closest(why, kClosestShown)) {
    out += RequestHeading(requests[i], secrets) +
           contract::internal::FormatMismatches(why[i], "    ");
  }
  return out;
}

std::string Received(std::size_t n) {
  return std::to_string(n) + (n == 1 ? " request" : " requests");
}

}  // namespace

::testing::AssertionResult RequestReceived(const char* server_expr,
                                           const char* matcher_expr,
                                           const MockServer& server,
                                           const RequestMatcher& matcher) {
  const auto& secrets = server.secret_headers();
  std::vector<RecordedRequest> requests = server.requests();
  for (const auto& r : requests) {
    if (matcher.Matches(r)) return ::testing::AssertionSuccess();
  }
  auto failure = ::testing::AssertionFailure();
  failure << "Expected: " << server_expr << " received a request matching "
          << matcher_expr << "\n"
          << "          " << matcher.Describe(secrets) << "\n";
  if (requests.empty()) {
    return failure << "  Actual: no request was received";
  }
  return failure << "  Actual: none of " << Received(requests.size())
                 << " matches; closest:\n"
                 << ClosestRequests(requests, matcher, secrets);
}

::testing::AssertionResult RequestCountIs(
    const char* server_expr, const char* matcher_expr, const char* n_expr,
    const MockServer& server, const RequestMatcher& matcher, int n) {
  if (n < 0) {
    throw std::invalid_argument(std::string("EXPECT_REQUEST_COUNT: ") + n_expr +
                                " = " + std::to_string(n) + " is negative");
  }
  const auto& secrets = server.secret_headers();
  std::vector<RecordedRequest> requests = server.requests();
  std::vector<RecordedRequest> matching, others;
  for (const auto& r : requests) {
    (matcher.Matches(r) ? matching : others).push_back(r);
  }
  if (matching.size() == static_cast<std::size_t>(n)) {
    return ::testing::AssertionSuccess();
  }
  auto failure = ::testing::AssertionFailure();
  failure << "Expected: " << server_expr << " received " << n_expr;
  if (n_expr != std::to_string(n)) failure << " (" << n << ")";
  failure << " " << (n == 1 ? "request" : "requests") << " matching "
          << matcher_expr << "\n"
          << "          " << matcher.Describe(secrets) << "\n"
          << "  Actual: " << matching.size() << " of "
          << Received(requests.size()) << " match\n";
  if (!matching.empty()) {
    failure << "Matching:\n";
    for (const auto& r : matching) failure << RequestHeading(r, secrets);
  }
  if (matching.size() < static_cast<std::size_t>(n) && !others.empty()) {
    failure << "Closest of the others:\n"
            << ClosestRequests(others, matcher, secrets);
  }
  return failure;
}

::testing::AssertionResult NoUnmatchedRequests(const char* server_expr,
                                               const MockServer& server) {
  std::vector<RecordedRequest> unmatched = server.unmatched_requests();
  if (unmatched.empty()) return ::testing::AssertionSuccess();
  auto failure = ::testing::AssertionFailure();
  failure << "Expected: every request to " << server_expr << " matched a stub\n"
          << "  Actual: " << Received(unmatched.size())
          << " matched no stub (answered 404):\n";
  for (const auto& r : unmatched) {
    // Indented copy of the 404 body: the request and the closest stubs.
    std::string text = server.Explain(r);
    std::string indented = "  ";
    for (char c : text) {
      indented.push_back(c);
      if (c == '\n') indented += "  ";
    }
    failure << indented << "\n";
  }
  return failure;
}

::testing::AssertionResult RequestsInOrder(
    const char* server_expr, const char* /*matchers_expr*/,
    const MockServer& server, const std::vector<RequestMatcher>& matchers) {
  const auto& secrets = server.secret_headers();
  std::vector<RecordedRequest> requests = server.requests();
  std::size_t next = 0;  // first request not yet consumed
  std::vector<std::size_t> found;
  for (const auto& m : matchers) {
    std::size_t i = next;
    while (i < requests.size() && !m.Matches(requests[i])) ++i;
    if (i == requests.size()) break;
    found.push_back(i);
    next = i + 1;
  }
  if (found.size() == matchers.size()) return ::testing::AssertionSuccess();

  auto failure = ::testing::AssertionFailure();
  failure << "Expected: " << server_expr << " received, in this order, "
          << "requests matching:\n";
  for (std::size_t k = 0; k < matchers.size(); ++k) {
    failure << "  [" << k << "] " << matchers[k].Describe(secrets) << "\n";
  }
  failure << "  Actual: ";
  for (std::size_t k = 0; k < found.size(); ++k) {
    failure << "[" << k << "] is request #" << requests[found[k]].sequence
            << "; ";
  }
  const RequestMatcher& missing = matchers[found.size()];
  std::vector<RecordedRequest> rest(requests.begin() + next, requests.end());
  failure << "no request " << (found.empty() ? "" : "after that ")
          << "matches [" << found.size() << "]";
  for (std::size_t i = 0; i < next; ++i) {
    if (missing.Matches(requests[i])) {
      failure << " (request #" << requests[i].sequence
              << " matches it, but too early)";
      break;
    }
  }
  failure << "\n";
  if (!rest.empty()) {
    failure << "Closest requests after that point:\n"
            << ClosestRequests(rest, missing, secrets);
  } else {
    failure << "No requests after that point (" << Received(requests.size())
            << " in all).\n";
  }
  return failure;
}

}  // namespace perfcheck::testing
