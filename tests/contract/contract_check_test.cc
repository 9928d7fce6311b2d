#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "perfcheck/contract/check.h"
#include "perfcheck/contract/mock_server.h"
#include "perfcheck/gtest.h"

namespace perfcheck::contract {
namespace {

using namespace std::chrono_literals;

constexpr char kCanary[] = "CANARY-s3cr3t-7f1e";

bool Has(const std::vector<std::string>& lines, const std::string& text) {
  for (const auto& l : lines) {
    if (l.find(text) != std::string::npos) return true;
  }
  return false;
}

std::string Join(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  return out;
}

// The mock server plays the "live" service.
class ContractCheckTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_.Stub(
        GetRequest("/api/resource/Item"),
        Reply(200)
            .Header("Cache-Control", "no-store")
            .Json(
                R"({"data":[{"name":"I-1","qty":2},{"name":"I-2","qty":5}]})"));
    server_.Stub(GetRequest("/api/method/ping"),
                 Reply(200).Json(R"({"message":"pong"})"));
  }
  std::string Url(const std::string& target) const {
    return server_.url() + target;
  }
  MockServer server_;
};

TEST_F(ContractCheckTest, PassingContract) {
  Check check = Check(Url("/api/resource/Item?limit=2"))
                    .ExpectStatus(200)
                    .ExpectContentType("application/json")
                    .ExpectHeader("Cache-Control", "no-store")
                    .ExpectHeaderMatches("Content-Length", "[0-9]+")
                    .ExpectHeaderPresent("cache-control")
                    .ExpectJsonField("/data", JsonType::kArray)
                    .ExpectJsonField("/data/0/qty", JsonType::kInteger)
                    .ExpectJsonSchema(R"({
                      "type": "object", "required": ["data"],
                      "properties": {"data": {"type": "array", "minItems": 1,
                        "items": {"type": "object", "required": ["name", "qty"],
                                  "properties": {"name": {"type": "string"},
                                                 "qty": {"type": ["integer", "null"]}}}}}})")
                    .ExpectLatencyBelow(30s);
  CheckOutcome o = check.Once();
  EXPECT_TRUE(o.ok()) << o.transport_error << Join(o.violations);
  EXPECT_EQ(o.status, 200);
  EXPECT_GT(o.latency_ns, 0);
  EXPECT_CONTRACT(check);
  // The query string reached the server as written.
  EXPECT_EQ(server_.requests().back().target, "/api/resource/Item?limit=2");
}

TEST_F(ContractCheckTest, EachViolationNamesItsField) {
  CheckOutcome o =
      Check(Url("/api/resource/Item"))
          .ExpectStatus(201)
          .ExpectContentType("text/html")
          .ExpectHeader("Cache-Control", "max-age=60")
          .ExpectHeaderPresent("ETag")
          .ExpectJsonField("/data/0/name", JsonType::kNumber)
          .ExpectJsonField("/total", JsonType::kInteger)
          .ExpectJsonSchema(R"({"properties": {"data": {"maxItems": 1,
                           "items": {"required": ["uom"],
                                     "properties": {"qty": {"enum": [1, 2]}}}}}})")
          .Once();
  EXPECT_FALSE(o.ok());
  const auto& v = o.violations;
  EXPECT_TRUE(Has(v, "status: expected 201, got 200")) << Join(v);
  EXPECT_TRUE(Has(
      v,
      "header Content-Type: expected \"text/html\", got \"application/json\""))
      << Join(v);
  EXPECT_TRUE(
      Has(v, "header Cache-Control: expected \"max-age=60\", got \"no-store\""))
      << Join(v);
  EXPECT_TRUE(Has(v, "header ETag: expected (present), got (absent)"))
      << Join(v);
  EXPECT_TRUE(Has(v, "json /data/0/name: expected number, got string"))
      << Join(v);
  EXPECT_TRUE(Has(v, "json /total: missing, expected integer")) << Join(v);
  EXPECT_TRUE(Has(v, "json /data: expected at most 1 items, got 2")) << Join(v);
  EXPECT_TRUE(Has(v, "json /data/0: missing required field 'uom'")) << Join(v);
  EXPECT_TRUE(Has(v, "json /data/1/qty: not one of the 2 allowed values"))
      << Join(v);
  EXPECT_FALSE(Has(v, "json /data/0/qty")) << Join(v);
}

TEST_F(ContractCheckTest, BodyThatIsNotJson) {
  server_.Stub(GetRequest("/html"), Reply(200).Body("<html>", "text/html"));
  CheckOutcome o = Check(Url("/html"))
                       .ExpectJsonField("/a", JsonType::kString)
                       .ExpectJsonSchema("{}")
                       .Once();
  EXPECT_TRUE(Has(o.violations, "json: body is not JSON (6 bytes)"))
      << Join(o.violations);
}

TEST_F(ContractCheckTest, LatencyBoundUsesAnInjectedDelay) {
  server_.Stub(GetRequest("/slow"), Reply(200).Delay(300ms));
  CheckOutcome o = Check(Url("/slow")).ExpectLatencyBelow(100ms).Once();
  EXPECT_GE(o.latency_ns, 290'000'000);
  EXPECT_TRUE(Has(o.violations, "latency: expected < 100"))
      << Join(o.violations);
}

TEST_F(ContractCheckTest, TimeoutAndConnectionFailuresAreData) {
  server_.Stub(GetRequest("/hang"), Reply(200).Delay(20s));
  CheckOutcome slow = Check(Url("/hang")).Timeout(200ms).Once();
  EXPECT_EQ(slow.status, 0);
  EXPECT_EQ(slow.transport_error, "timeout");

  MockServer gone;
  std::string url = gone.url() + "/x";
  gone.Stop();
  CheckOutcome refused = Check(url).Timeout(2s).Once();
  EXPECT_FALSE(refused.ok());
  EXPECT_EQ(refused.status, 0);
  EXPECT_FALSE(refused.transport_error.empty());

  server_.Stub(GetRequest("/reset"), Reply::Reset());
  CheckOutcome reset = Check(Url("/reset")).Once();
  EXPECT_EQ(reset.status, 0);
  EXPECT_NE(reset.transport_error, "timeout");
  EXPECT_FALSE(reset.transport_error.empty());
}

TEST_F(ContractCheckTest, SendsMethodHeadersAndBody) {
  server_.Stub(PostRequest("/api/resource/ToDo"),
               Reply(200).Json(R"({"data":{}})"));
  CheckOutcome o =
      Check(Url("/api/resource/ToDo"))
          .Method("POST")
          .RequestHeader("Authorization", "token k:s")
          .RequestBody(R"({"description":"x"})", "application/json")
          .ExpectStatus(200)
          .Once();
  EXPECT_TRUE(o.ok()) << Join(o.violations);
  auto r = server_.requests().back();
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.HeaderValue("Authorization"), "token k:s");
  EXPECT_EQ(r.HeaderValue("Content-Type"), "application/json");
  EXPECT_EQ(r.body, R"({"description":"x"})");
}

TEST_F(ContractCheckTest, RunIsAMeasurableWithErrorsByCategory) {
  server_.Stub(GetRequest("/flaky"),
               {Reply(503), Reply(200), Reply(200), Reply(500), Reply(200)});
  Check check =
      Check(Url("/flaky")).Named("flaky").ExpectStatus(200).Samples(5);
  const Measurable& m = check;
  EXPECT_EQ(m.Name(), "flaky");
  Result r = m.Run();
  EXPECT_EQ(r.name, "flaky");
  EXPECT_EQ(r.OkCount(), 3u);
  ASSERT_EQ(r.errors.count("status_5xx"), 1u);
  EXPECT_EQ(r.errors.at("status_5xx").count, 2u);
  EXPECT_GT(r.elapsed_ns, 0);
  EXPECT_EQ(server_.requests().size(), 5u);
}

TEST_F(ContractCheckTest, DoublesAsAPerfTestThroughTheSlaAssertions) {
  Check ping = Check(Url("/api/method/ping")).Named("ping").ExpectStatus(200);
  // Generous bound: it shows the wiring, not this machine's speed.
  EXPECT_P95_BELOW(ping.Samples(5), std::chrono::seconds(30));
  EXPECT_EQ(server_.requests().size(), 5u);
  server_.Stub(GetRequest("/down"), Reply(503));
  Check down = Check(Url("/down")).ExpectStatus(200).Samples(4);
  EXPECT_NONFATAL_FAILURE(EXPECT_ERROR_RATE_BELOW(down, 0.5), "");
}

TEST_F(ContractCheckTest, DefaultNameIsMethodAndRedactedTarget) {
  Check check(Url("/api/method/ping?api_key=") + kCanary);
  EXPECT_EQ(check.Name(), "GET /api/method/ping?api_key=<redacted>");
  EXPECT_EQ(Check(Url("/x")).Method("POST").Name(), "POST /x");
}

TEST_F(ContractCheckTest, DefaultNameIsTheSameOnEveryPort) {
  // Each mock server listens on a port of its own; the baseline entry a
  // check's Result is compared with must not depend on it.
  MockServer other;
  ASSERT_NE(other.url(), server_.url());
  const Check here(Url("/api/method/ping"));
  const Check there(other.url() + "/api/method/ping");
  EXPECT_EQ(here.Name(), there.Name());
  EXPECT_EQ(here.Name(), "GET /api/method/ping");
  EXPECT_EQ(here.Name().find("127.0.0.1"), std::string::npos);
}

TEST_F(ContractCheckTest, ExpectContractFailureMessage) {
  Check check = Check(Url("/api/method/ping")).ExpectStatus(204);
  EXPECT_NONFATAL_FAILURE(EXPECT_CONTRACT(check) << "ctx-7",
                          "status: expected 204, got 200");
  EXPECT_NONFATAL_FAILURE(EXPECT_CONTRACT(check),
                          "Expected: the contract of check holds");
  EXPECT_NONFATAL_FAILURE(EXPECT_CONTRACT(check), "1 violation (status 200");
}

TEST_F(ContractCheckTest, SecretsNeverAppearInOutcomeOrFailure) {
  server_.Stub(GetRequest("/secret"),
               Reply(401)
                   .Header("Set-Cookie", std::string("sid=") + kCanary)
                   .Json("{}"));
  Check check =
      Check(Url("/secret?token=") + kCanary)
          .RequestHeader("Authorization", std::string("token abc:") + kCanary)
          .ExpectStatus(200)
          .ExpectHeader("Set-Cookie", "sid=other");
  CheckOutcome o = check.Once();
  std::string text = o.url + Join(o.violations) + check.Name();
  EXPECT_EQ(text.find(kCanary), std::string::npos) << text;
  EXPECT_TRUE(Has(o.violations, "sid=<redacted>")) << Join(o.violations);
  ::testing::TestPartResultArray results;
  {
    ::testing::ScopedFakeTestPartResultReporter reporter(
        ::testing::ScopedFakeTestPartResultReporter::
            INTERCEPT_ONLY_CURRENT_THREAD,
        &results);
    EXPECT_CONTRACT(check);
  }
  ASSERT_EQ(results.size(), 1);
  std::string message = results.GetTestPartResult(0).message();
  EXPECT_EQ(message.find(kCanary), std::string::npos) << message;
}

TEST(ContractCheckMisuseTest, ThrowsInvalidArgument) {
  EXPECT_THROW(Check("ftp://x/"), std::invalid_argument);
  EXPECT_THROW(Check("127.0.0.1:80/x"), std::invalid_argument);
  EXPECT_THROW(Check("http:///x"), std::invalid_argument);
  EXPECT_THROW(Check("http://user:pw@host/"), std::invalid_argument);
  Check c("http://127.0.0.1:1/");
  EXPECT_THROW(c.Samples(0), std::invalid_argument);
  EXPECT_THROW(c.Timeout(0ms), std::invalid_argument);
  EXPECT_THROW(c.ExpectStatusIn(300, 200), std::invalid_argument);
  EXPECT_THROW(c.ExpectHeaderMatches("A", "("), std::invalid_argument);
  EXPECT_THROW(c.ExpectJsonField("a", JsonType::kString),
               std::invalid_argument);
  EXPECT_THROW(c.ExpectJsonSchema("{"), std::invalid_argument);
  EXPECT_THROW(c.ExpectJsonSchema(R"({"pattern": "x"})"),
               std::invalid_argument);
  EXPECT_THROW(c.ExpectJsonSchema(R"({"properties": {"a": {"oneOf": []}}})"),
               std::invalid_argument);
  EXPECT_THROW(c.ExpectLatencyBelow(0ms), std::invalid_argument);
}

TEST(ContractCheckCopyTest, CopiesAreIndependent) {
  MockServer server;
  server.Stub(AnyRequest(), Reply(200));
  Check base = Check(server.url() + "/").ExpectStatus(200);
  Check stricter = base;
  stricter.ExpectStatus(201);
  EXPECT_TRUE(base.Once().ok());
  EXPECT_FALSE(stricter.Once().ok());
}

}  // namespace
}  // namespace perfcheck::contract
