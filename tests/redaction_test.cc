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

}  // namespace
}  // namespace perfcheck
