// Runs the `perfcheck` binary: exit codes, the summary, the JSON report,
// files, and the secrets canary (never in stdout, stderr, JSON, CSV or gtest
// XML).
#include <httplib.h>
#include <sys/wait.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <thread>

#include "gtest/gtest.h"
#include "perfcheck/machine.h"
#include "test_servers.h"

namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

constexpr char kCanary[] = "CANARY-7f3a9c1e-secret";

std::string ReadAll(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("perfcheck_cli_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
    server_.Get("/api/method/ping",
                [this](const httplib::Request& req, httplib::Response& res) {
                  std::lock_guard<std::mutex> lock(mu_);
                  auths_.insert(req.get_header_value("Authorization"));
                  hosts_.insert(req.get_header_value("Host"));
                  res.set_content(R"({"message":"pong"})", "application/json");
                });
    server_.Get("/missing", [](const httplib::Request&,
                               httplib::Response& res) { res.status = 404; });
    server_.Get("/boom", [](const httplib::Request&, httplib::Response& res) {
      res.status = 500;
    });
    server_.Get("/busy", [](const httplib::Request&, httplib::Response& res) {
      res.status = 429;
    });
    server_.set_tcp_nodelay(true);
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(1ms);
  }
  void TearDown() override {
    server_.stop();
    thread_.join();
    fs::remove_all(dir_);
  }
  std::string Url() const {
    return "http://127.0.0.1:" + std::to_string(port_);
  }

  // Runs `perfcheck <args>`; returns the exit code, fills out_/err_.
  int Perfcheck(const std::string& args) {
    const std::string cmd = std::string(PERFCHECK_CLI_PATH) + " " + args +
                            " >" + (dir_ / "out").string() + " 2>" +
                            (dir_ / "err").string() + " </dev/null";
    const int status = std::system(cmd.c_str());
    out_ = ReadAll(dir_ / "out");
    err_ = ReadAll(dir_ / "err");
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

  fs::path dir_;
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  std::mutex mu_;
  std::set<std::string> auths_, hosts_;
  std::string out_, err_;
};

TEST_F(CliTest, ReportsLikeTheSeedScriptAndPassesThresholds) {
  const std::string json = (dir_ / "r.json").string(),
                    csv = (dir_ / "r.csv").string();
  const int rc = Perfcheck(
      "load --base-url " + Url() +
      " --host-header test_site --endpoint /api/method/ping"
      " --endpoint /missing -c 2 --requests 20 --duration 10s"
      " --threshold 'p95<10s' --threshold 'rps>=1'"
      " --json " +
      json + " --csv-table " + csv + " --csv " + (dir_ / "locust").string());
  EXPECT_EQ(rc, 0) << err_;
  const nlohmann::json r = nlohmann::json::parse(ReadAll(json));
  EXPECT_EQ(r["total_requests"], 20);
  EXPECT_EQ(r["status_codes"]["200"], 10);
  EXPECT_EQ(r["status_codes"]["404"], 10);
  EXPECT_EQ(r["errors_by_class"]["status_4xx"], 10);
  for (const char* k : {"min", "p50", "p95", "p99", "max"}) {
    EXPECT_TRUE(r["latency_ms"].contains(k)) << k;
  }
  EXPECT_GT(r["rps"].get<double>(), 0);
  EXPECT_EQ(r["thresholds"].size(), 2u);
  EXPECT_EQ(r["endpoints"]["GET /missing"]["errors"], 10);
  const std::string table = ReadAll(csv);
  EXPECT_EQ(table.rfind("endpoint,requests,ok,errors,", 0), 0u);
  EXPECT_NE(table.find("\"ALL\",20,10,10,"), std::string::npos) << table;
  // Locust's files (their columns are checked against Locust's own writer by
  // locust_csv_test): Type is the method, Name the path as Locust names it.
  const std::string stats = ReadAll(dir_ / "locust_stats.csv");
  EXPECT_EQ(stats.rfind("Type,Name,Request Count,Failure Count,", 0), 0u)
      << stats;
  EXPECT_NE(stats.find("\r\nGET,/api/method/ping,10,0,"), std::string::npos)
      << stats;
  EXPECT_NE(stats.find("\r\nGET,/missing,10,10,"), std::string::npos) << stats;
  EXPECT_NE(stats.find("\r\n,Aggregated,20,10,"), std::string::npos) << stats;
  EXPECT_NE(ReadAll(dir_ / "locust_failures.csv")
                .find("\r\nGET,/missing,status_4xx: HTTP 404 from GET "
                      "/missing,10\r\n"),
            std::string::npos);
  for (const char* f : {"locust_exceptions.csv", "locust_stats_history.csv"}) {
    EXPECT_TRUE(fs::exists(dir_ / f)) << f;
  }
  EXPECT_NE(out_.find("PASS p95<10s"), std::string::npos) << out_;
  EXPECT_EQ(err_.find('\r'), std::string::npos)
      << "no progress line when piped";
  EXPECT_EQ(out_.find('\033'), std::string::npos) << "no colour when piped";
  std::lock_guard<std::mutex> lock(mu_);
  EXPECT_EQ(hosts_, std::set<std::string>{"test_site"});
}

// What CI sends on cancel: the run ends early, the report and the files are
// written (issue: SIGTERM used to kill it with nothing written).
TEST_F(CliTest, SigtermEndsTheRunEarlyWithAFullReport) {
  const std::string json = (dir_ / "r.json").string();
  const std::string cmd =
      "timeout --preserve-status -s TERM 1 " + std::string(PERFCHECK_CLI_PATH) +
      " load --base-url " + Url() +
      " --endpoint /api/method/ping -c 2 --duration 60s --json " + json +
      " >" + (dir_ / "out").string() + " 2>" + (dir_ / "err").string() +
      " </dev/null";
  const auto start = std::chrono::steady_clock::now();
  const int status = std::system(cmd.c_str());
  const auto took = std::chrono::steady_clock::now() - start;
  out_ = ReadAll(dir_ / "out");
  err_ = ReadAll(dir_ / "err");
  ASSERT_TRUE(WIFEXITED(status)) << err_;
  EXPECT_EQ(WEXITSTATUS(status), 0) << err_;
  // Far from the 60 s asked for: the signal ended it.
  EXPECT_LT(took, 30s);
  const nlohmann::json r = nlohmann::json::parse(ReadAll(json));
  EXPECT_GT(r["total_requests"].get<int>(), 0);
  EXPECT_NE(out_.find("GET /api/method/ping"), std::string::npos) << out_;
}

TEST_F(CliTest, FailedThresholdExitsOne) {
  const std::string args =
      "load --base-url " + Url() +
      " --endpoint /missing --requests 5 --threshold 'error_rate<1%'"
      " --threshold 'p99<1ns' --threshold 'rps>=1000000'";
  EXPECT_EQ(Perfcheck(args), 1);
  // The summary: the verdict with what was measured and the limit.
  EXPECT_NE(out_.find("FAIL error_rate<1%  observed 100%, limit 1%\n"),
            std::string::npos)
      << out_;
  EXPECT_NE(out_.find("FAIL p99<1ns        observed nothing, limit 1 ns\n"),
            std::string::npos)
      << out_;
  EXPECT_NE(out_.find("FAIL rps>=1000000   observed 0.0/s, limit "
                      "1000000.0/s\n"),
            std::string::npos)
      << out_;
  EXPECT_EQ(err_.find("FAIL"), std::string::npos) << "not twice: " << err_;
  // --json -: the JSON on stdout, the verdicts on stderr as before.
  EXPECT_EQ(Perfcheck(args + " --json -"), 1);
  EXPECT_NE(err_.find("FAIL error_rate<1%"), std::string::npos) << err_;
  const nlohmann::json threshold = nlohmann::json::parse(out_)["thresholds"][0];
  EXPECT_EQ(threshold["passed"], false);
  // The numbers, not only the text: 5 of 5 requests failed.
  EXPECT_EQ(threshold["observed"], 1.0);
  EXPECT_EQ(threshold["limit"], 0.01);
  EXPECT_EQ(threshold["unit"], "fraction");
}

// The summary on stdout: a row per endpoint with its count, the total, errors
// by class with an example, every line aligned and free of trailing blanks.
// Timing values are checked for their format only.
TEST_F(CliTest, SummaryNamesEveryEndpointWithItsCountAndErrorsByClass) {
  EXPECT_EQ(Perfcheck("load --base-url " + Url() +
                      " --endpoint /api/method/ping --endpoint /boom"
                      " --endpoint /busy -c 1 --requests 30"),
            0)
      << err_;
  const std::string latency = R"( +[0-9.]+ (ns|us|ms|s))";
  const std::string none = " +-";
  const std::string rate = R"( +[0-9]+\.[0-9]/s)";
  const std::pair<std::string, std::string> rows[] = {
      {"header",
       "  endpoint +requests +req/s +p50 +p90 +p95 +p99 +max +errors"},
      {"ping", "  GET /api/method/ping +10" + rate + latency + latency +
                   latency + latency + latency + " +0"},
      {"boom", "  GET /boom +10" + rate + none + none + none + none + none +
                   R"( +10 \(100%\))"},
      {"busy", "  GET /busy +10" + rate + none + none + none + none + none +
                   R"( +10 \(100%\))"},
      {"total", "  total +30" + rate + latency + latency + latency + latency +
                    latency + R"( +20 \(66\.67%\))"},
  };
  std::vector<std::string> lines;
  std::stringstream text(out_);
  for (std::string line; std::getline(text, line);) lines.push_back(line);
  std::size_t header = lines.size();
  for (std::size_t i = 0; i < lines.size(); ++i) {
    EXPECT_EQ(lines[i].find_last_not_of(' ') + 1, lines[i].size())
        << "trailing blanks: '" << lines[i] << "'";
    if (lines[i].rfind("  endpoint ", 0) == 0) header = i;
  }
  ASSERT_LT(header + 4, lines.size()) << out_;
  for (std::size_t i = 0; i < 5; ++i) {
    EXPECT_TRUE(std::regex_match(lines[header + i], std::regex(rows[i].second)))
        << rows[i].first << ": '" << lines[header + i] << "'\n"
        << out_;
    EXPECT_EQ(lines[header + i].size(), lines[header].size())
        << "columns aligned: '" << lines[header + i] << "'";
  }
  EXPECT_EQ(out_.rfind("perfcheck load: " + Url() + "\n", 0), 0u) << out_;
  EXPECT_NE(out_.find("\n  requests  30 (10 ok, 20 errors = 66.67%), "),
            std::string::npos)
      << out_;
  EXPECT_NE(out_.find("\n  errors by class\n"
                      "    status_4xx  10  HTTP 429 from GET /busy\n"
                      "    status_5xx  10  HTTP 500 from GET /boom\n"),
            std::string::npos)
      << out_;
}

// --json - prints on stdout (in place of the summary) the JSON that
// --json FILE writes: the same fields, the same counts; only timings differ
// between two runs.
TEST_F(CliTest, JsonDashPrintsTheJsonThatJsonFileWrites) {
  const std::string json = (dir_ / "r.json").string();
  const std::string args = "load --base-url " + Url() +
                           " --endpoint /api/method/ping --endpoint /missing"
                           " -c 1 --requests 6 --threshold 'error_rate<60%'";
  ASSERT_EQ(Perfcheck(args + " --json " + json), 0) << err_;
  EXPECT_EQ(out_.rfind("perfcheck load: ", 0), 0u) << out_;
  nlohmann::json from_file = nlohmann::json::parse(ReadAll(json));
  ASSERT_EQ(Perfcheck(args + " --json -"), 0) << err_;
  nlohmann::json from_stdout =
      nlohmann::json::parse(out_, nullptr, /*allow_exceptions=*/false);
  ASSERT_TRUE(from_stdout.is_object()) << out_;
  EXPECT_FALSE(fs::exists(dir_ / "-")) << "'-' is stdout, not a file";
  // Timings differ from run to run: kept as to which fields exist, not as
  // to their values.
  std::function<void(nlohmann::json&)> scrub = [&](nlohmann::json& j) {
    if (!j.is_object()) return;
    for (auto it = j.begin(); it != j.end(); ++it) {
      const std::string& key = it.key();
      if (key == "rps" || key == "attempted_rps" || key == "elapsed_s" ||
          key == "latency_histogram") {
        *it = 0;
      } else if (key == "series") {
        // Per-interval times; the counts in them are the runs' own.
        for (auto& in : (*it)["intervals"]) {
          for (const char* t : {"p50_ms", "p95_ms", "p99_ms", "start_s"}) {
            in[t] = 0;
          }
        }
      } else if (key == "latency_ms" || key == "failed_latency_ms") {
        for (auto& v : *it) v = 0;
      } else if (it->is_object()) {
        scrub(*it);
      }
    }
  };
  scrub(from_file);
  scrub(from_stdout);
  EXPECT_EQ(from_stdout, from_file) << from_stdout.dump(2) << "\n"
                                    << from_file.dump(2);
  EXPECT_EQ(from_stdout["total_requests"], 6);
  EXPECT_EQ(from_stdout["thresholds"][0]["passed"], true);
}

// Without thresholds, a run in which every request failed must not pass CI;
// one with some successes still does (thresholds are the user's to set).
TEST_F(CliTest, WithoutThresholdsARunWhereEveryRequestFailedExitsOne) {
  EXPECT_EQ(
      Perfcheck("load --base-url " + Url() + " --endpoint /missing --requests 5"),
      1);
  EXPECT_NE(err_.find("FAIL no request succeeded (5 of 5 failed"),
            std::string::npos)
      << err_;
  EXPECT_NE(out_.find("5 (0 ok, 5 errors = 100%)"), std::string::npos) << out_;
  EXPECT_EQ(Perfcheck("load --base-url " + Url() +
                      " --endpoint /missing --requests 5 --json -"),
            1);
  EXPECT_EQ(nlohmann::json::parse(out_)["total_requests"], 5);
  EXPECT_EQ(Perfcheck("load --base-url " + Url() +
                      " --endpoint /missing --endpoint /api/method/ping"
                      " --requests 6"),
            0)
      << err_;
}

// Requests perfcheck would send malformed, or with one credential silently
// replacing another, are refused before anything is sent; no secret is shown.
TEST_F(CliTest, FramingHeadersMethodsAndCompetingAuthAreRefused) {
  EXPECT_EQ(Perfcheck("load --base-url " + Url() +
                      " --endpoint /api/method/ping --requests 1"
                      " --header 'Content-Length: 5'"),
            2);
  EXPECT_NE(err_.find("'Content-Length' frames the connection"),
            std::string::npos)
      << err_;
  EXPECT_EQ(Perfcheck("load --base-url " + Url() +
                      " --endpoint 'G@T /api/method/ping' --requests 1"),
            2);
  EXPECT_NE(err_.find("bad method"), std::string::npos) << err_;
  EXPECT_EQ(Perfcheck("load --base-url " + Url() +
                      " --endpoint /api/method/ping --requests 1 --bearer " +
                      kCanary + " --api-key k --api-secret " + kCanary),
            2);
  EXPECT_NE(err_.find("give one way to authenticate, not several: "
                      "--api-key/--api-secret, --bearer"),
            std::string::npos)
      << err_;
  EXPECT_EQ(Perfcheck("load --base-url " + Url() +
                      " --endpoint /api/method/ping --requests 1 --bearer " +
                      kCanary + " --header 'Authorization: token a:" +
                      kCanary + "'"),
            2);
  EXPECT_NE(err_.find("--bearer, --header 'Authorization: ...'"),
            std::string::npos)
      << err_;
  EXPECT_EQ(err_.find(kCanary), std::string::npos) << err_;
  EXPECT_EQ(out_.find(kCanary), std::string::npos) << out_;
  std::lock_guard<std::mutex> lock(mu_);
  EXPECT_TRUE(auths_.empty()) << "nothing may be sent";
}

// Outputs that cannot be written are found before the first request, with
// the reason; a symlinked --result is written through and stays a link.
TEST_F(CliTest, OutputsAreCheckedBeforeTheRunAndLinksWrittenThrough) {
  for (const char* flag : {"--json", "--csv", "--result"}) {
    const std::string missing = (dir_ / "no" / "such" / "out").string();
    EXPECT_EQ(Perfcheck("load --base-url " + Url() +
                        " --endpoint /api/method/ping --requests 3 " + flag +
                        " " + missing),
              2)
        << flag;
    EXPECT_NE(err_.find("does not exist"), std::string::npos) << err_;
    EXPECT_TRUE(out_.empty()) << "the run must not start: " << out_;
    EXPECT_EQ(Perfcheck("load --base-url " + Url() +
                        " --endpoint /api/method/ping --requests 3 " + flag +
                        " " + dir_.string()),
              2)
        << flag;
    EXPECT_NE(err_.find("is a directory"), std::string::npos) << err_;
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    EXPECT_TRUE(auths_.empty()) << "no request before the outputs are checked";
  }
  const fs::path real = dir_ / "real.json";
  const fs::path link = dir_ / "link.json";
  fs::create_symlink(real.filename(), link);
  EXPECT_EQ(Perfcheck("load --base-url " + Url() +
                      " --endpoint /api/method/ping --requests 3 --result " +
                      link.string()),
            0)
      << err_;
  EXPECT_TRUE(fs::is_symlink(link));
  EXPECT_NE(ReadAll(real).find("perfcheck.result"), std::string::npos);
  // A device is written in place, and a full one is an error, not a pass.
  if (fs::exists("/dev/full")) {
    EXPECT_EQ(Perfcheck("load --base-url " + Url() +
                        " --endpoint /api/method/ping --requests 3 --json "
                        "/dev/full"),
              2);
    EXPECT_NE(err_.find("/dev/full"), std::string::npos) << err_;
    EXPECT_TRUE(fs::is_character_file("/dev/full"));
  }
}

// A write that fails half-way (here: the file size limit, as a full disk
// would) leaves the previous file whole, never a truncated report; the flag,
// the path and the reason are named and the exit code is 2.
TEST_F(CliTest, AWriteFailingHalfWayLeavesThePreviousFileWhole) {
  std::string endpoints;
  for (int i = 0; i < 40; ++i) {
    endpoints += " --endpoint /api/method/ping?padding_to_grow_the_report=" +
                 std::to_string(i);
  }
  for (const char* flag : {"--json", "--csv-table", "--csv", "--result"}) {
    // --csv takes a prefix: its first file is PREFIX_stats.csv.
    const bool prefix = std::string(flag) == "--csv";
    const fs::path arg = dir_ / "previous";
    const fs::path file = prefix ? dir_ / "previous_stats.csv" : arg;
    std::ofstream(file) << "previous run";
    // Ignored SIGXFSZ: a write beyond the limit fails with EFBIG instead of
    // killing the process. 2 blocks (1 or 2 KiB): the check before the run
    // writes nothing and passes, every report here is larger.
    const std::string cmd =
        "trap '' XFSZ && ulimit -f 2 && " + std::string(PERFCHECK_CLI_PATH) +
        " load --base-url " + Url() + endpoints + " -c 1 --requests 40 " +
        flag + " " + arg.string() + " >/dev/null 2>" + (dir_ / "err").string() +
        " </dev/null";
    const int status = std::system(cmd.c_str());
    err_ = ReadAll(dir_ / "err");
    ASSERT_TRUE(WIFEXITED(status)) << flag;
    EXPECT_EQ(WEXITSTATUS(status), 2) << flag << ": " << err_;
    EXPECT_NE(err_.find(std::string(flag) + " '" + file.string() + "'"),
              std::string::npos)
        << err_;
    EXPECT_NE(err_.find("too large"), std::string::npos) << err_;
    EXPECT_EQ(ReadAll(file), "previous run") << flag;
    for (const auto& entry : fs::directory_iterator(dir_)) {
      const std::string name = entry.path().filename().string();
      EXPECT_TRUE(name == file.filename().string() || name == "err" ||
                  name == "out")
          << "left behind: " << name;
    }
    fs::remove(file);
  }
}

// Runs that could not keep their length are refused up front: more
// connections than descriptors, a rate no process can schedule.
TEST_F(CliTest, ConnectionsBeyondTheDescriptorLimitAndAbsurdRatesExitTwo) {
  const std::string cmd =
      "ulimit -n 256 && " + std::string(PERFCHECK_CLI_PATH) +
      " load --base-url " + Url() +
      " --endpoint /api/method/ping -c 1000 --duration 2s >" +
      (dir_ / "out").string() + " 2>" + (dir_ / "err").string() +
      " </dev/null";
  const int status = std::system(cmd.c_str());
  err_ = ReadAll(dir_ / "err");
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 2) << err_;
  EXPECT_NE(err_.find("--concurrency: 1000 connections need about 1064 file "
                      "descriptors, "
                      "but this process may open only 256"),
            std::string::npos)
      << err_;
  EXPECT_EQ(Perfcheck("load --base-url " + Url() +
                      " --endpoint /api/method/ping --rate 1e12 --duration 2s"),
            2);
  EXPECT_NE(err_.find("rate must be at most 10000000 requests/second, got "
                      "1e+12"),
            std::string::npos)
      << err_;
  std::lock_guard<std::mutex> lock(mu_);
  EXPECT_TRUE(auths_.empty()) << "nothing may be sent";
}

// Every command's --help lists exactly the exit codes it can return
// (command.h; 4 is main.cc's internal error, possible in every command).
TEST_F(CliTest, HelpListsEveryExitCodeTheCommandReturns) {
  const std::pair<const char*, std::set<int>> commands[] = {
      {"load", {0, 1, 2, 3, 4}},
      {"compare", {0, 1, 2, 4}},
      {"ab", {0, 1, 2, 4}},
      {"baseline", {0, 2, 4}},
  };
  for (const auto& [command, expected] : commands) {
    ASSERT_EQ(Perfcheck(std::string(command) + " --help"), 0) << command;
    const std::size_t begin = out_.find("Exit codes:");
    ASSERT_NE(begin, std::string::npos) << command << ": " << out_;
    const std::size_t end = out_.find(".\n", begin);
    ASSERT_NE(end, std::string::npos) << out_;
    // "Exit codes: 0 ok, 1 a threshold failed (...), 2 ...": the number
    // opening each comma-separated entry.
    std::set<int> listed;
    std::stringstream entries(out_.substr(begin + 11, end - begin - 11));
    for (std::string entry; std::getline(entries, entry, ',');) {
      int code = -1;
      if (std::sscanf(entry.c_str(), " %d ", &code) == 1) listed.insert(code);
    }
    EXPECT_EQ(listed, expected) << command << ": " << out_.substr(begin);
  }
}

// Bad flag values are reported by the command, naming the flag (exit 2),
// not by an exception caught in main.
TEST_F(CliTest, BadFlagValuesNameTheFlag) {
  EXPECT_EQ(Perfcheck("load --base-url " + Url() +
                      " --header \"$(printf 'X-Trace: a\\r\\nInjected: 1')\""),
            2);
  EXPECT_EQ(err_.rfind("perfcheck load: --header: header 'X-Trace': value "
                       "contains CR or LF",
                       0),
            0u)
      << err_;
  EXPECT_EQ(Perfcheck("load --base-url " + Url() + " --host-header 'a b'"), 2);
  EXPECT_NE(err_.find("--host-header: Host header contains spaces"),
            std::string::npos)
      << err_;
  EXPECT_EQ(Perfcheck("--testbed 'no spaces allowed' load --base-url " + Url()),
            2);
  EXPECT_NE(err_.find("--testbed 'no spaces allowed': "), std::string::npos)
      << err_;
  EXPECT_EQ(Perfcheck("compare a.json b.json --threshold-for '([=5%'"), 2);
  EXPECT_NE(err_.find("--threshold-for '([=5%': bad regex '(['"),
            std::string::npos)
      << err_;
  std::lock_guard<std::mutex> lock(mu_);
  EXPECT_TRUE(auths_.empty()) << "nothing may be sent";
}

TEST_F(CliTest, UsageErrorsExitTwo) {
  EXPECT_EQ(Perfcheck("load --base-url ftp://x"), 2);
  EXPECT_NE(err_.find("unsupported scheme 'ftp'"), std::string::npos) << err_;
  EXPECT_EQ(Perfcheck("load --base-url " + Url() + " --threshold 'p95<500'"),
            2);
  EXPECT_NE(err_.find("needs a unit"), std::string::npos) << err_;
  EXPECT_EQ(Perfcheck("load --base-url " + Url() + " --threshold 'latency<1s'"),
            2);
  EXPECT_EQ(Perfcheck("load --base-url " + Url() + " --endpoint 'no-slash'"),
            2);
  EXPECT_EQ(Perfcheck("load --base-url " + Url() + " --duration 10"), 2);
  EXPECT_EQ(Perfcheck("load --base-url " + Url() + " -c 0"), 2);
  EXPECT_EQ(Perfcheck("load"), 2);  // --base-url is required
  EXPECT_EQ(Perfcheck("nosuchcommand"), 2);
  EXPECT_EQ(Perfcheck("load --help"), 0);
  EXPECT_NE(out_.find("--threshold"), std::string::npos);
}

// Issue 16: numbers that cannot be a run length or a request count are
// refused up front (exit 2, naming the flag), not replaced by the default.
TEST_F(CliTest, NonsenseRunLengthsAndCountsNameTheFlag) {
  for (const char* value : {"nan", "-3", "0", "inf", "1e300"}) {
    EXPECT_EQ(
        Perfcheck("load --base-url " + Url() + " --duration-seconds " + value),
        2)
        << value;
    EXPECT_NE(err_.find("--duration-seconds must be a number of seconds"),
              std::string::npos)
        << value << ": " << err_;
    EXPECT_EQ(out_, "") << "no run, no report";
  }
  for (const char* flag : {"-n -5", "--requests=-5"}) {
    EXPECT_EQ(Perfcheck("load --base-url " + Url() + " " + flag), 2) << flag;
    EXPECT_NE(err_.find("--requests (-n) must be >= 0 (0: no limit), got -5"),
              std::string::npos)
        << flag << ": " << err_;
  }
  // A valid fractional value still runs.
  EXPECT_EQ(Perfcheck("load --base-url " + Url() +
                      " --endpoint /api/method/ping --duration-seconds 0.2"),
            0)
      << err_;
}

TEST_F(CliTest, UnreachableServerExitsThree) {
  const int port = perfcheck::http::testing::RefusedPort();
  EXPECT_EQ(
      Perfcheck("load --base-url http://127.0.0.1:" + std::to_string(port)), 3);
  EXPECT_NE(err_.find("cannot connect"), std::string::npos) << err_;
}

TEST_F(CliTest, SecretsNeverAppearInAnyOutput) {
  const std::string json = (dir_ / "r.json").string(),
                    csv = (dir_ / "r.csv").string(),
                    result = (dir_ / "result.json").string();
  for (const std::string& auth :
       {std::string("--api-key mykey --api-secret ") + kCanary,
        std::string("--bearer ") + kCanary,
        std::string("--header 'X-Api-Key: ") + kCanary + "'"}) {
    // A failing threshold too, so failure messages are covered.
    const int rc =
        Perfcheck("load --base-url " + Url() + " --endpoint /api/method/ping " +
                  auth + " --requests 3 --threshold 'p95<1ns' --json " + json +
                  " --csv " + csv + " --result " + result);
    EXPECT_EQ(rc, 1) << err_;
    for (const std::string& text :
         {out_, err_, ReadAll(json), ReadAll(csv), ReadAll(result)}) {
      EXPECT_EQ(text.find(kCanary), std::string::npos) << auth << "\n" << text;
    }
  }
  // A bad flag value next to a secret is reported without the secret.
  EXPECT_EQ(Perfcheck("load --base-url " + Url() + " --bearer " + kCanary +
                      " --header 'broken'"),
            2);
  EXPECT_EQ(err_.find(kCanary), std::string::npos);
  std::lock_guard<std::mutex> lock(mu_);
  EXPECT_TRUE(auths_.count(std::string("token mykey:") + kCanary))
      << "the secret was sent";
  EXPECT_TRUE(auths_.count(std::string("Bearer ") + kCanary));
}

// Issue 16: a server that echoes the credential in a malformed status line,
// and secret-named query parameters in endpoints, reach no output.
TEST_F(CliTest, EchoedCredentialsAndSecretQueriesNeverAppearInAnyOutput) {
  perfcheck::http::testing::RawServer echo([](int fd) {
    std::string head;
    while (perfcheck::http::testing::RawServer::ReadRequest(fd, &head)) {
      const std::size_t at = head.find("Authorization: ");
      const std::string auth =
          at == std::string::npos
              ? ""
              : head.substr(at + 15, head.find("\r\n", at) - at - 15);
      perfcheck::http::testing::RawServer::SendAll(
          fd, "HTTP/1.1 " + auth + "\r\n\r\n");
    }
  });
  const std::string json = (dir_ / "r.json").string(),
                    csv = (dir_ / "r.csv").string(),
                    result = (dir_ / "result.json").string();
  const std::string endpoints =
      std::string(" --endpoint '/api?token=") + kCanary +
      "&page=1' --endpoint 'POST /login?api_key=" + kCanary + "'";
  for (const std::string& auth :
       {std::string("--api-key KEYCANARY1 --api-secret ") + kCanary,
        std::string("--bearer ") + kCanary,
        std::string("--header 'Cookie: sid=") + kCanary + "'",
        std::string("--base-url http://alice:") + kCanary +
            "@127.0.0.1:" + std::to_string(echo.port())}) {
    const std::string base =
        auth.rfind("--base-url", 0) == 0 ? "" : " --base-url " + echo.url();
    const int rc = Perfcheck("load" + base + " " + auth + endpoints +
                             " --requests 4 --threshold 'error_rate<1%' "
                             "--json " +
                             json + " --csv " + csv + " --result " + result);
    EXPECT_EQ(rc, 1) << err_;
    EXPECT_NE(out_.find("malformed status line 'HTTP/1.1 "), std::string::npos)
        << out_;
    EXPECT_NE(out_.find("/api?token=<redacted>&page=1"), std::string::npos)
        << out_;
    for (const std::string& text :
         {out_, err_, ReadAll(json), ReadAll(csv), ReadAll(result)}) {
      EXPECT_EQ(text.find(kCanary), std::string::npos) << auth << "\n" << text;
      EXPECT_EQ(text.find("KEYCANARY1"), std::string::npos) << text;
    }
  }
  // A malformed endpoint is quoted without its secret query value.
  EXPECT_EQ(Perfcheck("load --base-url " + echo.url() +
                      " --endpoint 'api?token=" + kCanary + "'"),
            2);
  EXPECT_NE(err_.find("endpoint 'api?token=<redacted>'"), std::string::npos)
      << err_;
  EXPECT_EQ(err_.find(kCanary), std::string::npos) << err_;
}

#ifdef PERFCHECK_CANARY_PROBE_PATH
TEST_F(CliTest, SecretsNeverAppearInGtestXml) {
  const std::string xml = (dir_ / "out.xml").string();
  const std::string cmd = std::string(PERFCHECK_CANARY_PROBE_PATH) + " " +
                          Url() + " " + kCanary + " --gtest_output=xml:" + xml +
                          " >" + (dir_ / "out").string() + " 2>&1";
  const int status = std::system(cmd.c_str());
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 1) << "the probe fails an SLA on purpose";
  const std::string text = ReadAll(xml);
  EXPECT_NE(text.find("deliberate failure"), std::string::npos) << text;
  EXPECT_EQ(text.find(kCanary), std::string::npos);
  EXPECT_EQ(ReadAll(dir_ / "out").find(kCanary), std::string::npos);
}
#endif  // PERFCHECK_CANARY_PROBE_PATH

TEST_F(CliTest, VersionPrintsTheProjectVersionAndExitsZero) {
  // The library's copy of the CMake project version.
  const std::string version = perfcheck::CaptureFingerprint().perfcheck_version;
  ASSERT_NE(version, "unknown");
  EXPECT_EQ(Perfcheck("--version"), 0) << err_;
  EXPECT_EQ(out_, "perfcheck " + version + "\n");
  EXPECT_EQ(err_, "");
}

}  // namespace
