// `perfcheck load --monitor-*` and the resource thresholds: the parser and
// the command splitter as functions, then the binary against real loopback
// servers (tests/monitor's steady_server and leaky_server, cpu_burner). Runs
// are short (2-3 s) and every verdict has wide margins: a leak of 64 KiB per
// request against rss<1MB, bounds a healthy process is far from.
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "../monitor/spawned.h"
#include "cli_run.h"
#include "gtest/gtest.h"
#include "load_monitor.h"
#include "resource_threshold.h"

namespace perfcheck::cli {
namespace {

namespace fs = std::filesystem;
using http::testing::CliRun;
using http::testing::RunPerfcheck;
using monitor_test::Spawned;
using Json = nlohmann::json;

// --- the parser -----------------------------------------------------------------

TEST(ResourceThresholdParse, SpellingsAndUnits) {
  StatusOr<ResourceThreshold> rss = ParseResourceThreshold(" rss < 512MB ");
  ASSERT_TRUE(rss.ok()) << rss.status().message();
  EXPECT_EQ(rss->text, "rss < 512MB");
  EXPECT_EQ(rss->metric, ResourceThreshold::Metric::kRss);
  EXPECT_EQ(rss->value, 512e6);
  EXPECT_EQ(ParseResourceThreshold("rss<1.5GiB")->value, 1.5 * (1 << 30));
  EXPECT_EQ(ParseResourceThreshold("RSS<64kb")->value, 64e3);
  StatusOr<ResourceThreshold> cpu = ParseResourceThreshold("cpu<80%");
  ASSERT_TRUE(cpu.ok());
  EXPECT_EQ(cpu->metric, ResourceThreshold::Metric::kCpu);
  EXPECT_EQ(cpu->value, 80);
  EXPECT_EQ(ParseResourceThreshold("peak_cpu<95%")->metric,
            ResourceThreshold::Metric::kPeakCpu);
  EXPECT_EQ(ParseResourceThreshold("memory_growth=none")->metric,
            ResourceThreshold::Metric::kMemoryGrowth);
  EXPECT_TRUE(ParseResourceThreshold("memory_growth == none").ok());
}

TEST(ResourceThresholdParse, ErrorsQuoteTheThresholdAndSayWhatToWrite) {
  auto error = [](const char* text) {
    return ParseResourceThreshold(text).status().message();
  };
  EXPECT_EQ(error("rss<512"),
            "threshold 'rss<512': memory needs a unit (B, KB, MB, GB, KiB, "
            "MiB, GiB), e.g. rss<512MB");
  EXPECT_EQ(error("cpu<80"),
            "threshold 'cpu<80': CPU is a percentage of one core: write it "
            "with %, e.g. cpu<80%");
  EXPECT_EQ(error("rss>5MB"),
            "threshold 'rss>5MB': resource bounds are strict upper bounds: "
            "use '<', e.g. rss<512MB");
  EXPECT_EQ(error("cpu<=50%"),
            "threshold 'cpu<=50%': resource bounds are strict upper bounds: "
            "use '<', e.g. cpu<80%");
  EXPECT_EQ(error("memory_growth<1MB"),
            "threshold 'memory_growth<1MB': memory growth is written "
            "memory_growth=none");
  EXPECT_EQ(error("rss<lots"),
            "threshold 'rss<lots': expected a number after '<'");
}

TEST(ResourceThresholdParse, SplitLeavesResponseThresholds) {
  std::vector<std::string> all = {"p95<500ms", "rss<1GB", "error_rate<1%",
                                  "cpu<80%", "memory_growth=none"};
  std::vector<std::string> resources;
  SplitResourceThresholds(&all, &resources);
  EXPECT_EQ(all, (std::vector<std::string>{"p95<500ms", "error_rate<1%"}));
  EXPECT_EQ(resources, (std::vector<std::string>{"rss<1GB", "cpu<80%",
                                                 "memory_growth=none"}));
}

TEST(ResourceThresholdEvaluate, WorstProcessDecidesAndNothingIsNoPass) {
  ProcessSeries small, big;
  small.pid = 1;
  big.pid = 2;
  big.name = "big";
  small.samples = {{.t_ns = 0, .rss_bytes = 1'000'000}};
  big.samples = {{.t_ns = 0, .rss_bytes = 900'000'000}};
  const ResourceThreshold rss = *ParseResourceThreshold("rss<512MB");
  const ResourceThresholdOutcome o =
      EvaluateResourceThreshold(rss, {small, big});
  EXPECT_FALSE(o.passed);
  ASSERT_EQ(o.checks.size(), 2u);
  EXPECT_TRUE(o.checks[0].passed);
  EXPECT_EQ(o.measured,
            "peak RSS = 900 MB (at 0.00 s, 1 samples) (process 2 (big))");
  const ResourceThresholdOutcome none = EvaluateResourceThreshold(rss, {});
  EXPECT_FALSE(none.passed);
  EXPECT_EQ(none.measured, "no monitored process");
}

TEST(MonitorCommandSplit, QuotesAndEscapes) {
  EXPECT_EQ(*SplitCommand("server --port 8080"),
            (std::vector<std::string>{"server", "--port", "8080"}));
  EXPECT_EQ(*SplitCommand("sh -c 'sleep 1; echo \"a b\"'"),
            (std::vector<std::string>{"sh", "-c", "sleep 1; echo \"a b\""}));
  EXPECT_EQ(*SplitCommand(R"(a\ b "c\"d" '')"),
            (std::vector<std::string>{"a b", "c\"d", ""}));
  EXPECT_EQ(SplitCommand("server 'oops").status().message(),
            "unclosed ' quote");
  EXPECT_EQ(SplitCommand("   ").status().message(), "empty command");
}

// --- the binary ---------------------------------------------------------------

class TempDir {
 public:
  TempDir() {
    path_ = fs::temp_directory_path() /
            ("perfcheck-cli-monitor-" + std::to_string(::getpid()) + "-" +
             std::to_string(counter_++));
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  static inline int counter_ = 0;
  fs::path path_;
};

// A port free a moment ago, for a server perfcheck itself starts.
int FreePort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t n = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &n);
  ::close(fd);
  return ntohs(a.sin_port);
}

int PortOf(Spawned& server) {
  const std::string line = server.ReadLine();
  return line.rfind("port ", 0) == 0 ? std::stoi(line.substr(5)) : -1;
}

Json ReadJson(const fs::path& p) {
  return Json::parse(http::testing::ReadFile(p), nullptr, false);
}

const Json* Threshold(const Json& doc, const std::string& text) {
  for (const Json& t : doc["thresholds"]) {
    if (t["threshold"] == text) return &t;
  }
  return nullptr;
}

TEST(CliMonitor, CommandIsStartedSampledJudgedAndStopped) {
  TempDir dir;
  const int port = FreePort();
  const std::string url = "http://127.0.0.1:" + std::to_string(port);
  const CliRun run = RunPerfcheck(
      dir.path(),
      {"load", "--base-url", url, "--duration", "2s", "-c", "2",
       "--no-progress", "--monitor-interval", "100ms", "--monitor-cmd",
       std::string(PERFCHECK_STEADY_SERVER_PATH) + " --port " +
           std::to_string(port) + " --max-seconds 60",
       "--threshold", "rss<1GB", "--threshold", "cpu<10000%", "--json",
       (dir.path() / "load.json").string()});
  ASSERT_EQ(run.exit_code, 0) << run.how << "\n" << run.err << run.out;
  const Json doc = ReadJson(dir.path() / "load.json");
  ASSERT_TRUE(doc.contains("resources")) << doc.dump(2);
  const Json& p = doc["resources"]["processes"][0];
  EXPECT_EQ(doc["resources"]["interval"], "100ms");
  EXPECT_EQ(p["label"], "cmd");
  EXPECT_EQ(p["name"], "steady_server");
  EXPECT_GE(p["samples"]["t_s"].size(), 5u);
  EXPECT_EQ(p["samples"]["rss_bytes"].size(), p["samples"]["t_s"].size());
  EXPECT_GT(p["peak_rss_bytes"].get<double>(), 0);
  EXPECT_TRUE(p["exited_s"].is_null());
  const Json* rss = Threshold(doc, "rss<1GB");
  ASSERT_NE(rss, nullptr);
  EXPECT_EQ((*rss)["passed"], true);
  EXPECT_EQ((*rss)["unit"], "bytes");
  EXPECT_EQ(doc["resources"]["thresholds"][0]["processes"][0]["pid"], p["pid"]);
  // The summary's section, and the server gone with the run.
  EXPECT_NE(run.out.find("resources (sampled every 100ms)"), std::string::npos)
      << run.out;
  EXPECT_NE(run.out.find("cmd process " + std::to_string(p["pid"].get<int>()) +
                         " (steady_server)"),
            std::string::npos)
      << run.out;
  EXPECT_NE(run.out.find("PASS rss<1GB"), std::string::npos) << run.out;
  EXPECT_EQ(::kill(p["pid"].get<int>(), 0), -1);
  EXPECT_EQ(errno, ESRCH);
}

TEST(CliMonitor, LeakingServerFailsItsResourceThresholds) {
  TempDir dir;
  Spawned server({PERFCHECK_LEAKY_SERVER_PATH, "--max-seconds", "60"});
  const int port = PortOf(server);
  ASSERT_GT(port, 0);
  const CliRun run = RunPerfcheck(
      dir.path(),
      {"load", "--base-url", "http://127.0.0.1:" + std::to_string(port),
       "--duration", "3s", "-c", "2", "--no-progress", "--monitor-interval",
       "100ms", "--monitor-pid", std::to_string(server.pid()), "--threshold",
       "rss<1MB", "--threshold", "memory_growth=none", "--json", "-"});
  EXPECT_EQ(run.exit_code, 1) << run.how << "\n" << run.err;
  const Json doc = Json::parse(run.out, nullptr, false);
  ASSERT_FALSE(doc.is_discarded()) << run.out;
  EXPECT_EQ((*Threshold(doc, "rss<1MB"))["passed"], false);
  const Json* growth = Threshold(doc, "memory_growth=none");
  ASSERT_NE(growth, nullptr);
  EXPECT_EQ((*growth)["passed"], false) << (*growth)["measured"];
  EXPECT_EQ(doc["resources"]["processes"][0]["memory_growth"]["verdict"],
            "grows");
  EXPECT_NE(run.err.find("FAIL memory_growth=none  (memory grows: +"),
            std::string::npos)
      << run.err;
}

TEST(CliMonitor, ProcessExitingMidRunIsSaidAndKept) {
  TempDir dir;
  Spawned server({PERFCHECK_STEADY_SERVER_PATH, "--max-seconds", "60"});
  const int port = PortOf(server);
  ASSERT_GT(port, 0);
  Spawned worker(
      {PERFCHECK_CPU_BURNER_PATH, "--duty", "0", "--max-seconds", "1"});
  ASSERT_EQ(worker.ReadLine(), "ready");
  const CliRun run = RunPerfcheck(
      dir.path(),
      {"load", "--base-url", "http://127.0.0.1:" + std::to_string(port),
       "--duration", "3s", "-c", "1", "--no-progress", "--monitor-interval",
       "100ms", "--monitor-pid", std::to_string(server.pid()), "--monitor-pid",
       std::to_string(worker.pid()), "--json",
       (dir.path() / "load.json").string()});
  ASSERT_EQ(run.exit_code, 0) << run.how << "\n" << run.err;
  const std::string said = "perfcheck load: monitor: process " +
                           std::to_string(worker.pid()) +
                           " (cpu_burner) exited";
  EXPECT_NE(run.err.find(said), std::string::npos) << run.err;
  const Json doc = ReadJson(dir.path() / "load.json");
  const Json& processes = doc["resources"]["processes"];
  ASSERT_EQ(processes.size(), 2u);
  EXPECT_TRUE(processes[0]["exited_s"].is_null());
  EXPECT_FALSE(processes[1]["exited_s"].is_null());
  EXPECT_GE(processes[1]["samples"]["t_s"].size(), 2u);
  EXPECT_GT(doc["ok"].get<int>(), 0);  // the run went on
}

TEST(CliMonitor, BadInputExits2BeforeTheRun) {
  TempDir dir;
  Spawned server({PERFCHECK_STEADY_SERVER_PATH, "--max-seconds", "60"});
  const int port = PortOf(server);
  ASSERT_GT(port, 0);
  const std::string url = "http://127.0.0.1:" + std::to_string(port);
  struct Case {
    std::vector<std::string> args;
    std::string error;
  };
  const std::vector<Case> cases = {
      {{"--monitor-pid", "2147483646"}, "process 2147483646: no such process"},
      {{"--monitor-pid", "0"}, "--monitor-pid 0: not a process id"},
      {{"--monitor-cmd", "/nonexistent/server --port 1"},
       "--monitor-cmd '/nonexistent/server --port 1': cannot start "
       "/nonexistent/server: No such file or directory"},
      {{"--monitor-cmd", "/bin/false"},
       "--monitor-cmd '/bin/false': exited with status 1 before the run"},
      {{"--monitor-cmd", "server 'x"}, "unclosed ' quote"},
      {{"--monitor-pid", std::to_string(server.pid()), "--monitor-interval",
        "5ms"},
       "--monitor-interval '5ms': must be at least 10ms"},
      {{"--threshold", "cpu<80%"},
       "threshold 'cpu<80%' judges a monitored process: add --monitor-pid"},
      {{"--monitor-pid", std::to_string(server.pid()), "--threshold",
        "rss<512"},
       "threshold 'rss<512': memory needs a unit"},
  };
  for (const Case& c : cases) {
    // A command that ends at once is found before anything listens: the
    // target is a port nobody serves, so perfcheck waits until the exit,
    // whatever this machine's speed.
    const std::string target =
        c.args[1] == "/bin/false"
            ? "http://127.0.0.1:" + std::to_string(FreePort())
            : url;
    std::vector<std::string> args = {"load", target, "--duration", "1s",
                                     "--no-progress"};
    args.insert(args.begin() + 1, "--base-url");
    args.insert(args.end(), c.args.begin(), c.args.end());
    const CliRun run = RunPerfcheck(dir.path(), args);
    EXPECT_EQ(run.exit_code, 2) << c.error << "\n" << run.err;
    EXPECT_NE(run.err.find(c.error), std::string::npos) << run.err;
    EXPECT_EQ(run.out, "") << c.error;  // no run, no summary
  }
}

}  // namespace
}  // namespace perfcheck::cli
