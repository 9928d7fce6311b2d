// Servers for the HTTP engine tests: every one binds 127.0.0.1 on an
// ephemeral port and is ready when its constructor returns.
#ifndef PERFCHECK_TESTS_HTTP_TEST_SERVERS_H_
#define PERFCHECK_TESTS_HTTP_TEST_SERVERS_H_

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <functional>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace perfcheck::http::testing {

// A thread-per-connection TCP server running `handler(fd)` for each client;
// for faults cpp-httplib cannot produce (resets, garbage, stalls).
class RawServer {
 public:
  explicit RawServer(std::function<void(int fd)> handler)
      : handler_(std::move(handler)) {
    listen_fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    const int one = 1;
    setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
        listen(listen_fd_, 128) != 0) {
      throw std::runtime_error("RawServer: bind/listen failed");
    }
    socklen_t len = sizeof a;
    getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    acceptor_ = std::thread([this] {
      for (;;) {
        const int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd < 0) return;  // listening socket shut down
        std::lock_guard<std::mutex> lock(mu_);
        if (stopping_) {
          close(fd);
          return;
        }
        ++accepted_;
        clients_.push_back(fd);
        workers_.emplace_back([this, fd] { handler_(fd); });
      }
    });
  }
  ~RawServer() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopping_ = true;
      for (int fd : clients_) shutdown(fd, SHUT_RDWR);  // unblocks handlers
    }
    shutdown(listen_fd_, SHUT_RDWR);
    acceptor_.join();
    for (std::thread& t : workers_) t.join();
    for (int fd : clients_) close(fd);
    close(listen_fd_);
  }
  int port() const { return port_; }
  int accepted() const { return accepted_.load(); }
  std::string url() const {
    return "http://127.0.0.1:" + std::to_string(port_);
  }

  // Reads one request head (up to the blank line); false on EOF/error.
  static bool ReadRequest(int fd, std::string* head = nullptr) {
    std::string buf;
    char c;
    while (buf.size() < 65536) {
      const ssize_t n = recv(fd, &c, 1, 0);
      if (n <= 0) return false;
      buf += c;
      if (buf.size() >= 4 && buf.compare(buf.size() - 4, 4, "\r\n\r\n") == 0) {
        if (head) *head = buf;
        return true;
      }
    }
    return false;
  }
  static void SendAll(int fd, const std::string& s) {
    std::size_t off = 0;
    while (off < s.size()) {
      const ssize_t n = send(fd, s.data() + off, s.size() - off, MSG_NOSIGNAL);
      if (n <= 0) return;
      off += static_cast<std::size_t>(n);
    }
  }
  // Aborts the connection with a TCP RST.
  static void Reset(int fd) {
    linger l{1, 0};
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
    shutdown(fd, SHUT_RDWR);
  }

 private:
  std::function<void(int)> handler_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::thread acceptor_;
  std::mutex mu_;
  bool stopping_ = false;
  std::vector<int> clients_;
  std::vector<std::thread> workers_;
  std::atomic<int> accepted_{0};
};

// An unused port: bound then closed, so connecting to it is refused.
inline int RefusedPort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  close(fd);
  return ntohs(a.sin_port);
}

}  // namespace perfcheck::http::testing

#endif  // PERFCHECK_TESTS_HTTP_TEST_SERVERS_H_
