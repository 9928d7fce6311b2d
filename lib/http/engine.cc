#include "http/engine.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <deque>
#include <random>

#include "http/response_parser.h"
#include "http/schedule.h"

namespace perfcheck::http::internal {

void RecordOk(ThreadOutput& out, Result& endpoint, Nanos offset, Nanos latency,
              Nanos service_time, bool open_model) {
  out.aggregate.latency.Record(latency);
  out.aggregate.series.Record(offset, latency, true);
  endpoint.latency.Record(latency);
  endpoint.series.Record(offset, latency, true);
  if (open_model) out.uncorrected.Record(service_time);
}

Nanos MonotonicNow() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<Nanos>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

namespace {

constexpr Nanos kScanPeriod = 10'000'000;  // timeouts are checked this often
constexpr std::size_t kReadBuffer = 64 * 1024;

enum class Phase {
  kClosed,      // no socket, nothing to do
  kConnecting,  // TCP connect in progress (request pending)
  kHandshake,   // TLS handshake in progress (request pending)
  kSending,     // writing the request
  kReceiving,   // waiting for / reading the response
  kIdle,        // connected keep-alive socket, no request
  kWaiting,     // think time or reconnect back-off until wake_at
};

struct Conn {
  int global = 0;  // index over all threads (ramp activation order)
  int fd = -1;
  ssl_st* ssl = nullptr;
  Phase phase = Phase::kClosed;
  bool in_flight = false;    // a request is assigned
  bool want_out = false;     // EPOLLOUT registered
  bool retried = false;      // stale keep-alive retry used for this request
  bool in_free = false;      // in the open model's free list
  std::uint64_t served = 0;  // responses on the current socket
  std::size_t req = 0;
  std::size_t write_off = 0;
  Nanos intended = 0, sent = 0, deadline = 0, wake_at = 0;
  ResponseParser parser;
  std::string body;
};

std::string ErrnoText(int e) { return std::strerror(e); }

class EngineThread {
 public:
  EngineThread(Shared& shared, int index, int threads, ThreadOutput& out,
               ThreadProgress& progress)
      : s_(shared),
        o_(shared.options),
        index_(index),
        threads_(threads),
        out_(out),
        progress_(progress),
        rng_(0x9e3779b9u * static_cast<unsigned>(index + 1)) {}

  void Run();

 private:
  // Run control.
  bool Claim();
  bool ActiveAt(const Conn& c, Nanos now) const;
  void Scan(Nanos now);
  void IssueDue(Nanos now);
  void AdvanceSchedule() {
    if (due_real_) need_ = 1.0;
    due_real_ =
        NextDue(o_.stages, o_.stages.empty() ? o_.rate : o_.ramp_from,
                static_cast<double>(threads_), next_due_, &need_, &next_due_);
  }
  // Connection life cycle.
  void Issue(Conn& c, Nanos now, Nanos intended);
  void Connect(Conn& c, Nanos now);
  void OnConnected(Conn& c, Nanos now);
  void DoHandshake(Conn& c, Nanos now);
  void Send(Conn& c, Nanos now);
  void TryWrite(Conn& c, Nanos now);
  void OnReadable(Conn& c, Nanos now);
  void OnIdleEvent(Conn& c);
  void Complete(Conn& c, Nanos now);
  void Fail(Conn& c, Nanos now, const char* category,
            const std::string& message);
  void Next(Conn& c, Nanos now);
  void Wake(Conn& c, Nanos now);
  void CloseSocket(Conn& c);
  void SetWantOut(Conn& c, bool want);
  void SetWake(Conn& c, Nanos at) {
    c.phase = Phase::kWaiting;
    c.wake_at = at;
    next_scan_ = std::min(next_scan_, at);
  }
  void Release(Conn& c) {
    if (!c.in_free) {
      c.in_free = true;
      free_.push_back(static_cast<int>(&c - conns_.data()));
    }
  }
  void RecordStatus(int status) {
    if (status >= 0 && status < 1000)
      ++out_.status[static_cast<std::size_t>(status)];
  }
  void CountDone(bool error) {
    progress_.completed.store(++completed_, std::memory_order_relaxed);
    if (error) progress_.errors.store(++errors_, std::memory_order_relaxed);
  }

  Shared& s_;
  const LoadOptions& o_;
  int index_, threads_;
  ThreadOutput& out_;
  ThreadProgress& progress_;
  std::minstd_rand rng_;
  int epfd_ = -1;
  std::vector<Conn> conns_;
  std::vector<int> free_;      // open model: idle connections
  std::deque<Nanos> backlog_;  // open model: due, not yet sent
  Nanos next_due_ = 0;         // open model: offset of the next due request
  bool due_real_ = false;      // next_due_ is a request, not a look-ahead stop
  double need_ = 1.0;          // requests still to accumulate (NextDue)
  bool schedule_done_ = false;
  bool exhausted_ = false;  // max_requests reached
  std::size_t next_req_ = 0;
  std::uint64_t completed_ = 0, errors_ = 0;
  int in_flight_ = 0;
  Nanos next_scan_ = 0;
  std::vector<char> rbuf_ = std::vector<char>(kReadBuffer);
};

bool EngineThread::Claim() {
  if (exhausted_) return false;
  if (o_.max_requests == 0) return true;
  if (s_.claimed.fetch_add(1, std::memory_order_relaxed) < o_.max_requests)
    return true;
  exhausted_ = true;
  return false;
}

bool EngineThread::ActiveAt(const Conn& c, Nanos now) const {
  if (o_.stages.empty()) return true;
  const double target = TargetAt(o_.stages, o_.ramp_from, now - s_.start_ns);
  return c.global < static_cast<int>(target + 1e-9);
}

void EngineThread::SetWantOut(Conn& c, bool want) {
  if (c.want_out == want || c.fd < 0) return;
  epoll_event ev{};
  ev.events = want ? (EPOLLIN | EPOLLOUT) : static_cast<std::uint32_t>(EPOLLIN);
  ev.data.u32 = static_cast<std::uint32_t>(&c - conns_.data());
  epoll_ctl(epfd_, EPOLL_CTL_MOD, c.fd, &ev);
  c.want_out = want;
}

void EngineThread::CloseSocket(Conn& c) {
  if (c.ssl != nullptr) {
    TlsClient::FreeSession(c.ssl);
    c.ssl = nullptr;
  }
  if (c.fd >= 0) {
    close(c.fd);  // also removes it from the epoll set
    c.fd = -1;
  }
  c.want_out = false;
  c.served = 0;
  if (c.phase != Phase::kWaiting) c.phase = Phase::kClosed;
}

void EngineThread::Issue(Conn& c, Nanos now, Nanos intended) {
  c.req = next_req_;
  next_req_ = next_req_ + 1 == s_.requests.size() ? 0 : next_req_ + 1;
  c.in_flight = true;
  c.retried = false;
  c.intended = intended;
  ++in_flight_;
  if (s_.open_model && now - intended > kLateThreshold) ++out_.late;
  if (c.fd < 0) {
    Connect(c, now);
  } else {
    Send(c, now);
  }
}

void EngineThread::Connect(Conn& c, Nanos now) {
  c.fd =
      socket(s_.addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (c.fd < 0) {
    Fail(c, now, "connect", "socket: " + ErrnoText(errno));
    return;
  }
  const int one = 1;
  setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  ++out_.connections_opened;
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLOUT;
  ev.data.u32 = static_cast<std::uint32_t>(&c - conns_.data());
  epoll_ctl(epfd_, EPOLL_CTL_ADD, c.fd, &ev);
  c.want_out = true;
  c.deadline = now + o_.connect_timeout.count();
  const int rc =
      connect(c.fd, reinterpret_cast<const sockaddr*>(&s_.addr), s_.addr_len);
  if (rc == 0) {
    OnConnected(c, now);
  } else if (errno == EINPROGRESS) {
    c.phase = Phase::kConnecting;
  } else {
    Fail(c, now, "connect", "connect: " + ErrnoText(errno));
  }
}

void EngineThread::OnConnected(Conn& c, Nanos now) {
  if (s_.tls) {
    c.ssl = s_.tls->NewSession(c.fd);
    if (c.ssl == nullptr) {
      Fail(c, now, "tls", "cannot create a TLS session");
      return;
    }
    c.phase = Phase::kHandshake;
    DoHandshake(c, now);
    return;
  }
  SetWantOut(c, false);
  Send(c, now);
}

void EngineThread::DoHandshake(Conn& c, Nanos now) {
  std::string error;
  switch (TlsClient::Handshake(c.ssl, &error)) {
    case TlsIo::kOk:
      SetWantOut(c, false);
      Send(c, now);
      return;
    case TlsIo::kWantRead:
      SetWantOut(c, false);
      return;
    case TlsIo::kWantWrite:
      SetWantOut(c, true);
      return;
    default:
      Fail(c, now, "tls", "TLS handshake: " + error);
  }
}

void EngineThread::Send(Conn& c, Nanos now) {
  const PreparedRequest& r = s_.requests[c.req];
  c.sent = now;
  if (!s_.open_model) c.intended = now;
  c.write_off = 0;
  c.parser.Reset(r.head);
  c.parser.set_max_body_bytes(o_.max_body_bytes);
  c.parser.set_secrets(&s_.secrets);
  if (r.body_check) c.parser.Capture(&c.body, r.max_checked_body_bytes);
  c.deadline = now + o_.request_timeout.count();
  c.phase = Phase::kSending;
  TryWrite(c, now);
}

void EngineThread::TryWrite(Conn& c, Nanos now) {
  const std::string& bytes = s_.requests[c.req].bytes;
  while (c.write_off < bytes.size()) {
    const char* p = bytes.data() + c.write_off;
    const std::size_t n = bytes.size() - c.write_off;
    std::size_t wrote = 0;
    if (c.ssl != nullptr) {
      std::string error;
      switch (TlsClient::Write(c.ssl, p, n, &wrote, &error)) {
        case TlsIo::kOk:
          break;
        case TlsIo::kWantRead:
          SetWantOut(c, false);
          return;
        case TlsIo::kWantWrite:
          SetWantOut(c, true);
          return;
        default:
          Fail(c, now, "reset", "TLS write: " + error);
          return;
      }
    } else {
      const ssize_t w = send(c.fd, p, n, MSG_NOSIGNAL);
      if (w < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
          SetWantOut(c, true);
          return;
        }
        if (errno == EINTR) continue;
        if (c.served > 0 && !c.retried) {  // stale keep-alive socket
          c.retried = true;
          CloseSocket(c);
          Connect(c, now);
          return;
        }
        Fail(c, now, "reset", "send: " + ErrnoText(errno));
        return;
      }
      wrote = static_cast<std::size_t>(w);
    }
    c.write_off += wrote;
    out_.bytes_sent += wrote;
  }
  SetWantOut(c, false);
  c.phase = Phase::kReceiving;
}

void EngineThread::OnReadable(Conn& c, Nanos now) {
  for (;;) {
    std::size_t got = 0;
    bool eof = false;
    if (c.ssl != nullptr) {
      std::string error;
      switch (
          TlsClient::Read(c.ssl, rbuf_.data(), rbuf_.size(), &got, &error)) {
        case TlsIo::kOk:
          break;
        case TlsIo::kWantRead:
          SetWantOut(c, false);
          return;
        case TlsIo::kWantWrite:
          SetWantOut(c, true);
          return;
        case TlsIo::kClosed:
          eof = true;
          break;
        default:
          Fail(c, now, "reset", "TLS read: " + error);
          return;
      }
    } else {
      const ssize_t n = recv(c.fd, rbuf_.data(), rbuf_.size(), 0);
      if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK) return;
        if (errno == EINTR) continue;
        if (!c.parser.started() && c.served > 0 && !c.retried) {
          c.retried = true;
          CloseSocket(c);
          Connect(c, now);
          return;
        }
        Fail(c, now, "reset",
             "recv: " + ErrnoText(errno) +
                 (c.parser.started() ? " mid-response" : ""));
        return;
      }
      eof = n == 0;
      got = static_cast<std::size_t>(n);
    }
    if (eof) {
      if (c.parser.FinishOnEof()) {
        Complete(c, now);
      } else if (!c.parser.started() && c.served > 0 && !c.retried) {
        // The server closed an idle keep-alive connection as we reused it:
        // retry once on a fresh one, as HTTP clients do.
        c.retried = true;
        CloseSocket(c);
        Connect(c, now);
      } else {
        Fail(c, now, "reset",
             c.parser.started() ? "connection closed mid-response"
                                : "connection closed before the response");
      }
      return;
    }
    out_.bytes_received += got;
    c.parser.Feed(rbuf_.data(), got);
    if (c.parser.failed()) {
      Fail(c, now, "protocol", c.parser.error());
      return;
    }
    if (c.parser.done()) {
      Complete(c, now);
      return;
    }
    // Plain sockets: one read per readiness event unless the buffer filled
    // (as wrk does); TLS may hold decrypted bytes epoll cannot see.
    if (c.ssl == nullptr && got < rbuf_.size()) return;
  }
}

void EngineThread::OnIdleEvent(Conn& c) {
  // Data or EOF on a socket with no request: the server closed it (keep-alive
  // timeout) or sent something unsolicited. Either way it is unusable.
  char buf[512];
  if (c.ssl == nullptr) {
    const ssize_t n = recv(c.fd, buf, sizeof buf, MSG_DONTWAIT);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
  } else {
    std::size_t got = 0;
    const TlsIo io = TlsClient::Read(c.ssl, buf, sizeof buf, &got, nullptr);
    if (io == TlsIo::kWantRead || io == TlsIo::kWantWrite) return;
  }
  CloseSocket(c);
}

void EngineThread::Complete(Conn& c, Nanos now) {
  const PreparedRequest& r = s_.requests[c.req];
  const int status = c.parser.status();
  RecordStatus(status);
  const char* category = nullptr;
  if (!r.expected_status.empty()) {
    if (std::find(r.expected_status.begin(), r.expected_status.end(), status) ==
        r.expected_status.end()) {
      category = status >= 500   ? "status_5xx"
                 : status >= 400 ? "status_4xx"
                                 : "status_other";
    }
  } else if (status >= 500) {
    category = "status_5xx";
  } else if (status >= 400) {
    category = "status_4xx";
  } else if (status < 200 || status >= 600) {
    category = "status_other";
  }
  if (category == nullptr && r.body_check &&
      (c.parser.body_truncated() || !r.body_check(c.body))) {
    category = "check";
  }
  const bool keep = c.parser.keep_alive();
  c.in_flight = false;
  --in_flight_;
  ++c.served;
  const Nanos offset = now - s_.start_ns;
  Result& ep = out_.endpoints[r.endpoint];
  EndpointTraffic& traffic = out_.traffic[r.endpoint];
  traffic.body_bytes += c.parser.body_bytes();
  ++traffic.responses;
  if (category == nullptr) {
    RecordOk(out_, ep, offset, now - c.intended, now - c.sent, s_.open_model);
    CountDone(false);
  } else {
    std::string message = "HTTP " + std::to_string(status) + " from " + r.label;
    if (category[0] == 'c') message = "response check failed: " + message;
    message = s_.secrets.Redact(message);
    out_.aggregate.AddError(category, message);
    out_.aggregate.series.Record(offset, now - c.intended, false);
    ep.AddError(category, message);
    ep.series.Record(offset, now - c.intended, false);
    traffic.failed_latency.Record(now - c.intended);
    CountDone(true);
  }
  if (!keep) CloseSocket(c);
  Next(c, now);
}

void EngineThread::Fail(Conn& c, Nanos now, const char* category,
                        const std::string& message) {
  const PreparedRequest& r = s_.requests[c.req];
  // Examples reach every report: whatever the server or the TLS library put
  // into `message`, no credential of this run leaves here.
  const std::string text = s_.secrets.Redact(message + " (" + r.label + ")");
  const Nanos offset = now - s_.start_ns;
  out_.aggregate.AddError(category, text);
  out_.aggregate.series.Record(offset, now - c.intended, false);
  Result& ep = out_.endpoints[r.endpoint];
  ep.AddError(category, text);
  ep.series.Record(offset, now - c.intended, false);
  out_.traffic[r.endpoint].failed_latency.Record(now - c.intended);
  CountDone(true);
  if (c.in_flight) {
    c.in_flight = false;
    --in_flight_;
  }
  const bool connect_failure = std::strcmp(category, "connect") == 0 ||
                               std::strcmp(category, "tls") == 0;
  c.phase = Phase::kClosed;
  CloseSocket(c);
  if (connect_failure) {
    // Back off so a dead server is not hammered in a hot loop.
    SetWake(c, now + o_.reconnect_backoff.count());
    return;
  }
  Next(c, now);
}

void EngineThread::Next(Conn& c, Nanos now) {
  if (c.fd >= 0) c.phase = Phase::kIdle;
  if (now >= s_.end_ns) return;
  if (s_.open_model) {
    if (!backlog_.empty() && Claim()) {
      const Nanos due = backlog_.front();
      backlog_.pop_front();
      Issue(c, now, due);
    } else {
      Release(c);
    }
    return;
  }
  if (!ActiveAt(c, now)) return;  // parked until the ramp needs it again
  const Nanos think_min = o_.think_time_min.count(),
              think_max = o_.think_time_max.count();
  if (think_max > 0 && c.phase != Phase::kWaiting) {
    std::uniform_int_distribution<Nanos> think(think_min, think_max);
    SetWake(c, now + think(rng_));
    return;
  }
  if (Claim()) Issue(c, now, now);
}

void EngineThread::Wake(Conn& c, Nanos now) {
  c.phase = c.fd >= 0 ? Phase::kIdle : Phase::kClosed;
  if (s_.open_model) {
    Next(c, now);
    return;
  }
  if (ActiveAt(c, now) && Claim()) Issue(c, now, now);
}

void EngineThread::Scan(Nanos now) {
  Nanos next = now + kScanPeriod;
  for (Conn& c : conns_) {
    if (c.in_flight && now >= c.deadline) {
      const bool connecting =
          c.phase == Phase::kConnecting || c.phase == Phase::kHandshake;
      const std::string what =
          connecting ? "connect timed out after " : "no response within ";
      Fail(c, now, connecting ? "connect" : "timeout",
           what +
               std::to_string(
                   (connecting ? o_.connect_timeout : o_.request_timeout)
                       .count() /
                   1'000'000) +
               " ms");
      if (c.phase != Phase::kWaiting) continue;
    }
    if (c.phase == Phase::kWaiting && now >= c.wake_at) Wake(c, now);
    if (!s_.open_model && !c.in_flight &&
        (c.phase == Phase::kIdle || c.phase == Phase::kClosed) &&
        ActiveAt(c, now) && Claim()) {
      Issue(c, now, now);  // activated by the ramp
    }
    if (c.phase == Phase::kWaiting) next = std::min(next, c.wake_at);
    if (c.in_flight) next = std::min(next, c.deadline);
  }
  next_scan_ = next;
}

void EngineThread::IssueDue(Nanos now) {
  const Nanos offset = now - s_.start_ns;
  while (!schedule_done_ && next_due_ <= offset) {
    if (due_real_) {
      if (exhausted_ ||
          (o_.max_requests > 0 &&
           s_.claimed.load(std::memory_order_relaxed) >= o_.max_requests)) {
        schedule_done_ = true;
        break;
      }
      if (backlog_.size() >= o_.max_backlog) {
        ++out_.dropped;
      } else {
        backlog_.push_back(s_.start_ns + next_due_);
      }
    }
    AdvanceSchedule();
  }
  while (!backlog_.empty() && !free_.empty()) {
    Conn& c = conns_[static_cast<std::size_t>(free_.back())];
    free_.pop_back();
    c.in_free = false;
    if (!Claim()) {
      Release(c);
      break;
    }
    const Nanos due = backlog_.front();
    backlog_.pop_front();
    Issue(c, now, due);
  }
}

void EngineThread::Run() {
  // SIGPIPE from OpenSSL's writes to a closed socket would kill the process;
  // blocking it in this thread only leaves the host's handlers alone.
  sigset_t pipe;
  sigemptyset(&pipe);
  sigaddset(&pipe, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe, nullptr);

  epfd_ = epoll_create1(EPOLL_CLOEXEC);
  for (int g = index_; g < s_.total_connections; g += threads_) {
    conns_.emplace_back();
    conns_.back().global = g;
  }
  Nanos now = MonotonicNow();
  if (s_.open_model) {
    // Threads share the rate; offsetting their first due time by a fraction
    // of the per-thread period interleaves their schedules instead of sending
    // in bursts of `threads`.
    need_ = static_cast<double>(index_ + 1) / threads_;
    next_due_ = 0;
    AdvanceSchedule();
    for (Conn& c : conns_) Release(c);
    std::reverse(free_.begin(), free_.end());
  } else {
    for (Conn& c : conns_) {
      if (now < s_.end_ns && ActiveAt(c, now) && Claim()) Issue(c, now, now);
    }
  }
  next_scan_ = now + kScanPeriod;
  std::vector<epoll_event> events(256);
  const bool has_cancel = o_.cancel != nullptr;
  for (;;) {
    now = MonotonicNow();
    if (now >= s_.end_ns) break;
    if (has_cancel && o_.cancel->load(std::memory_order_relaxed)) break;
    if (now >= next_scan_) Scan(now);
    if (s_.open_model) IssueDue(now);
    if (exhausted_ && in_flight_ == 0) break;
    if (s_.open_model && schedule_done_ && in_flight_ == 0) break;
    Nanos wake = std::min(next_scan_, s_.end_ns);
    if (s_.open_model && !schedule_done_)
      wake = std::min(wake, s_.start_ns + next_due_);
    const Nanos wait = std::max<Nanos>(0, wake - now);
    timespec ts{static_cast<time_t>(wait / 1'000'000'000),
                static_cast<long>(wait % 1'000'000'000)};
    const int n = epoll_pwait2(epfd_, events.data(),
                               static_cast<int>(events.size()), &ts, nullptr);
    if (n <= 0) continue;
    now = MonotonicNow();
    for (int i = 0; i < n; ++i) {
      Conn& c = conns_[events[static_cast<std::size_t>(i)].data.u32];
      if (c.fd < 0) continue;
      const std::uint32_t ev = events[static_cast<std::size_t>(i)].events;
      switch (c.phase) {
        case Phase::kConnecting: {
          int err = 0;
          socklen_t len = sizeof err;
          getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &err, &len);
          if (err != 0) {
            Fail(c, now, "connect", "connect: " + ErrnoText(err));
          } else if (ev & (EPOLLOUT | EPOLLIN)) {
            OnConnected(c, now);
          }
          break;
        }
        case Phase::kHandshake:
          DoHandshake(c, now);
          break;
        case Phase::kSending:
          if (ev & (EPOLLIN | EPOLLERR | EPOLLHUP)) {
            // A response (often an error status) or a reset before the
            // request was fully written.
            OnReadable(c, now);
          } else {
            TryWrite(c, now);
          }
          break;
        case Phase::kReceiving:
          OnReadable(c, now);
          break;
        case Phase::kIdle:
        case Phase::kWaiting:
        case Phase::kClosed:
          OnIdleEvent(c);
          if (c.fd < 0 && s_.open_model && c.phase != Phase::kWaiting)
            Release(c);
          break;
      }
    }
  }
  const Nanos end = std::min(MonotonicNow(), s_.end_ns);
  if (s_.open_model) out_.dropped += backlog_.size();
  for (Conn& c : conns_) CloseSocket(c);
  close(epfd_);
  out_.aggregate.elapsed_ns = end - s_.start_ns;
  out_.aggregate.series.Finish();
  for (Result& ep : out_.endpoints) {
    ep.elapsed_ns = out_.aggregate.elapsed_ns;
    ep.series.Finish();
  }
}

}  // namespace

void RunEngineThread(Shared& shared, int index, int threads, ThreadOutput& out,
                     ThreadProgress& progress) {
  EngineThread(shared, index, threads, out, progress).Run();
}

}  // namespace perfcheck::http::internal
