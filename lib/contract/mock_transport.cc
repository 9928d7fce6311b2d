// The mock server's transport: the connection loop over a plain or TLS
// socket, and the faults a reply can end its connection with.
#include "mock_transport.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <optional>
#include <string>

namespace perfcheck::contract::internal {
namespace {

// The connection a handler runs on; set by ConnectionServer for the duration
// of a connection, since cpp-httplib handlers do not see their socket.
class ConnectionStream;
thread_local ConnectionStream* current_connection = nullptr;

bool WaitFor(int fd, short events, std::chrono::milliseconds timeout) {
  pollfd p{fd, events, 0};
  int rc;
  do {
    rc = ::poll(&p, 1, static_cast<int>(timeout.count()));
  } while (rc < 0 && errno == EINTR);
  return rc > 0;
}

// httplib::Stream over a plain socket, or over TLS when `tls` is given.
// Writing can be switched off by a fault, so the response cpp-httplib
// composes after the handler never reaches the wire, and the connection then
// ends the way the fault says.
class ConnectionStream : public httplib::Stream {
 public:
  ConnectionStream(int fd, std::chrono::milliseconds read_timeout,
                   TlsSession* tls)
      : fd_(fd), read_timeout_(read_timeout), tls_(tls) {}

  bool is_readable() const override {
    return HasBuffered() || WaitFor(fd_, POLLIN, read_timeout_);
  }
  // Request bytes that arrived already (pipelined, or decrypted by TLS)
  // and that a poll() on the socket would not see.
  bool HasBuffered() const {
    return pos_ < len_ || (tls_ != nullptr && tls_->HasPending());
  }
  bool is_writable() const override {
    return fault_ == Reply::Fault::kNone &&
           WaitFor(fd_, POLLOUT, std::chrono::milliseconds(5000));
  }
  ssize_t read(char* ptr, size_t size) override {
    // Buffered, because cpp-httplib reads request lines byte by byte.
    if (pos_ == len_) {
      ssize_t n;
      if (tls_ != nullptr) {
        n = tls_->Read(buffer_, sizeof(buffer_), read_timeout_);
      } else {
        if (!WaitFor(fd_, POLLIN, read_timeout_)) return -1;
        do {
          n = ::recv(fd_, buffer_, sizeof(buffer_), 0);
        } while (n < 0 && errno == EINTR);
      }
      if (n <= 0) return n;
      pos_ = 0;
      len_ = static_cast<std::size_t>(n);
    }
    std::size_t n = std::min(size, len_ - pos_);
    std::copy_n(buffer_ + pos_, n, ptr);
    pos_ += n;
    return static_cast<ssize_t>(n);
  }
  ssize_t write(const char* ptr, size_t size) override {
    if (fault_ != Reply::Fault::kNone) return -1;
    return SendAll(ptr, size) ? static_cast<ssize_t>(size) : -1;
  }
  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    Address(::getpeername, ip, port);
  }
  void get_local_ip_and_port(std::string& ip, int& port) const override {
    Address(::getsockname, ip, port);
  }
  socket_t socket() const override { return fd_; }

  void SetFault(Reply::Fault fault, std::string raw) {
    fault_ = fault;
    raw_ = std::move(raw);
  }
  Reply::Fault fault() const { return fault_; }

  // Ends the connection (and closes the socket) as the fault says. Over TLS
  // a reset is still a bare RST, raw bytes travel inside TLS records, and
  // every other ending sends close_notify before the FIN.
  void Finish() {
    switch (fault_) {
      case Reply::Fault::kReset: {
        // Closing with a zero linger time sends RST instead of FIN.
        linger l{1, 0};
        ::setsockopt(fd_, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
        break;
      }
      case Reply::Fault::kRawBytes:
        SendAll(raw_.data(), raw_.size());
        if (tls_ != nullptr) tls_->SendCloseNotify();
        ::shutdown(fd_, SHUT_RDWR);
        break;
      default:
        if (tls_ != nullptr) tls_->SendCloseNotify();
        ::shutdown(fd_, SHUT_RDWR);
        break;
    }
    ::close(fd_);
  }

 private:
  bool SendAll(const char* p, std::size_t n) {
    if (tls_ != nullptr) {
      return tls_->WriteAll(p, n, std::chrono::milliseconds(5000));
    }
    while (n > 0) {
      if (!WaitFor(fd_, POLLOUT, std::chrono::milliseconds(5000))) return false;
      ssize_t w = ::send(fd_, p, n, MSG_NOSIGNAL);
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) return false;
      p += w;
      n -= static_cast<std::size_t>(w);
    }
    return true;
  }
  template <class GetName>
  void Address(GetName get, std::string& ip, int& port) const {
    sockaddr_in addr{};
    socklen_t len = sizeof(addr);
    if (get(fd_, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
      char text[INET_ADDRSTRLEN] = {};
      ::inet_ntop(AF_INET, &addr.sin_addr, text, sizeof(text));
      ip = text;
      port = ntohs(addr.sin_port);
    }
  }

  int fd_;
  std::chrono::milliseconds read_timeout_;
  TlsSession* tls_;  // null for plain HTTP
  Reply::Fault fault_ = Reply::Fault::kNone;
  std::string raw_;
  char buffer_[4096];
  std::size_t pos_ = 0;
  std::size_t len_ = 0;
};

}  // namespace

void SetCurrentConnectionFault(Reply::Fault fault, std::string raw) {
  current_connection->SetFault(fault, std::move(raw));
}

bool ConnectionServer::process_and_close_socket(socket_t sock) {
  // cpp-httplib writes a response's headers and body separately; with
  // Nagle the second write waits for the client's delayed ACK (~40 ms on
  // every keep-alive response).
  const int one = 1;
  ::setsockopt(sock, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  std::optional<TlsSession> session;
  if (tls_ != nullptr) session.emplace(*tls_, sock);
  ConnectionStream stream(sock, read_timeout_, session ? &*session : nullptr);
  if (session && !session->Accept(read_timeout_, stopping_)) {
    // A client that rejects the certificate, or does not speak TLS.
    stream.Finish();
    return false;
  }
  current_connection = &stream;
  bool ok = false;
  for (std::size_t left = keep_alive_max_count_; left > 0; --left) {
    if (!stream.HasBuffered() && !WaitForNextRequest(sock)) break;
    bool connection_closed = false;
    ok = process_request(stream, left == 1, connection_closed, nullptr);
    if (!ok || connection_closed || stream.fault() != Reply::Fault::kNone) {
      break;
    }
  }
  current_connection = nullptr;
  stream.Finish();
  return ok;
}

// Keep-alive wait in short slices, so Stop() is not held up by idle
// connections.
bool ConnectionServer::WaitForNextRequest(int sock) {
  auto deadline = std::chrono::steady_clock::now() + read_timeout_;
  while (!stopping_ && svr_sock_ != INVALID_SOCKET) {
    if (WaitFor(sock, POLLIN, std::chrono::milliseconds(50))) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
  }
  return false;
}

}  // namespace perfcheck::contract::internal
