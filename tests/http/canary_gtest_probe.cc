// Not a test: a gtest binary that cli_test runs with --gtest_output=xml. It
// loads a server with a canary bearer token and fails an SLA on purpose, so
// the failure message and the recorded properties are written to the XML,
// which must not contain the canary. Usage: canary_gtest_probe URL TOKEN.
#include <chrono>
#include <string>

#include "gtest/gtest.h"
#include "perfcheck/gtest.h"
#include "perfcheck/http/load.h"

namespace {
std::string g_url, g_token;

TEST(Canary, FailingSlaOnAnAuthenticatedTarget) {
  using namespace std::chrono_literals;
  perfcheck::http::Target target(g_url);
  target.Bearer(g_token);
  perfcheck::http::HttpLoadResult r = perfcheck::http::Load(
      target, {perfcheck::http::Request::Get("/api/method/ping")}, [] {
        perfcheck::http::LoadOptions o;
        o.connections = 1;
        o.max_requests = 5;
        return o;
      }());
  EXPECT_P95_BELOW(r, 1ns) << "deliberate failure";
  EXPECT_ERROR_RATE_BELOW(r, 0.5);
}
}  // namespace

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  if (argc < 3) return 2;
  g_url = argv[1];
  g_token = argv[2];
  return RUN_ALL_TESTS();
}
