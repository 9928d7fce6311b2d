// A raw-socket HTTP exchange for tests that must control every byte sent
// (exact percent-encoding) or observe how a connection ended (reset vs close).
#ifndef PERFCHECK_TESTS_CONTRACT_RAW_HTTP_H_
#define PERFCHECK_TESTS_CONTRACT_RAW_HTTP_H_

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <string>

namespace perfcheck::contract::test {

struct RawExchange {
  std::string received;  // every byte the server sent
  int error = 0;         // errno of the failing recv (ECONNRESET), 0 on EOF
  bool timed_out = false;
  bool connected = false;
};

// Sends `request` to 127.0.0.1:`port` and reads until EOF, error or timeout.
inline RawExchange SendRaw(
    int port, const std::string& request,
    std::chrono::milliseconds timeout = std::chrono::milliseconds(5000)) {
  RawExchange out;
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    out.error = errno;
    ::close(fd);
    return out;
  }
  out.connected = true;
  ::send(fd, request.data(), request.size(), MSG_NOSIGNAL);
  auto deadline = std::chrono::steady_clock::now() + timeout;
  char buf[4096];
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    pollfd p{fd, POLLIN, 0};
    if (left.count() <= 0 ||
        ::poll(&p, 1, static_cast<int>(left.count())) <= 0) {
      out.timed_out = true;
      break;
    }
    ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
    if (n > 0) {
      out.received.append(buf, static_cast<std::size_t>(n));
    } else {
      if (n < 0) out.error = errno;
      break;
    }
  }
  ::close(fd);
  return out;
}

// "GET <target> HTTP/1.1" with Host and Connection: close, plus extra header
// lines ("Name: value\r\n" each) and a body.
inline std::string RawRequest(const std::string& method,
                              const std::string& target,
                              const std::string& extra_headers = "",
                              const std::string& body = "") {
  std::string r = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" +
                  "Connection: close\r\n" + extra_headers;
  if (!body.empty() || method == "POST" || method == "PUT") {
    r += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  }
  return r + "\r\n" + body;
}

}  // namespace perfcheck::contract::test

#endif  // PERFCHECK_TESTS_CONTRACT_RAW_HTTP_H_
