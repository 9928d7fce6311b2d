// The HTML report in a real browser: headless Chromium (Debian's chromium,
// installed by scripts/install-deps.sh) opens a report written from the
// known load JSON in data/ plus a result, dumps the DOM as it parsed it,
// takes a screenshot, and logs every console message. The test checks the
// charts are there, the numbers in the DOM are the JSON's, a hostile name
// stayed text, and the console stayed silent (a page that logs an error is
// checked to be caught, so silence means something).
//
// Every Chromium run is bounded (RunChildProcess's timeout) and uses a
// throwaway profile under the build directory.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <string>
#include <vector>

#include "json/json.h"
#include "perfcheck/child_process.h"
#include "perfcheck/report/html.h"
#include "perfcheck/report/inputs.h"
#include "perfcheck/result_json.h"

namespace perfcheck::report {
namespace {

namespace fs = std::filesystem;

const fs::path kData = PERFCHECK_REPORT_TEST_DATA;

std::string Read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

struct BrowserRun {
  std::string dom;
  std::string log;  // Chromium's stderr with --enable-logging=stderr
};

// This test's own directory: ctest may run the tests of this binary at once.
fs::path OutDir() {
  return fs::path(PERFCHECK_REPORT_TEST_OUT) / "browser" /
         ::testing::UnitTest::GetInstance()->current_test_info()->name();
}

// Runs chromium on `page` with `mode` (--dump-dom or --screenshot=...).
BrowserRun RunChromium(const fs::path& page, const std::string& mode,
                       const std::string& tag) {
  const fs::path kOut = OutDir();
  const std::string chromium = PERFCHECK_CHROMIUM_PATH;
  EXPECT_FALSE(chromium.empty())
      << "chromium not found at configure time: install it "
         "(scripts/install-deps.sh, Debian package chromium) and re-run "
         "cmake";
  if (chromium.empty()) return {};
  ChildProcessOptions o;
  o.argv = {chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-extensions",
            "--user-data-dir=" + (kOut / ("profile-" + tag)).string(),
            "--enable-logging=stderr",
            "--v=0",
            "--window-size=1200,3000",
            mode,
            "file://" + fs::absolute(page).string()};
  o.stdout_path = kOut / (tag + ".out");
  o.stderr_path = kOut / (tag + ".log");
  o.timeout = std::chrono::seconds(90);
  StatusOr<ChildProcessEnd> end = RunChildProcess(o);
  EXPECT_TRUE(end.ok()) << end.status().message();
  if (!end.ok()) return {};
  EXPECT_TRUE(end->Succeeded())
      << "chromium " << end->Describe(o.timeout) << "\n"
      << FileTail(o.stderr_path, 2000);
  return {Read(o.stdout_path), Read(o.stderr_path)};
}

// Chromium logs every console message (console.error, a refused fetch, a
// script error) as a "CONSOLE" line.
std::vector<std::string> ConsoleLines(const std::string& log) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start < log.size()) {
    std::size_t end = log.find('\n', start);
    if (end == std::string::npos) end = log.size();
    const std::string line = log.substr(start, end - start);
    if (line.find(":CONSOLE") != std::string::npos) lines.push_back(line);
    start = end + 1;
  }
  return lines;
}

// data-key="row|column" -> the cell's text, as the browser parsed them.
std::map<std::string, std::string> Cells(const std::string& dom) {
  std::map<std::string, std::string> cells;
  static const std::regex kCell("data-key=\"([^\"]*)\">([^<]*)<");
  for (std::sregex_iterator it(dom.begin(), dom.end(), kCell), end; it != end;
       ++it) {
    cells[(*it)[1]] = (*it)[2];
  }
  return cells;
}

// The part of the DOM of section `id` ("s0").
std::string SectionOf(const std::string& dom, const std::string& id) {
  const std::size_t start = dom.find("<section class=\"input\" id=\"" + id);
  if (start == std::string::npos) return "";
  return dom.substr(start, dom.find("</section>", start) - start);
}

// A name as Chromium serializes it in an attribute: & < > " as entities,
// ' as itself (the page wrote &#39;; the parser read it back as ').
std::string AsSerialized(const std::string& name) {
  std::string out;
  for (char c : name) {
    out += c == '\'' ? std::string(1, c) : HtmlEscape(std::string(1, c));
  }
  return out;
}

class ReportInBrowser : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::remove_all(OutDir());
    fs::create_directories(OutDir());
  }
  const fs::path kOut = OutDir();
};

TEST_F(ReportInBrowser, ChartsNumbersAndASilentConsole) {
  // A load JSON as perfcheck load writes it (with its series), and a result
  // with a histogram: one section each.
  Result r("checkout");
  for (int i = 0; i < 200; ++i) {
    const Nanos latency =
        2'000'000 + 37'000 * (i % 50) + (i == 199 ? 90'000'000 : 0);
    r.latency.Record(latency);
    r.series.Record(static_cast<Nanos>(i) * 20'000'000, latency, true);
  }
  r.series.Finish();
  r.elapsed_ns = 4'000'000'000;
  const fs::path result_file = kOut / "checkout.json";
  ASSERT_TRUE(WriteResultFile(r, result_file).ok());
  StatusOr<std::vector<ReportSection>> sections =
      ReadReportInputs({kData / "load.json", result_file});
  ASSERT_TRUE(sections.ok()) << sections.status().message();
  const fs::path page = kOut / "report.html";
  ASSERT_TRUE(WriteHtmlReport(page, *sections).ok());

  const BrowserRun run = RunChromium(page, "--dump-dom", "dom");
  ASSERT_FALSE(run.dom.empty());
  EXPECT_EQ(ConsoleLines(run.log), std::vector<std::string>{});

  // Charts, as parsed by the browser.
  for (const char* id :
       {"s0-latency-over-time", "s0-rate-over-time", "s0-spectrum",
        "s1-latency-over-time", "s1-spectrum", "s1-histogram", "s1-machine",
        "s0-requests", "s0-thresholds", "s0-resources-0",
        "s0-resources-0-cpu"}) {
    EXPECT_NE(run.dom.find(std::string("id=\"") + id + "\""), std::string::npos)
        << id;
  }
  int charts = 0;
  for (std::size_t at = run.dom.find("<svg class=\"chart\"");
       at != std::string::npos;
       at = run.dom.find("<svg class=\"chart\"", at + 1)) {
    ++charts;
  }
  EXPECT_EQ(charts, 9);
  // One polyline per percentile over time, three markers each (3 intervals).
  EXPECT_NE(run.dom.find("<polyline class=\"line p99\""), std::string::npos);

  // The numbers in the DOM are the JSON's.
  const json_fields::Json doc =
      json_fields::Json::parse(Read(kData / "load.json"));
  const std::map<std::string, std::string> cells =
      Cells(SectionOf(run.dom, "s0"));
  auto number = [&](const std::string& key) {
    auto it = cells.find(key);
    EXPECT_NE(it, cells.end()) << "no cell " << key;
    return it == cells.end() ? -1.0 : std::stod(it->second);
  };
  int checked = 0;
  for (const auto& [name, e] : doc["endpoints"].items()) {
    const std::string row = AsSerialized(name);
    EXPECT_EQ(number(row + "|count"), e["total_requests"].get<double>());
    EXPECT_EQ(number(row + "|errors"), e["errors"].get<double>());
    EXPECT_EQ(number(row + "|rps"), e["rps"].get<double>());
    for (const char* p : {"p50", "p90", "p95", "p99", "max"}) {
      EXPECT_EQ(number(row + "|" + p + "_ms"), e["latency_ms"][p].get<double>())
          << name << " " << p;
      ++checked;
    }
  }
  EXPECT_EQ(checked, 10);
  EXPECT_EQ(number("ALL|count"), doc["total_requests"].get<double>());
  EXPECT_EQ(number("ALL|p95_ms"), doc["latency_ms"]["p95"].get<double>());
  EXPECT_EQ(cells.at("ALL|error_rate"), "2.00%");
  const json_fields::Json& server = doc["resources"]["processes"][0];
  EXPECT_EQ(number("cmd process 4242 (server)|peak_rss_bytes"),
            server["peak_rss_bytes"].get<double>());
  EXPECT_EQ(number("cmd process 4242 (server)|cpu_peak_percent"),
            server["cpu_peak_percent"].get<double>());
  // The result's row: its summary fields by the stated rule.
  const json_fields::Json res = json_fields::Json::parse(Read(result_file));
  const std::map<std::string, std::string> result_cells =
      Cells(SectionOf(run.dom, "s1"));
  ASSERT_EQ(result_cells.count("checkout|p99_ms"), 1u);
  EXPECT_EQ(std::stod(result_cells.at("checkout|p99_ms")),
            RoundedMs(res["latency"]["p99_ns"].get<double>()));
  EXPECT_EQ(result_cells.at("checkout|count"),
            std::to_string(res["summary"]["total"].get<int>()));

  // The hostile endpoint name is text: no script element in the whole DOM.
  EXPECT_EQ(run.dom.find("<script"), std::string::npos);
  EXPECT_NE(run.dom.find("GET /api/&lt;script&gt;alert(1)&lt;/script&gt;"),
            std::string::npos);
  EXPECT_EQ(run.dom.find("s3cr3t"), std::string::npos);
}

TEST_F(ReportInBrowser, ScreenshotIsAPng) {
  StatusOr<std::vector<ReportSection>> sections =
      ReadReportInputs({kData / "load.json", kData / "compare.json"});
  ASSERT_TRUE(sections.ok()) << sections.status().message();
  const fs::path page = kOut / "report.html";
  ASSERT_TRUE(WriteHtmlReport(page, *sections).ok());
  const fs::path png = kOut / "report.png";
  const BrowserRun run =
      RunChromium(page, "--screenshot=" + png.string(), "shot");
  EXPECT_EQ(ConsoleLines(run.log), std::vector<std::string>{});
  const std::string bytes = Read(png);
  ASSERT_GT(bytes.size(), 1000u) << png;
  EXPECT_EQ(bytes.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
}

// The console check catches what it must: a page that logs an error, and
// one whose image fetch the report's policy would refuse.
TEST_F(ReportInBrowser, ConsoleCheckCatchesAnError) {
  const fs::path page = kOut / "noisy.html";
  std::ofstream(page)
      << "<!DOCTYPE html><html><head><meta http-equiv=\"Content-Security-"
         "Policy\" content=\"default-src 'none'; script-src "
         "'unsafe-inline'\"></head><body><script>console.error('boom')"
         "</script><img src=\"http://127.0.0.1:9/x.png\"></body></html>";
  const BrowserRun run = RunChromium(page, "--dump-dom", "noisy");
  const std::vector<std::string> lines = ConsoleLines(run.log);
  ASSERT_EQ(lines.size(), 2u) << run.log;
  EXPECT_NE(lines[0].find("boom"), std::string::npos);
  EXPECT_NE(lines[1].find("Content Security Policy"), std::string::npos);
}

}  // namespace
}  // namespace perfcheck::report
