#include <httplib.h>

#include <cctype>
#include <nlohmann/json.hpp>
#include <regex>
#include <stdexcept>

#include "perfcheck/contract/check.h"
#include "perfcheck/redaction.h"

namespace perfcheck::contract {

using nlohmann::json;

struct Check::Spec {
  std::string scheme_host_port;  // "http://127.0.0.1:8080"
  std::string path_and_query;    // "/api/x?y=1", still encoded
  std::string shown_url;         // redacted
  std::string name;
  std::string method = "GET";
  HeaderList request_headers;
  std::string request_body;
  std::string request_content_type;
  std::chrono::nanoseconds timeout = std::chrono::seconds(10);
  bool insecure = false;
  std::string ca_file;  // "" = the system's CA certificates
  int samples = 10;

  // Each expectation appends its violations for a response.
  using Expectation =
      std::function<void(const httplib::Response&, std::vector<std::string>&)>;
  std::vector<Expectation> expectations;
  std::optional<Nanos> latency_bound;
};

namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

const char* TypeName(JsonType t) {
  switch (t) {
    case JsonType::kString:
      return "string";
    case JsonType::kNumber:
      return "number";
    case JsonType::kInteger:
      return "integer";
    case JsonType::kBoolean:
      return "boolean";
    case JsonType::kObject:
      return "object";
    case JsonType::kArray:
      return "array";
    case JsonType::kNull:
      return "null";
  }
  return "?";
}

std::string TypeOf(const json& j) {
  if (j.is_string()) return "string";
  if (j.is_number_integer() || j.is_number_unsigned()) return "integer";
  if (j.is_number()) return "number";
  if (j.is_boolean()) return "boolean";
  if (j.is_object()) return "object";
  if (j.is_array()) return "array";
  return "null";
}

bool HasType(const json& j, std::string_view type) {
  if (type == "number") return j.is_number();
  if (type == "integer") {
    if (j.is_number_integer() || j.is_number_unsigned()) return true;
    // JSON has one number type: 2.0 is an integer in JSON-schema terms.
    return j.is_number_float() &&
           j.get<double>() == static_cast<double>(j.get<std::int64_t>());
  }
  return TypeOf(j) == type;
}

std::optional<json> ParseBody(const std::string& body) {
  json j = json::parse(body, nullptr, false);
  if (j.is_discarded()) return std::nullopt;
  return j;
}

std::string PointerText(const std::string& p) { return p.empty() ? "/" : p; }

void ValidateSchema(const json& schema, const std::string& where) {
  static const char* kKnown[] = {"type",  "required",   "properties", "items",
                                 "enum",  "minItems",   "maxItems",   "$schema",
                                 "title", "description"};
  if (!schema.is_object()) {
    throw std::invalid_argument("Check::ExpectJsonSchema: schema at " +
                                PointerText(where) + " is not an object");
  }
  for (auto it = schema.begin(); it != schema.end(); ++it) {
    bool known = false;
    for (const char* k : kKnown) known = known || it.key() == k;
    if (!known) {
      throw std::invalid_argument(
          "Check::ExpectJsonSchema: unsupported keyword '" + it.key() +
          "' at " + PointerText(where));
    }
  }
  if (schema.contains("properties")) {
    for (auto it = schema["properties"].begin();
         it != schema["properties"].end(); ++it) {
      ValidateSchema(it.value(), where + "/properties/" + it.key());
    }
  }
  if (schema.contains("items"))
    ValidateSchema(schema["items"], where + "/items");
}

// Appends the ways `value` (at JSON pointer `at`) breaks `schema`. Values are
// never printed, only types and names, since bodies may carry secrets.
void CheckSchema(const json& value, const json& schema, const std::string& at,
                 std::vector<std::string>& out) {
  if (schema.contains("type")) {
    std::vector<std::string> types;
    if (schema["type"].is_array()) {
      for (const auto& t : schema["type"])
        types.push_back(t.get<std::string>());
    } else {
      types.push_back(schema["type"].get<std::string>());
    }
    bool ok = false;
    for (const auto& t : types) ok = ok || HasType(value, t);
    if (!ok) {
      std::string expected;
      for (const auto& t : types)
        expected += (expected.empty() ? "" : " or ") + t;
      out.push_back("json " + PointerText(at) + ": expected " + expected +
                    ", got " + TypeOf(value));
      return;
    }
  }
  if (schema.contains("enum")) {
    bool found = false;
    for (const auto& e : schema["enum"]) found = found || e == value;
    if (!found) {
      out.push_back("json " + PointerText(at) + ": not one of the " +
                    std::to_string(schema["enum"].size()) + " allowed values");
    }
  }
  if (value.is_object()) {
    if (schema.contains("required")) {
      for (const auto& r : schema["required"]) {
        if (!value.contains(r.get<std::string>())) {
          out.push_back("json " + PointerText(at) +
                        ": missing required field '" + r.get<std::string>() +
                        "'");
        }
      }
    }
    if (schema.contains("properties")) {
      for (auto it = schema["properties"].begin();
           it != schema["properties"].end(); ++it) {
        if (value.contains(it.key())) {
          CheckSchema(value[it.key()], it.value(), at + "/" + it.key(), out);
        }
      }
    }
  }
  if (value.is_array()) {
    if (schema.contains("minItems") && value.size() < schema["minItems"]) {
      out.push_back("json " + PointerText(at) + ": expected at least " +
                    schema["minItems"].dump() + " items, got " +
                    std::to_string(value.size()));
    }
    if (schema.contains("maxItems") && value.size() > schema["maxItems"]) {
      out.push_back("json " + PointerText(at) + ": expected at most " +
                    schema["maxItems"].dump() + " items, got " +
                    std::to_string(value.size()));
    }
    if (schema.contains("items")) {
      for (std::size_t i = 0; i < value.size(); ++i) {
        CheckSchema(value[i], schema["items"], at + "/" + std::to_string(i),
                    out);
      }
    }
  }
}

std::string TransportError(httplib::Error e) {
  switch (e) {
    case httplib::Error::Connection:
      return "connection failed";
    case httplib::Error::Read:
      return "read failed (connection reset or closed)";
    case httplib::Error::Write:
      return "write failed";
    case httplib::Error::ConnectionTimeout:
      return "connect timeout";
    case httplib::Error::SSLConnection:
      return "TLS handshake failed";
    case httplib::Error::SSLServerVerification:
      return "TLS server verification failed";
    case httplib::Error::SSLLoadingCerts:
      return "TLS CA certificates could not be loaded";
    default:
      return httplib::to_string(e);
  }
}

std::string ErrorCategory(const CheckOutcome& o) {
  if (o.transport_error == "timeout") return "timeout";
  if (!o.transport_error.empty()) return "connection";
  if (o.status >= 500) return "status_5xx";
  if (o.status >= 400) return "status_4xx";
  return "contract";
}

}  // namespace

Check::Check(std::string url) : spec_(std::make_shared<Spec>()) {
  // scheme://authority[/path][?query]; the path and query are sent as given.
  std::size_t sep = url.find("://");
  std::string scheme =
      sep == std::string::npos ? "" : Lower(url.substr(0, sep));
  if (scheme != "http" && scheme != "https") {
    throw std::invalid_argument("Check: URL '" + RedactUrl(url) +
                                "' must start with http:// or https://");
  }
  std::size_t path = url.find_first_of("/?", sep + 3);
  std::string authority = url.substr(sep + 3, path - (sep + 3));
  if (authority.find('@') != std::string::npos) {
    throw std::invalid_argument(
        "Check: URL '" + RedactUrl(url) +
        "': credentials in the URL are not supported; use RequestHeader");
  }
  if (authority.empty()) {
    throw std::invalid_argument("Check: URL '" + RedactUrl(url) +
                                "' has no host");
  }
  spec_->scheme_host_port = scheme + "://" + authority;
  spec_->path_and_query = path == std::string::npos ? "/" : url.substr(path);
  if (spec_->path_and_query.front() == '?') {
    spec_->path_and_query = "/" + spec_->path_and_query;
  }
  spec_->shown_url =
      spec_->scheme_host_port + DisplayTarget(spec_->path_and_query);
}

Check::Spec& Check::Mutable() {
  // Copies share a Spec until one of them is changed.
  if (spec_.use_count() > 1) spec_ = std::make_shared<Spec>(*spec_);
  return *spec_;
}

Check& Check::Named(std::string name) {
  Mutable().name = std::move(name);
  return *this;
}
Check& Check::Method(std::string method) {
  Mutable().method = std::move(method);
  return *this;
}
Check& Check::RequestHeader(std::string name, std::string value) {
  Mutable().request_headers.emplace_back(std::move(name), std::move(value));
  return *this;
}
Check& Check::RequestBody(std::string body, std::string content_type) {
  Mutable().request_body = std::move(body);
  spec_->request_content_type = std::move(content_type);
  return *this;
}
Check& Check::Timeout(std::chrono::nanoseconds timeout) {
  if (timeout.count() <= 0) {
    throw std::invalid_argument("Check::Timeout: must be positive");
  }
  Mutable().timeout = timeout;
  return *this;
}
Check& Check::InsecureSkipTlsVerify() {
  Mutable().insecure = true;
  return *this;
}
Check& Check::TrustCaFile(std::string pem_path) {
  if (pem_path.empty()) {
    throw std::invalid_argument("Check::TrustCaFile: empty path");
  }
  Mutable().ca_file = std::move(pem_path);
  return *this;
}
Check& Check::Samples(int n) {
  if (n <= 0) throw std::invalid_argument("Check::Samples: must be positive");
  Mutable().samples = n;
  return *this;
}

Check& Check::ExpectStatus(int status) {
  return ExpectStatusIn(status, status);
}

Check& Check::ExpectStatusIn(int lo, int hi) {
  if (lo > hi) throw std::invalid_argument("Check::ExpectStatusIn: lo > hi");
  Mutable().expectations.push_back(
      [lo, hi](const httplib::Response& r, std::vector<std::string>& out) {
        if (r.status < lo || r.status > hi) {
          out.push_back("status: expected " +
                        (lo == hi
                             ? std::to_string(lo)
                             : std::to_string(lo) + ".." + std::to_string(hi)) +
                        ", got " + std::to_string(r.status));
        }
      });
  return *this;
}

Check& Check::ExpectHeader(std::string name, std::string value) {
  Mutable().expectations.push_back(
      [name, value](const httplib::Response& r, std::vector<std::string>& out) {
        if (!r.has_header(name.c_str())) {
          out.push_back("header " + name + ": expected \"" +
                        DisplayHeaderValue(name, value) + "\", got (absent)");
        } else if (r.get_header_value(name.c_str()) != value) {
          out.push_back(
              "header " + name + ": expected \"" +
              DisplayHeaderValue(name, value) + "\", got \"" +
              DisplayHeaderValue(name, r.get_header_value(name.c_str())) +
              "\"");
        }
      });
  return *this;
}

Check& Check::ExpectHeaderMatches(std::string name,
                                  std::string ecmascript_regex) {
  std::shared_ptr<const std::regex> re;
  try {
    re = std::make_shared<const std::regex>(ecmascript_regex);
  } catch (const std::regex_error& e) {
    throw std::invalid_argument("Check::ExpectHeaderMatches: invalid regex '" +
                                ecmascript_regex + "': " + e.what());
  }
  Mutable().expectations.push_back(
      [name, re, ecmascript_regex](const httplib::Response& r,
                                   std::vector<std::string>& out) {
        std::string v = r.get_header_value(name.c_str());
        if (!r.has_header(name.c_str()) || !std::regex_match(v, *re)) {
          out.push_back("header " + name + ": expected ~ /" + ecmascript_regex +
                        "/, got " +
                        (r.has_header(name.c_str())
                             ? "\"" + DisplayHeaderValue(name, v) + "\""
                             : std::string("(absent)")));
        }
      });
  return *this;
}

Check& Check::ExpectHeaderPresent(std::string name) {
  Mutable().expectations.push_back([name](const httplib::Response& r,
                                          std::vector<std::string>& out) {
    if (!r.has_header(name.c_str())) {
      out.push_back("header " + name + ": expected (present), got (absent)");
    }
  });
  return *this;
}

Check& Check::ExpectContentType(std::string media_type) {
  Mutable().expectations.push_back([want = Lower(media_type)](
                                       const httplib::Response& r,
                                       std::vector<std::string>& out) {
    std::string v = r.get_header_value("Content-Type");
    std::string got = Lower(v.substr(0, v.find(';')));
    while (!got.empty() && got.back() == ' ') got.pop_back();
    if (got != want) {
      out.push_back("header Content-Type: expected \"" + want + "\", got " +
                    (v.empty() ? std::string("(absent)") : "\"" + v + "\""));
    }
  });
  return *this;
}

Check& Check::ExpectJsonField(std::string json_pointer, JsonType type) {
  json::json_pointer pointer;
  try {
    pointer = json::json_pointer(json_pointer);
  } catch (const json::exception& e) {
    throw std::invalid_argument(
        "Check::ExpectJsonField: invalid JSON pointer '" + json_pointer +
        "': " + e.what());
  }
  Mutable().expectations.push_back(
      [pointer, json_pointer, type](const httplib::Response& r,
                                    std::vector<std::string>& out) {
        auto body = ParseBody(r.body);
        if (!body) {
          out.push_back("json: body is not JSON (" +
                        std::to_string(r.body.size()) + " bytes)");
        } else if (!body->contains(pointer)) {
          out.push_back("json " + json_pointer + ": missing, expected " +
                        TypeName(type));
        } else if (!HasType(body->at(pointer), TypeName(type))) {
          out.push_back("json " + json_pointer + ": expected " +
                        TypeName(type) + ", got " + TypeOf(body->at(pointer)));
        }
      });
  return *this;
}

Check& Check::ExpectJsonSchema(std::string_view schema_text) {
  json schema = json::parse(schema_text, nullptr, false);
  if (schema.is_discarded()) {
    throw std::invalid_argument("Check::ExpectJsonSchema: schema is not JSON");
  }
  ValidateSchema(schema, "");
  auto shared = std::make_shared<const json>(std::move(schema));
  Mutable().expectations.push_back(
      [shared](const httplib::Response& r, std::vector<std::string>& out) {
        auto body = ParseBody(r.body);
        if (!body) {
          out.push_back("json: body is not JSON (" +
                        std::to_string(r.body.size()) + " bytes)");
          return;
        }
        CheckSchema(*body, *shared, "", out);
      });
  return *this;
}

Check& Check::ExpectLatencyBelow(std::chrono::nanoseconds bound) {
  if (bound.count() <= 0) {
    throw std::invalid_argument("Check::ExpectLatencyBelow: must be positive");
  }
  Mutable().latency_bound = bound.count();
  return *this;
}

namespace {

// One request; `judge_latency` adds the latency bound to the expectations.
CheckOutcome Perform(const Check::Spec& s, bool judge_latency) {
  CheckOutcome o;
  o.url = s.shown_url;
  httplib::Client client(s.scheme_host_port);
  auto sec = std::chrono::duration_cast<std::chrono::microseconds>(s.timeout);
  client.set_connection_timeout(sec.count() / 1000000, sec.count() % 1000000);
  client.set_read_timeout(sec.count() / 1000000, sec.count() % 1000000);
  client.set_write_timeout(sec.count() / 1000000, sec.count() % 1000000);
  if (s.insecure) client.enable_server_certificate_verification(false);
  if (!s.ca_file.empty()) client.set_ca_cert_path(s.ca_file);

  httplib::Request req;
  req.method = s.method;
  req.path = s.path_and_query;
  for (const auto& [k, v] : s.request_headers) req.headers.emplace(k, v);
  if (!s.request_body.empty() || !s.request_content_type.empty()) {
    req.body = s.request_body;
    req.headers.emplace("Content-Type", s.request_content_type);
  }
  auto start = std::chrono::steady_clock::now();
  httplib::Result res = client.send(req);
  o.latency_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                     std::chrono::steady_clock::now() - start)
                     .count();
  if (!res) {
    // cpp-httplib reports a read timeout and a reset alike (Error::Read);
    // the elapsed time tells them apart.
    bool timed_out = (res.error() == httplib::Error::Read ||
                      res.error() == httplib::Error::ConnectionTimeout) &&
                     o.latency_ns >= ToNanos(s.timeout) * 9 / 10;
    o.transport_error = timed_out ? "timeout" : TransportError(res.error());
    return o;
  }
  o.status = res->status;
  for (const auto& e : s.expectations) e(*res, o.violations);
  if (judge_latency && s.latency_bound && o.latency_ns >= *s.latency_bound) {
    o.violations.push_back(
        "latency: expected < " + std::to_string(*s.latency_bound / 1000000.0) +
        " ms, got " + std::to_string(o.latency_ns / 1000000.0) + " ms");
  }
  return o;
}

}  // namespace

CheckOutcome Check::Once() const { return Perform(*spec_, true); }

std::string Check::Name() const {
  // Without scheme, host and port: a mock server's port changes every run,
  // and a name that changes can never match its baseline entry.
  return spec_->name.empty()
             ? spec_->method + " " + DisplayTarget(spec_->path_and_query)
             : spec_->name;
}

Result Check::Run() const {
  Result result(Name());
  result.SetConfig("url", spec_->shown_url);
  result.SetConfig("method", spec_->method);
  result.SetConfig("samples", std::to_string(spec_->samples));
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < spec_->samples; ++i) {
    CheckOutcome o = Perform(*spec_, false);
    if (o.ok()) {
      result.latency.Record(o.latency_ns);
    } else {
      std::string message = o.transport_error;
      for (const auto& v : o.violations) {
        message += (message.empty() ? "" : "; ") + v;
      }
      result.AddError(ErrorCategory(o), message);
    }
  }
  result.elapsed_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                          std::chrono::steady_clock::now() - start)
                          .count();
  return result;
}

}  // namespace perfcheck::contract

namespace perfcheck::testing {

::testing::AssertionResult ContractHolds(const char* check_expr,
                                         const contract::Check& check) {
  contract::CheckOutcome o = check.Once();
  if (o.ok()) return ::testing::AssertionSuccess();
  auto failure = ::testing::AssertionFailure();
  failure << "Expected: the contract of " << check_expr << " holds\n"
          << "          " << check.Name() << "\n"
          << "  Actual: ";
  if (!o.transport_error.empty()) {
    return failure << "no response: " << o.transport_error << " after "
                   << o.latency_ns / 1000000.0 << " ms";
  }
  failure << o.violations.size() << " violation"
          << (o.violations.size() == 1 ? "" : "s") << " (status " << o.status
          << ", " << o.latency_ns / 1000000.0 << " ms):\n";
  for (const auto& v : o.violations) failure << "    " << v << "\n";
  return failure;
}

}  // namespace perfcheck::testing
