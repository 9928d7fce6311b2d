#include "load_report.h"

#include <cmath>
#include <nlohmann/json.hpp>
#include <sstream>

#include "perfcheck/resource_sla.h"

namespace perfcheck::cli {
namespace {

using nlohmann::ordered_json;

double Ms(double ns) { return std::round(ns / 1e3) / 1e3; }  // ms, 3 decimals

ordered_json LatencyMs(const LatencyHistogram& h) {
  ordered_json j;
  j["min"] = Ms(static_cast<double>(h.Min()));
  j["p50"] = Ms(static_cast<double>(h.Percentile(50)));
  j["p90"] = Ms(static_cast<double>(h.Percentile(90)));
  j["p95"] = Ms(static_cast<double>(h.Percentile(95)));
  j["p99"] = Ms(static_cast<double>(h.Percentile(99)));
  j["max"] = Ms(static_cast<double>(h.Max()));
  j["mean"] = Ms(h.Mean());
  return j;
}

double Seconds(const Result& r) {
  return static_cast<double>(r.elapsed_ns) / 1e9;
}

double Rate(double n, const Result& r) {
  return r.elapsed_ns > 0 ? std::round(n / Seconds(r) * 10) / 10 : 0.0;
}

ordered_json Summary(const Result& r) {
  ordered_json j;
  j["total_requests"] = r.TotalCount();
  j["ok"] = r.OkCount();
  j["errors"] = r.ErrorCount();
  j["error_rate"] = r.ErrorRate();
  j["rps"] = Rate(static_cast<double>(r.OkCount()), r);
  j["latency_ms"] = LatencyMs(r.latency);
  ordered_json errors = ordered_json::object();
  for (const auto& [category, e] : r.errors) errors[category] = e.count;
  j["errors_by_class"] = errors;
  return j;
}

// The monitored processes: figures a reader wants at a glance, the samples
// by column for plots, and the resource thresholds per process.
ordered_json ResourcesJson(
    const Result& a, const std::vector<ResourceThresholdOutcome>& outcomes) {
  ordered_json j;
  if (auto it = a.config.find("monitor_interval"); it != a.config.end()) {
    j["interval"] = it->second;
  }
  ordered_json processes = ordered_json::array();
  for (const ProcessSeries& p : a.resources) {
    ordered_json q;
    q["label"] = p.label;
    q["pid"] = p.pid;
    q["name"] = p.name;
    q["exited_s"] = p.exited_ns
                        ? ordered_json(static_cast<double>(*p.exited_ns) / 1e9)
                        : ordered_json(nullptr);
    q["note"] = p.note;
    q["peak_rss_bytes"] = PeakRssBytes(p.samples);
    const CpuSummary cpu = SummarizeCpu(p.samples);
    q["cpu_mean_percent"] = std::round(cpu.mean_percent * 100) / 100;
    q["cpu_peak_percent"] = std::round(cpu.peak_percent * 100) / 100;
    const MemoryGrowth g = AnalyzeMemoryGrowth(p.samples);
    const char* verdict = g.verdict == GrowthVerdict::kGrows ? "grows"
                          : g.verdict == GrowthVerdict::kSteady
                              ? "steady"
                              : "insufficient_data";
    q["memory_growth"] = {{"verdict", verdict},
                          {"slope_bytes_per_s", g.slope_bytes_per_s},
                          {"interval_low", g.slope_interval.low},
                          {"interval_high", g.slope_interval.high},
                          {"tolerance_bytes_per_s", g.tolerance_bytes_per_s},
                          {"n", g.n},
                          {"text", g.Describe()}};
    ordered_json t = ordered_json::array(), c = ordered_json::array(),
                 rss = ordered_json::array(), th = ordered_json::array(),
                 fds = ordered_json::array();
    for (const ProcessSample& s : p.samples) {
      t.push_back(std::round(static_cast<double>(s.t_ns) / 1e6) / 1e3);
      c.push_back(std::round(s.cpu_percent * 100) / 100);
      rss.push_back(s.rss_bytes);
      th.push_back(s.threads);
      fds.push_back(s.fds);
    }
    q["samples"] = {{"t_s", t},
                    {"cpu_percent", c},
                    {"rss_bytes", rss},
                    {"threads", th},
                    {"fds", fds}};
    processes.push_back(q);
  }
  j["processes"] = processes;
  ordered_json thresholds = ordered_json::array();
  for (const ResourceThresholdOutcome& o : outcomes) {
    ordered_json per = ordered_json::array();
    for (std::size_t i = 0; i < o.checks.size(); ++i) {
      const SlaCheck& c = o.checks[i];
      per.push_back({{"pid", a.resources[i].pid},
                     {"passed", c.passed},
                     {"measured", c.actual},
                     {"observed", c.observed ? ordered_json(*c.observed)
                                             : ordered_json(nullptr)},
                     {"limit", c.limit},
                     {"unit", UnitName(c.unit)}});
    }
    thresholds.push_back({{"threshold", o.threshold.text},
                          {"passed", o.passed},
                          {"processes", per}});
  }
  j["thresholds"] = thresholds;
  return j;
}

}  // namespace

std::string LoadReportJson(
    const http::HttpLoadResult& r, const std::string& target,
    const std::vector<ThresholdOutcome>& thresholds,
    const std::vector<ResourceThresholdOutcome>& resources,
    const http::ScenarioResult* scenario) {
  const Result& a = r.aggregate;
  ordered_json j;
  j["target"] = target;
  j["model"] = r.open_model ? "open" : "closed";
  j["elapsed_s"] = std::round(Seconds(a) * 1000) / 1000;
  j["total_requests"] = a.TotalCount();
  j["ok"] = a.OkCount();
  j["errors"] = a.ErrorCount();
  j["error_rate"] = a.ErrorRate();
  j["rps"] = Rate(static_cast<double>(a.OkCount()), a);
  j["attempted_rps"] = Rate(static_cast<double>(a.TotalCount()), a);
  ordered_json codes = ordered_json::object();
  for (const auto& [code, n] : r.status_codes) codes[std::to_string(code)] = n;
  j["status_codes"] = codes;
  j["latency_ms"] = LatencyMs(a.latency);
  ordered_json errors = ordered_json::object(),
               examples = ordered_json::object();
  for (const auto& [category, e] : a.errors) {
    errors[category] = e.count;
    examples[category] = e.examples;
  }
  j["errors_by_class"] = errors;
  j["error_examples"] = examples;
  j["bytes_sent"] = r.bytes_sent;
  j["bytes_received"] = r.bytes_received;
  j["connections_opened"] = r.connections_opened;
  // For plots (perfcheck report): the run per interval, and the lossless
  // histogram (LatencyHistogram::Encode) its percentile spectrum is drawn from.
  ordered_json intervals = ordered_json::array();
  for (const Interval& i : a.series.Intervals()) {
    intervals.push_back({{"start_s", static_cast<double>(i.start_ns) / 1e9},
                         {"ok", i.ok},
                         {"errors", i.errors},
                         {"p50_ms", Ms(static_cast<double>(i.p50_ns))},
                         {"p95_ms", Ms(static_cast<double>(i.p95_ns))},
                         {"p99_ms", Ms(static_cast<double>(i.p99_ns))}});
  }
  j["series"] = {
      {"interval_s", static_cast<double>(a.series.IntervalNanos()) / 1e9},
      {"intervals", intervals}};
  j["latency_histogram"] = a.latency.Encode();
  ordered_json eps = ordered_json::object();
  for (const auto& [name, er] : r.endpoints) {
    eps[name] = Summary(er);
    // Failed requests keep their latency (an error's time is still data).
    if (auto t = r.traffic.find(name); t != r.traffic.end()) {
      eps[name]["method"] = t->second.method;
      eps[name]["failed_latency_ms"] = LatencyMs(t->second.failed_latency);
      eps[name]["body_bytes"] = t->second.body_bytes;
    }
  }
  j["endpoints"] = eps;
  if (scenario != nullptr) {
    // Per user class, tasks run, and responses counted apart (a rate
    // limiter's expected 429s: neither successes nor errors).
    ordered_json classes = ordered_json::object();
    for (const auto& [name, cr] : scenario->classes) {
      classes[name] = Summary(cr);
      auto users = scenario->class_users.find(name);
      classes[name]["users"] =
          users == scenario->class_users.end() ? 0 : users->second;
    }
    ordered_json apart = ordered_json::object();
    for (const auto& [name, ap] : scenario->apart) {
      apart[name] = {{"count", ap.count},
                     {"latency_ms", LatencyMs(ap.latency)}};
    }
    ordered_json tasks = ordered_json::object();
    for (const auto& [name, n] : scenario->task_iterations) tasks[name] = n;
    j["scenario"] = {{"users_spawned", scenario->users_spawned},
                     {"classes", classes},
                     {"tasks", tasks},
                     {"counted_apart", apart}};
  }
  if (r.open_model) {
    ordered_json o;
    if (auto it = a.config.find("rate"); it != a.config.end())
      o["rate"] = it->second;
    o["late_sends"] = r.late_sends;
    o["dropped_sends"] = r.dropped_sends;
    o["uncorrected_latency_ms"] = LatencyMs(r.uncorrected);
    j["open_model"] = o;
  }
  ordered_json th = ordered_json::array();
  for (const ThresholdOutcome& t : thresholds) {
    ordered_json observed = nullptr;  // null: nothing was measured
    if (t.verdict.observed) observed = *t.verdict.observed;
    th.push_back({{"threshold", t.threshold.text},
                  {"passed", t.verdict.passed},
                  {"measured", t.verdict.measured},
                  {"observed", observed},
                  {"limit", t.verdict.limit},
                  {"unit", UnitName(t.verdict.unit)}});
  }
  for (const ResourceThresholdOutcome& o : resources) {
    // The worst process's numbers: the one that decides the verdict.
    ordered_json observed = nullptr;
    if (o.worst && o.worst->observed) observed = *o.worst->observed;
    th.push_back({{"threshold", o.threshold.text},
                  {"passed", o.passed},
                  {"measured", o.measured},
                  {"observed", observed},
                  {"limit", o.worst ? o.worst->limit : o.threshold.value},
                  {"unit", o.worst ? UnitName(o.worst->unit) : ""}});
  }
  j["thresholds"] = th;
  if (!a.resources.empty() || !resources.empty()) {
    j["resources"] = ResourcesJson(a, resources);
  }
  ordered_json config = ordered_json::object();
  for (const auto& [k, v] : a.config) config[k] = v;
  j["config"] = config;
  return j.dump(2) + "\n";
}

std::string LoadReportCsv(const http::HttpLoadResult& r) {
  std::ostringstream out;
  out << "endpoint,requests,ok,errors,error_rate,rps,min_ms,p50_ms,p90_ms,p95_"
         "ms,"
         "p99_ms,max_ms,mean_ms\n";
  auto row = [&](const std::string& name, const Result& res) {
    std::string quoted = "\"";
    for (char c : name)
      quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
    quoted += '"';
    const LatencyHistogram& h = res.latency;
    out << quoted << ',' << res.TotalCount() << ',' << res.OkCount() << ','
        << res.ErrorCount() << ',' << res.ErrorRate() << ','
        << Rate(static_cast<double>(res.OkCount()), res) << ','
        << Ms(static_cast<double>(h.Min())) << ','
        << Ms(static_cast<double>(h.Percentile(50))) << ','
        << Ms(static_cast<double>(h.Percentile(90))) << ','
        << Ms(static_cast<double>(h.Percentile(95))) << ','
        << Ms(static_cast<double>(h.Percentile(99))) << ','
        << Ms(static_cast<double>(h.Max())) << ',' << Ms(h.Mean()) << '\n';
  };
  for (const auto& [name, er] : r.endpoints) row(name, er);
  row("ALL", r.aggregate);
  return out.str();
}

}  // namespace perfcheck::cli
