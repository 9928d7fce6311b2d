#include "perfcheck/contract/request_matcher.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <regex>
#include <stdexcept>
#include <string>
#include <utility>

#include "display_internal.h"
#include "perfcheck/redaction.h"
#include "text.h"

namespace perfcheck::contract {

using internal::EqualsIgnoreCase;
using internal::HeaderValues;
using internal::IsSecretField;
using internal::ParseBody;
using internal::Quote;
using internal::ShowJson;
using internal::WhatDiffers;
using nlohmann::json;

// Conditions are data plus three small functions, so each kind of condition is
// a few lines in one place instead of a class hierarchy.
class RequestCondition {
 public:
  using MatchFn = std::function<bool(const RecordedRequest&)>;
  using ExpectedFn = std::function<std::string(const SecretHeaders&)>;
  using ActualFn =
      std::function<std::string(const RecordedRequest&, const SecretHeaders&)>;

  RequestCondition(std::string field, MatchFn match, ExpectedFn expected,
                   ActualFn actual)
      : field_(std::move(field)),
        match_(std::move(match)),
        expected_(std::move(expected)),
        actual_(std::move(actual)) {}

  bool Matches(const RecordedRequest& r) const { return match_(r); }
  Mismatch Explain(const RecordedRequest& r, const SecretHeaders& s) const {
    return {field_, expected_(s), actual_(r, s)};
  }
  std::string Describe(const SecretHeaders& s) const {
    return field_ + " " + expected_(s);
  }

 private:
  std::string field_;
  MatchFn match_;
  ExpectedFn expected_;
  ActualFn actual_;
};

namespace {

std::regex CompileRegex(const std::string& pattern, std::string_view what) {
  try {
    return std::regex(pattern, std::regex::ECMAScript);
  } catch (const std::regex_error& e) {
    throw std::invalid_argument("RequestMatcher::" + std::string(what) +
                                ": invalid regex " + Quote(pattern) + ": " +
                                e.what());
  }
}

json ParseJsonArgument(std::string_view text, std::string_view what) {
  try {
    return json::parse(text);
  } catch (const json::exception& e) {
    throw std::invalid_argument("RequestMatcher::" + std::string(what) +
                                ": invalid JSON: " + e.what());
  }
}

std::string ListValues(const std::vector<std::string>& values) {
  if (values.empty()) return "(absent)";
  std::string out = "[";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ", ";
    out += Quote(values[i]);
  }
  return out + "]";
}

// Why `actual` does not include `expected` (subset rules), as a JSON pointer
// and the two sides; nullopt when it does.
std::optional<Mismatch> SubsetDifference(const json& actual,
                                         const json& expected,
                                         const std::string& pointer) {
  if (expected.is_object() && actual.is_object()) {
    for (auto it = expected.begin(); it != expected.end(); ++it) {
      std::string child = pointer + "/" + it.key();
      if (!actual.contains(it.key())) {
        json e = it.value();
        if (IsSecretField(it.key())) e = std::string(kRedacted);
        return Mismatch{"json body " + child, ShowJson(e), "(missing)"};
      }
      if (auto d = SubsetDifference(actual.at(it.key()), it.value(), child)) {
        if (IsSecretField(it.key())) {
          d->expected = std::string(kRedacted);
          d->actual = std::string(kRedacted) + " (differs)";
        }
        return d;
      }
    }
    return std::nullopt;
  }
  if (actual == expected) return std::nullopt;
  return Mismatch{"json body " + (pointer.empty() ? "/" : pointer),
                  ShowJson(expected), ShowJson(actual)};
}

}  // namespace

RequestMatcher::RequestMatcher() = default;

RequestMatcher& RequestMatcher::Add(
    std::shared_ptr<const RequestCondition> condition) {
  conditions_.push_back(std::move(condition));
  return *this;
}

namespace {

std::shared_ptr<const RequestCondition> Make(
    std::string field, RequestCondition::MatchFn match,
    RequestCondition::ExpectedFn expected, RequestCondition::ActualFn actual) {
  return std::make_shared<const RequestCondition>(
      std::move(field), std::move(match), std::move(expected),
      std::move(actual));
}

RequestCondition::ExpectedFn Shown(std::string text) {
  return [text = std::move(text)](const SecretHeaders&) { return text; };
}

}  // namespace

RequestMatcher& RequestMatcher::Method(std::string method) {
  return Add(Make(
      "method",
      [method](const RecordedRequest& r) { return r.method == method; },
      Shown(method),
      [](const RecordedRequest& r, const SecretHeaders&) { return r.method; }));
}

RequestMatcher& RequestMatcher::Path(std::string decoded_path) {
  return Add(Make(
      "path",
      [p = decoded_path](const RecordedRequest& r) { return r.path == p; },
      Shown(Quote(decoded_path)),
      [](const RecordedRequest& r, const SecretHeaders&) {
        return Quote(r.path);
      }));
}

RequestMatcher& RequestMatcher::PathMatches(std::string ecmascript_regex) {
  auto re = std::make_shared<const std::regex>(
      CompileRegex(ecmascript_regex, "PathMatches"));
  return Add(Make(
      "path",
      [re](const RecordedRequest& r) { return std::regex_match(r.path, *re); },
      Shown("~ /" + ecmascript_regex + "/"),
      [](const RecordedRequest& r, const SecretHeaders&) {
        return Quote(r.path);
      }));
}

RequestMatcher& RequestMatcher::RawPath(std::string encoded_path) {
  return Add(Make(
      "raw path",
      [p = encoded_path](const RecordedRequest& r) { return r.raw_path == p; },
      Shown(Quote(encoded_path)),
      [](const RecordedRequest& r, const SecretHeaders&) {
        return Quote(r.raw_path);
      }));
}

RequestMatcher& RequestMatcher::RawTarget(std::string encoded_target) {
  return Add(Make(
      "raw target",
      [t = encoded_target](const RecordedRequest& r) { return r.target == t; },
      Shown(Quote(DisplayTarget(encoded_target))),
      [](const RecordedRequest& r, const SecretHeaders&) {
        return Quote(DisplayTarget(r.target));
      }));
}

RequestMatcher& RequestMatcher::Query(std::string key,
                                      std::string decoded_value) {
  bool secret = IsSecretField(key);
  std::string shown = secret ? std::string(kRedacted) : Quote(decoded_value);
  return Add(Make(
      "query[" + key + "]",
      [key, decoded_value](const RecordedRequest& r) {
        auto values = r.QueryValues(key);
        return std::find(values.begin(), values.end(), decoded_value) !=
               values.end();
      },
      Shown(shown),
      [key, secret](const RecordedRequest& r, const SecretHeaders&) {
        auto values = r.QueryValues(key);
        if (secret && !values.empty()) return std::string(kRedacted);
        return ListValues(values);
      }));
}

RequestMatcher& RequestMatcher::QueryValues(std::string key,
                                            std::vector<std::string> values) {
  bool secret = IsSecretField(key);
  std::string shown = secret ? std::string(kRedacted) : ListValues(values);
  return Add(Make(
      "query[" + key + "]",
      [key, values](const RecordedRequest& r) {
        return r.QueryValues(key) == values;
      },
      Shown(shown),
      [key, secret](const RecordedRequest& r, const SecretHeaders&) {
        auto actual = r.QueryValues(key);
        if (secret && !actual.empty()) return std::string(kRedacted);
        return ListValues(actual);
      }));
}

RequestMatcher& RequestMatcher::QueryAbsent(std::string key) {
  bool secret = IsSecretField(key);
  return Add(Make(
      "query[" + key + "]",
      [key](const RecordedRequest& r) { return r.QueryValues(key).empty(); },
      Shown("(absent)"),
      [key, secret](const RecordedRequest& r, const SecretHeaders&) {
        return secret ? std::string(kRedacted) : ListValues(r.QueryValues(key));
      }));
}

RequestMatcher& RequestMatcher::Header(std::string name, std::string value) {
  return Add(Make(
      "header[" + name + "]",
      [name, value](const RecordedRequest& r) {
        for (const auto& [k, v] : r.headers) {
          if (EqualsIgnoreCase(k, name) && v == value) return true;
        }
        return false;
      },
      [name, value](const SecretHeaders& s) {
        return Quote(DisplayHeaderValue(name, value, s));
      },
      [name, value](const RecordedRequest& r, const SecretHeaders& s) {
        std::string shown = HeaderValues(r, name, s);
        auto actual = r.HeaderValue(name);
        if (!actual || !s.IsSecret(name)) return shown;
        // The shapes may be equal; say which part differs without showing it.
        return shown + " (" + WhatDiffers(name, value, *actual) + ")";
      }));
}

RequestMatcher& RequestMatcher::HeaderMatches(std::string name,
                                              std::string ecmascript_regex) {
  auto re = std::make_shared<const std::regex>(
      CompileRegex(ecmascript_regex, "HeaderMatches"));
  return Add(Make(
      "header[" + name + "]",
      [name, re](const RecordedRequest& r) {
        for (const auto& [k, v] : r.headers) {
          if (EqualsIgnoreCase(k, name) && std::regex_match(v, *re)) {
            return true;
          }
        }
        return false;
      },
      Shown("~ /" + ecmascript_regex + "/"),
      [name](const RecordedRequest& r, const SecretHeaders& s) {
        return HeaderValues(r, name, s);
      }));
}

RequestMatcher& RequestMatcher::HeaderPresent(std::string name) {
  return Add(Make(
      "header[" + name + "]",
      [name](const RecordedRequest& r) {
        return r.HeaderValue(name).has_value();
      },
      Shown("(present)"),
      [name](const RecordedRequest& r, const SecretHeaders& s) {
        return HeaderValues(r, name, s);
      }));
}

RequestMatcher& RequestMatcher::HeaderAbsent(std::string name) {
  return Add(Make(
      "header[" + name + "]",
      [name](const RecordedRequest& r) {
        return !r.HeaderValue(name).has_value();
      },
      Shown("(absent)"),
      [name](const RecordedRequest& r, const SecretHeaders& s) {
        return HeaderValues(r, name, s);
      }));
}

RequestMatcher& RequestMatcher::Body(std::string exact) {
  return Add(Make(
      "body", [exact](const RecordedRequest& r) { return r.body == exact; },
      Shown(Quote(DisplayBody(exact))),
      [](const RecordedRequest& r, const SecretHeaders&) {
        return Quote(DisplayBody(r.body));
      }));
}

RequestMatcher& RequestMatcher::JsonBodyIncludes(std::string_view json_subset) {
  auto expected = std::make_shared<const json>(
      ParseJsonArgument(json_subset, "JsonBodyIncludes"));
  return Add(std::make_shared<const RequestCondition>(
      "json body",
      [expected](const RecordedRequest& r) {
        auto body = ParseBody(r.body);
        return body && !SubsetDifference(*body, *expected, "");
      },
      [expected](const SecretHeaders&) {
        return "includes " + ShowJson(*expected);
      },
      [expected](const RecordedRequest& r, const SecretHeaders&) {
        auto body = ParseBody(r.body);
        if (!body) return "not JSON: " + Quote(DisplayBody(r.body, 120));
        auto d = SubsetDifference(*body, *expected, "");
        if (!d) return ShowJson(*body);
        return d->field + " is " + d->actual + ", expected " + d->expected;
      }));
}

RequestMatcher& RequestMatcher::JsonBodyAt(std::string json_pointer,
                                           std::string_view json_value) {
  json::json_pointer pointer;
  try {
    pointer = json::json_pointer(json_pointer);
  } catch (const json::exception& e) {
    throw std::invalid_argument(
        "RequestMatcher::JsonBodyAt: invalid JSON "
        "pointer " +
        Quote(json_pointer) + ": " + e.what());
  }
  auto expected =
      std::make_shared<const json>(ParseJsonArgument(json_value, "JsonBodyAt"));
  // A pointer whose last token names a secret shows no values.
  bool secret = IsSecretField(json_pointer.substr(json_pointer.rfind('/') + 1));
  auto lookup = [pointer](const RecordedRequest& r) -> std::optional<json> {
    auto body = ParseBody(r.body);
    if (!body || !body->contains(pointer)) return std::nullopt;
    return body->at(pointer);
  };
  return Add(Make(
      "json body " + json_pointer,
      [lookup, expected](const RecordedRequest& r) {
        auto v = lookup(r);
        return v && *v == *expected;
      },
      Shown(secret ? std::string(kRedacted) : ShowJson(*expected)),
      [lookup, secret](const RecordedRequest& r, const SecretHeaders&) {
        auto v = lookup(r);
        if (!v) {
          return ParseBody(r.body)
                     ? std::string("(missing)")
                     : "not JSON: " + Quote(DisplayBody(r.body, 120));
        }
        return secret ? std::string(kRedacted) : ShowJson(*v);
      }));
}

RequestMatcher& RequestMatcher::Where(
    std::string description,
    std::function<bool(const RecordedRequest&)> predicate) {
  if (!predicate) {
    throw std::invalid_argument("RequestMatcher::Where: empty predicate");
  }
  return Add(Make("where", std::move(predicate), Shown(description),
                  [](const RecordedRequest&, const SecretHeaders&) {
                    return std::string("false");
                  }));
}

bool RequestMatcher::Matches(const RecordedRequest& request) const {
  return std::all_of(conditions_.begin(), conditions_.end(),
                     [&](const auto& c) { return c->Matches(request); });
}

std::vector<Mismatch> RequestMatcher::Explain(
    const RecordedRequest& request, const SecretHeaders& secrets) const {
  std::vector<Mismatch> out;
  for (const auto& c : conditions_) {
    if (!c->Matches(request)) out.push_back(c->Explain(request, secrets));
  }
  return out;
}

std::string RequestMatcher::Describe(const SecretHeaders& secrets) const {
  if (conditions_.empty()) return "any request";
  std::string out;
  for (const auto& c : conditions_) {
    if (!out.empty()) out += ", ";
    out += c->Describe(secrets);
  }
  return out;
}

RequestMatcher AnyRequest() { return RequestMatcher(); }
RequestMatcher GetRequest(std::string decoded_path) {
  return RequestMatcher().Method("GET").Path(std::move(decoded_path));
}
RequestMatcher PostRequest(std::string decoded_path) {
  return RequestMatcher().Method("POST").Path(std::move(decoded_path));
}
RequestMatcher PutRequest(std::string decoded_path) {
  return RequestMatcher().Method("PUT").Path(std::move(decoded_path));
}
RequestMatcher DeleteRequest(std::string decoded_path) {
  return RequestMatcher().Method("DELETE").Path(std::move(decoded_path));
}
RequestMatcher Post(std::string decoded_path) {
  return PostRequest(std::move(decoded_path));
}
RequestMatcher Put(std::string decoded_path) {
  return PutRequest(std::move(decoded_path));
}
RequestMatcher Delete(std::string decoded_path) {
  return DeleteRequest(std::move(decoded_path));
}

}  // namespace perfcheck::contract
