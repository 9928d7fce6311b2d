// The HTML report's renderer and readers (perfcheck/report/*.h) without a
// browser: escaping, empty and single-interval series, compare inputs, the
// numbers printed, malformed inputs. report_browser_test opens the page in
// headless Chromium.
#include "perfcheck/report/html.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "perfcheck/report/inputs.h"
#include "perfcheck/report/section.h"
#include "perfcheck/result_json.h"

namespace perfcheck::report {
namespace {

namespace fs = std::filesystem;

const fs::path kData = PERFCHECK_REPORT_TEST_DATA;

std::string Read(const fs::path& p) {
  std::ifstream in(p);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

int Count(const std::string& text, const std::string& what) {
  int n = 0;
  for (std::size_t at = text.find(what); at != std::string::npos;
       at = text.find(what, at + 1)) {
    ++n;
  }
  return n;
}

Result ResultWith(std::string name, int intervals) {
  Result r(std::move(name));
  r.series = TimeSeries(std::chrono::seconds(1));
  for (int i = 0; i < intervals * 10; ++i) {
    const Nanos latency = 1'000'000 + 100'000 * (i % 10);
    r.latency.Record(latency);
    r.series.Record(static_cast<Nanos>(i) * 100'000'000, latency, true);
  }
  r.series.Finish();
  r.elapsed_ns = static_cast<Nanos>(intervals) * 1'000'000'000;
  return r;
}

TEST(HtmlEscape, ReplacesEveryMarkupCharacter) {
  EXPECT_EQ(HtmlEscape("<script>alert(1)</script>"),
            "&lt;script&gt;alert(1)&lt;/script&gt;");
  EXPECT_EQ(HtmlEscape("a&b\"c'd"), "a&amp;b&quot;c&#39;d");
  EXPECT_EQ(HtmlEscape("plain /api/x?y=1"), "plain /api/x?y=1");
}

TEST(HtmlReport, HostileNamesAreEscapedEverywhere) {
  const std::string hostile = "<script>alert(1)</script>\"'&";
  Result r = ResultWith(hostile, 3);
  r.AddError(hostile, "boom");
  r.SetConfig(hostile, hostile);
  ReportSection s = SectionFromResult(r, hostile);
  const std::string page = RenderHtmlReport({s, s}, hostile);
  EXPECT_EQ(page.find("<script"), std::string::npos);
  EXPECT_EQ(page.find("alert(1)</script>"), std::string::npos);
  EXPECT_NE(page.find("&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&amp;"),
            std::string::npos);
  // The policy forbids every fetch and every script.
  EXPECT_NE(page.find("content=\"default-src 'none'; style-src "
                      "'unsafe-inline'\""),
            std::string::npos);
}

TEST(HtmlReport, ASecretRedactedInTheResultStaysRedacted) {
  Result r = ResultWith("login", 2);
  r.SetConfig("api_secret", "s3cr3t-value");
  r.SetConfig("authorization", "token key:s3cr3t-value");
  const std::string page = RenderHtmlReport({SectionFromResult(r, "r.json")});
  EXPECT_EQ(page.find("s3cr3t"), std::string::npos);
  EXPECT_NE(page.find("api_secret"), std::string::npos);
}

TEST(HtmlReport, EmptySeriesDrawsNoTimeChartsAndSaysSo) {
  Result r("nothing");
  const std::string page = RenderHtmlReport({SectionFromResult(r, "r.json")});
  EXPECT_EQ(page.find("s0-latency-over-time"), std::string::npos);
  EXPECT_EQ(page.find("s0-spectrum"), std::string::npos);
  EXPECT_EQ(page.find("s0-histogram"), std::string::npos);
  EXPECT_NE(page.find("No per-interval series"), std::string::npos);
  EXPECT_NE(page.find("data-key=\"nothing|count\">0</td>"), std::string::npos);
}

TEST(HtmlReport, SingleIntervalDrawsEveryChartWithOnePoint) {
  const Result r = ResultWith("one", 1);
  ASSERT_EQ(r.series.Intervals().size(), 1u);
  const std::string page = RenderHtmlReport({SectionFromResult(r, "r.json")});
  for (const char* id : {"s0-latency-over-time", "s0-rate-over-time",
                         "s0-spectrum", "s0-histogram", "s0-machine"}) {
    EXPECT_NE(page.find(std::string("id=\"") + id + "\""), std::string::npos)
        << id;
  }
  // One marker per percentile line, and no NaN from a zero-width range.
  EXPECT_EQ(Count(page, "<circle class=\"marker p99\""), 1);
  EXPECT_EQ(page.find("nan"), std::string::npos);
  EXPECT_EQ(page.find("inf"), std::string::npos);
}

TEST(HtmlReport, ResultNumbersFollowTheStatedRounding) {
  Result r("q");
  r.latency.Record(1'234'567);  // 1.235 ms (round(ns/1000)/1000)
  r.elapsed_ns = 3'000'000'000;
  const std::string page = RenderHtmlReport({SectionFromResult(r, "r.json")});
  EXPECT_NE(page.find("data-key=\"q|p50_ms\">1.235</td>"), std::string::npos);
  EXPECT_NE(page.find("data-key=\"q|rps\">0.3</td>"), std::string::npos);
}

TEST(ReportInputs, LoadJsonNumbersArePrintedAsInTheJson) {
  StatusOr<std::vector<ReportSection>> s =
      ReadReportInputs({kData / "load.json"});
  ASSERT_TRUE(s.ok()) << s.status().message();
  ASSERT_EQ(s->size(), 1u);
  EXPECT_EQ((*s)[0].kind, "load");
  EXPECT_EQ((*s)[0].intervals.size(), 3u);
  const std::string page = RenderHtmlReport(*s);
  for (const char* cell :
       {"data-key=\"GET /api/orders|p95_ms\">13.01</td>",
        "data-key=\"GET /api/orders|rps\">32.3</td>",
        "data-key=\"GET /api/orders|count\">100</td>",
        "data-key=\"ALL|p99_ms\">31.002</td>",
        "data-key=\"ALL|max_ms\">48.77</td>",
        "data-key=\"ALL|error_rate\">2.00%</td>",
        "data-key=\"GET /api/&lt;script&gt;alert(1)&lt;/script&gt;&amp;x=&#39;"
        "&quot;|p99_ms\">20.125</td>"}) {
    EXPECT_NE(page.find(cell), std::string::npos) << cell;
  }
  EXPECT_NE(page.find("thresholds: 1 passed, 1 failed"), std::string::npos);
  // The monitored server: its figures as the JSON has them, RSS and CPU
  // drawn over time.
  for (const char* cell :
       {"data-key=\"cmd process 4242 (server)|peak_rss_bytes\">52428800</td>",
        "data-key=\"cmd process 4242 (server)|cpu_mean_percent\">12.51</td>",
        "data-key=\"cmd process 4242 (server)|cpu_peak_percent\">31.25</td>",
        "id=\"s0-resources-0\"", "id=\"s0-resources-0-cpu\""}) {
    EXPECT_NE(page.find(cell), std::string::npos) << cell;
  }
  EXPECT_EQ(Count(page, "<circle class=\"marker rss\""), 4);
  EXPECT_EQ(page.find("<script"), std::string::npos);
}

TEST(ReportInputs, CompareJsonDrawsBandsAgainstIntervals) {
  StatusOr<std::vector<ReportSection>> s =
      ReadReportInputs({kData / "compare.json"});
  ASSERT_TRUE(s.ok()) << s.status().message();
  const ReportSection& c = (*s)[0];
  EXPECT_EQ(c.kind, "compare");
  ASSERT_EQ(c.comparisons.size(), 3u);
  EXPECT_FALSE(c.comparisons[2].old_value.has_value());
  const std::string page = RenderHtmlReport(*s);
  EXPECT_NE(page.find("id=\"s0-compare\""), std::string::npos);
  EXPECT_NE(page.find("id=\"s0-compare-table\""), std::string::npos);
  // One band per row, one interval per row that has one.
  EXPECT_EQ(Count(page, "<rect class=\"band\""), 3);
  EXPECT_EQ(Count(page, "<line class=\"interval\""), 2);
  EXPECT_NE(page.find("data-key=\"BM_Parse/64/cpu_time|old\">1250.5</td>"),
            std::string::npos);
  EXPECT_NE(page.find("data-key=\"BM_Parse/64/cpu_time|change\">0.1997</td>"),
            std::string::npos);
  EXPECT_NE(page.find("BM_Sort&lt;int&gt;"), std::string::npos);
  EXPECT_NE(page.find("data-key=\"BM_Empty/cpu_time|old\">n/a</td>"),
            std::string::npos);
  EXPECT_EQ(page.find("s0-latency-over-time"), std::string::npos);
}

TEST(ReportInputs, ResultFilesAndADirectoryOfThem) {
  const fs::path dir =
      fs::path(PERFCHECK_REPORT_TEST_OUT) / "results_dir_input";
  fs::remove_all(dir);
  fs::create_directories(dir);
  ASSERT_TRUE(WriteResultFile(ResultWith("b", 2), dir / "T.B.b.json").ok());
  ASSERT_TRUE(WriteResultFile(ResultWith("a", 3), dir / "T.A.a.json").ok());
  StatusOr<std::vector<ReportSection>> s =
      ReadReportInputs({dir, kData / "load.json", dir / "T.B.b.json"});
  ASSERT_TRUE(s.ok()) << s.status().message();
  ASSERT_EQ(s->size(), 4u);
  EXPECT_EQ((*s)[0].title, (dir / "T.A.a.json").string());  // name order
  EXPECT_EQ((*s)[1].title, (dir / "T.B.b.json").string());
  EXPECT_EQ((*s)[2].kind, "load");
  EXPECT_EQ((*s)[3].kind, "result");
  const std::string page = RenderHtmlReport(*s);
  EXPECT_NE(page.find("id=\"s3-histogram\""), std::string::npos);
  EXPECT_EQ(Count(page, "<section class=\"input\""), 4);
}

TEST(ReportInputs, ResultFileWithMonitoredProcesses) {
  Result r = ResultWith("served", 2);
  ProcessSeries server;
  server.label = "cmd";
  server.pid = 77;
  server.name = "srv<1>";
  for (int i = 0; i < 5; ++i) {
    server.samples.push_back({.t_ns = static_cast<Nanos>(i) * 1'000'000'000,
                              .cpu_percent = i == 0 ? 0 : 10.0 / 3 * i,
                              .rss_bytes = (40 + i) * 1024 * 1024,
                              .threads = 3,
                              .fds = 9});
  }
  server.note = "process 77 (srv<1>) exited";
  r.resources.push_back(server);
  const fs::path file = fs::path(PERFCHECK_REPORT_TEST_OUT) / "served.json";
  ASSERT_TRUE(WriteResultFile(r, file).ok());
  StatusOr<std::vector<ReportSection>> s = ReadReportInputs({file});
  ASSERT_TRUE(s.ok()) << s.status().message();
  ASSERT_EQ((*s)[0].resources.size(), 1u);
  const std::string page = RenderHtmlReport(*s);
  // Peak RSS in bytes; CPU % to 2 decimals, as perfcheck load's JSON.
  for (const char* cell :
       {"data-key=\"cmd process 77 (srv&lt;1&gt;)|peak_rss_bytes\">46137344<",
        "data-key=\"cmd process 77 (srv&lt;1&gt;)|cpu_peak_percent\">13.33<",
        "data-key=\"cmd process 77 (srv&lt;1&gt;)|cpu_mean_percent\">8.33<",
        "id=\"s0-resources-0\"", "id=\"s0-resources-0-cpu\"",
        "process 77 (srv&lt;1&gt;) exited"}) {
    EXPECT_NE(page.find(cell), std::string::npos) << cell;
  }
  EXPECT_EQ(Count(page, "<circle class=\"marker cpu\""), 5);
}

class MalformedInput : public ::testing::Test {
 protected:
  std::string ErrorFor(const std::string& name, const std::string& text) {
    const fs::path p = fs::path(PERFCHECK_REPORT_TEST_OUT) / name;
    std::ofstream(p) << text;
    StatusOr<std::vector<ReportSection>> s = ReadReportInputs({p});
    EXPECT_FALSE(s.ok());
    return s.ok() ? "" : s.status().message();
  }
};

TEST_F(MalformedInput, NamesTheFileAndTheField) {
  std::string load = Read(kData / "load.json");
  load.replace(load.find("\"p95\": 13.01"), 12, "\"p95\": \"x\"");
  const std::string e = ErrorFor("bad_load.json", load);
  EXPECT_NE(e.find("bad_load.json"), std::string::npos) << e;
  EXPECT_NE(e.find("endpoints.GET /api/orders.latency_ms.p95"),
            std::string::npos)
      << e;
}

TEST_F(MalformedInput, CompareRowWithoutAVerdict) {
  std::string cmp = Read(kData / "compare.json");
  cmp.replace(cmp.find("\"verdict\": \"regression\""), 23, "\"x\": 1");
  const std::string e = ErrorFor("bad_compare.json", cmp);
  EXPECT_NE(e.find("bad_compare.json: field 'rows[0].verdict': missing"),
            std::string::npos)
      << e;
}

TEST_F(MalformedInput, UnknownKindTruncatedJsonAndMissingFile) {
  EXPECT_NE(ErrorFor("other.json", "{\"a\": 1}")
                .find("other.json: not an "
                      "input of perfcheck "
                      "report"),
            std::string::npos);
  EXPECT_NE(ErrorFor("cut.json", "{\"total_requests\": 1, ").find("cut.json"),
            std::string::npos);
  EXPECT_NE(ErrorFor("schema.json", "{\"schema\": \"perfcheck.baseline/v1\"}")
                .find("field 'schema'"),
            std::string::npos);
  StatusOr<std::vector<ReportSection>> s =
      ReadReportInputs({fs::path(PERFCHECK_REPORT_TEST_OUT) / "absent.json"});
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("absent.json"), std::string::npos);
}

TEST(HtmlReport, WritesAtomicallyAndNamesAnUnwritablePath) {
  const fs::path out = fs::path(PERFCHECK_REPORT_TEST_OUT) / "written.html";
  ASSERT_TRUE(
      WriteHtmlReport(out, {SectionFromResult(ResultWith("w", 2), "w")}).ok());
  EXPECT_NE(Read(out).find("</html>"), std::string::npos);
  Status s = WriteHtmlReport(
      fs::path(PERFCHECK_REPORT_TEST_OUT) / "no-such-dir" / "r.html", {});
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("no-such-dir"), std::string::npos);
}

}  // namespace
}  // namespace perfcheck::report
