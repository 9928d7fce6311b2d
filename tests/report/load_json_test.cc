// perfcheck load's JSON (cli/load_report.h) read back by the report: the
// figures, the series and the histogram a page draws survive the trip, so
// `perfcheck report load.json` shows what `perfcheck load --html` showed.
#include <gtest/gtest.h>

#include <string>

#include "load_report.h"
#include "perfcheck/report/html.h"
#include "perfcheck/report/inputs.h"

namespace perfcheck::report {
namespace {

http::HttpLoadResult MadeUpRun() {
  http::HttpLoadResult run;
  Result& a = run.aggregate;
  a.name = "load";
  for (int i = 0; i < 300; ++i) {
    const Nanos latency = 1'000'000 + 13'000 * (i % 97);
    const Nanos at = static_cast<Nanos>(i) * 10'000'000;  // 3 s, 100/s
    a.latency.Record(latency);
    a.series.Record(at, latency, true);
    Result& e = run.endpoints[i % 3 == 0 ? "GET /a" : "GET /b<i>"];
    e.latency.Record(latency);
  }
  a.AddError("timeout", "GET /a");
  a.series.Record(2'990'000'000, 0, false);
  run.endpoints["GET /a"].AddError("timeout", "GET /a");
  a.series.Finish();
  a.elapsed_ns = 3'000'000'000;
  for (auto& [name, e] : run.endpoints) e.elapsed_ns = a.elapsed_ns;
  run.status_codes[200] = 300;
  return run;
}

TEST(LoadJsonToReport, SeriesHistogramAndFiguresSurvive) {
  const http::HttpLoadResult run = MadeUpRun();
  const std::string json = cli::LoadReportJson(run, "http://127.0.0.1:1", {});
  StatusOr<ReportSection> from_file = SectionFromLoadJson(json, "load.json");
  ASSERT_TRUE(from_file.ok()) << from_file.status().message();
  StatusOr<ReportSection> live =
      SectionFromLoadJson(json, "load.json", &run.aggregate);
  ASSERT_TRUE(live.ok()) << live.status().message();

  ASSERT_EQ(from_file->intervals.size(), 3u);
  EXPECT_EQ(from_file->intervals[2].errors, 1u);
  EXPECT_EQ(from_file->intervals[0].ok, 100u);
  EXPECT_EQ(from_file->interval_s, 1);
  ASSERT_TRUE(from_file->histogram.has_value());
  EXPECT_EQ(*from_file->histogram, run.aggregate.latency);
  EXPECT_EQ(from_file->requests.size(), 2u);
  // The page from the file alone equals the page of the live run, but for
  // the machine, which the JSON does not hold.
  ReportSection without_machine = *live;
  without_machine.fingerprint.reset();
  EXPECT_EQ(RenderHtmlReport({*from_file}),
            RenderHtmlReport({without_machine}));
  const std::string page = RenderHtmlReport({*from_file});
  for (const char* id : {"s0-latency-over-time", "s0-rate-over-time",
                         "s0-spectrum", "s0-histogram"}) {
    EXPECT_NE(page.find(std::string("id=\"") + id + "\""), std::string::npos)
        << id;
  }
  EXPECT_NE(page.find("data-key=\"GET /b&lt;i&gt;|count\">200</td>"),
            std::string::npos);
}

}  // namespace
}  // namespace perfcheck::report
