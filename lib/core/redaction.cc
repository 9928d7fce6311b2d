#include "perfcheck/redaction.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <string>
#include <string_view>

#include "perfcheck/percent_encoding.h"

namespace perfcheck {
namespace {

constexpr std::array<std::string_view, 12> kSecretWords = {
    "authorization", "password",   "passwd",      "secret",
    "token",         "api-key",    "api_key",     "apikey",
    "cookie",        "credential", "private-key", "private_key"};

char Lower(char c) {
  return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
}

// Query parameter names are matched decoded, so "pass%77ord=" or
// "api%5Fkey=" cannot slip a secret past the name check.
std::string DecodeComponent(std::string_view text) {
  return PercentDecode(text, /*plus_is_space=*/true);
}

// RFC 3986: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ), then "://".
// Returns the offset just past "://", or npos when `url` has no such prefix.
std::size_t AuthorityStart(std::string_view url) {
  const std::size_t colon = url.find("://");
  if (colon == std::string_view::npos || colon == 0)
    return std::string_view::npos;
  if (!std::isalpha(static_cast<unsigned char>(url[0]))) {
    return std::string_view::npos;
  }
  for (std::size_t i = 1; i < colon; ++i) {
    const unsigned char c = static_cast<unsigned char>(url[i]);
    if (!std::isalnum(c) && c != '+' && c != '-' && c != '.') {
      return std::string_view::npos;
    }
  }
  return colon + 3;
}

// Appends "k=v&k=v" with the values of secret-named keys redacted; every
// other byte is copied unchanged.
void AppendRedactedParams(std::string_view params, std::string& out) {
  std::size_t begin = 0;
  while (true) {
    const std::size_t end = params.find('&', begin);
    const std::string_view param = params.substr(
        begin,
        end == std::string_view::npos ? std::string_view::npos : end - begin);
    const std::size_t equals = param.find('=');
    if (equals != std::string_view::npos &&
        IsSecretName(DecodeComponent(param.substr(0, equals)))) {
      out.append(param.substr(0, equals + 1));
      out.append(kRedacted);
    } else {
      out.append(param);
    }
    if (end == std::string_view::npos) break;
    out.push_back('&');
    begin = end + 1;
  }
}

}  // namespace

bool IsSecretName(std::string_view name) {
  std::string lower(name.size(), '\0');
  for (std::size_t i = 0; i < name.size(); ++i) lower[i] = Lower(name[i]);
  for (std::string_view word : kSecretWords) {
    if (lower.find(word) != std::string::npos) return true;
  }
  return false;
}

std::string RedactIfSecret(std::string_view name, std::string_view value) {
  return IsSecretName(name) ? std::string(kRedacted) : std::string(value);
}

std::string RedactUrl(std::string_view url) {
  const std::size_t authority = AuthorityStart(url);
  // Besides absolute URLs, origin-form request targets ("/path?token=...")
  // are URLs too: the HTTP driver prints them.
  const bool is_url = authority != std::string_view::npos ||
                      (!url.empty() && (url[0] == '/' || url[0] == '?'));
  if (!is_url) return std::string(url);

  std::string out;
  out.reserve(url.size() + kRedacted.size());
  std::size_t rest = 0;
  if (authority != std::string_view::npos) {
    const std::size_t authority_end = url.find_first_of("/?#", authority);
    const std::string_view authority_text =
        url.substr(authority, authority_end == std::string_view::npos
                                  ? std::string_view::npos
                                  : authority_end - authority);
    // The last '@' ends the userinfo: an unencoded '@' in a password must
    // not leave the password's tail in the output.
    const std::size_t at = authority_text.rfind('@');
    const std::size_t colon = at == std::string_view::npos
                                  ? std::string_view::npos
                                  : authority_text.find(':');
    if (colon != std::string_view::npos && colon < at && colon + 1 < at) {
      out.append(url.substr(0, authority + colon + 1));
      out.append(kRedacted);
      rest = authority + at;
    }
  }

  const std::size_t query = url.find('?', rest);
  const std::size_t fragment = url.find('#', rest);
  const std::size_t path_end = std::min(query, fragment);
  out.append(url.substr(rest, path_end == std::string_view::npos
                                  ? std::string_view::npos
                                  : path_end - rest));
  if (query != std::string_view::npos && query < fragment) {
    out.push_back('?');
    const std::size_t query_end =
        fragment == std::string_view::npos ? url.size() : fragment;
    AppendRedactedParams(url.substr(query + 1, query_end - query - 1), out);
  }
  if (fragment != std::string_view::npos) {
    // OAuth implicit flows put tokens in the fragment ("#access_token=...").
    out.push_back('#');
    AppendRedactedParams(url.substr(fragment + 1), out);
  }
  return out;
}

}  // namespace perfcheck
