#include "perfcheck/http/request.h"

#include <algorithm>
#include <cctype>
#include <stdexcept>
#include <string_view>

#include "http/framing.h"
#include "perfcheck/redaction.h"

namespace perfcheck::http {
namespace {

bool IsUnreserved(unsigned char c) {
  return std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

bool HasSpaceOrControl(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) {
    return static_cast<unsigned char>(c) <= ' ' || c == 0x7f;
  });
}

}  // namespace

std::string PercentEncode(std::string_view text, std::string_view keep) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (IsUnreserved(c) || keep.find(ch) != std::string_view::npos) {
      out += ch;
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

Request Request::Get(std::string path) { return Make("GET", std::move(path)); }

Request Request::Post(std::string path, std::string body,
                      std::string content_type) {
  Request r = Make("POST", std::move(path));
  r.body = std::move(body);
  r.content_type = std::move(content_type);
  return r;
}

Request Request::Make(std::string method, std::string path) {
  Request r;
  r.method = std::move(method);
  r.path = std::move(path);
  return r;
}

Request& Request::Query(std::string key, std::string value) {
  query.emplace_back(std::move(key), std::move(value));
  return *this;
}

Request& Request::AddHeader(std::string name, std::string value, bool secret) {
  headers.push_back({std::move(name), std::move(value), secret});
  return *this;
}

Request& Request::Named(std::string request_name) {
  name = std::move(request_name);
  return *this;
}

Request& Request::ExpectStatus(std::vector<int> codes) {
  expected_status = std::move(codes);
  return *this;
}

Request& Request::ExpectBody(BodyPredicate predicate) {
  body_check = std::move(predicate);
  return *this;
}

std::string Request::DisplayName() const {
  // The name keys reports, CSV rows and result files: a token in the path's
  // query must not become part of it.
  return name.empty() ? method + " " + RedactUrl(path) : name;
}

std::string Request::RequestTarget(const Target& target) const {
  std::string t = target.base_path() + path;
  for (std::size_t i = 0; i < query.size(); ++i) {
    t += i == 0 && path.find('?') == std::string::npos ? '?' : '&';
    t += PercentEncode(query[i].first);
    t += '=';
    t += PercentEncode(query[i].second);
  }
  return t;
}

Status Request::Check() const {
  // RFC 9110 token characters only: "G@T" is no method a server can parse.
  const bool token =
      !method.empty() && std::all_of(method.begin(), method.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) ||
               std::string_view("!#$%&'*+-.^_`|~").find(c) !=
                   std::string_view::npos;
      });
  if (!token) {
    std::string what = "request '";
    what.append(DisplayName())
        .append("': bad method (letters, digits and !#$%&'*+-.^_`|~ only)");
    return Status::Error(what);
  }
  if (path.empty() || path.front() != '/' || HasSpaceOrControl(path)) {
    return Status::Error("request '" + DisplayName() +
                         "': path must start with '/' and contain no "
                         "spaces (use PercentEncode)");
  }
  for (const Header& h : headers) {
    if (h.name.empty() || HasSpaceOrControl(h.name) ||
        h.value.find_first_of("\r\n") != std::string::npos) {
      return Status::Error("request '" + DisplayName() + "': bad header '" +
                           h.name + "'");
    }
    if (internal::IsFramingHeader(h.name)) {
      std::string what = "request '";
      what.append(DisplayName())
          .append("': header '")
          .append(h.name)
          .append("' frames the connection, which perfcheck does itself");
      return Status::Error(what);
    }
  }
  return Status();
}

std::string Request::Serialize(const Target& target) const {
  if (Status s = Check(); !s.ok()) throw std::invalid_argument(s.message());
  std::string msg;
  msg.reserve(256 + body.size());
  msg += method;
  msg += ' ';
  msg += RequestTarget(target);
  msg += " HTTP/1.1\r\nHost: ";
  msg += target.HostHeaderValue();
  msg += "\r\n";
  auto overridden = [&](const std::string& name) {
    return std::any_of(headers.begin(), headers.end(), [&](const Header& h) {
      return EqualsIgnoreCase(h.name, name);
    });
  };
  for (const Header& h : target.headers()) {
    if (overridden(h.name)) continue;
    msg += h.name + ": " + h.value + "\r\n";
  }
  for (const Header& h : headers) msg += h.name + ": " + h.value + "\r\n";
  if (!content_type.empty() && !overridden("Content-Type")) {
    msg += "Content-Type: " + content_type + "\r\n";
  }
  if (!body.empty() || method == "POST" || method == "PUT" ||
      method == "PATCH") {
    msg += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  }
  msg += "\r\n";
  msg += body;
  return msg;
}

}  // namespace perfcheck::http
