// Internal: TLS for MockServer — a self-signed certificate generated in memory
// and the server side of one TLS connection over a socket. OpenSSL types stay
// in this header, which only lib/contract/*.cc include.
#ifndef PERFCHECK_LIB_CONTRACT_TLS_H_
#define PERFCHECK_LIB_CONTRACT_TLS_H_

#include <openssl/ssl.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

namespace perfcheck::contract::internal {

// A server SSL_CTX holding a fresh self-signed certificate: EC P-256 key,
// subject CN=localhost, subjectAltName IP:127.0.0.1 and DNS:localhost, valid
// from 5 minutes ago (clock skew) for one day. Thread-safe after construction.
class SelfSignedTls {
 public:
  // Throws std::runtime_error naming the OpenSSL step that failed.
  SelfSignedTls();
  ~SelfSignedTls();
  SelfSignedTls(const SelfSignedTls&) = delete;
  SelfSignedTls& operator=(const SelfSignedTls&) = delete;

  const std::string& certificate_pem() const { return certificate_pem_; }
  SSL_CTX* context() const { return ctx_; }

 private:
  SSL_CTX* ctx_ = nullptr;
  std::string certificate_pem_;
};

// The server end of one TLS connection on a connected socket, which it
// switches to non-blocking so every wait is a poll() with a timeout.
// Not thread-safe (one connection, one worker thread).
class TlsSession {
 public:
  TlsSession(const SelfSignedTls& tls, int fd);
  ~TlsSession();
  TlsSession(const TlsSession&) = delete;
  TlsSession& operator=(const TlsSession&) = delete;

  // The TLS handshake; false on failure, on `timeout` or when `stopping`.
  bool Accept(std::chrono::milliseconds timeout,
              const std::atomic<bool>& stopping);
  // Decrypted bytes already buffered, readable without waiting on the socket.
  bool HasPending() const;
  // Like recv(): > 0 bytes read, 0 on close_notify or EOF, -1 on error or
  // when nothing arrives within `timeout`.
  long Read(char* out, std::size_t size, std::chrono::milliseconds timeout);
  // Writes all of `size` bytes; false on error or timeout.
  bool WriteAll(const char* data, std::size_t size,
                std::chrono::milliseconds timeout);
  // Sends close_notify (the TLS counterpart of FIN); best effort.
  void SendCloseNotify();

 private:
  // Waits for what the last SSL_get_error() result `error` asks for.
  bool WaitFor(int error, std::chrono::milliseconds timeout) const;

  SSL* ssl_ = nullptr;
  int fd_;
  bool unblock_pipe_ = false;  // SIGPIPE was blocked by this session
};

}  // namespace perfcheck::contract::internal

#endif  // PERFCHECK_LIB_CONTRACT_TLS_H_
