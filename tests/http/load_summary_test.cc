// The end-of-test summary of `perfcheck load` (cli/load_summary.h) on
// results built by hand: the whole text, so a change of layout is a
// deliberate one.
#include "load_summary.h"

#include "gtest/gtest.h"

namespace perfcheck::cli {
namespace {

constexpr Nanos kSecond = 1'000'000'000;

Result Endpoint(const std::string& name, Nanos latency, std::uint64_t ok,
                const std::string& category, int errors,
                const std::string& example) {
  Result r("load/" + name);
  r.latency.RecordN(latency, ok);
  for (int i = 0; i < errors; ++i) r.AddError(category, example);
  r.elapsed_ns = 2 * kSecond;
  return r;
}

http::HttpLoadResult ClosedRun() {
  http::HttpLoadResult r;
  r.endpoints.emplace(
      "GET /api/method/ping",
      Endpoint("GET /api/method/ping", 1'000'000, 1200, "", 0, ""));
  r.endpoints.emplace("GET /boom",
                      Endpoint("GET /boom", 2'000'000, 1190, "status_5xx", 10,
                               "HTTP 500 from GET /boom"));
  Result& ping = r.endpoints.at("GET /api/method/ping");
  ping.AddError("timeout", "no response within 10 s: GET /api/method/ping");
  Result& a = r.aggregate;
  a.name = "load";
  for (const auto& [name, er] : r.endpoints) a.Merge(er);
  a.SetConfig("connections", "25");
  a.SetConfig("threads", "1");
  a.SetConfig("duration", "2 s");
  r.uncorrected = a.latency;
  return r;
}

ThresholdOutcome Judge(const std::string& text, const Result& r) {
  StatusOr<Threshold> t = ParseThreshold(text);
  if (!t.ok()) throw std::invalid_argument(t.status().message());
  return {*t, Evaluate(*t, r)};
}

TEST(LoadSummaryTest, ClosedModelWithErrorsAndThresholds) {
  const http::HttpLoadResult r = ClosedRun();
  const std::string text = LoadSummaryText(
      r, "http://127.0.0.1:8000 (Host: site1)",
      {Judge("p95<500ms", r.aggregate), Judge("error_rate<0.5%", r.aggregate),
       Judge("rps>=2000", r.aggregate)},
      /*color=*/false);
  EXPECT_EQ(
      text,
      "perfcheck load: http://127.0.0.1:8000 (Host: site1)\n"
      "  model     closed, 25 connections, 1 thread\n"
      "  ran       2 s of 2 s planned\n"
      "  requests  2,401 (2,390 ok, 11 errors = 0.46%), 1200.5/s, "
      "1195.0/s ok\n"
      "\n"
      "  endpoint              requests     req/s   p50   p90   p95   p99 "
      "  max      errors\n"
      "  GET /api/method/ping     1,201   600.5/s  1 ms  1 ms  1 ms  1 ms "
      " 1 ms   1 (0.08%)\n"
      "  GET /boom                1,200   600.0/s  2 ms  2 ms  2 ms  2 ms "
      " 2 ms  10 (0.83%)\n"
      "  total                    2,401  1200.5/s  1 ms  2 ms  2 ms  2 ms "
      " 2 ms  11 (0.46%)\n"
      "  latency of successful responses\n"
      "\n"
      "  errors by class\n"
      "    status_5xx  10  HTTP 500 from GET /boom\n"
      "    timeout      1  no response within 10 s: GET /api/method/ping\n"
      "\n"
      "  thresholds\n"
      "    PASS p95<500ms        observed 2 ms, limit 500 ms\n"
      "    PASS error_rate<0.5%  observed 0.46%, limit 0.5%\n"
      "    FAIL rps>=2000        observed 1195.0/s, limit 2000.0/s\n")
      << text;
}

// The open model: rate, late and dropped sends, and p99 both from the
// intended send (what the table and thresholds use) and from the actual one.
TEST(LoadSummaryTest, OpenModelShowsLateDroppedAndBothP99s) {
  http::HttpLoadResult r;
  r.open_model = true;
  r.late_sends = 3;
  r.dropped_sends = 1;
  r.endpoints.emplace("GET /", Endpoint("GET /", 40'000'000, 400, "", 0, ""));
  r.aggregate.Merge(r.endpoints.at("GET /"));
  r.aggregate.SetConfig("rate", "200.0/s");
  r.aggregate.SetConfig("connections", "10");
  r.aggregate.SetConfig("threads", "2");
  r.uncorrected.RecordN(5'000'000, 400);
  const std::string text = LoadSummaryText(r, "http://127.0.0.1:8000", {},
                                           /*color=*/false);
  EXPECT_NE(text.find("\n  model     open, rate 200.0/s, up to 10 "
                      "connections, 2 threads\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("  latency of successful responses, from the intended "
                      "send\n"
                      "\n"
                      "  open model  3 late sends, 1 dropped\n"
                      "              p99 40 ms from the intended send, 5 ms "
                      "from the actual send (uncorrected)\n"),
            std::string::npos)
      << text;
  EXPECT_EQ(text.find("thresholds"), std::string::npos) << "none given";
}

// Colour only where asked (a terminal): the same text with PASS green, FAIL
// and error counts red.
TEST(LoadSummaryTest, ColourWrapsVerdictsAndErrorsOnly) {
  const http::HttpLoadResult r = ClosedRun();
  const std::vector<ThresholdOutcome> th = {Judge("p95<500ms", r.aggregate),
                                            Judge("rps>=2000", r.aggregate)};
  const std::string plain = LoadSummaryText(r, "x", th, false);
  const std::string coloured = LoadSummaryText(r, "x", th, true);
  EXPECT_EQ(plain.find('\033'), std::string::npos);
  EXPECT_NE(coloured.find("\033[32mPASS\033[0m p95<500ms"), std::string::npos)
      << coloured;
  EXPECT_NE(coloured.find("\033[31mFAIL\033[0m rps>=2000"), std::string::npos)
      << coloured;
  std::string stripped = coloured;
  for (const char* code : {"\033[32m", "\033[31m", "\033[0m"}) {
    for (std::size_t at; (at = stripped.find(code)) != std::string::npos;) {
      stripped.erase(at, std::string(code).size());
    }
  }
  EXPECT_EQ(stripped, plain);
}

}  // namespace
}  // namespace perfcheck::cli
