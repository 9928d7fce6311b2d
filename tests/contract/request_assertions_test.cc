#include "perfcheck/contract/request_assertions.h"

#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <functional>
#include <string>
#include <vector>

namespace perfcheck::contract {
namespace {

constexpr char kCanary[] = "CANARY-s3cr3t-7f1e";

// Runs `body` with gtest's reporter intercepted and returns the failure
// messages (fatal and non-fatal), so any assertion's text can be inspected.
std::vector<std::string> Failures(const std::function<void()>& body) {
  ::testing::TestPartResultArray results;
  {
    ::testing::ScopedFakeTestPartResultReporter reporter(
        ::testing::ScopedFakeTestPartResultReporter::
            INTERCEPT_ONLY_CURRENT_THREAD,
        &results);
    body();
  }
  std::vector<std::string> out;
  for (int i = 0; i < results.size(); ++i) {
    out.push_back(results.GetTestPartResult(i).message());
  }
  return out;
}

class RequestAssertionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_.Stub(GetRequest("/api/resource/Item"),
                 Reply(200).Json(R"({"data":[]})"), {.name = "items"});
    server_.Stub(PostRequest("/api/method/login"), Reply(200));
  }
  int Send(const std::string& method, const std::string& target,
           httplib::Headers headers = {}, const std::string& body = "") {
    httplib::Client c(server_.url());
    httplib::Request req;
    req.method = method;
    req.path = target;
    req.headers = std::move(headers);
    req.body = body;
    if (!body.empty()) req.headers.emplace("Content-Type", "application/json");
    auto res = c.send(req);
    return res ? res->status : -1;
  }
  MockServer server_;
};

TEST_F(RequestAssertionsTest, ExpectRequestPasses) {
  Send("GET", "/api/resource/Item");
  EXPECT_REQUEST(server_, GetRequest("/api/resource/Item"));
  ASSERT_REQUEST(server_, AnyRequest().Method("GET"));
}

TEST_F(RequestAssertionsTest, ExpectRequestFailureShowsClosestWithFieldDiff) {
  Send("GET", "/api/resource/Itme");
  Send("POST", "/api/method/login");
  EXPECT_NONFATAL_FAILURE(
      EXPECT_REQUEST(server_, GetRequest("/api/resource/Item"))
          << "listing items",
      "Expected: server_ received a request matching "
      "GetRequest(\"/api/resource/Item\")");
  auto failures = Failures(
      [&] { EXPECT_REQUEST(server_, GetRequest("/api/resource/Item")); });
  ASSERT_EQ(failures.size(), 1u);
  const std::string& m = failures[0];
  EXPECT_NE(m.find("none of 2 requests matches; closest:"), std::string::npos)
      << m;
  EXPECT_NE(m.find("#0 GET /api/resource/Itme"), std::string::npos) << m;
  EXPECT_NE(
      m.find(
          "path: expected \"/api/resource/Item\", got \"/api/resource/Itme\""),
      std::string::npos)
      << m;
  // The closest request (one failed condition) is listed before the other.
  EXPECT_LT(m.find("#0 GET"), m.find("#1 POST")) << m;
}

TEST_F(RequestAssertionsTest, ExpectRequestWithNoRequestsSaysSo) {
  EXPECT_NONFATAL_FAILURE(EXPECT_REQUEST(server_, AnyRequest()),
                          "Actual: no request was received");
}

TEST_F(RequestAssertionsTest, AssertRequestIsFatal) {
  auto failures = Failures([&] {
    ASSERT_REQUEST(server_, AnyRequest());
    ADD_FAILURE() << "not reached";
  });
  ASSERT_EQ(failures.size(), 1u);
  EXPECT_NE(failures[0].find("no request was received"), std::string::npos);
}

TEST_F(RequestAssertionsTest, ContextIsAppended) {
  EXPECT_NONFATAL_FAILURE(EXPECT_REQUEST(server_, AnyRequest()) << "ctx-42",
                          "ctx-42");
}

TEST_F(RequestAssertionsTest, ArgumentsAreEvaluatedExactlyOnce) {
  Send("GET", "/api/resource/Item");
  int server_calls = 0, matcher_calls = 0, n_calls = 0;
  auto server = [&]() -> const MockServer& {
    ++server_calls;
    return server_;
  };
  auto matcher = [&] {
    ++matcher_calls;
    return GetRequest("/api/resource/Item");
  };
  auto n = [&] {
    ++n_calls;
    return 1;
  };
  EXPECT_REQUEST(server(), matcher());
  EXPECT_REQUEST_COUNT(server(), matcher(), n());
  EXPECT_EQ(server_calls, 2);
  EXPECT_EQ(matcher_calls, 2);
  EXPECT_EQ(n_calls, 1);
  // And once on failure too.
  EXPECT_NONFATAL_FAILURE(EXPECT_REQUEST_COUNT(server(), matcher(), n() + 1),
                          "Actual: 1 of");
  EXPECT_EQ(server_calls, 3);
  EXPECT_EQ(n_calls, 2);
}

TEST_F(RequestAssertionsTest, RequestCount) {
  Send("GET", "/api/resource/Item");
  Send("GET", "/api/resource/Item");
  Send("GET", "/api/resource/Itm");
  EXPECT_REQUEST_COUNT(server_, GetRequest("/api/resource/Item"), 2);
  EXPECT_REQUEST_COUNT(server_, PostRequest("/api/method/login"), 0);
  auto failures = Failures([&] {
    EXPECT_REQUEST_COUNT(server_, GetRequest("/api/resource/Item"), 3);
  });
  ASSERT_EQ(failures.size(), 1u);
  const std::string& m = failures[0];
  EXPECT_NE(
      m.find("received 3 requests matching GetRequest(\"/api/resource/Item\")"),
      std::string::npos)
      << m;
  EXPECT_NE(m.find("Actual: 2 of 3 requests match"), std::string::npos) << m;
  EXPECT_NE(m.find("Closest of the others:"), std::string::npos) << m;
  EXPECT_NE(m.find("got \"/api/resource/Itm\""), std::string::npos) << m;
  EXPECT_NONFATAL_FAILURE(
      EXPECT_REQUEST_COUNT(server_, GetRequest("/api/resource/Item"), 1),
      "Matching:");
}

TEST_F(RequestAssertionsTest, NegativeCountIsMisuse) {
  EXPECT_THROW(::perfcheck::testing::RequestCountIs("s", "m", "n", server_,
                                                    AnyRequest(), -1),
               std::invalid_argument);
}

TEST_F(RequestAssertionsTest, NoUnmatchedRequests) {
  Send("GET", "/api/resource/Item");
  EXPECT_NO_UNMATCHED_REQUESTS(server_);
  Send("DELETE", "/api/resource/Item/I-1");
  auto failures = Failures([&] { EXPECT_NO_UNMATCHED_REQUESTS(server_); });
  ASSERT_EQ(failures.size(), 1u);
  const std::string& m = failures[0];
  EXPECT_NE(m.find("Expected: every request to server_ matched a stub"),
            std::string::npos)
      << m;
  EXPECT_NE(m.find("1 request matched no stub (answered 404)"),
            std::string::npos)
      << m;
  EXPECT_NE(m.find("DELETE /api/resource/Item/I-1"), std::string::npos) << m;
  EXPECT_NE(m.find("method: expected GET, got DELETE"), std::string::npos) << m;
  auto fatal = Failures([&] {
    ASSERT_NO_UNMATCHED_REQUESTS(server_);
    ADD_FAILURE() << "not reached";
  });
  EXPECT_EQ(fatal.size(), 1u);
}

TEST_F(RequestAssertionsTest, RequestsInOrder) {
  Send("POST", "/api/method/login");
  Send("GET", "/other");
  Send("GET", "/api/resource/Item");
  EXPECT_REQUESTS_IN_ORDER(server_, PostRequest("/api/method/login"),
                           GetRequest("/api/resource/Item"));
  EXPECT_REQUESTS_IN_ORDER(server_, PostRequest("/api/method/login"));
  auto failures = Failures([&] {
    EXPECT_REQUESTS_IN_ORDER(server_, GetRequest("/api/resource/Item"),
                             PostRequest("/api/method/login"));
  });
  ASSERT_EQ(failures.size(), 1u);
  const std::string& m = failures[0];
  EXPECT_NE(m.find("received, in this order, requests matching:"),
            std::string::npos)
      << m;
  EXPECT_NE(m.find("[0] is request #2"), std::string::npos) << m;
  EXPECT_NE(m.find("request #0 matches it, but too early"), std::string::npos)
      << m;
  EXPECT_NE(m.find("No requests after that point"), std::string::npos) << m;
  auto fatal = Failures([&] {
    ASSERT_REQUESTS_IN_ORDER(server_, GetRequest("/nothing"));
    ADD_FAILURE() << "not reached";
  });
  ASSERT_EQ(fatal.size(), 1u);
  EXPECT_NE(fatal[0].find("no request matches [0]"), std::string::npos)
      << fatal[0];
}

// A canary secret sent in every secret-bearing place never appears in any
// failure text of any assertion.
TEST(RequestAssertionsSecretsTest, CanaryNeverAppearsInFailureText) {
  MockServer server({.secret_headers = {"X-Signature"}});
  const std::string auth = std::string("token 1234abcd:") + kCanary;
  server.Stub(PostRequest("/api/resource/ToDo").Header("Authorization", auth),
              Reply(200));
  httplib::Client c(server.url());
  auto res =
      c.Post(std::string("/api/resource/Todo?api_key=") + kCanary,
             httplib::Headers{{"Authorization", auth + "-wrong"},
                              {"Cookie", std::string("sid=") + kCanary},
                              {"X-Api-Key", kCanary},
                              {"X-Frappe-CSRF-Token", kCanary},
                              {"X-Signature", kCanary}},
             std::string(R"({"password":")") + kCanary + R"(","usr":"u"})",
             "application/json");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 404);
  EXPECT_EQ(res->body.find(kCanary), std::string::npos);

  auto expected =
      PostRequest("/api/resource/ToDo")
          .Header("Authorization", auth)
          .Header("X-Signature", kCanary)
          .Query("api_key", kCanary)
          .JsonBodyIncludes(std::string(R"({"password":")") + kCanary + "x\"}");
  std::vector<std::string> all;
  for (auto& f : Failures([&] {
         EXPECT_REQUEST(server, expected);
         EXPECT_REQUEST_COUNT(server, expected, 1);
         EXPECT_NO_UNMATCHED_REQUESTS(server);
         EXPECT_REQUESTS_IN_ORDER(server, expected);
       })) {
    all.push_back(f);
  }
  ASSERT_EQ(all.size(), 4u);
  for (const std::string& m : all) {
    EXPECT_EQ(m.find(kCanary), std::string::npos) << m;
  }
  // The shape is there, so the failure is still useful.
  EXPECT_NE(all[0].find("token <key:8 chars>:<secret:redacted>"),
            std::string::npos)
      << all[0];
  EXPECT_NE(all[0].find("secret differs"), std::string::npos) << all[0];
  EXPECT_NE(all[0].find("X-Signature: <redacted>"), std::string::npos)
      << all[0];
  EXPECT_NE(all[0].find("sid=<redacted>"), std::string::npos) << all[0];
}

}  // namespace
}  // namespace perfcheck::contract
