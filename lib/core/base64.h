// Standard base64 (RFC 4648, "+/" alphabet, "=" padding), shared by the
// histogram encoding, HTTP Basic credentials and secret redaction. Not a
// public header.
//
// Thread-safety: pure functions.
#ifndef PERFCHECK_LIB_CORE_BASE64_H_
#define PERFCHECK_LIB_CORE_BASE64_H_

#include <string>
#include <string_view>

namespace perfcheck::internal {

std::string Base64Encode(std::string_view bytes);

// Decodes `text` into *out. False (and *out unspecified) when `text` is not
// padded base64: a length that is not a multiple of 4, a character outside
// the alphabet, or "=" anywhere but the last one or two places. "" decodes to
// "".
bool Base64Decode(std::string_view text, std::string* out);

}  // namespace perfcheck::internal

#endif  // PERFCHECK_LIB_CORE_BASE64_H_
