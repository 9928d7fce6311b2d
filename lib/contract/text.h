// Text helpers the contract adapter's .cc files share: case, quoting, and the
// redaction of secret-named JSON members and form fields. Internal.
#ifndef PERFCHECK_LIB_CONTRACT_TEXT_H_
#define PERFCHECK_LIB_CONTRACT_TEXT_H_

#include <cctype>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "perfcheck/percent_encoding.h"
#include "perfcheck/redaction.h"

namespace perfcheck::contract::internal {

using nlohmann::json;

inline std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

inline bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && Lower(a) == Lower(b);
}

inline std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
    s.remove_suffix(1);
  }
  return s;
}

// Body and query field names that carry secrets: the shared list plus "pwd",
// the password field of Frappe's /api/method/login.
inline bool IsSecretField(std::string_view name) {
  return IsSecretName(name) || Lower(name) == "pwd";
}

inline std::string Quote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (static_cast<unsigned char>(c) < 0x20) {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\x";
      out.push_back(kHex[(c >> 4) & 0xf]);
      out.push_back(kHex[c & 0xf]);
    } else {
      out.push_back(c);
    }
  }
  out.push_back('"');
  return out;
}

inline std::optional<json> ParseBody(const std::string& body) {
  json j = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return std::nullopt;
  return j;
}

inline void RedactJson(json& j) {
  if (j.is_object()) {
    for (auto it = j.begin(); it != j.end(); ++it) {
      if (IsSecretField(it.key())) {
        it.value() = std::string(kRedacted);
      } else {
        RedactJson(it.value());
      }
    }
  } else if (j.is_array()) {
    for (json& e : j) RedactJson(e);
  }
}

inline std::string ShowJson(json j) {
  RedactJson(j);
  return j.dump();
}

// Replaces the values of secret-named fields in "k=v&k2=v2" text.
inline std::string RedactFormFields(std::string_view text) {
  std::string out;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t amp = text.find('&', start);
    if (amp == std::string_view::npos) amp = text.size();
    std::string_view field = text.substr(start, amp - start);
    std::size_t eq = field.find('=');
    if (eq != std::string_view::npos &&
        IsSecretField(PercentDecode(field.substr(0, eq), true))) {
      out.append(field.substr(0, eq + 1));
      out.append(kRedacted);
    } else {
      out.append(field);
    }
    if (amp < text.size()) out.push_back('&');
    start = amp + 1;
  }
  return out;
}

}  // namespace perfcheck::contract::internal

#endif  // PERFCHECK_LIB_CONTRACT_TEXT_H_
