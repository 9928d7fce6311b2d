#include "perfcheck/http/scenario.h"

#include <netdb.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <thread>

#include "http/engine.h"
#include "http/resolve.h"
#include "http/scenario_engine.h"
#include "perfcheck/format.h"
#include "perfcheck/machine.h"

namespace perfcheck::http {
namespace {

Status Bad(const std::string& what) {
  return Status::Error("ScenarioOptions: " + what);
}

std::string Seconds(std::chrono::nanoseconds d) {
  return FormatNanos(static_cast<double>(d.count()));
}

std::string DescribeThink(const ThinkTime& t) {
  switch (t.kind) {
    case ThinkTime::Kind::kNone:
      return "none";
    case ThinkTime::Kind::kConstant:
      return "constant " + Seconds(t.min);
    case ThinkTime::Kind::kBetween:
      return "between " + Seconds(t.min) + " and " + Seconds(t.max);
    case ThinkTime::Kind::kPacing:
      return "pacing " + Seconds(t.min);
  }
  return "";
}

template <class Map>
const Result& Lookup(const Map& map, std::string_view name, const char* what) {
  auto it = map.find(std::string(name));
  if (it != map.end()) return it->second;
  std::string known;
  for (const auto& [k, v] : map) known += (known.empty() ? "" : ", ") + k;
  throw std::invalid_argument("ScenarioResult: no " + std::string(what) +
                              " named '" + std::string(name) +
                              "' (there are: " + known + ")");
}

}  // namespace

UserClass::UserClass(std::string name) : name_(std::move(name)) {
  if (name_.empty()) throw std::invalid_argument("UserClass: empty name");
}

UserClass& UserClass::Weight(int weight) {
  if (weight < 1) {
    throw std::invalid_argument("UserClass '" + name_ +
                                "': weight must be >= 1");
  }
  weight_ = weight;
  return *this;
}

UserClass& UserClass::Think(ThinkTime think) {
  think_ = think;
  return *this;
}

UserClass& UserClass::OnStart(FlowFunction flow) {
  on_start_ = std::move(flow);
  return *this;
}

UserClass& UserClass::Task(int weight, FlowFunction flow) {
  return Task("task" + std::to_string(tasks_.size() + 1), weight,
              std::move(flow));
}

UserClass& UserClass::Task(std::string name, int weight, FlowFunction flow) {
  if (weight < 1) {
    throw std::invalid_argument("UserClass '" + name_ + "': task '" + name +
                                "' weight must be >= 1");
  }
  if (!flow) {
    throw std::invalid_argument("UserClass '" + name_ + "': task '" + name +
                                "' has no flow");
  }
  tasks_.push_back({std::move(name), weight, std::move(flow)});
  return *this;
}

UserClass& UserClass::OnFailure(FailurePolicy policy) {
  on_failure_ = policy;
  return *this;
}

Status UserClass::Check() const {
  const std::string what = "UserClass '" + name_ + "': ";
  if (tasks_.empty()) return Status::Error(what + "no task");
  if (think_.min.count() < 0 || think_.max < think_.min) {
    return Status::Error(what + "think time must satisfy 0 <= min <= max");
  }
  return Status();
}

Status ScenarioOptions::Check() const {
  for (std::size_t i = 0; i < stages.size(); ++i) {
    const std::string at = "stages[" + std::to_string(i) + "]: ";
    if (stages[i].duration.count() <= 0)
      return Bad(at + "duration must be > 0");
    if (!(stages[i].target >= 0 && stages[i].target <= 100000)) {
      return Bad(at + "target must be in 0..100000 users");
    }
  }
  if (!stages.empty() && MaxUsers() < 1) {
    return Bad("stages: no stage reaches one user");
  }
  if (stages.empty() && (users < 1 || users > 100000)) {
    return Bad("users must be in 1..100000");
  }
  if (threads < 1 || threads > 256) return Bad("threads must be in 1..256");
  if (!(spawn_rate >= 0) || std::isinf(spawn_rate)) {
    return Bad("spawn_rate must be >= 0 users/second");
  }
  if (stages.empty() && duration.count() <= 0) {
    return Bad("duration must be > 0");
  }
  if (connect_timeout.count() <= 0) return Bad("connect_timeout must be > 0");
  if (request_timeout.count() <= 0) return Bad("request_timeout must be > 0");
  if (reconnect_backoff.count() < 0) {
    return Bad("reconnect_backoff must be >= 0");
  }
  if (interval.count() <= 0) return Bad("interval must be > 0");
  if (name.empty()) return Bad("name must not be empty");
  return Status();
}

std::chrono::nanoseconds ScenarioOptions::PlannedDuration() const {
  if (stages.empty()) return duration;
  std::chrono::nanoseconds total{0};
  for (const Stage& st : stages) total += st.duration;
  return total;
}

int ScenarioOptions::MaxUsers() const {
  if (stages.empty()) return users;
  double most = 0;
  for (const Stage& st : stages) most = std::max(most, st.target);
  return static_cast<int>(std::ceil(most));
}

double StageTarget(const std::vector<Stage>& stages, Nanos at) {
  double from = 0;
  Nanos start = 0;
  for (const Stage& st : stages) {
    const Nanos length = st.duration.count();
    if (at < start + length) {
      const double f =
          static_cast<double>(at - start) / static_cast<double>(length);
      return from + (st.target - from) * std::max(0.0, f);
    }
    start += length;
    from = st.target;
  }
  return from;
}

Nanos NextActivation(const std::vector<Stage>& stages, int user, Nanos from) {
  const double need = user + 1.0;
  double a = 0;
  Nanos start = 0;
  for (const Stage& st : stages) {
    const Nanos length = st.duration.count();
    const Nanos end = start + length;
    const double b = st.target;
    if (end > from) {
      // On this stage the target goes linearly from a to b.
      const Nanos t0 = std::max(start, from);
      if (StageTarget(stages, t0) >= need) return t0;
      if (b >= need && b > a) {
        const double f = (need - a) / (b - a);
        const auto t = start + static_cast<Nanos>(
                                   std::ceil(f * static_cast<double>(length)));
        return std::max(t, t0);
      }
    }
    start = end;
    a = b;
  }
  return -1;
}

std::vector<int> AssignUserClasses(const std::vector<int>& weights, int users) {
  const int k = static_cast<int>(weights.size());
  std::vector<int> count(weights.size(), 0);
  if (k == 0 || users <= 0) return {};
  double total = 0;
  for (int w : weights) total += w;
  // Largest remainder, after one user per class when there are enough (as
  // Locust does, so that a light class still runs).
  const bool one_each = users >= k;
  const int rest = users - (one_each ? k : 0);
  std::vector<std::pair<double, int>> remainders;
  int given = 0;
  for (int c = 0; c < k; ++c) {
    const double share = rest * weights[static_cast<std::size_t>(c)] / total;
    count[static_cast<std::size_t>(c)] =
        static_cast<int>(std::floor(share)) + (one_each ? 1 : 0);
    given += count[static_cast<std::size_t>(c)];
    remainders.emplace_back(share - std::floor(share), -c);
  }
  std::sort(remainders.rbegin(), remainders.rend());
  for (std::size_t i = 0; given < users; ++i, ++given) {
    ++count[static_cast<std::size_t>(
        -remainders[i % remainders.size()].second)];
  }
  // Interleave (smooth weighted round-robin), so that the first users
  // spawned are a mix of every class rather than one class after another.
  std::vector<int> out;
  out.reserve(static_cast<std::size_t>(users));
  std::vector<long> credit(weights.size(), 0);
  for (int i = 0; i < users; ++i) {
    int pick = 0;
    for (int c = 0; c < k; ++c) {
      credit[static_cast<std::size_t>(c)] += count[static_cast<std::size_t>(c)];
      if (credit[static_cast<std::size_t>(c)] >
          credit[static_cast<std::size_t>(pick)]) {
        pick = c;
      }
    }
    credit[static_cast<std::size_t>(pick)] -= users;
    out.push_back(pick);
  }
  return out;
}

const Result& ScenarioResult::ByName(std::string_view name) const {
  return Lookup(endpoints, name, "request");
}

const Result& ScenarioResult::ByClass(std::string_view name) const {
  return Lookup(classes, name, "user class");
}

ScenarioResult RunScenario(const Target& target,
                           const std::vector<UserClass>& classes,
                           const ScenarioOptions& options) {
  if (Status s = options.Check(); !s.ok()) {
    throw std::invalid_argument(s.message());
  }
  if (classes.empty()) {
    throw std::invalid_argument("RunScenario: no user class given");
  }
  for (const UserClass& c : classes) {
    if (Status s = c.Check(); !s.ok()) {
      throw std::invalid_argument("RunScenario: " + s.message());
    }
  }
  LoadOptions descriptors;
  descriptors.connections = options.MaxUsers();
  if (Status s = ReserveDescriptors(descriptors); !s.ok()) {
    throw std::invalid_argument("RunScenario: " + s.message());
  }

  auto shared = std::make_unique<internal::ScenarioShared>();
  internal::ScenarioShared& s = *shared;
  s.options = options;
  s.target = target;
  s.classes = classes;
  std::vector<int> weights;
  for (const UserClass& c : classes) weights.push_back(c.weight());
  s.user_class = AssignUserClasses(weights, options.MaxUsers());
  for (const Header& h : target.headers()) {
    if (h.secret) s.secrets.AddHeaderValue(h.value);
  }
  const int threads = std::min(options.threads, options.MaxUsers());

  ScenarioResult out;
  Result& agg = out.aggregate;
  agg = Result(options.name);
  agg.series = TimeSeries(options.interval);
  agg.SetConfig("base_url", target.Describe());
  agg.SetConfig("model", "scenario (virtual users)");
  agg.SetConfig("users", std::to_string(options.MaxUsers()));
  if (options.stages.empty()) {
    agg.SetConfig("spawn_rate", std::to_string(options.spawn_rate));
  } else {
    std::string stages;
    for (const Stage& st : options.stages) {
      char target[32];
      std::snprintf(target, sizeof target, "%g", st.target);
      stages +=
          (stages.empty() ? "" : ", ") + Seconds(st.duration) + ":" + target;
    }
    agg.SetConfig("stages", stages);
  }
  agg.SetConfig("threads", std::to_string(threads));
  agg.SetConfig("duration", Seconds(options.PlannedDuration()));
  if (options.iterations > 0) {
    agg.SetConfig("iterations", std::to_string(options.iterations));
  }
  agg.SetConfig("request_timeout", Seconds(options.request_timeout));
  for (const UserClass& c : classes) {
    agg.SetConfig("class." + c.name(),
                  "weight " + std::to_string(c.weight()) + ", think " +
                      DescribeThink(c.think()) + ", " +
                      std::to_string(c.tasks().size()) + " tasks");
  }
  for (const Header& h : target.RedactedHeaders()) {
    agg.SetConfig("header." + h.name, h.value);
  }
  agg.fingerprint = CaptureFingerprint();

  Status setup = internal::Resolve(target, &s.addr, &s.addr_len);
  if (setup.ok() && target.tls()) {
    auto tls = internal::TlsClient::Create(target);
    if (tls.ok()) {
      s.tls = *tls;
    } else {
      setup = tls.status();
    }
  }
  if (!setup.ok()) {
    // No request could ever be sent: one error, before any user starts.
    agg.AddError("connect", s.secrets.Redact(setup.message()));
    return out;
  }

  std::vector<internal::ScenarioThreadOutput> outputs(
      static_cast<std::size_t>(threads));
  s.start_ns = internal::MonotonicNow();
  s.end_ns = s.start_ns + options.PlannedDuration().count();
  {
    std::vector<std::jthread> workers;
    for (int t = 0; t < threads; ++t) {
      workers.emplace_back([&, t] {
        internal::RunScenarioThread(s, t, threads,
                                    outputs[static_cast<std::size_t>(t)]);
      });
    }
  }

  agg.series.Finish();  // Merge() takes finished series only
  for (const internal::ScenarioThreadOutput& o : outputs) {
    agg.Merge(o.aggregate);
    for (std::size_t n = 0; n < o.names.size(); ++n) {
      const std::string& name = o.names[n];
      const internal::NameStats& st = o.stats[n];
      auto [it, fresh] = out.endpoints.try_emplace(name, st.result);
      if (!fresh) it->second.Merge(st.result);
      EndpointTraffic& tr = out.traffic[name];
      if (tr.method.empty()) tr.method = st.traffic.method;
      tr.failed_latency.Merge(st.traffic.failed_latency);
      tr.body_bytes += st.traffic.body_bytes;
      tr.responses += st.traffic.responses;
      if (st.apart.count > 0) {
        ApartResponses& a = out.apart[name];
        a.count += st.apart.count;
        a.latency.Merge(st.apart.latency);
      }
    }
    for (std::size_t c = 0; c < classes.size(); ++c) {
      const std::string& cname = classes[c].name();
      auto [it, fresh] = out.classes.try_emplace(cname, o.classes[c]);
      if (!fresh) it->second.Merge(o.classes[c]);
      out.class_users[cname] += o.class_users[c];
      if (classes[c].on_start()) {
        out.task_iterations[cname + ".on_start"] += o.on_start_runs[c];
      }
      for (std::size_t t = 0; t < classes[c].tasks().size(); ++t) {
        out.task_iterations[cname + "." + classes[c].tasks()[t].name] +=
            o.task_iterations[c][t];
      }
    }
    for (const auto& [key, count] : o.failures) out.failures[key] += count;
    out.aggregate_apart.count += o.apart.count;
    out.aggregate_apart.latency.Merge(o.apart.latency);
    for (std::size_t code = 0; code < o.status.size(); ++code) {
      if (o.status[code] != 0) {
        out.status_codes[static_cast<int>(code)] += o.status[code];
      }
    }
    out.bytes_sent += o.bytes_sent;
    out.bytes_received += o.bytes_received;
    out.connections_opened += o.connections_opened;
    out.users_spawned += o.users_spawned;
  }
  out.uncorrected = agg.latency;
  for (auto& [name, r] : out.endpoints) {
    r.config = agg.config;
    r.fingerprint = agg.fingerprint;
  }
  for (auto& [name, r] : out.classes) {
    r.config = agg.config;
    r.fingerprint = agg.fingerprint;
  }
  return out;
}

}  // namespace perfcheck::http
