// Redaction of secrets. perfcheck never writes a secret (Authorization values,
// API secrets, passwords in DSNs, cookies) to any output; every place that stores
// configuration or prints a header or URL goes through these functions.
//
// Thread-safety: pure functions.
#ifndef PERFCHECK_REDACTION_H_
#define PERFCHECK_REDACTION_H_

#include <string>
#include <string_view>

namespace perfcheck {

// What a redacted value is replaced by.
inline constexpr std::string_view kRedacted = "<redacted>";

// True when a configuration key or header name names a secret: it contains
// (case-insensitively) "authorization", "password", "passwd", "secret",
// "token", "api-key"/"api_key"/"apikey", "cookie", "credential" or
// "private-key"/"private_key".
bool IsSecretName(std::string_view name);

// `value` when `name` is not a secret name, kRedacted otherwise.
std::string RedactIfSecret(std::string_view name, std::string_view value);

// Replaces the password of a URL's userinfo ("scheme://user:pass@host") and the
// values of secret-named query parameters ("?password=...") with kRedacted.
// Text that is not a URL is returned unchanged.
std::string RedactUrl(std::string_view url);

}  // namespace perfcheck

#endif  // PERFCHECK_REDACTION_H_
