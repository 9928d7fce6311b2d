// Redaction of secrets. perfcheck never writes a secret (Authorization values,
// API secrets, passwords in DSNs, cookies) to any output; every place that stores
// configuration or prints a header or URL goes through these functions.
//
// Thread-safety: pure functions.
#ifndef PERFCHECK_REDACTION_H_
#define PERFCHECK_REDACTION_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace perfcheck {

// What a redacted value is replaced by.
inline constexpr std::string_view kRedacted = "<redacted>";

// True when a configuration key or header name names a secret: it contains
// (case-insensitively) "authorization", "password", "passwd", "secret",
// "token", "api-key"/"api_key"/"apikey", "cookie", "credential",
// "private-key"/"private_key" or "signature" (pre-signed URLs).
bool IsSecretName(std::string_view name);

// `value` when `name` is not a secret name, kRedacted otherwise.
std::string RedactIfSecret(std::string_view name, std::string_view value);

// Replaces the password of a URL's userinfo ("scheme://user:pass@host") and the
// values of secret-named query parameters ("?password=...") with kRedacted.
// Text that is not a URL is returned unchanged.
std::string RedactUrl(std::string_view url);

// Replaces the values of secret-named keywords (IsSecretName) in a
// keyword/value connection string, as libpq takes it
// ("host=db port=5432 password='p w' user=u", separated by spaces) or ODBC
// ("Server=db;Password=pw;"), with kRedacted. A value may be quoted with ' or
// " (a backslash escapes the next character). Runs RedactUrl() on URLs first,
// so any text a user may have given as a database location is safe to quote.
std::string RedactConnectionString(std::string_view text);

// The secrets a run knows (credentials it sends), to be cut out of text that
// came from elsewhere: a server that echoes the Authorization header inside a
// malformed status line, a driver error that quotes its input. Redact() is
// applied where such text is recorded, before it is cut short for display,
// so no part of a secret survives either.
//
// Strings shorter than kMinLength are not searched for: they would match
// ordinary text everywhere, and a secret that short is guessable anyway.
//
// Thread-safety: Add*() must not race with anything; Redact() is const and
// may be called concurrently.
//
//   KnownSecrets secrets;
//   secrets.AddHeaderValue("Basic dXNlcjpzM2NyZXQ=");
//   secrets.Redact("bad line 'HTTP/1.1 s3cret'");  // "bad line 'HTTP/1.1
//                                                  //  <redacted>'"
class KnownSecrets {
 public:
  static constexpr std::size_t kMinLength = 4;

  // Adds `secret` as given and percent-encoded (upper- and lower-case hex).
  void Add(std::string_view secret);
  // Adds the value of a secret header and every part a server might echo on
  // its own (each as Add() does): the credentials after the auth scheme
  // ("Bearer T" -> T, "token K:S" -> K:S, K and S, and the base64 of K:S),
  // the values of cookie pairs ("sid=V" -> V), and for Basic credentials the
  // decoded "user:password" and its halves besides the base64 form.
  void AddHeaderValue(std::string_view value);
  bool empty() const { return secrets_.empty(); }
  // `text` with every occurrence of a known secret replaced by kRedacted
  // (overlapping or adjacent occurrences become one marker).
  std::string Redact(std::string_view text) const;

 private:
  void AddExact(std::string_view secret);

  std::vector<std::string> secrets_;
};

}  // namespace perfcheck

#endif  // PERFCHECK_REDACTION_H_
