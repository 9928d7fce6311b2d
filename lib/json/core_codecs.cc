#include "json/core_codecs.h"

#include <cmath>
#include <optional>
#include <stdexcept>
#include <utility>
#include <vector>

#include "perfcheck/testbed.h"

namespace perfcheck::json_fields {
namespace {

std::optional<double> ReadCount(const FieldReader& in, const Json& v,
                                std::string_view path, std::string_view key) {
  if (!v.contains(std::string(key))) return std::nullopt;
  const double value = in.Number(v, path, key);
  if (!std::isfinite(value) || value < 0) {
    in.Fail(Join(path, key), "must be a finite number >= 0");
  }
  return value;
}

}  // namespace

// ---------------------------------------------------------------------------
// Writers

Json HistogramToJson(const LatencyHistogram& h) {
  Json j = Json::object();
  j["histogram"] = h.Encode();
  // Readable summary for people and other tools; the reader ignores it.
  j["count"] = h.TotalCount();
  j["min_ns"] = h.Min();
  j["max_ns"] = h.Max();
  j["mean_ns"] = NumberToJson(h.Mean());
  j["p50_ns"] = h.Percentile(50.0);
  j["p90_ns"] = h.Percentile(90.0);
  j["p95_ns"] = h.Percentile(95.0);
  j["p99_ns"] = h.Percentile(99.0);
  j["p999_ns"] = h.Percentile(99.9);
  return j;
}

Json FingerprintToJson(const Fingerprint& f) {
  Json j = Json::object();
  j["cpu_model"] = f.cpu_model;
  j["cores"] = f.cores;
  j["cpu_governor"] = f.cpu_governor;
  j["os"] = f.os;
  j["kernel"] = f.kernel;
  j["compiler"] = f.compiler;
  j["build_type"] = f.build_type;
  j["perfcheck_version"] = f.perfcheck_version;
  j["git_sha"] = f.git_sha;
  j["hostname_hash"] = f.hostname_hash;
  if (!f.testbed.empty()) j["testbed"] = f.testbed;
  if (f.speed_probe_ns > 0)
    j["speed_probe_ns"] = NumberToJson(f.speed_probe_ns);
  return j;
}

Json TimeSeriesToJson(const TimeSeries& ts) {
  Json j = Json::object();
  j["interval_ns"] = ts.IntervalNanos();
  Json list = Json::array();
  for (const Interval& in : ts.Intervals()) {
    Json item = Json::object();
    item["start_ns"] = in.start_ns;
    item["ok"] = in.ok;
    item["errors"] = in.errors;
    item["p50_ns"] = in.p50_ns;
    item["p95_ns"] = in.p95_ns;
    item["p99_ns"] = in.p99_ns;
    item["latency"] = in.latency;
    list.push_back(std::move(item));
  }
  j["intervals"] = std::move(list);
  return j;
}

Json ErrorsToJson(const std::map<std::string, ErrorCategory>& errors) {
  Json j = Json::object();
  for (const auto& [category, ec] : errors) {
    Json item = Json::object();
    item["count"] = ec.count;
    item["examples"] = ec.examples;
    j[category] = std::move(item);
  }
  return j;
}

Json StringMapToJson(const std::map<std::string, std::string>& m) {
  Json j = Json::object();
  for (const auto& [k, v] : m) j[k] = v;
  return j;
}

Json CountsToJson(const OperationCounts& counts) {
  Json j = Json::object();
  if (counts.instructions) j["instructions"] = *counts.instructions;
  if (counts.allocations) j["allocations"] = *counts.allocations;
  if (counts.allocated_bytes) j["allocated_bytes"] = *counts.allocated_bytes;
  j["operations"] = counts.operations;
  j["key"] = counts.key;
  return j;
}

// ---------------------------------------------------------------------------
// Readers

LatencyHistogram ReadHistogram(const FieldReader& in, const Json& latency_obj,
                               std::string_view path) {
  const std::string encoded = in.String(latency_obj, path, "histogram");
  StatusOr<LatencyHistogram> h = LatencyHistogram::Decode(encoded);
  if (!h.ok()) {
    in.Fail(Join(path, "histogram"), "bad encoding: " + h.status().message());
  }
  return std::move(h).value();
}

void ReadTestbed(const FieldReader& in, const Json& v, std::string_view path,
                              Fingerprint* f) {
  // Optional: runs and results written before testbeds existed have neither.
  if (v.contains("testbed")) {
    f->testbed = in.String(v, path, "testbed");
    if (Status st = ValidateStoredTestbedName(f->testbed); !st.ok()) {
      in.Fail(Join(path, "testbed"), st.message());
    }
  }
  if (v.contains("speed_probe_ns")) {
    f->speed_probe_ns = in.Number(v, path, "speed_probe_ns");
    if (!std::isfinite(f->speed_probe_ns) || f->speed_probe_ns < 0) {
      in.Fail(Join(path, "speed_probe_ns"), "must be a finite number >= 0");
    }
  }
}

Fingerprint ReadFingerprint(const FieldReader& in, const Json& v, std::string_view path) {
  in.ExpectObject(v, path);
  Fingerprint f;
  f.cpu_model = in.String(v, path, "cpu_model");
  f.cores = in.Int(v, path, "cores");
  f.cpu_governor = in.String(v, path, "cpu_governor");
  f.os = in.String(v, path, "os");
  f.kernel = in.String(v, path, "kernel");
  f.compiler = in.String(v, path, "compiler");
  f.build_type = in.String(v, path, "build_type");
  f.perfcheck_version = in.String(v, path, "perfcheck_version");
  f.git_sha = in.String(v, path, "git_sha");
  f.hostname_hash = in.String(v, path, "hostname_hash");
  ReadTestbed(in, v, path, &f);
  return f;
}

TimeSeries ReadTimeSeries(const FieldReader& in, const Json& v, std::string_view path) {
  in.ExpectObject(v, path);
  const Nanos interval_ns = in.Int64(v, path, "interval_ns");
  if (interval_ns <= 0) in.Fail(Join(path, "interval_ns"), "must be > 0");
  const std::string list_path = Join(path, "intervals");
  const Json& list = in.Array(v, path, "intervals");
  std::vector<Interval> intervals;
  intervals.reserve(list.size());
  for (std::size_t i = 0; i < list.size(); ++i) {
    const std::string p = Index(list_path, i);
    const Json& item = list[i];
    in.ExpectObject(item, p);
    Interval interval;
    interval.start_ns = in.Int64(item, p, "start_ns");
    interval.ok = in.Uint64(item, p, "ok");
    interval.errors = in.Uint64(item, p, "errors");
    interval.p50_ns = in.Int64(item, p, "p50_ns");
    interval.p95_ns = in.Int64(item, p, "p95_ns");
    interval.p99_ns = in.Int64(item, p, "p99_ns");
    interval.latency = in.String(item, p, "latency");
    // An interval's histogram is kept encoded; check it decodes so a damaged
    // file is reported here rather than when someone merges or plots it.
    if (!interval.latency.empty()) {
      if (auto h = LatencyHistogram::Decode(interval.latency); !h.ok()) {
        in.Fail(Join(p, "latency"), "bad encoding: " + h.status().message());
      }
    }
    if (i > 0 && interval.start_ns <= intervals.back().start_ns) {
      in.Fail(Join(p, "start_ns"), "intervals must be in ascending start order");
    }
    intervals.push_back(std::move(interval));
  }
  try {
    return TimeSeries::FromIntervals(interval_ns, std::move(intervals));
  } catch (const std::invalid_argument& e) {
    in.Fail(path, e.what());
  }
}

std::map<std::string, ErrorCategory> ReadErrors(const FieldReader& in, const Json& v, std::string_view path) {
  in.ExpectObject(v, path);
  std::map<std::string, ErrorCategory> out;
  for (const auto& [category, value] : v.items()) {
    const std::string p = Join(path, category);
    in.ExpectObject(value, p);
    ErrorCategory ec;
    ec.count = in.Uint64(value, p, "count");
    const std::string ex_path = Join(p, "examples");
    const Json& examples = in.Array(value, p, "examples");
    for (std::size_t i = 0; i < examples.size(); ++i) {
      ec.examples.push_back(in.AsString(examples[i], Index(ex_path, i)));
    }
    out.emplace(category, std::move(ec));
  }
  return out;
}

std::map<std::string, std::string> ReadStringMap(const FieldReader& in, const Json& v, std::string_view path) {
  in.ExpectObject(v, path);
  std::map<std::string, std::string> out;
  for (const auto& [key, value] : v.items()) {
    out.emplace(key, in.AsString(value, Join(path, key)));
  }
  return out;
}

OperationCounts ReadCounts(const FieldReader& in, const Json& v,
                           std::string_view path) {
  in.ExpectObject(v, path);
  OperationCounts counts;
  counts.instructions = ReadCount(in, v, path, "instructions");
  counts.allocations = ReadCount(in, v, path, "allocations");
  counts.allocated_bytes = ReadCount(in, v, path, "allocated_bytes");
  if (counts.empty()) return counts;
  counts.operations = in.Uint64(v, path, "operations");
  if (counts.operations == 0) in.Fail(Join(path, "operations"), "must be > 0");
  counts.key = in.String(v, path, "key");
  if (counts.key.empty()) in.Fail(Join(path, "key"), "must not be empty");
  return counts;
}

// ---------------------------------------------------------------------------
// Resource series

Json ProcessSeriesToJson(const std::vector<ProcessSeries>& series) {
  Json list = Json::array();
  for (const ProcessSeries& p : series) {
    Json j = Json::object();
    j["label"] = p.label;
    j["pid"] = p.pid;
    j["name"] = p.name;
    if (p.exited_ns) j["exited_ns"] = *p.exited_ns;
    if (!p.note.empty()) j["note"] = p.note;
    Json t = Json::array(), cpu = Json::array(), rss = Json::array(),
         threads = Json::array(), fds = Json::array();
    for (const ProcessSample& s : p.samples) {
      t.push_back(s.t_ns);
      cpu.push_back(NumberToJson(s.cpu_percent));
      rss.push_back(s.rss_bytes);
      threads.push_back(s.threads);
      fds.push_back(s.fds);
    }
    Json samples = Json::object();
    samples["t_ns"] = std::move(t);
    samples["cpu_percent"] = std::move(cpu);
    samples["rss_bytes"] = std::move(rss);
    samples["threads"] = std::move(threads);
    samples["fds"] = std::move(fds);
    j["samples"] = std::move(samples);
    list.push_back(std::move(j));
  }
  return list;
}

std::vector<ProcessSeries> ReadProcessSeries(const FieldReader& in,
                                             const Json& v,
                                             std::string_view path) {
  in.ExpectArray(v, path);
  std::vector<ProcessSeries> out;
  for (std::size_t i = 0; i < v.size(); ++i) {
    const std::string p = Index(path, i);
    const Json& item = v[i];
    in.ExpectObject(item, p);
    ProcessSeries series;
    series.label = in.String(item, p, "label");
    series.pid = in.Int64(item, p, "pid");
    if (series.pid <= 0) in.Fail(Join(p, "pid"), "must be > 0");
    series.name = in.String(item, p, "name");
    if (item.contains("exited_ns")) {
      series.exited_ns = in.Int64(item, p, "exited_ns");
    }
    if (item.contains("note")) series.note = in.String(item, p, "note");
    const std::string sp = Join(p, "samples");
    const Json& samples = in.Object(item, p, "samples");
    const Json& t = in.Array(samples, sp, "t_ns");
    const Json& cpu = in.Array(samples, sp, "cpu_percent");
    const Json& rss = in.Array(samples, sp, "rss_bytes");
    const Json& threads = in.Array(samples, sp, "threads");
    const Json& fds = in.Array(samples, sp, "fds");
    for (const auto& [key, column] :
         {std::pair<const char*, const Json*>{"cpu_percent", &cpu},
          {"rss_bytes", &rss},
          {"threads", &threads},
          {"fds", &fds}}) {
      if (column->size() != t.size()) {
        in.Fail(Join(sp, key), "has " + std::to_string(column->size()) +
                                   " values, t_ns has " +
                                   std::to_string(t.size()));
      }
    }
    for (std::size_t k = 0; k < t.size(); ++k) {
      ProcessSample s;
      s.t_ns = in.AsInt64(t[k], Index(Join(sp, "t_ns"), k));
      if (k > 0 && s.t_ns <= series.samples.back().t_ns) {
        in.Fail(Index(Join(sp, "t_ns"), k), "times must be ascending");
      }
      const std::string cp = Index(Join(sp, "cpu_percent"), k);
      s.cpu_percent = in.AsNumber(cpu[k], cp);
      if (!std::isfinite(s.cpu_percent) || s.cpu_percent < 0) {
        in.Fail(cp, "must be a finite number >= 0");
      }
      const std::string rp = Index(Join(sp, "rss_bytes"), k);
      s.rss_bytes = in.AsInt64(rss[k], rp);
      if (s.rss_bytes < 0) in.Fail(rp, "must be >= 0");
      const std::string tp = Index(Join(sp, "threads"), k);
      const std::int64_t n_threads = in.AsInt64(threads[k], tp);
      if (n_threads < 0 || n_threads > (1 << 30)) {
        in.Fail(tp, "must be in [0, 2^30]");
      }
      s.threads = static_cast<int>(n_threads);
      const std::string fp = Index(Join(sp, "fds"), k);
      const std::int64_t n_fds = in.AsInt64(fds[k], fp);
      if (n_fds < -1 || n_fds > (1 << 30)) {
        in.Fail(fp, "must be in [-1, 2^30] (-1: not readable)");
      }
      s.fds = static_cast<int>(n_fds);
      series.samples.push_back(s);
    }
    out.push_back(std::move(series));
  }
  return out;
}

}  // namespace perfcheck::json_fields
