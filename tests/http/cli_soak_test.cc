// `perfcheck load` with soak thresholds (a bound in every window, drift)
// against a loopback server whose delay is injected: 2 ms per response, and
// 600 ms from 2 s after the first request when the test asks for a slow
// phase. The limit (300 ms) sits far from both, so neither verdict depends on
// this machine's speed.
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "cli_run.h"
#include "gtest/gtest.h"
#include "test_servers.h"

namespace perfcheck::http::testing {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;
using Json = nlohmann::json;
using Clock = std::chrono::steady_clock;

// Answers every request after 2 ms, or after 600 ms once `slow_after` has
// passed since the first request (never when it is zero).
class DelayedServer {
 public:
  explicit DelayedServer(std::chrono::milliseconds slow_after)
      : slow_after_(slow_after), server_([this](int fd) { Serve(fd); }) {}
  std::string url() const { return server_.url(); }

 private:
  void Serve(int fd) {
    while (RawServer::ReadRequest(fd)) {
      const auto now = Clock::now();
      Clock::rep expected = 0;
      first_.compare_exchange_strong(expected, now.time_since_epoch().count());
      const auto since_first =
          now - Clock::time_point(Clock::duration(first_.load()));
      const bool slow = slow_after_.count() > 0 && since_first >= slow_after_;
      std::this_thread::sleep_for(slow ? 600ms : 2ms);
      RawServer::SendAll(fd, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    }
  }

  const std::chrono::milliseconds slow_after_;
  std::atomic<Clock::rep> first_{0};
  RawServer server_;  // last: its threads use the members above
};

class CliSoakTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("perfcheck_cli_soak_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // A 4 s closed-model run with 2 connections and the given thresholds.
  CliRun Load(const std::string& url, const std::vector<std::string>& th) {
    std::vector<std::string> argv = {"load",   "--base-url",
                                     url,      "--duration",
                                     "4s",     "-c",
                                     "2",      "--no-progress",
                                     "--json", (dir_ / "report.json").string()};
    for (const std::string& t : th) {
      argv.push_back("--threshold");
      argv.push_back(t);
    }
    CliRun run = RunPerfcheck(dir_, argv);
    EXPECT_NE(run.exit_code, -1) << run.how << "\n" << run.err;
    return run;
  }

  Json Threshold(std::size_t i) const {
    const Json j = Json::parse(ReadFile(dir_ / "report.json"), nullptr,
                               /*allow_exceptions=*/false);
    if (!j.is_object() || !j.contains("thresholds") ||
        j["thresholds"].size() <= i) {
      ADD_FAILURE() << "no threshold " << i << " in the report";
      return Json::object();
    }
    return j["thresholds"][i];
  }

  fs::path dir_;
};

TEST_F(CliSoakTest, SlowPhaseFailsTheWindowThresholdTheWholeRunPasses) {
  DelayedServer server(2000ms);
  // Most requests of the run are fast (about 1000 before the slow phase,
  // 12 in it), so the whole run's p95 is; the windows of the slow phase
  // are not.
  const CliRun run = Load(server.url(), {"p95<300ms", "p99[1s]<300ms"});
  EXPECT_EQ(run.exit_code, 1) << run.out << run.err;
  const Json whole = Threshold(0);
  EXPECT_EQ(whole["passed"], true) << whole.dump();
  const Json windows = Threshold(1);
  EXPECT_EQ(windows["threshold"], "p99[1s]<300ms");
  EXPECT_EQ(windows["passed"], false);
  const std::string measured = windows["measured"];
  EXPECT_EQ(measured.rfind("p99 of window ", 0), 0u) << measured;
  EXPECT_NE(measured.find(" windows failed"), std::string::npos) << measured;
  EXPECT_GE(windows["observed"].get<double>(), 5e8) << measured;  // ~600 ms
  EXPECT_EQ(windows["limit"], 3e8);
  // The summary on stdout shows the verdict and the window.
  EXPECT_NE(run.out.find("p99[1s]<300ms"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("p99 of window "), std::string::npos) << run.out;
}

TEST_F(CliSoakTest, SteadyRunPassesEveryWindow) {
  DelayedServer server(0ms);
  const CliRun run = Load(server.url(), {"p99[1s]<300ms", "error_rate[1s]<1%"});
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
  const std::string measured = Threshold(0)["measured"];
  EXPECT_EQ(measured.rfind("worst p99 = ", 0), 0u) << measured;
  EXPECT_NE(measured.find("; 0 of 4 windows failed"), std::string::npos)
      << measured;
}

TEST_F(CliSoakTest, BadSoakThresholdsExitTwoBeforeTheRun) {
  DelayedServer server(0ms);
  for (const auto& [expression, message] :
       std::vector<std::pair<std::string, std::string>>{
           {"p99[1x]<2s", "threshold 'p99[1x]<2s': bad window '1x'"},
           {"p99[1500ms]<2s",
            "threshold 'p99[1500ms]<2s': the window 1.5s is not a whole "
            "multiple of the time series' interval 1s"},
           {"drift(p95)<10%",
            "threshold 'drift(p95)<10%': a 4s run has 0 whole windows of 1m; "
            "the drift check needs 5"}}) {
    const CliRun run = Load(server.url(), {expression});
    EXPECT_EQ(run.exit_code, 2) << expression << "\n" << run.err;
    EXPECT_NE(run.err.find(message), std::string::npos) << run.err;
    EXPECT_LT(run.took, 3s) << expression << ": rejected before the 4 s run";
  }
}

}  // namespace
}  // namespace perfcheck::http::testing
