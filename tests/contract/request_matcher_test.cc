// Each part header first: it must compile on its own.
#include "perfcheck/contract/request_matcher.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "perfcheck/contract/recorded_request.h"
#include "perfcheck/contract/request_display.h"

namespace perfcheck::contract {
namespace {

constexpr char kCanary[] = "CANARY-s3cr3t-7f1e";

RecordedRequest Req(std::string method, std::string target,
                    HeaderList headers = {}, std::string body = "") {
  RecordedRequest r;
  r.method = std::move(method);
  r.target = std::move(target);
  SplitTarget(r);
  r.headers = std::move(headers);
  r.body = std::move(body);
  return r;
}

TEST(RequestMatcherTest, EmptyMatcherMatchesAnything) {
  EXPECT_TRUE(AnyRequest().Matches(Req("DELETE", "/x?y=1")));
  EXPECT_EQ(AnyRequest().Describe(), "any request");
}

TEST(RequestMatcherTest, Method) {
  EXPECT_TRUE(AnyRequest().Method("GET").Matches(Req("GET", "/")));
  EXPECT_FALSE(AnyRequest().Method("GET").Matches(Req("POST", "/")));
  // Methods are case-sensitive (RFC 9110).
  EXPECT_FALSE(AnyRequest().Method("get").Matches(Req("GET", "/")));
}

TEST(RequestMatcherTest, SpaceInPathAsPercent20IsDecodedButRawPathIsKept) {
  RecordedRequest r = Req("GET", "/api/resource/Sales%20Order");
  EXPECT_EQ(r.path, "/api/resource/Sales Order");
  EXPECT_TRUE(GetRequest("/api/resource/Sales Order").Matches(r));
  EXPECT_TRUE(AnyRequest().RawPath("/api/resource/Sales%20Order").Matches(r));
  EXPECT_FALSE(AnyRequest().RawPath("/api/resource/Sales+Order").Matches(r));
  EXPECT_FALSE(AnyRequest().RawPath("/api/resource/Sales Order").Matches(r));
}

TEST(RequestMatcherTest, PlusInPathIsALiteralPlus) {
  RecordedRequest r = Req("GET", "/api/resource/Sales+Order");
  EXPECT_TRUE(GetRequest("/api/resource/Sales+Order").Matches(r));
  EXPECT_FALSE(GetRequest("/api/resource/Sales Order").Matches(r));
}

TEST(RequestMatcherTest, PlusAndPercent20InQueryBothMeanSpace) {
  auto m = AnyRequest().Query("q", "a b");
  EXPECT_TRUE(m.Matches(Req("GET", "/s?q=a+b")));
  EXPECT_TRUE(m.Matches(Req("GET", "/s?q=a%20b")));
  EXPECT_FALSE(m.Matches(Req("GET", "/s?q=a%2Bb")));  // an encoded '+'
  EXPECT_TRUE(AnyRequest().Query("q", "a+b").Matches(Req("GET", "/s?q=a%2Bb")));
  // The raw target tells the two spellings apart.
  EXPECT_TRUE(
      AnyRequest().RawTarget("/s?q=a%20b").Matches(Req("GET", "/s?q=a%20b")));
  EXPECT_FALSE(
      AnyRequest().RawTarget("/s?q=a%20b").Matches(Req("GET", "/s?q=a+b")));
}

TEST(RequestMatcherTest, ReservedCharactersDecodeInPathAndQuery) {
  RecordedRequest slash = Req("GET", "/api/resource/A%2FB");
  EXPECT_TRUE(GetRequest("/api/resource/A/B").Matches(slash));
  EXPECT_TRUE(AnyRequest().RawPath("/api/resource/A%2FB").Matches(slash));
  EXPECT_FALSE(AnyRequest().RawPath("/api/resource/A/B").Matches(slash));

  RecordedRequest question = Req("GET", "/x%3Fy");
  EXPECT_EQ(question.path, "/x?y");
  EXPECT_TRUE(question.query.empty());

  RecordedRequest query =
      Req("GET", "/r?filters=%5B%5B%22a%22%2C%22%3D%22%5D%5D&k=a%26b%3Dc");
  EXPECT_TRUE(AnyRequest().Query("filters", R"([["a","="]])").Matches(query));
  EXPECT_TRUE(AnyRequest().Query("k", "a&b=c").Matches(query));
}

TEST(RequestMatcherTest, Utf8PercentEncodingAnyHexCase) {
  // "Заказ" (Russian "Order") in UTF-8.
  const std::string decoded =
      "/api/resource/\xD0\x97\xD0\xB0\xD0\xBA\xD0\xB0\xD0\xB7";
  EXPECT_TRUE(GetRequest(decoded).Matches(
      Req("GET", "/api/resource/%D0%97%D0%B0%D0%BA%D0%B0%D0%B7")));
  EXPECT_TRUE(GetRequest(decoded).Matches(
      Req("GET", "/api/resource/%d0%97%d0%b0%d0%ba%d0%b0%d0%b7")));
  EXPECT_FALSE(
      AnyRequest()
          .RawPath("/api/resource/%D0%97%D0%B0%D0%BA%D0%B0%D0%B7")
          .Matches(Req("GET", "/api/resource/%d0%97%d0%b0%d0%ba%d0%b0%d0%b7")));
}

TEST(RequestMatcherTest, MalformedEscapesAreKeptLiterally) {
  EXPECT_EQ(PercentDecode("100%", false), "100%");
  EXPECT_EQ(PercentDecode("%zz%4", false), "%zz%4");
  EXPECT_EQ(PercentDecode("a%41+", false), "aA+");
  EXPECT_EQ(PercentDecode("a%41+", true), "aA ");
}

TEST(RequestMatcherTest, RepeatedQueryKeys) {
  RecordedRequest r = Req("GET", "/r?fields=name&fields=status&limit=5&flag");
  EXPECT_EQ(r.QueryValues("fields"),
            (std::vector<std::string>{"name", "status"}));
  EXPECT_TRUE(AnyRequest().Query("fields", "status").Matches(r));
  EXPECT_TRUE(
      AnyRequest().QueryValues("fields", {"name", "status"}).Matches(r));
  EXPECT_FALSE(
      AnyRequest().QueryValues("fields", {"status", "name"}).Matches(r));
  EXPECT_FALSE(AnyRequest().QueryValues("fields", {"name"}).Matches(r));
  EXPECT_TRUE(AnyRequest().Query("flag", "").Matches(r));
  EXPECT_TRUE(AnyRequest().QueryAbsent("page").Matches(r));
  EXPECT_FALSE(AnyRequest().QueryAbsent("limit").Matches(r));
}

TEST(RequestMatcherTest, PathPattern) {
  auto m = AnyRequest().PathMatches("/api/resource/[^/]+/[^/]+");
  EXPECT_TRUE(m.Matches(Req("GET", "/api/resource/Item/I%201")));
  EXPECT_FALSE(m.Matches(Req("GET", "/api/resource/Item")));
  // Full match, not search.
  EXPECT_FALSE(AnyRequest().PathMatches("/api").Matches(Req("GET", "/api/x")));
}

TEST(RequestMatcherTest, HeaderNamesAreCaseInsensitiveValuesAreNot) {
  RecordedRequest r = Req(
      "GET", "/",
      {{"authorization", "token abc:def"}, {"X-Trace", "1"}, {"X-Trace", "2"}});
  EXPECT_TRUE(AnyRequest().Header("Authorization", "token abc:def").Matches(r));
  EXPECT_TRUE(AnyRequest().Header("AUTHORIZATION", "token abc:def").Matches(r));
  EXPECT_FALSE(
      AnyRequest().Header("Authorization", "Token abc:def").Matches(r));
  EXPECT_TRUE(AnyRequest().Header("x-trace", "2").Matches(r));
  EXPECT_TRUE(AnyRequest()
                  .HeaderMatches("Authorization", "token [^:]+:[^:]+")
                  .Matches(r));
  EXPECT_FALSE(
      AnyRequest().HeaderMatches("Authorization", "Bearer .+").Matches(r));
  EXPECT_TRUE(AnyRequest().HeaderPresent("x-TRACE").Matches(r));
  EXPECT_FALSE(AnyRequest().HeaderPresent("Cookie").Matches(r));
  EXPECT_TRUE(AnyRequest().HeaderAbsent("cookie").Matches(r));
  EXPECT_FALSE(AnyRequest().HeaderAbsent("Authorization").Matches(r));
  EXPECT_EQ(r.HeaderValue("AUTHORIZATION"), "token abc:def");
}

TEST(RequestMatcherTest, ExactBody) {
  RecordedRequest r = Req("POST", "/", {}, "a=1");
  EXPECT_TRUE(AnyRequest().Body("a=1").Matches(r));
  EXPECT_FALSE(AnyRequest().Body("a=1 ").Matches(r));
}

TEST(RequestMatcherTest, JsonBodySubset) {
  RecordedRequest r =
      Req("POST", "/", {},
          R"({"doctype":"ToDo","data":{"a":1,"b":[1,2]},"x":null})");
  EXPECT_TRUE(
      AnyRequest().JsonBodyIncludes(R"({"doctype":"ToDo"})").Matches(r));
  EXPECT_TRUE(
      AnyRequest().JsonBodyIncludes(R"({"data":{"b":[1,2]}})").Matches(r));
  EXPECT_TRUE(
      AnyRequest().JsonBodyIncludes(R"({"data":{"a":1.0}})").Matches(r));
  EXPECT_FALSE(
      AnyRequest().JsonBodyIncludes(R"({"data":{"b":[1]}})").Matches(r));
  EXPECT_FALSE(AnyRequest().JsonBodyIncludes(R"({"missing":1})").Matches(r));
  EXPECT_FALSE(
      AnyRequest().JsonBodyIncludes(R"({"doctype":"Note"})").Matches(r));
  EXPECT_FALSE(AnyRequest().JsonBodyIncludes("{}").Matches(
      Req("POST", "/", {}, "not json")));
}

TEST(RequestMatcherTest, JsonPointerEquality) {
  RecordedRequest r =
      Req("POST", "/", {}, R"({"data":[{"name":"I-1"}],"a/b":2})");
  EXPECT_TRUE(AnyRequest().JsonBodyAt("/data/0/name", R"("I-1")").Matches(r));
  EXPECT_TRUE(AnyRequest().JsonBodyAt("/a~1b", "2").Matches(r));
  EXPECT_FALSE(AnyRequest().JsonBodyAt("/data/0/name", R"("I-2")").Matches(r));
  EXPECT_FALSE(AnyRequest().JsonBodyAt("/data/1/name", R"("I-1")").Matches(r));
}

TEST(RequestMatcherTest, WherePredicate) {
  auto m = AnyRequest().Where(
      "body shorter than 4",
      [](const RecordedRequest& r) { return r.body.size() < 4; });
  EXPECT_TRUE(m.Matches(Req("POST", "/", {}, "abc")));
  EXPECT_FALSE(m.Matches(Req("POST", "/", {}, "abcd")));
}

TEST(RequestMatcherTest, MisuseThrowsInvalidArgument) {
  EXPECT_THROW(AnyRequest().PathMatches("(unclosed"), std::invalid_argument);
  EXPECT_THROW(AnyRequest().HeaderMatches("A", "[z-a]"), std::invalid_argument);
  EXPECT_THROW(AnyRequest().JsonBodyIncludes("{not json"),
               std::invalid_argument);
  EXPECT_THROW(AnyRequest().JsonBodyAt("no-slash", "1"), std::invalid_argument);
  EXPECT_THROW(AnyRequest().JsonBodyAt("/a", "{"), std::invalid_argument);
  EXPECT_THROW(AnyRequest().Where("x", nullptr), std::invalid_argument);
}

TEST(RequestMatcherTest, ExplainListsEachFailedConditionFieldByField) {
  auto m = GetRequest("/api/resource/Item")
               .Query("limit", "5")
               .HeaderPresent("Accept");
  RecordedRequest r = Req("POST", "/api/resource/Itme?limit=5");
  std::vector<Mismatch> why = m.Explain(r);
  ASSERT_EQ(why.size(), 3u);
  EXPECT_EQ(why[0].field, "method");
  EXPECT_EQ(why[0].expected, "GET");
  EXPECT_EQ(why[0].actual, "POST");
  EXPECT_EQ(why[1].field, "path");
  EXPECT_EQ(why[1].expected, "\"/api/resource/Item\"");
  EXPECT_EQ(why[1].actual, "\"/api/resource/Itme\"");
  EXPECT_EQ(why[2].field, "header[Accept]");
  EXPECT_EQ(why[2].actual, "(absent)");
  EXPECT_TRUE(
      m.Explain(Req("GET", "/api/resource/Item?limit=5", {{"accept", "*/*"}}))
          .empty());
}

TEST(RequestMatcherTest, ExplainNamesTheFirstJsonDifference) {
  auto m = AnyRequest().JsonBodyIncludes(R"({"data":{"qty":2}})");
  auto why = m.Explain(Req("POST", "/", {}, R"({"data":{"qty":3}})"));
  ASSERT_EQ(why.size(), 1u);
  EXPECT_NE(why[0].actual.find("/data/qty"), std::string::npos)
      << why[0].actual;
  EXPECT_NE(why[0].actual.find("3"), std::string::npos);
}

TEST(RequestMatcherTest, GetIsADeprecatedAliasOfGetRequest) {
  EXPECT_EQ(GetRequest("/x").Describe(), "method GET, path \"/x\"");
  EXPECT_EQ(PostRequest("/x").Describe(), Post("/x").Describe());
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
  const RequestMatcher old = Get("/x");
#pragma GCC diagnostic pop
  EXPECT_EQ(old.Describe(), GetRequest("/x").Describe());
}

TEST(SecretDisplayTest, TokenAuthorizationShowsShapeOnly) {
  EXPECT_EQ(DisplayHeaderValue("Authorization", "token 1234abcd:verysecret"),
            "token <key:8 chars>:<secret:redacted>");
  EXPECT_EQ(DisplayHeaderValue("authorization", "Bearer eyJhbGciOi"),
            "Bearer <credentials:redacted>");
  EXPECT_EQ(DisplayHeaderValue("Authorization", "Basic dXNlcjpwYXNz"),
            "Basic <credentials:redacted>");
  EXPECT_EQ(DisplayHeaderValue("Authorization", "justavalue"),
            "<no scheme> <credentials:redacted>");
  EXPECT_EQ(DisplayHeaderValue("Authorization", "1234abcd:verysecret"),
            "<no scheme> <key:8 chars>:<secret:redacted>");
  EXPECT_EQ(DisplayHeaderValue("X-Api-Key", "1234abcd:verysecret"),
            "<redacted>");
  EXPECT_EQ(DisplayHeaderValue("Cookie", "sid=abc; system_user=yes"),
            "sid=<redacted>; system_user=<redacted>");
  EXPECT_EQ(DisplayHeaderValue("X-Api-Key", "k"), "<redacted>");
  EXPECT_EQ(DisplayHeaderValue("Accept", "application/json"),
            "application/json");
}

// Frappe wants "Authorization: token <key>:<secret>"; a client that forgets
// "token " must see that in the diff, and nothing of the credentials.
TEST(SecretDisplayTest, AMissingAuthSchemeIsNamedWithoutShowingTheSecret) {
  const std::string key = "q7Zx9KpWmR";
  const std::string secret = "Vb3nJ8tYcL5hGd2F";
  const auto m = GetRequest("/api/method/ping")
                     .Header("Authorization", "token " + key + ":" + secret);
  const RecordedRequest r =
      Req("GET", "/api/method/ping", {{"Authorization", key + ":" + secret}});
  const std::vector<Mismatch> why = m.Explain(r);
  ASSERT_EQ(why.size(), 1u);
  EXPECT_EQ(why[0].expected, "\"token <key:10 chars>:<secret:redacted>\"");
  EXPECT_EQ(why[0].actual,
            "\"<no scheme> <key:10 chars>:<secret:redacted>\" (scheme "
            "differs: expected \"token\", got none, key matches, secret "
            "matches; values not shown)");
  std::string text = m.Describe() + DescribeRequest(r);
  for (const Mismatch& x : why) text += x.field + x.expected + x.actual;
  // No piece of the key or the secret, however short.
  for (const std::string& s : {key, secret}) {
    for (std::size_t i = 0; i + 3 <= s.size(); ++i) {
      EXPECT_EQ(text.find(s.substr(i, 3)), std::string::npos)
          << s.substr(i, 3) << " in " << text;
    }
  }
}

TEST(SecretDisplayTest, UserListedHeadersAreSecret) {
  // (X-Signature is secret by name since issue 16: pre-signed URLs.)
  SecretHeaders secrets{{"X-Session-Id"}};
  EXPECT_EQ(DisplayHeaderValue("x-session-id", kCanary, secrets), "<redacted>");
  EXPECT_EQ(DisplayHeaderValue("x-session-id", kCanary), kCanary);
  EXPECT_EQ(DisplayHeaderValue("X-Signature", kCanary), "<redacted>");
}

TEST(SecretDisplayTest, TargetsAndBodiesRedactSecretNames) {
  EXPECT_EQ(DisplayTarget(std::string("/x?api_key=") + kCanary + "&limit=5"),
            "/x?api_key=<redacted>&limit=5");
  std::string json_body = std::string(R"({"usr":"a","pwd":"x","password":")") +
                          kCanary + R"(","nested":{"api_secret":")" + kCanary +
                          R"("}})";
  std::string shown = DisplayBody(json_body);
  EXPECT_EQ(shown.find(kCanary), std::string::npos) << shown;
  EXPECT_NE(shown.find("\"usr\":\"a\""), std::string::npos) << shown;
  EXPECT_EQ(DisplayBody(std::string("usr=a&password=") + kCanary),
            "usr=a&password=<redacted>");
  // Frappe's login field.
  EXPECT_EQ(
      DisplayBody(std::string(R"({"pwd":")") + kCanary + R"(","usr":"a"})"),
      R"({"pwd":"<redacted>","usr":"a"})");
}

TEST(SecretDisplayTest, CanaryNeverInDescribeOrExplain) {
  std::string auth = std::string("token 1234abcd:") + kCanary;
  auto m =
      GetRequest("/a")
          .Header("Authorization", auth)
          .Header("Cookie", std::string("sid=") + kCanary)
          .Header("X-Api-Key", kCanary)
          .Query("api_key", kCanary)
          .JsonBodyAt("/password", std::string("\"") + kCanary + "\"")
          .JsonBodyIncludes(std::string(R"({"token":")") + kCanary + "\"}");
  RecordedRequest r = Req("GET", std::string("/b?api_key=") + kCanary + "x",
                          {{"Authorization", auth + "x"},
                           {"Cookie", std::string("sid=") + kCanary + "x"},
                           {"X-Api-Key", std::string(kCanary) + "x"}},
                          std::string(R"({"password":")") + kCanary +
                              R"(x","token":")" + kCanary + R"(x"})");
  std::string text = m.Describe() + DescribeRequest(r);
  for (const Mismatch& x : m.Explain(r)) {
    text += x.field + x.expected + x.actual;
  }
  EXPECT_EQ(text.find(kCanary), std::string::npos) << text;
  EXPECT_NE(text.find("token <key:8 chars>:<secret:redacted>"),
            std::string::npos);
  EXPECT_NE(text.find("secret differs"), std::string::npos) << text;
}

}  // namespace
}  // namespace perfcheck::contract
