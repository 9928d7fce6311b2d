#include "load_summary.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <sstream>

#include "perfcheck/format.h"
#include "perfcheck/resource_sla.h"

namespace perfcheck::cli {
namespace {

constexpr char kGreen[] = "\033[32m";
constexpr char kRed[] = "\033[31m";
constexpr char kReset[] = "\033[0m";

std::string Paint(const std::string& text, const char* colour, bool color) {
  return color ? colour + text + kReset : text;
}

std::string Config(const Result& r, const std::string& key) {
  const auto it = r.config.find(key);
  return it == r.config.end() ? "" : it->second;
}

double PerSecond(std::uint64_t n, const Result& r) {
  return r.elapsed_ns > 0
             ? static_cast<double>(n) * 1e9 / static_cast<double>(r.elapsed_ns)
             : 0.0;
}

std::string Errors(const Result& r) {
  if (r.ErrorCount() == 0) return "0";
  return FormatCount(static_cast<double>(r.ErrorCount())) + " (" +
         FormatPercent(r.ErrorRate()) + ")";
}

std::string Value(double v, SlaUnit unit) {
  switch (unit) {
    case SlaUnit::kNanoseconds:
      return FormatNanos(v);
    case SlaUnit::kFraction:
      return FormatPercent(v);
    case SlaUnit::kPerSecond:
      return FormatRate(v);
    default:
      return FormatCount(v);
  }
}

// One row per endpoint plus the total; columns padded to their widest cell
// (names left, numbers right) so the table lines up in any terminal.
void Table(std::ostringstream& out, const http::HttpLoadResult& r, bool color) {
  using Row = std::vector<std::string>;
  std::vector<Row> rows = {{"endpoint", "requests", "req/s", "p50", "p90",
                            "p95", "p99", "max", "errors"}};
  std::vector<bool> failed = {false};
  auto add = [&](const std::string& name, const Result& res) {
    const LatencyHistogram& h = res.latency;
    auto latency = [&](Nanos ns) {
      return h.TotalCount() == 0 ? std::string("-")
                                 : FormatNanos(static_cast<double>(ns));
    };
    rows.push_back({name, FormatCount(static_cast<double>(res.TotalCount())),
                    FormatRate(PerSecond(res.TotalCount(), res)),
                    latency(h.Percentile(50)), latency(h.Percentile(90)),
                    latency(h.Percentile(95)), latency(h.Percentile(99)),
                    latency(h.Max()), Errors(res)});
    failed.push_back(res.ErrorCount() > 0);
  };
  for (const auto& [name, er] : r.endpoints) add(name, er);
  add("total", r.aggregate);
  std::vector<std::size_t> width(rows[0].size(), 0);
  for (const Row& row : rows) {
    for (std::size_t c = 0; c < row.size(); ++c) {
      width[c] = std::max(width[c], row[c].size());
    }
  }
  for (std::size_t i = 0; i < rows.size(); ++i) {
    std::string line = "  ";
    for (std::size_t c = 0; c < rows[i].size(); ++c) {
      const std::string& cell = rows[i][c];
      const std::string pad(width[c] - cell.size(), ' ');
      std::string shown = c == 0 ? cell + pad : pad + cell;
      if (c + 1 == rows[i].size() && failed[i])
        shown = Paint(shown, kRed, color);
      line += (c == 0 ? "" : "  ") + shown;
    }
    // The endpoint column is padded even on the last row of a narrow table;
    // trailing spaces would make golden files fragile.
    line.erase(line.find_last_not_of(' ') + 1);
    out << line << "\n";
  }
}

// The monitored processes, one row each, then their thresholds.
void ResourcesSection(std::ostringstream& out, const Result& a,
                      const std::vector<ResourceThresholdOutcome>& outcomes,
                      bool color) {
  const std::string interval = Config(a, "monitor_interval");
  out << "\n  resources"
      << (interval.empty() ? "" : " (sampled every " + interval + ")") << "\n";
  using Row = std::vector<std::string>;
  std::vector<Row> rows = {
      {"process", "peak RSS", "mean CPU", "peak CPU", "memory"}};
  auto percent = [](double p) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f %%", p);
    return std::string(buf);
  };
  for (const ProcessSeries& p : a.resources) {
    const CpuSummary cpu = SummarizeCpu(p.samples);
    const MemoryGrowth g = AnalyzeMemoryGrowth(p.samples);
    const std::string slope = (g.slope_bytes_per_s < 0 ? "-" : "+") +
                              FormatBytes(std::fabs(g.slope_bytes_per_s)) +
                              "/s";
    rows.push_back(
        {p.Describe(),
         p.samples.empty()
             ? "-"
             : FormatBytes(static_cast<double>(PeakRssBytes(p.samples))),
         cpu.n == 0 ? "-" : percent(cpu.mean_percent),
         cpu.n == 0 ? "-" : percent(cpu.peak_percent),
         g.verdict == GrowthVerdict::kInsufficientData
             ? "too few samples (" + std::to_string(g.n) + ")"
             : std::string(g.verdict == GrowthVerdict::kGrows ? "grows "
                                                              : "steady ") +
                   slope});
  }
  std::vector<std::size_t> width(rows[0].size(), 0);
  for (const Row& row : rows) {
    for (std::size_t c = 0; c < row.size(); ++c) {
      width[c] = std::max(width[c], row[c].size());
    }
  }
  for (const Row& row : rows) {
    std::string line = "  ";
    for (std::size_t c = 0; c < row.size(); ++c) {
      const std::string pad(width[c] - row[c].size(), ' ');
      // Names and the verdict left, numbers right.
      line +=
          "  " + (c == 0 || c + 1 == row.size() ? row[c] + pad : pad + row[c]);
    }
    line.erase(line.find_last_not_of(' ') + 1);
    out << line << "\n";
  }
  for (const ProcessSeries& p : a.resources) {
    if (!p.note.empty()) out << "    " << p.note << "\n";
  }
  for (const ResourceThresholdOutcome& o : outcomes) {
    out << "    "
        << (o.passed ? Paint("PASS", kGreen, color)
                     : Paint("FAIL", kRed, color))
        << " " << o.threshold.text << "  " << o.measured << "\n";
  }
}

}  // namespace

std::string LoadSummaryText(
    const http::HttpLoadResult& r, const std::string& target,
    const std::vector<ThresholdOutcome>& thresholds, bool color,
    const std::vector<ResourceThresholdOutcome>& resources) {
  const Result& a = r.aggregate;
  std::ostringstream out;
  out << "perfcheck load: " << target << "\n";

  std::string model = r.open_model ? "open" : "closed";
  if (r.open_model && !Config(a, "rate").empty()) {
    model += ", rate " + Config(a, "rate");
  }
  if (!Config(a, "stages").empty()) model += ", ramp " + Config(a, "stages");
  const std::string connections = Config(a, "connections");
  if (!connections.empty()) {
    model += std::string(r.open_model ? ", up to " : ", ") + connections +
             (connections == "1" ? " connection" : " connections");
  }
  const std::string threads = Config(a, "threads");
  if (!threads.empty()) {
    model += ", " + threads + (threads == "1" ? " thread" : " threads");
  }
  if (!Config(a, "think_time").empty()) {
    model += ", think time " + Config(a, "think_time");
  }
  if (Config(a, "model").rfind("scenario", 0) == 0) {
    // Virtual users of a scenario (--scenario): users, spawn rate, classes.
    model = "scenario, " + Config(a, "users") + " virtual users";
    const std::string rate = Config(a, "spawn_rate");
    if (!rate.empty() && std::strtod(rate.c_str(), nullptr) > 0) {
      model += " spawned at " + FormatRate(std::strtod(rate.c_str(), nullptr));
    }
    if (!Config(a, "stages").empty()) {
      model += " at most, stages " + Config(a, "stages");
    }
    if (!threads.empty()) {
      model += ", " + threads + (threads == "1" ? " thread" : " threads");
    }
    std::string classes;
    for (const auto& [key, value] : a.config) {
      if (key.rfind("class.", 0) == 0) {
        classes += (classes.empty() ? "" : ", ") + key.substr(6);
      }
    }
    if (!classes.empty()) model += "; classes " + classes;
  }
  out << "  model     " << model << "\n";
  out << "  ran       " << FormatNanos(static_cast<double>(a.elapsed_ns));
  if (!Config(a, "duration").empty()) {
    out << " of " << Config(a, "duration") << " planned";
  }
  if (!Config(a, "max_requests").empty()) {
    out << " (or " << Config(a, "max_requests") << " requests)";
  }
  out << "\n";
  out << "  requests  " << FormatCount(static_cast<double>(a.TotalCount()))
      << " (" << FormatCount(static_cast<double>(a.OkCount())) << " ok, "
      << Paint(FormatCount(static_cast<double>(a.ErrorCount())) +
                   " errors = " + FormatPercent(a.ErrorRate()),
               kRed, color && a.ErrorCount() > 0)
      << "), " << FormatRate(PerSecond(a.TotalCount(), a)) << ", "
      << FormatRate(PerSecond(a.OkCount(), a)) << " ok\n\n";

  Table(out, r, color);
  out << "  latency of successful responses"
      << (r.open_model ? ", from the intended send" : "") << "\n";

  if (!a.errors.empty()) {
    out << "\n  errors by class\n";
    std::size_t name_width = 0, count_width = 0;
    for (const auto& [category, e] : a.errors) {
      name_width = std::max(name_width, category.size());
      count_width = std::max(count_width,
                             FormatCount(static_cast<double>(e.count)).size());
    }
    for (const auto& [category, e] : a.errors) {
      const std::string count = FormatCount(static_cast<double>(e.count));
      const std::string indent(4 + name_width + 2 + count_width + 2, ' ');
      out << "    " << category
          << std::string(name_width - category.size(), ' ') << "  "
          << std::string(count_width - count.size(), ' ') << count;
      // Examples are the Result's, already redacted and cut to length.
      for (std::size_t i = 0; i < e.examples.size(); ++i) {
        out << (i == 0 ? "  " : indent) << e.examples[i] << "\n";
      }
      if (e.examples.empty()) out << "\n";
    }
  }

  if (r.open_model) {
    auto p99 = [](const LatencyHistogram& h) {
      return h.TotalCount() == 0
                 ? std::string("-")
                 : FormatNanos(static_cast<double>(h.Percentile(99)));
    };
    out << "\n  open model  " << FormatCount(static_cast<double>(r.late_sends))
        << " late sends, " << FormatCount(static_cast<double>(r.dropped_sends))
        << " dropped\n"
        << "              p99 " << p99(a.latency) << " from the intended send, "
        << p99(r.uncorrected) << " from the actual send (uncorrected)\n";
  }

  if (!thresholds.empty()) {
    out << "\n  thresholds\n";
    std::size_t width = 0;
    for (const ThresholdOutcome& t : thresholds) {
      width = std::max(width, t.threshold.text.size());
    }
    for (const ThresholdOutcome& t : thresholds) {
      const ThresholdVerdict& v = t.verdict;
      out << "    "
          << (v.passed ? Paint("PASS", kGreen, color)
                       : Paint("FAIL", kRed, color))
          << " " << t.threshold.text
          << std::string(width - t.threshold.text.size(), ' ') << "  observed "
          << (v.observed ? Value(*v.observed, v.unit) : "nothing") << ", limit "
          << Value(v.limit, v.unit) << "\n";
      // A window or drift bound also says where and how many windows.
      if (t.threshold.window_ns > 0) out << "      " << v.measured << "\n";
    }
  }
  if (!a.resources.empty() || !resources.empty()) {
    ResourcesSection(out, a, resources, color);
  }
  return out.str();
}

}  // namespace perfcheck::cli
