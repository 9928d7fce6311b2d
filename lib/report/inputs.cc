#include "perfcheck/report/inputs.h"

#include <algorithm>
#include <cstdio>
#include <optional>
#include <string>
#include <system_error>
#include <utility>

#include "io/file_io.h"
#include "json/field_reader.h"
#include "json/json.h"
#include "perfcheck/result_json.h"

namespace perfcheck::report {
namespace {

using json_fields::FieldError;
using json_fields::FieldReader;
using json_fields::Index;
using json_fields::Join;
using json_fields::Json;

std::string Seconds(double s) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3f s", s);
  return text;
}

// load JSON's "latency_ms" object into a row's percentiles.
void ReadLatencyMs(const FieldReader& r, const Json& obj,
                   const std::string& path, RequestRow* row) {
  const Json& l = r.Object(obj, path, "latency_ms");
  const std::string lp = Join(path, "latency_ms");
  row->p50_ms = r.Number(l, lp, "p50");
  row->p90_ms = r.Number(l, lp, "p90");
  row->p95_ms = r.Number(l, lp, "p95");
  row->p99_ms = r.Number(l, lp, "p99");
  row->max_ms = r.Number(l, lp, "max");
}

RequestRow ReadRequestRow(const FieldReader& r, const Json& obj,
                          const std::string& path, std::string name) {
  RequestRow row;
  row.name = std::move(name);
  row.count = r.Uint64(obj, path, "total_requests");
  row.errors = r.Uint64(obj, path, "errors");
  row.rps = r.Number(obj, path, "rps");
  ReadLatencyMs(r, obj, path, &row);
  return row;
}

// The optional per-interval series of a load JSON:
//   "series": {"interval_s": 1, "intervals": [{"start_s", "ok", "errors",
//              "p50_ms", "p95_ms", "p99_ms"}]}
void ReadLoadSeries(const FieldReader& r, const Json& doc, ReportSection* s) {
  const Json& series = r.Object(doc, "", "series");
  s->interval_s = r.Number(series, "series", "interval_s");
  const Json& list = r.Array(series, "series", "intervals");
  for (std::size_t i = 0; i < list.size(); ++i) {
    const std::string p = Index("series.intervals", i);
    const Json& e = list[i];
    s->intervals.push_back({.start_s = r.Number(e, p, "start_s"),
                            .ok = r.Uint64(e, p, "ok"),
                            .errors = r.Uint64(e, p, "errors"),
                            .p50_ms = r.Number(e, p, "p50_ms"),
                            .p95_ms = r.Number(e, p, "p95_ms"),
                            .p99_ms = r.Number(e, p, "p99_ms")});
  }
}

void AddIntervalsFromRun(const Result& run, ReportSection* s) {
  s->interval_s = static_cast<double>(run.series.IntervalNanos()) / 1e9;
  for (const Interval& i : run.series.Intervals()) {
    s->intervals.push_back(
        {.start_s = static_cast<double>(i.start_ns) / 1e9,
         .ok = i.ok,
         .errors = i.errors,
         .p50_ms = RoundedMs(static_cast<double>(i.p50_ns)),
         .p95_ms = RoundedMs(static_cast<double>(i.p95_ns)),
         .p99_ms = RoundedMs(static_cast<double>(i.p99_ns))});
  }
}

// The optional "resources" of a load JSON (perfcheck load --monitor-*):
//   {"processes": [{"label", "pid", "name", "note", "peak_rss_bytes",
//    "cpu_mean_percent", "cpu_peak_percent", "memory_growth": {"text"},
//    "samples": {"t_s": [...], "cpu_percent": [...], "rss_bytes": [...]}}]}
void ReadResources(const FieldReader& r, const Json& doc, ReportSection* s) {
  const Json& res = r.Object(doc, "", "resources");
  if (!res.contains("processes")) return;
  const Json& list = r.Array(res, "resources", "processes");
  for (std::size_t i = 0; i < list.size(); ++i) {
    const std::string p = Index("resources.processes", i);
    const Json& e = list[i];
    ResourceSeriesView v;
    // As ProcessSeries::Describe(): "cmd process 4242 (server)".
    v.process = "process " + std::to_string(r.Int64(e, p, "pid"));
    if (e.contains("name")) {
      const std::string name = r.String(e, p, "name");
      if (!name.empty()) v.process += " (" + name + ")";
    }
    if (e.contains("label")) {
      const std::string label = r.String(e, p, "label");
      if (!label.empty()) v.process = label + " " + v.process;
    }
    if (e.contains("note")) v.note = r.String(e, p, "note");
    for (const auto& [key, field] :
         {std::pair{"peak_rss_bytes", &v.peak_rss_bytes},
          {"cpu_mean_percent", &v.cpu_mean_percent},
          {"cpu_peak_percent", &v.cpu_peak_percent}}) {
      if (e.contains(key)) *field = r.Number(e, p, key);
    }
    if (e.contains("memory_growth")) {
      const Json& g = r.Object(e, p, "memory_growth");
      if (g.contains("text")) {
        v.memory_growth = r.String(g, Join(p, "memory_growth"), "text");
      }
    }
    const std::string sp = Join(p, "samples");
    const Json& samples = r.Object(e, p, "samples");
    const Json& t = r.Array(samples, sp, "t_s");
    const Json& cpu = r.Array(samples, sp, "cpu_percent");
    const Json& rss = r.Array(samples, sp, "rss_bytes");
    if (cpu.size() != t.size() || rss.size() != t.size()) {
      r.Fail(sp, "t_s, cpu_percent and rss_bytes differ in length");
    }
    for (std::size_t k = 0; k < t.size(); ++k) {
      v.t_s.push_back(r.AsNumber(t[k], Index(Join(sp, "t_s"), k)));
      v.cpu_percent.push_back(
          r.AsNumber(cpu[k], Index(Join(sp, "cpu_percent"), k)));
      v.rss_mb.push_back(r.AsNumber(rss[k], Index(Join(sp, "rss_bytes"), k)) /
                         (1024.0 * 1024.0));
    }
    s->resources.push_back(std::move(v));
  }
}

ReportSection LoadSection(const FieldReader& r, const Json& doc,
                          const Result* run) {
  r.ExpectObject(doc, "");
  ReportSection s;
  s.title = r.source();
  s.kind = "load";
  s.facts.push_back({"target", r.String(doc, "", "target")});
  if (doc.contains("model")) {
    s.facts.push_back({"model", r.String(doc, "", "model")});
  }
  s.facts.push_back({"elapsed", Seconds(r.Number(doc, "", "elapsed_s"))});
  if (doc.contains("attempted_rps")) {
    char text[48];
    std::snprintf(text, sizeof text, "%g/s",
                  r.Number(doc, "", "attempted_rps"));
    s.facts.push_back({"attempted rate", text});
  }
  s.total = ReadRequestRow(r, doc, "", "ALL");
  s.error_rate = r.Fraction(doc, "", "error_rate");
  {
    const Json& l = r.Object(doc, "", "latency_ms");
    s.percentiles = {{0, r.Number(l, "latency_ms", "min")},
                     {50, s.total->p50_ms},
                     {90, s.total->p90_ms},
                     {95, s.total->p95_ms},
                     {99, s.total->p99_ms},
                     {100, s.total->max_ms}};
  }
  const Json& endpoints = r.Object(doc, "", "endpoints");
  for (const auto& [name, e] : endpoints.items()) {
    s.requests.push_back(
        ReadRequestRow(r, e, Join("endpoints", name), std::string(name)));
  }
  if (doc.contains("errors_by_class")) {
    const Json& errors = r.Object(doc, "", "errors_by_class");
    for (const auto& [category, n] : errors.items()) {
      s.errors_by_class.push_back(
          {category, r.AsUint64(n, Join("errors_by_class", category))});
    }
  }
  if (doc.contains("thresholds")) {
    const Json& list = r.Array(doc, "", "thresholds");
    for (std::size_t i = 0; i < list.size(); ++i) {
      const std::string p = Index("thresholds", i);
      const Json& passed = r.Field(list[i], p, "passed");
      if (!passed.is_boolean()) r.Fail(Join(p, "passed"), "expected a boolean");
      s.thresholds.push_back({r.String(list[i], p, "threshold"),
                              passed.get<bool>(),
                              r.String(list[i], p, "measured")});
    }
  }
  if (doc.contains("series")) {
    ReadLoadSeries(r, doc, &s);
  } else if (run != nullptr) {
    AddIntervalsFromRun(*run, &s);
  }
  if (doc.contains("latency_histogram")) {
    StatusOr<LatencyHistogram> h =
        LatencyHistogram::Decode(r.String(doc, "", "latency_histogram"));
    if (!h.ok()) r.Fail("latency_histogram", h.status().message());
    s.histogram = *h;
  } else if (run != nullptr && run->latency.TotalCount() > 0) {
    s.histogram = run->latency;
  }
  if (run != nullptr) s.fingerprint = run->fingerprint;
  if (doc.contains("resources")) ReadResources(r, doc, &s);
  if (doc.contains("config")) {
    const Json& config = r.Object(doc, "", "config");
    for (const auto& [k, v] : config.items()) {
      s.config.push_back({k, r.AsString(v, Join("config", k))});
    }
  }
  return s;
}

std::optional<double> NullableNumber(const FieldReader& r, const Json& obj,
                                     const std::string& path,
                                     std::string_view key) {
  const Json& v = r.Field(obj, path, key);
  if (v.is_null()) return std::nullopt;
  return r.AsNumber(v, Join(path, key));
}

std::vector<std::string> Strings(const FieldReader& r, const Json& doc,
                                 std::string_view key) {
  std::vector<std::string> out;
  if (!doc.contains(std::string(key))) return out;
  const Json& list = r.Array(doc, "", key);
  for (std::size_t i = 0; i < list.size(); ++i) {
    out.push_back(r.AsString(list[i], Index(key, i)));
  }
  return out;
}

ReportSection CompareSection(const FieldReader& r, const Json& doc) {
  r.CheckSchema(doc, "perfcheck.compare/v1");
  ReportSection s;
  s.title = r.source();
  s.kind = "compare";
  s.facts.push_back({"baseline (old)", r.String(doc, "", "old")});
  s.facts.push_back({"new", r.String(doc, "", "new")});
  s.facts.push_back({"mode", r.String(doc, "", "mode")});
  s.facts.push_back({"summary", r.String(doc, "", "summary")});
  for (std::string& n : Strings(r, doc, "machine_differences")) {
    s.notes.push_back("different machines: " + n);
  }
  for (std::string& n : Strings(r, doc, "testbed_notes")) {
    s.notes.push_back(std::move(n));
  }
  const Json& rows = r.Array(doc, "", "rows");
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const std::string p = Index("rows", i);
    const Json& e = rows[i];
    CompareRow row;
    row.benchmark = r.String(e, p, "benchmark");
    row.metric = r.String(e, p, "metric");
    row.unit = r.String(e, p, "unit");
    row.old_value = NullableNumber(r, e, p, "old");
    row.new_value = NullableNumber(r, e, p, "new");
    row.change = NullableNumber(r, e, p, "change");
    row.change_low = NullableNumber(r, e, p, "change_low");
    row.change_high = NullableNumber(r, e, p, "change_high");
    row.threshold = r.Number(e, p, "threshold");
    row.verdict = r.String(e, p, "verdict");
    if (e.contains("note")) row.note = r.String(e, p, "note");
    s.comparisons.push_back(std::move(row));
  }
  return s;
}

StatusOr<std::vector<ReportSection>> ReadDirectory(
    const std::filesystem::path& dir) {
  std::error_code ec;
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.path().extension() == ".json" && entry.is_regular_file()) {
      files.push_back(entry.path());
    }
  }
  if (ec) return Status::Error(dir.string() + ": " + ec.message());
  if (files.empty()) {
    return Status::Error(dir.string() +
                         ": no result files (*.json) in this directory");
  }
  std::sort(files.begin(), files.end());
  std::vector<ReportSection> sections;
  for (const std::filesystem::path& f : files) {
    StatusOr<std::string> text = io::ReadFile(f);
    if (!text.ok()) return text.status();
    StatusOr<Result> result = ResultFromJson(*text, f.string());
    if (!result.ok()) return result.status();
    sections.push_back(SectionFromResult(*result, f.string()));
  }
  return sections;
}

StatusOr<std::vector<ReportSection>> ReadOne(const std::filesystem::path& p) {
  std::error_code ec;
  if (std::filesystem::is_directory(p, ec)) return ReadDirectory(p);
  StatusOr<std::string> text = io::ReadFile(p);
  if (!text.ok()) return text.status();
  const std::string source = p.string();
  const Json top = json_fields::ParseTopLevel(*text);
  if (top.is_discarded()) {
    // The reader's parse error says where the text breaks.
    try {
      FieldReader(source).Parse(*text);
    } catch (const FieldError& e) {
      return Status::Error(e.what());
    }
    return Status::Error(source + ": not valid JSON");
  }
  if (top.is_object() && top.contains("schema") && top["schema"].is_string()) {
    const std::string schema = top["schema"].get<std::string>();
    if (schema.rfind("perfcheck.result/", 0) == 0) {
      StatusOr<Result> result = ResultFromJson(*text, source);
      if (!result.ok()) return result.status();
      return std::vector<ReportSection>{SectionFromResult(*result, source)};
    }
    if (schema.rfind("perfcheck.compare/", 0) == 0) {
      StatusOr<ReportSection> s = SectionFromCompareJson(*text, source);
      if (!s.ok()) return s.status();
      return std::vector<ReportSection>{std::move(*s)};
    }
    return Status::Error(source + ": field 'schema': \"" + schema +
                         "\" is not an input of perfcheck report (expected "
                         "perfcheck.result/v1, perfcheck.compare/v1 or a "
                         "perfcheck load JSON)");
  }
  if (top.is_object() && top.contains("total_requests") &&
      top.contains("latency_ms")) {
    StatusOr<ReportSection> s = SectionFromLoadJson(*text, source);
    if (!s.ok()) return s.status();
    return std::vector<ReportSection>{std::move(*s)};
  }
  return Status::Error(
      source +
      ": not an input of perfcheck report: expected a 'schema' field "
      "(result file, compare JSON) or 'total_requests' and 'latency_ms' "
      "(perfcheck load JSON)");
}

}  // namespace

StatusOr<ReportSection> SectionFromLoadJson(std::string_view text,
                                            std::string_view source,
                                            const Result* run) {
  const FieldReader r(source);
  try {
    return LoadSection(r, r.Parse(text), run);
  } catch (const FieldError& e) {
    return Status::Error(e.what());
  }
}

StatusOr<ReportSection> SectionFromCompareJson(std::string_view text,
                                               std::string_view source) {
  const FieldReader r(source);
  try {
    return CompareSection(r, r.Parse(text));
  } catch (const FieldError& e) {
    return Status::Error(e.what());
  }
}

StatusOr<std::vector<ReportSection>> ReadReportInputs(
    const std::vector<std::filesystem::path>& inputs) {
  std::vector<ReportSection> all;
  for (const std::filesystem::path& p : inputs) {
    StatusOr<std::vector<ReportSection>> some = ReadOne(p);
    if (!some.ok()) return some.status();
    for (ReportSection& s : *some) all.push_back(std::move(s));
  }
  return all;
}

}  // namespace perfcheck::report
