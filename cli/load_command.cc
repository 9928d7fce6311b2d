// `perfcheck load`: HTTP load against one base URL, a human summary on
// stdout (load_summary.h), the JSON report of the http_load.py seed script
// (plus rps, errors by class, thresholds) in --json FILE or, with --json -, on
// stdout instead, optional CSV/result files, k6-style thresholds and exit
// codes (command.h).
#include <fcntl.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "command.h"
#include "io/file_io.h"
#include "load_monitor.h"
#include "load_report.h"
#include "load_summary.h"
#include "locust_csv.h"
#include "perfcheck/format.h"
#include "perfcheck/http/load.h"
#include "perfcheck/redaction.h"
#include "perfcheck/report/html.h"
#include "perfcheck/report/inputs.h"
#include "perfcheck/result_json.h"
#include "report_output.h"
#include "resource_threshold.h"
#include "scenario_load.h"
#include "threshold.h"

namespace perfcheck::cli {
namespace {

struct LoadFlags {
  std::string base_url;
  std::vector<std::string> endpoints;
  std::string host_header;
  std::vector<std::string> headers;
  std::string api_key, api_secret, bearer;
  std::string duration = "10s";
  double duration_seconds = 0;  // the seed script's --duration-seconds
  bool duration_seconds_given = false;
  // Signed so that "-n -5" is read as -5 and refused, not wrapped around.
  std::int64_t requests = 0;
  int concurrency = 10;
  int threads = 1;
  double rate = 0;
  std::vector<std::string> ramp;
  double ramp_from = 0;
  std::string think_time;
  std::string timeout = "10s";
  std::string connect_timeout = "5s";
  bool insecure = false;
  std::string ca_file;
  std::vector<std::string> thresholds;
  std::string json_file, csv_file, csv_table_file, result_file;
  std::string name = "load";
  std::string html_file;  // --html: the self-contained HTML report
  // --monitor-*: the processes of the system under test to sample, and the
  // --threshold values that judge them (rss<512MB, cpu<80%, ...).
  MonitorFlags monitor;
  std::vector<std::string> resource_thresholds;
  bool no_progress = false;
  std::string color = "auto";
  // --scenario: virtual users from a scenario file; the overrides of its
  // values are those given on the command line.
  std::string scenario;
  int users = 0;
  double spawn_rate = 0;
  std::uint64_t iterations = 0;
  bool users_given = false, spawn_rate_given = false, iterations_given = false;
  bool duration_given = false, threads_given = false, timeout_given = false;
  bool connect_timeout_given = false, concurrency_given = false;
};

// `--json -`: the JSON report on stdout in place of the summary (what
// `perfcheck load` printed before the summary; for scripts).
constexpr char kStdout[] = "-";

std::atomic<bool> g_interrupted{false};

// Virtual users active `at` ns into the run, for Locust's "User Count": the
// connections, or in the closed model with stages the ramp's target then
// (the engine follows the stages linearly from ramp_from).
double UsersAt(const http::LoadOptions& o, Nanos at) {
  if (o.rate > 0 || o.stages.empty()) return o.connections;
  double from = o.ramp_from;
  Nanos stage_start = 0;
  for (const http::Stage& st : o.stages) {
    const Nanos length = st.duration.count();
    if (at < stage_start + length && length > 0) {
      const double f =
          static_cast<double>(at - stage_start) / static_cast<double>(length);
      return from + (st.target - from) * f;
    }
    stage_start += length;
    from = st.target;
  }
  return from;
}

// SIGINT and SIGTERM.
extern "C" void OnSigint(int) { g_interrupted.store(true); }

int UsageError(const std::string& message) {
  std::cerr << "perfcheck load: " << message << "\n";
  return kExitUsage;
}

// Each file is replaced whole or left as it was (written to a temporary file
// and renamed): a write failing half-way (full disk, file size limit) must
// not leave a truncated report where the last good one was.
Status WriteOutput(const std::string& flag, const std::string& path,
                   const std::string& text) {
  if (path.empty()) return Status();
  Status s = io::WriteFileAtomically(path, text);
  if (!s.ok()) return Status::Error(flag + " '" + path + "': " + s.message());
  return Status();
}

// Whether `path` (the value of `flag`) can be written, found before the run:
// a result that cannot be stored must not cost a whole run and then hide its
// verdict behind exit 2. A file this check creates is removed again.
bool CheckWritable(const std::string& flag, const std::string& path,
                   std::string* error) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    *error = flag + " '" + path + "': is a directory";
    return false;
  }
  const fs::path parent = fs::path(path).parent_path();
  if (!parent.empty() && !fs::exists(parent, ec)) {
    *error = flag + " '" + path + "': directory '" + parent.string() +
             "' does not exist";
    return false;
  }
  // A link counts as existing even when it dangles: it is never removed.
  const bool existed = fs::exists(fs::symlink_status(path, ec));
  const int fd =
      ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) {
    *error = flag + " '" + path + "': cannot write: " + std::strerror(errno);
    return false;
  }
  ::close(fd);
  if (!existed) ::unlink(path.c_str());
  return true;
}

// "/path" or "METHOD /path".
StatusOr<http::Request> ParseEndpoint(const std::string& text) {
  const std::size_t space = text.find(' ');
  http::Request r =
      space == std::string::npos
          ? http::Request::Get(text)
          : http::Request::Make(text.substr(0, space), text.substr(space + 1));
  if (r.path.empty() || r.path.front() != '/' ||
      r.path.find_first_of(" \t\r\n") != std::string::npos) {
    // RedactUrl takes a bare query too, whatever precedes it.
    const std::size_t query = text.find('?');
    const std::string shown =
        query == std::string::npos
            ? text
            : text.substr(0, query) + RedactUrl(text.substr(query));
    return Status::Error(
        "endpoint '" + shown +
        "': expected '/path' or 'METHOD /path' (percent-encode spaces)");
  }
  return r;
}

// --ramp DURATION:TARGET (repeatable), for plain runs (connections or
// req/s) and scenarios (users alike); `target` names the number in errors.
StatusOr<std::vector<http::Stage>> ParseRamp(
    const std::vector<std::string>& ramp, const std::string& target) {
  std::vector<http::Stage> stages;
  for (const std::string& stage : ramp) {
    const std::size_t colon = stage.find(':');
    StatusOr<Nanos> d = ParseDuration(stage.substr(0, colon));
    char* end = nullptr;
    const std::string target_text =
        colon == std::string::npos ? "" : stage.substr(colon + 1);
    const double value = std::strtod(target_text.c_str(), &end);
    if (colon == std::string::npos || !d.ok() || target_text.empty() ||
        *end != '\0') {
      return Status::Error("--ramp '" + stage +
                           "': expected DURATION:" + target + ", e.g. 30s:100");
    }
    stages.push_back({std::chrono::nanoseconds(*d), value});
  }
  return stages;
}

// --scenario FILE: the file with the command line's values in place of its
// own; flags that describe requests or the plain load model do not apply.
StatusOr<std::optional<ScenarioPlan>> PlanFromFlags(const LoadFlags& f) {
  if (f.scenario.empty()) {
    for (const auto& [given, flag] :
         {std::pair<bool, const char*>{f.users_given, "--users"},
          {f.spawn_rate_given, "--spawn-rate"},
          {f.iterations_given, "--iterations"}}) {
      if (given) {
        return Status::Error(std::string(flag) +
                             " belongs to --scenario (virtual users from a "
                             "scenario file); plain runs take --concurrency");
      }
    }
    return std::optional<ScenarioPlan>();
  }
  for (const auto& [given, flag] :
       {std::pair<bool, const char*>{!f.endpoints.empty(), "--endpoint"},
        {f.rate > 0, "--rate"},
        {f.ramp_from != 0, "--ramp-from"},
        {!f.think_time.empty(), "--think-time"},
        {f.requests != 0, "--requests"},
        {f.concurrency_given, "--concurrency"},
        {f.duration_seconds_given, "--duration-seconds"}}) {
    if (given) {
      return Status::Error(std::string(flag) +
                           " does not apply with --scenario: the file's "
                           "classes and steps say what users do (--users, "
                           "--spawn-rate, --duration, --ramp, --iterations "
                           "and --threads replace the file's values)");
    }
  }
  ScenarioOverrides ov;
  StatusOr<std::vector<http::Stage>> stages = ParseRamp(f.ramp, "USERS");
  if (!stages.ok()) return stages.status();
  ov.stages = *stages;
  if (f.users_given) ov.users = f.users;
  if (f.spawn_rate_given) ov.spawn_rate = f.spawn_rate;
  if (f.iterations_given) ov.iterations = f.iterations;
  if (f.threads_given) ov.threads = f.threads;
  for (const auto& [given, flag, text, out] :
       {std::tuple<bool, const char*, const std::string&,
                   std::optional<Nanos>*>{f.duration_given, "--duration",
                                          f.duration, &ov.duration},
        {f.timeout_given, "--timeout", f.timeout, &ov.request_timeout},
        {f.connect_timeout_given, "--connect-timeout", f.connect_timeout,
         &ov.connect_timeout}}) {
    if (!given) continue;
    StatusOr<Nanos> d = ParseDuration(text);
    if (!d.ok())
      return Status::Error(std::string(flag) + ": " + d.status().message());
    *out = *d;
  }
  StatusOr<ScenarioPlan> plan = PlanScenario(f.scenario, ov);
  if (!plan.ok()) return plan.status();
  return std::optional<ScenarioPlan>(std::move(*plan));
}

int RunLoad(const LoadFlags& f) {
  // --- scenario file (before the target: it may name the base URL) --------
  StatusOr<std::optional<ScenarioPlan>> planned = PlanFromFlags(f);
  if (!planned.ok()) return UsageError(planned.status().message());
  std::optional<ScenarioPlan>& plan = *planned;

  // --- target -------------------------------------------------------------
  const std::string base_url = !f.base_url.empty() ? f.base_url
                               : plan              ? plan->file.base_url
                                                   : "";
  if (base_url.empty()) {
    return UsageError(plan ? "--base-url is required: " + f.scenario +
                                 " names no base_url"
                           : std::string("--base-url is required"));
  }
  StatusOr<http::Target> parsed = http::Target::Parse(base_url);
  if (!parsed.ok()) return UsageError(parsed.status().message());
  http::Target target = *parsed;
  if (plan) {
    for (const http::Header& h : plan->file.headers) {
      if (Status s = http::Target::CheckHeader(h.name, h.value); !s.ok()) {
        return UsageError(f.scenario + ": headers: " + s.message());
      }
      target.AddHeader(h.name, h.value, h.secret);
    }
  }
  if (!f.host_header.empty()) {
    if (Status s = http::Target::CheckHostHeader(f.host_header); !s.ok()) {
      return UsageError("--host-header: " + s.message());
    }
    target.HostHeader(f.host_header);
  }
  for (const std::string& h : f.headers) {
    const std::size_t colon = h.find(':');
    if (colon == std::string::npos || colon == 0) {
      // Never echo the value: it may be a secret.
      return UsageError(
          "--header expects 'Name: value' (got a value without ':')");
    }
    std::string value = h.substr(colon + 1);
    value.erase(0, value.find_first_not_of(' '));
    const std::string name = h.substr(0, colon);
    if (Status s = http::Target::CheckHeader(name, value); !s.ok()) {
      return UsageError("--header: " + s.message());
    }
    target.AddHeader(name, value);
  }
  // A secret on the command line is visible in `ps`; the environment is the
  // safer place, so it is the fallback.
  std::string secret = f.api_secret;
  if (secret.empty()) {
    if (const char* env = std::getenv("PERFCHECK_API_SECRET")) secret = env;
  }
  std::string bearer = f.bearer;
  if (bearer.empty()) {
    if (const char* env = std::getenv("PERFCHECK_BEARER")) bearer = env;
  }
  if (!f.api_key.empty() || !f.api_secret.empty()) {
    if (f.api_key.empty() || secret.empty()) {
      return UsageError(
          "--api-key and --api-secret (or PERFCHECK_API_SECRET) go together");
    }
  }
  // Each of these sets Authorization; given together, one would silently
  // replace the other. Named, never shown.
  std::vector<std::string> auth;
  if (!f.api_key.empty()) auth.push_back("--api-key/--api-secret");
  if (!bearer.empty()) {
    auth.push_back(f.bearer.empty() ? "PERFCHECK_BEARER" : "--bearer");
  }
  for (const std::string& h : f.headers) {
    const std::string name = h.substr(0, h.find(':'));
    if (name.size() == 13 &&
        std::equal(name.begin(), name.end(), "authorization",
                   [](char a, char b) {
                     return std::tolower(static_cast<unsigned char>(a)) == b;
                   })) {
      auth.push_back("--header 'Authorization: ...'");
    }
  }
  if (auth.size() > 1) {
    std::string given;
    for (const std::string& a : auth) {
      given.append(given.empty() ? "" : ", ").append(a);
    }
    return UsageError("give one way to authenticate, not several: " + given);
  }
  // The credentials' own characters are checked; the error names the flag,
  // never the value.
  if (!f.api_key.empty()) {
    if (!http::Target::CheckHeader("Authorization", f.api_key + ":" + secret)
             .ok()) {
      return UsageError(
          "--api-key/--api-secret: contains CR or LF (not shown: a secret)");
    }
    target.FrappeToken(f.api_key, secret);
  }
  if (!bearer.empty()) {
    if (!http::Target::CheckHeader("Authorization", bearer).ok()) {
      return UsageError(
          std::string(f.bearer.empty() ? "PERFCHECK_BEARER" : "--bearer") +
          ": contains CR or LF (not shown: a secret)");
    }
    target.Bearer(bearer);
  }
  target.Insecure(f.insecure);
  if (!f.ca_file.empty()) target.CaFile(f.ca_file);

  // --- requests and options ------------------------------------------------
  std::vector<http::Request> requests;
  for (const std::string& e :
       f.endpoints.empty() ? std::vector<std::string>{"/"} : f.endpoints) {
    StatusOr<http::Request> r = ParseEndpoint(e);
    if (!r.ok()) return UsageError(r.status().message());
    requests.push_back(*r);
  }
  http::LoadOptions o;
  o.name = f.name;
  o.connections = f.concurrency;
  o.threads = f.threads;
  if (f.requests < 0) {
    return UsageError("--requests (-n) must be >= 0 (0: no limit), got " +
                      std::to_string(f.requests));
  }
  o.max_requests = static_cast<std::uint64_t>(f.requests);
  o.rate = f.rate;
  o.ramp_from = f.ramp_from;
  StatusOr<Nanos> duration = ParseDuration(f.duration);
  if (!duration.ok())
    return UsageError("--duration: " + duration.status().message());
  // Checked before the conversion: nan, inf or 1e300 seconds do not fit in
  // nanoseconds, and a run of a silently substituted length is a lie.
  constexpr double kMaxSeconds = 9e9;  // ParseDuration's bound, ~285 years
  if (f.duration_seconds_given &&
      !(f.duration_seconds > 0 && f.duration_seconds <= kMaxSeconds)) {
    char given[32];
    std::snprintf(given, sizeof given, "%g", f.duration_seconds);
    return UsageError(
        "--duration-seconds must be a number of seconds in (0, 9e9], got " +
        std::string(given));
  }
  o.duration = std::chrono::nanoseconds(
      f.duration_seconds_given
          ? static_cast<Nanos>(std::llround(f.duration_seconds * 1e9))
          : *duration);
  StatusOr<std::vector<http::Stage>> stages = ParseRamp(f.ramp, "TARGET");
  if (!stages.ok()) return UsageError(stages.status().message());
  o.stages = *stages;
  if (!f.think_time.empty()) {
    const std::size_t sep = f.think_time.find(':');
    StatusOr<Nanos> lo = ParseDuration(f.think_time.substr(0, sep));
    StatusOr<Nanos> hi = sep == std::string::npos
                             ? lo
                             : ParseDuration(f.think_time.substr(sep + 1));
    if (!lo.ok() || !hi.ok()) {
      return UsageError("--think-time '" + f.think_time +
                        "': expected MIN[:MAX], e.g. 2s:5s");
    }
    o.think_time_min = std::chrono::nanoseconds(*lo);
    o.think_time_max = std::chrono::nanoseconds(*hi);
  }
  StatusOr<Nanos> timeout = ParseDuration(f.timeout);
  if (!timeout.ok())
    return UsageError("--timeout: " + timeout.status().message());
  o.request_timeout = std::chrono::nanoseconds(*timeout);
  StatusOr<Nanos> connect_timeout = ParseDuration(f.connect_timeout);
  if (!connect_timeout.ok()) {
    return UsageError("--connect-timeout: " +
                      connect_timeout.status().message());
  }
  o.connect_timeout = std::chrono::nanoseconds(*connect_timeout);
  if (plan) {
    // What the rest of the command reads of the run (its length and
    // interval for window thresholds, users for descriptors and Locust's
    // User Count) is the scenario's.
    const http::ScenarioOptions& so = plan->file.options;
    o.name = so.name;
    o.connections = so.MaxUsers();
    o.threads = std::min(so.threads, so.MaxUsers());
    o.duration = so.PlannedDuration();
    o.interval = so.interval;
    o.request_timeout = so.request_timeout;
    o.connect_timeout = so.connect_timeout;
  }
  if (Status s = o.Check(); !s.ok()) return UsageError(s.message());
  for (const http::Request& r : requests) {
    if (Status s = r.Check(); !s.ok()) return UsageError(s.message());
  }
  if (Status s = http::ReserveDescriptors(o); !s.ok()) {
    return UsageError("--concurrency: " + s.message());
  }
  std::vector<Threshold> thresholds;
  for (const std::string& t : f.thresholds) {
    StatusOr<Threshold> th = ParseThreshold(t);
    if (!th.ok()) return UsageError(th.status().message());
    // A window the run's series cannot be cut into is known before the run.
    if (Status s = CheckAgainstRun(*th, ToNanos(o.interval),
                                   ToNanos(o.PlannedDuration()));
        !s.ok()) {
      return UsageError(s.message());
    }
    thresholds.push_back(*th);
  }
  if (plan) {
    for (const NamedThreshold& t : plan->thresholds) {
      if (Status s = CheckAgainstRun(t.threshold, ToNanos(o.interval),
                                     ToNanos(o.PlannedDuration()));
          !s.ok()) {
        return UsageError(f.scenario + ": thresholds[\"" + t.name +
                          "\"]: " + s.message());
      }
    }
  }

  std::vector<ResourceThreshold> resource_thresholds;
  for (const std::string& t : f.resource_thresholds) {
    StatusOr<ResourceThreshold> th = ParseResourceThreshold(t);
    if (!th.ok()) return UsageError(th.status().message());
    if (!f.monitor.any()) {
      return UsageError("threshold '" + th->text +
                        "' judges a monitored process: add --monitor-pid, "
                        "--monitor-cmd or --monitor-cgroup");
    }
    resource_thresholds.push_back(*th);
  }

  // --- outputs: writable before the first request ---------------------------
  // `--csv NAME.csv` wrote perfcheck's own table before --csv took Locust's
  // PREFIX; a script passing a .csv file keeps getting that table for now.
  std::string csv_table = f.csv_table_file;
  std::string csv_table_flag = "--csv-table";
  std::string csv_prefix = f.csv_file;
  if (csv_prefix.size() > 4 &&
      csv_prefix.compare(csv_prefix.size() - 4, 4, ".csv") == 0) {
    std::cerr << "perfcheck load: --csv " << csv_prefix
              << ": a .csv file gets perfcheck's own table, as before; this "
                 "is deprecated: use --csv-table FILE for it, and --csv "
                 "PREFIX for Locust's files (PREFIX_stats.csv, ...)\n";
    if (csv_table.empty()) {
      csv_table = csv_prefix;
      csv_table_flag = "--csv";
    }
    csv_prefix.clear();
  }
  std::vector<std::pair<std::string, std::string>> outputs = {
      {"--json", f.json_file},
      {csv_table_flag, csv_table},
      {"--result", f.result_file}};
  if (!csv_prefix.empty()) {
    std::error_code ec;
    if (std::filesystem::is_directory(csv_prefix, ec)) {
      return UsageError("--csv '" + csv_prefix +
                        "' is a directory: --csv takes a file name prefix, "
                        "as Locust's does (e.g. " +
                        (std::filesystem::path(csv_prefix) / "run").string() +
                        " writes run_stats.csv there)");
    }
    for (const char* suffix : {"_stats.csv", "_failures.csv", "_exceptions.csv",
                               "_stats_history.csv"}) {
      outputs.emplace_back("--csv", csv_prefix + suffix);
    }
  }
  for (const auto& [flag, path] : outputs) {
    std::string error;
    if (!path.empty() && !(flag == "--json" && path == kStdout) &&
        !CheckWritable(flag, path, &error)) {
      return UsageError(error);
    }
  }

  if (std::string error;
      !f.html_file.empty() && !CheckWritable("--html", f.html_file, &error)) {
    return UsageError(error);
  }

  // --- the system under test's processes: started, checked, sampled --------
  // Before the connection check: a --monitor-cmd may be the server itself.
  LoadMonitor monitor;
  if (f.monitor.any()) {
    const auto accepts = [&target] {
      return http::CheckConnection(target, std::chrono::milliseconds(500)).ok();
    };
    if (Status s = monitor.Start(f.monitor, accepts, std::chrono::seconds(30),
                                 std::cerr);
        !s.ok()) {
      return UsageError(s.message());
    }
  }

  // --- fail fast when the server cannot be reached -------------------------
  Status reachable = http::CheckConnection(target, o.connect_timeout);
  if (!reachable.ok()) {
    std::cerr << "perfcheck load: cannot connect to " << target.Describe()
              << ": " << reachable.message() << "\n";
    return kExitConnection;
  }

  // --- run -----------------------------------------------------------------
  const bool tty = isatty(STDERR_FILENO) == 1 && !f.no_progress;
  if (tty) {
    o.on_progress = [](const http::Progress& p) {
      const double s = static_cast<double>(p.elapsed_ns) / 1e9;
      std::fprintf(
          stderr, "\r[%5.1fs / %.1fs] %llu requests, %s, %llu errors   ", s,
          static_cast<double>(p.planned_ns) / 1e9,
          static_cast<unsigned long long>(p.completed),
          FormatRate(s > 0 ? static_cast<double>(p.completed) / s : 0).c_str(),
          static_cast<unsigned long long>(p.errors));
      std::fflush(stderr);
    };
  }
  o.cancel = &g_interrupted;
  // Ctrl-C in a terminal, SIGTERM when CI cancels a job: both end the run
  // early and still report and write every file.
  std::signal(SIGINT, OnSigint);
  std::signal(SIGTERM, OnSigint);
  const std::int64_t start_unix_s =
      std::chrono::duration_cast<std::chrono::seconds>(
          std::chrono::system_clock::now().time_since_epoch())
          .count();
  // A scenario's result is an HttpLoadResult and more (classes, responses
  // counted apart, failures by message); everything below reads the common
  // part, and the Locust files the rest.
  http::ScenarioResult scenario_result;
  http::HttpLoadResult load_result;
  if (plan) {
    http::ScenarioOptions so = plan->file.options;
    so.cancel = &g_interrupted;
    scenario_result = http::RunScenario(target, plan->file.classes, so);
  } else {
    load_result = http::Load(target, requests, o);
  }
  http::HttpLoadResult& result = plan ? scenario_result : load_result;
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
  if (f.monitor.any()) {
    // Exits during the run are said on stderr; their samples stay.
    result.aggregate.resources = monitor.Stop(std::cerr);
    result.aggregate.SetConfig("monitor_interval", f.monitor.interval);
  }
  if (tty) std::fprintf(stderr, "\n");

  // --- judge and report ----------------------------------------------------
  const bool json_on_stdout = f.json_file == kStdout;
  std::vector<ThresholdOutcome> outcomes;
  bool all_passed = true;
  std::vector<std::pair<Threshold, ThresholdVerdict>> judged;
  for (const Threshold& t : thresholds) {
    judged.emplace_back(t, Evaluate(t, result.aggregate));
  }
  if (plan) {
    for (const NamedThreshold& t : plan->thresholds) {
      Threshold shown = t.threshold;
      shown.text = t.Text();
      judged.emplace_back(shown, EvaluateNamed(t, result));
    }
  }
  for (const auto& [t, v] : judged) {
    all_passed = all_passed && v.passed;
    // The summary lists the verdicts on stdout; with the JSON there instead,
    // stderr keeps them readable as before.
    if (json_on_stdout) {
      std::cerr << (v.passed ? "PASS " : "FAIL ") << t.text << "  ("
                << v.measured << ")\n";
    }
    outcomes.push_back({t, v});
  }
  // Without thresholds a run must still not pass CI having measured nothing:
  // when every request failed, or none completed (a server that never
  // answers, with --timeout longer than the run), exit 1 (thresholds, when
  // given, decide alone).
  const std::uint64_t total = result.aggregate.TotalCount();
  if (judged.empty() && result.aggregate.OkCount() == 0) {
    all_passed = false;
    if (total > 0) {
      std::cerr << "FAIL no request succeeded (" << total << " of " << total
                << " failed; --threshold sets your own bounds)\n";
    } else {
      std::cerr << "FAIL no request completed within the run (--timeout "
                << f.timeout << "; --threshold sets your own bounds)\n";
    }
  }
  std::vector<ResourceThresholdOutcome> resource_outcomes;
  for (const ResourceThreshold& t : resource_thresholds) {
    ResourceThresholdOutcome v =
        EvaluateResourceThreshold(t, result.aggregate.resources);
    all_passed = all_passed && v.passed;
    if (json_on_stdout) {
      std::cerr << (v.passed ? "PASS " : "FAIL ") << t.text << "  ("
                << v.measured << ")\n";
    }
    resource_outcomes.push_back(std::move(v));
  }
  const std::string json =
      LoadReportJson(result, target.Describe(), outcomes, resource_outcomes,
                     plan ? &scenario_result : nullptr);
  std::cout << (json_on_stdout
                    ? json
                    : LoadSummaryText(result, target.Describe(), outcomes,
                                      UseColor(f.color), resource_outcomes))
            << std::flush;
  // A report nobody receives (a full disk, a closed pipe) is no pass.
  const bool stdout_ok = static_cast<bool>(std::cout);
  // The page shows the JSON's numbers; the run adds what the JSON lacks
  // (histogram, series, machine).
  if (!f.html_file.empty()) {
    StatusOr<report::ReportSection> section = report::SectionFromLoadJson(
        json, "perfcheck load " + target.Describe(), &result.aggregate);
    if (!section.ok()) return UsageError(section.status().message());
    if (Status s =
            report::WriteHtmlReport(f.html_file, {*section}, "perfcheck load");
        !s.ok()) {
      return UsageError("--html '" + f.html_file + "': " + s.message());
    }
  }
  const std::string json_path = json_on_stdout ? "" : f.json_file;
  for (const auto& [flag, path, text] :
       {std::tuple<const char*, const std::string&, std::string>{
            "--json", json_path, json_path.empty() ? "" : json},
        {csv_table_flag.c_str(), csv_table,
         csv_table.empty() ? "" : LoadReportCsv(result)},
        {"--result", f.result_file,
         f.result_file.empty() ? "" : ResultToJson(result.aggregate)}}) {
    if (Status s = WriteOutput(flag, path, text); !s.ok()) {
      return UsageError(s.message());
    }
  }
  if (!csv_prefix.empty()) {
    // Locust's User Count: the users started by then (a scenario spawns
    // spawn_rate a second), or the plain run's connections.
    std::function<double(Nanos)> users_at = [&o](Nanos at) {
      return UsersAt(o, at);
    };
    if (plan) {
      const http::ScenarioOptions& so = plan->file.options;
      users_at = [users = so.users, rate = so.spawn_rate,
                  stages = so.stages](Nanos at) {
        if (!stages.empty()) return std::floor(http::StageTarget(stages, at));
        if (rate <= 0) return static_cast<double>(users);
        return std::min<double>(
            users, std::floor(static_cast<double>(at) / 1e9 * rate) + 1);
      };
    }
    const LocustCsvRun run{.start_unix_s = start_unix_s, .users_at = users_at};
    const LocustCsvFiles files =
        plan ? LocustCsv(scenario_result, run) : LocustCsv(result, run);
    for (const auto& [suffix, text] : files.files) {
      if (Status s = WriteOutput("--csv", csv_prefix + suffix, text); !s.ok()) {
        return UsageError(s.message());
      }
    }
  }
  if (!stdout_ok) return UsageError("cannot write the report to stdout");
  return all_passed ? kExitOk : kExitCheckFailed;
}

}  // namespace

void AddLoadCommand(CLI::App& app, CommandRunner& run) {
  auto flags = std::make_shared<LoadFlags>();
  CLI::App* sub =
      app.add_subcommand("load", "Run HTTP load against a base URL");
  sub->footer(
      ExitCodesHelp(
          {{kExitOk, "ok"},
           {kExitCheckFailed,
            "a threshold failed (without thresholds: no request "
            "succeeded)"},
           {kExitUsage, "usage or bad input (unwritable outputs too)"},
           {kExitConnection, "cannot connect"}}) +
      "\n"
      "Example: perfcheck load --base-url http://127.0.0.1:8000 --host-header "
      "site1 \\\n"
      "  --endpoint /api/method/ping -c 25 --duration 15s --threshold "
      "'p95<500ms'");
  LoadFlags& f = *flags;
  sub->add_option("--base-url", f.base_url,
                  "http(s)://host[:port][/base] (required unless the "
                  "--scenario file names a base_url)");
  sub->add_option("--scenario", f.scenario,
                  "Virtual users from a scenario file (JSON: user classes, "
                  "on-start and weighted task steps, checks, thresholds per "
                  "request name; docs/scenario-file.md)");
  CLI::Option* users = sub->add_option(
      "--users", f.users, "--scenario: virtual users, in place of the file's");
  CLI::Option* spawn_rate =
      sub->add_option("--spawn-rate", f.spawn_rate,
                      "--scenario: users started per second (0: all at once)");
  CLI::Option* iterations =
      sub->add_option("--iterations", f.iterations,
                      "--scenario: tasks per user, then it stops");
  sub->add_option(
      "--endpoint", f.endpoints,
      "Path, or 'METHOD /path' (repeatable; round-robin). Default /");
  sub->add_option("--host-header", f.host_header,
                  "Host header (multi-tenant sites)");
  sub->add_option("--header", f.headers,
                  "Extra header 'Name: value' (repeatable)");
  sub->add_option("--api-key", f.api_key,
                  "Frappe API key (Authorization: token key:secret)");
  sub->add_option(
      "--api-secret", f.api_secret,
      "Frappe API secret (or env PERFCHECK_API_SECRET); never printed");
  sub->add_option("--bearer", f.bearer,
                  "Bearer token (or env PERFCHECK_BEARER); never printed");
  CLI::Option* duration = sub->add_option(
      "--duration", f.duration, "Run time, e.g. 10s, 2m (default 10s)");
  CLI::Option* duration_seconds =
      sub->add_option("--duration-seconds", f.duration_seconds,
                      "Run time in seconds (seed compat)");
  sub->add_option("--requests,-n", f.requests,
                  "Stop after this many requests (0: no limit)");
  CLI::Option* concurrency =
      sub->add_option("--concurrency,--connections,-c", f.concurrency,
                      "Connections / virtual users (default 10)");
  CLI::Option* threads = sub->add_option("--threads,-t", f.threads,
                                         "Event-loop threads (default 1)");
  sub->add_option(
      "--rate", f.rate,
      "Open model: constant arrival rate in req/s, latency from intended send");
  sub->add_option(
      "--ramp", f.ramp,
      "Ramp stage DURATION:TARGET (repeatable; users, or req/s with --rate)");
  sub->add_option("--ramp-from", f.ramp_from,
                  "Where the ramp starts (default 0)");
  sub->add_option("--think-time", f.think_time,
                  "Closed model pause MIN[:MAX], e.g. 2s:5s");
  CLI::Option* timeout =
      sub->add_option("--timeout", f.timeout, "Request timeout (default 10s)");
  CLI::Option* connect_timeout = sub->add_option(
      "--connect-timeout", f.connect_timeout, "Connect timeout (default 5s)");
  sub->add_flag("--insecure,-k", f.insecure, "Do not verify TLS certificates");
  sub->add_option("--ca-file", f.ca_file,
                  "Extra trusted CA certificates (PEM)");
  sub->add_option("--threshold", f.thresholds,
                  "e.g. 'p95<500ms', 'error_rate<1%', 'rps>50'; in every "
                  "window: 'p99[1m]<2s'; drift: 'drift(p95)<10%' "
                  "(repeatable)");
  sub->add_option("--json", f.json_file,
                  "Write the JSON report to FILE; '-': print it on stdout "
                  "instead of the summary (the former default output, for "
                  "scripts)");
  sub->add_option("--csv", f.csv_file,
                  "Write Locust's CSV files PREFIX_stats.csv, "
                  "PREFIX_failures.csv, PREFIX_exceptions.csv and "
                  "PREFIX_stats_history.csv (Locust 2.12's columns)");
  sub->add_option("--csv-table", f.csv_table_file,
                  "Write perfcheck's per-endpoint CSV table to FILE");
  sub->add_option(
      "--result", f.result_file,
      "Write the aggregate as perfcheck.result/v1 JSON (for baselines)");
  sub->add_option("--name", f.name, "Result name (default 'load')");
  sub->add_option("--monitor-pid", f.monitor.pids,
                  "Sample CPU, RSS, threads, fds of this process during the "
                  "run (repeatable)");
  sub->add_option("--monitor-cmd", f.monitor.commands,
                  "Start \"CMD ARGS\" before the run, sample it, stop it "
                  "after (SIGTERM, SIGKILL after 5 s; repeatable)");
  sub->add_option("--monitor-cgroup", f.monitor.cgroup,
                  "Sample every process of this cgroup v2 directory");
  sub->add_option("--monitor-interval", f.monitor.interval,
                  "Between two samples (default 1s, at least 10ms)");
  sub->add_option("--html", f.html_file,
                  "Write a self-contained HTML report (latency over time, "
                  "percentile spectrum, histogram, tables) to FILE");
  sub->add_flag("--no-progress", f.no_progress, "No live progress line");
  sub->add_option("--color", f.color,
                  "Colour the summary: auto (default: on a TTY), always, never")
      ->check(CLI::IsMember({"auto", "always", "never"}));
  sub->callback([&run, flags, duration_seconds, users, spawn_rate, iterations,
                 duration, concurrency, threads, timeout, connect_timeout] {
    flags->duration_seconds_given = duration_seconds->count() > 0;
    flags->users_given = users->count() > 0;
    flags->spawn_rate_given = spawn_rate->count() > 0;
    flags->iterations_given = iterations->count() > 0;
    flags->duration_given = duration->count() > 0;
    flags->concurrency_given = concurrency->count() > 0;
    flags->threads_given = threads->count() > 0;
    flags->timeout_given = timeout->count() > 0;
    flags->connect_timeout_given = connect_timeout->count() > 0;
    SplitResourceThresholds(&flags->thresholds, &flags->resource_thresholds);
    run = [flags] { return RunLoad(*flags); };
  });
}

}  // namespace perfcheck::cli
