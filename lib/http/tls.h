// TLS client side of the load engine (internal). OpenSSL stays inside tls.cc:
// this header only forward-declares its types.
#ifndef PERFCHECK_LIB_HTTP_TLS_H_
#define PERFCHECK_LIB_HTTP_TLS_H_

#include <cstddef>
#include <memory>
#include <string>

#include "perfcheck/http/target.h"
#include "perfcheck/status.h"

struct ssl_st;
struct ssl_ctx_st;

namespace perfcheck::http::internal {

// Result of a non-blocking TLS operation.
enum class TlsIo { kOk, kWantRead, kWantWrite, kClosed, kError };

// One SSL_CTX for a run, shared by all threads (SSL_new is thread-safe).
class TlsClient {
 public:
  // Loads the trust store (and the target's CA file); verification follows
  // target.insecure(). The error names the CA file.
  static StatusOr<std::shared_ptr<TlsClient>> Create(const Target& target);
  ~TlsClient();
  TlsClient(const TlsClient&) = delete;
  TlsClient& operator=(const TlsClient&) = delete;

  // A new session on connected socket `fd`; nullptr on failure.
  ssl_st* NewSession(int fd) const;
  static void FreeSession(ssl_st* ssl);
  // Drives the handshake; on kError *error says why (certificate problems
  // included).
  static TlsIo Handshake(ssl_st* ssl, std::string* error);
  // Reads/writes up to n bytes; *done is the byte count on kOk.
  static TlsIo Read(ssl_st* ssl, char* buf, std::size_t n, std::size_t* done,
                    std::string* error);
  static TlsIo Write(ssl_st* ssl, const char* buf, std::size_t n,
                     std::size_t* done, std::string* error);
  // Bytes already decrypted and buffered inside the session.
  static bool Pending(ssl_st* ssl);

 private:
  TlsClient() = default;
  ssl_ctx_st* ctx_ = nullptr;
  std::string sni_;          // server name sent and verified ("" for IPs)
  std::string verify_host_;  // name or IP the certificate must match
  bool verify_ = true;
};

}  // namespace perfcheck::http::internal

#endif  // PERFCHECK_LIB_HTTP_TLS_H_
