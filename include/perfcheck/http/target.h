// http::Target: where HTTP load goes — a base URL (http or https), an optional
// Host header override for multi-tenant sites, default headers sent with every
// request, and auth helpers whose values are secrets.
//
//   auto target = perfcheck::http::Target("http://127.0.0.1:8000")
//                     .HostHeader("test_site")
//                     // Authorization: token <key>:<secret>
//                     .FrappeToken(api_key, api_secret);
//
// Secrets: a header set through an auth helper (or Header(..., secret=true), or
// whose name IsSecretName()) is a secret. Its value is sent on the wire and
// nowhere else: Describe(), RedactedHeaders() and every report perfcheck writes
// print perfcheck::kRedacted instead. A password in the base URL's userinfo is
// taken as Basic credentials and redacted the same way; user and password are
// percent-decoded first ("alice:p%40ss@" sends the password "p@ss").
//
// TLS: an https base URL verifies the server certificate and host name against
// the system trust store by default. Insecure(true) disables verification (for
// self-signed staging servers); CaFile() adds a trust anchor.
//
// Errors: Target::Parse returns a Status naming what is wrong with the URL
// ("base URL 'htp://x': unsupported scheme 'htp' (use http or https)"); the
// constructor throws std::invalid_argument with the same message.
//
// Thread-safety: a plain value; const methods may be called concurrently.
#ifndef PERFCHECK_HTTP_TARGET_H_
#define PERFCHECK_HTTP_TARGET_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "perfcheck/status.h"

namespace perfcheck::http {

// One HTTP header. `secret` marks a value that must never be printed.
struct Header {
  std::string name;
  std::string value;
  bool secret = false;
};

class Target {
 public:
  // Parses `base_url` ("http://host[:port][/base/path]",
  // "https://user:pass@host"). Throws std::invalid_argument when it is bad.
  explicit Target(std::string_view base_url);

  // The non-throwing form, for user input (CLI flags, config files).
  static StatusOr<Target> Parse(std::string_view base_url);

  // Sends `host` as the Host header instead of the URL's host[:port] (the
  // connection still goes to the URL's host). Also used as TLS SNI. Throws
  // std::invalid_argument for spaces or control characters.
  Target& HostHeader(std::string host);
  // Adds a header sent with every request. A later header with the same name
  // (case-insensitive) replaces the earlier one. `secret` forces redaction;
  // secret-named headers (Authorization, X-Api-Key, Cookie, ...) are redacted
  // regardless. Throws std::invalid_argument when CheckHeader() fails.
  Target& AddHeader(std::string name, std::string value, bool secret = false);
  // Authorization: token <key>:<secret>   (Frappe / ERPNext API keys)
  Target& FrappeToken(std::string_view api_key, std::string_view api_secret);
  // Authorization: Bearer <token>
  Target& Bearer(std::string_view token);
  // Authorization: Basic base64(<user>:<password>)
  Target& Basic(std::string_view user, std::string_view password);
  // <header_name>: <key>, e.g. ApiKey("X-Api-Key", key). Always a secret.
  Target& ApiKey(std::string header_name, std::string_view key);
  // The checks HostHeader() and AddHeader() make, as a Status instead of an
  // exception, for user input (CLI flags, config files): a header that
  // passes can be set without throwing. Errors never contain the value.
  static Status CheckHostHeader(std::string_view host);
  static Status CheckHeader(std::string_view name, std::string_view value);
  // Disables TLS certificate and host name verification.
  Target& Insecure(bool insecure = true);
  // PEM file with extra trusted CA certificates (https only).
  Target& CaFile(std::string path);

  const std::string& scheme() const { return scheme_; }  // "http" / "https"
  const std::string& host() const { return host_; }      // no brackets
  std::uint16_t port() const { return port_; }
  // Path prefix of the base URL without trailing '/', "" for none.
  const std::string& base_path() const { return base_path_; }
  bool tls() const { return scheme_ == "https"; }
  bool insecure() const { return insecure_; }
  const std::string& ca_file() const { return ca_file_; }
  // The Host header value: the override, else host[:port] (port omitted when
  // it is the scheme's default).
  std::string HostHeaderValue() const;
  // Default headers in the order they are sent (secret values included: for
  // the engine only, never print these).
  const std::vector<Header>& headers() const { return headers_; }
  // Default headers with secret values replaced by kRedacted, for reports.
  std::vector<Header> RedactedHeaders() const;
  // "https://host:port/base (Host: x)" — never contains a secret.
  std::string Describe() const;

 private:
  Target() = default;
  static Status ParseInto(std::string_view base_url, Target& t);

  std::string scheme_;
  std::string host_;
  std::uint16_t port_ = 0;
  std::string base_path_;
  std::string host_override_;
  std::vector<Header> headers_;
  bool insecure_ = false;
  std::string ca_file_;
};

}  // namespace perfcheck::http

#endif  // PERFCHECK_HTTP_TARGET_H_
