// perfcheck::contract::Check: a contract check of a live URL — status,
// headers, JSON shape and a latency bound in one place. It is also a
// perfcheck::Measurable, so the same check doubles as a perf test.
//
//   using namespace std::chrono_literals;
//   using perfcheck::contract::Check;
//   using perfcheck::contract::JsonType;
//   Check ping = Check("https://erp.example.com/api/method/ping")
//                    .RequestHeader("Authorization", "token " + key + ":" +
//                    secret) .ExpectStatus(200)
//                    .ExpectContentType("application/json")
//                    .ExpectHeaderPresent("Cache-Control")
//                    .ExpectJsonField("/message", JsonType::kString)
//                    .ExpectLatencyBelow(500ms);
//   EXPECT_CONTRACT(ping);                  // one request, every expectation
//   EXPECT_P95_BELOW(ping.Samples(50), 500ms);  // perfcheck/gtest.h
//
// JSON shape: ExpectJsonField(pointer, type) requires the field (RFC 6901
// pointer) with that type; ExpectJsonSchema(schema) takes a small JSON-schema
// subset: "type" (a name or a list of names: object, array, string, number,
// integer, boolean, null), "required", "properties", "items", "enum",
// "minItems", "maxItems". Other keywords throw std::invalid_argument, so a
// schema never silently checks less than it says.
//
// Once() sends one request and reports every violated expectation; Run()
// (Measurable) sends Samples() requests one after another and returns a
// perfcheck::Result: the latency of each request whose response met the
// status/header/JSON expectations, and the others as errors by category
// ("contract", "timeout", "connection", "status_5xx"...). The latency bound is
// judged only by Once(); for Run() use the SLA assertions.
//
// Secrets: request header values, the URL's password and secret-named query
// parameters never appear in an outcome, Result or failure message; response
// header values of secret-bearing headers are shown by shape only.
//
// Errors: an unparseable URL, a bad regex, schema or JSON pointer, or a
// non-positive sample count throws std::invalid_argument (API misuse). A
// failed connection or a timeout is data (CheckOutcome::transport_error).
// Thread-safety: a configured Check is immutable in use; Once() and Run()
// may be called from several threads at once.
#ifndef PERFCHECK_CONTRACT_CHECK_H_
#define PERFCHECK_CONTRACT_CHECK_H_

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "perfcheck/clock.h"
#include "perfcheck/contract/request_matcher.h"
#include "perfcheck/measurable.h"
#include "perfcheck/result.h"

namespace perfcheck::contract {

enum class JsonType {
  kString,
  kNumber,
  kInteger,
  kBoolean,
  kObject,
  kArray,
  kNull
};

// What one request of a Check found.
struct CheckOutcome {
  std::string url;       // redacted (no password, no secret query values)
  int status = 0;        // 0 when no response arrived
  Nanos latency_ns = 0;  // request start to full response (or to the error)
  // "" when a response arrived; else e.g. "timeout", "connection refused".
  std::string transport_error;
  // One line per violated expectation, naming the field:
  //   "status: expected 200, got 503"
  //   "json /data/0/name: expected string, got number"
  std::vector<std::string> violations;

  bool ok() const { return transport_error.empty() && violations.empty(); }
};

class Check : public Measurable {
 public:
  // "http://host[:port]/path?query" or "https://...". Throws
  // std::invalid_argument when the URL cannot be parsed.
  explicit Check(std::string url);

  // The name of Run()'s Result (and of its baseline entry); default
  // "<METHOD> <path?query>", e.g. "GET /api/method/ping?api_key=<redacted>":
  // secret query values redacted, and no scheme, host or port, so the name is
  // the same against a mock server on a random port and across hosts.
  Check& Named(std::string name);
  Check& Method(std::string method);
  Check& RequestHeader(std::string name, std::string value);
  Check& RequestBody(std::string body, std::string content_type);
  // Connect and read timeout of each request (default 10 s).
  Check& Timeout(std::chrono::nanoseconds timeout);
  // Accept self-signed certificates (test servers only).
  Check& InsecureSkipTlsVerify();
  // Verify the https server against the CA certificates in this PEM file
  // instead of the system's (e.g. MockServer::WriteCertificatePem()). A file
  // that cannot be loaded is a transport error of each request.
  Check& TrustCaFile(std::string pem_path);
  // Requests per Run() (default 10).
  Check& Samples(int n);

  Check& ExpectStatus(int status);
  // lo <= status <= hi, e.g. (200, 299).
  Check& ExpectStatusIn(int lo, int hi);
  Check& ExpectHeader(std::string name, std::string value);
  Check& ExpectHeaderMatches(std::string name, std::string ecmascript_regex);
  Check& ExpectHeaderPresent(std::string name);
  // Media type before any ';' parameters, compared case-insensitively.
  Check& ExpectContentType(std::string media_type);
  Check& ExpectJsonField(std::string json_pointer, JsonType type);
  Check& ExpectJsonSchema(std::string_view schema);
  Check& ExpectLatencyBelow(std::chrono::nanoseconds bound);

  // One request, judged against every expectation including latency.
  CheckOutcome Once() const;

  std::string Name() const override;
  Result Run() const override;

  // Internal: configuration and the expectations (keeps regex/JSON here out).
  struct Spec;

 private:
  std::shared_ptr<Spec> spec_;  // copied on write by the builder methods
  Spec& Mutable();
};

}  // namespace perfcheck::contract

namespace perfcheck::testing {

// EXPECT_CONTRACT(check): one request meets every expectation of the Check.
::testing::AssertionResult ContractHolds(const char* check_expr,
                                         const contract::Check& check);

}  // namespace perfcheck::testing

#define EXPECT_CONTRACT(check) \
  EXPECT_PRED_FORMAT1(::perfcheck::testing::ContractHolds, check)
#define ASSERT_CONTRACT(check) \
  ASSERT_PRED_FORMAT1(::perfcheck::testing::ContractHolds, check)

#endif  // PERFCHECK_CONTRACT_CHECK_H_
