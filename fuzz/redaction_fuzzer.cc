// Fuzzes the redaction of secrets (perfcheck/redaction.h) with a property:
// a password put where a URL or a connection string carries one never
// survives redaction.
//
// The fuzz input supplies everything around a fixed canary password: scheme,
// user, host, path, other query parameters, other connection keywords and
// their values. The canary is then placed
//   - as the password of the userinfo: "<scheme>://<user>:PWCANARY9@<host>..."
//   - as a secret query or fragment parameter: "...?<params>&password=..."
//   - as a secret keyword of a libpq/ODBC connection string, with the other
//     values quoted the way libpq reads them: "host=h password=PWCANARY9 ..."
// and neither RedactUrl() nor RedactConnectionString() may leave it in.
// Everything the input supplies is well formed (a user name's '/', '?' and
// '#' are percent-encoded, as a URL must): a canary that a real client would
// not read as the password is no leak.
//
// Also checked on the raw input: nothing crashes, text that is no URL passes
// RedactUrl() unchanged, and KnownSecrets::Redact() removes every secret it
// was given.
#include <fuzzer/FuzzedDataProvider.h>

#include <array>
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "perfcheck/redaction.h"

namespace {

using perfcheck::fuzz::Quoted;
using perfcheck::fuzz::Violation;

constexpr std::string_view kCanary = "PWCANARY9";
// Where the canary survived matters more than a short report: quote whole.
constexpr std::size_t kWhole = std::string_view::npos;

// `is_url`: RedactUrl() must clean it too (RedactConnectionString() must
// clean every form: it is what database code quotes).
void ExpectNoCanary(const std::string& text, bool is_url) {
  // Parts that join into another canary (host "...PWCANA" + path "RY9") are
  // not the password; such inputs are skipped.
  const std::size_t first = text.find(kCanary);
  if (text.find(kCanary, first + 1) != std::string::npos) return;
  if (is_url) {
    const std::string url = perfcheck::RedactUrl(text);
    if (url.find(kCanary) != std::string::npos) {
      Violation(
          "RedactUrl left the password in",
          Quoted("input", text, kWhole) + "\n" + Quoted("output", url, kWhole));
    }
  }
  const std::string conn = perfcheck::RedactConnectionString(text);
  if (conn.find(kCanary) != std::string::npos) {
    Violation(
        "RedactConnectionString left the password in",
        Quoted("input", text, kWhole) + "\n" + Quoted("output", conn, kWhole));
  }
}

// Percent-encodes what would end the URL part the text is put into, and
// drops a part holding the canary (the input holding it elsewhere is no
// leak).
std::string Part(FuzzedDataProvider& in, std::string_view percent_encode) {
  std::string out;
  for (char c : in.ConsumeRandomLengthString(24)) {
    if (percent_encode.find(c) != std::string_view::npos) {
      static constexpr char kHex[] = "0123456789ABCDEF";
      out += '%';
      out += kHex[static_cast<unsigned char>(c) >> 4];
      out += kHex[static_cast<unsigned char>(c) & 0xf];
    } else {
      out += c;
    }
  }
  if (out.find(kCanary) != std::string::npos) return "x";
  return out;
}

std::string Scheme(FuzzedDataProvider& in) {
  static constexpr std::array<const char*, 8> kSchemes = {
      "http",  "https",   "postgresql", "postgres",
      "mysql", "mariadb", "redis",      "amqp+ssl"};
  return kSchemes[in.ConsumeIntegralInRange<std::size_t>(0,
                                                         kSchemes.size() - 1)];
}

// Names of secret query parameters; `encoded` adds one spelled with a
// percent-escape, which URLs decode but connection strings do not.
std::string SecretKey(FuzzedDataProvider& in, bool encoded) {
  static constexpr std::array<const char*, 9> kKeys = {
      "password", "Password", "PASSWORD",     "passwd",    "token",
      "api_key",  "secret",   "access_token", "pass%77ord"};
  return kKeys[in.ConsumeIntegralInRange<std::size_t>(
      0, kKeys.size() - (encoded ? 1 : 2))];
}

// A connection-string value as libpq reads it: bare when it holds no
// separator or backslash and does not start with a quote ("a=b" and "o'neil"
// are fine bare), else single-quoted with \ escapes.
std::string Quoted(std::string_view value) {
  if (!value.empty() && value.front() != '\'' && value.front() != '"' &&
      value.find_first_of(" \t\r\n;&\\") == std::string_view::npos) {
    return std::string(value);
  }
  std::string out = "'";
  for (char c : value) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return out + "'";
}

// A keyword as libpq and ODBC spell them: letters, digits, '_', '-', '.'.
// (A "keyword" such as "x://h:" would make the text a URL, whose userinfo
// RedactUrl() then cuts through the quotes of the values that follow; no
// client accepts such a keyword.)
std::string Keyword(FuzzedDataProvider& in) {
  std::string out;
  for (char c : in.ConsumeRandomLengthString(12)) {
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' ||
        c == '.') {
      out += c;
    }
  }
  return out.empty() ? "k" : out;
}

void CheckUserinfo(FuzzedDataProvider& in) {
  const std::string scheme = Scheme(in);
  const std::string user = Part(in, "/?#");
  const std::string host = Part(in, "");
  const std::string rest = Part(in, "");
  ExpectNoCanary(
      scheme + "://" + user + ":" + std::string(kCanary) + "@" + host + rest,
      /*is_url=*/true);
}

void CheckQuery(FuzzedDataProvider& in) {
  const bool origin_form = in.ConsumeBool();
  const std::string base =
      origin_form ? "" : Scheme(in) + "://" + Part(in, "/?#");
  const std::string path = "/" + Part(in, "?#");
  const std::string before = Part(in, "#");
  const std::string after = Part(in, "");
  const char sep = in.ConsumeBool() ? '?' : '#';
  std::string url = base + path + sep;
  if (!before.empty()) url += before + "&";
  url += SecretKey(in, true) + "=" + std::string(kCanary);
  if (!after.empty()) url += "&" + after;
  ExpectNoCanary(url, /*is_url=*/true);
}

void CheckKeywords(FuzzedDataProvider& in) {
  const bool odbc = in.ConsumeBool();
  const std::string sep = odbc ? ";" : " ";
  const std::size_t others = in.ConsumeIntegralInRange<std::size_t>(0, 4);
  const std::size_t secret_at =
      in.ConsumeIntegralInRange<std::size_t>(0, others);
  std::string text;
  for (std::size_t i = 0; i <= others; ++i) {
    if (!text.empty()) text += sep;
    if (i == secret_at) {
      const bool spaced = !odbc && in.ConsumeBool();
      const bool quoted = in.ConsumeBool();
      text +=
          SecretKey(in, false) + (spaced ? " = " : "=") +
          (quoted ? "'" + std::string(kCanary) + "'" : std::string(kCanary));
    } else {
      const std::string key = Keyword(in);
      std::string value = Part(in, "");
      text += key + "=" + Quoted(value);
    }
  }
  if (odbc && in.ConsumeBool()) text += ";";
  ExpectNoCanary(text, /*is_url=*/false);
}

void CheckRaw(std::string_view raw) {
  const std::string url = perfcheck::RedactUrl(raw);
  const bool maybe_url = raw.find("://") != std::string_view::npos ||
                         (!raw.empty() && (raw[0] == '/' || raw[0] == '?'));
  if (!maybe_url && url != raw) {
    Violation(
        "RedactUrl changed text that is no URL",
        Quoted("input", raw, kWhole) + "\n" + Quoted("output", url, kWhole));
  }
  (void)perfcheck::RedactConnectionString(raw);
  (void)perfcheck::IsSecretName(raw);

  // The first line is a secret (header value), the rest the text to clean.
  const std::size_t eol = raw.find('\n');
  if (eol == std::string_view::npos) return;
  const std::string_view secret = raw.substr(0, eol);
  const std::string_view text = raw.substr(eol + 1);
  perfcheck::KnownSecrets secrets;
  secrets.AddHeaderValue(secret);
  const std::string cleaned = secrets.Redact(text);
  perfcheck::KnownSecrets exact;
  exact.Add(secret);
  const std::string cleaned_exact = exact.Redact(text);
  // The marker's own characters may join with neighbours into a secret that
  // holds '<' or '>'; only other secrets are checked.
  if (secret.size() >= perfcheck::KnownSecrets::kMinLength &&
      secret.find_first_of("<>") == std::string_view::npos) {
    if (cleaned.find(secret) != std::string::npos) {
      Violation("KnownSecrets (header value) left a secret in",
                Quoted("input", raw, kWhole) + "\n" +
                    Quoted("output", cleaned, kWhole));
    }
    if (cleaned_exact.find(secret) != std::string::npos) {
      Violation("KnownSecrets left a secret in",
                Quoted("input", raw, kWhole) + "\n" +
                    Quoted("output", cleaned_exact, kWhole));
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  CheckRaw(std::string_view(reinterpret_cast<const char*>(data), size));
  FuzzedDataProvider in(data, size);
  switch (in.ConsumeIntegralInRange(0, 2)) {
    case 0:
      CheckUserinfo(in);
      break;
    case 1:
      CheckQuery(in);
      break;
    default:
      CheckKeywords(in);
      break;
  }
  return 0;
}
