// Fuzzes http::Target::Parse, the base URL of `perfcheck load` and of every
// HTTP load test.
//
// Properties, besides "no crash, no exception, no sanitizer report":
//   - an accepted URL gives a usable target: scheme http/https, a host, a
//     port in 1..65535, a base path that is empty or starts with '/' and has
//     no trailing '/';
//   - a password in the URL's userinfo never shows: the fuzz input with a
//     canary password inserted ("http://<user>:PWCANARY9@<rest>") must not
//     reveal the canary in the error message, Describe(), RedactedHeaders()
//     or HostHeaderValue().
#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>

#include "fuzz_check.h"
#include "perfcheck/http/target.h"

namespace {

using perfcheck::fuzz::Violation;

using perfcheck::StatusOr;
using perfcheck::http::Target;

constexpr std::string_view kCanary = "PWCANARY9";

void CheckAccepted(const Target& t, std::string_view url) {
  const std::string shown(url);
  if (t.scheme() != "http" && t.scheme() != "https") {
    Violation("accepted a scheme other than http/https", shown);
  }
  if (t.host().empty()) Violation("accepted an empty host", shown);
  if (t.port() == 0) Violation("accepted port 0", shown);
  const std::string& path = t.base_path();
  if (!path.empty() && (path.front() != '/' || path.back() == '/')) {
    Violation("base path not '' or '/...' without a trailing '/'", shown);
  }
}

// A canary password must not show anywhere a target is printed.
void CheckNoCanary(const StatusOr<Target>& t, const std::string& url) {
  auto check = [&url](const std::string& text, const char* where) {
    if (text.find(kCanary) != std::string::npos) {
      Violation(where, "URL: " + url + "\nshown: " + text);
    }
  };
  if (!t.ok()) {
    check(t.status().message(), "the password shows in the parse error");
    return;
  }
  check(t->Describe(), "the password shows in Describe()");
  check(t->HostHeaderValue(), "the password shows in the Host header");
  for (const auto& h : t->RedactedHeaders()) {
    check(h.name + ": " + h.value, "the password shows in RedactedHeaders()");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);
  const bool https = in.ConsumeBool();
  // The user name: anything but the characters that end the authority, which
  // a well-formed URL percent-encodes ("a/b:pw@h" has the host "a").
  std::string user;
  for (char c : in.ConsumeRandomLengthString(32)) {
    if (c == '/' || c == '?' || c == '#') {
      user += "%2F";
    } else {
      user += c;
    }
  }
  const std::string rest = in.ConsumeRemainingBytesAsString();

  // The input as given.
  StatusOr<Target> plain = Target::Parse(rest);
  if (plain.ok()) CheckAccepted(*plain, rest);

  // A canary the input itself holds (say as the host) is not a leak.
  if (user.find(kCanary) != std::string::npos ||
      rest.find(kCanary) != std::string::npos) {
    return 0;
  }
  // The same URL with the canary as its password (the scheme is replaced,
  // so that seeds can be whole URLs).
  const std::size_t sep = rest.find("://");
  const std::string after_scheme =
      sep == std::string::npos ? rest : rest.substr(sep + 3);
  const std::string with_password = std::string(https ? "https" : "http") +
                                    "://" + user + ":" + std::string(kCanary) +
                                    "@" + after_scheme;
  StatusOr<Target> t = Target::Parse(with_password);
  if (t.ok()) CheckAccepted(*t, with_password);
  CheckNoCanary(t, with_password);
  return 0;
}
