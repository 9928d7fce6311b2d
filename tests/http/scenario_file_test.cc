// Scenario files: every bad input is refused before a request, naming the
// source, the JSON path and the field; a good file runs its users against a
// real loopback server (a cpp-httplib login/token API) with the logins,
// tokens, extractions and checks it describes.
#include "perfcheck/http/scenario_file.h"

#include <gtest/gtest.h>
#include <httplib.h>
#include <stdlib.h>

#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>

namespace perfcheck::http {
namespace {

using namespace std::chrono_literals;

std::string ErrorOf(const std::string& text) {
  StatusOr<ScenarioFile> f = ParseScenarioFile(text, "s.json");
  EXPECT_FALSE(f.ok()) << "accepted: " << text;
  return f.ok() ? "" : f.status().message();
}

constexpr char kMinimalClass[] =
    R"({"name": "U", "tasks": [{"steps": [{"get": "/"}]}]})";

std::string WithClass(const std::string& cls, const std::string& top = "") {
  return "{" + top + (top.empty() ? "" : ", ") + R"("classes": [)" + cls +
         "]}";
}

TEST(ScenarioFileErrors, NameTheSourcePathAndField) {
  const std::pair<std::string, std::string> cases[] = {
      // unknown fields, at every level
      {WithClass(kMinimalClass, R"("user": 5)"),
       "s.json: user: unknown field (known here: base_url"},
      {WithClass(R"({"name": "U", "taks": []})"),
       "s.json: classes[0].taks: unknown field"},
      {WithClass(R"({"name": "U", "tasks": [{"steps": [{"get": "/",
          "expects": {}}]}]})"),
       "s.json: classes[0].tasks[0].steps[0].expects: unknown field"},
      // wrong types
      {WithClass(kMinimalClass, R"("users": "50")"),
       "s.json: users: must be an integer, got string"},
      {WithClass(kMinimalClass, R"("users": 0)"),
       "s.json: users: must be in 1..100000, got 0"},
      {WithClass(kMinimalClass, R"("duration": 10)"),
       "s.json: duration: must be a duration string such as \"500ms\""},
      {WithClass(kMinimalClass, R"("duration": "10")"),
       "s.json: duration: duration '10' needs a unit"},
      {WithClass(R"({"name": "U", "tasks": [{"steps": [{"get": "/",
          "expect": {"status": ["ok"]}}]}]})"),
       "s.json: classes[0].tasks[0].steps[0].expect.status[0]: must be an "
       "integer status in 100..599, got \"ok\""},
      {WithClass(R"({"name": "U", "weight": 1.5, "tasks": []})"),
       "s.json: classes[0].weight: must be an integer, got a fraction"},
      {WithClass(R"({"name": "U", "think": {"between": ["5s", "2s"]},
          "tasks": [{"steps": [{"get": "/"}]}]})"),
       "s.json: classes[0].think.between: max is below min"},
      // extraction without a source, malformed pointers
      {WithClass(R"({"name": "U", "tasks": [{"steps": [
          {"sleep": "1s", "extract": {"t": "/token"}}]}]})"),
       "s.json: classes[0].tasks[0].steps[0].extract: extract needs a "
       "request in the same step"},
      {WithClass(R"({"name": "U", "tasks": [{"steps": [
          {"get": "/", "extract": {"t": "token"}}]}]})"),
       "s.json: classes[0].tasks[0].steps[0].extract.t: JSON pointer "
       "\"token\" must start with '/'"},
      // undefined variables, with what is defined
      {WithClass(R"({"name": "U", "tasks": [{"steps": [
          {"get": "/api/tickets/${ticket}"}]}]})"),
       "s.json: classes[0].tasks[0].steps[0].get: variable 'ticket' is not "
       "defined by then (defined: none;"},
      {WithClass(R"({"name": "U", "tasks": [
          {"steps": [{"get": "/", "extract": {"id": "/id"}}]},
          {"steps": [{"get": "/x/${id}"}]}]})"),
       "s.json: classes[0].tasks[1].steps[0].get: variable 'id' is not "
       "defined by then"},
      {WithClass(R"({"name": "U", "tasks": [{"steps": [
          {"post": "/", "json": {"a": ["${nope}"]}}]}]})"),
       "s.json: classes[0].tasks[0].steps[0].json.a[0]: variable 'nope'"},
      {WithClass(R"({"name": "U", "tasks": [{"steps": [
          {"get": "/${random:9:1}"}]}]})"),
       "must be ${random:LO:HI} with integers LO <= HI"},
      {WithClass(kMinimalClass,
                 R"("variables": {"p": "${env:PERFCHECK_TEST_UNSET_VAR}"})"),
       "s.json: variables.p: environment variable "
       "'PERFCHECK_TEST_UNSET_VAR' (${env:PERFCHECK_TEST_UNSET_VAR}) is not "
       "set"},
      // stages
      {WithClass(kMinimalClass, R"("users": 5, "stages": [
          {"duration": "10s", "target": 5}])"),
       "s.json: users: stages set the users and the run's length; give users "
       "or stages, not both"},
      {WithClass(kMinimalClass, R"("stages": [{"duration": "10s"}])"),
       "s.json: stages[0]: a stage needs \"duration\" and \"target\""},
      {WithClass(kMinimalClass, R"("stages": [{"duration": "10s",
          "target": -1}])"),
       "s.json: stages[0].target: must be a number >= 0, got -1"},
      // structure
      {R"({"classes": []})", "s.json: classes: a scenario needs a non-empty"},
      {WithClass(R"({"name": "U", "tasks": [{"steps": [{"get": "/",
          "sleep": "1s"}]}]})"),
       "a step does one thing; it has get and sleep"},
      {WithClass(std::string(kMinimalClass) + "," + kMinimalClass),
       "s.json: classes[1].name: class \"U\" is defined twice"},
      {WithClass(R"({"name": "U", "tasks": [{"steps": [{"get": "api"}]}]})"),
       "s.json: classes[0].tasks[0].steps[0].get: the path must start with "
       "'/'"},
      {"{\"classes\": [\n  {\"name\": \"U\",}\n]}",
       "s.json: line 2, column 16: syntax error while parsing object key"},
  };
  for (const auto& [text, expected] : cases) {
    const std::string error = ErrorOf(text);
    EXPECT_EQ(error.rfind(expected, 0) == 0 ||
                  error.find(expected) != std::string::npos,
              true)
        << "expected: " << expected << "\n     got: " << error;
  }
}

TEST(ScenarioFile, StagesReplaceUsersAndDuration) {
  StatusOr<ScenarioFile> f =
      ParseScenarioFile(WithClass(kMinimalClass, R"("stages": [
          {"duration": "1m", "target": 50}, {"duration": "3m", "target": 50},
          {"duration": "30s", "target": 0}])"),
                        "s.json");
  ASSERT_TRUE(f.ok()) << f.status().message();
  ASSERT_EQ(f->options.stages.size(), 3u);
  EXPECT_EQ(f->options.MaxUsers(), 50);
  EXPECT_EQ(f->options.PlannedDuration(), 270s);
  EXPECT_DOUBLE_EQ(f->options.stages[2].target, 0);
}

TEST(ScenarioFileErrors, SyntaxErrorsNameTheLine) {
  const std::string error =
      ErrorOf("{\n  \"users\": 5,\n  \"classes\": [\n    {,}\n  ]\n}");
  EXPECT_NE(error.find("line 4"), std::string::npos) << error;
}

TEST(ScenarioFileErrors, AMissingFileIsNamed) {
  StatusOr<ScenarioFile> f = LoadScenarioFile("/nonexistent/dir/s.json");
  ASSERT_FALSE(f.ok());
  EXPECT_NE(f.status().message().find("/nonexistent/dir/s.json"),
            std::string::npos);
}

TEST(ScenarioFile, ReadsOptionsClassesAndThresholds) {
  ::setenv("PERFCHECK_TEST_SCENARIO_PASSWORD", "s3cret", 1);
  StatusOr<ScenarioFile> f = ParseScenarioFile(R"({
      "base_url": "http://127.0.0.1:1",
      "headers": {"Accept": "application/json",
                  "X-Api-Key": "${env:PERFCHECK_TEST_SCENARIO_PASSWORD}"},
      "users": 7, "spawn_rate": 2.5, "duration": "1.5m", "threads": 2,
      "seed": 9, "request_timeout": "3s",
      "variables": {"password": "${env:PERFCHECK_TEST_SCENARIO_PASSWORD}"},
      "classes": [
        {"name": "A", "weight": 3, "think": {"between": ["2s", "5s"]},
         "on_failure": "restart_task",
         "on_start": [{"post": "/login", "json": {"p": "${password}"},
                       "extract": {"token": "/token"}}],
         "tasks": [{"name": "t", "weight": 2,
                    "steps": [{"get": "/x/${token}"}]}]},
        {"name": "B", "think": {"pacing": "1s"},
         "tasks": [{"steps": [{"sleep": "10ms"}]}]}],
      "thresholds": {"*": ["p95<500ms"], "GET /x/${token}": "p99<2s"}
    })",
                                               "s.json");
  ASSERT_TRUE(f.ok()) << f.status().message();
  EXPECT_EQ(f->base_url, "http://127.0.0.1:1");
  ASSERT_EQ(f->headers.size(), 2u);
  EXPECT_EQ(f->headers[1].value, "s3cret");
  EXPECT_TRUE(f->headers[1].secret) << "a secret-named header";
  EXPECT_EQ(f->options.users, 7);
  EXPECT_DOUBLE_EQ(f->options.spawn_rate, 2.5);
  EXPECT_EQ(f->options.duration, 90s);
  EXPECT_EQ(f->options.threads, 2);
  EXPECT_EQ(f->options.seed, 9u);
  EXPECT_EQ(f->options.request_timeout, 3s);
  ASSERT_EQ(f->classes.size(), 2u);
  EXPECT_EQ(f->classes[0].name(), "A");
  EXPECT_EQ(f->classes[0].weight(), 3);
  EXPECT_EQ(f->classes[0].think().kind, ThinkTime::Kind::kBetween);
  EXPECT_EQ(f->classes[0].on_failure(), FailurePolicy::kRestartTask);
  EXPECT_TRUE(f->classes[0].on_start());
  ASSERT_EQ(f->classes[0].tasks().size(), 1u);
  EXPECT_EQ(f->classes[0].tasks()[0].name, "t");
  EXPECT_EQ(f->classes[0].tasks()[0].weight, 2);
  EXPECT_EQ(f->classes[1].tasks()[0].name, "task1");
  ASSERT_EQ(f->thresholds.size(), 2u);
  EXPECT_EQ(f->thresholds[0].name, "*");
  EXPECT_EQ(f->thresholds[1].expressions,
            std::vector<std::string>{"p99<2s"});
}

// A login/token API on loopback, counting what it saw.
class ScenarioFileRun : public ::testing::Test {
 protected:
  void SetUp() override {
    server_.Post("/api/login", [this](const httplib::Request& req,
                                      httplib::Response& res) {
      std::lock_guard<std::mutex> lock(mu_);
      ++logins_;
      if (req.body.find(R"("password":"admin")") == std::string::npos) {
        res.status = 401;
        return;
      }
      const std::string token = "tok" + std::to_string(logins_);
      tokens_.insert(token);
      res.set_content(R"({"token":")" + token + R"("})", "application/json");
    });
    server_.Get(R"(/api/tickets/(\d+))", [this](const httplib::Request& req,
                                                httplib::Response& res) {
      std::lock_guard<std::mutex> lock(mu_);
      const std::string auth = req.get_header_value("Authorization");
      if (auth.rfind("Bearer ", 0) != 0 || !tokens_.count(auth.substr(7))) {
        res.status = 401;
        return;
      }
      ++ticket_reads_;
      ids_.insert(std::stoi(req.matches[1].str()));
      res.set_content(R"({"id":)" + req.matches[1].str() +
                          R"(,"status":"open"})",
                      "application/json");
    });
    server_.Post("/api/ai", [this](const httplib::Request&,
                                   httplib::Response& res) {
      std::lock_guard<std::mutex> lock(mu_);
      res.status = ++ai_calls_ % 2 == 0 ? 429 : 200;
      res.set_content("{}", "application/json");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(1ms);
  }
  void TearDown() override {
    server_.stop();
    thread_.join();
  }

  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  std::mutex mu_;
  int logins_ = 0, ticket_reads_ = 0, ai_calls_ = 0;
  std::set<std::string> tokens_;
  std::set<int> ids_;
};

TEST_F(ScenarioFileRun, UsersLogInOnceThenRunTheirTasksWithTheirToken) {
  StatusOr<ScenarioFile> f = ParseScenarioFile(R"({
      "users": 4, "iterations": 6, "duration": "60s",
      "variables": {"password": "admin"},
      "classes": [{
        "name": "Technician",
        "on_start": [
          {"post": "/api/login", "name": "login",
           "json": {"email": "user${user}@example.com",
                    "password": "${password}"},
           "expect": {"status": [200], "json_has": ["/token"]},
           "extract": {"token": "/token"}},
          {"set_header": {"Authorization": "Bearer ${token}"}}],
        "tasks": [
          {"name": "view", "weight": 1, "steps": [
            {"get": "/api/tickets/${random:1:50}", "name": "/api/tickets/[id]",
             "expect": {"status": [200], "json_equals": {"/status": "open"}},
             "extract": {"id": "/id"}},
            {"get": "/api/tickets/${id}", "name": "ticket again"}]},
          {"name": "ai", "weight": 1, "steps": [
            {"post": "/api/ai", "body": "why ${iteration}",
             "expect": {"status": [200], "apart": [429]}}]}]
      }]
    })",
                                               "s.json");
  ASSERT_TRUE(f.ok()) << f.status().message();
  const ScenarioResult r = RunScenario(
      Target("http://127.0.0.1:" + std::to_string(port_)), f->classes,
      f->options);
  std::lock_guard<std::mutex> lock(mu_);
  EXPECT_EQ(logins_, 4) << "once per user";
  EXPECT_EQ(r.ByName("login").OkCount(), 4u);
  // 4 users x 6 tasks, split between the two tasks.
  const std::uint64_t views = r.ByName("/api/tickets/[id]").TotalCount();
  const std::uint64_t ai = r.ByName("POST /api/ai").TotalCount() +
                           (r.apart.count("POST /api/ai")
                                ? r.apart.at("POST /api/ai").count
                                : 0);
  EXPECT_EQ(views + ai, 24u);
  EXPECT_EQ(r.ByName("/api/tickets/[id]").ErrorCount(), 0u)
      << "every read carried its user's token";
  EXPECT_EQ(r.ByName("ticket again").OkCount(), views)
      << "the extracted id was used";
  EXPECT_EQ(r.ByName("POST /api/ai").ErrorCount(), 0u)
      << "429s are counted apart, not as errors";
  EXPECT_GE(ids_.size(), 2u) << "${random:1:50} varies";
  for (int id : ids_) {
    EXPECT_GE(id, 1);
    EXPECT_LE(id, 50);
  }
}

TEST_F(ScenarioFileRun, AFailedExtractionIsACountedFailureAndUsersGoOn) {
  StatusOr<ScenarioFile> f = ParseScenarioFile(R"({
      "users": 2, "iterations": 3, "duration": "60s",
      "classes": [{
        "name": "U",
        "on_start": [
          {"post": "/api/login", "name": "login",
           "json": {"password": "admin"}, "extract": {"token": "/token"}},
          {"set_header": {"Authorization": "Bearer ${token}"}}],
        "tasks": [{"steps": [
          {"get": "/api/tickets/1", "name": "read",
           "extract": {"missing": "/no/such/field"}}]}]
      }]
    })",
                                               "s.json");
  ASSERT_TRUE(f.ok()) << f.status().message();
  const ScenarioResult r = RunScenario(
      Target("http://127.0.0.1:" + std::to_string(port_)), f->classes,
      f->options);
  EXPECT_EQ(r.ByName("login").OkCount(), 2u);
  // Each read got its 200, then its extraction failed: a failure of that
  // step, with the reason; users still run all their tasks.
  const Result& read = r.ByName("read");
  EXPECT_EQ(read.TotalCount(), 6u);
  EXPECT_EQ(read.ErrorCount(), 6u);
  ASSERT_EQ(read.errors.size(), 1u);
  EXPECT_EQ(read.errors.begin()->first, "extract");
  EXPECT_NE(read.errors.begin()->second.examples.at(0).find("/no/such/field"),
            std::string::npos)
      << read.errors.begin()->second.examples.at(0);
}

}  // namespace
}  // namespace perfcheck::http
