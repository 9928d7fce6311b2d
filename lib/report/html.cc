#include "perfcheck/report/html.h"

#include <cstdio>
#include <string>

#include "io/file_io.h"
#include "svg.h"

namespace perfcheck::report {
namespace {

using svg::Num;

// No script, no external resource: the CSP makes the browser refuse any
// fetch and any script, so a name that escaped escaping still could not run.
constexpr char kHead[] =
    "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
    "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src "
    "'none'; style-src 'unsafe-inline'\">\n"
    "<meta name=\"viewport\" content=\"width=device-width, "
    "initial-scale=1\">\n";

constexpr char kStyle[] = R"(<style>
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222;max-width:1100px}
h1{font-size:22px}h2{font-size:18px;border-top:1px solid #ccc;padding-top:12px}
h3{font-size:15px;margin:16px 0 4px}
table{border-collapse:collapse;margin:6px 0}
td,th{border:1px solid #ddd;padding:3px 8px;text-align:left}
td.num{text-align:right;font-variant-numeric:tabular-nums}
th{background:#f4f4f4}
.pass{color:#1a7f37;font-weight:600}.fail{color:#c62828;font-weight:600}
.rule,.note{color:#555;font-size:12px}
svg.chart{display:block;margin:8px 0;background:#fff}
svg .title{font-size:13px;font-weight:600}
svg .tick,svg .label,svg .legend text{font-size:11px;fill:#444}
svg .axis{stroke:#333}svg .grid{stroke:#eee}svg .tickmark{stroke:#333}
svg .line{fill:none;stroke-width:1.5}
svg .line.p50{stroke:#1f77b4}svg .line.p95{stroke:#ff7f0e}
svg .line.p99{stroke:#d62728}svg .line.spectrum{stroke:#1f77b4}
svg .line.cpu{stroke:#9467bd}svg .line.rss{stroke:#2ca02c}
svg .marker.p50,svg rect.p50{fill:#1f77b4}
svg .marker.p95,svg rect.p95{fill:#ff7f0e}
svg .marker.p99,svg rect.p99{fill:#d62728}
svg .marker.spectrum{fill:#1f77b4}svg .marker.cpu{fill:#9467bd}
svg .marker.rss{fill:#2ca02c}
svg .bar.ok,svg rect.ok{fill:#6baed6}svg .bar.err,svg rect.err{fill:#d62728}
svg .band{fill:#ddd}svg .zero{stroke:#888}
svg .interval{stroke:#333;stroke-width:3}svg .marker.change{fill:#333}
svg .regression .interval{stroke:#c62828}
svg .regression .marker.change{fill:#c62828}
svg .improvement .interval{stroke:#1a7f37}
svg .improvement .marker.change{fill:#1a7f37}
</style>
)";

std::string Percent(double fraction) {
  char text[32];
  std::snprintf(text, sizeof text, "%.2f%%", fraction * 100);
  return text;
}

// A numeric cell tools can find: data-key="<row>|<column>".
std::string NumCell(const std::string& row, const char* column,
                    const std::string& text) {
  return "<td class=\"num\" data-key=\"" + HtmlEscape(row) + "|" + column +
         "\">" + text + "</td>";
}

std::string Facts(const ReportSection& s) {
  if (s.facts.empty()) return "";
  std::string out = "<table class=\"facts\">";
  for (const auto& [k, v] : s.facts) {
    out +=
        "<tr><th>" + HtmlEscape(k) + "</th><td>" + HtmlEscape(v) + "</td></tr>";
  }
  if (s.total) {
    out += "<tr><th>error rate</th>" +
           NumCell(s.total->name, "error_rate", Percent(s.error_rate)) +
           "</tr>";
  }
  return out + "</table>";
}

std::string RequestTable(const ReportSection& s, const std::string& id) {
  if (s.requests.empty() && !s.total) return "";
  std::string out =
      "<h3>requests by name</h3><table class=\"requests\" id=\"" + id +
      "-requests\"><tr><th>name</th><th>count</th><th>errors</th><th>rps</"
      "th><th>p50 ms</th><th>p90 ms</th><th>p95 ms</th><th>p99 ms</th><th>max "
      "ms</th></tr>";
  auto row = [&](const RequestRow& r, bool total) {
    out += std::string("<tr") + (total ? " class=\"total\"" : "") + "><td>" +
           HtmlEscape(r.name) + "</td>" +
           NumCell(r.name, "count", std::to_string(r.count)) +
           NumCell(r.name, "errors", std::to_string(r.errors)) +
           NumCell(r.name, "rps", Num(r.rps)) +
           NumCell(r.name, "p50_ms", Num(r.p50_ms)) +
           NumCell(r.name, "p90_ms", Num(r.p90_ms)) +
           NumCell(r.name, "p95_ms", Num(r.p95_ms)) +
           NumCell(r.name, "p99_ms", Num(r.p99_ms)) +
           NumCell(r.name, "max_ms", Num(r.max_ms)) + "</tr>";
  };
  for (const RequestRow& r : s.requests) row(r, false);
  // A result's only row is its total; a load run's total is "ALL".
  if (s.total &&
      !(s.requests.size() == 1 && s.requests[0].name == s.total->name)) {
    row(*s.total, true);
  }
  out += "</table>";
  if (!s.errors_by_class.empty()) {
    out +=
        "<table class=\"errors\"><tr><th>error class</th><th>count</th></tr>";
    for (const auto& [category, n] : s.errors_by_class) {
      out += "<tr><td>" + HtmlEscape(category) + "</td>" +
             NumCell("errors:" + category, "count", std::to_string(n)) +
             "</tr>";
    }
    out += "</table>";
  }
  return out;
}

std::string Thresholds(const ReportSection& s, const std::string& id) {
  if (s.thresholds.empty()) return "";
  std::size_t failed = 0;
  for (const ThresholdRow& t : s.thresholds) failed += t.passed ? 0 : 1;
  std::string out =
      "<h3>thresholds: " + std::to_string(s.thresholds.size() - failed) +
      " passed, " + std::to_string(failed) +
      " failed</h3><table class=\"thresholds\" id=\"" + id +
      "-thresholds\"><tr><th>threshold</th><th>verdict</"
      "th><th>measured</th></tr>";
  for (const ThresholdRow& t : s.thresholds) {
    out += "<tr><td>" + HtmlEscape(t.text) + "</td><td class=\"" +
           (t.passed ? "pass\">PASS" : "fail\">FAIL") + "</td><td>" +
           HtmlEscape(t.measured) + "</td></tr>";
  }
  return out + "</table>";
}

std::string Optional(const std::optional<double>& v) {
  return v ? Num(*v) : "n/a";
}

std::string CompareTable(const ReportSection& s, const std::string& id) {
  if (s.comparisons.empty()) return "";
  std::string out =
      "<table class=\"compare\" id=\"" + id +
      "-compare-table\"><tr><th>benchmark</th><th>metric</th><th>unit</"
      "th><th>old</th><th>new</th><th>change</th><th>interval</"
      "th><th>tolerance</th><th>verdict</th><th>note</th></tr>";
  for (const CompareRow& r : s.comparisons) {
    const std::string key = r.benchmark + "/" + r.metric;
    // Appended piecewise: g++ 12 warns (-Wrestrict, a false positive) on
    // "[" + std::string + ... here.
    std::string interval = "[";
    interval.append(Optional(r.change_low))
        .append(" .. ")
        .append(Optional(r.change_high))
        .append("]");
    out += "<tr><td>" + HtmlEscape(r.benchmark) + "</td><td>" +
           HtmlEscape(r.metric) + "</td><td>" + HtmlEscape(r.unit) + "</td>" +
           NumCell(key, "old", Optional(r.old_value)) +
           NumCell(key, "new", Optional(r.new_value)) +
           NumCell(key, "change", Optional(r.change)) +
           NumCell(key, "interval", interval) +
           NumCell(key, "threshold", Num(r.threshold)) + "<td class=\"" +
           (r.verdict == "regression" || r.verdict == "error" ? "fail" : "") +
           "\">" + HtmlEscape(r.verdict) + "</td><td>" + HtmlEscape(r.note) +
           "</td></tr>";
  }
  return out +
         "</table><p class=\"rule\">change and interval are fractions of the "
         "old value (0.05 = +5%), tolerance likewise.</p>";
}

std::string Resources(const ReportSection& s, const std::string& id) {
  if (s.resources.empty()) return "";
  std::string out =
      "<h3>monitored processes</h3><table class=\"resources\" id=\"" + id +
      "-resources\"><tr><th>process</th><th>peak RSS (bytes)</th><th>CPU "
      "mean %</th><th>CPU peak %</th><th>memory growth</th><th>note</th></tr>";
  for (const ResourceSeriesView& r : s.resources) {
    out += "<tr><td>" + HtmlEscape(r.process) + "</td>" +
           NumCell(r.process, "peak_rss_bytes",
                   r.peak_rss_bytes ? Num(*r.peak_rss_bytes) : "n/a") +
           NumCell(r.process, "cpu_mean_percent",
                   r.cpu_mean_percent ? Num(*r.cpu_mean_percent) : "n/a") +
           NumCell(r.process, "cpu_peak_percent",
                   r.cpu_peak_percent ? Num(*r.cpu_peak_percent) : "n/a") +
           "<td>" + HtmlEscape(r.memory_growth) + "</td><td>" +
           HtmlEscape(r.note) + "</td></tr>";
  }
  out += "</table>";
  for (std::size_t m = 0; m < s.resources.size(); ++m) {
    const std::string rid = id + "-resources-" + std::to_string(m);
    out += svg::ResourceChart(s.resources[m], false, rid);
    out += svg::ResourceChart(s.resources[m], true, rid + "-cpu");
  }
  return out;
}

std::string Machine(const ReportSection& s, const std::string& id) {
  if (!s.fingerprint && s.config.empty()) return "";
  std::string out;
  if (s.fingerprint) {
    const Fingerprint& fp = *s.fingerprint;
    out += "<h3>testbed and machine</h3><table class=\"machine\" id=\"" + id +
           "-machine\">";
    auto row = [&](const char* k, const std::string& v) {
      out += std::string("<tr><th>") + k + "</th><td>" +
             HtmlEscape(v.empty() ? "-" : v) + "</td></tr>";
    };
    row("testbed",
        fp.testbed.empty() ? "(recorded before testbeds)" : fp.testbed);
    row("cpu", fp.cpu_model);
    row("cores", std::to_string(fp.cores));
    row("governor", fp.cpu_governor);
    row("os", fp.os);
    row("kernel", fp.kernel);
    row("compiler", fp.compiler);
    row("build type", fp.build_type);
    row("perfcheck", fp.perfcheck_version);
    row("git sha", fp.git_sha);
    row("host (hash)", fp.hostname_hash);
    if (fp.speed_probe_ns > 0) row("speed probe (ns)", Num(fp.speed_probe_ns));
    out += "</table>";
  }
  if (!s.config.empty()) {
    out += "<h3>configuration</h3><table class=\"config\">";
    for (const auto& [k, v] : s.config) {
      out += "<tr><th>" + HtmlEscape(k) + "</th><td>" + HtmlEscape(v) +
             "</td></tr>";
    }
    out += "</table>";
  }
  return out;
}

std::string Section(const ReportSection& s, std::size_t index) {
  // Not "s" + std::to_string(index): g++ 12 warns (-Wrestrict, a false
  // positive) on a literal + a temporary string.
  const std::string id = std::string("s").append(std::to_string(index));
  std::string out = "<section class=\"input\" id=\"" + id + "\" data-kind=\"" +
                    HtmlEscape(s.kind) + "\"><h2>" + HtmlEscape(s.title) +
                    " <small>(" + HtmlEscape(s.kind) + ")</small></h2>";
  out += Facts(s);
  for (const std::string& n : s.notes) {
    out += "<p class=\"note\">" + HtmlEscape(n) + "</p>";
  }
  out += Thresholds(s, id);
  if (s.kind != "compare") {
    if (s.intervals.empty()) {
      out +=
          "<p class=\"note\">No per-interval series in this input: no "
          "latency over time.</p>";
    }
    out += svg::LatencyOverTime(s, id + "-latency-over-time");
    out += svg::RateOverTime(s, id + "-rate-over-time");
    out += svg::PercentileSpectrum(s, id + "-spectrum");
    out += svg::Histogram(s, id + "-histogram");
  }
  out += RequestTable(s, id);
  out += svg::CompareBands(s, id + "-compare");
  out += CompareTable(s, id);
  out += Resources(s, id);
  out += Machine(s, id);
  return out + "</section>\n";
}

}  // namespace

std::string HtmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string RenderHtmlReport(const std::vector<ReportSection>& sections,
                             std::string_view title) {
  std::string out = kHead;
  out += "<title>" + HtmlEscape(title) + "</title>\n";
  out += kStyle;
  out += "</head><body><h1>" + HtmlEscape(title) + "</h1>\n";
  out +=
      "<p class=\"rule\">Numbers as in the inputs: latencies in ms rounded "
      "to 3 decimals (round(ns/1000)/1000), rates in requests/s to 1 "
      "decimal, error rates as % of all requests (2 decimals); compare "
      "figures as the compare JSON has them.</p>\n";
  if (sections.size() > 1) {
    out += "<nav><ul>";
    for (std::size_t i = 0; i < sections.size(); ++i) {
      out += "<li><a href=\"#s" + std::to_string(i) + "\">" +
             HtmlEscape(sections[i].title) + "</a></li>";
    }
    out += "</ul></nav>\n";
  }
  if (sections.empty()) out += "<p class=\"note\">No inputs.</p>";
  for (std::size_t i = 0; i < sections.size(); ++i) {
    out += Section(sections[i], i);
  }
  return out + "</body></html>\n";
}

Status WriteHtmlReport(const std::filesystem::path& path,
                       const std::vector<ReportSection>& sections,
                       std::string_view title) {
  return io::WriteFileAtomically(path, RenderHtmlReport(sections, title));
}

}  // namespace perfcheck::report
