// The load engine against a real in-process HTTP server (cpp-httplib) on an
// ephemeral port. Margins are wide: only injected delays are asserted on,
// never this machine's speed.
#include <httplib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>

#include "gtest/gtest.h"
#include "perfcheck/http/load.h"
#include "perfcheck/http/spec.h"
#include "perfcheck/sla.h"

namespace perfcheck::http {
namespace {

using namespace std::chrono_literals;

class HttpLoadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_.Get("/fast", [](const httplib::Request&, httplib::Response& res) {
      res.set_content("ok", "text/plain");
    });
    server_.Get("/slow", [](const httplib::Request&, httplib::Response& res) {
      std::this_thread::sleep_for(50ms);
      res.set_content("slow", "text/plain");
    });
    server_.Get("/status/(\\d+)",
                [](const httplib::Request& req, httplib::Response& res) {
                  res.status = std::stoi(req.matches[1]);
                  res.set_content("s", "text/plain");
                });
    server_.Get("/json", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(R"({"data": [1, 2]})", "application/json");
    });
    server_.Get("/chunked",
                [](const httplib::Request&, httplib::Response& res) {
                  res.set_chunked_content_provider(
                      "text/plain", [](size_t, httplib::DataSink& sink) {
                        sink.write("hello ", 6);
                        sink.write("world", 5);
                        sink.done();
                        return true;
                      });
                });
    server_.Get("/api/method/ping",
                [this](const httplib::Request& req, httplib::Response& res) {
                  std::lock_guard<std::mutex> lock(mu_);
                  hosts_.insert(req.get_header_value("Host"));
                  auths_.insert(req.get_header_value("Authorization"));
                  queries_.insert(req.target);
                  res.set_content(R"({"message":"pong"})", "application/json");
                });
    server_.Post("/echo",
                 [](const httplib::Request& req, httplib::Response& res) {
                   res.set_content(req.body, "text/plain");
                 });
    // Without it the server's header and body writes meet the client's
    // delayed ACK (Nagle): +40 ms per response.
    server_.set_tcp_nodelay(true);
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

  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  std::mutex mu_;
  std::set<std::string> hosts_, auths_, queries_;
};

// User input is checked with Status-returning forms of the throwing setters
// and validators; what passes them cannot throw later.
TEST(HttpChecks, BadInputIsAStatusNamingThePartNeverTheValue) {
  EXPECT_TRUE(Target::CheckHeader("X-Trace", "abc").ok());
  EXPECT_EQ(Target::CheckHeader("X-Trace", "a\r\nInjected: 1").message(),
            "header 'X-Trace': value contains CR or LF");
  EXPECT_EQ(Target::CheckHeader("Bad Name", "x").message(),
            "bad header name 'Bad Name'");
  EXPECT_NE(Target::CheckHeader("Content-Length", "5")
                .message()
                .find("frames the connection"),
            std::string::npos);
  EXPECT_FALSE(Target::CheckHeader("host", "a b").ok());
  EXPECT_FALSE(Target::CheckHostHeader("site\n1").ok());

  EXPECT_TRUE(Request::Get("/ok").Check().ok());
  EXPECT_NE(Request::Make("G@T", "/x").Check().message().find("bad method"),
            std::string::npos);
  EXPECT_NE(Request::Get("no-slash")
                .Check()
                .message()
                .find("path must start with '/'"),
            std::string::npos);

  LoadOptions o;
  EXPECT_TRUE(o.Check().ok());
  o.threads = 0;
  EXPECT_EQ(o.Check().message(), "LoadOptions: threads must be in 1..256");
  EXPECT_THROW(o.Validate(), std::invalid_argument);
}

TEST_F(HttpLoadTest, InjectedDelayShowsInMedian) {
  HttpLoadResult r =
      Load(MakeTarget(), {Request::Get("/slow")},
           {.connections = 2, .duration = 3s, .max_requests = 20});
  ASSERT_EQ(r.aggregate.ErrorCount(), 0u)
      << r.aggregate.errors.begin()->second.examples[0];
  EXPECT_EQ(r.aggregate.OkCount(), 20u);
  const Nanos p50 = r.aggregate.latency.Percentile(50);
  EXPECT_GE(p50, 50'000'000);
  EXPECT_LT(p50, 80'000'000) << "50 ms injected; margin for a loaded machine";
  EXPECT_EQ(r.status_codes.at(200), 20u);
  // The closed model's uncorrected histogram is the latency histogram itself.
  EXPECT_EQ(r.uncorrected.TotalCount(), 20u);
}

TEST_F(HttpLoadTest, SeparatesEndpoints) {
  HttpLoadResult r =
      Load(MakeTarget(),
           {Request::Get("/fast"), Request::Get("/slow").Named("slow one")},
           {.connections = 2, .duration = 5s, .max_requests = 40});
  ASSERT_EQ(r.endpoints.size(), 2u);
  const Result& fast = r.endpoints.at("GET /fast");
  const Result& slow = r.endpoints.at("slow one");
  EXPECT_EQ(fast.OkCount() + slow.OkCount(), 40u);
  EXPECT_GT(fast.OkCount(), 0u);
  EXPECT_GT(slow.OkCount(), 0u);
  EXPECT_GE(slow.latency.Percentile(50), 50'000'000);
  EXPECT_LT(fast.latency.Percentile(50), slow.latency.Percentile(50) / 2);
  EXPECT_EQ(slow.name, "http/slow one");
  EXPECT_EQ(r.aggregate.OkCount(), 40u);
  EXPECT_GT(r.bytes_received, 0u);
  EXPECT_GT(r.bytes_sent, 0u);
}

TEST_F(HttpLoadTest, StatusCodeDistribution) {
  HttpLoadResult r =
      Load(MakeTarget(),
           {Request::Get("/status/200"), Request::Get("/status/404"),
            Request::Get("/status/503"), Request::Get("/status/429")},
           {.connections = 1, .duration = 10s, .max_requests = 40});
  EXPECT_EQ(r.status_codes.at(200), 10u);
  EXPECT_EQ(r.status_codes.at(404), 10u);
  EXPECT_EQ(r.status_codes.at(503), 10u);
  EXPECT_EQ(r.status_codes.at(429), 10u);
  EXPECT_EQ(r.aggregate.OkCount(), 10u);
  EXPECT_EQ(r.aggregate.errors.at("status_4xx").count, 20u);
  EXPECT_EQ(r.aggregate.errors.at("status_5xx").count, 10u);
  EXPECT_NEAR(r.aggregate.ErrorRate(), 0.75, 1e-9);
  EXPECT_EQ(r.aggregate.errors.at("status_5xx").examples[0],
            "HTTP 503 from GET /status/503");
}

TEST_F(HttpLoadTest, HostAndAuthHeadersReachServer) {
  Target t = MakeTarget();
  t.HostHeader("test_site").FrappeToken("key1", "s3cr3t");
  Request ping = Request::Get("/api/method/ping").Query("q", "a b&c");
  HttpLoadResult r = Load(t, {ping}, {.connections = 1, .max_requests = 3});
  EXPECT_EQ(r.aggregate.OkCount(), 3u);
  std::lock_guard<std::mutex> lock(mu_);
  EXPECT_EQ(hosts_, std::set<std::string>{"test_site"});
  EXPECT_EQ(auths_, std::set<std::string>{"token key1:s3cr3t"});
  EXPECT_EQ(queries_, std::set<std::string>{"/api/method/ping?q=a%20b%26c"});
  // The secret never reaches the result.
  for (const auto& [k, v] : r.aggregate.config) {
    EXPECT_EQ(v.find("s3cr3t"), std::string::npos) << k;
  }
  EXPECT_EQ(r.aggregate.config.at("header.Authorization"), "<redacted>");
}

TEST_F(HttpLoadTest, ChunkedAndBodyChecks) {
  HttpLoadResult r =
      Load(MakeTarget(),
           {Request::Get("/chunked").ExpectBody([](std::string_view b) {
              return b == "hello world";
            }),
            Request::Get("/json").ExpectBody([](std::string_view b) {
              return b.find("\"missing\"") != b.npos;
            })},
           {.connections = 1, .max_requests = 10});
  EXPECT_EQ(r.endpoints.at("GET /chunked").OkCount(), 5u);
  EXPECT_EQ(r.endpoints.at("GET /json").errors.at("check").count, 5u);
  EXPECT_EQ(r.status_codes.at(200), 10u);
}

TEST_F(HttpLoadTest, PostBodyAndExpectedStatus) {
  HttpLoadResult r = Load(
      MakeTarget(),
      {Request::Post("/echo", R"({"x":1})").ExpectBody([](std::string_view b) {
         return b == R"({"x":1})";
       }),
       Request::Get("/status/404").ExpectStatus({404}).Named("gone")},
      {.connections = 2, .threads = 2, .max_requests = 20});
  EXPECT_EQ(r.aggregate.ErrorCount(), 0u);
  EXPECT_EQ(r.aggregate.OkCount(), 20u);
}

TEST_F(HttpLoadTest, DurationBoundsARunWithThinkTime) {
  const auto start = std::chrono::steady_clock::now();
  HttpLoadResult r = Load(MakeTarget(), {Request::Get("/fast")},
                          {.connections = 2,
                           .duration = 1s,
                           .think_time_min = 100ms,
                           .think_time_max = 200ms});
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_LT(took, 3s);
  EXPECT_GE(took, 1s);
  // Two users thinking 100-200 ms each: at most ~20 requests in 1 s.
  EXPECT_GE(r.aggregate.OkCount(), 4u);
  EXPECT_LE(r.aggregate.OkCount(), 24u);
  EXPECT_GE(r.aggregate.elapsed_ns, 900'000'000);
  EXPECT_FALSE(r.aggregate.series.Intervals().empty());
}

TEST_F(HttpLoadTest, OpenModelHoldsTheRate) {
  HttpLoadResult r =
      Load(MakeTarget(), {Request::Get("/fast")},
           {.connections = 4, .threads = 2, .duration = 2s, .rate = 100});
  EXPECT_TRUE(r.open_model);
  // 200 due in 2 s; allow a few at the edges.
  EXPECT_GE(r.aggregate.TotalCount(), 185u);
  EXPECT_LE(r.aggregate.TotalCount(), 201u);
  EXPECT_EQ(r.aggregate.ErrorCount(), 0u);
  EXPECT_EQ(r.uncorrected.TotalCount(), r.aggregate.OkCount());
  EXPECT_EQ(r.dropped_sends, 0u);
}

TEST_F(HttpLoadTest, ClosedRampAddsUsers) {
  // 0 -> 2 users over 1 s, then 2 for 1 s: user 1 starts at 0.5 s, user 2
  // at 1 s, so about 1.5 s + 1 s of ~50 ms requests.
  HttpLoadResult r = Load(MakeTarget(), {Request::Get("/slow")},
                          {.stages = {{1s, 2}, {1s, 2}}});
  EXPECT_EQ(r.aggregate.config.count("stages"), 1u);
  EXPECT_GE(r.aggregate.OkCount(), 20u);
  EXPECT_LE(r.aggregate.OkCount(), 55u);
  const auto& iv = r.aggregate.series.Intervals();
  ASSERT_GE(iv.size(), 2u);
  EXPECT_LT(iv[0].ok, iv[1].ok);
}

TEST_F(HttpLoadTest, OpenRampRaisesTheRate) {
  // 0 -> 200 req/s over 2 s: about 200 requests, three times more in the
  // second half than in the first.
  HttpLoadResult r = Load(MakeTarget(), {Request::Get("/fast")},
                          {.connections = 4, .rate = 1, .stages = {{2s, 200}}});
  EXPECT_GE(r.aggregate.TotalCount(), 170u);
  EXPECT_LE(r.aggregate.TotalCount(), 210u);
  const auto& iv = r.aggregate.series.Intervals();
  ASSERT_GE(iv.size(), 2u);
  EXPECT_GT(iv[1].ok, 2 * iv[0].ok);
}

TEST_F(HttpLoadTest, EndpointSpecIsMeasurable) {
  Target t = MakeTarget();
  Endpoint spec = Get(t, "/slow", [] {
    LoadOptions o = DefaultProbe();
    o.max_requests = 10;
    return o;
  }());
  EXPECT_EQ(spec.Name(), "GET /slow");
  const Measurable& m = spec;
  Result r = m.Run();
  EXPECT_EQ(r.OkCount(), 10u);
  EXPECT_EQ(r.name, "GET /slow");
  EXPECT_TRUE(CheckPercentileBelow(r, 50, 5s).passed);
  EXPECT_FALSE(CheckPercentileBelow(r, 50, 40ms).passed);
  // The whole HttpLoadResult converts to a Result for the SLA checks.
  HttpLoadResult full =
      Load(t, {Request::Get("/fast")}, {.connections = 1, .max_requests = 5});
  EXPECT_TRUE(CheckErrorRateBelow(full, 0.01).passed);
}

TEST_F(HttpLoadTest, CancelEndsTheRun) {
  std::atomic<bool> cancel{false};
  std::thread stopper([&] {
    std::this_thread::sleep_for(200ms);
    cancel = true;
  });
  const auto start = std::chrono::steady_clock::now();
  HttpLoadResult r =
      Load(MakeTarget(), {Request::Get("/fast")},
           {.connections = 2, .duration = 30s, .cancel = &cancel});
  stopper.join();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
  EXPECT_GT(r.aggregate.OkCount(), 0u);
}

TEST_F(HttpLoadTest, ProgressCallbackRuns) {
  std::atomic<int> calls{0};
  LoadOptions o;
  o.connections = 1;
  o.duration = 600ms;
  o.progress_interval = 100ms;
  o.on_progress = [&](const Progress& p) {
    EXPECT_EQ(p.planned_ns, 600'000'000);
    ++calls;
  };
  Load(MakeTarget(), {Request::Get("/fast")}, o);
  EXPECT_GE(calls.load(), 2);
}

TEST(HttpLoadOptionsTest, RejectsBadOptions) {
  const Target t("http://127.0.0.1:1");
  EXPECT_THROW(Load(t, {}, {}), std::invalid_argument);
  EXPECT_THROW(Load(t, {Request::Get("/")}, {.connections = 0}),
               std::invalid_argument);
  EXPECT_THROW(Load(t, {Request::Get("/")}, {.threads = 0}),
               std::invalid_argument);
  EXPECT_THROW(Load(t, {Request::Get("/")}, {.duration = 0s}),
               std::invalid_argument);
  EXPECT_THROW(Load(t, {Request::Get("/")}, {.rate = -1}),
               std::invalid_argument);
  EXPECT_THROW(Load(t, {Request::Get("no-slash")}, {}), std::invalid_argument);
  EXPECT_THROW(Load(t, {Request::Get("/a b")}, {}), std::invalid_argument);
  LoadOptions o;
  o.think_time_min = 2s;
  o.think_time_max = 1s;
  EXPECT_THROW(o.Validate(), std::invalid_argument);
}

// More connections than the process may open descriptors: refused before
// anything is sent (the run would spend its time failing to connect); within
// the hard limit the soft one is raised. In a child: lowering the hard limit
// cannot be undone.
TEST(HttpLoadOptionsTest, ConnectionsBeyondTheDescriptorLimitAreRefused) {
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    int failures = 0;
    rlimit limit{256, 256};
    if (::setrlimit(RLIMIT_NOFILE, &limit) != 0) ::_exit(100);
    const Status refused = ReserveDescriptors({.connections = 1000});
    const std::string want =
        "1000 connections need about 1064 file descriptors, but this process "
        "may open only 256 (ulimit -n)";
    if (refused.ok() || refused.message().find(want) == std::string::npos) {
      ++failures;
    }
    // A closed-model ramp counts its largest stage.
    LoadOptions ramp;
    ramp.stages = {{std::chrono::seconds(1), 500}};
    if (ReserveDescriptors(ramp).ok()) ++failures;
    try {
      Load(Target("http://127.0.0.1:1"), {Request::Get("/")},
           {.connections = 1000, .duration = std::chrono::seconds(30)});
      ++failures;
    } catch (const std::invalid_argument& e) {
      if (std::string(e.what()).find(want) == std::string::npos) ++failures;
    }
    // Within the hard limit: the soft limit is raised to what is needed.
    limit = {64, 256};
    if (::setrlimit(RLIMIT_NOFILE, &limit) != 0) ::_exit(101);
    if (!ReserveDescriptors({.connections = 150}).ok()) ++failures;
    if (::getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur != 214) {
      ++failures;
    }
    ::_exit(failures);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "failed checks (see the test)";
}

}  // namespace
}  // namespace perfcheck::http
