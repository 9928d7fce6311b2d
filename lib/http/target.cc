#include "perfcheck/http/target.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <stdexcept>

#include "core/base64.h"
#include "http/framing.h"
#include "perfcheck/percent_encoding.h"
#include "perfcheck/redaction.h"

namespace perfcheck::http {
namespace {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

bool HasControlOrSpace(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) {
    return static_cast<unsigned char>(c) <= ' ' || c == 0x7f;
  });
}

}  // namespace

Target::Target(std::string_view base_url) {
  Status s = ParseInto(base_url, *this);
  if (!s.ok()) throw std::invalid_argument(s.message());
}

StatusOr<Target> Target::Parse(std::string_view base_url) {
  Target t;
  Status s = ParseInto(base_url, t);
  if (!s.ok()) return s;
  return t;
}

Status Target::ParseInto(std::string_view url, Target& t) {
  // The message shows the URL redacted: it may carry a password.
  const std::string shown = "base URL '" + RedactUrl(url) + "': ";
  if (url.empty()) return Status::Error("base URL is empty");
  if (HasControlOrSpace(url)) {
    return Status::Error(shown + "contains spaces or control characters");
  }
  const std::size_t sep = url.find("://");
  if (sep == std::string_view::npos) {
    return Status::Error(shown +
                         "missing scheme (expected http:// or https://)");
  }
  std::string scheme(url.substr(0, sep));
  std::transform(scheme.begin(), scheme.end(), scheme.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  if (scheme != "http" && scheme != "https") {
    return Status::Error(shown + "unsupported scheme '" + scheme +
                         "' (use http or https)");
  }
  std::string_view rest = url.substr(sep + 3);
  const std::size_t path_start = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, path_start);
  std::string_view path =
      path_start == std::string_view::npos ? "" : rest.substr(path_start);
  if (!path.empty() && path.front() != '/') {
    return Status::Error(shown + "query or fragment not allowed in a base URL");
  }
  if (path.find_first_of("?#") != std::string_view::npos) {
    return Status::Error(shown + "query or fragment not allowed in a base URL");
  }
  std::string user, password;
  bool has_userinfo = false;
  if (const std::size_t at = authority.rfind('@');
      at != std::string_view::npos) {
    std::string_view info = authority.substr(0, at);
    authority = authority.substr(at + 1);
    const std::size_t colon = info.find(':');
    // Userinfo is percent-encoded (RFC 3986): "p%40ss" is the password
    // "p@ss", as curl and browsers send it.
    if (!PercentDecodeStrict(info.substr(0, colon), &user) ||
        (colon != std::string_view::npos &&
         !PercentDecodeStrict(info.substr(colon + 1), &password))) {
      return Status::Error(shown +
                           "bad percent-encoding in the user or password");
    }
    has_userinfo = true;
  }
  std::string_view host = authority, port_text;
  if (!authority.empty() && authority.front() == '[') {
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos) {
      return Status::Error(shown + "unterminated IPv6 address");
    }
    host = authority.substr(1, close - 1);
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return Status::Error(shown + "bad port");
      port_text = after.substr(1);
    }
  } else if (const std::size_t colon = authority.rfind(':');
             colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port_text = authority.substr(colon + 1);
    if (port_text.empty()) return Status::Error(shown + "empty port");
  }
  if (host.empty()) return Status::Error(shown + "missing host");
  std::uint16_t port = scheme == "https" ? 443 : 80;
  if (!port_text.empty()) {
    unsigned value = 0;
    auto [end, ec] = std::from_chars(
        port_text.data(), port_text.data() + port_text.size(), value);
    if (ec != std::errc() || end != port_text.data() + port_text.size() ||
        value == 0 || value > 65535) {
      return Status::Error(shown + "bad port '" + std::string(port_text) +
                           "' (expected 1..65535)");
    }
    port = static_cast<std::uint16_t>(value);
  }
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  t.scheme_ = std::move(scheme);
  t.host_ = std::string(host);
  t.port_ = port;
  t.base_path_ = std::string(path);
  if (has_userinfo) t.Basic(user, password);
  return Status();
}

Status Target::CheckHostHeader(std::string_view host) {
  if (HasControlOrSpace(host)) {
    return Status::Error("Host header contains spaces or control characters");
  }
  return Status();
}

Status Target::CheckHeader(std::string_view name, std::string_view value) {
  const std::string n(name);
  if (n.empty() || HasControlOrSpace(n) || n.find(':') != std::string::npos) {
    return Status::Error("bad header name '" + n + "'");
  }
  if (value.find_first_of("\r\n") != std::string_view::npos) {
    // Never echo the value: it may be a secret.
    return Status::Error("header '" + n + "': value contains CR or LF");
  }
  if (internal::IsFramingHeader(n)) {
    return Status::Error("header '" + n +
                         "' frames the connection, which perfcheck does "
                         "itself; it cannot be set");
  }
  if (EqualsIgnoreCase(n, "host")) return CheckHostHeader(value);
  return Status();
}

Target& Target::HostHeader(std::string host) {
  if (Status s = CheckHostHeader(host); !s.ok()) {
    throw std::invalid_argument(s.message());
  }
  host_override_ = std::move(host);
  return *this;
}

Target& Target::AddHeader(std::string name, std::string value, bool secret) {
  if (Status s = CheckHeader(name, value); !s.ok()) {
    throw std::invalid_argument(s.message());
  }
  if (EqualsIgnoreCase(name, "host")) return HostHeader(std::move(value));
  secret = secret || IsSecretName(name);
  for (Header& h : headers_) {
    if (EqualsIgnoreCase(h.name, name)) {
      h.value = std::move(value);
      h.secret = h.secret || secret;
      return *this;
    }
  }
  headers_.push_back({std::move(name), std::move(value), secret});
  return *this;
}

Target& Target::FrappeToken(std::string_view api_key,
                            std::string_view api_secret) {
  return AddHeader(
      "Authorization",
      "token " + std::string(api_key) + ":" + std::string(api_secret), true);
}

Target& Target::Bearer(std::string_view token) {
  return AddHeader("Authorization", "Bearer " + std::string(token), true);
}

Target& Target::Basic(std::string_view user, std::string_view password) {
  std::string credentials(user);
  credentials.append(":").append(password);
  std::string value = "Basic ";
  value.append(perfcheck::internal::Base64Encode(credentials));
  return AddHeader("Authorization", std::move(value), true);
}

Target& Target::ApiKey(std::string header_name, std::string_view key) {
  return AddHeader(std::move(header_name), std::string(key), true);
}

Target& Target::Insecure(bool insecure) {
  insecure_ = insecure;
  return *this;
}

Target& Target::CaFile(std::string path) {
  ca_file_ = std::move(path);
  return *this;
}

std::string Target::HostHeaderValue() const {
  if (!host_override_.empty()) return host_override_;
  const bool bracket = host_.find(':') != std::string::npos;
  std::string h = bracket ? "[" + host_ + "]" : host_;
  if (port_ != (tls() ? 443 : 80)) h += ":" + std::to_string(port_);
  return h;
}

std::vector<Header> Target::RedactedHeaders() const {
  std::vector<Header> out = headers_;
  for (Header& h : out) {
    if (h.secret) h.value = std::string(kRedacted);
  }
  return out;
}

std::string Target::Describe() const {
  const bool bracket = host_.find(':') != std::string::npos;
  std::string d = scheme_ + "://" + (bracket ? "[" + host_ + "]" : host_) +
                  ":" + std::to_string(port_) + base_path_;
  if (!host_override_.empty()) d += " (Host: " + host_override_ + ")";
  return d;
}

}  // namespace perfcheck::http
