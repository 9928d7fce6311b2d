// `perfcheck load --scenario FILE` as a user runs it: a scenario file against
// a real loopback login/token API, its thresholds per request name, Locust's
// files, the command line's overrides, and every bad input refused with exit
// 2 before a request is sent.
#include <gtest/gtest.h>
#include <httplib.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "cli_run.h"

namespace perfcheck::http {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using testing::CliRun;
using testing::ReadFile;
using testing::RunPerfcheck;

class CliScenarioTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) /
           ("cli_scenario_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    server_.Post("/api/login",
                 [this](const httplib::Request&, httplib::Response& res) {
                   ++requests_;
                   res.set_content(R"({"token":"t0k3n"})", "application/json");
                 });
    server_.Get(R"(/api/items/(\d+))",
                [this](const httplib::Request& req, httplib::Response& res) {
                  ++requests_;
                  if (req.get_header_value("Authorization") != "Bearer t0k3n") {
                    res.status = 401;
                    return;
                  }
                  res.set_content(R"({"id":)" + req.matches[1].str() + "}",
                                  "application/json");
                });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(1ms);
  }
  void TearDown() override {
    server_.stop();
    thread_.join();
    fs::remove_all(dir_);
  }

  std::string Url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::string Write(const std::string& name, const std::string& text) {
    const fs::path p = dir_ / name;
    std::ofstream(p) << text;
    return p.string();
  }
  // A small scenario: log in, then read items with the token.
  std::string Scenario(const std::string& thresholds,
                       const std::string& name = "s.json") {
    return Write(name, R"({
      "users": 3, "duration": "60s", "iterations": 4,
      "classes": [{
        "name": "Reader",
        "on_start": [
          {"post": "/api/login", "name": "login", "json": {"user": "${user}"},
           "expect": {"status": [200]}, "extract": {"token": "/token"}},
          {"set_header": {"Authorization": "Bearer ${token}"}}],
        "tasks": [{"name": "read", "steps": [
          {"get": "/api/items/${random:1:9}", "name": "/api/items/[id]",
           "expect": {"status": [200], "json_has": ["/id"]}}]}]
      }],
      "thresholds": )" + thresholds + "}");
  }

  fs::path dir_;
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  std::atomic<int> requests_{0};
};

TEST_F(CliScenarioTest, RunsTheFileJudgesItsThresholdsAndWritesLocustFiles) {
  const std::string file = Scenario(
      R"({"*": ["error_rate<1%"], "/api/items/[id]": ["p99<10s", "rps>0"]})");
  const CliRun run =
      RunPerfcheck(dir_, {"load", "--scenario", file, "--base-url", Url(),
                          "--csv", (dir_ / "locust").string(), "--json",
                          (dir_ / "r.json").string(), "--no-progress"});
  ASSERT_EQ(run.exit_code, 0) << run.how << "\n" << run.out << run.err;
  EXPECT_EQ(requests_.load(), 3 + 3 * 4) << "3 logins, 4 reads per user";
  EXPECT_NE(run.out.find("scenario, 3 virtual users"), std::string::npos)
      << run.out;
  EXPECT_NE(run.out.find("classes Reader"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("PASS /api/items/[id]: p99<10s"), std::string::npos)
      << run.out;
  const nlohmann::json j = nlohmann::json::parse(ReadFile(dir_ / "r.json"));
  EXPECT_EQ(j["endpoints"]["/api/items/[id]"]["total_requests"], 12);
  EXPECT_EQ(j["thresholds"].size(), 3u);
  EXPECT_EQ(j["scenario"]["users_spawned"], 3);
  EXPECT_EQ(j["scenario"]["classes"]["Reader"]["users"], 3);
  EXPECT_EQ(j["scenario"]["classes"]["Reader"]["total_requests"], 15);
  EXPECT_EQ(j["scenario"]["tasks"]["Reader.read"], 12);
  EXPECT_EQ(j["endpoints"]["login"]["method"], "POST");
  const std::string stats = ReadFile(dir_ / "locust_stats.csv");
  EXPECT_NE(stats.find("\r\nGET,/api/items/[id],12,0,"), std::string::npos)
      << stats;
  EXPECT_NE(stats.find("\r\nPOST,login,3,0,"), std::string::npos) << stats;
  EXPECT_NE(stats.find("\r\n,Aggregated,15,0,"), std::string::npos) << stats;
}

TEST_F(CliScenarioTest, ThresholdsOnANameTheRunNeverSentFail) {
  const std::string file = Scenario(R"({"/api/itemz/[id]": ["p95<1s"]})");
  const CliRun run = RunPerfcheck(
      dir_, {"load", "--scenario", file, "--base-url", Url(), "--no-progress"});
  EXPECT_EQ(run.exit_code, 1) << run.how << "\n" << run.out << run.err;
  EXPECT_NE(run.out.find("FAIL /api/itemz/[id]: p95<1s"), std::string::npos)
      << run.out;
}

TEST_F(CliScenarioTest, CommandLineValuesReplaceTheFiles) {
  const std::string file = Scenario(R"({})");
  const CliRun run = RunPerfcheck(
      dir_, {"load", "--scenario", file, "--base-url", Url(), "--users", "2",
             "--iterations", "1", "--no-progress"});
  ASSERT_EQ(run.exit_code, 0) << run.how << "\n" << run.out << run.err;
  EXPECT_EQ(requests_.load(), 2 + 2) << "2 users, one read each";
}

// --ramp gives a scenario stages: users come and go as they say.
TEST_F(CliScenarioTest, RampStagesReplaceTheFilesUsers) {
  const std::string file = Write("r.json", R"({
      "classes": [{"name": "Reader", "think": {"constant": "50ms"},
        "tasks": [{"steps": [{"get": "/api/items/1", "name": "item",
                              "expect": {"status": [401]}}]}]}]})");
  const CliRun run = RunPerfcheck(
      dir_, {"load", "--scenario", file, "--base-url", Url(), "--ramp",
             "300ms:3", "--ramp", "500ms:3", "--ramp", "200ms:0",
             "--no-progress", "--json", (dir_ / "r.json.out").string()});
  ASSERT_EQ(run.exit_code, 0) << run.how << "\n" << run.out << run.err;
  EXPECT_NE(run.out.find("3 virtual users at most, stages"), std::string::npos)
      << run.out;
  const nlohmann::json j = nlohmann::json::parse(ReadFile(dir_ / "r.json.out"));
  EXPECT_EQ(j["scenario"]["users_spawned"], 3);
  EXPECT_GT(j["endpoints"]["item"]["total_requests"].get<int>(), 3);
}

TEST_F(CliScenarioTest, BadInputExitsTwoBeforeAnyRequest) {
  const std::string good = Scenario(R"({})");
  const std::string bad = Write("bad.json", R"({
      "classes": [{"name": "U", "tasks": [{"steps": [
        {"get": "/api/items/${id}"}]}]}]})");
  const std::string bad_threshold =
      Scenario(R"({"/api/items/[id]": ["p95<fast"]})", "t.json");
  const std::pair<std::vector<std::string>, std::string> cases[] = {
      {{"--scenario", bad, "--base-url", Url()},
       "bad.json: classes[0].tasks[0].steps[0].get: variable 'id' is not "
       "defined by then"},
      {{"--scenario", bad_threshold, "--base-url", Url()},
       "t.json: thresholds[\"/api/items/[id]\"][0]: threshold 'p95<fast'"},
      {{"--scenario", (dir_ / "missing.json").string(), "--base-url", Url()},
       "missing.json: cannot be read"},
      {{"--scenario", good}, "--base-url is required: "},
      {{"--scenario", good, "--base-url", Url(), "--endpoint", "/x"},
       "--endpoint does not apply with --scenario"},
      {{"--scenario", good, "--base-url", Url(), "-c", "5"},
       "--concurrency does not apply with --scenario"},
      {{"--base-url", Url(), "--users", "5"}, "--users belongs to --scenario"},
      {{"--scenario", good, "--base-url", Url(), "--users", "0"},
       "with the command line's values"},
      {{"--scenario", good, "--base-url", Url(), "--ramp", "1s:5", "--users",
        "5"},
       "--users: --ramp sets the users and the run's length"},
      {{"--scenario", good, "--base-url", Url(), "--ramp", "1s"},
       "--ramp '1s': expected DURATION:USERS"},
  };
  for (const auto& [args, expected] : cases) {
    std::vector<std::string> argv = {"load", "--no-progress"};
    argv.insert(argv.end(), args.begin(), args.end());
    const CliRun run = RunPerfcheck(dir_, argv);
    EXPECT_EQ(run.exit_code, 2) << expected << "\n" << run.err;
    EXPECT_NE(run.err.find(expected), std::string::npos)
        << "expected: " << expected << "\n     got: " << run.err;
  }
  EXPECT_EQ(requests_.load(), 0) << "nothing is sent before the input is good";
}

}  // namespace
}  // namespace perfcheck::http
