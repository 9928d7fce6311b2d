// Issue 16: a server that echoes a credential back inside a malformed status
// line, header line or Content-Length must not get it into any error example,
// endpoint key or result file; nor may a secret-named query parameter.
#include <functional>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "perfcheck/http/load.h"
#include "perfcheck/redaction.h"
#include "perfcheck/result_json.h"
#include "test_servers.h"

namespace perfcheck::http {
namespace {

using testing::RawServer;

// Where the server puts the echoed text.
enum class Echo { kStatusLine, kHeaderLine, kContentLength };

// The value of header `name` in request head `head`, "" when absent.
std::string HeaderValue(const std::string& head, const std::string& name) {
  const std::string key = "\r\n" + name + ": ";
  const std::size_t at = head.find(key);
  if (at == std::string::npos) return "";
  const std::size_t begin = at + key.size();
  return head.substr(begin, head.find("\r\n", begin) - begin);
}

// Everything a run writes that a user may see.
std::string AllOutput(const HttpLoadResult& r) {
  std::string text = ResultToJson(r.aggregate);
  for (const auto& [name, endpoint] : r.endpoints) {
    text += name + "\n" + ResultToJson(endpoint);
  }
  return text;
}

struct Case {
  const char* what;
  std::string base_url;
  std::function<void(Target&)> auth;
  std::string path = "/";
  // What the server sends back: the named request header's value, its part
  // after the scheme, or a fixed string.
  std::string echoed_header;
  bool after_scheme = false;
  std::string fixed;
};

std::vector<Case> Cases(const std::string& url, const std::string& userinfo) {
  const std::string long_token(80, 'T');
  return {
      {"frappe token, whole value", url,
       [](Target& t) { t.FrappeToken("KEYCANARY1", "SECRETCANARY2"); }, "/",
       "Authorization"},
      {"frappe token, key:secret", url,
       [](Target& t) { t.FrappeToken("KEYCANARY1", "SECRETCANARY2"); }, "/",
       "Authorization", true},
      {"frappe token, secret alone", url,
       [](Target& t) { t.FrappeToken("KEYCANARY1", "SECRETCANARY2"); }, "/", "",
       false, "SECRETCANARY2"},
      {"bearer, whole value", url, [](Target& t) { t.Bearer("BEARERCANARY3"); },
       "/", "Authorization"},
      {"bearer, token alone", url, [](Target& t) { t.Bearer("BEARERCANARY3"); },
       "/", "Authorization", true},
      // Longer than the 40-character excerpt: no prefix of it may survive.
      {"long bearer cut by the excerpt", url,
       [long_token](Target& t) { t.Bearer("CANARY" + long_token); }, "/",
       "Authorization"},
      {"basic from the URL, base64", userinfo, [](Target&) {}, "/",
       "Authorization", true},
      {"basic from the URL, decoded", userinfo, [](Target&) {}, "/", "", false,
       "alice:PASSCANARY4"},
      {"basic from the URL, password alone", userinfo, [](Target&) {}, "/", "",
       false, "PASSCANARY4"},
      {"cookie", url,
       [](Target& t) { t.AddHeader("Cookie", "sid=COOKIECANARY5"); }, "/",
       "Cookie"},
      {"cookie value alone", url,
       [](Target& t) { t.AddHeader("Cookie", "sid=COOKIECANARY5"); }, "/", "",
       false, "COOKIECANARY5"},
      {"api key header", url,
       [](Target& t) { t.ApiKey("X-Api-Key", "APIKEYCANARY6"); }, "/",
       "X-Api-Key"},
      {"secret query parameter", url, [](Target&) {},
       "/api?api_key=QUERYCANARY7&token=QUERYCANARY8&page=2", "", false,
       "QUERYCANARY7 QUERYCANARY8"},
  };
}

TEST(HttpEchoedSecretsTest, NoCredentialSurvivesInAnyEchoForm) {
  for (Echo echo :
       {Echo::kStatusLine, Echo::kHeaderLine, Echo::kContentLength}) {
    // The server learns the case from a request header the test adds.
    std::vector<Case> cases;
    RawServer server([&](int fd) {
      std::string head;
      while (RawServer::ReadRequest(fd, &head)) {
        const Case& c = cases[static_cast<std::size_t>(
            std::stoi(HeaderValue(head, "X-Case")))];
        std::string text = c.fixed;
        if (!c.echoed_header.empty()) {
          text = HeaderValue(head, c.echoed_header);
          if (c.after_scheme) text = text.substr(text.find(' ') + 1);
        }
        std::string response;
        switch (echo) {
          case Echo::kStatusLine:
            response = "HTTP/1.1 " + text + "\r\n\r\n";
            break;
          case Echo::kHeaderLine:
            response = "HTTP/1.1 200 OK\r\n: " + text + "\r\n\r\n";
            break;
          case Echo::kContentLength:
            response =
                "HTTP/1.1 200 OK\r\nContent-Length: " + text + "\r\n\r\n";
            break;
        }
        RawServer::SendAll(fd, response);
      }
    });
    const std::string url = server.url();
    cases = Cases(url, "http://alice:PASSCANARY4@127.0.0.1:" +
                           std::to_string(server.port()));
    for (std::size_t i = 0; i < cases.size(); ++i) {
      const Case& c = cases[i];
      SCOPED_TRACE(std::string(c.what) + ", echo form " +
                   std::to_string(static_cast<int>(echo)));
      Target target(c.base_url);
      c.auth(target);
      const HttpLoadResult r = Load(
          target, {Request::Get(c.path).AddHeader("X-Case", std::to_string(i))},
          {.connections = 1, .max_requests = 2});
      ASSERT_EQ(r.aggregate.errors.count("protocol"), 1u)
          << "the echo must be a protocol error: " << AllOutput(r);
      const std::string example =
          r.aggregate.errors.at("protocol").examples.at(0);
      EXPECT_NE(example.find(kRedacted), std::string::npos) << example;
      const std::string all = AllOutput(r);
      EXPECT_EQ(all.find("CANARY"), std::string::npos) << all;
      EXPECT_EQ(all.find("TTTTTTTT"), std::string::npos) << all;
      EXPECT_EQ(all.find("YWxpY2U6UEFTU0NBTkFSWTQ"), std::string::npos)
          << "base64 of alice:PASSCANARY4\n"
          << all;
    }
  }
}

TEST(HttpEchoedSecretsTest, SecretQueryValuesStayOutOfEndpointKeys) {
  RawServer server([](int fd) {
    while (RawServer::ReadRequest(fd)) {
      RawServer::SendAll(fd, "HTTP/1.1 500 Oops\r\nContent-Length: 0\r\n\r\n");
    }
  });
  const HttpLoadResult r =
      Load(Target(server.url()),
           {Request::Get("/api?api_key=QUERYCANARY7&page=2"),
            Request::Get("/login").Query("password", "QUERYCANARY8")},
           {.connections = 1, .max_requests = 4});
  EXPECT_EQ(r.endpoints.count("GET /api?api_key=<redacted>&page=2"), 1u);
  const std::string all = AllOutput(r);
  EXPECT_EQ(all.find("CANARY"), std::string::npos) << all;
  EXPECT_NE(all.find("HTTP 500 from GET /api?api_key=<redacted>&page=2"),
            std::string::npos)
      << all;
}

}  // namespace
}  // namespace perfcheck::http
