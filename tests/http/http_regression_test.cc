// EXPECT_NO_REGRESSION on HTTP load results, against a real in-process
// server (cpp-httplib, ephemeral port) whose response delay the test sets.
// Only injected delays are compared (30 ms vs 120 ms), with a 50% tolerance
// for the unchanged case, so the verdicts never depend on this machine.
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>

#include "gtest/gtest-spi.h"
#include "gtest/gtest.h"
#include "perfcheck/baseline.h"
#include "perfcheck/gtest.h"
#include "perfcheck/gtest/perf_listener.h"
#include "perfcheck/http/load.h"
#include "perfcheck/http/spec.h"

namespace perfcheck::http {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

std::atomic<int> g_delay_ms{30};
int g_port = 0;

// A fixed number of requests so every run has the same sample count (the
// gate needs >= 20 per side).
LoadOptions Options() {
  LoadOptions o;
  o.connections = 2;
  o.max_requests = 40;
  o.duration = 30s;
  return o;
}

Target MakeTarget() {
  return Target("http://127.0.0.1:" + std::to_string(g_port));
}

HttpLoadResult LoadOrders() {
  return Load(MakeTarget(), {Request::Get("/api/resource/Order")}, Options());
}

// EXPECT_(NON)FATAL_FAILURE statements may not use locals, hence functions.
const Endpoint& OrdersSpec() {
  static const Endpoint spec =
      Get(MakeTarget(), "/api/resource/Order", Options());
  return spec;
}

class HttpNoRegression : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = new httplib::Server;
    server_->Get("/api/resource/Order", [](const httplib::Request&,
                                           httplib::Response& res) {
      std::this_thread::sleep_for(std::chrono::milliseconds(g_delay_ms.load()));
      res.set_content(R"({"data":[]})", "application/json");
    });
    server_->set_tcp_nodelay(true);
    g_port = server_->bind_to_any_port("127.0.0.1");
    thread_ = new std::thread([] { server_->listen_after_bind(); });
    while (!server_->is_running()) std::this_thread::sleep_for(1ms);
  }
  static void TearDownTestSuite() {
    server_->stop();
    thread_->join();
    delete thread_;
    delete server_;
  }

  void SetUp() override {
    ASSERT_GT(g_port, 0);
    g_delay_ms = 30;
    saved_ = perfcheck::testing::GetFlags();
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    root_ = fs::temp_directory_path() /
            ("perfcheck_http_gate_" + std::to_string(::getpid()) + "_" +
             info->name());
    fs::remove_all(root_);
    perfcheck::testing::PerfFlags flags;
    flags.baseline_dir = root_ / "baselines";
    flags.candidate_dir = root_ / "candidates";
    flags.results_dir = root_ / "results";
    // 30 ms sleeps on a busy 2-core machine wobble by a few ms; 4x is the
    // regression under test, so a wide band costs nothing here.
    flags.tolerance = 0.5;
    perfcheck::testing::SetFlags(flags);
    ::unsetenv("PERFCHECK_UPDATE_BASELINES");
  }
  void TearDown() override {
    perfcheck::testing::SetFlags(saved_);
    ::unsetenv("PERFCHECK_UPDATE_BASELINES");
    fs::remove_all(root_);
  }
  BaselineStore Baselines() const { return BaselineStore(root_ / "baselines"); }

  static httplib::Server* server_;
  static std::thread* thread_;
  perfcheck::testing::PerfFlags saved_;
  fs::path root_;
};
httplib::Server* HttpNoRegression::server_ = nullptr;
std::thread* HttpNoRegression::thread_ = nullptr;

TEST_F(HttpNoRegression, LoadResultAgainstRecordedBaseline) {
  const std::string id = perfcheck::testing::CurrentTestId();
  for (int i = 0; i < 3; ++i) {
    HttpLoadResult run = LoadOrders();
    ASSERT_EQ(run.aggregate.ErrorCount(), 0u);
    ASSERT_TRUE(Baselines().Record(id, run).ok());
  }
  auto stored = Baselines().Load(id);
  ASSERT_TRUE(stored.ok()) << stored.status().message();
  ASSERT_TRUE(stored->has_value());
  ASSERT_EQ((*stored)->entries.count("http"), 1u);
  EXPECT_EQ((*stored)->entries.at("http").runs.size(), 3u);

  // Same server, same delay: unchanged.
  const HttpLoadResult same = LoadOrders();
  EXPECT_NO_REGRESSION(same);

  // Four times the delay: p50/p95/p99 and throughput all regress.
  g_delay_ms = 120;
  static HttpLoadResult slower;
  slower = LoadOrders();
  ASSERT_EQ(slower.aggregate.ErrorCount(), 0u);
  EXPECT_NONFATAL_FAILURE(EXPECT_NO_REGRESSION(slower), "Actual: regression");
  EXPECT_NONFATAL_FAILURE(EXPECT_NO_REGRESSION(slower), "p95");
  EXPECT_NONFATAL_FAILURE(EXPECT_NO_REGRESSION(slower), "throughput");

  // A faster server is not a failure.
  g_delay_ms = 5;
  const HttpLoadResult faster = LoadOrders();
  EXPECT_NO_REGRESSION(faster);
}

TEST_F(HttpNoRegression, EndpointSpecRecordsThenGates) {
  // First run without a baseline: passes and writes a candidate only.
  EXPECT_NO_REGRESSION(OrdersSpec());
  const std::string id = perfcheck::testing::CurrentTestId();
  EXPECT_TRUE(fs::exists(BaselineStore(root_ / "candidates").PathFor(id)));
  EXPECT_FALSE(fs::exists(Baselines().PathFor(id)));

  // Update mode records the spec's runs into the baselines.
  // (A spec is measured once per test: Remeasure asks for new runs.)
  ::setenv("PERFCHECK_UPDATE_BASELINES", "append", 1);
  EXPECT_NO_REGRESSION(perfcheck::testing::Remeasure(OrdersSpec()));
  EXPECT_NO_REGRESSION(perfcheck::testing::Remeasure(OrdersSpec()));
  ::unsetenv("PERFCHECK_UPDATE_BASELINES");
  auto stored = Baselines().Load(id);
  ASSERT_TRUE(stored.ok()) << stored.status().message();
  ASSERT_TRUE(stored->has_value());
  ASSERT_EQ((*stored)->entries.count("GET /api/resource/Order"), 1u);
  EXPECT_EQ((*stored)->entries.at("GET /api/resource/Order").runs.size(), 2u);

  EXPECT_NO_REGRESSION(perfcheck::testing::Remeasure(OrdersSpec()));
  // The spec is measured again to confirm; the server stays slow, so the
  // confirmation run regresses too and the assertion fails.
  g_delay_ms = 120;
  EXPECT_NONFATAL_FAILURE(
      EXPECT_NO_REGRESSION(perfcheck::testing::Remeasure(OrdersSpec())),
      "Actual: regression");
}

}  // namespace
}  // namespace perfcheck::http
