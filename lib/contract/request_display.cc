// The display of recorded requests and header values, with secrets shown by
// shape only (see perfcheck/contract/request_display.h).
#include "perfcheck/contract/request_display.h"

#include <algorithm>
#include <string>

#include "display_internal.h"
#include "text.h"

namespace perfcheck::contract {

using internal::EqualsIgnoreCase;
using internal::Lower;
using internal::ParseBody;
using internal::Quote;
using internal::RedactFormFields;
using internal::ShowJson;
using internal::Trim;

namespace {

// An Authorization value split at its first space: "token k:s" is scheme
// "token", credentials "k:s"; "k:s" has no scheme.
struct Credentials {
  std::string_view scheme;  // "" when there is none
  std::string_view credentials;
};

Credentials SplitScheme(std::string_view value) {
  value = Trim(value);
  const std::size_t space = value.find(' ');
  if (space == std::string_view::npos) return {"", value};
  return {value.substr(0, space), Trim(value.substr(space + 1))};
}

// The headers whose value starts with an auth scheme (RFC 9110 11.6): for
// them a missing or wrong scheme is the shape worth showing.
bool CarriesAuthScheme(std::string_view header_name) {
  return EqualsIgnoreCase(header_name, "authorization") ||
         EqualsIgnoreCase(header_name, "proxy-authorization");
}

// "<key:8 chars>:<secret:redacted>" for key:secret credentials (Frappe's
// "token <api_key>:<api_secret>"), "<credentials:redacted>" otherwise.
std::string CredentialsShape(std::string_view credentials) {
  const std::size_t colon = credentials.find(':');
  if (colon == std::string_view::npos) return "<credentials:redacted>";
  return "<key:" + std::to_string(colon) + " chars>:<secret:redacted>";
}

}  // namespace

namespace internal {

// Scheme names (token, Bearer) are not secret: they are named.
std::string WhatDiffers(std::string_view name, std::string_view expected,
                        std::string_view actual) {
  std::string out;
  Credentials e{"", expected}, a{"", actual};
  if (CarriesAuthScheme(name)) {
    e = SplitScheme(expected);
    a = SplitScheme(actual);
    if (!EqualsIgnoreCase(e.scheme, a.scheme)) {
      auto word = [](std::string_view scheme) {
        if (scheme.empty()) return std::string("none");
        std::string quoted = "\"";  // appended, not "+": GCC 12's -Wrestrict
        quoted.append(scheme);      // false positive on `"\"" + string`
        quoted += '"';
        return quoted;
      };
      out += "scheme differs: expected " + word(e.scheme) + ", got " +
             word(a.scheme) + ", ";
    }
  }
  const std::size_t ec = e.credentials.find(':');
  const std::size_t ac = a.credentials.find(':');
  if (ec != std::string_view::npos && ac != std::string_view::npos) {
    const bool key_same =
        e.credentials.substr(0, ec) == a.credentials.substr(0, ac);
    const bool secret_same =
        e.credentials.substr(ec + 1) == a.credentials.substr(ac + 1);
    out += std::string(key_same ? "key matches" : "key differs") + ", " +
           (secret_same ? "secret matches" : "secret differs");
  } else {
    out += e.credentials == a.credentials ? "credentials match"
                                          : "credentials differ";
  }
  return out + "; values not shown";
}

std::string HeaderValues(const RecordedRequest& r, std::string_view name,
                         const SecretHeaders& s) {
  std::string out;
  for (const auto& [k, v] : r.headers) {
    if (!EqualsIgnoreCase(k, name)) continue;
    if (!out.empty()) out += ", ";
    out += Quote(DisplayHeaderValue(name, v, s));
  }
  return out.empty() ? "(absent)" : out;
}

}  // namespace internal

bool SecretHeaders::IsSecret(std::string_view header_name) const {
  if (IsSecretName(header_name)) return true;
  return std::any_of(extra.begin(), extra.end(), [&](const std::string& e) {
    return EqualsIgnoreCase(e, header_name);
  });
}

std::string DisplayHeaderValue(std::string_view name, std::string_view value,
                               const SecretHeaders& secrets) {
  if (!secrets.IsSecret(name)) return std::string(value);
  std::string lname = Lower(name);
  if (lname == "cookie" || lname == "set-cookie") {
    // Cookie names are not secret and tell which cookie was (not) sent.
    std::string out;
    std::size_t start = 0;
    while (start < value.size()) {
      std::size_t semi = value.find(';', start);
      if (semi == std::string_view::npos) semi = value.size();
      std::string_view part = Trim(value.substr(start, semi - start));
      if (!part.empty()) {
        if (!out.empty()) out += "; ";
        std::size_t eq = part.find('=');
        out += std::string(part.substr(0, eq)) + "=" + std::string(kRedacted);
      }
      start = semi + 1;
    }
    return out.empty() ? std::string(kRedacted) : out;
  }
  const Credentials c = SplitScheme(value);
  if (c.scheme.empty()) {
    // A missing "token " prefix is the most common Frappe auth bug: show that
    // the scheme is missing, and the credentials' shape, never their bytes.
    if (!CarriesAuthScheme(name)) return std::string(kRedacted);
    return "<no scheme> " + CredentialsShape(c.credentials);
  }
  if (EqualsIgnoreCase(c.scheme, "token")) {
    return std::string(c.scheme) + " " + CredentialsShape(c.credentials);
  }
  return std::string(c.scheme) + " <credentials:redacted>";
}

std::string DisplayTarget(std::string_view target) {
  std::size_t q = target.find('?');
  if (q == std::string_view::npos) return std::string(target);
  return std::string(target.substr(0, q + 1)) +
         RedactFormFields(target.substr(q + 1));
}

std::string DisplayBody(std::string_view body, std::size_t max_chars) {
  std::string shown;
  if (auto j = ParseBody(std::string(body))) {
    shown = ShowJson(*j);
  } else {
    shown = RedactFormFields(body);
  }
  if (shown.size() > max_chars) {
    shown = shown.substr(0, max_chars) + "... (" + std::to_string(body.size()) +
            " bytes)";
  }
  return shown;
}

std::string DescribeRequest(const RecordedRequest& r,
                            const SecretHeaders& secrets) {
  std::string out = r.method + " " + DisplayTarget(r.target) + "\n";
  out += "      path (decoded): " + Quote(r.path) + "\n";
  for (const auto& [k, v] : r.headers) {
    out += "      " + k + ": " + DisplayHeaderValue(k, v, secrets) + "\n";
  }
  if (!r.body.empty()) out += "      body: " + DisplayBody(r.body) + "\n";
  return out;
}

}  // namespace perfcheck::contract
