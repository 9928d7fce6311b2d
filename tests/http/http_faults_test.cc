// The load engine against faulty servers: every fault is classified and
// counted, nothing crashes or hangs, and each run ends within its bound.
// Also: coordinated-omission correction and TLS.
#include <httplib.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509v3.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <thread>

#include "gtest/gtest.h"
#include "perfcheck/http/load.h"
#include "test_servers.h"

namespace perfcheck::http {
namespace {

using namespace std::chrono_literals;
using testing::RawServer;

struct Timed {
  HttpLoadResult result;
  std::chrono::steady_clock::duration took;
};

Timed RunLoad(const std::string& url, LoadOptions o,
              std::vector<Request> reqs = {Request::Get("/")}) {
  const auto start = std::chrono::steady_clock::now();
  HttpLoadResult r = Load(Target(url), reqs, o);
  return {std::move(r), std::chrono::steady_clock::now() - start};
}

std::uint64_t Count(const Result& r, const std::string& category) {
  auto it = r.errors.find(category);
  return it == r.errors.end() ? 0 : it->second.count;
}

TEST(HttpFaultsTest, ConnectionRefused) {
  const std::string url =
      "http://127.0.0.1:" + std::to_string(testing::RefusedPort());
  Timed t = RunLoad(url, {.connections = 2, .duration = 500ms});
  EXPECT_LT(t.took, 3s);
  EXPECT_EQ(t.result.aggregate.OkCount(), 0u);
  EXPECT_GT(Count(t.result.aggregate, "connect"), 0u);
  // The back-off keeps a dead server from being hammered: 2 connections,
  // 10 ms back-off, 0.5 s -> about 100 attempts, never thousands.
  EXPECT_LT(Count(t.result.aggregate, "connect"), 400u);
  EXPECT_NE(t.result.aggregate.errors.at("connect").examples[0].find("refused"),
            std::string::npos);
  EXPECT_FALSE(CheckConnection(Target(url), 1s).ok());
  EXPECT_NE(CheckConnection(Target(url), 1s).message().find("127.0.0.1"),
            std::string::npos);
}

TEST(HttpFaultsTest, UnresolvableHostIsOneConnectError) {
  Timed t = RunLoad("http://no-such-host.invalid", {.duration = 5s});
  EXPECT_LT(t.took, 5s);
  EXPECT_EQ(Count(t.result.aggregate, "connect"), 1u);
}

TEST(HttpFaultsTest, ResetMidResponse) {
  RawServer server([](int fd) {
    if (!RawServer::ReadRequest(fd)) return;
    RawServer::SendAll(fd, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nabc");
    std::this_thread::sleep_for(20ms);
    RawServer::Reset(fd);
  });
  Timed t = RunLoad(server.url(),
                    {.connections = 1, .duration = 5s, .max_requests = 5});
  EXPECT_LT(t.took, 4s);
  EXPECT_EQ(Count(t.result.aggregate, "reset"), 5u);
  EXPECT_EQ(t.result.aggregate.OkCount(), 0u);
}

TEST(HttpFaultsTest, NeverAnsweringTimesOut) {
  RawServer server([](int fd) {
    RawServer::ReadRequest(fd);
    RawServer::ReadRequest(fd);  // blocks until the client or the server goes
  });
  Timed t = RunLoad(server.url(), {.connections = 2,
                                   .duration = 5s,
                                   .max_requests = 4,
                                   .request_timeout = 200ms});
  EXPECT_LT(t.took, 3s);
  EXPECT_EQ(Count(t.result.aggregate, "timeout"), 4u);
  EXPECT_NE(t.result.aggregate.errors.at("timeout").examples[0].find("200 ms"),
            std::string::npos);
}

TEST(HttpFaultsTest, DurationBoundsARunAgainstAHungServer) {
  RawServer server([](int fd) {
    RawServer::ReadRequest(fd);
    RawServer::ReadRequest(fd);
  });
  Timed t = RunLoad(server.url(), {.connections = 3, .duration = 300ms});
  EXPECT_LT(t.took, 2s);
  // Requests still in flight at the end are abandoned, not counted.
  EXPECT_EQ(t.result.aggregate.TotalCount(), 0u);
}

TEST(HttpFaultsTest, MalformedStatusLine) {
  RawServer server([](int fd) {
    while (RawServer::ReadRequest(fd))
      RawServer::SendAll(fd, "HTTP/1.1 OK\r\n\r\n");
  });
  Timed t = RunLoad(server.url(), {.connections = 1, .max_requests = 3});
  EXPECT_EQ(Count(t.result.aggregate, "protocol"), 3u);
  EXPECT_NE(t.result.aggregate.errors.at("protocol")
                .examples[0]
                .find("malformed status line"),
            std::string::npos);
}

TEST(HttpFaultsTest, GarbageChunkedEncoding) {
  RawServer server([](int fd) {
    while (RawServer::ReadRequest(fd)) {
      RawServer::SendAll(
          fd, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nxx");
    }
  });
  Timed t = RunLoad(server.url(), {.connections = 1, .max_requests = 3});
  EXPECT_EQ(Count(t.result.aggregate, "protocol"), 3u);
}

void SendHugeBody(int fd) {
  constexpr std::uint64_t kSize = 100ull << 20;  // 100 MiB
  while (RawServer::ReadRequest(fd)) {
    RawServer::SendAll(fd, "HTTP/1.1 200 OK\r\nContent-Length: " +
                               std::to_string(kSize) + "\r\n\r\n");
    const std::string block(1 << 20, 'x');
    for (std::uint64_t sent = 0; sent < kSize; sent += block.size()) {
      if (send(fd, block.data(), block.size(), MSG_NOSIGNAL) <= 0) return;
    }
  }
}

TEST(HttpFaultsTest, HundredMegabyteBody) {
  RawServer server(SendHugeBody);
  Timed t =
      RunLoad(server.url(),
              {.connections = 1, .max_requests = 1, .request_timeout = 60s});
  EXPECT_EQ(t.result.aggregate.OkCount(), 1u);
  EXPECT_GE(t.result.bytes_received, 100ull << 20);
  // With a body limit the same response is a protocol error.
  Timed limited = RunLoad(
      server.url(),
      {.connections = 1, .max_requests = 1, .max_body_bytes = 10 << 20});
  EXPECT_EQ(Count(limited.result.aggregate, "protocol"), 1u);
}

TEST(HttpFaultsTest, RateLimitAndUnavailableBursts) {
  // Every 4th response is 200; the rest alternate 429 and 503 bursts.
  RawServer server([](int fd) {
    for (int i = 0; RawServer::ReadRequest(fd); ++i) {
      const char* status = i % 4 == 0 ? "200 OK"
                           : i % 2    ? "429 Too Many Requests"
                                      : "503 Service Unavailable";
      RawServer::SendAll(fd, std::string("HTTP/1.1 ") + status +
                                 "\r\nContent-Length: 2\r\n\r\nno");
    }
  });
  Timed t = RunLoad(server.url(), {.connections = 1, .max_requests = 40});
  EXPECT_EQ(t.result.status_codes.at(200), 10u);
  EXPECT_EQ(t.result.status_codes.at(429), 20u);
  EXPECT_EQ(t.result.status_codes.at(503), 10u);
  EXPECT_EQ(Count(t.result.aggregate, "status_4xx"), 20u);
  EXPECT_EQ(Count(t.result.aggregate, "status_5xx"), 10u);
}

TEST(HttpFaultsTest, ReconnectsAfterServerClose) {
  // One response per connection, without announcing the close.
  RawServer server([](int fd) {
    if (RawServer::ReadRequest(fd)) {
      RawServer::SendAll(fd, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    }
    shutdown(fd, SHUT_RDWR);
  });
  Timed t = RunLoad(server.url(), {.connections = 2, .max_requests = 20});
  EXPECT_EQ(t.result.aggregate.OkCount(), 20u);
  EXPECT_EQ(t.result.aggregate.ErrorCount(), 0u);
  EXPECT_GE(t.result.connections_opened, 20u);
}

TEST(HttpFaultsTest, ConnectionCloseAndUntilCloseBodies) {
  RawServer server([](int fd) {
    if (RawServer::ReadRequest(fd)) {
      RawServer::SendAll(fd, "HTTP/1.0 200 OK\r\n\r\nbody until close");
    }
    shutdown(fd, SHUT_RDWR);
  });
  Timed t = RunLoad(server.url(), {.connections = 1, .max_requests = 5},
                    {Request::Get("/").ExpectBody([](std::string_view b) {
                      return b == "body until close";
                    })});
  EXPECT_EQ(t.result.aggregate.OkCount(), 5u);
}

// Stalls every response for 500 ms every 2 s: during [1.0 s, 1.5 s) of each
// 2 s cycle (counted from the server's start) responses wait for the stall
// to end.
class StallingServer {
 public:
  StallingServer()
      : start_(std::chrono::steady_clock::now()),
        server_([this](int fd) { Serve(fd); }) {}
  std::string url() const { return server_.url(); }

 private:
  void Serve(int fd) {
    while (RawServer::ReadRequest(fd)) {
      const auto now = std::chrono::steady_clock::now() - start_;
      const auto in_cycle = now % 2s;
      if (in_cycle >= 1s && in_cycle < 1500ms)
        std::this_thread::sleep_for(1500ms - in_cycle);
      RawServer::SendAll(fd, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    }
  }
  std::chrono::steady_clock::time_point start_;
  RawServer server_;
};

TEST(HttpCoordinatedOmissionTest, CorrectedPercentilesShowTheStall) {
  StallingServer server;
  // Open model, 200 req/s for 4 s: two stalls, each delaying ~100 due
  // requests by up to 500 ms, i.e. ~25% of all requests are slow.
  HttpLoadResult open = Load(Target(server.url()), {Request::Get("/")},
                             {.connections = 2, .duration = 4s, .rate = 200});
  // Closed model, same server, same connections: only the requests in flight
  // when a stall begins (2 per stall) see it.
  HttpLoadResult closed = Load(Target(server.url()), {Request::Get("/")},
                               {.connections = 2, .duration = 4s});

  const Nanos corrected_p99 = open.aggregate.latency.Percentile(99);
  const Nanos uncorrected_p99 = open.uncorrected.Percentile(99);
  const Nanos closed_p99 = closed.aggregate.latency.Percentile(99);
  EXPECT_GT(corrected_p99, 300'000'000) << "the stall is hundreds of ms";
  EXPECT_LT(corrected_p99, 1'000'000'000);
  EXPECT_LT(uncorrected_p99 * 4, corrected_p99);
  EXPECT_LT(closed_p99 * 4, corrected_p99);
  EXPECT_GT(open.late_sends, 50u)
      << "due requests waited for a free connection";
  EXPECT_EQ(open.aggregate.ErrorCount(), 0u);
  EXPECT_GT(closed.aggregate.OkCount(), 400u);
}

// A self-signed certificate for 127.0.0.1, written to a temporary directory.
class SelfSignedCert {
 public:
  SelfSignedCert() {
    dir_ = std::filesystem::temp_directory_path() /
           ("perfcheck_tls_" + std::to_string(::getpid()) + "_" +
            std::to_string(reinterpret_cast<std::uintptr_t>(this)));
    std::filesystem::create_directories(dir_);
    EVP_PKEY* key = EVP_RSA_gen(2048);
    X509* x = X509_new();
    ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
    X509_gmtime_adj(X509_getm_notBefore(x), -3600);
    X509_gmtime_adj(X509_getm_notAfter(x), 3600);
    X509_set_pubkey(x, key);
    X509_NAME* name = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(
        name, "CN", MBSTRING_ASC,
        reinterpret_cast<const unsigned char*>("127.0.0.1"), -1, -1, 0);
    X509_set_issuer_name(x, name);
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, x, x, nullptr, nullptr, 0);
    X509_EXTENSION* san = X509V3_EXT_conf_nid(
        nullptr, &ctx, NID_subject_alt_name, "IP:127.0.0.1");
    X509_add_ext(x, san, -1);
    X509_EXTENSION_free(san);
    X509_EXTENSION* bc = X509V3_EXT_conf_nid(
        nullptr, &ctx, NID_basic_constraints, "critical,CA:TRUE");
    X509_add_ext(x, bc, -1);
    X509_EXTENSION_free(bc);
    X509_sign(x, key, EVP_sha256());
    FILE* f = std::fopen(cert_path().c_str(), "w");
    PEM_write_X509(f, x);
    std::fclose(f);
    f = std::fopen(key_path().c_str(), "w");
    PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr);
    std::fclose(f);
    X509_free(x);
    EVP_PKEY_free(key);
  }
  ~SelfSignedCert() { std::filesystem::remove_all(dir_); }
  std::string cert_path() const { return (dir_ / "cert.pem").string(); }
  std::string key_path() const { return (dir_ / "key.pem").string(); }

 private:
  std::filesystem::path dir_;
};

TEST(HttpTlsTest, VerificationFailureIsClassifiedAndInsecureWorks) {
  SelfSignedCert cert;
  httplib::SSLServer server(cert.cert_path().c_str(), cert.key_path().c_str());
  ASSERT_TRUE(server.is_valid());
  server.set_tcp_nodelay(true);
  server.Get("/", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("tls ok", "text/plain");
  });
  const int port = server.bind_to_any_port("127.0.0.1");
  std::thread th([&] { server.listen_after_bind(); });
  while (!server.is_running()) std::this_thread::sleep_for(1ms);
  const std::string url = "https://127.0.0.1:" + std::to_string(port);

  HttpLoadResult verified =
      Load(Target(url), {Request::Get("/")},
           {.connections = 1, .duration = 2s, .max_requests = 3});
  EXPECT_EQ(verified.aggregate.OkCount(), 0u);
  ASSERT_GT(Count(verified.aggregate, "tls"), 0u);
  EXPECT_NE(verified.aggregate.errors.at("tls").examples[0].find("certificate"),
            std::string::npos);
  EXPECT_FALSE(CheckConnection(Target(url), 2s).ok());

  HttpLoadResult insecure = Load(Target(url).Insecure(), {Request::Get("/")},
                                 {.connections = 2, .max_requests = 10});
  EXPECT_EQ(insecure.aggregate.OkCount(), 10u);
  EXPECT_EQ(insecure.aggregate.config.at("tls_verify"), "off");
  EXPECT_TRUE(CheckConnection(Target(url).Insecure(), 2s).ok());

  // Trusting the certificate explicitly verifies it (name = IP SAN).
  HttpLoadResult trusted =
      Load(Target(url).CaFile(cert.cert_path()), {Request::Get("/")},
           {.connections = 1, .max_requests = 5});
  EXPECT_EQ(trusted.aggregate.OkCount(), 5u);

  server.stop();
  th.join();
}

}  // namespace
}  // namespace perfcheck::http
