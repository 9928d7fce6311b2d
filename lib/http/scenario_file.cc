#include "perfcheck/http/scenario_file.h"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <variant>

#include "perfcheck/duration.h"
#include "perfcheck/redaction.h"

namespace perfcheck::http {
namespace {

using nlohmann::json;

// ---------------------------------------------------------------------------
// Templates: text with ${var}, ${user}, ${iteration}, ${random:LO:HI}; the
// ${env:NAME} parts are replaced when the file is loaded.

struct Part {
  enum class Kind { kText, kVar, kUser, kIteration, kRandom };
  explicit Part(Kind k, std::string t = "") : kind(k), text(std::move(t)) {}
  Kind kind;
  std::string text;  // kText: the text; kVar: the variable
  std::int64_t lo = 0, hi = 0;
};

struct Template {
  std::vector<Part> parts;
  std::string written;  // as in the file, for statistics names

  std::string Expand(VirtualUser& u) const {
    std::string out;
    for (const Part& p : parts) {
      switch (p.kind) {
        case Part::Kind::kText:
          out += p.text;
          break;
        case Part::Kind::kVar:
          out += u.Var(p.text);
          break;
        case Part::Kind::kUser:
          out += std::to_string(u.id());
          break;
        case Part::Kind::kIteration:
          out += std::to_string(u.iteration());
          break;
        case Part::Kind::kRandom:
          out += std::to_string(u.Random(p.lo, p.hi));
          break;
      }
    }
    return out;
  }
};

// The variables a step may use: defined before it in its flow.
using Defined = std::set<std::string>;

bool ParseInt(std::string_view s, std::int64_t* out) {
  if (s.empty()) return false;
  std::size_t used = 0;
  try {
    *out = std::stoll(std::string(s), &used);
  } catch (const std::exception&) {
    return false;
  }
  return used == s.size();
}

StatusOr<Template> Compile(const std::string& text, const std::string& where,
                           const Defined& defined) {
  Template t;
  t.written = text;
  std::string literal;
  auto flush = [&] {
    if (!literal.empty()) t.parts.emplace_back(Part::Kind::kText, literal);
    literal.clear();
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '$') {
      literal += text[i];
      continue;
    }
    if (i + 1 < text.size() && text[i + 1] == '$') {
      literal += '$';
      ++i;
      continue;
    }
    if (i + 1 >= text.size() || text[i + 1] != '{') {
      literal += '$';
      continue;
    }
    const std::size_t close = text.find('}', i + 2);
    if (close == std::string::npos) {
      return Status::Error(where + ": '${' without its '}' in \"" + text +
                           "\" (write $$ for a '$')");
    }
    const std::string inner = text.substr(i + 2, close - i - 2);
    i = close;
    if (inner == "user") {
      flush();
      t.parts.emplace_back(Part::Kind::kUser);
    } else if (inner == "iteration") {
      flush();
      t.parts.emplace_back(Part::Kind::kIteration);
    } else if (inner.rfind("random:", 0) == 0) {
      const std::string range = inner.substr(7);
      const std::size_t colon = range.find(':');
      Part p(Part::Kind::kRandom);
      if (colon == std::string::npos ||
          !ParseInt(std::string_view(range).substr(0, colon), &p.lo) ||
          !ParseInt(std::string_view(range).substr(colon + 1), &p.hi) ||
          p.lo > p.hi) {
        return Status::Error(where + ": ${" + inner +
                             "} must be ${random:LO:HI} with integers LO <= "
                             "HI, e.g. ${random:1:100}");
      }
      flush();
      t.parts.push_back(p);
    } else if (inner.rfind("env:", 0) == 0) {
      const std::string name = inner.substr(4);
      const char* value = name.empty() ? nullptr : std::getenv(name.c_str());
      if (value == nullptr) {
        return Status::Error(where + ": environment variable '" + name +
                             "' (${env:" + name + "}) is not set");
      }
      literal += value;
    } else {
      if (inner.empty()) return Status::Error(where + ": empty ${}");
      if (!defined.count(inner)) {
        std::string known;
        for (const std::string& d : defined) {
          known += (known.empty() ? "" : ", ") + d;
        }
        return Status::Error(
            where + ": variable '" + inner +
            "' is not defined by then (defined: " +
            (known.empty() ? "none" : known) +
            "; built in: user, iteration, random:LO:HI, env:NAME)");
      }
      flush();
      t.parts.emplace_back(Part::Kind::kVar, inner);
    }
  }
  flush();
  return t;
}

// A JSON body whose strings are templates.
struct JsonTemplate {
  json base;
  std::vector<std::pair<json::json_pointer, Template>> leaves;
};

Status CompileJson(const json& value, const json::json_pointer& at,
                   const std::string& where, const Defined& defined,
                   JsonTemplate* out) {
  if (value.is_string()) {
    StatusOr<Template> t = Compile(value.get<std::string>(), where, defined);
    if (!t.ok()) return t.status();
    out->leaves.emplace_back(at, std::move(*t));
  } else if (value.is_object()) {
    for (const auto& [k, v] : value.items()) {
      if (Status s = CompileJson(v, at / k, where + "." + k, defined, out);
          !s.ok()) {
        return s;
      }
    }
  } else if (value.is_array()) {
    for (std::size_t i = 0; i < value.size(); ++i) {
      if (Status s = CompileJson(value[i], at / i,
                                 where + "[" + std::to_string(i) + "]",
                                 defined, out);
          !s.ok()) {
        return s;
      }
    }
  }
  return Status();
}

// ---------------------------------------------------------------------------
// Steps and the flow that runs them.

struct Step {
  enum class Kind { kRequest, kSleep, kSet, kSetHeader };
  Kind kind = Kind::kRequest;
  // kRequest
  std::string method;
  Template path;
  std::string name;
  std::vector<std::pair<std::string, Template>> headers;
  std::variant<std::monostate, JsonTemplate, Template> body;
  std::string content_type;
  Expect expect;
  std::vector<std::pair<std::string, std::string>> extract;  // var, pointer
  // kSleep
  std::chrono::nanoseconds sleep{0};
  // kSet (var, value) / kSetHeader (name, value)
  std::vector<std::pair<std::string, Template>> assignments;
  bool secret = false;
};

using Steps = std::vector<Step>;

Request BuildRequest(const Step& s, VirtualUser& u) {
  Request r = Request::Make(s.method, s.path.Expand(u));
  r.Named(s.name);
  for (const auto& [name, value] : s.headers) {
    r.AddHeader(name, value.Expand(u));
  }
  if (const auto* j = std::get_if<JsonTemplate>(&s.body)) {
    json body = j->base;
    for (const auto& [at, t] : j->leaves) body[at] = t.Expand(u);
    r.body = body.dump();
    r.content_type = s.content_type.empty() ? "application/json"
                                            : s.content_type;
  } else if (const auto* t = std::get_if<Template>(&s.body)) {
    r.body = t->Expand(u);
    r.content_type = s.content_type.empty() ? "text/plain; charset=utf-8"
                                            : s.content_type;
  } else if (!s.content_type.empty()) {
    r.content_type = s.content_type;
  }
  return r;
}

// Parameters are copied into the coroutine frame, so the steps live as long
// as the flow does, whatever happens to the std::function that started it.
Flow RunSteps(VirtualUser& u, std::shared_ptr<const Steps> steps) {
  for (const Step& s : *steps) {
    switch (s.kind) {
      case Step::Kind::kSleep:
        co_await u.Sleep(s.sleep);
        break;
      case Step::Kind::kSet:
        for (const auto& [var, value] : s.assignments) {
          u.SetVar(var, value.Expand(u));
        }
        break;
      case Step::Kind::kSetHeader:
        for (const auto& [name, value] : s.assignments) {
          u.SetHeader(name, value.Expand(u), s.secret || IsSecretName(name));
        }
        break;
      case Step::Kind::kRequest: {
        // Built in statements of their own: GCC 12 and temporaries in a
        // co_await operand (perfcheck/http/virtual_user.h).
        Request request = BuildRequest(s, u);
        Expect expect = s.expect;
        Response r = co_await u.Send(std::move(request), std::move(expect));
        for (const auto& [var, pointer] : s.extract) {
          if (!r.ok()) break;  // counted already; nothing to extract from
          u.Extract(r, pointer, var);
        }
        break;
      }
    }
  }
}

FlowFunction FlowOf(Steps steps) {
  auto shared = std::make_shared<const Steps>(std::move(steps));
  return [shared](VirtualUser& u) { return RunSteps(u, shared); };
}

// ---------------------------------------------------------------------------
// Reading the document: every object is read field by field, and a field
// nobody read is an error listing those that exist.

class Reader {
 public:
  explicit Reader(std::string source) : source_(std::move(source)) {}

  Status Error(const std::string& path, const std::string& message) const {
    return Status::Error(source_ + ": " + (path.empty() ? "" : path + ": ") +
                         message);
  }

  // Checks that `j` at `path` is an object whose keys are all in `known`.
  Status Fields(const json& j, const std::string& path,
                std::initializer_list<const char*> known) const {
    if (!j.is_object()) {
      return Error(path, std::string("must be an object, got ") +
                             j.type_name());
    }
    for (const auto& item : j.items()) {
      // Not a structured binding: clang 14 (the fuzz build) cannot capture
      // one in a lambda.
      const std::string& key = item.key();
      if (std::none_of(known.begin(), known.end(),
                       [&](const char* k) { return key == k; })) {
        std::string list;
        for (const char* k : known) list += (list.empty() ? "" : ", ") + std::string(k);
        return Error(Join(path, key), "unknown field (known here: " + list + ")");
      }
    }
    return Status();
  }

  static std::string Join(const std::string& path, const std::string& key) {
    return path.empty() ? key : path + "." + key;
  }

  Status String(const json& j, const std::string& path,
                std::string* out) const {
    if (!j.is_string()) {
      return Error(path, std::string("must be a string, got ") + j.type_name());
    }
    *out = j.get<std::string>();
    return Status();
  }

  Status Int(const json& j, const std::string& path, std::int64_t lo,
             std::int64_t hi, std::int64_t* out) const {
    if (!j.is_number_integer()) {
      return Error(path, std::string("must be an integer, got ") +
                             (j.is_number() ? "a fraction" : j.type_name()));
    }
    *out = j.get<std::int64_t>();
    if (*out < lo || *out > hi) {
      return Error(path, "must be in " + std::to_string(lo) + ".." +
                             std::to_string(hi) + ", got " +
                             std::to_string(*out));
    }
    return Status();
  }

  Status Number(const json& j, const std::string& path, double* out) const {
    if (!j.is_number() || j.get<double>() < 0) {
      return Error(path, std::string("must be a number >= 0, got ") +
                             (j.is_number() ? j.dump() : j.type_name()));
    }
    *out = j.get<double>();
    return Status();
  }

  Status Duration(const json& j, const std::string& path,
                  std::chrono::nanoseconds* out) const {
    std::string text;
    if (Status s = String(j, path, &text); !s.ok()) {
      return Error(path, "must be a duration string such as \"500ms\", got " +
                             std::string(j.type_name()));
    }
    StatusOr<Nanos> d = ParseDuration(text);
    if (!d.ok()) return Error(path, d.status().message());
    *out = std::chrono::nanoseconds(*d);
    return Status();
  }

  Status Statuses(const json& j, const std::string& path,
                  std::vector<int>* out) const {
    if (!j.is_array()) {
      return Error(path, std::string("must be an array of status codes, got ") +
                             j.type_name());
    }
    for (std::size_t i = 0; i < j.size(); ++i) {
      const std::string at = path + "[" + std::to_string(i) + "]";
      if (!j[i].is_number_integer() || j[i].get<int>() < 100 ||
          j[i].get<int>() > 599) {
        return Error(at, "must be an integer status in 100..599, got " +
                             j[i].dump());
      }
      out->push_back(j[i].get<int>());
    }
    return Status();
  }

  Status Pointer(const json& j, const std::string& path,
                 std::string* out) const {
    if (Status s = String(j, path, out); !s.ok()) return s;
    if (out->empty() || (*out)[0] != '/') {
      return Error(path, "JSON pointer \"" + *out +
                             "\" must start with '/', e.g. \"/token\" or "
                             "\"/data/0/id\"");
    }
    try {
      json::json_pointer check(*out);
    } catch (const json::exception&) {
      return Error(path, "malformed JSON pointer \"" + *out +
                             "\" (escape '~' as ~0 and '/' as ~1)");
    }
    return Status();
  }

  Status Expectation(const json& j, const std::string& path,
                     Expect* e) const {
    if (Status s = Fields(j, path,
                          {"status", "apart", "json_has", "json_equals",
                           "body_contains"});
        !s.ok()) {
      return s;
    }
    if (j.contains("status")) {
      if (Status s = Statuses(j["status"], path + ".status", &e->status);
          !s.ok()) {
        return s;
      }
    }
    if (j.contains("apart")) {
      if (Status s = Statuses(j["apart"], path + ".apart", &e->apart); !s.ok())
        return s;
    }
    if (j.contains("json_has")) {
      const json& a = j["json_has"];
      if (!a.is_array()) {
        return Error(path + ".json_has", "must be an array of JSON pointers");
      }
      for (std::size_t i = 0; i < a.size(); ++i) {
        std::string p;
        if (Status s = Pointer(a[i], path + ".json_has[" + std::to_string(i) +
                                         "]",
                               &p);
            !s.ok()) {
          return s;
        }
        e->JsonHas(p);
      }
    }
    if (j.contains("json_equals")) {
      const json& o = j["json_equals"];
      if (!o.is_object()) {
        return Error(path + ".json_equals",
                     "must be an object of JSON pointer: value");
      }
      for (const auto& [pointer, value] : o.items()) {
        std::string p;
        if (Status s = Pointer(json(pointer), path + ".json_equals", &p);
            !s.ok()) {
          return s;
        }
        e->JsonEquals(p, value.is_string() ? value.get<std::string>()
                                           : value.dump());
      }
    }
    if (j.contains("body_contains")) {
      const json& a = j["body_contains"];
      if (!a.is_array()) {
        return Error(path + ".body_contains", "must be an array of strings");
      }
      for (std::size_t i = 0; i < a.size(); ++i) {
        std::string text;
        if (Status s = String(a[i],
                              path + ".body_contains[" + std::to_string(i) +
                                  "]",
                              &text);
            !s.ok()) {
          return s;
        }
        e->BodyContains(text);
      }
    }
    return Status();
  }

  Status Assignments(const json& j, const std::string& path,
                     Defined* defined,
                     std::vector<std::pair<std::string, Template>>* out,
                     bool defines) const {
    if (!j.is_object() || j.empty()) {
      return Error(path, "must be a non-empty object of name: template");
    }
    for (const auto& [name, value] : j.items()) {
      std::string text;
      if (Status s = String(value, Reader::Join(path, name), &text); !s.ok())
        return s;
      StatusOr<Template> t = Compile(text, source_ + ": " +
                                               Reader::Join(path, name),
                                     *defined);
      if (!t.ok()) return t.status();
      out->emplace_back(name, std::move(*t));
    }
    if (defines) {
      for (const auto& [name, value] : *out) defined->insert(name);
    }
    return Status();
  }

  Status ReadStep(const json& j, const std::string& path, Defined* defined,
                  Step* step) const {
    static constexpr const char* kMethods[] = {"get",   "post",   "put",
                                               "patch", "delete", "head"};
    if (!j.is_object()) {
      return Error(path, std::string("a step must be an object, got ") +
                             j.type_name());
    }
    std::vector<std::string> kinds;
    for (const char* m : kMethods) {
      if (j.contains(m)) kinds.push_back(m);
    }
    for (const char* k : {"sleep", "set", "set_header"}) {
      if (j.contains(k)) kinds.push_back(k);
    }
    if (kinds.size() != 1) {
      return Error(path,
                   kinds.empty()
                       ? "a step needs one of get, post, put, patch, delete, "
                         "head, sleep, set, set_header"
                       : "a step does one thing; it has " + kinds[0] +
                             " and " + kinds[1]);
    }
    const std::string& kind = kinds[0];
    const bool request = std::find(std::begin(kMethods), std::end(kMethods),
                                   kind) != std::end(kMethods);
    if (!request && j.contains("extract")) {
      return Error(path + ".extract",
                   "extract needs a request in the same step (get, post, "
                   "...) to take the value from; this step is a " + kind);
    }
    if (kind == "sleep") {
      step->kind = Step::Kind::kSleep;
      if (Status s = Fields(j, path, {"sleep"}); !s.ok()) return s;
      return Duration(j["sleep"], path + ".sleep", &step->sleep);
    }
    if (kind == "set") {
      step->kind = Step::Kind::kSet;
      if (Status s = Fields(j, path, {"set"}); !s.ok()) return s;
      return Assignments(j["set"], path + ".set", defined, &step->assignments,
                         /*defines=*/true);
    }
    if (kind == "set_header") {
      step->kind = Step::Kind::kSetHeader;
      if (Status s = Fields(j, path, {"set_header", "secret"}); !s.ok())
        return s;
      if (j.contains("secret")) {
        if (!j["secret"].is_boolean()) {
          return Error(path + ".secret", "must be true or false");
        }
        step->secret = j["secret"].get<bool>();
      }
      return Assignments(j["set_header"], path + ".set_header", defined,
                         &step->assignments, /*defines=*/false);
    }
    // A request.
    if (Status s = Fields(j, path,
                          {"get", "post", "put", "patch", "delete", "head",
                           "name", "headers", "json", "body", "content_type",
                           "expect", "extract"});
        !s.ok()) {
      return s;
    }
    step->method = kind;
    std::transform(step->method.begin(), step->method.end(),
                   step->method.begin(),
                   [](unsigned char c) { return std::toupper(c); });
    std::string path_text;
    if (Status s = String(j[kind], Join(path, kind), &path_text); !s.ok())
      return s;
    if (path_text.empty() || path_text[0] != '/') {
      return Error(Join(path, kind), "the path must start with '/', got \"" +
                                         path_text + "\"");
    }
    StatusOr<Template> p =
        Compile(path_text, source_ + ": " + Join(path, kind), *defined);
    if (!p.ok()) return p.status();
    step->path = std::move(*p);
    // Unnamed: the path as written, so ${random:1:100} does not make a
    // hundred names.
    step->name = step->method + " " + path_text;
    if (j.contains("name")) {
      if (Status s = String(j["name"], path + ".name", &step->name); !s.ok())
        return s;
      if (step->name.empty()) return Error(path + ".name", "must not be empty");
    }
    if (j.contains("headers")) {
      Defined copy = *defined;
      if (Status s = Assignments(j["headers"], path + ".headers", &copy,
                                 &step->headers, /*defines=*/false);
          !s.ok()) {
        return s;
      }
    }
    if (j.contains("json") && j.contains("body")) {
      return Error(path, "a request has json or body, not both");
    }
    if (j.contains("json")) {
      JsonTemplate body;
      body.base = j["json"];
      if (Status s = CompileJson(j["json"], json::json_pointer(),
                                 source_ + ": " + path + ".json", *defined,
                                 &body);
          !s.ok()) {
        return s;
      }
      step->body = std::move(body);
    } else if (j.contains("body")) {
      std::string text;
      if (Status s = String(j["body"], path + ".body", &text); !s.ok())
        return s;
      StatusOr<Template> t = Compile(text, source_ + ": " + path + ".body",
                                     *defined);
      if (!t.ok()) return t.status();
      step->body = std::move(*t);
    }
    if (j.contains("content_type")) {
      if (Status s = String(j["content_type"], path + ".content_type",
                            &step->content_type);
          !s.ok()) {
        return s;
      }
    }
    if (j.contains("expect")) {
      if (Status s = Expectation(j["expect"], path + ".expect", &step->expect);
          !s.ok()) {
        return s;
      }
    }
    if (j.contains("extract")) {
      const json& e = j["extract"];
      if (!e.is_object() || e.empty()) {
        return Error(path + ".extract",
                     "must be a non-empty object of variable: JSON pointer");
      }
      for (const auto& [var, pointer] : e.items()) {
        std::string p;
        if (Status s = Pointer(pointer, path + ".extract." + var, &p); !s.ok())
          return s;
        step->extract.emplace_back(var, p);
        defined->insert(var);
      }
    }
    return Status();
  }

  Status ReadSteps(const json& j, const std::string& path, Defined defined,
                   Defined* defined_after, Steps* steps) const {
    if (!j.is_array()) {
      return Error(path, std::string("must be an array of steps, got ") +
                             j.type_name());
    }
    for (std::size_t i = 0; i < j.size(); ++i) {
      Step step;
      if (Status s = ReadStep(j[i], path + "[" + std::to_string(i) + "]",
                              &defined, &step);
          !s.ok()) {
        return s;
      }
      steps->push_back(std::move(step));
    }
    if (defined_after != nullptr) *defined_after = std::move(defined);
    return Status();
  }

  Status Think(const json& j, const std::string& path, ThinkTime* t) const {
    if (j.is_string() && j.get<std::string>() == "none") {
      *t = ThinkTime{};
      return Status();
    }
    if (Status s = Fields(j, path, {"constant", "between", "pacing"}); !s.ok())
      return s;
    if (j.size() != 1) {
      return Error(path, "one of constant, between or pacing");
    }
    std::chrono::nanoseconds a{0}, b{0};
    if (j.contains("between")) {
      const json& r = j["between"];
      if (!r.is_array() || r.size() != 2) {
        return Error(path + ".between",
                     "must be [min, max], e.g. [\"2s\", \"5s\"]");
      }
      if (Status s = Duration(r[0], path + ".between[0]", &a); !s.ok())
        return s;
      if (Status s = Duration(r[1], path + ".between[1]", &b); !s.ok())
        return s;
      if (b < a) return Error(path + ".between", "max is below min");
      *t = Between(a, b);
    } else if (j.contains("constant")) {
      if (Status s = Duration(j["constant"], path + ".constant", &a); !s.ok())
        return s;
      *t = Constant(a);
    } else {
      if (Status s = Duration(j["pacing"], path + ".pacing", &a); !s.ok())
        return s;
      *t = Pacing(a);
    }
    return Status();
  }

  Status ReadClass(const json& j, const std::string& path,
                   const Defined& globals, const Steps& global_sets,
                   std::vector<UserClass>* out) const {
    if (Status s = Fields(j, path,
                          {"name", "weight", "think", "on_failure",
                           "on_start", "tasks"});
        !s.ok()) {
      return s;
    }
    std::string name;
    if (!j.contains("name")) return Error(path, "a class needs a \"name\"");
    if (Status s = String(j["name"], path + ".name", &name); !s.ok()) return s;
    if (name.empty()) return Error(path + ".name", "must not be empty");
    UserClass c(name);
    if (j.contains("weight")) {
      std::int64_t w = 0;
      if (Status s = Int(j["weight"], path + ".weight", 1, 1'000'000, &w);
          !s.ok()) {
        return s;
      }
      c.Weight(static_cast<int>(w));
    }
    if (j.contains("think")) {
      ThinkTime t;
      if (Status s = Think(j["think"], path + ".think", &t); !s.ok()) return s;
      c.Think(t);
    }
    if (j.contains("on_failure")) {
      std::string policy;
      if (Status s = String(j["on_failure"], path + ".on_failure", &policy);
          !s.ok()) {
        return s;
      }
      if (policy == "continue") {
        c.OnFailure(FailurePolicy::kContinue);
      } else if (policy == "restart_task") {
        c.OnFailure(FailurePolicy::kRestartTask);
      } else {
        return Error(path + ".on_failure",
                     "must be \"continue\" or \"restart_task\", got \"" +
                         policy + "\"");
      }
    }
    // The file's variables are set first, in the on-start flow.
    Steps on_start = global_sets;
    Defined after_start = globals;
    if (j.contains("on_start")) {
      if (Status s = ReadSteps(j["on_start"], path + ".on_start", globals,
                               &after_start, &on_start);
          !s.ok()) {
        return s;
      }
    }
    if (!on_start.empty()) c.OnStart(FlowOf(std::move(on_start)));
    if (!j.contains("tasks") || !j["tasks"].is_array() || j["tasks"].empty()) {
      return Error(Join(path, "tasks"),
                   "a class needs a non-empty array of tasks");
    }
    const json& tasks = j["tasks"];
    for (std::size_t i = 0; i < tasks.size(); ++i) {
      const std::string at = path + ".tasks[" + std::to_string(i) + "]";
      if (Status s = Fields(tasks[i], at, {"name", "weight", "steps"});
          !s.ok()) {
        return s;
      }
      std::string task_name = "task" + std::to_string(i + 1);
      if (tasks[i].contains("name")) {
        if (Status s = String(tasks[i]["name"], at + ".name", &task_name);
            !s.ok()) {
          return s;
        }
      }
      std::int64_t weight = 1;
      if (tasks[i].contains("weight")) {
        if (Status s = Int(tasks[i]["weight"], at + ".weight", 1, 1'000'000,
                           &weight);
            !s.ok()) {
          return s;
        }
      }
      if (!tasks[i].contains("steps") || !tasks[i]["steps"].is_array() ||
          tasks[i]["steps"].empty()) {
        return Error(at + ".steps", "a task needs a non-empty array of steps");
      }
      Steps steps;
      if (Status s = ReadSteps(tasks[i]["steps"], at + ".steps", after_start,
                               nullptr, &steps);
          !s.ok()) {
        return s;
      }
      c.Task(task_name, static_cast<int>(weight), FlowOf(std::move(steps)));
    }
    out->push_back(std::move(c));
    return Status();
  }

  Status ReadOptions(const json& j, ScenarioOptions* o) const {
    std::int64_t n = 0;
    if (j.contains("users")) {
      if (Status s = Int(j["users"], "users", 1, 100000, &n); !s.ok()) return s;
      o->users = static_cast<int>(n);
    }
    if (j.contains("threads")) {
      if (Status s = Int(j["threads"], "threads", 1, 256, &n); !s.ok())
        return s;
      o->threads = static_cast<int>(n);
    }
    if (j.contains("iterations")) {
      if (Status s = Int(j["iterations"], "iterations", 0,
                         std::int64_t{1} << 50, &n);
          !s.ok()) {
        return s;
      }
      o->iterations = static_cast<std::uint64_t>(n);
    }
    if (j.contains("seed")) {
      if (Status s = Int(j["seed"], "seed", 0, std::int64_t{1} << 62, &n);
          !s.ok()) {
        return s;
      }
      o->seed = static_cast<std::uint64_t>(n);
    }
    if (j.contains("spawn_rate")) {
      if (Status s = Number(j["spawn_rate"], "spawn_rate", &o->spawn_rate);
          !s.ok()) {
        return s;
      }
    }
    for (const auto& [key, field] :
         {std::pair<const char*, std::chrono::nanoseconds*>{"duration",
                                                            &o->duration},
          {"request_timeout", &o->request_timeout},
          {"connect_timeout", &o->connect_timeout},
          {"interval", &o->interval}}) {
      if (j.contains(key)) {
        if (Status s = Duration(j[key], key, field); !s.ok()) return s;
      }
    }
    if (j.contains("name")) {
      if (Status s = String(j["name"], "name", &o->name); !s.ok()) return s;
    }
    if (j.contains("stages")) {
      const json& st = j["stages"];
      if (!st.is_array() || st.empty()) {
        return Error("stages",
                     "must be a non-empty array of {\"duration\", "
                     "\"target\"}");
      }
      for (const char* key : {"users", "spawn_rate", "duration"}) {
        if (j.contains(key)) {
          return Error(key, std::string("stages set the users and the run's "
                                        "length; give ") +
                                key + " or stages, not both");
        }
      }
      for (std::size_t i = 0; i < st.size(); ++i) {
        const std::string at = "stages[" + std::to_string(i) + "]";
        if (Status s = Fields(st[i], at, {"duration", "target"}); !s.ok())
          return s;
        if (!st[i].contains("duration") || !st[i].contains("target")) {
          return Error(at, "a stage needs \"duration\" and \"target\"");
        }
        Stage stage;
        if (Status s =
                Duration(st[i]["duration"], at + ".duration", &stage.duration);
            !s.ok()) {
          return s;
        }
        if (Status s = Number(st[i]["target"], at + ".target", &stage.target);
            !s.ok()) {
          return s;
        }
        o->stages.push_back(stage);
      }
    }
    if (Status s = o->Check(); !s.ok()) return Error("", s.message());
    return Status();
  }

  Status ReadThresholds(const json& j, std::vector<ScenarioThresholds>* out)
      const {
    if (!j.is_object()) {
      return Error("thresholds",
                   "must be an object of request name (or \"*\"): [expressions]");
    }
    for (const auto& [name, list] : j.items()) {
      ScenarioThresholds t;
      t.name = name;
      t.path = "thresholds[\"" + name + "\"]";
      if (list.is_string()) {
        t.expressions.push_back(list.get<std::string>());
      } else if (list.is_array()) {
        for (std::size_t i = 0; i < list.size(); ++i) {
          std::string e;
          if (Status s = String(list[i], t.path + "[" + std::to_string(i) + "]",
                                &e);
              !s.ok()) {
            return s;
          }
          t.expressions.push_back(e);
        }
      } else {
        return Error(t.path, "must be an array of threshold expressions");
      }
      out->push_back(std::move(t));
    }
    return Status();
  }

  StatusOr<ScenarioFile> Read(const json& doc) const {
    if (Status s =
            Fields(doc, "",
                   {"base_url", "headers", "users", "spawn_rate", "duration",
                    "stages", "threads", "iterations", "seed",
                    "request_timeout", "connect_timeout", "interval", "name",
                    "variables", "classes", "thresholds"});
        !s.ok()) {
      return s;
    }
    ScenarioFile f;
    if (doc.contains("base_url")) {
      if (Status s = String(doc["base_url"], "base_url", &f.base_url); !s.ok())
        return s;
    }
    if (doc.contains("headers")) {
      const json& h = doc["headers"];
      if (!h.is_object()) return Error("headers", "must be an object");
      for (const auto& [name, value] : h.items()) {
        std::string v;
        if (Status s = String(value, "headers." + name, &v); !s.ok()) return s;
        StatusOr<Template> t =
            Compile(v, source_ + ": headers." + name, Defined{});
        if (!t.ok()) return t.status();
        if (t->parts.size() > 1 ||
            (t->parts.size() == 1 && t->parts[0].kind != Part::Kind::kText)) {
          return Error("headers." + name,
                       "file-wide headers take ${env:NAME} only; per-user "
                       "values go in a set_header step");
        }
        f.headers.push_back({name, t->parts.empty() ? "" : t->parts[0].text,
                             IsSecretName(name)});
      }
    }
    if (Status s = ReadOptions(doc, &f.options); !s.ok()) return s;
    Defined globals;
    Steps global_sets;
    if (doc.contains("variables")) {
      Step set;
      set.kind = Step::Kind::kSet;
      if (Status s = Assignments(doc["variables"], "variables", &globals,
                                 &set.assignments, /*defines=*/false);
          !s.ok()) {
        return s;
      }
      for (const auto& [name, value] : set.assignments) globals.insert(name);
      global_sets.push_back(std::move(set));
    }
    if (!doc.contains("classes") || !doc["classes"].is_array() ||
        doc["classes"].empty()) {
      return Error("classes", "a scenario needs a non-empty array of classes");
    }
    std::set<std::string> names;
    for (std::size_t i = 0; i < doc["classes"].size(); ++i) {
      const std::string at = "classes[" + std::to_string(i) + "]";
      if (Status s = ReadClass(doc["classes"][i], at, globals, global_sets,
                               &f.classes);
          !s.ok()) {
        return s;
      }
      if (!names.insert(f.classes.back().name()).second) {
        return Error(at + ".name", "class \"" + f.classes.back().name() +
                                       "\" is defined twice");
      }
    }
    if (doc.contains("thresholds")) {
      if (Status s = ReadThresholds(doc["thresholds"], &f.thresholds); !s.ok())
        return s;
    }
    return f;
  }

 private:
  std::string source_;
};

}  // namespace

StatusOr<ScenarioFile> ParseScenarioFile(std::string_view text,
                                         std::string_view source) {
  json doc;
  try {
    doc = json::parse(text);
  } catch (const json::parse_error& e) {
    // nlohmann's message names the line and column.
    std::string what = e.what();
    const std::size_t cut = what.find("line ");
    return Status::Error(std::string(source) + ": " +
                         (cut == std::string::npos ? what : what.substr(cut)));
  }
  try {
    return Reader(std::string(source)).Read(doc);
  } catch (const std::invalid_argument& e) {
    // A check the classes make themselves (e.g. a header name).
    return Status::Error(std::string(source) + ": " + e.what());
  }
}

StatusOr<ScenarioFile> LoadScenarioFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Status::Error("scenario file " + path.string() +
                         ": cannot be read (does it exist?)");
  }
  std::ostringstream text;
  text << in.rdbuf();
  return ParseScenarioFile(text.str(), path.string());
}

}  // namespace perfcheck::http
