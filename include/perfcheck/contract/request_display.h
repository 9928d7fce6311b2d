// How the contract adapter prints requests and header values: for failure
// messages, matcher descriptions and the mock server's 404 body.
//
// Secrets: when a matcher or a request is printed (Describe, Explain, failure
// messages, the mock server's 404 body), values of secret-bearing headers are
// shown by shape only, never by value: Authorization "token <key>:<secret>"
// becomes `token <key:8 chars>:<secret:redacted>`, other schemes
// `Bearer <credentials:redacted>`, an Authorization value without a scheme
// `<no scheme> <key:8 chars>:<secret:redacted>` (Frappe wants "token " in
// front), Cookie `sid=<redacted>`, and any other secret header `<redacted>`.
// A mismatch on a secret header says which part differs ("scheme differs:
// expected "token", got none, key matches, secret matches; values not
// shown"). A header is secret when perfcheck::IsSecretName
// says so (Authorization, Cookie, X-Api-Key, ...*token*, *secret*, ...) or when
// it is in the caller's extra list. Query parameters and JSON body members with
// secret names are redacted the same way.
//
// Thread-safety: pure functions.
#ifndef PERFCHECK_CONTRACT_REQUEST_DISPLAY_H_
#define PERFCHECK_CONTRACT_REQUEST_DISPLAY_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "perfcheck/contract/recorded_request.h"

namespace perfcheck::contract {

// Which header names, besides those perfcheck::IsSecretName recognises, carry
// secrets and must be printed by shape only.
struct SecretHeaders {
  std::vector<std::string> extra;  // compared case-insensitively
  bool IsSecret(std::string_view header_name) const;
};

// The printable shape of a header value: the value itself for ordinary
// headers, a shape without the secret for secret-bearing ones (see above).
std::string DisplayHeaderValue(std::string_view name, std::string_view value,
                               const SecretHeaders& secrets = {});

// A request target with the values of secret-named query parameters replaced.
std::string DisplayTarget(std::string_view target);

// A body for printing: JSON with secret-named members redacted, form bodies
// with secret-named fields redacted, anything else as is; cut to `max_chars`.
std::string DisplayBody(std::string_view body, std::size_t max_chars = 300);

// A multi-line description of a request for failure messages (secrets shaped).
std::string DescribeRequest(const RecordedRequest& request,
                            const SecretHeaders& secrets = {});

}  // namespace perfcheck::contract

#endif  // PERFCHECK_CONTRACT_REQUEST_DISPLAY_H_
