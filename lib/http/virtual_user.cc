// The parts of VirtualUser and Expect that do not touch the engine: JSON
// pointers, variables, templates, headers, and the response checks.
#include "perfcheck/http/virtual_user.h"

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "http/scenario_engine.h"

namespace perfcheck::http {
namespace {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// nullopt for a malformed pointer.
std::optional<nlohmann::json::json_pointer> ParsePointer(
    std::string_view pointer) {
  try {
    return nlohmann::json::json_pointer(std::string(pointer));
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;
  }
}

void CheckPointer(const std::string& pointer) {
  if (!ParsePointer(pointer)) {
    throw std::invalid_argument(
        "Expect: '" + pointer +
        "' is not a JSON pointer (e.g. \"/data/0/id\")");
  }
}

std::string Text(const nlohmann::json& v) {
  return v.is_string() ? v.get<std::string>() : v.dump();
}

}  // namespace

Expect& Expect::Status(std::vector<int> codes) {
  status = std::move(codes);
  return *this;
}

Expect& Expect::Apart(std::vector<int> codes) {
  apart = std::move(codes);
  return *this;
}

Expect& Expect::JsonHas(std::string pointer) {
  CheckPointer(pointer);
  checks.push_back({Check::Kind::kJsonHas, std::move(pointer), ""});
  return *this;
}

Expect& Expect::JsonEquals(std::string pointer, std::string value) {
  CheckPointer(pointer);
  checks.push_back(
      {Check::Kind::kJsonEquals, std::move(pointer), std::move(value)});
  return *this;
}

Expect& Expect::BodyContains(std::string text) {
  checks.push_back({Check::Kind::kBodyContains, std::move(text), ""});
  return *this;
}

std::optional<std::string> JsonAt(std::string_view body,
                                  std::string_view pointer) {
  const auto ptr = ParsePointer(pointer);
  if (!ptr) return std::nullopt;
  const nlohmann::json doc = nlohmann::json::parse(body, nullptr, false);
  if (doc.is_discarded() || !doc.contains(*ptr)) return std::nullopt;
  return Text(doc.at(*ptr));
}

void VirtualUser::SetVar(std::string name, std::string value) {
  for (auto& [k, v] : vars_) {
    if (k == name) {
      v = std::move(value);
      return;
    }
  }
  vars_.emplace_back(std::move(name), std::move(value));
}

bool VirtualUser::HasVar(std::string_view name) const {
  return std::any_of(vars_.begin(), vars_.end(),
                     [&](const auto& kv) { return kv.first == name; });
}

const std::string& VirtualUser::Var(std::string_view name) const {
  for (const auto& [k, v] : vars_) {
    if (k == name) return v;
  }
  throw std::invalid_argument("undefined variable '" + std::string(name) + "'");
}

std::string VirtualUser::Format(std::string_view pattern) const {
  std::string out;
  out.reserve(pattern.size() + 16);
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    const char c = pattern[i];
    if (c != '$' || i + 1 == pattern.size()) {
      out += c;
      continue;
    }
    if (pattern[i + 1] == '$') {  // "$$" is one '$'
      out += '$';
      ++i;
      continue;
    }
    if (pattern[i + 1] != '{') {
      out += c;
      continue;
    }
    const std::size_t close = pattern.find('}', i);
    if (close == std::string_view::npos) {
      throw std::invalid_argument("unclosed '${' in template at offset " +
                                  std::to_string(i));
    }
    const std::string_view name = pattern.substr(i + 2, close - i - 2);
    if (name == "user") {
      out += std::to_string(id_);
    } else if (name == "iteration") {
      out += std::to_string(iteration_);
    } else {
      out += Var(name);
    }
    i = close;
  }
  return out;
}

void VirtualUser::SetHeader(std::string name, std::string value, bool secret) {
  if (Status s = Target::CheckHeader(name, value); !s.ok()) {
    throw std::invalid_argument("SetHeader: " + s.message());
  }
  secret = secret || IsSecretName(name);
  if (secret) {
    if (!secrets_) secrets_ = std::make_unique<KnownSecrets>();
    secrets_->AddHeaderValue(value);
  }
  for (Header& h : headers_) {
    if (EqualsIgnoreCase(h.name, name)) {
      h.value = std::move(value);
      h.secret = h.secret || secret;
      return;
    }
  }
  headers_.push_back({std::move(name), std::move(value), secret});
}

void VirtualUser::RemoveHeader(std::string_view name) {
  std::erase_if(headers_, [&](const Header& h) {
    return EqualsIgnoreCase(h.name, name);
  });
}

namespace internal {

std::optional<std::pair<const char*, std::string>> CheckResponse(
    const Request& request, const Expect& expect, int status,
    const std::string& body, bool truncated) {
  const std::vector<int>& accepted =
      expect.status.empty() ? request.expected_status : expect.status;
  const bool ok_status = accepted.empty()
                             ? status >= 200 && status < 400
                             : std::find(accepted.begin(), accepted.end(),
                                         status) != accepted.end();
  if (!ok_status) {
    const char* category = status >= 500   ? "status_5xx"
                           : status >= 400 ? "status_4xx"
                                           : "status_other";
    return std::make_pair(category, "HTTP " + std::to_string(status));
  }
  if ((!expect.checks.empty() || request.body_check) && truncated) {
    return std::make_pair("check", std::string("body too long to check"));
  }
  if (request.body_check && !request.body_check(body)) {
    return std::make_pair("check", std::string("body check failed"));
  }
  nlohmann::json doc;
  bool parsed = false;
  for (const Expect::Check& c : expect.checks) {
    if (c.kind == Expect::Check::Kind::kBodyContains) {
      if (body.find(c.what) == std::string::npos) {
        return std::make_pair("check",
                              "body does not contain \"" + c.what + "\"");
      }
      continue;
    }
    if (!parsed) {
      doc = nlohmann::json::parse(body, nullptr, false);
      parsed = true;
    }
    if (doc.is_discarded()) {
      return std::make_pair("check", std::string("body is not JSON"));
    }
    const nlohmann::json::json_pointer ptr(c.what);
    if (!doc.contains(ptr)) {
      return std::make_pair("check", "JSON " + c.what + " missing");
    }
    if (c.kind == Expect::Check::Kind::kJsonEquals &&
        Text(doc.at(ptr)) != c.value) {
      return std::make_pair("check",
                            "JSON " + c.what + " is not \"" + c.value + "\"");
    }
  }
  return std::nullopt;
}

}  // namespace internal
}  // namespace perfcheck::http
