#include "perfcheck/redaction.h"

#include <gtest/gtest.h>

#include <string>

namespace perfcheck {
namespace {

TEST(IsSecretNameTest, SecretNames) {
  for (const char* name : {"Authorization", "authorization",
                           "AUTHORIZATION", "Proxy-Authorization",
                           "password",      "DB_PASSWORD",
                           "PassWord",      "passwd",
                           "client_secret", "X-Api-Secret",
                           "token",         "access_token",
                           "X-Auth-Token",  "api-key",
                           "X-API-KEY",     "api_key",
                           "ApiKey",        "Cookie",
                           "Set-Cookie",    "credential",
                           "Credentials",   "private-key",
                           "PRIVATE_KEY"}) {
    EXPECT_TRUE(IsSecretName(name)) << name;
  }
}

TEST(IsSecretNameTest, OrdinaryNames) {
  for (const char* name :
       {"", "Content-Type", "Accept", "Host", "user", "username", "threads",
        "duration", "url", "api", "key", "private", "X-Request-Id", "pass",
        "sslmode", "keyboard"}) {
    EXPECT_FALSE(IsSecretName(name)) << name;
  }
}

TEST(RedactIfSecretTest, RedactsOnlySecretNames) {
  EXPECT_EQ(RedactIfSecret("Authorization", "token abc:def"), kRedacted);
  EXPECT_EQ(RedactIfSecret("x-api-key", "k"), kRedacted);
  EXPECT_EQ(RedactIfSecret("Content-Type", "application/json"),
            "application/json");
  EXPECT_EQ(RedactIfSecret("threads", ""), "");
}

TEST(RedactUrlTest, PostgresDsnWithPasswordAndSecretQuery) {
  EXPECT_EQ(RedactUrl("postgresql://user:pa%40ss@host:5432/db?sslmode=require&"
                      "password=x"),
            "postgresql://user:<redacted>@host:5432/db?sslmode=require&"
            "password=<redacted>");
}

TEST(RedactUrlTest, UserinfoPassword) {
  EXPECT_EQ(RedactUrl("https://alice:s3cret@example.com/path"),
            "https://alice:<redacted>@example.com/path");
  EXPECT_EQ(RedactUrl("mysql://root:pw@127.0.0.1:3306"),
            "mysql://root:<redacted>@127.0.0.1:3306");
  // An unencoded '@' in the password: the last '@' of the authority ends it.
  EXPECT_EQ(RedactUrl("postgres://u:p@ss@db/x"),
            "postgres://u:<redacted>@db/x");
  // A password containing ':' is redacted whole.
  EXPECT_EQ(RedactUrl("ftp://u:a:b:c@h"), "ftp://u:<redacted>@h");
}

TEST(RedactUrlTest, UrlsWithoutSecretsAreByteIdentical) {
  for (const char* url :
       {"https://example.com", "https://example.com/",
        "http://host:8080/a/b?c=d", "https://user@example.com/x",
        "https://u:@h/", "https://h/p@x:y", "https://h/search?q=token&page=2",
        "https://h/?a=1&&b=&c", "postgresql://host/db?sslmode=require#frag",
        "https://h/a%20b?x=%41%42", "/api/resource/Item?limit=20"}) {
    EXPECT_EQ(RedactUrl(url), url) << url;
  }
}

TEST(RedactUrlTest, SecretQueryParameters) {
  EXPECT_EQ(RedactUrl("https://h/p?api_key=abc&x=1"),
            "https://h/p?api_key=<redacted>&x=1");
  EXPECT_EQ(RedactUrl("https://h/p?x=1&Access_Token=abc"),
            "https://h/p?x=1&Access_Token=<redacted>");
  EXPECT_EQ(RedactUrl("https://h/p?TOKEN=a&token=b&secret="),
            "https://h/p?TOKEN=<redacted>&token=<redacted>&secret=<redacted>");
  // Percent-encoded names are decoded before the check.
  EXPECT_EQ(RedactUrl("https://h/p?pass%77ord=abc&api%5Fkey=k"),
            "https://h/p?pass%77ord=<redacted>&api%5Fkey=<redacted>");
  // A flag without '=' has no value to hide.
  EXPECT_EQ(RedactUrl("https://h/p?token"), "https://h/p?token");
}

TEST(RedactUrlTest, FragmentTokens) {
  EXPECT_EQ(RedactUrl("https://app/cb#access_token=abc&state=xyz"),
            "https://app/cb#access_token=<redacted>&state=xyz");
  EXPECT_EQ(RedactUrl("https://app/cb?x=1#token=t"),
            "https://app/cb?x=1#token=<redacted>");
  // A '?' after '#' belongs to the fragment.
  EXPECT_EQ(RedactUrl("https://app/#a?password=p"),
            "https://app/#a?password=<redacted>");
}

TEST(RedactUrlTest, RequestTargets) {
  EXPECT_EQ(RedactUrl("/api/method/login?usr=admin&api_secret=y"),
            "/api/method/login?usr=admin&api_secret=<redacted>");
  EXPECT_EQ(RedactUrl("?token=abc"), "?token=<redacted>");
}

TEST(RedactUrlTest, BothUserinfoAndQuery) {
  EXPECT_EQ(RedactUrl("amqp://guest:guest@rabbit:5672/vhost?heartbeat=30&"
                      "credentials=c#x"),
            "amqp://guest:<redacted>@rabbit:5672/vhost?heartbeat=30&"
            "credentials=<redacted>#x");
}

TEST(RedactUrlTest, NonUrlTextIsUnchanged) {
  for (const char* text :
       {"", "hello", "password=x", "not a url: a:b@c", "1://x:y@z",
        "host=db password=secret", "://u:p@h"}) {
    EXPECT_EQ(RedactUrl(text), text) << text;
  }
}

TEST(IsSecretNameTest, PresignedUrlSignatures) {
  EXPECT_TRUE(IsSecretName("X-Amz-Signature"));
  EXPECT_TRUE(IsSecretName("signature"));
  EXPECT_EQ(RedactUrl("/file?X-Amz-Signature=SECRETCANARY2&x=1"),
            "/file?X-Amz-Signature=<redacted>&x=1");
}

// Issue 16: a libpq keyword/value string given where a URL was expected
// must not be quoted with its password.
TEST(RedactConnectionStringTest, LibpqKeywordValues) {
  EXPECT_EQ(RedactConnectionString(
                "host=127.0.0.1 port=5432 password=SECRETCANARY2 user=u"),
            "host=127.0.0.1 port=5432 password=<redacted> user=u");
  EXPECT_EQ(RedactConnectionString(
                "host=db password='SECRET CANARY2 \\' x' dbname=d"),
            "host=db password=<redacted> dbname=d");
  EXPECT_EQ(RedactConnectionString("host=db password = \"SECRETCANARY2\""),
            "host=db password = <redacted>");
  EXPECT_EQ(RedactConnectionString("Server=db;Password=SECRETCANARY2;Db=x"),
            "Server=db;Password=<redacted>;Db=x");
  EXPECT_EQ(RedactConnectionString("host=db password='unterminated SECRET"),
            "host=db password=<redacted>");
}

TEST(RedactConnectionStringTest, UrlsAndPlainText) {
  EXPECT_EQ(RedactConnectionString("postgresql://u:SECRETCANARY2@h/db?"
                                   "sslmode=require&password=SECRETCANARY3"),
            "postgresql://u:<redacted>@h/db?sslmode=require&"
            "password=<redacted>");
  for (const char* text : {"", "hello", "host=db port=5", "a=b=c", "=x",
                           "sqlite:relative/path.db"}) {
    EXPECT_EQ(RedactConnectionString(text), text) << text;
  }
}

TEST(KnownSecretsTest, EveryFormOfACredential) {
  KnownSecrets secrets;
  secrets.AddHeaderValue("token KEYCANARY1:SECRETCANARY2");
  secrets.AddHeaderValue("Bearer BEARERCANARY3");
  // base64("alice:PASSCANARY4")
  secrets.AddHeaderValue("Basic YWxpY2U6UEFTU0NBTkFSWTQ=");
  secrets.AddHeaderValue("sid=COOKIECANARY5; theme=dark");
  for (const char* echoed :
       {"token KEYCANARY1:SECRETCANARY2", "KEYCANARY1:SECRETCANARY2",
        "SECRETCANARY2", "KEYCANARY1", "Bearer BEARERCANARY3", "BEARERCANARY3",
        "YWxpY2U6UEFTU0NBTkFSWTQ=", "alice:PASSCANARY4", "PASSCANARY4",
        "sid=COOKIECANARY5", "COOKIECANARY5"}) {
    const std::string text =
        "malformed status line 'HTTP/1.1 " + std::string(echoed) + "'";
    const std::string shown = secrets.Redact(text);
    EXPECT_EQ(shown.find("CANARY"), std::string::npos) << shown;
    EXPECT_EQ(shown.find("YWxpY2U6UEFTU0"), std::string::npos) << shown;
    EXPECT_NE(shown.find(kRedacted), std::string::npos) << shown;
  }
  // The scheme word alone is not a secret; text around a secret stays.
  EXPECT_EQ(secrets.Redact("x Bearer y BEARERCANARY3 z"),
            "x Bearer y <redacted> z");
  // Overlapping or adjacent secrets become one marker.
  EXPECT_EQ(secrets.Redact("KEYCANARY1SECRETCANARY2"), "<redacted>");
}

// A server may echo a credential percent-encoded (in a Location, an error
// page) or a key pair as the base64 of "key:secret": each form is known.
TEST(KnownSecretsTest, PercentEncodedAndBase64FormsAreKnown) {
  KnownSecrets secrets;
  secrets.AddHeaderValue("Bearer CANARY/7f+3e");
  secrets.AddHeaderValue("token KEY1CANARY:SECRET/2");
  secrets.Add("p@ss word!CANARY");
  for (const char* echoed :
       {"CANARY%2F7f%2B3e", "CANARY%2f7f%2b3e", "SECRET%2F2", "SECRET%2f2",
        // base64("KEY1CANARY:SECRET/2")
        "S0VZMUNBTkFSWTpTRUNSRVQvMg==", "p%40ss%20word%21CANARY",
        "p%40ss%20word%21CANARY"}) {
    const std::string shown = secrets.Redact(std::string("x ") + echoed + " y");
    EXPECT_EQ(shown, "x <redacted> y") << echoed;
  }
}

TEST(KnownSecretsTest, ShortStringsAndEmptySetsLeaveTextAlone) {
  KnownSecrets secrets;
  EXPECT_TRUE(secrets.empty());
  EXPECT_EQ(secrets.Redact("HTTP/1.1 200"), "HTTP/1.1 200");
  secrets.Add("1.1");  // shorter than kMinLength: would match everywhere
  EXPECT_TRUE(secrets.empty());
  secrets.AddHeaderValue("Bearer 200");  // only the whole value is kept
  EXPECT_EQ(secrets.Redact("HTTP/1.1 200"), "HTTP/1.1 200");
  secrets.Add("SECRETCANARY2");
  EXPECT_EQ(secrets.Redact("a SECRETCANARY2 b SECRETCANARY2"),
            "a <redacted> b <redacted>");
}

}  // namespace
}  // namespace perfcheck
