// MockServer over TLS, observed by real https clients (cpp-httplib's
// SSLClient, which verifies the certificate and the host name with OpenSSL).
#include <gtest/gtest.h>
#include <httplib.h>
#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>  // mkdtemp
#include <ctime>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>

#include "perfcheck/contract/check.h"
#include "perfcheck/contract/mock_server.h"
#include "raw_http.h"

#if PERFCHECK_TEST_HAVE_HTTP_LOAD
#include "perfcheck/http/load.h"
#endif

namespace perfcheck::contract {
namespace {

using namespace std::chrono_literals;

// A scratch directory per test, removed afterwards.
class TempDir {
 public:
  TempDir() {
    std::string pattern = ::testing::TempDir() + "perfcheck_tls_XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr) {
      throw std::runtime_error("mkdtemp failed: " + pattern);
    }
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

X509* ParsePem(const std::string& pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  return cert;
}

// A client that trusts exactly the server's certificate, from memory.
std::unique_ptr<httplib::SSLClient> TrustingClient(const MockServer& server) {
  auto c = std::make_unique<httplib::SSLClient>("127.0.0.1", server.port());
  X509_STORE* store = X509_STORE_new();
  X509* cert = ParsePem(server.CertificatePem());
  X509_STORE_add_cert(store, cert);
  X509_free(cert);
  c->set_ca_cert_store(store);  // the client owns it now
  c->enable_server_certificate_verification(true);
  c->set_connection_timeout(5, 0);
  c->set_read_timeout(5, 0);
  return c;
}

std::chrono::milliseconds Since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - t);
}

TEST(MockServerTlsTest, ServesHttpsOnAnEphemeralLoopbackPort) {
  MockServer a({.tls = true});
  MockServer b({.tls = true});
  EXPECT_GT(a.port(), 0);
  EXPECT_NE(a.port(), b.port());
  EXPECT_EQ(a.url(), "https://127.0.0.1:" + std::to_string(a.port()));
  // Each server has its own key and certificate.
  EXPECT_NE(a.CertificatePem(), b.CertificatePem());
}

TEST(MockServerTlsTest, PlainServerHasNoCertificate) {
  MockServer plain;
  EXPECT_EQ(plain.url().rfind("http://", 0), 0u);
  EXPECT_EQ(plain.CertificatePem(), "");
  EXPECT_THROW(plain.WriteCertificatePem("/tmp/never-written.pem"),
               std::invalid_argument);
}

TEST(MockServerTlsTest, CertificateNamesLocalhostAndLastsOneDay) {
  MockServer server({.tls = true});
  std::string pem = server.CertificatePem();
  ASSERT_EQ(pem.rfind("-----BEGIN CERTIFICATE-----", 0), 0u) << pem;
  X509* cert = ParsePem(pem);
  ASSERT_NE(cert, nullptr);
  EXPECT_EQ(X509_check_host(cert, "localhost", 0, 0, nullptr), 1);
  EXPECT_EQ(X509_check_ip_asc(cert, "127.0.0.1", 0), 1);
  EXPECT_NE(X509_check_host(cert, "example.com", 0, 0, nullptr), 1);
  EXPECT_EQ(X509_check_ca(cert), 0);  // CA:FALSE
  // Valid now, expired in 25 hours.
  std::time_t now = std::time(nullptr);
  EXPECT_EQ(X509_cmp_time(X509_get0_notBefore(cert), &now), -1);
  EXPECT_EQ(X509_cmp_time(X509_get0_notAfter(cert), &now), 1);
  std::time_t later = now + 25 * 3600;
  EXPECT_EQ(X509_cmp_time(X509_get0_notAfter(cert), &later), -1);
  EVP_PKEY* key = X509_get0_pubkey(cert);
  ASSERT_NE(key, nullptr);
  EXPECT_EQ(EVP_PKEY_get_base_id(key), EVP_PKEY_EC);
  X509_free(cert);
}

TEST(MockServerTlsTest, ClientTrustingThePemGetsTheStubAndIsRecorded) {
  MockServer server({.tls = true});
  server.Stub(GetRequest("/api/resource/Sales Order"),
              Reply(200).Json(R"({"data":[]})"), {.name = "list"});
  auto client = TrustingClient(server);
  auto res = client->Get("/api/resource/Sales%20Order?limit=5",
                         httplib::Headers{{"Authorization", "token k:s"}});
  ASSERT_TRUE(res) << httplib::to_string(res.error());
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body, R"({"data":[]})");
  auto recorded = server.requests();
  ASSERT_EQ(recorded.size(), 1u);
  EXPECT_EQ(recorded[0].method, "GET");
  EXPECT_EQ(recorded[0].path, "/api/resource/Sales Order");
  EXPECT_EQ(recorded[0].target, "/api/resource/Sales%20Order?limit=5");
  EXPECT_EQ(recorded[0].stub, "list");
  EXPECT_TRUE(server.unmatched_requests().empty());
}

TEST(MockServerTlsTest, CaFileWrittenByTheServerIsTrusted) {
  TempDir dir;
  MockServer server({.tls = true});
  server.Stub(AnyRequest(), Reply(204));
  const std::string ca = dir.path() + "/ca.pem";
  ASSERT_TRUE(server.WriteCertificatePem(ca).ok());
  std::ifstream in(ca);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_EQ(text.str(), server.CertificatePem());

  httplib::SSLClient client("127.0.0.1", server.port());
  client.set_ca_cert_path(ca);
  client.enable_server_certificate_verification(true);
  client.set_read_timeout(5, 0);
  auto res = client.Post("/x", "{}", "application/json");
  ASSERT_TRUE(res) << httplib::to_string(res.error());
  EXPECT_EQ(res->status, 204);
  EXPECT_EQ(server.requests().size(), 1u);
}

TEST(MockServerTlsTest, WriteCertificatePemReportsAnUnwritablePath) {
  MockServer server({.tls = true});
  Status s = server.WriteCertificatePem("/nonexistent-dir/ca.pem");
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("/nonexistent-dir/ca.pem"), std::string::npos)
      << s.message();
}

TEST(MockServerTlsTest, ClientThatDoesNotTrustTheCertificateFailsVerification) {
  MockServer server({.tls = true});
  server.Stub(AnyRequest(), Reply(200));
  // The system's CA certificates do not vouch for it.
  httplib::SSLClient system_ca("127.0.0.1", server.port());
  system_ca.enable_server_certificate_verification(true);
  system_ca.set_read_timeout(5, 0);
  auto res = system_ca.Get("/");
  ASSERT_FALSE(res);
  EXPECT_EQ(res.error(), httplib::Error::SSLServerVerification)
      << httplib::to_string(res.error());
  // Nor does another server's certificate.
  MockServer other({.tls = true});
  httplib::SSLClient wrong_ca("127.0.0.1", server.port());
  X509_STORE* store = X509_STORE_new();
  X509* cert = ParsePem(other.CertificatePem());
  X509_STORE_add_cert(store, cert);
  X509_free(cert);
  wrong_ca.set_ca_cert_store(store);
  wrong_ca.enable_server_certificate_verification(true);
  wrong_ca.set_read_timeout(5, 0);
  auto res2 = wrong_ca.Get("/");
  ASSERT_FALSE(res2);
  EXPECT_EQ(res2.error(), httplib::Error::SSLServerVerification);
  // The handshake never completed, so no request reached the server; and
  // the server is still healthy for a trusting client.
  EXPECT_TRUE(server.requests().empty());
  auto ok = TrustingClient(server)->Get("/");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
}

TEST(MockServerTlsTest, PlainHttpToATlsServerGetsNoHttpResponse) {
  MockServer server({.tls = true});
  auto got =
      test::SendRaw(server.port(), "GET / HTTP/1.1\r\nHost: x\r\n\r\n", 5000ms);
  ASSERT_TRUE(got.connected);
  EXPECT_EQ(got.received.find("HTTP/1.1"), std::string::npos);
  EXPECT_TRUE(server.requests().empty());
}

TEST(MockServerTlsTest, KeepAliveClientGetsEveryResponse) {
  MockServer server({.tls = true});
  server.Stub(AnyRequest(), Reply(200).Body("ok"));
  auto client = TrustingClient(server);
  client->set_keep_alive(true);
  for (int i = 0; i < 3; ++i) {
    auto res = client->Get("/n/" + std::to_string(i));
    ASSERT_TRUE(res) << httplib::to_string(res.error());
    EXPECT_EQ(res->body, "ok");
  }
  EXPECT_EQ(server.requests().size(), 3u);
}

TEST(MockServerTlsTest, SequencesDelayAndChunkedBodyWorkOverTls) {
  MockServer server({.tls = true});
  server.Stub(GetRequest("/retry"), {Reply(503), Reply(200).Body("second")});
  server.Stub(GetRequest("/slow"), Reply(200).Delay(300ms));
  server.Stub(GetRequest("/chunks"),
              Reply(200).Chunked({"a", "bb", "ccc"}, 20ms));
  auto client = TrustingClient(server);

  auto first = client->Get("/retry");
  auto second = client->Get("/retry");
  ASSERT_TRUE(first && second);
  EXPECT_EQ(first->status, 503);
  EXPECT_EQ(second->status, 200);
  EXPECT_EQ(second->body, "second");

  auto t0 = std::chrono::steady_clock::now();
  auto slow = client->Get("/slow");
  ASSERT_TRUE(slow);
  EXPECT_GE(Since(t0), 300ms);  // a lower bound only: no speed assumption

  auto chunked = client->Get("/chunks");
  ASSERT_TRUE(chunked) << httplib::to_string(chunked.error());
  EXPECT_EQ(chunked->body, "abbccc");
  EXPECT_EQ(chunked->get_header_value("Transfer-Encoding"), "chunked");
}

TEST(MockServerTlsTest, FaultsEndTheTlsConnectionWithoutAResponse) {
  MockServer server({.tls = true});
  server.Stub(GetRequest("/reset"), Reply::Reset());
  server.Stub(GetRequest("/close"), Reply::CloseWithoutResponse());
  for (const char* path : {"/reset", "/close"}) {
    auto res = TrustingClient(server)->Get(path);
    EXPECT_FALSE(res) << path;
    if (!res) {
      EXPECT_EQ(res.error(), httplib::Error::Read)
          << path << ": " << httplib::to_string(res.error());
    }
  }
  // Both requests arrived (the handshake succeeded) and were answered by
  // their stubs.
  EXPECT_EQ(server.requests().size(), 2u);
  EXPECT_TRUE(server.unmatched_requests().empty());
}

TEST(MockServerTlsTest, RawBytesTravelInsideTls) {
  MockServer server({.tls = true});
  server.Stub(GetRequest("/raw"),
              Reply::RawBytes("HTTP/1.1 299 Odd\r\nContent-Length: 3\r\n"
                              "Connection: close\r\n\r\nraw"));
  server.Stub(GetRequest("/truncated"),
              Reply::RawBytes("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n"
                              "\r\nonly-this"));
  auto raw = TrustingClient(server)->Get("/raw");
  ASSERT_TRUE(raw) << httplib::to_string(raw.error());
  EXPECT_EQ(raw->status, 299);
  EXPECT_EQ(raw->body, "raw");
  auto truncated = TrustingClient(server)->Get("/truncated");
  EXPECT_FALSE(truncated);
}

TEST(MockServerTlsTest, ContractCheckTrustsTheCaFileOrSkipsVerification) {
  TempDir dir;
  MockServer server({.tls = true});
  server.Stub(GetRequest("/api/method/ping"),
              Reply(200).Json(R"({"message":"pong"})"));
  const std::string ca = dir.path() + "/ca.pem";
  ASSERT_TRUE(server.WriteCertificatePem(ca).ok());

  auto trusted = Check(server.url() + "/api/method/ping")
                     .TrustCaFile(ca)
                     .Timeout(5000ms)
                     .ExpectStatus(200)
                     .ExpectContentType("application/json")
                     .ExpectJsonField("/message", JsonType::kString);
  CheckOutcome o = trusted.Once();
  EXPECT_TRUE(o.ok()) << o.transport_error;
  EXPECT_EQ(o.status, 200);
  EXPECT_CONTRACT(trusted);

  CheckOutcome untrusted =
      Check(server.url() + "/api/method/ping").Timeout(5000ms).Once();
  EXPECT_EQ(untrusted.transport_error, "TLS server verification failed");
  EXPECT_EQ(untrusted.status, 0);

  CheckOutcome insecure = Check(server.url() + "/api/method/ping")
                              .InsecureSkipTlsVerify()
                              .Timeout(5000ms)
                              .ExpectStatus(200)
                              .Once();
  EXPECT_TRUE(insecure.ok()) << insecure.transport_error;

  CheckOutcome missing_ca = Check(server.url() + "/api/method/ping")
                                .TrustCaFile(dir.path() + "/missing.pem")
                                .Timeout(5000ms)
                                .Once();
  EXPECT_FALSE(missing_ca.transport_error.empty());
  EXPECT_EQ(missing_ca.status, 0);

  // Two trusted requests (Once and EXPECT_CONTRACT) plus the insecure one.
  EXPECT_EQ(server.requests().size(), 3u);
  EXPECT_THROW(Check(server.url()).TrustCaFile(""), std::invalid_argument);
}

TEST(MockServerTlsTest, StopWhileAClientHoldsAnUnfinishedHandshakeIsPrompt) {
  MockServer server({.tls = true});
  // Connect and send nothing: the server waits in the TLS handshake.
  auto idle = std::thread([&] { test::SendRaw(server.port(), "", 3000ms); });
  std::this_thread::sleep_for(100ms);
  auto t0 = std::chrono::steady_clock::now();
  server.Stop();
  EXPECT_LT(Since(t0), 2500ms);  // well under the 5 s read timeout
  idle.join();
}

#if PERFCHECK_TEST_HAVE_HTTP_LOAD
// As over plain http (MockServerTest): no Nagle wait on a kept-alive TLS
// connection. cpp-httplib closes a connection after 5 requests, so every 5th
// request pays a new handshake: the tail is handshakes (up to 16 ms on a busy
// machine), hence p75 (requests on an open connection) instead of p99.
TEST(MockServerTlsTest, KeepAliveLoadAgainstANoDelayStubIsNotHeldByNagle) {
  MockServer server({.threads = 2, .tls = true});
  server.Stub(GetRequest("/ping"), Reply(200).Json(R"({"message":"pong"})"));
  http::HttpLoadResult r = http::Load(
      http::Target(server.url()).Insecure(), {http::Request::Get("/ping")},
      {.connections = 2, .duration = 2s, .max_requests = 400});
  ASSERT_EQ(r.aggregate.ErrorCount(), 0u)
      << r.aggregate.errors.begin()->second.examples[0];
  EXPECT_LE(r.connections_opened * 4, r.aggregate.TotalCount())
      << "connections were kept alive";
  const double p50_ms = r.aggregate.latency.Percentile(50) / 1e6;
  const double p75_ms = r.aggregate.latency.Percentile(75) / 1e6;
  ::testing::Test::RecordProperty("connections_opened",
                                  std::to_string(r.connections_opened));
  ::testing::Test::RecordProperty("p50_ms", std::to_string(p50_ms));
  ::testing::Test::RecordProperty("p75_ms", std::to_string(p75_ms));
  ::testing::Test::RecordProperty(
      "p99_ms", std::to_string(r.aggregate.latency.Percentile(99) / 1e6));
  EXPECT_GE(r.aggregate.OkCount(), 100u) << "p50 " << p50_ms << " ms";
  EXPECT_LT(p50_ms, 5) << "p75 " << p75_ms << " ms";
  EXPECT_LT(p75_ms, 10) << "p50 " << p50_ms << " ms";
}
#endif  // PERFCHECK_TEST_HAVE_HTTP_LOAD

}  // namespace
}  // namespace perfcheck::contract
