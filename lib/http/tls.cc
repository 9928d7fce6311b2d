#include "http/tls.h"

#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <cerrno>
#include <cstring>

namespace perfcheck::http::internal {
namespace {

bool IsIpLiteral(const std::string& host) {
  unsigned char buf[16];
  return inet_pton(AF_INET, host.c_str(), buf) == 1 ||
         inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

std::string LastSslError() {
  const unsigned long e = ERR_get_error();
  ERR_clear_error();
  if (e == 0) return errno != 0 ? std::strerror(errno) : "unknown TLS error";
  char buf[256];
  ERR_error_string_n(e, buf, sizeof buf);
  return buf;
}

TlsIo Classify(ssl_st* ssl, int rc, std::string* error) {
  const int err = SSL_get_error(ssl, rc);
  switch (err) {
    case SSL_ERROR_WANT_READ:
      return TlsIo::kWantRead;
    case SSL_ERROR_WANT_WRITE:
      return TlsIo::kWantWrite;
    case SSL_ERROR_ZERO_RETURN:
      return TlsIo::kClosed;
    case SSL_ERROR_SYSCALL:
      if (ERR_peek_error() == 0 && (errno == 0 || rc == 0)) {
        ERR_clear_error();
        return TlsIo::kClosed;  // EOF without close_notify
      }
      [[fallthrough]];
    default:
      if (error) {
        const long verify = SSL_get_verify_result(ssl);
        if (verify != X509_V_OK) {
          *error = std::string("certificate verification failed: ") +
                   X509_verify_cert_error_string(verify);
          ERR_clear_error();
        } else {
          *error = LastSslError();
        }
      } else {
        ERR_clear_error();
      }
      return TlsIo::kError;
  }
}

}  // namespace

StatusOr<std::shared_ptr<TlsClient>> TlsClient::Create(const Target& target) {
  std::shared_ptr<TlsClient> c(new TlsClient());
  c->ctx_ = SSL_CTX_new(TLS_client_method());
  if (c->ctx_ == nullptr) return Status::Error("TLS: " + LastSslError());
  SSL_CTX_set_min_proto_version(c->ctx_, TLS1_2_VERSION);
  c->verify_ = !target.insecure();
  if (c->verify_) {
    SSL_CTX_set_verify(c->ctx_, SSL_VERIFY_PEER, nullptr);
    SSL_CTX_set_default_verify_paths(c->ctx_);
  } else {
    SSL_CTX_set_verify(c->ctx_, SSL_VERIFY_NONE, nullptr);
  }
  if (!target.ca_file().empty() &&
      SSL_CTX_load_verify_locations(c->ctx_, target.ca_file().c_str(),
                                    nullptr) != 1) {
    return Status::Error("CA file '" + target.ca_file() +
                         "': " + LastSslError());
  }
  // With a Host override the certificate is expected to match that name.
  std::string name = target.host();
  const std::string host_header = target.HostHeaderValue();
  if (host_header != target.host() &&
      host_header.find(':') == std::string::npos && !host_header.empty() &&
      host_header.front() != '[') {
    name = host_header;
  }
  c->verify_host_ = name;
  c->sni_ = IsIpLiteral(name) ? "" : name;
  return c;
}

TlsClient::~TlsClient() {
  if (ctx_ != nullptr) SSL_CTX_free(ctx_);
}

ssl_st* TlsClient::NewSession(int fd) const {
  SSL* ssl = SSL_new(ctx_);
  if (ssl == nullptr) return nullptr;
  SSL_set_fd(ssl, fd);
  SSL_set_connect_state(ssl);
  if (!sni_.empty()) SSL_set_tlsext_host_name(ssl, sni_.c_str());
  if (verify_) {
    if (IsIpLiteral(verify_host_)) {
      X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), verify_host_.c_str());
    } else {
      SSL_set1_host(ssl, verify_host_.c_str());
    }
  }
  return ssl;
}

void TlsClient::FreeSession(ssl_st* ssl) {
  if (ssl != nullptr) SSL_free(ssl);
}

TlsIo TlsClient::Handshake(ssl_st* ssl, std::string* error) {
  errno = 0;
  const int rc = SSL_do_handshake(ssl);
  if (rc == 1) return TlsIo::kOk;
  TlsIo io = Classify(ssl, rc, error);
  if (io == TlsIo::kClosed) {
    if (error) *error = "connection closed during TLS handshake";
    return TlsIo::kError;
  }
  return io;
}

TlsIo TlsClient::Read(ssl_st* ssl, char* buf, std::size_t n, std::size_t* done,
                      std::string* error) {
  errno = 0;
  const int rc = SSL_read_ex(ssl, buf, n, done);
  if (rc == 1) return TlsIo::kOk;
  return Classify(ssl, rc, error);
}

TlsIo TlsClient::Write(ssl_st* ssl, const char* buf, std::size_t n,
                       std::size_t* done, std::string* error) {
  errno = 0;
  const int rc = SSL_write_ex(ssl, buf, n, done);
  if (rc == 1) return TlsIo::kOk;
  return Classify(ssl, rc, error);
}

bool TlsClient::Pending(ssl_st* ssl) { return SSL_pending(ssl) > 0; }

}  // namespace perfcheck::http::internal
