// Percent-decoding (RFC 3986 section 2.1) shared by every layer that reads
// URLs: redaction (query parameter names), the database URL parser and the
// contract matchers. Encoding lives with the HTTP requests
// (perfcheck/http/request.h, PercentEncode) because only they build URLs.
//
// Thread-safety: pure functions.
//
// Example:
//   perfcheck::PercentDecode("Sales%20Order", false);   // "Sales Order"
//   std::string pw;
//   perfcheck::PercentDecodeStrict("p%40ss", &pw);      // true, "p@ss"
#ifndef PERFCHECK_PERCENT_ENCODING_H_
#define PERFCHECK_PERCENT_ENCODING_H_

#include <string>
#include <string_view>

namespace perfcheck {

// 0-15 for a hexadecimal digit (either case), -1 otherwise.
int HexDigitValue(char c);

// Lenient: decodes every well-formed "%XX"; a malformed escape ("100%",
// "%zz") is kept literally. With `plus_is_space` (form encoding,
// application/x-www-form-urlencoded) '+' becomes ' '.
std::string PercentDecode(std::string_view text, bool plus_is_space);

// Strict: false (and `out` unspecified) on a malformed escape, for input
// where a typo must be an error rather than a literal '%' (credentials in a
// connection URL). '+' stays '+'.
bool PercentDecodeStrict(std::string_view text, std::string* out);

}  // namespace perfcheck

#endif  // PERFCHECK_PERCENT_ENCODING_H_
