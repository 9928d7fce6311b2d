// Not a test: a gtest perf test that cli_canary_test runs against a server
// echoing the credentials it receives inside malformed status lines. Each
// test loads the server with one kind of credential, prints and records the
// error examples as a user might, and fails its SLAs on purpose, so failure
// messages, properties, the results and candidate files are all written.
// None may contain the secret. Linked with perfcheck::gtest_main.
//
// Environment: PERFCHECK_PROBE_URL (the echo server), PERFCHECK_PROBE_SECRET
// (the credential), PERFCHECK_PROBE_USERINFO_URL (the server's URL with
// user:password). Any missing is a failure.
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "perfcheck/gtest.h"
#include "perfcheck/http/load.h"

namespace {

using namespace std::chrono_literals;
using perfcheck::http::HttpLoadResult;
using perfcheck::http::Request;
using perfcheck::http::Target;

std::string Env(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') {
    ADD_FAILURE() << name << " is not set";
    return "http://127.0.0.1:1";
  }
  return value;
}

HttpLoadResult LoadAndReport(const std::string& name, const Target& target,
                             std::vector<Request> requests = {
                                 Request::Get("/")}) {
  perfcheck::http::LoadOptions o;
  o.name = name;
  o.connections = 1;
  o.max_requests = 4;
  o.request_timeout = 5s;
  HttpLoadResult r = perfcheck::http::Load(target, requests, o);
  // What a user prints and records when a run fails.
  for (const auto& [category, errors] : r.aggregate.errors) {
    for (const std::string& example : errors.examples) {
      std::cout << name << " " << category << ": " << example << "\n";
      ::testing::Test::RecordProperty(name + "." + category, example);
    }
  }
  EXPECT_ERROR_RATE_BELOW(r, 0.01) << "deliberate failure";
  EXPECT_P95_BELOW(r, 1ns) << "deliberate failure";
  EXPECT_NO_REGRESSION(r);
  for (const auto& [endpoint, result] : r.endpoints) {
    EXPECT_ERROR_RATE_BELOW(result, 0.01) << "deliberate failure";
  }
  return r;
}

TEST(EchoProbe, Bearer) {
  LoadAndReport(
      "bearer",
      Target(Env("PERFCHECK_PROBE_URL")).Bearer(Env("PERFCHECK_PROBE_SECRET")));
}

TEST(EchoProbe, KeyAndSecret) {
  LoadAndReport("token",
                Target(Env("PERFCHECK_PROBE_URL"))
                    .FrappeToken("key12", Env("PERFCHECK_PROBE_SECRET")));
}

TEST(EchoProbe, Cookie) {
  LoadAndReport(
      "cookie",
      Target(Env("PERFCHECK_PROBE_URL"))
          .AddHeader("Cookie", "sid=" + Env("PERFCHECK_PROBE_SECRET")));
}

TEST(EchoProbe, UserinfoInTheUrl) {
  LoadAndReport("userinfo", Target(Env("PERFCHECK_PROBE_USERINFO_URL")));
}

TEST(EchoProbe, SecretQueryParameters) {
  const std::string secret = Env("PERFCHECK_PROBE_SECRET");
  LoadAndReport(
      "query", Target(Env("PERFCHECK_PROBE_URL")),
      {Request::Get("/api?token=" + perfcheck::http::PercentEncode(secret) +
                    "&page=1"),
       Request::Get("/login").Query("api_key", secret)});
}

}  // namespace
