#include "svg.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "perfcheck/report/html.h"

namespace perfcheck::report::svg {
namespace {

constexpr double kWidth = 760, kHeight = 260;
constexpr double kLeft = 64, kRight = 40, kTop = 30, kBottom = 42;
// Beyond this many points a chart draws lines only: a circle (with its
// tooltip) per point would make a long run's page heavy.
constexpr std::size_t kMaxMarkers = 300;

std::string Fmt(const char* format, double v) {
  char text[64];
  std::snprintf(text, sizeof text, format, v);
  return text;
}

// A tick label: few digits, no exponent for the usual ranges.
std::string TickLabel(double v) {
  if (v == 0) return "0";
  const double a = std::fabs(v);
  if (a >= 1e6 || a < 1e-3) return Fmt("%.3g", v);
  return Fmt("%.6g", v);
}

// Round steps (1, 2, 5 x 10^k) covering [lo, hi] with about `n` ticks.
std::vector<double> NiceTicks(double lo, double hi, int n) {
  std::vector<double> ticks;
  if (!(hi > lo)) return {lo};
  const double raw = (hi - lo) / n;
  const double mag = std::pow(10, std::floor(std::log10(raw)));
  double step = mag;
  for (double m : {1.0, 2.0, 5.0, 10.0}) {
    step = m * mag;
    if (step >= raw) break;
  }
  for (double t = std::ceil(lo / step) * step; t <= hi + step * 1e-9;
       t += step) {
    ticks.push_back(std::fabs(t) < step * 1e-9 ? 0 : t);
  }
  return ticks;
}

// The plot area and the mapping of data to pixels.
struct Frame {
  double x0 = 0, x1 = 1, y0 = 0, y1 = 1;
  double width = kWidth, height = kHeight, left = kLeft;
  double Px(double x) const {
    const double w = width - left - kRight;
    return left + (x1 > x0 ? (x - x0) / (x1 - x0) : 0.5) * w;
  }
  double Py(double y) const {
    const double h = height - kTop - kBottom;
    return kTop + h - (y1 > y0 ? (y - y0) / (y1 - y0) : 0) * h;
  }
};

std::string Open(std::string_view id, std::string_view title, const Frame& f) {
  std::string out = "<svg class=\"chart\" id=\"" + HtmlEscape(id) +
                    "\" xmlns=\"http://www.w3.org/2000/svg\" width=\"" +
                    Num(f.width) + "\" height=\"" + Num(f.height) +
                    "\" viewBox=\"0 0 " + Num(f.width) + " " + Num(f.height) +
                    "\" role=\"img\" aria-label=\"" + HtmlEscape(title) + "\">";
  out += "<text class=\"title\" x=\"" + Num(f.left) + "\" y=\"18\">" +
         HtmlEscape(title) + "</text>";
  return out;
}

// Axes with ticks; `xticks` are (value, label) pairs in data units.
std::string Axes(const Frame& f,
                 const std::vector<std::pair<double, std::string>>& xticks,
                 const std::vector<double>& yticks, std::string_view xlabel,
                 std::string_view ylabel) {
  std::string out;
  const double bottom = f.height - kBottom, right = f.width - kRight;
  for (double y : yticks) {
    const double py = f.Py(y);
    out += "<line class=\"grid\" x1=\"" + Num(f.left) + "\" x2=\"" +
           Num(right) + "\" y1=\"" + Fmt("%.1f", py) + "\" y2=\"" +
           Fmt("%.1f", py) + "\"/>";
    out += "<text class=\"tick\" text-anchor=\"end\" x=\"" + Num(f.left - 6) +
           "\" y=\"" + Fmt("%.1f", py + 4) + "\">" + TickLabel(y) + "</text>";
  }
  for (const auto& [x, label] : xticks) {
    const double px = f.Px(x);
    out += "<line class=\"tickmark\" x1=\"" + Fmt("%.1f", px) + "\" x2=\"" +
           Fmt("%.1f", px) + "\" y1=\"" + Num(bottom) + "\" y2=\"" +
           Num(bottom + 5) + "\"/>";
    out += "<text class=\"tick\" text-anchor=\"middle\" x=\"" +
           Fmt("%.1f", px) + "\" y=\"" + Num(bottom + 18) + "\">" +
           HtmlEscape(label) + "</text>";
  }
  out += "<line class=\"axis\" x1=\"" + Num(f.left) + "\" x2=\"" + Num(right) +
         "\" y1=\"" + Num(bottom) + "\" y2=\"" + Num(bottom) + "\"/>";
  out += "<line class=\"axis\" x1=\"" + Num(f.left) + "\" x2=\"" + Num(f.left) +
         "\" y1=\"" + Num(kTop) + "\" y2=\"" + Num(bottom) + "\"/>";
  out += "<text class=\"label\" text-anchor=\"middle\" x=\"" +
         Num((f.left + right) / 2) + "\" y=\"" + Num(f.height - 6) + "\">" +
         HtmlEscape(xlabel) + "</text>";
  out += "<text class=\"label\" text-anchor=\"middle\" transform=\"translate(" +
         Num(14) + " " + Num((kTop + bottom) / 2) + ") rotate(-90)\">" +
         HtmlEscape(ylabel) + "</text>";
  return out;
}

std::vector<std::pair<double, std::string>> Labelled(
    const std::vector<double>& values) {
  std::vector<std::pair<double, std::string>> out;
  for (double v : values) out.push_back({v, TickLabel(v)});
  return out;
}

// A legend entry at the top right; `index` counts from the right.
std::string Legend(const Frame& f, int index, std::string_view cls,
                   std::string_view text) {
  const double x = f.width - kRight - 110.0 * (index + 1);
  return "<g class=\"legend\"><rect class=\"" + std::string(cls) + "\" x=\"" +
         Num(x) + "\" y=\"10\" width=\"12\" height=\"4\"/><text x=\"" +
         Num(x + 16) + "\" y=\"16\">" + HtmlEscape(text) + "</text></g>";
}

struct Point {
  double x, y;
  std::string tip;
};

std::string Line(const Frame& f, const std::vector<Point>& points,
                 std::string_view cls) {
  if (points.empty()) return "";
  std::string out =
      "<polyline class=\"line " + std::string(cls) + "\" points=\"";
  for (const Point& p : points) {
    out += Fmt("%.1f", f.Px(p.x)) + "," + Fmt("%.1f", f.Py(p.y)) + " ";
  }
  out += "\"/>";
  if (points.size() <= kMaxMarkers) {
    for (const Point& p : points) {
      out += "<circle class=\"marker " + std::string(cls) + "\" cx=\"" +
             Fmt("%.1f", f.Px(p.x)) + "\" cy=\"" + Fmt("%.1f", f.Py(p.y)) +
             "\" r=\"2.5\"><title>" + HtmlEscape(p.tip) + "</title></circle>";
    }
  }
  return out;
}

double Top(double max) { return max > 0 ? max * 1.08 : 1; }

}  // namespace

std::string Num(double v) {
  if (!std::isfinite(v)) return "n/a";
  if (v == 0) return "0";  // also -0
  char text[32];
  const auto r = std::to_chars(text, text + sizeof text, v);
  return std::string(text, r.ptr);
}

std::string LatencyOverTime(const ReportSection& s, std::string_view id) {
  if (s.intervals.empty()) return "";
  Frame f;
  f.x0 = s.intervals.front().start_s;
  f.x1 = s.intervals.back().start_s + s.interval_s;
  double max = 0;
  for (const IntervalPoint& i : s.intervals) {
    max = std::max({max, i.p50_ms, i.p95_ms, i.p99_ms});
  }
  f.y1 = Top(max);
  const std::vector<double> yt = NiceTicks(0, f.y1, 5);
  std::string out = Open(id, "latency over time (per interval)", f);
  out += Axes(f, Labelled(NiceTicks(f.x0, f.x1, 8)), yt, "time (s)",
              "latency (ms)");
  std::vector<Point> p50, p95, p99;
  for (const IntervalPoint& i : s.intervals) {
    if (i.ok == 0) continue;  // no successful request: no latency to plot
    const double x = i.start_s + s.interval_s / 2;
    const std::string at = "t=" + Num(i.start_s) + " s: ";
    p50.push_back({x, i.p50_ms, at + "p50 " + Num(i.p50_ms) + " ms"});
    p95.push_back({x, i.p95_ms, at + "p95 " + Num(i.p95_ms) + " ms"});
    p99.push_back({x, i.p99_ms, at + "p99 " + Num(i.p99_ms) + " ms"});
  }
  out += Line(f, p50, "p50") + Line(f, p95, "p95") + Line(f, p99, "p99");
  out += Legend(f, 2, "p50", "p50") + Legend(f, 1, "p95", "p95") +
         Legend(f, 0, "p99", "p99");
  return out + "</svg>";
}

std::string RateOverTime(const ReportSection& s, std::string_view id) {
  if (s.intervals.empty() || !(s.interval_s > 0)) return "";
  Frame f;
  f.height = 200;
  f.x0 = s.intervals.front().start_s;
  f.x1 = s.intervals.back().start_s + s.interval_s;
  double max = 0;
  for (const IntervalPoint& i : s.intervals) {
    max = std::max(max, static_cast<double>(i.ok + i.errors) / s.interval_s);
  }
  f.y1 = Top(max);
  std::string out = Open(id, "requests per second (per interval)", f);
  out += Axes(f, Labelled(NiceTicks(f.x0, f.x1, 8)), NiceTicks(0, f.y1, 4),
              "time (s)", "requests/s");
  const double bar = std::max(1.0, f.Px(f.x0 + s.interval_s) - f.Px(f.x0) - 1);
  for (const IntervalPoint& i : s.intervals) {
    const double ok = static_cast<double>(i.ok) / s.interval_s;
    const double err = static_cast<double>(i.errors) / s.interval_s;
    const std::string x = Fmt("%.1f", f.Px(i.start_s));
    const std::string tip = "t=" + Num(i.start_s) +
                            " s: " + std::to_string(i.ok) + " ok, " +
                            std::to_string(i.errors) + " errors";
    out += "<rect class=\"bar ok\" x=\"" + x + "\" width=\"" +
           Fmt("%.1f", bar) + "\" y=\"" + Fmt("%.1f", f.Py(ok)) +
           "\" height=\"" + Fmt("%.1f", f.Py(0) - f.Py(ok)) + "\"><title>" +
           HtmlEscape(tip) + "</title></rect>";
    if (i.errors > 0) {
      out += "<rect class=\"bar err\" x=\"" + x + "\" width=\"" +
             Fmt("%.1f", bar) + "\" y=\"" + Fmt("%.1f", f.Py(ok + err)) +
             "\" height=\"" + Fmt("%.1f", f.Py(ok) - f.Py(ok + err)) +
             "\"><title>" + HtmlEscape(tip) + "</title></rect>";
    }
  }
  out += Legend(f, 1, "ok", "successful/s") + Legend(f, 0, "err", "errors/s");
  return out + "</svg>";
}

std::string PercentileSpectrum(const ReportSection& s, std::string_view id) {
  // x = log10(1 / (1 - q)): 0 at the median's left end (q = 0), 1 at 90%,
  // 2 at 99%, ... as HdrHistogram's percentile plots.
  std::vector<Point> points;
  double xmax = 1;
  if (s.histogram && s.histogram->TotalCount() > 0) {
    const LatencyHistogram& h = *s.histogram;
    const double n = static_cast<double>(h.TotalCount());
    // The last rank's q is 1 - 1/n: beyond it the histogram says nothing.
    xmax = std::max(1.0, std::log10(n));
    for (int k = 0;; ++k) {
      const double x = k / 10.0;
      if (x > xmax + 1e-9) break;
      const double q = 1 - std::pow(10, -x);
      const double ms = RoundedMs(
          static_cast<double>(h.Percentile(std::min(100.0, q * 100))));
      points.push_back({x, ms, Fmt("%.4g", q * 100) + "%: " + Num(ms) + " ms"});
    }
    const double ms = RoundedMs(static_cast<double>(h.Max()));
    points.push_back({xmax, ms, "max: " + Num(ms) + " ms"});
  } else {
    for (const auto& [percent, ms] : s.percentiles) {
      if (percent >= 100) continue;  // max: no finite x
      const double x = std::log10(1 / (1 - percent / 100));
      xmax = std::max(xmax, x);
      points.push_back({x, ms, Fmt("%g", percent) + "%: " + Num(ms) + " ms"});
    }
  }
  if (points.empty()) return "";
  Frame f;
  f.x1 = std::ceil(xmax);
  double max = 0;
  for (const Point& p : points) max = std::max(max, p.y);
  f.y1 = Top(max);
  std::vector<std::pair<double, std::string>> xt;
  for (int d = 0; d <= static_cast<int>(f.x1); ++d) {
    std::string label = "0%";
    if (d > 0) {
      char text[32];
      std::snprintf(text, sizeof text, "%.*f%%", std::max(0, d - 2),
                    100 - std::pow(10, 2 - d));
      label = text;
    }
    xt.push_back({d, label});
  }
  std::string out = Open(id, "percentile spectrum (x: 1/(1-q), log scale)", f);
  out += Axes(f, xt, NiceTicks(0, f.y1, 5), "percentile", "latency (ms)");
  out += Line(f, points, "spectrum");
  return out + "</svg>";
}

std::string Histogram(const ReportSection& s, std::string_view id) {
  if (!s.histogram || s.histogram->TotalCount() == 0) return "";
  const LatencyHistogram& h = *s.histogram;
  const double lo = std::max(1.0, static_cast<double>(h.Min()));
  const double hi = std::max(lo + 1, static_cast<double>(h.Max()) + 1);
  // Log-spaced bins when the latencies span more than 4x: one tail request
  // would otherwise squeeze every other one into the first bin.
  const bool log = hi / lo > 4;
  constexpr int kBins = 40;
  std::vector<std::uint64_t> counts(kBins, 0);
  auto bin_of = [&](double v) {
    const double t =
        log ? std::log(v / lo) / std::log(hi / lo) : (v - lo) / (hi - lo);
    return std::clamp(static_cast<int>(t * kBins), 0, kBins - 1);
  };
  auto edge = [&](int b) {
    const double t = static_cast<double>(b) / kBins;
    return log ? lo * std::pow(hi / lo, t) : lo + (hi - lo) * t;
  };
  h.ForEachBucket([&](Nanos blo, Nanos bhi, std::uint64_t count) {
    const double mid = std::clamp(
        (static_cast<double>(blo) + static_cast<double>(bhi)) / 2, lo, hi);
    counts[bin_of(mid)] += count;
  });
  std::uint64_t max = 0;
  for (std::uint64_t c : counts) max = std::max(max, c);
  Frame f;
  f.x0 = 0;
  f.x1 = kBins;
  f.y1 = Top(static_cast<double>(max));
  std::vector<std::pair<double, std::string>> xt;
  for (int b = 0; b <= kBins; b += 8) {
    xt.push_back({b, TickLabel(std::round(edge(b) / 1e3) / 1e3)});
  }
  std::string out = Open(
      id,
      std::string("latency histogram (") + (log ? "log" : "linear") + " bins)",
      f);
  out += Axes(f, xt, NiceTicks(0, f.y1, 4), "latency (ms)", "requests");
  for (int b = 0; b < kBins; ++b) {
    if (counts[b] == 0) continue;
    const double c = static_cast<double>(counts[b]);
    const std::string tip = Num(RoundedMs(edge(b))) + " .. " +
                            Num(RoundedMs(edge(b + 1))) +
                            " ms: " + std::to_string(counts[b]);
    out += "<rect class=\"bar ok\" x=\"" + Fmt("%.1f", f.Px(b) + 0.5) +
           "\" width=\"" + Fmt("%.1f", f.Px(b + 1) - f.Px(b) - 1) + "\" y=\"" +
           Fmt("%.1f", f.Py(c)) + "\" height=\"" +
           Fmt("%.1f", f.Py(0) - f.Py(c)) + "\"><title>" + HtmlEscape(tip) +
           "</title></rect>";
  }
  return out + "</svg>";
}

std::string CompareBands(const ReportSection& s, std::string_view id) {
  if (s.comparisons.empty()) return "";
  constexpr double kRow = 26;
  Frame f;
  f.left = 300;
  f.height = kTop + kBottom + kRow * static_cast<double>(s.comparisons.size());
  double lo = 0, hi = 0;
  for (const CompareRow& r : s.comparisons) {
    lo = std::min(lo, -r.threshold);
    hi = std::max(hi, r.threshold);
    for (const std::optional<double>& v :
         {r.change, r.change_low, r.change_high}) {
      if (v && std::isfinite(*v)) {
        lo = std::min(lo, *v);
        hi = std::max(hi, *v);
      }
    }
  }
  const double pad = (hi - lo) * 0.05 + 1e-9;
  f.x0 = (lo - pad) * 100;
  f.x1 = (hi + pad) * 100;
  f.y0 = 0;
  f.y1 = static_cast<double>(s.comparisons.size());
  std::vector<std::pair<double, std::string>> xt;
  for (double t : NiceTicks(f.x0, f.x1, 8))
    xt.push_back({t, TickLabel(t) + "%"});
  std::string out =
      Open(id, "baseline band (tolerance) against the new interval", f);
  out += Axes(f, xt, {}, "change against the baseline", "");
  for (std::size_t i = 0; i < s.comparisons.size(); ++i) {
    const CompareRow& r = s.comparisons[i];
    const double yc = kTop + kRow * (static_cast<double>(i) + 0.5);
    std::string label = r.benchmark + " " + r.metric;
    if (label.size() > 44) label = label.substr(0, 41) + "...";
    out += "<g class=\"row " + HtmlEscape(r.verdict) +
           "\"><text class=\"tick\" "
           "text-anchor=\"end\" x=\"" +
           Num(f.left - 8) + "\" y=\"" + Fmt("%.1f", yc + 4) + "\">" +
           HtmlEscape(label) + "</text>";
    out += "<rect class=\"band\" x=\"" + Fmt("%.1f", f.Px(-r.threshold * 100)) +
           "\" width=\"" +
           Fmt("%.1f", f.Px(r.threshold * 100) - f.Px(-r.threshold * 100)) +
           "\" y=\"" + Fmt("%.1f", yc - 8) + "\" height=\"16\"><title>" +
           HtmlEscape("baseline band: +-" + Num(r.threshold * 100) + "%") +
           "</title></rect>";
    out += "<line class=\"zero\" x1=\"" + Fmt("%.1f", f.Px(0)) + "\" x2=\"" +
           Fmt("%.1f", f.Px(0)) + "\" y1=\"" + Fmt("%.1f", yc - 8) +
           "\" y2=\"" + Fmt("%.1f", yc + 8) + "\"/>";
    if (r.change_low && r.change_high) {
      out += "<line class=\"interval\" x1=\"" +
             Fmt("%.1f", f.Px(*r.change_low * 100)) + "\" x2=\"" +
             Fmt("%.1f", f.Px(*r.change_high * 100)) + "\" y1=\"" +
             Fmt("%.1f", yc) + "\" y2=\"" + Fmt("%.1f", yc) + "\"/>";
    }
    if (r.change) {
      out += "<circle class=\"marker change\" cx=\"" +
             Fmt("%.1f", f.Px(*r.change * 100)) + "\" cy=\"" + Fmt("%.1f", yc) +
             "\" r=\"4\"><title>" +
             HtmlEscape(r.benchmark + " " + r.metric + ": change " +
                        Num(*r.change * 100) + "% [" +
                        (r.change_low ? Num(*r.change_low * 100) : "n/a") +
                        "% .. " +
                        (r.change_high ? Num(*r.change_high * 100) : "n/a") +
                        "%], " + r.verdict) +
             "</title></circle>";
    }
    out += "</g>";
  }
  return out + "</svg>";
}

std::string ResourceChart(const ResourceSeriesView& r, bool cpu,
                          std::string_view id) {
  const std::vector<double>& ys = cpu ? r.cpu_percent : r.rss_mb;
  const std::size_t n = std::min(r.t_s.size(), ys.size());
  if (n == 0) return "";
  Frame f;
  f.height = 200;
  f.x0 = r.t_s.front();
  f.x1 = std::max(r.t_s[n - 1], f.x0 + 1);
  double max = 0;
  std::vector<Point> points;
  const char* unit = cpu ? "%" : " MiB";
  for (std::size_t i = 0; i < n; ++i) {
    max = std::max(max, ys[i]);
    points.push_back(
        {r.t_s[i], ys[i], "t=" + Num(r.t_s[i]) + " s: " + Num(ys[i]) + unit});
  }
  f.y1 = Top(max);
  std::string out =
      Open(id, r.process + (cpu ? ": CPU (% of one core)" : ": RSS (MiB)"), f);
  out += Axes(f, Labelled(NiceTicks(f.x0, f.x1, 8)), NiceTicks(0, f.y1, 4),
              "time (s)", cpu ? "CPU %" : "RSS (MiB)");
  out += Line(f, points, cpu ? "cpu" : "rss");
  return out + "</svg>";
}

}  // namespace perfcheck::report::svg
