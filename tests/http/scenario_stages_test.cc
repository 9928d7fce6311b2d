// Ramp stages of a scenario (ScenarioOptions::stages, k6's stages): the
// target as a function of time, when each user starts and stops, and a real
// run on loopback whose users come and go as the stages say. Times in the
// run are judged with margins of hundreds of milliseconds, on the server's
// clock, never against this machine's speed.
#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "perfcheck/http/scenario.h"

namespace perfcheck::http {
namespace {

using namespace std::chrono_literals;

constexpr Nanos kSecond = 1'000'000'000;

std::vector<Stage> UpHoldDown() {
  // 0 -> 10 users over 10 s, 10 for 10 s, 10 -> 0 over 10 s.
  return {{10s, 10}, {10s, 10}, {10s, 0}};
}

TEST(ScenarioStages, TargetIsPiecewiseLinearFromZero) {
  const std::vector<Stage> s = UpHoldDown();
  EXPECT_DOUBLE_EQ(StageTarget(s, 0), 0);
  EXPECT_DOUBLE_EQ(StageTarget(s, 5 * kSecond), 5);
  EXPECT_DOUBLE_EQ(StageTarget(s, 15 * kSecond), 10);
  EXPECT_DOUBLE_EQ(StageTarget(s, 25 * kSecond), 5);
  EXPECT_DOUBLE_EQ(StageTarget(s, 40 * kSecond), 0) << "the last target after";
}

TEST(ScenarioStages, UsersStartWhenTheTargetReachesThem) {
  const std::vector<Stage> s = UpHoldDown();
  // User g needs a target of g + 1.
  EXPECT_EQ(NextActivation(s, 0, 0), 1 * kSecond);
  EXPECT_EQ(NextActivation(s, 4, 0), 5 * kSecond);
  EXPECT_EQ(NextActivation(s, 9, 0), 10 * kSecond);
  // Already active: now.
  EXPECT_EQ(NextActivation(s, 4, 12 * kSecond), 12 * kSecond);
  // On the way down nothing brings user 7 back.
  EXPECT_EQ(NextActivation(s, 7, 25 * kSecond), -1);
  EXPECT_EQ(NextActivation(s, 10, 0), -1) << "the target never reaches 11";
  // Down and up again: user 0 comes back in the last stage.
  const std::vector<Stage> again = {{1s, 2}, {1s, 0}, {2s, 0}, {1s, 2}};
  EXPECT_EQ(NextActivation(again, 0, Nanos{2'500'000'000}), Nanos{4'500'000'000});
}

TEST(ScenarioStages, OptionsFollowTheStages) {
  ScenarioOptions o;
  o.users = 3;
  o.duration = 99s;
  o.stages = {{2s, 2.5}, {3s, 1}};
  EXPECT_TRUE(o.Check().ok()) << o.Check().message();
  EXPECT_EQ(o.MaxUsers(), 3);
  EXPECT_EQ(o.PlannedDuration(), 5s);
  o.stages = {{0s, 5}};
  EXPECT_EQ(o.Check().message(),
            "ScenarioOptions: stages[0]: duration must be > 0");
  o.stages = {{1s, 0}};
  EXPECT_EQ(o.Check().message(),
            "ScenarioOptions: stages: no stage reaches one user");
}

// A loopback server that notes, per user, when it served it.
class ScenarioStagesRun : public ::testing::Test {
 protected:
  void SetUp() override {
    server_.new_task_queue = [] { return new httplib::ThreadPool(16); };
    server_.Get(R"(/u/(\d+))", [this](const httplib::Request& req,
                                      httplib::Response& res) {
      std::lock_guard<std::mutex> lock(mu_);
      seen_.push_back({std::stoi(req.matches[1].str()),
                       std::chrono::steady_clock::now() - start_});
      res.set_content("ok", "text/plain");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(1ms);
  }
  void TearDown() override {
    server_.stop();
    thread_.join();
  }

  struct Seen {
    int user;
    std::chrono::steady_clock::duration at;
  };
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  std::mutex mu_;
  std::vector<Seen> seen_;
  std::chrono::steady_clock::time_point start_;
};

TEST_F(ScenarioStagesRun, UsersComeAndGoAsTheStagesSay) {
  UserClass u = UserClass("U").Think(Constant(20ms)).Task(
      1, [](VirtualUser& v) -> Flow {
        Request r = Request::Get("/u/" + std::to_string(v.id()));
        r.Named("/u/[id]");
        co_await v.Send(std::move(r));
      });
  ScenarioOptions o;
  // Up to 2.5 users in 0.5 s (user 2 needs 3: it never starts), hold 1 s,
  // down to 0 in 0.2 s, then 1.3 s in which nobody could start.
  o.stages = {{500ms, 2.5}, {1s, 2.5}, {200ms, 0}, {1300ms, 0}};
  start_ = std::chrono::steady_clock::now();
  const ScenarioResult r = RunScenario(
      Target("http://127.0.0.1:" + std::to_string(port_)), {u}, o);
  std::lock_guard<std::mutex> lock(mu_);
  EXPECT_EQ(r.users_spawned, 2u) << "user 2 is never reached";
  std::set<int> users;
  int late = 0, held = 0;
  for (const Seen& s : seen_) {
    users.insert(s.user);
    // Nobody is active after 1.7 s; a task already running may end by
    // then plus a request's time. 2.4 s leaves 0.7 s of margin.
    if (s.at > 2400ms) ++late;
    if (s.at > 700ms && s.at < 1400ms) ++held;
  }
  EXPECT_EQ(users, (std::set<int>{0, 1}));
  EXPECT_EQ(late, 0) << "requests after the ramp-down";
  EXPECT_GT(held, 0) << "requests while the stages held 2 users";
  // Once no user can become active again (about 1.7 s), the run ends
  // rather than idling through the last stage.
  EXPECT_LT(r.aggregate.elapsed_ns, Nanos{2'600'000'000});
}

}  // namespace
}  // namespace perfcheck::http
