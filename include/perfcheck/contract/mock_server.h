// MockServer: a real HTTP server on 127.0.0.1 (an ephemeral port, so tests run
// in parallel under `ctest -j`) that answers with stubbed responses and records
// every request, for contract tests of HTTP API clients.
//
//   using namespace perfcheck::contract;
//   MockServer server;                       // listening when this returns
//   server.Stub(GetRequest("/api/resource/Item"),
//               Reply(200).Json(R"({"data": [{"name": "I-1"}]})"));
//   server.Stub(PostRequest("/api/resource/Item"),
//               {Reply(503), Reply(200).Json(R"({"data": {}})")});  // retry
//   MyClient client(server.url());           // "http://127.0.0.1:43117"
//   client.ListItems();
//   EXPECT_REQUEST(server, GetRequest("/api/resource/Item")
//                              .HeaderMatches("Authorization", "token .+:.+"));
//   EXPECT_NO_UNMATCHED_REQUESTS(server);
//
// Stub selection: among the stubs whose matcher accepts the request and that
// are not used up (StubOptions::times), the one with the highest priority
// wins; between equal priorities the one added first. A stub with several
// replies answers with them in turn and repeats the last one. A request that
// no stub accepts gets `404` with a text body that lists the closest stubs and
// the conditions each one failed (secrets shaped, see request_matcher.h), and
// is recorded as unmatched.
//
// Replies: status, headers, a string or JSON body, a fixed or random delay
// before answering, a chunked body (optionally with pauses between chunks),
// and faults: a connection reset (TCP RST), a close without any response, or
// raw bytes written as-is before closing (truncated or malformed responses).
//
// Lifetime: the constructor binds, starts the server thread and returns once
// it accepts connections; Stop() (also run by the destructor) stops accepting,
// wakes pending delays and joins all threads. Recorded requests stay readable
// after Stop().
//
// TLS: with MockServerOptions::tls the server speaks only https, with a
// certificate generated in memory at construction (EC P-256, self-signed,
// CN=localhost, subjectAltName IP:127.0.0.1 and DNS:localhost, valid from 5
// minutes before start for one day; a fresh key per server, nothing read from
// or written to disk). A client trusts it through CertificatePem() or the
// file WriteCertificatePem() writes:
//
//   MockServer server({.tls = true});        // url(): "https://127.0.0.1:..."
//   ASSERT_TRUE(server.WriteCertificatePem(dir + "/ca.pem").ok());
//   MyClient client(server.url(), /*ca_file=*/dir + "/ca.pem");
//
// Every reply and fault works the same over TLS: a reset is a bare TCP RST
// (no close_notify), CloseWithoutResponse() sends close_notify then FIN, and
// RawBytes() are sent inside TLS records. A client that rejects the
// certificate never gets to send a request, so nothing is recorded.
//
// Thread-safety: every method may be called from any thread while the server
// runs; stubs added while a request is in flight apply to later requests.
// Errors: a server that cannot bind or start (or, with TLS, generate its
// certificate) throws std::runtime_error from the constructor; bad stub
// arguments throw std::invalid_argument.
#ifndef PERFCHECK_CONTRACT_MOCK_SERVER_H_
#define PERFCHECK_CONTRACT_MOCK_SERVER_H_

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "perfcheck/contract/reply.h"
#include "perfcheck/contract/request_matcher.h"
#include "perfcheck/status.h"

namespace perfcheck::contract {

struct StubOptions {
  // Higher wins; equal priorities: the stub added first wins.
  int priority = 0;
  // Shown in the 404 body and in RecordedRequest::stub; default "stub #<i>".
  std::string name;
  // The stub stops matching after answering this many requests.
  std::optional<std::size_t> times;
};

struct MockServerOptions {
  // Header names, besides the standard secret names, whose values are shown
  // by shape only in the 404 body and in failure messages.
  std::vector<std::string> secret_headers;
  // How long the server waits for a client to send a request.
  std::chrono::nanoseconds read_timeout = std::chrono::seconds(5);
  // Worker threads, i.e. requests served at the same time.
  std::size_t threads = 8;
  // Serve https with a generated self-signed certificate (see above).
  bool tls = false;
};

class MockServer {
 public:
  MockServer();
  explicit MockServer(MockServerOptions options);
  ~MockServer();
  MockServer(const MockServer&) = delete;
  MockServer& operator=(const MockServer&) = delete;

  // "http://127.0.0.1:<port>" ("https://..." with TLS), no trailing slash.
  std::string url() const;
  int port() const;

  // The server's certificate in PEM ("-----BEGIN CERTIFICATE-----..."), to
  // trust as a CA certificate; "" when the server runs without TLS.
  std::string CertificatePem() const;
  // Writes CertificatePem() to `path` (replacing it), for clients that take a
  // CA file. Throws std::invalid_argument without TLS; an error Status naming
  // the path when the file cannot be written.
  Status WriteCertificatePem(const std::string& path) const;

  // Stops accepting, interrupts delays and joins the server threads.
  // Idempotent.
  void Stop();

  // Adds a stub answering `when` with `reply`, or with `replies` in turn (the
  // last one repeats). Returns the stub's index (0-based, in adding order).
  std::size_t Stub(RequestMatcher when, Reply reply, StubOptions options = {});
  std::size_t Stub(RequestMatcher when, std::vector<Reply> replies,
                   StubOptions options = {});
  // How many requests stub `index` has answered.
  std::size_t StubHits(std::size_t index) const;
  // Removes all stubs (recorded requests stay).
  void ClearStubs();

  // Every request received so far, in arrival order.
  std::vector<RecordedRequest> requests() const;
  // Those that no stub matched.
  std::vector<RecordedRequest> unmatched_requests() const;
  // Forgets recorded requests.
  void ClearRequests();

  // Why no stub matches `request` (the text of the 404 body: the request and
  // the closest stubs with the conditions each failed), secrets shaped.
  std::string Explain(const RecordedRequest& request) const;

  const SecretHeaders& secret_headers() const;

  // Internal: the implementation (keeps cpp-httplib out of this header).
  class Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace perfcheck::contract

#endif  // PERFCHECK_CONTRACT_MOCK_SERVER_H_
