// Targets, requests and the response parser: pure functions, no sockets.
#include <string>

#include "gtest/gtest.h"
#include "http/response_parser.h"
#include "http/schedule.h"
#include "perfcheck/http/request.h"
#include "perfcheck/http/target.h"

namespace perfcheck::http {
namespace {

using internal::ResponseParser;
using namespace std::chrono_literals;

TEST(HttpTargetTest, ParsesBaseUrls) {
  Target t("https://Example.com:8443/base/");
  EXPECT_EQ(t.scheme(), "https");
  EXPECT_EQ(t.host(), "Example.com");
  EXPECT_EQ(t.port(), 8443);
  EXPECT_EQ(t.base_path(), "/base");
  EXPECT_TRUE(t.tls());
  EXPECT_EQ(t.HostHeaderValue(), "Example.com:8443");
  EXPECT_EQ(Target("http://h").port(), 80);
  EXPECT_EQ(Target("http://h").HostHeaderValue(), "h");
  EXPECT_EQ(Target("https://h").port(), 443);
  EXPECT_EQ(Target("http://[::1]:9000").host(), "::1");
  EXPECT_EQ(Target("http://[::1]:9000").HostHeaderValue(), "[::1]:9000");
}

TEST(HttpTargetTest, RejectsBadUrlsWithClearMessages) {
  for (const char* bad : {"", "127.0.0.1:8000", "ftp://h", "http://",
                          "http://h:0", "http://h:99999", "http://h:x",
                          "http://h/a?b=1", "http://h h", "http://[::1"}) {
    StatusOr<Target> t = Target::Parse(bad);
    EXPECT_FALSE(t.ok()) << bad;
    EXPECT_THROW(Target{bad}, std::invalid_argument) << bad;
  }
  EXPECT_EQ(Target::Parse("ftp://h").status().message(),
            "base URL 'ftp://h': unsupported scheme 'ftp' (use http or https)");
  // A password in the URL is never echoed.
  const std::string m =
      Target::Parse("http://u:hunter2@h:bad").status().message();
  EXPECT_EQ(m.find("hunter2"), std::string::npos) << m;
}

TEST(HttpTargetTest, AuthHelpersAreSecrets) {
  Target t("http://h");
  t.FrappeToken("key", "canary-secret")
      .HostHeader("site1")
      .AddHeader("X-Trace", "1");
  ASSERT_EQ(t.headers().size(), 2u);
  EXPECT_EQ(t.headers()[0].value, "token key:canary-secret");
  EXPECT_TRUE(t.headers()[0].secret);
  EXPECT_FALSE(t.headers()[1].secret);
  EXPECT_EQ(t.RedactedHeaders()[0].value, "<redacted>");
  EXPECT_EQ(t.RedactedHeaders()[1].value, "1");
  EXPECT_EQ(t.HostHeaderValue(), "site1");
  EXPECT_EQ(t.Describe(), "http://h:80 (Host: site1)");
  t.Bearer("tok");  // replaces the Authorization header
  ASSERT_EQ(t.headers().size(), 2u);
  EXPECT_EQ(t.headers()[0].value, "Bearer tok");
  t.Basic("Aladdin", "open sesame");
  EXPECT_EQ(t.headers()[0].value, "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
  t.ApiKey("X-Custom", "k");
  EXPECT_TRUE(t.headers().back().secret);
  Target u("http://user:pw@h");
  EXPECT_EQ(u.headers()[0].value, "Basic dXNlcjpwdw==");
  // Userinfo is percent-decoded before it is sent, as curl does: base64 of
  // "al ice:p@ss".
  Target v("http://al%20ice:p%40ss@h");
  EXPECT_EQ(v.headers()[0].value, "Basic YWwgaWNlOnBAc3M=");
  // A malformed escape is an error that never shows the password.
  const StatusOr<Target> bad = Target::Parse("http://u:hunter%zz2@h");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("bad percent-encoding"),
            std::string::npos)
      << bad.status().message();
  EXPECT_EQ(bad.status().message().find("hunter"), std::string::npos)
      << bad.status().message();
  EXPECT_THROW(t.AddHeader("Bad Name", "v"), std::invalid_argument);
  EXPECT_THROW(t.AddHeader("X", "a\r\nInjected: 1"), std::invalid_argument);
  // Framing is perfcheck's: a second Content-Length or a Connection header
  // would desynchronise keep-alive connections.
  for (const char* framing : {"Content-Length", "transfer-encoding",
                              "CONNECTION", "Keep-Alive", "Upgrade", "TE"}) {
    EXPECT_THROW(t.AddHeader(framing, "5"), std::invalid_argument) << framing;
  }
  EXPECT_NO_THROW(t.AddHeader("Content-Type", "application/json"));
}

TEST(HttpRequestTest, PercentEncoding) {
  EXPECT_EQ(PercentEncode("Sales Order/1"), "Sales%20Order%2F1");
  EXPECT_EQ(PercentEncode("a/b c", "/"), "a/b%20c");
  EXPECT_EQ(PercentEncode("AZaz09-._~"), "AZaz09-._~");
  EXPECT_EQ(PercentEncode("\xc3\xa9"), "%C3%A9");
}

TEST(HttpRequestTest, SerializesRequests) {
  Target t("http://h:8080/api");
  t.AddHeader("Accept", "*/*");
  Request r = Request::Post("/resource/" + PercentEncode("Sales Order"), "{}")
                  .Query("limit", "10")
                  .Query("filters", "[a b]")
                  .AddHeader("Accept", "application/json");
  EXPECT_EQ(r.DisplayName(), "POST /resource/Sales%20Order");
  EXPECT_EQ(r.Serialize(t),
            "POST /api/resource/Sales%20Order?limit=10&filters=%5Ba%20b%5D "
            "HTTP/1.1\r\n"
            "Host: h:8080\r\n"
            "Accept: application/json\r\n"
            "Content-Type: application/json\r\n"
            "Content-Length: 2\r\n\r\n{}");
  EXPECT_EQ(Request::Get("/x").Named("x").DisplayName(), "x");
  EXPECT_THROW(Request::Get("x").Serialize(t), std::invalid_argument);
  EXPECT_THROW(Request::Make("G ET", "/").Serialize(t), std::invalid_argument);
  // Only RFC 9110 token characters make a method.
  EXPECT_THROW(Request::Make("G@T", "/").Serialize(t), std::invalid_argument);
  EXPECT_THROW(Request::Make("GET(", "/").Serialize(t), std::invalid_argument);
  EXPECT_NO_THROW(Request::Make("PROPFIND", "/").Serialize(t));
  EXPECT_NO_THROW(Request::Make("M-SEARCH", "/").Serialize(t));
  EXPECT_THROW(Request::Get("/").AddHeader("Content-Length", "0").Serialize(t),
               std::invalid_argument);
}

// Feeds `text` one byte at a time, as the worst possible network would.
ResponseParser FeedBytewise(std::string_view text,
                            std::string* body = nullptr) {
  ResponseParser p;
  p.Reset();
  if (body) p.Capture(body, 1 << 20);
  for (char c : text) {
    if (p.done() || p.failed()) break;
    p.Feed(&c, 1);
  }
  return p;
}

TEST(ResponseParserTest, ContentLengthInOneOrManyPieces) {
  const std::string resp =
      "HTTP/1.1 201 Created\r\nContent-Length: 5\r\n\r\nhello";
  ResponseParser p;
  p.Reset();
  EXPECT_EQ(p.Feed(resp.data(), resp.size()), resp.size());
  EXPECT_TRUE(p.done());
  EXPECT_EQ(p.status(), 201);
  EXPECT_TRUE(p.keep_alive());
  std::string body;
  ResponseParser q = FeedBytewise(resp, &body);
  EXPECT_TRUE(q.done());
  EXPECT_EQ(body, "hello");
}

TEST(ResponseParserTest, StopsAtTheEndOfOneResponse) {
  const std::string two =
      "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\naHTTP/1.1 200 OK\r\n";
  ResponseParser p;
  p.Reset();
  EXPECT_EQ(p.Feed(two.data(), two.size()), 39u);
  EXPECT_TRUE(p.done());
}

TEST(ResponseParserTest, Chunked) {
  std::string body;
  ResponseParser p = FeedBytewise(
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
      "5;ext=1\r\nhello\r\nA\r\n0123456789\r\n0\r\nTrailer: x\r\n\r\n",
      &body);
  EXPECT_TRUE(p.done());
  EXPECT_EQ(body, "hello0123456789");
}

TEST(ResponseParserTest, GarbageIsAProtocolError) {
  for (const char* bad :
       {"HTTP/1.1 OK\r\n\r\n", "HTTP/2 200 OK\r\n\r\n", "garbage\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n",
        "HTTP/1.1 200 OK\r\nNoColon\r\n\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n"}) {
    ResponseParser p = FeedBytewise(bad);
    EXPECT_TRUE(p.failed()) << bad;
    EXPECT_FALSE(p.error().empty());
  }
}

TEST(ResponseParserTest, ConnectionSemantics) {
  EXPECT_FALSE(
      FeedBytewise(
          "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n")
          .keep_alive());
  EXPECT_FALSE(FeedBytewise("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n")
                   .keep_alive());
  EXPECT_TRUE(FeedBytewise("HTTP/1.0 200 OK\r\nConnection: "
                           "keep-alive\r\nContent-Length: 0\r\n\r\n")
                  .keep_alive());
  ResponseParser until_close = FeedBytewise("HTTP/1.1 200 OK\r\n\r\nsome body");
  EXPECT_FALSE(until_close.done());
  EXPECT_TRUE(until_close.FinishOnEof());
  ResponseParser cut =
      FeedBytewise("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc");
  EXPECT_FALSE(cut.FinishOnEof());
  EXPECT_TRUE(FeedBytewise("HTTP/1.1 204 No Content\r\n\r\n").done());
  EXPECT_TRUE(FeedBytewise("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 "
                           "OK\r\nContent-Length: 0\r\n\r\n")
                  .done());
  ResponseParser head;
  head.Reset(/*head=*/true);
  const std::string r = "HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n";
  head.Feed(r.data(), r.size());
  EXPECT_TRUE(head.done());
}

TEST(ResponseParserTest, BodyLimit) {
  ResponseParser p;
  p.Reset();
  p.set_max_body_bytes(4);
  const std::string r = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";
  p.Feed(r.data(), r.size());
  EXPECT_TRUE(p.failed());
}

TEST(ScheduleTest, PiecewiseLinearTargets) {
  const std::vector<Stage> stages = {{10s, 100}, {10s, 100}, {5s, 0}};
  EXPECT_DOUBLE_EQ(internal::TargetAt(stages, 0, 0), 0);
  EXPECT_DOUBLE_EQ(internal::TargetAt(stages, 0, 5'000'000'000), 50);
  EXPECT_DOUBLE_EQ(internal::TargetAt(stages, 0, 15'000'000'000), 100);
  EXPECT_DOUBLE_EQ(internal::TargetAt(stages, 0, 22'500'000'000), 50);
  EXPECT_DOUBLE_EQ(internal::TargetAt(stages, 0, 99'000'000'000), 0);
  EXPECT_DOUBLE_EQ(internal::TargetAt({}, 7, 1), 7);
  EXPECT_DOUBLE_EQ(internal::MaxTarget(stages, 10), 100);
  Nanos next = 0;
  double need = 1;
  EXPECT_TRUE(internal::NextDue({}, 100, 2, 0, &need, &next));
  EXPECT_EQ(next, 20'000'000);  // 50/s per thread
  // 0 -> 100/s over 10 s: the first request is due when the integral
  // 5 t^2 reaches 1, at t = sqrt(0.2) s (1 ms integration steps).
  need = 1;
  EXPECT_TRUE(internal::NextDue(stages, 0, 1, 0, &need, &next));
  EXPECT_NEAR(static_cast<double>(next), 447'213'595.0, 2'000'000.0);
  need = 1;
  EXPECT_FALSE(internal::NextDue({}, 0, 1, 0, &need, &next));  // rate 0
  EXPECT_EQ(next, 10'000'000'000);
}

}  // namespace
}  // namespace perfcheck::http
