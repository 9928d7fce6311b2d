// Locust's CSV files from a load result: the columns, rows and numbers are
// checked against Locust 2.12's own writer (Debian's python3-locust), fed the
// same response times, by tests/http/locust/check_locust_csv.py.
#include "locust_csv.h"

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "perfcheck/http/load.h"

namespace perfcheck::cli {
namespace {

namespace fs = std::filesystem;

TEST(PythonFloat, PrintsAsPythonsStr) {
  const std::pair<double, const char*> cases[] = {
      {0.1, "0.1"},           {150, "150.0"},
      {12.5, "12.5"},         {0, "0.0"},
      {1e-05, "1e-05"},       {0.0001, "0.0001"},
      {1.5e16, "1.5e+16"},    {1e16, "1e+16"},
      {9999999999999998.0, "9999999999999998.0"},
      {123456.789, "123456.789"},
      {1.0 / 3, "0.3333333333333333"},
      {-2.5, "-2.5"},         {3.7e-07, "3.7e-07"},
      {1e22, "1e+22"},
  };
  for (const auto& [value, text] : cases) {
    EXPECT_EQ(PythonFloat(value), text) << value;
  }
}

TEST(LocustCsv, PercentileHeadersAreLocusts) {
  EXPECT_EQ(LocustPercentileHeaders(),
            (std::vector<std::string>{"50%", "66%", "75%", "80%", "90%", "95%",
                                      "98%", "99%", "99.9%", "99.99%",
                                      "100%"}));
}

// Response times away from Locust's rounding boundaries (x.5 below 100 ms,
// x5 below 1 s, ...), so the histogram's 0.05% cannot flip a rounding.
bool NearRoundingBoundary(double ms) {
  const double unit = ms < 100 ? 1 : ms < 1000 ? 10 : ms < 10000 ? 100 : 1000;
  const double frac = std::fmod(ms / unit, 1.0);
  return std::abs(frac - 0.5) < 0.01;
}

struct Endpoint {
  std::string key, method;
  std::vector<double> ok_ms, fail_ms;
  std::uint64_t body_bytes = 0;
};

// A result as http::Load() builds it, from known response times.
http::HttpLoadResult MakeResult(const std::vector<Endpoint>& endpoints,
                                double elapsed_s) {
  http::HttpLoadResult r;
  r.aggregate = Result("load");
  r.aggregate.elapsed_ns = static_cast<Nanos>(elapsed_s * 1e9);
  for (const Endpoint& e : endpoints) {
    Result ep("load/" + e.key);
    ep.elapsed_ns = r.aggregate.elapsed_ns;
    http::EndpointTraffic& t = r.traffic[e.key];
    t.method = e.method;
    t.body_bytes = e.body_bytes;
    Nanos offset = 0;
    for (double ms : e.ok_ms) {
      const auto ns = static_cast<Nanos>(std::llround(ms * 1e6));
      ep.latency.Record(ns);
      ep.series.Record(offset, ns, true);
      offset += 10'000'000;
    }
    for (double ms : e.fail_ms) {
      const auto ns = static_cast<Nanos>(std::llround(ms * 1e6));
      ep.AddError("status_5xx", "HTTP 503 from " + e.method + " " + e.key);
      t.failed_latency.Record(ns);
      ep.series.Record(offset, ns, false);
      offset += 10'000'000;
    }
    ep.series.Finish();
    r.aggregate.Merge(ep);
    r.endpoints.emplace(e.key, std::move(ep));
  }
  return r;
}

std::string ReadAll(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TEST(LocustCsv, MatchesLocustsOwnWriterOnTheSameResponses) {
  std::vector<Endpoint> endpoints(3);
  endpoints[0] = {"/api/tickets/[id]", "GET", {}, {}, 1'234'567};
  // A spread from 0.4 ms to 12 s, and failures with their own times.
  for (double ms = 0.4; ms < 12'000; ms *= 1.031) {
    if (!NearRoundingBoundary(ms)) endpoints[0].ok_ms.push_back(ms);
  }
  endpoints[0].fail_ms = {41.2, 3'310, 7.3};
  // perfcheck's default name: Locust shows the path, the method in Type.
  endpoints[1] = {"GET /health", "GET", {2.2, 2.9, 3.1, 180.3}, {}, 40};
  // A name that needs CSV quoting, failures only.
  endpoints[2] = {R"(login, "first")", "POST", {}, {52.1, 48.7}, 0};
  const http::HttpLoadResult result = MakeResult(endpoints, 12.5);

  const fs::path dir =
      fs::path(::testing::TempDir()) /
      ("locust_csv_" + std::to_string(static_cast<long>(::getpid())));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const LocustCsvFiles files = LocustCsv(result, {.start_unix_s = 1'700'000'000,
                                                  .users_at = [](Nanos) {
                                                    return 3.0;
                                                  }});
  ASSERT_EQ(files.files.size(), 4u);
  for (const auto& [suffix, text] : files.files) {
    std::ofstream(dir / ("out" + suffix), std::ios::binary) << text;
  }
  nlohmann::json values;
  values["elapsed_s"] = 12.5;
  for (const Endpoint& e : endpoints) {
    nlohmann::json j;
    j["method"] = e.method;
    j["name"] = e.key == "GET /health" ? "/health" : e.key;
    j["ok_ms"] = e.ok_ms;
    j["fail_ms"] = e.fail_ms;
    j["fail_errors"] = std::vector<std::string>(e.fail_ms.size(), "HTTP 503");
    j["content_bytes"] = e.body_bytes;
    values["entries"].push_back(j);
  }
  std::ofstream(dir / "values.json") << values.dump();

  const std::string cmd = "/usr/bin/python3 " +
                          std::string(PERFCHECK_LOCUST_CHECK_SCRIPT) + " " +
                          dir.string() + " 2>&1";
  FILE* pipe = ::popen(cmd.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string output;
  char buf[4096];
  while (std::fgets(buf, sizeof buf, pipe) != nullptr) output += buf;
  const int status = ::pclose(pipe);
  ASSERT_TRUE(WIFEXITED(status)) << output;
  EXPECT_EQ(WEXITSTATUS(status), 0)
      << "perfcheck's CSV differs from Locust's writer (python3-locust is "
         "installed by scripts/install-deps.sh):\n"
      << output;
  EXPECT_NE(output.find("0 difference(s)"), std::string::npos) << output;

  // The history: one Aggregated row per interval, cumulative totals ending
  // at the stats file's totals.
  const std::string history = ReadAll(dir / "out_stats_history.csv");
  const std::string last =
      history.substr(history.rfind("\r\n", history.size() - 3) + 2);
  EXPECT_EQ(last.rfind("17000000", 0), 0u) << last;
  const std::uint64_t total = result.aggregate.TotalCount();
  EXPECT_NE(last.find(",3,,Aggregated,"), std::string::npos) << last;
  EXPECT_NE(last.find("," + std::to_string(total) + ",5,"), std::string::npos)
      << "total requests, then failures: " << last;
  fs::remove_all(dir);
}

TEST(LocustCsv, AnEmptyRunWritesNotAvailablePercentilesAsLocustDoes) {
  http::HttpLoadResult r;
  r.endpoints.emplace("GET /", Result("load/GET /"));
  r.traffic["GET /"].method = "GET";
  const LocustCsvFiles files = LocustCsv(r, {});
  const std::string& stats = files.files.at(0).second;
  EXPECT_NE(stats.find("\r\nGET,/,0,0,0,0.0,0,0,0,0.0,0.0,N/A,N/A,N/A,N/A,N/A,"
                       "N/A,N/A,N/A,N/A,N/A,N/A\r\n"),
            std::string::npos)
      << stats;
  EXPECT_NE(stats.find("\r\n,Aggregated,0,0,"), std::string::npos) << stats;
}

// A scenario's extras: 429s counted apart are requests that did not fail
// (Locust's response.success()), failures keep each distinct message, and an
// exception that left a task is a row of exceptions.csv.
TEST(LocustCsv, AScenarioListsEachFailureMessageAndCountsApartAsRequests) {
  http::ScenarioResult r;
  r.aggregate.elapsed_ns = 2'000'000'000;
  Result& ai = r.endpoints["POST /api/ai"];
  ai.latency.Record(3'000'000);
  ai.AddError("status_5xx", "HTTP 500");
  ai.AddError("check", "JSON /diagnosis missing");
  r.traffic["POST /api/ai"].method = "POST";
  r.traffic["POST /api/ai"].failed_latency.Record(4'000'000);
  r.traffic["POST /api/ai"].failed_latency.Record(5'000'000);
  r.apart["POST /api/ai"].count = 3;
  for (int i = 0; i < 3; ++i) {
    r.apart["POST /api/ai"].latency.Record(1'000'000);
  }
  r.failures[{"POST /api/ai", "HTTP 500"}] = 1;
  r.failures[{"POST /api/ai", "JSON /diagnosis missing"}] = 1;
  r.failures[{"EFIUser.diagnose", "std::runtime_error: boom"}] = 2;
  const LocustCsvFiles files = LocustCsv(r, {});
  const std::string& stats = files.files.at(0).second;
  // 1 ok + 2 failed + 3 apart = 6 requests, 2 failures; median of
  // {1,1,1,3,4,5} ms.
  EXPECT_NE(stats.find("\r\nPOST,/api/ai,6,2,1,"), std::string::npos) << stats;
  EXPECT_EQ(files.files.at(1).second,
            "Method,Name,Error,Occurrences\r\n"
            "POST,/api/ai,HTTP 500,1\r\n"
            "POST,/api/ai,JSON /diagnosis missing,1\r\n");
  EXPECT_EQ(files.files.at(2).second,
            "Count,Message,Traceback,Nodes\r\n"
            "2,EFIUser.diagnose: std::runtime_error: boom,,local\r\n");
}

}  // namespace
}  // namespace perfcheck::cli
