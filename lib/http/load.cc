#include "perfcheck/http/load.h"

#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>

#include "http/engine.h"
#include "http/resolve.h"
#include "http/schedule.h"
#include "http/tls.h"
#include "perfcheck/format.h"
#include "perfcheck/machine.h"
#include "perfcheck/percent_encoding.h"
#include "perfcheck/redaction.h"

namespace perfcheck::http {
namespace {

using internal::MonotonicNow;

Status Bad(const std::string& what) {
  return Status::Error("LoadOptions: " + what);
}

std::string FormatSeconds(std::chrono::nanoseconds d) {
  return FormatNanos(static_cast<double>(d.count()));
}

// Each form of a credential the run sends that a server could echo back:
// secret headers (the target's defaults and the requests' own), secret-named
// query parameters, raw and percent-encoded.
KnownSecrets SecretsOf(const Target& target,
                       const std::vector<Request>& requests) {
  KnownSecrets secrets;
  for (const Header& h : target.headers()) {
    if (h.secret) secrets.AddHeaderValue(h.value);
  }
  auto add_query = [&](std::string_view query) {
    while (!query.empty()) {
      const std::size_t amp = query.find('&');
      const std::string_view param = query.substr(0, amp);
      if (const std::size_t eq = param.find('=');
          eq != std::string_view::npos &&
          IsSecretName(PercentDecode(param.substr(0, eq), true))) {
        const std::string_view value = param.substr(eq + 1);
        secrets.Add(value);
        secrets.Add(PercentDecode(value, true));
      }
      query = amp == std::string_view::npos ? std::string_view()
                                            : query.substr(amp + 1);
    }
  };
  for (const Request& r : requests) {
    for (const Header& h : r.headers) {
      if (h.secret || IsSecretName(h.name)) secrets.AddHeaderValue(h.value);
    }
    for (const auto& [key, value] : r.query) {
      if (!IsSecretName(key)) continue;
      secrets.Add(value);
      secrets.Add(PercentEncode(value));
    }
    if (const std::size_t q = r.path.find('?'); q != std::string::npos) {
      add_query(std::string_view(r.path).substr(q + 1));
    }
  }
  return secrets;
}

Result MakeResult(const std::string& name, const LoadOptions& o) {
  Result r(name);
  r.series = TimeSeries(o.interval);
  return r;
}

}  // namespace

Status LoadOptions::Check() const {
  if (connections < 1 || connections > 100000)
    return Bad("connections must be in 1..100000");
  if (threads < 1 || threads > 256) return Bad("threads must be in 1..256");
  if (duration.count() <= 0 && stages.empty())
    return Bad("duration must be > 0");
  if (!(rate >= 0) || std::isinf(rate))
    return Bad("rate must be >= 0 requests/second");
  // One process cannot schedule more; a rate far beyond it would only make
  // the run overrun its duration while it falls behind (seen: 2 s asked for,
  // 19 s taken, at 1e12/s).
  constexpr double kMaxRate = 10'000'000;
  if (rate > kMaxRate) {
    char got[32];
    std::snprintf(got, sizeof got, "%g", rate);
    return Bad("rate must be at most 10000000 requests/second, got " +
               std::string(got));
  }
  if (!(ramp_from >= 0)) return Bad("ramp_from must be >= 0");
  for (std::size_t i = 0; i < stages.size(); ++i) {
    if (stages[i].duration.count() <= 0) {
      return Bad("stages[" + std::to_string(i) + "].duration must be > 0");
    }
    if (!(stages[i].target >= 0) || std::isinf(stages[i].target)) {
      return Bad("stages[" + std::to_string(i) + "].target must be >= 0");
    }
    if (rate == 0 && stages[i].target > 100000) {
      return Bad("stages[" + std::to_string(i) +
                 "].target: at most 100000 connections");
    }
    if (rate > 0 && stages[i].target > kMaxRate) {
      return Bad("stages[" + std::to_string(i) +
                 "].target: at most 10000000 requests/second");
    }
  }
  if (think_time_min.count() < 0 || think_time_max < think_time_min) {
    return Bad("think time must satisfy 0 <= think_time_min <= think_time_max");
  }
  if (connect_timeout.count() <= 0) return Bad("connect_timeout must be > 0");
  if (request_timeout.count() <= 0) return Bad("request_timeout must be > 0");
  if (reconnect_backoff.count() < 0)
    return Bad("reconnect_backoff must be >= 0");
  if (interval.count() <= 0) return Bad("interval must be > 0");
  if (progress_interval.count() <= 0)
    return Bad("progress_interval must be > 0");
  if (max_backlog == 0) return Bad("max_backlog must be > 0");
  if (name.empty()) return Bad("name must not be empty");
  return Status();
}

void LoadOptions::Validate() const {
  if (Status s = Check(); !s.ok()) throw std::invalid_argument(s.message());
}

std::chrono::nanoseconds LoadOptions::PlannedDuration() const {
  if (stages.empty()) return duration;
  std::chrono::nanoseconds total{0};
  for (const Stage& s : stages) total += s.duration;
  return total;
}

namespace {

// Connections the run can hold at once: the closed model's stages are
// connection counts; the open model opens them as needed, up to
// `connections`.
int MaxConnections(const LoadOptions& o) {
  return o.rate > 0 || o.stages.empty()
             ? o.connections
             : std::max(1, static_cast<int>(std::ceil(
                               internal::MaxTarget(o.stages, o.ramp_from))));
}

}  // namespace

Status ReserveDescriptors(const LoadOptions& options) {
  constexpr rlim_t kSpare = 64;
  const int connections = MaxConnections(options);
  const rlim_t needed = static_cast<rlim_t>(connections) + kSpare;
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return Status();  // can't tell
  if (limit.rlim_cur == RLIM_INFINITY || limit.rlim_cur >= needed) {
    return Status();
  }
  if (limit.rlim_max == RLIM_INFINITY || limit.rlim_max >= needed) {
    rlimit raised = limit;
    raised.rlim_cur = needed;
    if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) return Status();
  }
  return Status::Error(
      std::to_string(connections) + " connections need about " +
      std::to_string(static_cast<unsigned long long>(needed)) +
      " file descriptors, but this process may open only " +
      std::to_string(static_cast<unsigned long long>(limit.rlim_max)) +
      " (ulimit -n): raise the limit or use fewer connections");
}

namespace {

// Serializes every request once (the engine sends the bytes) and numbers the
// distinct endpoints in order of first appearance.
void PrepareRequests(const Target& target, const std::vector<Request>& requests,
                     internal::Shared& s) {
  for (const Request& r : requests) {
    internal::PreparedRequest p;
    p.bytes = r.Serialize(target);  // throws on a malformed request
    const std::string name = r.DisplayName();
    auto it = std::find(s.endpoint_names.begin(), s.endpoint_names.end(), name);
    p.endpoint = static_cast<std::size_t>(it - s.endpoint_names.begin());
    if (it == s.endpoint_names.end()) s.endpoint_names.push_back(name);
    p.head = r.method == "HEAD";
    p.expected_status = r.expected_status;
    p.body_check = r.body_check;
    p.max_checked_body_bytes = r.max_checked_body_bytes;
    p.label = r.method + " " + RedactUrl(r.path);
    s.requests.push_back(std::move(p));
  }
  s.secrets = SecretsOf(target, requests);
}

// The run's settings as the aggregate's config (secrets redacted), and the
// machine it ran on.
void DescribeRun(const Target& target, const LoadOptions& options,
                 const internal::Shared& s, int threads, Result& agg) {
  agg.SetConfig("base_url", target.Describe());
  agg.SetConfig("model",
                s.open_model ? "open (constant arrival rate)" : "closed");
  agg.SetConfig("connections", std::to_string(s.total_connections));
  agg.SetConfig("threads", std::to_string(threads));
  agg.SetConfig("duration", FormatSeconds(options.PlannedDuration()));
  if (s.open_model && options.stages.empty()) {
    agg.SetConfig("rate", FormatRate(options.rate));
  }
  if (!options.stages.empty()) {
    std::string ramp = std::to_string(options.ramp_from);
    for (const Stage& st : options.stages) {
      ramp += " -> " + std::to_string(st.target) + " over " +
              FormatSeconds(st.duration);
    }
    agg.SetConfig("stages", ramp);
  }
  if (options.max_requests > 0) {
    agg.SetConfig("max_requests", std::to_string(options.max_requests));
  }
  if (options.think_time_max.count() > 0) {
    agg.SetConfig("think_time", FormatSeconds(options.think_time_min) + " .. " +
                                    FormatSeconds(options.think_time_max));
  }
  agg.SetConfig("request_timeout", FormatSeconds(options.request_timeout));
  std::string endpoints;
  for (const std::string& n : s.endpoint_names)
    endpoints += (endpoints.empty() ? "" : ", ") + n;
  agg.SetConfig("endpoints", endpoints);
  for (const Header& h : target.RedactedHeaders()) {
    agg.SetConfig("header." + h.name, h.value);
  }
  agg.SetConfig("tls_verify",
                target.tls() ? (target.insecure() ? "off" : "on") : "n/a");
  agg.fingerprint = CaptureFingerprint();
}

// What every connection shares: the resolved address and, for https, the TLS
// context. A failure here means no request could ever be sent.
Status SetUpConnections(const Target& target, internal::Shared& s) {
  Status setup = internal::Resolve(target, &s.addr, &s.addr_len);
  if (setup.ok() && target.tls()) {
    auto tls = internal::TlsClient::Create(target);
    if (tls.ok()) {
      s.tls = *tls;
    } else {
      setup = tls.status();
    }
  }
  return setup;
}

// Runs the engine on `threads` threads until each ends, calling
// options.on_progress about every progress_interval meanwhile; returns each
// thread's results.
std::vector<internal::ThreadOutput> RunThreads(internal::Shared& s,
                                               const LoadOptions& options,
                                               int threads) {
  std::vector<internal::ThreadOutput> outputs;
  outputs.reserve(static_cast<std::size_t>(threads));
  for (int t = 0; t < threads; ++t) {
    internal::ThreadOutput& o = outputs.emplace_back();
    o.aggregate = MakeResult(options.name, options);
    for (const std::string& n : s.endpoint_names) {
      o.endpoints.push_back(MakeResult(options.name + "/" + n, options));
    }
    o.traffic.resize(s.endpoint_names.size());
  }
  std::vector<internal::ThreadProgress> progress(
      static_cast<std::size_t>(threads));
  std::mutex mu;
  std::condition_variable cv;
  int finished = 0;
  s.start_ns = MonotonicNow();
  s.end_ns = s.start_ns + options.PlannedDuration().count();
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      internal::RunEngineThread(s, t, threads,
                                outputs[static_cast<std::size_t>(t)],
                                progress[static_cast<std::size_t>(t)]);
      std::lock_guard<std::mutex> lock(mu);
      ++finished;
      cv.notify_all();
    });
  }
  {
    std::unique_lock<std::mutex> lock(mu);
    while (finished < threads) {
      cv.wait_for(lock, options.progress_interval);
      if (options.on_progress && finished < threads) {
        Progress p;
        p.elapsed_ns = MonotonicNow() - s.start_ns;
        p.planned_ns = options.PlannedDuration().count();
        for (const auto& tp : progress) {
          p.completed += tp.completed.load(std::memory_order_relaxed);
          p.errors += tp.errors.load(std::memory_order_relaxed);
        }
        lock.unlock();
        options.on_progress(p);
        lock.lock();
      }
    }
  }
  for (std::thread& w : workers) w.join();
  return outputs;
}

// Adds every thread's results into `out`; the endpoints get the aggregate's
// config and fingerprint.
void MergeThreads(const internal::Shared& s,
                  const std::vector<internal::ThreadOutput>& outputs,
                  HttpLoadResult& out) {
  Result& agg = out.aggregate;
  out.uncorrected = LatencyHistogram();
  for (const internal::ThreadOutput& o : outputs) {
    // Name, config and fingerprint stay the aggregate's (Merge keeps *this's).
    agg.Merge(o.aggregate);
    for (std::size_t e = 0; e < o.endpoints.size(); ++e) {
      out.endpoints.at(s.endpoint_names[e]).Merge(o.endpoints[e]);
      EndpointTraffic& t = out.traffic.at(s.endpoint_names[e]);
      t.failed_latency.Merge(o.traffic[e].failed_latency);
      t.body_bytes += o.traffic[e].body_bytes;
      t.responses += o.traffic[e].responses;
    }
    out.uncorrected.Merge(s.open_model ? o.uncorrected : o.aggregate.latency);
    for (std::size_t code = 0; code < o.status.size(); ++code) {
      if (o.status[code] != 0)
        out.status_codes[static_cast<int>(code)] += o.status[code];
    }
    out.bytes_sent += o.bytes_sent;
    out.bytes_received += o.bytes_received;
    out.connections_opened += o.connections_opened;
    out.late_sends += o.late;
    out.dropped_sends += o.dropped;
  }
  for (auto& [name, r] : out.endpoints) {
    r.config = agg.config;
    r.fingerprint = agg.fingerprint;
  }
}

}  // namespace

HttpLoadResult Load(const Target& target, const std::vector<Request>& requests,
                    const LoadOptions& options) {
  options.Validate();
  if (requests.empty()) throw std::invalid_argument("Load: no requests given");
  if (Status s = ReserveDescriptors(options); !s.ok()) {
    throw std::invalid_argument("Load: " + s.message());
  }

  auto shared = std::make_unique<internal::Shared>();
  internal::Shared& s = *shared;
  s.options = options;
  s.open_model = options.rate > 0;
  s.total_connections = MaxConnections(options);
  const int threads = std::min(options.threads, s.total_connections);
  PrepareRequests(target, requests, s);

  HttpLoadResult out;
  out.open_model = s.open_model;
  out.aggregate = MakeResult(options.name, options);
  DescribeRun(target, options, s, threads, out.aggregate);
  for (const std::string& n : s.endpoint_names) {
    out.endpoints.emplace(n, MakeResult(options.name + "/" + n, options));
  }
  for (const Request& r : requests) {
    EndpointTraffic& t = out.traffic[r.DisplayName()];
    if (t.method.empty()) t.method = r.method;
  }

  // Set-up failures (DNS, TLS context) end the run at once as one error.
  if (Status setup = SetUpConnections(target, s); !setup.ok()) {
    const std::string message = s.secrets.Redact(setup.message());
    out.aggregate.AddError("connect", message);
    out.endpoints.begin()->second.AddError("connect", message);
    return out;
  }
  MergeThreads(s, RunThreads(s, options, threads), out);
  return out;
}

Status CheckConnection(const Target& target, std::chrono::nanoseconds timeout) {
  sockaddr_storage addr{};
  socklen_t len = 0;
  Status st = internal::Resolve(target, &addr, &len);
  if (!st.ok()) return st;
  const std::string where = target.host() + ":" + std::to_string(target.port());
  // Work on a helper thread with SIGPIPE blocked (see engine.cc).
  std::thread worker([&] {
    sigset_t pipe;
    sigemptyset(&pipe);
    sigaddset(&pipe, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe, nullptr);
    const Nanos deadline = MonotonicNow() + timeout.count();
    auto wait_for = [&](int fd, short events) {
      const Nanos left = deadline - MonotonicNow();
      if (left <= 0) return false;
      pollfd p{fd, events, 0};
      return poll(&p, 1, static_cast<int>((left + 999'999) / 1'000'000)) > 0;
    };
    const int fd =
        socket(addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
      st = Status::Error(where + ": socket: " + std::strerror(errno));
      return;
    }
    if (connect(fd, reinterpret_cast<sockaddr*>(&addr), len) != 0) {
      if (errno != EINPROGRESS) {
        st = Status::Error(where + ": " + std::strerror(errno));
        close(fd);
        return;
      }
      if (!wait_for(fd, POLLOUT)) {
        st = Status::Error(where + ": connect timed out");
        close(fd);
        return;
      }
      int err = 0;
      socklen_t elen = sizeof err;
      getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen);
      if (err != 0) {
        st = Status::Error(where + ": " + std::strerror(err));
        close(fd);
        return;
      }
    }
    if (target.tls()) {
      auto tls = internal::TlsClient::Create(target);
      if (!tls.ok()) {
        st = tls.status();
        close(fd);
        return;
      }
      ssl_st* ssl = (*tls)->NewSession(fd);
      std::string error;
      for (;;) {
        const internal::TlsIo io = internal::TlsClient::Handshake(ssl, &error);
        if (io == internal::TlsIo::kOk) break;
        if ((io == internal::TlsIo::kWantRead && wait_for(fd, POLLIN)) ||
            (io == internal::TlsIo::kWantWrite && wait_for(fd, POLLOUT))) {
          continue;
        }
        st = Status::Error(where + ": TLS handshake: " +
                           (error.empty() ? std::string("timed out") : error));
        break;
      }
      internal::TlsClient::FreeSession(ssl);
    }
    close(fd);
  });
  worker.join();
  return st;
}

}  // namespace perfcheck::http
