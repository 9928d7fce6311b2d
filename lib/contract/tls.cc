#include "tls.h"

#include <fcntl.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <stdexcept>

namespace perfcheck::contract::internal {

namespace {

[[noreturn]] void Fail(const std::string& step) {
  std::string detail;
  if (unsigned long e = ERR_get_error(); e != 0) {
    char text[256];
    ERR_error_string_n(e, text, sizeof(text));
    detail = std::string(": ") + text;
  }
  ERR_clear_error();
  throw std::runtime_error("MockServer TLS: " + step + " failed" + detail);
}

struct KeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct CertFree {
  void operator()(X509* p) const { X509_free(p); }
};
struct BioFree {
  void operator()(BIO* p) const { BIO_free(p); }
};
struct BnFree {
  void operator()(BIGNUM* p) const { BN_free(p); }
};

void AddExtension(X509* cert, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  if (ext == nullptr) Fail(std::string("certificate extension ") + value);
  int ok = X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
  if (ok != 1) Fail(std::string("adding extension ") + value);
}

}  // namespace

SelfSignedTls::SelfSignedTls() {
  std::unique_ptr<EVP_PKEY, KeyFree> key(EVP_EC_gen("P-256"));
  if (!key) Fail("EC P-256 key generation");

  std::unique_ptr<X509, CertFree> cert(X509_new());
  if (!cert || X509_set_version(cert.get(), 2) != 1) Fail("X509_new");
  // A random serial: clients that cache certificates by issuer and serial
  // must not confuse two MockServers' certificates.
  std::unique_ptr<BIGNUM, BnFree> serial(BN_new());
  if (!serial ||
      BN_rand(serial.get(), 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) != 1 ||
      BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert.get())) ==
          nullptr) {
    Fail("certificate serial number");
  }
  // Starts 5 minutes back so a client clock slightly behind still accepts it.
  if (X509_gmtime_adj(X509_getm_notBefore(cert.get()), -5 * 60) == nullptr ||
      X509_gmtime_adj(X509_getm_notAfter(cert.get()), 24 * 60 * 60) ==
          nullptr) {
    Fail("certificate validity");
  }
  X509_NAME* name = X509_get_subject_name(cert.get());
  const auto* cn = reinterpret_cast<const unsigned char*>("localhost");
  const auto* org =
      reinterpret_cast<const unsigned char*>("perfcheck MockServer");
  if (X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, org, -1, -1, 0) !=
          1 ||
      X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, cn, -1, -1, 0) !=
          1 ||
      X509_set_issuer_name(cert.get(), name) != 1 ||
      X509_set_pubkey(cert.get(), key.get()) != 1) {
    Fail("certificate subject");
  }
  // CA:FALSE: the certificate is trusted directly as its own anchor; strict
  // clients (rustls/webpki) refuse a CA certificate used as a server's.
  AddExtension(cert.get(), NID_basic_constraints, "critical,CA:FALSE");
  AddExtension(cert.get(), NID_subject_alt_name, "IP:127.0.0.1,DNS:localhost");
  AddExtension(cert.get(), NID_ext_key_usage, "serverAuth");
  AddExtension(cert.get(), NID_subject_key_identifier, "hash");
  if (X509_sign(cert.get(), key.get(), EVP_sha256()) <= 0) {
    Fail("certificate signing");
  }

  std::unique_ptr<BIO, BioFree> bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509(bio.get(), cert.get()) != 1) {
    Fail("PEM encoding");
  }
  char* pem = nullptr;
  long pem_len = BIO_get_mem_data(bio.get(), &pem);
  certificate_pem_.assign(pem, static_cast<std::size_t>(pem_len));

  ctx_ = SSL_CTX_new(TLS_server_method());
  if (ctx_ == nullptr) Fail("SSL_CTX_new");
  // A client that closes without close_notify is an ordinary EOF here, as
  // it is for plain HTTP.
  SSL_CTX_set_options(ctx_, SSL_OP_IGNORE_UNEXPECTED_EOF);
  if (SSL_CTX_set_min_proto_version(ctx_, TLS1_2_VERSION) != 1 ||
      SSL_CTX_use_certificate(ctx_, cert.get()) != 1 ||
      SSL_CTX_use_PrivateKey(ctx_, key.get()) != 1 ||
      SSL_CTX_check_private_key(ctx_) != 1) {
    SSL_CTX_free(ctx_);
    ctx_ = nullptr;
    Fail("loading the certificate into the TLS context");
  }
}

SelfSignedTls::~SelfSignedTls() { SSL_CTX_free(ctx_); }

TlsSession::TlsSession(const SelfSignedTls& tls, int fd) : fd_(fd) {
  int flags = ::fcntl(fd_, F_GETFL, 0);
  ::fcntl(fd_, F_SETFL, flags | O_NONBLOCK);
  // OpenSSL writes with write(), not send(MSG_NOSIGNAL): a client that hangs
  // up mid-response would raise SIGPIPE and kill the test binary. Blocking
  // it in this worker thread turns that into EPIPE, i.e. a failed write.
  sigset_t pipe;
  sigemptyset(&pipe);
  sigaddset(&pipe, SIGPIPE);
  sigset_t old;
  if (::pthread_sigmask(SIG_BLOCK, &pipe, &old) == 0 &&
      !sigismember(&old, SIGPIPE)) {
    unblock_pipe_ = true;
  }
  ssl_ = SSL_new(tls.context());
  if (ssl_ != nullptr) SSL_set_fd(ssl_, fd_);
}

TlsSession::~TlsSession() {
  SSL_free(ssl_);
  if (unblock_pipe_) {
    // Drop a SIGPIPE our writes raised before unblocking, so it is not
    // delivered to the process afterwards.
    sigset_t pipe;
    sigemptyset(&pipe);
    sigaddset(&pipe, SIGPIPE);
    sigset_t pending;
    if (::sigpending(&pending) == 0 && sigismember(&pending, SIGPIPE)) {
      timespec zero{0, 0};
      ::sigtimedwait(&pipe, nullptr, &zero);
    }
    ::pthread_sigmask(SIG_UNBLOCK, &pipe, nullptr);
  }
}

bool TlsSession::WaitFor(int error, std::chrono::milliseconds timeout) const {
  short events = 0;
  if (error == SSL_ERROR_WANT_READ) events = POLLIN;
  if (error == SSL_ERROR_WANT_WRITE) events = POLLOUT;
  if (events == 0) return false;
  if (timeout.count() < 0) return false;
  pollfd p{fd_, events, 0};
  int rc;
  do {
    rc = ::poll(&p, 1, static_cast<int>(timeout.count()));
  } while (rc < 0 && errno == EINTR);
  return rc > 0;
}

namespace {

std::chrono::milliseconds Left(std::chrono::steady_clock::time_point end) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
      end - std::chrono::steady_clock::now());
}

}  // namespace

bool TlsSession::Accept(std::chrono::milliseconds timeout,
                        const std::atomic<bool>& stopping) {
  if (ssl_ == nullptr) return false;
  auto end = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    ERR_clear_error();
    int rc = SSL_accept(ssl_);
    if (rc == 1) return true;
    int error = SSL_get_error(ssl_, rc);
    if (error != SSL_ERROR_WANT_READ && error != SSL_ERROR_WANT_WRITE) {
      // E.g. a client that does not trust the certificate sends an alert.
      ERR_clear_error();
      return false;
    }
    // Short slices, so Stop() is not held up by a silent client.
    auto slice = std::min(Left(end), std::chrono::milliseconds(50));
    if (stopping || slice.count() <= 0) return false;
    WaitFor(error, slice);
  }
}

bool TlsSession::HasPending() const {
  return ssl_ != nullptr && SSL_has_pending(ssl_) == 1;
}

long TlsSession::Read(char* out, std::size_t size,
                      std::chrono::milliseconds timeout) {
  auto end = std::chrono::steady_clock::now() + timeout;
  int want = static_cast<int>(std::min<std::size_t>(size, INT_MAX));
  for (;;) {
    ERR_clear_error();
    int n = SSL_read(ssl_, out, want);
    if (n > 0) return n;
    int error = SSL_get_error(ssl_, n);
    if (error == SSL_ERROR_ZERO_RETURN) return 0;
    if (!WaitFor(error, Left(end))) return -1;
  }
}

bool TlsSession::WriteAll(const char* data, std::size_t size,
                          std::chrono::milliseconds timeout) {
  auto end = std::chrono::steady_clock::now() + timeout;
  while (size > 0) {
    ERR_clear_error();
    int chunk = static_cast<int>(std::min<std::size_t>(size, INT_MAX));
    int n = SSL_write(ssl_, data, chunk);
    if (n > 0) {
      data += n;
      size -= static_cast<std::size_t>(n);
      continue;
    }
    // A retried SSL_write must repeat the same arguments, which it does.
    if (!WaitFor(SSL_get_error(ssl_, n), Left(end))) return false;
  }
  return true;
}

void TlsSession::SendCloseNotify() {
  if (ssl_ == nullptr) return;
  ERR_clear_error();
  SSL_shutdown(ssl_);
  ERR_clear_error();
}

}  // namespace perfcheck::contract::internal
