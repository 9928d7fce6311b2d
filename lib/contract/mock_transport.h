// The mock server's transport (internal): cpp-httplib's server with a
// connection loop of its own, so that a reply can end its connection with a
// fault, over plain TCP or TLS.
#ifndef PERFCHECK_LIB_CONTRACT_MOCK_TRANSPORT_H_
#define PERFCHECK_LIB_CONTRACT_MOCK_TRANSPORT_H_

#include <httplib.h>

#include <atomic>
#include <chrono>
#include <string>

#include "perfcheck/contract/reply.h"
#include "tls.h"

namespace perfcheck::contract::internal {

// cpp-httplib parses requests and writes responses; this subclass owns the
// connection loop so a handler can end its connection with a fault (reset,
// close, raw bytes), which cpp-httplib's own loop cannot do. It also does the
// TLS itself (instead of httplib::SSLServer, whose loop is just as closed),
// so every fault works over https too.
class ConnectionServer : public httplib::Server {
 public:
  // `stopping` and `tls` (null for plain HTTP) must outlive the server.
  ConnectionServer(std::chrono::milliseconds read_timeout,
                   const std::atomic<bool>& stopping, const SelfSignedTls* tls)
      : read_timeout_(read_timeout), stopping_(stopping), tls_(tls) {}

 private:
  bool process_and_close_socket(socket_t sock) override;
  bool WaitForNextRequest(int sock);

  std::chrono::milliseconds read_timeout_;
  const std::atomic<bool>& stopping_;
  const SelfSignedTls* tls_;  // null for plain HTTP
};

// Ends the connection the calling handler runs on the way `fault` says
// (raw: the bytes of Reply::Fault::kRawBytes). Only from a handler of a
// ConnectionServer, on its thread.
void SetCurrentConnectionFault(Reply::Fault fault, std::string raw);

}  // namespace perfcheck::contract::internal

#endif  // PERFCHECK_LIB_CONTRACT_MOCK_TRANSPORT_H_
