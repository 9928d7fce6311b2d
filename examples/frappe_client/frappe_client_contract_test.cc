// Contract tests of frappe::Client against perfcheck's MockServer: what goes
// on the wire (URL encoding, auth header) and how answers become results or
// exceptions. Offline and deterministic, so refactors and dependency upgrades
// cannot silently break the integration.
#include <gtest/gtest.h>

#include <string>

#include "frappe_client.h"
#include "perfcheck/contract/check.h"
#include "perfcheck/contract/mock_server.h"
#include "perfcheck/contract/request_assertions.h"

namespace {

using namespace std::chrono_literals;
using perfcheck::contract::AnyRequest;
using perfcheck::contract::GetRequest;
using perfcheck::contract::MockServer;
using perfcheck::contract::Post;
using perfcheck::contract::Reply;

constexpr char kKey[] = "1234abcd";
constexpr char kSecret[] = "CANARY-s3cr3t-7f1e";

class FrappeClientContractTest : public ::testing::Test {
 protected:
  frappe::Client MakeClient(frappe::Config overrides = {}) {
    overrides.base_url = server_.url();
    overrides.api_key = kKey;
    overrides.api_secret = kSecret;
    return frappe::Client(overrides);
  }
  // Catches the exception `call` throws, so its type and text can be checked.
  template <class E, class F>
  E Thrown(F call) {
    try {
      call();
    } catch (const E& e) {
      return e;
    }
    throw std::logic_error("expected exception was not thrown");
  }
  MockServer server_;
};

TEST_F(FrappeClientContractTest, ListUrlEncodesDoctypeWithSpaceAsPercent20) {
  server_.Stub(GetRequest("/api/resource/Sales Order"),
               Reply(200).Json(R"({"data":[]})"));
  EXPECT_EQ(MakeClient().GetList("Sales Order"), "[]");
  EXPECT_REQUEST(server_, GetRequest("/api/resource/Sales Order")
                              .RawPath("/api/resource/Sales%20Order")
                              .Body(""));
  EXPECT_NO_UNMATCHED_REQUESTS(server_);
}

TEST_F(FrappeClientContractTest, UnicodeDoctypeAndReservedCharactersInName) {
  // "Заказ клиента" (Sales Order in Russian).
  const std::string doctype =
      "\xD0\x97\xD0\xB0\xD0\xBA\xD0\xB0\xD0\xB7 "
      "\xD0\xBA\xD0\xBB\xD0\xB8\xD0\xB5\xD0\xBD\xD1\x82\xD0\xB0";
  server_.Stub(AnyRequest().Method("GET"), Reply(200).Json(R"({"data":{}})"));
  auto client = MakeClient();
  client.GetList(doctype);
  client.GetDoc("Item", "A/B & C?+%");
  EXPECT_REQUEST(server_,
                 GetRequest("/api/resource/" + doctype)
                     .RawPath("/api/resource/%D0%97%D0%B0%D0%BA%D0%B0%D0%B7%20"
                              "%D0%BA%D0%BB%D0%B8%D0%B5%D0%BD%D1%82%D0%B0"));
  EXPECT_REQUEST(server_,
                 GetRequest("/api/resource/Item/A/B & C?+%")
                     .RawPath("/api/resource/Item/A%2FB%20%26%20C%3F%2B%25"));
}

TEST_F(FrappeClientContractTest, ListQueryParameters) {
  server_.Stub(GetRequest("/api/resource/Item"),
               Reply(200).Json(R"({"data":[]})"));
  MakeClient().GetList("Item", {.fields = {"name", "item_name"},
                                .filters_json = R"([["disabled","=",0]])",
                                .limit = 20});
  EXPECT_REQUEST(server_, GetRequest("/api/resource/Item")
                              .Query("fields", R"(["name","item_name"])")
                              .Query("filters", R"([["disabled","=",0]])")
                              .Query("limit_page_length", "20"));
}

TEST_F(FrappeClientContractTest, AuthorizationHeaderFormat) {
  server_.Stub(AnyRequest(), Reply(200).Json(R"({"data":{}})"));
  MakeClient().GetDoc("Item", "I-1");
  EXPECT_REQUEST(server_, AnyRequest().HeaderMatches("Authorization",
                                                     "token [^: ]+:[^: ]+"));
  EXPECT_REQUEST(server_, AnyRequest()
                              .Header("authorization", std::string("token ") +
                                                           kKey + ":" + kSecret)
                              .Header("Accept", "application/json"));
  EXPECT_REQUEST_COUNT(server_, AnyRequest().HeaderPresent("Cookie"), 0);
}

TEST_F(FrappeClientContractTest, InsertPostsTheDocumentAsJson) {
  server_.Stub(
      Post("/api/resource/ToDo"),
      Reply(200).Json(R"({"data":{"name":"T-1","description":"call"}})"));
  std::string created =
      MakeClient().Insert("ToDo", R"({"description":"call"})");
  EXPECT_NE(created.find("\"T-1\""), std::string::npos);
  EXPECT_REQUEST(server_, Post("/api/resource/ToDo")
                              .Header("Content-Type", "application/json")
                              .JsonBodyIncludes(R"({"description":"call"})"));
}

TEST_F(FrappeClientContractTest, NotFoundExtractsServerMessages) {
  server_.Stub(GetRequest("/api/resource/Item/I-9"),
               Reply(404).Json(R"({"exc_type":"DoesNotExistError",
                  "_server_messages":"[\"{\\\"message\\\": \\\"Item I-9 not found\\\"}\"]"})"));
  auto e = Thrown<frappe::NotFoundError>(
      [&] { MakeClient().GetDoc("Item", "I-9"); });
  EXPECT_EQ(e.status(), 404);
  EXPECT_EQ(e.exc_type(), "DoesNotExistError");
  ASSERT_EQ(e.messages().size(), 1u);
  EXPECT_EQ(e.messages()[0], "Item I-9 not found");
  EXPECT_STREQ(
      e.what(),
      "frappe: GET /api/resource/Item/I-9: HTTP 404 DoesNotExistError: "
      "Item I-9 not found");
}

TEST_F(FrappeClientContractTest,
       ValidationErrorUsesMessageWhenNoServerMessages) {
  server_.Stub(
      Post("/api/resource/ToDo"),
      Reply(417).Json(
          R"({"exc_type":"ValidationError","message":"Description is required"})"));
  auto e = Thrown<frappe::ValidationError>(
      [&] { MakeClient().Insert("ToDo", "{}"); });
  EXPECT_EQ(e.status(), 417);
  EXPECT_EQ(e.messages(), std::vector<std::string>{"Description is required"});
}

TEST_F(FrappeClientContractTest, AuthErrorsAndTheSecretNeverInTheMessage) {
  server_.Stub(
      AnyRequest(),
      Reply(403).Json(
          R"({"exc_type":"PermissionError","exception":"Not permitted"})"));
  auto e = Thrown<frappe::AuthenticationError>(
      [&] { MakeClient().GetList("Item"); });
  EXPECT_EQ(e.messages(), std::vector<std::string>{"Not permitted"});
  EXPECT_EQ(std::string(e.what()).find(kSecret), std::string::npos);
}

TEST_F(FrappeClientContractTest, ServerErrorAndInvalidJson) {
  server_.Stub(GetRequest("/api/resource/A"),
               Reply(500).Json(R"({"exception":"boom"})"));
  server_.Stub(GetRequest("/api/resource/B"),
               Reply(502).Body("<html>Bad Gateway</html>", "text/html"));
  server_.Stub(GetRequest("/api/resource/C"),
               Reply(200).Body("{\"data\":", "application/json"));
  server_.Stub(GetRequest("/api/resource/D"),
               Reply(200).Json(R"({"message":"no data member"})"));
  auto client = MakeClient();
  EXPECT_EQ(
      Thrown<frappe::ServerError>([&] { client.GetList("A"); }).messages(),
      std::vector<std::string>{"boom"});
  auto bad_gateway = Thrown<frappe::ServerError>([&] { client.GetList("B"); });
  EXPECT_EQ(bad_gateway.status(), 502);
  EXPECT_TRUE(bad_gateway.messages().empty());
  EXPECT_THROW(client.GetList("C"), frappe::InvalidResponseError);
  EXPECT_THROW(client.GetList("D"), frappe::InvalidResponseError);
}

TEST_F(FrappeClientContractTest, RetriesA503ThenSucceeds) {
  server_.Stub(GetRequest("/api/resource/Item"),
               {Reply(503).Json(R"({"message":"Session Stopped"})"),
                Reply(503).Json(R"({"message":"Session Stopped"})"),
                Reply(200).Json(R"({"data":[{"name":"I-1"}]})")});
  auto client = MakeClient({.max_attempts = 3, .retry_backoff = 50ms});
  EXPECT_EQ(client.GetList("Item"), R"([{"name":"I-1"}])");
  EXPECT_REQUEST_COUNT(server_, GetRequest("/api/resource/Item"), 3);
  auto requests = server_.requests();
  // The backoff is a lower bound on the gap between attempts.
  EXPECT_GE(requests[1].received_at - requests[0].received_at, 45ms);
}

TEST_F(FrappeClientContractTest, GivesUpAfterMaxAttempts) {
  server_.Stub(AnyRequest(),
               Reply(503).Json(R"({"message":"Session Stopped"})"));
  auto client = MakeClient({.max_attempts = 2, .retry_backoff = 1ms});
  auto e = Thrown<frappe::ServerError>([&] { client.GetList("Item"); });
  EXPECT_EQ(e.status(), 503);
  EXPECT_EQ(e.messages(), std::vector<std::string>{"Session Stopped"});
  EXPECT_REQUEST_COUNT(server_, AnyRequest(), 2);
}

TEST_F(FrappeClientContractTest, TimeoutThrowsTransportErrorWithoutRetry) {
  server_.Stub(AnyRequest(), Reply(200).Delay(5s).Json(R"({"data":[]})"));
  auto client = MakeClient({.timeout = 200ms});
  auto e = Thrown<frappe::TransportError>([&] { client.GetList("Item"); });
  EXPECT_TRUE(e.timed_out()) << e.what();
  EXPECT_EQ(std::string(e.what()).find(kSecret), std::string::npos);
  EXPECT_REQUEST_COUNT(server_, AnyRequest(), 1);
}

TEST_F(FrappeClientContractTest, ResetIsATransportErrorButNotATimeout) {
  server_.Stub(AnyRequest(), Reply::Reset());
  auto e =
      Thrown<frappe::TransportError>([&] { MakeClient().GetList("Item"); });
  EXPECT_FALSE(e.timed_out()) << e.what();
}

// The same endpoint as a live contract: status, content type, JSON shape and a
// latency bound (generous: it documents the SLO, not this machine's speed).
TEST_F(FrappeClientContractTest, PingEndpointContract) {
  server_.Stub(GetRequest("/api/method/ping"),
               Reply(200).Json(R"({"message":"pong"})"));
  auto ping =
      perfcheck::contract::Check(server_.url() + "/api/method/ping")
          .RequestHeader("Authorization",
                         std::string("token ") + kKey + ":" + kSecret)
          .ExpectStatus(200)
          .ExpectContentType("application/json")
          .ExpectJsonField("/message", perfcheck::contract::JsonType::kString)
          .ExpectLatencyBelow(10s);
  EXPECT_CONTRACT(ping);
}

}  // namespace
