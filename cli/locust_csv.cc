#include "locust_csv.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <map>
#include <optional>
#include <string_view>
#include <tuple>

namespace perfcheck::cli {
namespace {

// Locust 2.12's PERCENTILES_TO_REPORT.
constexpr std::array<double, 11> kPercentiles = {
    0.50, 0.66, 0.75, 0.80, 0.90, 0.95, 0.98, 0.99, 0.999, 0.9999, 1.0};

// A number as Python holds it: Locust's rounded times are ints below 100 ms
// (round(x)) and floats above (round(x, -1) ...), and both print differently.
struct PyNumber {
  double value = 0;
  bool is_int = false;
};

std::string Print(const PyNumber& n) {
  if (n.is_int) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.0f", n.value);
    return buf;
  }
  return PythonFloat(n.value);
}

// Locust's StatsEntry._log_response_time rounding: 147 -> 150, 3432 -> 3400,
// 58760 -> 59000; Python's round() rounds halves to even, as nearbyint does.
PyNumber LocustRound(double ms) {
  if (ms < 100) return {std::nearbyint(ms), true};
  const double unit = ms < 1000 ? 10 : ms < 10000 ? 100 : 1000;
  return {std::nearbyint(ms / unit) * unit, false};
}

// Every response of one request name (or of all), as Locust's StatsEntry
// sees them.
struct Entry {
  std::string method;  // "" for the Aggregated row
  std::string name;    // as Locust names it
  std::string key;     // in HttpLoadResult::endpoints
  std::uint64_t requests = 0;
  std::uint64_t failures = 0;
  LatencyHistogram all;  // successes and failures, ns
  std::uint64_t body_bytes = 0;
};

// response_times: rounded milliseconds -> count, from the histogram's
// buckets (each bucket's midpoint stands for its values).
std::map<double, std::pair<PyNumber, std::uint64_t>> ResponseTimes(
    const LatencyHistogram& h) {
  std::map<double, std::pair<PyNumber, std::uint64_t>> times;
  h.ForEachBucket([&](Nanos lo, Nanos hi, std::uint64_t count) {
    const double ms = (static_cast<double>(lo) + static_cast<double>(hi)) / 2e6;
    const PyNumber key = LocustRound(ms);
    auto& slot = times[key.value];
    slot.first = key;
    slot.second += count;
  });
  return times;
}

// calculate_response_time_percentile(): the largest time such that the
// requests above it are at most int(n * percent).
PyNumber Percentile(
    const std::map<double, std::pair<PyNumber, std::uint64_t>>& times,
    std::uint64_t n, double percent) {
  const auto wanted =
      static_cast<std::uint64_t>(static_cast<double>(n) * percent);
  std::uint64_t processed = 0;
  for (auto it = times.rbegin(); it != times.rend(); ++it) {
    processed += it->second.second;
    if (n - std::min(n, processed) <= wanted) return it->second.first;
  }
  return {0, true};
}

// median_from_dict(), clamped to [min, max] as StatsEntry.median_response_time.
PyNumber Median(
    const std::map<double, std::pair<PyNumber, std::uint64_t>>& times,
    std::uint64_t n, double min_ms, double max_ms) {
  if (times.empty()) return {0, true};
  double pos = (static_cast<double>(n) - 1) / 2;
  PyNumber median = times.rbegin()->second.first;
  for (const auto& [key, slot] : times) {
    if (pos < static_cast<double>(slot.second)) {
      median = slot.first;
      break;
    }
    pos -= static_cast<double>(slot.second);
  }
  if (median.value > max_ms) return {max_ms, false};
  if (median.value < min_ms) return {min_ms, false};
  return median;
}

// Python's csv.writer (QUOTE_MINIMAL, "\r\n" line ends), as Locust uses it.
class CsvWriter {
 public:
  void Row(const std::vector<std::string>& cells) {
    for (std::size_t i = 0; i < cells.size(); ++i) {
      if (i > 0) out_ += ',';
      const std::string& c = cells[i];
      if (c.find_first_of(",\"\r\n") == std::string::npos) {
        out_ += c;
        continue;
      }
      out_ += '"';
      for (char ch : c) {
        if (ch == '"') out_ += '"';
        out_ += ch;
      }
      out_ += '"';
    }
    out_ += "\r\n";
  }
  std::string Take() { return std::move(out_); }

 private:
  std::string out_;
};

double Ms(double ns) { return ns / 1e6; }

std::string Int(std::uint64_t n) { return std::to_string(n); }

// Python's true division of an int total by a count: a float, or the int 0
// Locust returns on ZeroDivisionError.
std::string Ratio(double total, std::uint64_t count) {
  if (count == 0) return "0";
  return PythonFloat(total / static_cast<double>(count));
}

// Percentile fields of _percentile_fields(): "N/A" when nothing completed.
void AppendPercentiles(std::vector<std::string>& row, const Entry& e) {
  const auto times = ResponseTimes(e.all);
  for (double p : kPercentiles) {
    if (e.requests == 0) {
      row.push_back("N/A");
    } else {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.0f",
                    std::trunc(Percentile(times, e.all.TotalCount(), p).value));
      row.push_back(buf);
    }
  }
}

// Median, average, min, max and average content size, in Locust's order.
std::vector<std::string> TimeColumns(const Entry& e) {
  const auto times = ResponseTimes(e.all);
  const std::uint64_t timed = e.all.TotalCount();
  const double min_ms = Ms(static_cast<double>(e.all.Min()));
  const double max_ms = Ms(static_cast<double>(e.all.Max()));
  return {
      Print(Median(times, timed, min_ms, max_ms)),
      timed == 0 ? "0.0" : PythonFloat(Ms(e.all.Mean())),
      // `min_response_time or 0`: None and 0.0 both print as the int 0.
      timed == 0 || min_ms == 0 ? "0" : PythonFloat(min_ms),
      // max_response_time starts as the int 0.
      timed == 0 ? "0" : PythonFloat(max_ms),
      Ratio(static_cast<double>(e.body_bytes), e.requests),
  };
}

// What a scenario run adds: responses counted apart, failures by message.
struct ScenarioExtras {
  const std::map<std::string, http::ApartResponses>* apart = nullptr;
  const std::map<std::pair<std::string, std::string>, std::uint64_t>* failures =
      nullptr;
};

std::vector<Entry> Entries(const http::HttpLoadResult& r,
                           const ScenarioExtras& extras, Entry* total) {
  std::vector<Entry> entries;
  total->name = "Aggregated";
  for (const auto& [name, result] : r.endpoints) {
    Entry e;
    e.key = name;
    e.name = name;
    e.requests = result.TotalCount();
    e.failures = result.ErrorCount();
    e.all = result.latency;
    if (auto t = r.traffic.find(name); t != r.traffic.end()) {
      e.method = t->second.method;
      // perfcheck's default name is "GET /path"; Locust's is the path, with
      // the method in the Type column.
      const std::string prefix = e.method + " /";
      if (name.rfind(prefix, 0) == 0) e.name = name.substr(prefix.size() - 1);
      e.all.Merge(t->second.failed_latency);
      e.body_bytes = t->second.body_bytes;
    }
    // Responses counted apart (a 429 the test expects) are what Locust's
    // response.success() makes of them: requests that did not fail.
    if (extras.apart != nullptr) {
      if (auto a = extras.apart->find(name); a != extras.apart->end()) {
        e.requests += a->second.count;
        e.all.Merge(a->second.latency);
      }
    }
    total->requests += e.requests;
    total->failures += e.failures;
    total->all.Merge(e.all);
    total->body_bytes += e.body_bytes;
    entries.push_back(std::move(e));
  }
  // sort_stats(): by the (name, method) key.
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    return std::tie(a.name, a.method) < std::tie(b.name, b.method);
  });
  return entries;
}

std::string StatsCsv(const std::vector<Entry>& entries, const Entry& total,
                     double elapsed_s) {
  CsvWriter w;
  std::vector<std::string> header = {
      "Type",          "Name",
      "Request Count", "Failure Count",
      "Median Response Time", "Average Response Time",
      "Min Response Time",    "Max Response Time",
      "Average Content Size", "Requests/s",
      "Failures/s"};
  for (const std::string& p : LocustPercentileHeaders()) header.push_back(p);
  w.Row(header);
  auto row = [&](const Entry& e) {
    std::vector<std::string> cells = {e.method, e.name, Int(e.requests),
                                      Int(e.failures)};
    for (std::string& c : TimeColumns(e)) cells.push_back(std::move(c));
    cells.push_back(elapsed_s > 0 ? PythonFloat(e.requests / elapsed_s)
                                  : "0.0");
    cells.push_back(elapsed_s > 0 ? PythonFloat(e.failures / elapsed_s)
                                  : "0.0");
    AppendPercentiles(cells, e);
    w.Row(cells);
  };
  for (const Entry& e : entries) row(e);
  row(total);
  return w.Take();
}

std::string FailuresCsv(const http::HttpLoadResult& r,
                        const std::vector<Entry>& entries,
                        const ScenarioExtras& extras) {
  CsvWriter w;
  w.Row({"Method", "Name", "Error", "Occurrences"});
  if (extras.failures != nullptr) {
    // A scenario keeps every distinct message, as Locust does.
    for (const Entry& e : entries) {
      auto it = extras.failures->lower_bound({e.key, ""});
      for (; it != extras.failures->end() && it->first.first == e.key; ++it) {
        w.Row({e.method, e.name, it->first.second, Int(it->second)});
      }
    }
    return w.Take();
  }
  for (const Entry& e : entries) {
    const Result& result = r.endpoints.at(e.key);
    for (const auto& [category, errors] : result.errors) {
      if (errors.count == 0) continue;
      const std::string error =
          errors.examples.empty() ? category
                                  : category + ": " + errors.examples.front();
      w.Row({e.method, e.name, error, Int(errors.count)});
    }
  }
  return w.Take();
}

std::string HistoryCsv(const http::HttpLoadResult& r, const Entry& total,
                       const LocustCsvRun& run) {
  CsvWriter w;
  std::vector<std::string> header = {"Timestamp", "User Count", "Type", "Name",
                                     "Requests/s", "Failures/s"};
  for (const std::string& p : LocustPercentileHeaders()) header.push_back(p);
  for (const char* c :
       {"Total Request Count", "Total Failure Count",
        "Total Median Response Time", "Total Average Response Time",
        "Total Min Response Time", "Total Max Response Time",
        "Total Average Content Size"}) {
    header.push_back(c);
  }
  w.Row(header);
  const TimeSeries& series = r.aggregate.series;
  const double interval_s = static_cast<double>(series.IntervalNanos()) / 1e9;
  Entry so_far;  // cumulative: successes' times (the intervals keep no more)
  std::uint64_t requests = 0, failures = 0;
  for (const Interval& in : series.Intervals()) {
    const Nanos end = in.start_ns + series.IntervalNanos();
    requests += in.ok + in.errors;
    failures += in.errors;
    if (!in.latency.empty()) {
      if (StatusOr<LatencyHistogram> h = LatencyHistogram::Decode(in.latency);
          h.ok()) {
        if (so_far.all.TotalCount() == 0) {
          so_far.all = *h;
        } else {
          so_far.all.Merge(*h);
        }
      }
    }
    so_far.requests = requests;
    so_far.failures = failures;
    auto rate = [&](std::uint64_t n) {
      char buf[64];
      std::snprintf(buf, sizeof buf, "%2f",
                    static_cast<double>(n) / interval_s);
      return std::string(buf);
    };
    const double users = run.users_at ? run.users_at(end) : 0;
    std::vector<std::string> cells = {
        std::to_string(run.start_unix_s + end / 1'000'000'000),
        std::to_string(static_cast<long long>(std::llround(users))),
        "",
        "Aggregated",
        rate(in.ok + in.errors),
        rate(in.errors)};
    AppendPercentiles(cells, so_far);
    cells.push_back(Int(requests));
    cells.push_back(Int(failures));
    std::vector<std::string> times = TimeColumns(so_far);
    // The run's average content size: no interval keeps its body bytes.
    times.back() = Ratio(static_cast<double>(total.body_bytes), total.requests);
    for (std::string& c : times) cells.push_back(std::move(c));
    w.Row(cells);
  }
  return w.Take();
}

}  // namespace

std::vector<std::string> LocustPercentileHeaders() {
  // get_readable_percentiles(): "50%", "99.9%", "100%".
  std::vector<std::string> headers;
  for (double p : kPercentiles) {
    const double percent = p * 100;
    if (std::nearbyint(percent * 1e6) / 1e6 == std::nearbyint(percent)) {
      headers.push_back(std::to_string(std::llround(percent)) + "%");
    } else {
      headers.push_back(PythonFloat(std::nearbyint(percent * 1e6) / 1e6) +
                        "%");
    }
  }
  return headers;
}

std::string PythonFloat(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  if (value == 0) return std::signbit(value) ? "-0.0" : "0.0";
  // Shortest round-trip digits, then Python's layout (float_repr_style
  // 'short': exponent form when the decimal exponent is < -4 or >= 16).
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value,
                                 std::chars_format::scientific);
  std::string_view sci(buf, static_cast<std::size_t>(end - buf));
  const bool negative = sci.front() == '-';
  if (negative) sci.remove_prefix(1);
  const std::size_t e = sci.find('e');
  std::string digits(sci.substr(0, e));
  digits.erase(std::remove(digits.begin(), digits.end(), '.'), digits.end());
  const int exponent = std::stoi(std::string(sci.substr(e + 1)));
  std::string out = negative ? "-" : "";
  if (exponent < -4 || exponent >= 16) {
    out += digits.substr(0, 1);
    if (digits.size() > 1) out += "." + digits.substr(1);
    char exp[16];
    std::snprintf(exp, sizeof exp, "e%c%02d", exponent < 0 ? '-' : '+',
                  std::abs(exponent));
    return out + exp;
  }
  if (exponent < 0) {
    return out + "0." + std::string(static_cast<std::size_t>(-exponent - 1),
                                    '0') +
           digits;
  }
  const auto int_digits = static_cast<std::size_t>(exponent) + 1;
  if (digits.size() <= int_digits) {
    return out + digits + std::string(int_digits - digits.size(), '0') + ".0";
  }
  return out + digits.substr(0, int_digits) + "." + digits.substr(int_digits);
}

namespace {

LocustCsvFiles Files(const http::HttpLoadResult& result,
                     const LocustCsvRun& run, const ScenarioExtras& extras,
                     const std::string& exceptions_rows) {
  Entry total;
  const std::vector<Entry> entries = Entries(result, extras, &total);
  const double elapsed_s =
      static_cast<double>(result.aggregate.elapsed_ns) / 1e9;
  LocustCsvFiles out;
  out.files.emplace_back("_stats.csv", StatsCsv(entries, total, elapsed_s));
  out.files.emplace_back("_failures.csv", FailuresCsv(result, entries, extras));
  CsvWriter exceptions;
  exceptions.Row({"Count", "Message", "Traceback", "Nodes"});
  out.files.emplace_back("_exceptions.csv",
                         exceptions.Take() + exceptions_rows);
  out.files.emplace_back("_stats_history.csv",
                         HistoryCsv(result, total, run));
  return out;
}

}  // namespace

LocustCsvFiles LocustCsv(const http::HttpLoadResult& result,
                         const LocustCsvRun& run) {
  return Files(result, run, {}, "");
}

LocustCsvFiles LocustCsv(const http::ScenarioResult& result,
                         const LocustCsvRun& run) {
  // Exceptions that left a task are failures of "<class>.<task>", a name
  // no request has: Locust lists those in exceptions.csv.
  CsvWriter exceptions;
  for (const auto& [key, count] : result.failures) {
    if (result.endpoints.count(key.first) == 0) {
      exceptions.Row({Int(count), key.first + ": " + key.second, "", "local"});
    }
  }
  return Files(result, run, {&result.apart, &result.failures},
               exceptions.Take());
}

}  // namespace perfcheck::cli
