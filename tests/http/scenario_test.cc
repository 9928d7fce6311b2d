// Virtual-user scenarios (perfcheck/http/scenario.h) against real loopback
// servers: a small cpp-httplib login/token API, and raw servers for faults.
// Timing assertions use only injected delays and one-sided bounds (a think
// time makes requests at least so far apart), never this machine's speed.
#include "perfcheck/http/scenario.h"

#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "test_servers.h"

namespace perfcheck::http {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// Logs users in ("user<N>" -> token "tok-user<N>"), serves tickets to
// holders of a token, and answers every other /api/efi call with 429.
class ScenarioTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // One worker per keep-alive connection: the default pool (8) would
    // leave extra users queued behind idle connections.
    server_.new_task_queue = [] { return new httplib::ThreadPool(64); };
    server_.Post("/api/login", [this](const httplib::Request& req,
                                      httplib::Response& res) {
      const auto at = req.body.find("user");
      const std::string user = req.body.substr(at, req.body.find('"', at) - at);
      std::lock_guard<std::mutex> lock(mu_);
      logins_.push_back(user);
      login_times_.push_back(Clock::now());
      res.set_content(R"({"token":"tok-)" + user + R"("})", "application/json");
    });
    server_.Post("/api/login-broken", [](const httplib::Request&,
                                         httplib::Response& res) {
      res.set_content(R"({"error":"no token today"})", "application/json");
    });
    server_.Get(R"(/api/tickets/(\d+))", [this](const httplib::Request& req,
                                                httplib::Response& res) {
      const std::string auth = req.get_header_value("Authorization");
      {
        std::lock_guard<std::mutex> lock(mu_);
        ticket_auths_.insert(auth);
        ticket_times_.push_back(Clock::now());
      }
      if (auth.rfind("Bearer tok-user", 0) != 0) {
        res.status = 401;
        return;
      }
      res.set_content(
          R"({"id":)" + req.matches[1].str() + R"(,"state":"open"})",
          "application/json");
    });
    server_.Get("/api/a",
                [this](const httplib::Request&, httplib::Response& res) {
                  ++hits_a_;
                  res.set_content("a", "text/plain");
                });
    server_.Get("/api/b",
                [this](const httplib::Request&, httplib::Response& res) {
                  ++hits_b_;
                  res.set_content("b", "text/plain");
                });
    server_.Get("/api/fail", [](const httplib::Request&,
                                httplib::Response& res) { res.status = 500; });
    server_.Get("/api/efi",
                [this](const httplib::Request&, httplib::Response& res) {
                  if (efi_++ % 2 == 1) {
                    res.status = 429;
                    return;
                  }
                  res.set_content(R"({"diagnosis":"ok"})", "application/json");
                });
    server_.set_tcp_nodelay(true);
    server_.set_keep_alive_max_count(100000);  // default 5 reconnects users
    port_ = server_.bind_to_any_port("127.0.0.1");
    ASSERT_GT(port_, 0);
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(1ms);
  }
  void TearDown() override {
    server_.stop();
    thread_.join();
  }
  Target MakeTarget() const {
    return Target("http://127.0.0.1:" + std::to_string(port_));
  }

  // Logs in and keeps the token as a secret header.
  static Flow Login(VirtualUser& u) {
    Response r = co_await u.Send(
        Request::Post("/api/login", u.Format(R"({"name":"user${user}"})"))
            .Named("login"),
        Expect().Status(200));
    if (!u.Extract(r, "/token", "token")) co_return;
    u.SetHeader("Authorization", "Bearer " + u.Var("token"), true);
  }
  static Flow ViewTicket(VirtualUser& u) {
    co_await u.Send(
        Request::Get("/api/tickets/" + std::to_string(u.Random(1, 100)))
            .Named("/api/tickets/[id]"),
        Expect().Status(200).JsonHas("/id").JsonEquals("/state", "open"));
  }

  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  std::mutex mu_;
  std::vector<std::string> logins_;
  std::vector<Clock::time_point> login_times_, ticket_times_;
  std::set<std::string> ticket_auths_;
  std::atomic<int> hits_a_{0}, hits_b_{0}, efi_{0};
};

ScenarioOptions Bounded(int users, std::uint64_t iterations, int threads = 1) {
  ScenarioOptions o;
  o.users = users;
  o.iterations = iterations;
  o.threads = threads;
  o.duration = 60s;  // a bound only: the iterations end the run
  return o;
}

TEST_F(ScenarioTest, LogsInOncePerUserThenRunsTasksWithItsToken) {
  UserClass normal = UserClass("Normal").OnStart(Login).Task(1, ViewTicket);
  ScenarioResult r = RunScenario(MakeTarget(), {normal}, Bounded(4, 5));

  EXPECT_EQ(logins_.size(), 4u);  // once per user
  EXPECT_EQ(std::set<std::string>(logins_.begin(), logins_.end()),
            (std::set<std::string>{"user0", "user1", "user2", "user3"}));
  EXPECT_EQ(ticket_auths_,
            (std::set<std::string>{"Bearer tok-user0", "Bearer tok-user1",
                                   "Bearer tok-user2", "Bearer tok-user3"}));
  const Result& tickets = r.ByName("/api/tickets/[id]");
  EXPECT_EQ(tickets.OkCount(), 20u);
  EXPECT_EQ(tickets.ErrorCount(), 0u);
  EXPECT_EQ(r.ByName("login").OkCount(), 4u);
  EXPECT_EQ(r.aggregate.OkCount(), 24u);
  EXPECT_EQ(r.ByClass("Normal").OkCount(), 24u);
  EXPECT_EQ(r.users_spawned, 4u);
  EXPECT_EQ(r.class_users.at("Normal"), 4u);
  EXPECT_EQ(r.task_iterations.at("Normal.task1"), 20u);
  EXPECT_EQ(r.task_iterations.at("Normal.on_start"), 4u);
  EXPECT_EQ(r.status_codes.at(200), 24u);
  EXPECT_EQ(r.traffic.at("/api/tickets/[id]").responses, 20u);
  EXPECT_EQ(r.traffic.at("/api/tickets/[id]").method, "GET");
  EXPECT_GT(r.traffic.at("login").body_bytes, 4u * 10);
  EXPECT_EQ(r.connections_opened, 4u);  // keep-alive: one per user
  EXPECT_THROW(r.ByName("/nope"), std::invalid_argument);
  // The token is a secret: never in the configuration.
  for (const auto& [key, value] : r.aggregate.config) {
    EXPECT_EQ(value.find("tok-user"), std::string::npos) << key;
  }
}

TEST(AssignUserClassesTest, ProportionalInterleavedAndEveryClassRuns) {
  std::vector<int> a = AssignUserClasses({5, 2}, 7);
  EXPECT_EQ(std::count(a.begin(), a.end(), 0), 5);
  EXPECT_EQ(std::count(a.begin(), a.end(), 1), 2);
  // Interleaved: class 1 appears among the first four spawned.
  EXPECT_NE(std::find(a.begin(), a.begin() + 4, 1), a.begin() + 4);
  std::vector<int> b = AssignUserClasses({100, 1}, 10);
  EXPECT_EQ(std::count(b.begin(), b.end(), 1), 1);  // a light class still runs
  std::vector<int> c = AssignUserClasses({3, 1}, 40);
  EXPECT_EQ(std::count(c.begin(), c.end(), 0), 30);
  EXPECT_EQ(std::count(c.begin(), c.end(), 1), 10);
}

TEST_F(ScenarioTest, ClassAndTaskWeightsSplitTheWork) {
  auto get = [](const char* path) {
    return
        [path](VirtualUser& u) -> Flow { co_await u.Send(Request::Get(path)); };
  };
  UserClass heavy = UserClass("Heavy")
                        .Weight(3)
                        .Task(3, get("/api/a"))
                        .Task(1, get("/api/b"));
  UserClass light = UserClass("Light").Weight(1).Task(1, get("/api/a"));
  ScenarioResult r = RunScenario(MakeTarget(), {heavy, light}, Bounded(8, 100));
  EXPECT_EQ(r.class_users.at("Heavy"), 6u);
  EXPECT_EQ(r.class_users.at("Light"), 2u);
  EXPECT_EQ(r.aggregate.OkCount(), 800u);
  // Heavy's 600 tasks split 3:1 at random: ~450 vs ~150, margins of ~6 sd.
  const auto a = r.task_iterations.at("Heavy.task1");
  const auto b = r.task_iterations.at("Heavy.task2");
  EXPECT_EQ(a + b, 600u);
  EXPECT_GT(a, 380u);
  EXPECT_LT(a, 520u);
  EXPECT_EQ(hits_b_.load(), static_cast<int>(b));
}

TEST_F(ScenarioTest, ExpectedStatusIsCountedApartNotAsAnError) {
  auto efi = [](bool apart) {
    return [apart](VirtualUser& u) -> Flow {
      Expect expect;
      if (apart) expect.Apart(429);
      co_await u.Send(Request::Get("/api/efi").Named("efi"), expect);
    };
  };
  ScenarioResult r = RunScenario(
      MakeTarget(), {UserClass("EFI").Task(1, efi(true))}, Bounded(1, 10));
  EXPECT_EQ(r.ByName("efi").OkCount(), 5u);
  EXPECT_EQ(r.ByName("efi").ErrorCount(), 0u);
  EXPECT_EQ(r.apart.at("efi").count, 5u);
  EXPECT_EQ(r.apart.at("efi").latency.TotalCount(), 5u);
  EXPECT_EQ(r.aggregate_apart.count, 5u);
  EXPECT_EQ(r.status_codes.at(429), 5u);
  EXPECT_EQ(r.traffic.at("efi").responses, 10u);

  // Without Apart() a 429 is an error like any 4xx.
  efi_ = 0;
  ScenarioResult strict = RunScenario(
      MakeTarget(), {UserClass("EFI").Task(1, efi(false))}, Bounded(1, 10));
  EXPECT_EQ(strict.ByName("efi").errors.at("status_4xx").count, 5u);
  EXPECT_EQ(strict.failures.at({"efi", "HTTP 429"}), 5u);
  EXPECT_EQ(strict.traffic.at("efi").failed_latency.TotalCount(), 5u);
}

TEST_F(ScenarioTest, FailedCheckIsCountedWithItsMessage) {
  UserClass c =
      UserClass("Checker").OnStart(Login).Task(1, [](VirtualUser& u) -> Flow {
        Response r =
            co_await u.Send(Request::Get("/api/tickets/7").Named("ticket"),
                            Expect().JsonEquals("/state", "closed"));
        EXPECT_FALSE(r.ok());
        EXPECT_EQ(r.status(), 200);
        EXPECT_EQ(r.error(), "JSON /state is not \"closed\"");
        co_await u.Send(Request::Get("/api/tickets/8").Named("ticket"),
                        Expect().BodyContains("nowhere"));
        co_await u.Send(Request::Get("/api/tickets/9").Named("ticket"),
                        Expect().JsonHas("/owner"));
      });
  ScenarioResult r = RunScenario(MakeTarget(), {c}, Bounded(2, 3));
  const Result& t = r.ByName("ticket");
  EXPECT_EQ(t.OkCount(), 0u);
  EXPECT_EQ(t.errors.at("check").count, 18u);
  EXPECT_EQ(r.failures.at({"ticket", "JSON /state is not \"closed\""}), 6u);
  EXPECT_EQ(r.failures.at({"ticket", "body does not contain \"nowhere\""}), 6u);
  EXPECT_EQ(r.failures.at({"ticket", "JSON /owner missing"}), 6u);
  // A failed request keeps its latency (Locust counts it).
  EXPECT_EQ(r.traffic.at("ticket").failed_latency.TotalCount(), 18u);
  EXPECT_EQ(r.ByClass("Checker").ErrorCount(), 18u);
}

TEST_F(ScenarioTest, FailedExtractionIsAFailureOfItsStepAndTheUserGoesOn) {
  UserClass c =
      UserClass("Broken")
          .OnStart([](VirtualUser& u) -> Flow {
            Response r = co_await u.Send(
                Request::Post("/api/login-broken", "{}").Named("login"));
            if (!u.Extract(r, "/token", "token")) co_return;
            ADD_FAILURE() << "extraction should have failed";
          })
          .Task(1, [](VirtualUser& u) -> Flow {
            EXPECT_FALSE(u.HasVar("token"));
            co_await u.Send(Request::Get("/api/a"));
          });
  ScenarioResult r = RunScenario(MakeTarget(), {c}, Bounded(3, 2));
  const Result& login = r.ByName("login");
  EXPECT_EQ(login.OkCount(), 0u);  // the 200 became the step's failure
  EXPECT_EQ(login.errors.at("extract").count, 3u);
  EXPECT_EQ(r.failures.at({"login", "extract token: JSON /token missing"}), 3u);
  EXPECT_EQ(r.ByName("GET /api/a").OkCount(), 6u);  // the users went on
}

TEST_F(ScenarioTest, RestartPolicyEndsTheTaskAtAFailedStep) {
  std::atomic<int> after{0};
  UserClass c = UserClass("Restarting")
                    .OnFailure(FailurePolicy::kRestartTask)
                    .Task(1, [&after](VirtualUser& u) -> Flow {
                      co_await u.Send(Request::Get("/api/fail"));
                      ++after;  // never reached: the step failed
                      co_await u.Send(Request::Get("/api/a"));
                    });
  ScenarioResult r = RunScenario(MakeTarget(), {c}, Bounded(2, 4));
  EXPECT_EQ(after.load(), 0);
  EXPECT_EQ(hits_a_.load(), 0);
  EXPECT_EQ(r.ByName("GET /api/fail").errors.at("status_5xx").count, 8u);
  EXPECT_EQ(r.task_iterations.at("Restarting.task1"), 8u);
}

TEST_F(ScenarioTest, ThinkTimeSleepAndSpawnRateSpaceRequestsOut) {
  // One user: every ticket request comes >= 150 ms after the previous one
  // (think time), and within a task the second waits Sleep(100ms) more.
  UserClass c = UserClass("Thinker")
                    .Think(Constant(150ms))
                    .Task(1, [](VirtualUser& u) -> Flow {
                      co_await u.Send(Request::Get("/api/tickets/1"),
                                      Expect().Status(401));
                      co_await u.Sleep(100ms);
                      co_await u.Send(Request::Get("/api/tickets/2"),
                                      Expect().Status(401));
                    });
  ScenarioResult r = RunScenario(MakeTarget(), {c}, Bounded(1, 3));
  EXPECT_EQ(r.aggregate.OkCount(), 6u);
  ASSERT_EQ(ticket_times_.size(), 6u);
  for (std::size_t i = 1; i < ticket_times_.size(); ++i) {
    const auto gap = ticket_times_[i] - ticket_times_[i - 1];
    EXPECT_GE(gap, i % 2 == 1 ? 99ms : 149ms) << "request " << i;
  }

  // Spawn rate 10/s: user 3 starts 300 ms after user 0.
  ScenarioOptions o = Bounded(4, 1);
  o.spawn_rate = 10;
  RunScenario(MakeTarget(),
              {UserClass("Spawned").OnStart(Login).Task(1, ViewTicket)}, o);
  ASSERT_EQ(login_times_.size(), 4u);
  EXPECT_GE(login_times_.back() - login_times_.front(), 290ms);
}

TEST_F(ScenarioTest, PacingStartsTasksAPeriodApart) {
  // Task starts are taken in the flow itself: the server's view would add
  // its own scheduling delay to the first request.
  std::vector<Clock::time_point> starts;
  UserClass c = UserClass("Paced")
                    .Think(Pacing(200ms))
                    .Task(1, [&starts](VirtualUser& u) -> Flow {
                      starts.push_back(Clock::now());
                      co_await u.Send(Request::Get("/api/tickets/1"),
                                      Expect().Status(401));
                    });
  ScenarioResult r = RunScenario(MakeTarget(), {c}, Bounded(1, 4));
  EXPECT_EQ(r.aggregate.OkCount(), 4u);
  ASSERT_EQ(starts.size(), 4u);
  for (std::size_t i = 1; i < starts.size(); ++i) {
    EXPECT_GE(starts[i] - starts[i - 1], 199ms) << "task " << i;
  }
}

TEST_F(ScenarioTest, AnExceptionInAFlowIsACountedFailureOfItsTask) {
  UserClass c =
      UserClass("Thrower")
          .Task("boom", 1,
                [](VirtualUser& u) -> Flow {
                  co_await u.Send(Request::Get("/api/a"));
                  throw std::runtime_error("boom");
                })
          .Task("undefined", 1, [](VirtualUser& u) -> Flow {
            co_await u.Send(Request::Get(u.Format("/api/${nothing}")));
          });
  ScenarioResult r = RunScenario(MakeTarget(), {c}, Bounded(2, 10));
  const auto boom = r.task_iterations.at("Thrower.boom");
  const auto undefined = r.task_iterations.at("Thrower.undefined");
  EXPECT_EQ(boom + undefined, 20u);
  EXPECT_EQ(r.aggregate.errors.at("exception").count, 20u);
  if (boom > 0) {
    EXPECT_EQ(r.failures.at({"Thrower.boom", "exception: boom"}), boom);
  }
  if (undefined > 0) {
    EXPECT_EQ(r.failures.at({"Thrower.undefined",
                             "exception: undefined variable 'nothing'"}),
              undefined);
  }
  EXPECT_EQ(r.ByName("GET /api/a").OkCount(), boom);
  EXPECT_EQ(r.ByClass("Thrower").errors.at("exception").count, 20u);
}

TEST_F(ScenarioTest, AFlowAwaitingAForeignAwaitableEndsCounted) {
  UserClass c = UserClass("Stuck").Task(1, [](VirtualUser& u) -> Flow {
    co_await u.Send(Request::Get("/api/a"));
    co_await std::suspend_always{};  // nothing would ever resume it
  });
  ScenarioResult r = RunScenario(MakeTarget(), {c}, Bounded(1, 3));
  EXPECT_EQ(r.ByName("GET /api/a").OkCount(), 3u);
  EXPECT_EQ(r.aggregate.errors.at("exception").count, 3u);
}

TEST_F(ScenarioTest, TwoThreadsShareTheUsers) {
  UserClass normal = UserClass("Normal").OnStart(Login).Task(1, ViewTicket);
  ScenarioResult r = RunScenario(MakeTarget(), {normal}, Bounded(6, 3, 2));
  EXPECT_EQ(r.users_spawned, 6u);
  EXPECT_EQ(logins_.size(), 6u);
  EXPECT_EQ(ticket_auths_.size(), 6u);  // six distinct users' tokens
  EXPECT_EQ(r.ByName("/api/tickets/[id]").OkCount(), 18u);
  EXPECT_EQ(r.ByName("login").OkCount(), 6u);
  EXPECT_EQ(r.aggregate.ErrorCount(), 0u);
  EXPECT_EQ(r.aggregate.config.at("threads"), "2");
}

TEST_F(ScenarioTest, RunEndsAfterItsDurationWithInFlightStepsAbandoned) {
  UserClass c = UserClass("Busy").Task(1, [](VirtualUser& u) -> Flow {
    co_await u.Send(Request::Get("/api/a"));
  });
  ScenarioOptions o;
  o.users = 3;
  o.duration = 300ms;
  const auto start = Clock::now();
  ScenarioResult r = RunScenario(MakeTarget(), {c}, o);
  EXPECT_LT(Clock::now() - start, 10s);  // a bound, not a speed
  EXPECT_EQ(r.users_spawned, 3u);
  // The steps in flight at the end are dropped, not failed.
  EXPECT_EQ(r.aggregate.ErrorCount(), 0u);
  EXPECT_LE(r.aggregate.elapsed_ns, 300'000'000);

  std::atomic<bool> cancel{true};
  o.duration = 60s;
  o.cancel = &cancel;
  ScenarioResult cancelled = RunScenario(MakeTarget(), {c}, o);
  EXPECT_LT(Clock::now() - start, 20s);
}

// A server that answers each request with Connection: close and closes.
TEST(ScenarioFaultsTest, ServerClosingEveryConnectionIsReopened) {
  testing::RawServer server([](int fd) {
    if (!testing::RawServer::ReadRequest(fd)) return;
    testing::RawServer::SendAll(
        fd,
        "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok");
    shutdown(fd, SHUT_WR);
  });
  UserClass c = UserClass("Closer").Task(
      1, [](VirtualUser& u) -> Flow { co_await u.Send(Request::Get("/x")); });
  ScenarioResult r = RunScenario(Target(server.url()), {c}, Bounded(2, 5));
  EXPECT_EQ(r.aggregate.OkCount(), 10u);
  EXPECT_EQ(r.aggregate.ErrorCount(), 0u);
  EXPECT_EQ(r.connections_opened, 10u);
}

TEST(ScenarioFaultsTest, ResetsAndTimeoutsAreFailuresThatKeepTheirLatency) {
  testing::RawServer server([](int fd) {
    std::string head;
    while (testing::RawServer::ReadRequest(fd, &head)) {
      if (head.find("/stall") != std::string::npos) {
        std::this_thread::sleep_for(1s);  // past the request timeout
        return;
      }
      testing::RawServer::Reset(fd);  // "/reset"
      return;
    }
  });
  UserClass c = UserClass("Faults").Task(1, [](VirtualUser& u) -> Flow {
    Response a = co_await u.Send(Request::Get("/reset"));
    EXPECT_EQ(a.status(), 0);
    EXPECT_FALSE(a.ok());
    Response b = co_await u.Send(Request::Get("/stall"));
    EXPECT_GE(b.latency_ns(), 200'000'000);
    // Not the 5 s connect timeout of its fresh connection: a bound with a
    // wide margin, not a speed.
    EXPECT_LT(b.latency_ns(), 3'000'000'000);
  });
  ScenarioOptions o = Bounded(1, 1);
  o.request_timeout = 200ms;
  ScenarioResult r = RunScenario(Target(server.url()), {c}, o);
  EXPECT_EQ(r.ByName("GET /reset").errors.at("reset").count, 1u);
  EXPECT_EQ(r.ByName("GET /stall").errors.at("timeout").count, 1u);
  EXPECT_GE(r.traffic.at("GET /stall").failed_latency.Max(), 199'000'000);
  EXPECT_EQ(r.failures.at({"GET /stall", "no response within 200 ms"}), 1u);
}

TEST(ScenarioFaultsTest, AnEchoedUserTokenIsRedactedFromFailures) {
  // The server puts the request's Authorization value into a malformed
  // status line, which the parser quotes in its error.
  testing::RawServer server([](int fd) {
    std::string head;
    while (testing::RawServer::ReadRequest(fd, &head)) {
      const auto at = head.find("Authorization: ");
      const std::string auth =
          at == std::string::npos
              ? "none"
              : head.substr(at + 15, head.find("\r\n", at) - at - 15);
      testing::RawServer::SendAll(fd, "HTTP/1.1 2x0 " + auth + "\r\n\r\n");
    }
  });
  UserClass c = UserClass("Echo").Task(1, [](VirtualUser& u) -> Flow {
    u.SetHeader("Authorization", "Bearer s3cr3t-t0ken-v4lue", true);
    co_await u.Send(Request::Get("/x"));
    u.RemoveHeader("Authorization");
    // A secret of this request only.
    Request own = Request::Get("/y").AddHeader("Authorization",
                                               "Bearer s3cr3t-0wn-v4lue");
    co_await u.Send(own);
  });
  ScenarioResult r = RunScenario(Target(server.url()), {c}, Bounded(1, 2));
  ASSERT_EQ(r.aggregate.ErrorCount(), 4u);
  EXPECT_EQ(r.aggregate.errors.at("protocol").count, 4u);
  int redacted = 0;
  for (const auto& [key, count] : r.failures) {
    EXPECT_EQ(key.second.find("s3cr3t"), std::string::npos) << key.second;
    if (key.second.find(kRedacted) != std::string::npos) redacted += count;
  }
  EXPECT_EQ(redacted, 4);  // the echo was there, cut out
  for (const auto& [category, e] : r.aggregate.errors) {
    for (const std::string& m : e.examples) {
      EXPECT_EQ(m.find("s3cr3t"), std::string::npos) << m;
    }
  }
}

TEST_F(ScenarioTest, AMalformedRequestIsAFailureOfItsStep) {
  UserClass c = UserClass("Sloppy").Task(1, [](VirtualUser& u) -> Flow {
    Response r = co_await u.Send(Request::Get("no-slash").Named("bad"));
    EXPECT_FALSE(r.ok());
    EXPECT_NE(r.error().find("path must start with '/'"), std::string::npos);
    co_await u.Send(Request::Get("/api/a"));
  });
  ScenarioResult r = RunScenario(MakeTarget(), {c}, Bounded(1, 3));
  EXPECT_EQ(r.ByName("bad").errors.at("request").count, 3u);
  EXPECT_EQ(r.ByName("GET /api/a").OkCount(), 3u);
}

TEST(ScenarioOptionsTest, BadInputIsRejectedNamingTheField) {
  const Target t("http://127.0.0.1:1");
  UserClass ok = UserClass("Ok").Task(
      1, [](VirtualUser& u) -> Flow { co_await u.Send(Request::Get("/")); });
  ScenarioOptions o;
  o.users = 0;
  try {
    RunScenario(t, {ok}, o);
    ADD_FAILURE() << "no exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("users"), std::string::npos);
  }
  EXPECT_THROW(RunScenario(t, {UserClass("Empty")}, {}), std::invalid_argument);
  EXPECT_THROW(RunScenario(t, {}, {}), std::invalid_argument);
  EXPECT_THROW(UserClass("W").Weight(0), std::invalid_argument);
  EXPECT_THROW(Expect().JsonHas("no-slash"), std::invalid_argument);
  EXPECT_THROW(RunScenario(t,
                           {UserClass("T")
                                .Think(Between(2s, 1s))
                                .Task(1,
                                      [](VirtualUser& u) -> Flow {
                                        co_await u.Send(Request::Get("/"));
                                      })},
                           {}),
               std::invalid_argument);
}

TEST(JsonAtTest, ReadsValuesByPointer) {
  EXPECT_EQ(JsonAt(R"({"a":{"b":[1,"x"]}})", "/a/b/1"), "x");
  EXPECT_EQ(JsonAt(R"({"a":{"b":[1,"x"]}})", "/a/b/0"), "1");
  EXPECT_EQ(JsonAt(R"({"a":true})", "/a"), "true");
  EXPECT_EQ(JsonAt(R"({"a":1})", "/b"), std::nullopt);
  EXPECT_EQ(JsonAt("not json", "/a"), std::nullopt);
  EXPECT_EQ(JsonAt(R"({"a":1})", "bad"), std::nullopt);
}

}  // namespace
}  // namespace perfcheck::http
