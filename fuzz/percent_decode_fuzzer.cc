// Fuzzes percent-decoding (perfcheck/percent_encoding.h), used on query
// parameter names by redaction, on database URLs and by the contract matchers.
//
// Properties, besides "no crash, no sanitizer report":
//   - decoding never makes text longer;
//   - when the strict decoder accepts text, the lenient one agrees with it;
//   - text without '%' (and, for form decoding, without '+') is unchanged;
//   - PercentDecode(PercentEncode(x)) == x for every byte string x.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "perfcheck/http/request.h"
#include "perfcheck/percent_encoding.h"

using perfcheck::fuzz::Violation;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const std::string lenient = perfcheck::PercentDecode(text, false);
  const std::string form = perfcheck::PercentDecode(text, true);
  if (lenient.size() > text.size() || form.size() != lenient.size()) {
    Violation("decoded text longer than its input");
  }
  std::string strict;
  if (perfcheck::PercentDecodeStrict(text, &strict) && strict != lenient) {
    Violation("strict and lenient decoding disagree");
  }
  if (text.find('%') == std::string_view::npos) {
    if (lenient != text) Violation("text without '%' changed");
    if (text.find('+') == std::string_view::npos && form != text) {
      Violation("form text without '%' or '+' changed");
    }
  }
  const std::string encoded = perfcheck::http::PercentEncode(text);
  if (perfcheck::PercentDecode(encoded, false) != text ||
      perfcheck::PercentDecode(encoded, true) != text) {
    Violation("PercentDecode(PercentEncode(x)) != x");
  }
  std::string strict_round;
  if (!perfcheck::PercentDecodeStrict(encoded, &strict_round) ||
      strict_round != text) {
    Violation("strict decoding of PercentEncode(x) is not x");
  }
  return 0;
}
