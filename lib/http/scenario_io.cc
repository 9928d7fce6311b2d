// A step's connection I/O: connect (TLS included), write the request, read
// and check the response, or fail it; Deliver() (scenario_engine.cc) hands
// the outcome to the flow.
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "http/scenario_thread.h"

namespace perfcheck::http::internal {
namespace {

std::string ErrnoText(int e) { return std::strerror(e); }

}  // namespace

// ---- requests --------------------------------------------------------

void ScenarioThread::BeginSend(UserSlot& slot, Nanos now) {
  VirtualUser::SendAwaiter& a = *slot.user.send_;
  Request& req = a.request_;
  for (const Header& h : slot.user.headers_) {
    const bool own = std::any_of(
        req.headers.begin(), req.headers.end(), [&](const Header& x) {
          return x.name.size() == h.name.size() &&
                 std::equal(
                     x.name.begin(), x.name.end(), h.name.begin(),
                     [](char p, char q) {
                       return std::tolower(static_cast<unsigned char>(p)) ==
                              std::tolower(static_cast<unsigned char>(q));
                     });
        });
    if (!own) req.headers.push_back(h);
  }
  slot.step_start = now;
  slot.retried = false;
  slot.pending.status = 0;
  slot.pending.body_bytes = 0;
  slot.body.clear();
  starting_ = true;
  StartStep(slot, now);
  starting_ = false;
}

void ScenarioThread::StartStep(UserSlot& slot, Nanos now) {
  VirtualUser::SendAwaiter& a = *slot.user.send_;
  Request& req = a.request_;
  a.response_.name_ = req.DisplayName();
  a.response_.sequence_ = ++slot.sends;
  try {
    slot.out = req.Serialize(s_.target);  // checks the request once
  } catch (const std::invalid_argument& e) {
    Deliver(slot, now, "request", e.what(), false);
    return;
  }
  if (slot.fd >= 0) {
    StartWrite(slot, now);
  } else if (now < slot.next_connect_at) {
    slot.io = Io::kBackoff;
    SetTimer(slot, TimerKind::kBackoff, slot.next_connect_at);
  } else {
    Connect(slot, now);
  }
}

void ScenarioThread::SetWantOut(UserSlot& slot, bool want) {
  if (slot.want_out == want || slot.fd < 0) return;
  epoll_event ev{};
  ev.events = want ? (EPOLLIN | EPOLLOUT) : static_cast<std::uint32_t>(EPOLLIN);
  ev.data.u32 = IndexOf(slot);
  epoll_ctl(epfd_, EPOLL_CTL_MOD, slot.fd, &ev);
  slot.want_out = want;
}

void ScenarioThread::CloseSocket(UserSlot& slot) {
  if (slot.ssl != nullptr) {
    TlsClient::FreeSession(slot.ssl);
    slot.ssl = nullptr;
  }
  if (slot.fd >= 0) {
    close(slot.fd);
    slot.fd = -1;
  }
  slot.want_out = false;
  slot.served = 0;
}

void ScenarioThread::Connect(UserSlot& slot, Nanos now) {
  slot.io = Io::kConnecting;
  ArmDeadline(slot, now + o_.connect_timeout.count());
  slot.fd =
      socket(s_.addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (slot.fd < 0) {
    FailIo(slot, now, "connect", "socket: " + ErrnoText(errno));
    return;
  }
  const int one = 1;
  setsockopt(slot.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  ++out_.connections_opened;
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLOUT;
  ev.data.u32 = IndexOf(slot);
  epoll_ctl(epfd_, EPOLL_CTL_ADD, slot.fd, &ev);
  slot.want_out = true;
  const int rc = connect(slot.fd, reinterpret_cast<const sockaddr*>(&s_.addr),
                         s_.addr_len);
  if (rc == 0) {
    OnConnected(slot, now);
  } else if (errno != EINPROGRESS) {
    FailIo(slot, now, "connect", "connect: " + ErrnoText(errno));
  }
}

void ScenarioThread::OnConnected(UserSlot& slot, Nanos now) {
  if (s_.tls) {
    slot.ssl = s_.tls->NewSession(slot.fd);
    if (slot.ssl == nullptr) {
      FailIo(slot, now, "tls", "cannot create a TLS session");
      return;
    }
    slot.io = Io::kHandshake;
    DoHandshake(slot, now);
    return;
  }
  SetWantOut(slot, false);
  StartWrite(slot, now);
}

void ScenarioThread::DoHandshake(UserSlot& slot, Nanos now) {
  std::string error;
  switch (TlsClient::Handshake(slot.ssl, &error)) {
    case TlsIo::kOk:
      SetWantOut(slot, false);
      StartWrite(slot, now);
      return;
    case TlsIo::kWantRead:
      SetWantOut(slot, false);
      return;
    case TlsIo::kWantWrite:
      SetWantOut(slot, true);
      return;
    default:
      FailIo(slot, now, "tls", "TLS handshake: " + error);
  }
}

void ScenarioThread::StartWrite(UserSlot& slot, Nanos now) {
  const Request& req = slot.user.send_->request_;
  slot.write_off = 0;
  slot.parser.Reset(req.method == "HEAD");
  slot.parser.set_max_body_bytes(o_.max_body_bytes);
  slot.parser.set_secrets(&s_.secrets);
  slot.parser.Capture(&slot.body, o_.max_kept_body_bytes);
  ArmDeadline(slot, now + o_.request_timeout.count());
  slot.io = Io::kSending;
  TryWrite(slot, now);
}

void ScenarioThread::TryWrite(UserSlot& slot, Nanos now) {
  while (slot.write_off < slot.out.size()) {
    const char* p = slot.out.data() + slot.write_off;
    const std::size_t n = slot.out.size() - slot.write_off;
    std::size_t wrote = 0;
    if (slot.ssl != nullptr) {
      std::string error;
      switch (TlsClient::Write(slot.ssl, p, n, &wrote, &error)) {
        case TlsIo::kOk:
          break;
        case TlsIo::kWantRead:
          SetWantOut(slot, false);
          return;
        case TlsIo::kWantWrite:
          SetWantOut(slot, true);
          return;
        default:
          FailIo(slot, now, "reset", "TLS write: " + error);
          return;
      }
    } else {
      const ssize_t w = send(slot.fd, p, n, MSG_NOSIGNAL);
      if (w < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
          SetWantOut(slot, true);
          return;
        }
        if (errno == EINTR) continue;
        if (slot.served > 0 && !slot.retried) {  // stale keep-alive socket
          slot.retried = true;
          Reconnect(slot, now);
          return;
        }
        FailIo(slot, now, "reset", "send: " + ErrnoText(errno));
        return;
      }
      wrote = static_cast<std::size_t>(w);
    }
    slot.write_off += wrote;
    out_.bytes_sent += wrote;
  }
  SetWantOut(slot, false);
  slot.io = Io::kReceiving;
}

void ScenarioThread::OnReadable(UserSlot& slot, Nanos now) {
  for (;;) {
    std::size_t got = 0;
    bool eof = false;
    if (slot.ssl != nullptr) {
      std::string error;
      switch (
          TlsClient::Read(slot.ssl, rbuf_.data(), rbuf_.size(), &got, &error)) {
        case TlsIo::kOk:
          break;
        case TlsIo::kWantRead:
          SetWantOut(slot, false);
          return;
        case TlsIo::kWantWrite:
          SetWantOut(slot, true);
          return;
        case TlsIo::kClosed:
          eof = true;
          break;
        default:
          FailIo(slot, now, "reset", "TLS read: " + error);
          return;
      }
    } else {
      const ssize_t n = recv(slot.fd, rbuf_.data(), rbuf_.size(), 0);
      if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK) return;
        if (errno == EINTR) continue;
        if (!slot.parser.started() && slot.served > 0 && !slot.retried) {
          slot.retried = true;
          Reconnect(slot, now);
          return;
        }
        FailIo(slot, now, "reset",
               "recv: " + ErrnoText(errno) +
                   (slot.parser.started() ? " mid-response" : ""));
        return;
      }
      eof = n == 0;
      got = static_cast<std::size_t>(n);
    }
    if (eof) {
      if (slot.parser.FinishOnEof()) {
        Complete(slot, now);
      } else if (!slot.parser.started() && slot.served > 0 && !slot.retried) {
        // The server closed an idle keep-alive connection as we reused it:
        // retry once on a fresh one, as HTTP clients do.
        slot.retried = true;
        Reconnect(slot, now);
      } else {
        FailIo(slot, now, "reset",
               slot.parser.started() ? "connection closed mid-response"
                                     : "connection closed before the response");
      }
      return;
    }
    out_.bytes_received += got;
    slot.parser.Feed(rbuf_.data(), got);
    if (slot.parser.failed()) {
      FailIo(slot, now, "protocol", slot.parser.error());
      return;
    }
    if (slot.parser.done()) {
      Complete(slot, now);
      return;
    }
    if (slot.ssl == nullptr && got < rbuf_.size()) return;
  }
}

void ScenarioThread::OnIdleEvent(UserSlot& slot) {
  // Data or EOF with no request: the server closed the keep-alive
  // connection (or sent something unsolicited); either way it is unusable.
  char buf[512];
  if (slot.ssl == nullptr) {
    const ssize_t n = recv(slot.fd, buf, sizeof buf, MSG_DONTWAIT);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
  } else {
    std::size_t got = 0;
    const TlsIo io = TlsClient::Read(slot.ssl, buf, sizeof buf, &got, nullptr);
    if (io == TlsIo::kWantRead || io == TlsIo::kWantWrite) return;
  }
  CloseSocket(slot);
}

void ScenarioThread::Complete(UserSlot& slot, Nanos now) {
  const VirtualUser::SendAwaiter& a = *slot.user.send_;
  const int status = slot.parser.status();
  ++slot.served;
  const bool keep = slot.parser.keep_alive();
  slot.pending.status = status;
  slot.pending.body_bytes = slot.parser.body_bytes();
  const bool apart = std::find(a.expect_.apart.begin(), a.expect_.apart.end(),
                               status) != a.expect_.apart.end();
  std::optional<std::pair<const char*, std::string>> failed;
  if (!apart) {
    failed = CheckResponse(a.request_, a.expect_, status, slot.body,
                           slot.parser.body_truncated());
  }
  if (!keep) CloseSocket(slot);
  if (failed) {
    Deliver(slot, now, failed->first, std::move(failed->second), false);
  } else {
    Deliver(slot, now, nullptr, "", apart);
  }
}

void ScenarioThread::FailIo(UserSlot& slot, Nanos now, const char* category,
                            const std::string& message) {
  CloseSocket(slot);
  slot.pending.status = 0;
  slot.pending.body_bytes = 0;
  if (std::strcmp(category, "connect") == 0 ||
      std::strcmp(category, "tls") == 0) {
    // Back off so a dead server is not hammered in a hot loop.
    slot.next_connect_at = now + o_.reconnect_backoff.count();
  }
  Deliver(slot, now, category, message, false);
}

// The step is over: hand the response to the flow and resume it (or, under
// FailurePolicy::kRestartTask, end a failed task there).

}  // namespace perfcheck::http::internal
