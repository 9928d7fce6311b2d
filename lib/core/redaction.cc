#include "perfcheck/redaction.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <string>
#include <string_view>
#include <vector>

#include "perfcheck/percent_encoding.h"

#include "core/base64.h"

namespace perfcheck {
namespace {

constexpr std::array<std::string_view, 13> kSecretWords = {
    "authorization", "password",    "passwd",   "secret", "token",
    "api-key",       "api_key",     "apikey",   "cookie", "credential",
    "private-key",   "private_key", "signature"};

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


// The end of a keyword value starting at `pos` (quoted or not), and the
// separators that end an unquoted one.
std::size_t ValueEnd(std::string_view text, std::size_t pos) {
  if (pos < text.size() && (text[pos] == '\'' || text[pos] == '"')) {
    const char quote = text[pos];
    for (std::size_t i = pos + 1; i < text.size(); ++i) {
      if (text[i] == '\\') {
        ++i;
      } else if (text[i] == quote) {
        return i + 1;
      }
    }
    return text.size();  // unterminated: the rest is the value
  }
  const std::size_t end = text.find_first_of(" \t\r\n;&", pos);
  return end == std::string_view::npos ? text.size() : end;
}

// `text` percent-encoded (every byte but RFC 3986's unreserved ones), with
// upper- or lower-case hex digits: the form a server echoes a credential in
// when it puts it into a URL or a form body.
std::string PercentEncoded(std::string_view text, const char* hex) {
  std::string out;
  for (char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 15]);
    }
  }
  return out;
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

std::string RedactConnectionString(std::string_view text) {
  const std::string url_safe = RedactUrl(text);
  const std::string_view in = url_safe;
  std::string out;
  out.reserve(in.size());
  std::size_t i = 0;
  while (i < in.size()) {
    const std::size_t equals = in.find('=', i);
    if (equals == std::string_view::npos) break;
    // The keyword is the run of non-separators just before '=' (libpq allows
    // spaces around '=': skip them).
    std::size_t key_end = equals;
    while (key_end > i && (in[key_end - 1] == ' ' || in[key_end - 1] == '\t'))
      --key_end;
    std::size_t key_begin = key_end;
    while (key_begin > i &&
           std::string_view(" \t\r\n;&?").find(in[key_begin - 1]) ==
               std::string_view::npos) {
      --key_begin;
    }
    std::size_t value_begin = equals + 1;
    while (value_begin < in.size() &&
           (in[value_begin] == ' ' || in[value_begin] == '\t')) {
      ++value_begin;
    }
    const std::size_t value_end = ValueEnd(in, value_begin);
    out.append(in.substr(i, value_begin - i));
    if (key_begin < key_end &&
        IsSecretName(in.substr(key_begin, key_end - key_begin)) &&
        value_end > value_begin) {
      out.append(kRedacted);
    } else {
      out.append(in.substr(value_begin, value_end - value_begin));
    }
    i = value_end;
  }
  out.append(in.substr(std::min(i, in.size())));
  return out;
}

void KnownSecrets::Add(std::string_view secret) {
  AddExact(secret);
  AddExact(PercentEncoded(secret, "0123456789ABCDEF"));
  AddExact(PercentEncoded(secret, "0123456789abcdef"));
}

void KnownSecrets::AddExact(std::string_view secret) {
  if (secret.size() < kMinLength) return;
  for (const std::string& s : secrets_) {
    if (s == secret) return;
  }
  secrets_.emplace_back(secret);
}

void KnownSecrets::AddHeaderValue(std::string_view value) {
  Add(value);
  // Split on the separators of auth schemes, auth-params and cookie lists.
  constexpr std::string_view kSeparators = " \t,;";
  std::vector<std::string_view> parts;
  for (std::size_t i = 0; i < value.size();) {
    const std::size_t end =
        std::min(value.find_first_of(kSeparators, i), value.size());
    if (end > i) parts.push_back(value.substr(i, end - i));
    i = end + 1;
  }
  // A first word followed by a space is the auth scheme ("Bearer", "token");
  // a cookie list ("a=1; b=2") has none.
  const std::size_t first =
      parts.size() > 1 && parts[0].find('=') == std::string_view::npos &&
              value[parts[0].size()] == ' '
          ? 1
          : 0;
  auto add_pair_halves = [this](std::string_view pair) {
    Add(pair);
    if (const std::size_t colon = pair.find(':');
        colon != std::string_view::npos) {
      Add(pair.substr(0, colon));
      Add(pair.substr(colon + 1));
      // "key:secret" as Basic credentials, whichever scheme sent it.
      Add(internal::Base64Encode(pair));
    }
  };
  if (first == 1) Add(value.substr(parts[1].data() - value.data()));
  for (std::size_t p = first; p < parts.size(); ++p) {
    std::string_view part = parts[p];
    add_pair_halves(part);
    if (const std::size_t equals = part.find('=');
        equals != std::string_view::npos && equals + 1 < part.size()) {
      std::string_view v = part.substr(equals + 1);
      if (v.size() >= 2 && v.front() == '"' && v.back() == '"') {
        v = v.substr(1, v.size() - 2);
      }
      add_pair_halves(v);
    }
    // Only text is worth searching for: random bytes never show up in a
    // message, and a short garbage match would only blank out real text.
    std::string decoded;
    if (!part.empty() && internal::Base64Decode(part, &decoded) &&
        std::all_of(decoded.begin(), decoded.end(), [](char c) {
          return std::isprint(static_cast<unsigned char>(c)) != 0;
        })) {
      add_pair_halves(decoded);
    }
  }
}

std::string KnownSecrets::Redact(std::string_view text) const {
  if (secrets_.empty()) return std::string(text);
  std::vector<bool> hidden(text.size(), false);
  bool any = false;
  for (const std::string& s : secrets_) {
    for (std::size_t at = text.find(s); at != std::string_view::npos;
         at = text.find(s, at + 1)) {
      std::fill_n(hidden.begin() + static_cast<std::ptrdiff_t>(at), s.size(),
                  true);
      any = true;
    }
  }
  if (!any) return std::string(text);
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (!hidden[i]) {
      out.push_back(text[i]);
    } else if (i == 0 || !hidden[i - 1]) {
      out.append(kRedacted);
    }
  }
  return out;
}

}  // namespace perfcheck
