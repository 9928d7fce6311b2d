// erp_server against its API: auth, tickets (gapless numbers under
// concurrent creation), errors with their status, a report's known delay and
// the AI endpoint's rate limit. The server runs as a real process on a
// loopback port the kernel picks; the test ends it by PID.
#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "erp_server_process.h"

namespace {

using nlohmann::json;
using namespace std::chrono_literals;

class ErpServerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = std::make_unique<erp_example::ErpServerProcess>(
        PERFCHECK_ERP_SERVER,
        std::vector<std::string>{"--max-seconds", "120",
                                 "--ai-limit-per-minute", "3",
                                 "--report-delay-ms", "50"});
    ASSERT_NE(server_->port(), 0) << "erp_server did not start in 30 s";
    port_ = server_->port();
  }
  static void TearDownTestSuite() {
    EXPECT_EQ(server_->Stop(), 0) << "erp_server ends cleanly on SIGTERM";
    server_.reset();
  }

  static httplib::Client Client() {
    httplib::Client c("127.0.0.1", port_);
    c.set_read_timeout(10, 0);
    return c;
  }
  static std::string Login(const std::string& email) {
    httplib::Client c = Client();
    auto r = c.Post("/api/auth/login",
                    json{{"email", email}, {"password", "admin"}}.dump(),
                    "application/json");
    EXPECT_TRUE(r);
    if (!r) return "";
    EXPECT_EQ(r->status, 200) << r->body;
    return json::parse(r->body).value("token", "");
  }
  static httplib::Headers Auth(const std::string& token) {
    return {{"Authorization", "Bearer " + token}};
  }

  static inline std::unique_ptr<erp_example::ErpServerProcess> server_;
  static inline int port_ = 0;
};

TEST_F(ErpServerTest, EveryApiRouteNeedsAToken) {
  httplib::Client c = Client();
  auto health = c.Get("/health");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  for (const char* path : {"/api/tickets", "/api/dashboard/stats",
                           "/api/reports/profit-loss", "/api/inventory"}) {
    auto r = c.Get(path);
    ASSERT_TRUE(r) << path;
    EXPECT_EQ(r->status, 401) << path;
    r = c.Get(path, {{"Authorization", "Bearer not-a-token"}});
    ASSERT_TRUE(r) << path;
    EXPECT_EQ(r->status, 401) << path;
  }
  auto bad = c.Post("/api/auth/login",
                    R"({"email":"a@b.c","password":"wrong"})",
                    "application/json");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 401);
  EXPECT_EQ(bad->body.find("wrong"), std::string::npos) << "no echo";
}

TEST_F(ErpServerTest, TicketsAreCreatedListedAndFetched) {
  const std::string token = Login("tech@example.com");
  httplib::Client c = Client();
  auto created = c.Post("/api/tickets", Auth(token),
                        R"({"title":"Motor noise","vehicle":"EV-7",)"
                        R"("priority":"high"})",
                        "application/json");
  ASSERT_TRUE(created);
  ASSERT_EQ(created->status, 201) << created->body;
  const json ticket = json::parse(created->body);
  const auto id = ticket["id"].get<long long>();
  EXPECT_EQ(ticket["ticket_number"], "TKT-" + std::to_string(id));
  auto got = c.Get("/api/tickets/" + std::to_string(id), Auth(token));
  ASSERT_TRUE(got);
  ASSERT_EQ(got->status, 200);
  EXPECT_EQ(json::parse(got->body)["title"], "Motor noise");
  EXPECT_EQ(json::parse(got->body)["created_by"], "tech@example.com");
  auto list = c.Get("/api/tickets?status=open&limit=5", Auth(token));
  ASSERT_TRUE(list);
  ASSERT_EQ(list->status, 200);
  const json page = json::parse(list->body);
  EXPECT_EQ(page["data"].size(), 5u);
  EXPECT_GT(page["total"].get<int>(), 5);
  for (const json& t : page["data"]) EXPECT_EQ(t["status"], "open");
  auto missing = c.Get("/api/tickets/99999999", Auth(token));
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
}

TEST_F(ErpServerTest, BadInputGetsItsStatus) {
  const std::string token = Login("tech@example.com");
  httplib::Client c = Client();
  const std::pair<std::string, int> posts[] = {
      {"not json", 400},
      {"[1,2]", 400},
      {R"({"vehicle":"EV-1"})", 422},
      {R"({"title":"x","priority":"urgent"})", 422},
  };
  for (const auto& [body, status] : posts) {
    auto r = c.Post("/api/tickets", Auth(token), body, "application/json");
    ASSERT_TRUE(r) << body;
    EXPECT_EQ(r->status, status) << body << " -> " << r->body;
  }
  for (const char* q : {"abc", "0", "501"}) {
    auto r = c.Get(std::string("/api/tickets?limit=") + q, Auth(token));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400) << q;
  }
}

// Seed 004's burst: many users creating tickets at once must get distinct,
// gapless numbers.
TEST_F(ErpServerTest, ConcurrentTicketCreationGivesGaplessNumbers) {
  const std::string token = Login("burst@example.com");
  std::vector<std::thread> threads;
  std::vector<std::vector<long long>> ids(8);
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      httplib::Client c = Client();
      for (int i = 0; i < 10; ++i) {
        auto r = c.Post("/api/tickets", Auth(token),
                        R"({"title":"burst","priority":"low"})",
                        "application/json");
        if (r && r->status == 201) {
          ids[static_cast<std::size_t>(t)].push_back(
              json::parse(r->body)["id"].get<long long>());
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  std::set<long long> all;
  for (const auto& v : ids) all.insert(v.begin(), v.end());
  ASSERT_EQ(all.size(), 80u) << "every request created one ticket";
  EXPECT_EQ(*all.rbegin() - *all.begin(), 79) << "no gap, no duplicate";
}

// The report waits --report-delay-ms (50 ms here) after its query: a lower
// bound only, which no machine's speed can break.
TEST_F(ErpServerTest, AReportTakesAtLeastItsInjectedDelay) {
  const std::string token = Login("finance@example.com");
  httplib::Client c = Client();
  for (const char* report : {"profit-loss", "balance-sheet", "ar-aging"}) {
    const auto start = std::chrono::steady_clock::now();
    auto r = c.Get(std::string("/api/reports/") + report, Auth(token));
    const auto took = std::chrono::steady_clock::now() - start;
    ASSERT_TRUE(r) << report;
    EXPECT_EQ(r->status, 200) << report;
    EXPECT_GE(took, 50ms) << report;
    EXPECT_FALSE(json::parse(r->body)["rows"].empty()) << report;
  }
}

TEST_F(ErpServerTest, TheAiEndpointAnswers429AfterItsLimitPerUser) {
  const std::string a = Login("efi-a@example.com");
  const std::string b = Login("efi-b@example.com");
  httplib::Client c = Client();
  const std::string body = R"({"symptoms":"range drops"})";
  for (int i = 0; i < 3; ++i) {
    auto r = c.Post("/api/efi/diagnose", Auth(a), body, "application/json");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200) << i;
  }
  auto limited =
      c.Post("/api/efi/diagnose", Auth(a), body, "application/json");
  ASSERT_TRUE(limited);
  EXPECT_EQ(limited->status, 429);
  const std::string retry_after = limited->get_header_value("Retry-After");
  ASSERT_FALSE(retry_after.empty());
  const int retry = std::stoi(retry_after);
  EXPECT_GE(retry, 1);
  EXPECT_LE(retry, 61);
  // The limit is per user.
  auto other = c.Post("/api/efi/diagnose", Auth(b), body, "application/json");
  ASSERT_TRUE(other);
  EXPECT_EQ(other->status, 200);
}

}  // namespace
