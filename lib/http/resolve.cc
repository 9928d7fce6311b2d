#include "http/resolve.h"

#include <netdb.h>

#include <cstring>
#include <string>

namespace perfcheck::http::internal {

Status Resolve(const Target& target, sockaddr_storage* addr, socklen_t* len) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  const std::string port = std::to_string(target.port());
  const int rc = getaddrinfo(target.host().c_str(), port.c_str(), &hints, &res);
  if (rc != 0 || res == nullptr) {
    return Status::Error(target.host() + ":" + port +
                         ": cannot resolve host (" + gai_strerror(rc) + ")");
  }
  std::memcpy(addr, res->ai_addr, res->ai_addrlen);
  *len = res->ai_addrlen;
  freeaddrinfo(res);
  return Status();
}

}  // namespace perfcheck::http::internal
