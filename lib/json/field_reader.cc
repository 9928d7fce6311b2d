#include "json/field_reader.h"

#include <cctype>
#include <limits>
#include <vector>

namespace perfcheck::json_fields {
namespace {

std::string Quote(std::string_view s) {
  // Dump through nlohmann so control characters in a bad value stay readable.
  return Json(std::string(s))
      .dump(-1, ' ', false, Json::error_handler_t::replace);
}

const char* TypeName(const Json& v) {
  return v.type_name();  // "null", "object", "array", "string", "number", ...
}

// Follows the parse of a document that failed, keeping the path of the value
// being read ("runs[2].latency.p95_ns"), so the error can name the field.
class PathTracker : public nlohmann::json_sax<Json> {
 public:
  std::string Path() const {
    std::string path;
    for (std::size_t i = 0; i < frames_.size(); ++i) {
      const Frame& f = frames_[i];
      if (!f.array) {
        path = Join(path, f.key);
      } else {
        // The innermost array is reading element `started` (not yet
        // announced); an outer one is inside element `started - 1`.
        const std::size_t index =
            i + 1 == frames_.size() ? f.started : f.started - 1;
        path = Index(path, index);
      }
    }
    return path;
  }

  bool null() override { return Value(); }
  bool boolean(bool) override { return Value(); }
  bool number_integer(number_integer_t) override { return Value(); }
  bool number_unsigned(number_unsigned_t) override { return Value(); }
  bool number_float(number_float_t, const string_t&) override {
    return Value();
  }
  bool string(string_t&) override { return Value(); }
  bool binary(binary_t&) override { return Value(); }
  bool start_object(std::size_t) override {
    Value();
    frames_.push_back({false, 0, ""});
    return true;
  }
  bool key(string_t& k) override {
    frames_.back().key = k;
    return true;
  }
  bool end_object() override {
    frames_.pop_back();
    return true;
  }
  bool start_array(std::size_t) override {
    Value();
    frames_.push_back({true, 0, ""});
    return true;
  }
  bool end_array() override {
    frames_.pop_back();
    return true;
  }
  bool parse_error(std::size_t, const std::string&,
                   const nlohmann::detail::exception&) override {
    return false;
  }

 private:
  struct Frame {
    bool array;
    std::size_t started;  // elements begun so far (arrays)
    std::string key;      // the last key read (objects)
  };
  bool Value() {
    if (!frames_.empty() && frames_.back().array) ++frames_.back().started;
    return true;
  }
  std::vector<Frame> frames_;
};

std::string PathOfParseFailure(std::string_view text) {
  PathTracker tracker;
  Json::sax_parse(text.begin(), text.end(), &tracker);
  return tracker.Path();
}

}  // namespace

std::string Join(std::string_view path, std::string_view key) {
  if (path.empty()) return std::string(key);
  std::string out(path);
  out += '.';
  out += key;
  return out;
}

std::string Index(std::string_view path, std::size_t i) {
  return std::string(path) + "[" + std::to_string(i) + "]";
}

void FieldReader::Fail(std::string_view path, std::string_view what) const {
  throw FieldError(source_ + ": field '" + std::string(path) +
                   "': " + std::string(what));
}

Json FieldReader::Parse(std::string_view text) const {
  try {
    return Json::parse(text.begin(), text.end());
  } catch (const Json::parse_error& e) {
    // Drop nlohmann's "[json.exception.parse_error.101] " prefix; keep the
    // position and the reason ("unexpected end of input" for a truncated file).
    std::string what = e.what();
    if (const auto pos = what.find("] "); pos != std::string::npos) {
      what.erase(0, pos + 2);
    }
    // nlohmann quotes the token it was reading, which can be a whole encoded
    // histogram; a short excerpt locates the problem well enough.
    constexpr std::size_t kMaxExcerpt = 40;
    if (const auto pos = what.find("last read: '"); pos != std::string::npos) {
      const std::size_t start = pos + 12;
      if (what.size() > start + kMaxExcerpt + 1) {
        what.resize(start + kMaxExcerpt);
        what += "...'";
      }
    }
    // A parse that fails only at the very end means the document was cut off
    // (interrupted write, partial copy): say so in the user's words.
    if (e.byte >= text.size()) what += " (the document ends early: truncated?)";
    throw FieldError(source_ + ": not valid JSON: " + what);
  } catch (const Json::exception& e) {
    // Valid syntax the parser still refuses: a number beyond the range of a
    // double ("1e999", out_of_range.406). Input, not an internal error; name
    // the field it sits in.
    std::string what = e.what();
    if (const auto pos = what.find("] "); pos != std::string::npos) {
      what.erase(0, pos + 2);
    }
    if (e.id == 406) {
      // "number overflow parsing '1e999'"; the number may be thousands of
      // digits long.
      constexpr std::size_t kMaxExcerpt = 60;
      if (what.size() > kMaxExcerpt)
        what = what.substr(0, kMaxExcerpt) + "...'";
      what += " (beyond the range of a double)";
    }
    const std::string path = PathOfParseFailure(text);
    if (path.empty()) throw FieldError(source_ + ": not valid JSON: " + what);
    Fail(path, what);
  }
}

void FieldReader::CheckSchema(const Json& doc,
                              std::string_view expected) const {
  if (!doc.is_object()) {
    throw FieldError(source_ +
                     ": expected a JSON object at the top level, found " +
                     TypeName(doc));
  }
  const std::string found = String(doc, "", "schema");
  if (found == expected) return;
  // "<family>/v<major>[.<minor>]": a later minor version of the same major only
  // adds optional fields, so this reader accepts it; another major it rejects.
  const std::string_view exp(expected);
  const auto slash = exp.rfind("/v");
  const std::string family(exp.substr(0, slash + 2));
  const std::string major(exp.substr(slash + 2));
  if (found.rfind(family, 0) == 0) {
    const std::string version = found.substr(family.size());
    if (version.rfind(major + ".", 0) == 0) return;
    Fail("schema", "unsupported schema version " + Quote(found) +
                       " (this reader understands " + Quote(expected) + ")");
  }
  Fail("schema", "expected " + Quote(expected) + ", found " + Quote(found));
}

void FieldReader::ExpectObject(const Json& value, std::string_view path) const {
  if (!value.is_object()) {
    Fail(path, std::string("expected an object, found ") + TypeName(value));
  }
}

void FieldReader::ExpectArray(const Json& value, std::string_view path) const {
  if (!value.is_array()) {
    Fail(path, std::string("expected an array, found ") + TypeName(value));
  }
}

const Json& FieldReader::Field(const Json& obj, std::string_view obj_path,
                               std::string_view key) const {
  ExpectObject(obj, obj_path);
  const auto it = obj.find(std::string(key));
  if (it == obj.end()) Fail(Join(obj_path, key), "missing");
  return *it;
}

const Json& FieldReader::Object(const Json& obj, std::string_view obj_path,
                                std::string_view key) const {
  const Json& v = Field(obj, obj_path, key);
  ExpectObject(v, Join(obj_path, key));
  return v;
}

const Json& FieldReader::Array(const Json& obj, std::string_view obj_path,
                               std::string_view key) const {
  const Json& v = Field(obj, obj_path, key);
  ExpectArray(v, Join(obj_path, key));
  return v;
}

std::string FieldReader::String(const Json& obj, std::string_view obj_path,
                                std::string_view key) const {
  return AsString(Field(obj, obj_path, key), Join(obj_path, key));
}

std::int64_t FieldReader::Int64(const Json& obj, std::string_view obj_path,
                                std::string_view key) const {
  return AsInt64(Field(obj, obj_path, key), Join(obj_path, key));
}

std::uint64_t FieldReader::Uint64(const Json& obj, std::string_view obj_path,
                                  std::string_view key) const {
  return AsUint64(Field(obj, obj_path, key), Join(obj_path, key));
}

int FieldReader::Int(const Json& obj, std::string_view obj_path,
                     std::string_view key) const {
  const std::int64_t v = Int64(obj, obj_path, key);
  if (v < std::numeric_limits<int>::min() ||
      v > std::numeric_limits<int>::max()) {
    Fail(Join(obj_path, key), "integer out of range");
  }
  return static_cast<int>(v);
}

double FieldReader::Number(const Json& obj, std::string_view obj_path,
                           std::string_view key) const {
  return AsNumber(Field(obj, obj_path, key), Join(obj_path, key));
}

double FieldReader::Fraction(const Json& obj, std::string_view obj_path,
                             std::string_view key) const {
  const double v = Number(obj, obj_path, key);
  if (!(v >= 0 && v <= 1)) {
    Fail(Join(obj_path, key),
         "must be a fraction in [0, 1], got " + Json(v).dump());
  }
  return v;
}

std::string FieldReader::Timestamp(const Json& obj, std::string_view obj_path,
                                   std::string_view key) const {
  const std::string v = String(obj, obj_path, key);
  // YYYY-MM-DDTHH:MM:SSZ with each field in range.
  auto digits = [&](std::size_t at, std::size_t n, int lo, int hi) {
    int value = 0;
    for (std::size_t i = at; i < at + n; ++i) {
      if (!std::isdigit(static_cast<unsigned char>(v[i]))) return false;
      value = value * 10 + (v[i] - '0');
    }
    return value >= lo && value <= hi;
  };
  const bool ok =
      v.size() == 20 && v[4] == '-' && v[7] == '-' && v[10] == 'T' &&
      v[13] == ':' && v[16] == ':' && v[19] == 'Z' &&
      digits(0, 4, 1970, 9999) && digits(5, 2, 1, 12) && digits(8, 2, 1, 31) &&
      digits(11, 2, 0, 23) && digits(14, 2, 0, 59) && digits(17, 2, 0, 60);
  if (!ok) {
    Fail(Join(obj_path, key),
         "expected an ISO 8601 UTC time like \"2024-05-02T09:14:03Z\", "
         "found " +
             Quote(v.substr(0, 40)));
  }
  return v;
}

std::string FieldReader::AsString(const Json& v, std::string_view path) const {
  if (!v.is_string()) {
    Fail(path, std::string("expected a string, found ") + TypeName(v));
  }
  return v.get<std::string>();
}

std::int64_t FieldReader::AsInt64(const Json& v, std::string_view path) const {
  if (v.is_number_unsigned()) {
    const auto u = v.get<std::uint64_t>();
    if (u >
        static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
      Fail(path, "integer out of range");
    }
    return static_cast<std::int64_t>(u);
  }
  if (v.is_number_integer()) return v.get<std::int64_t>();
  Fail(path, std::string("expected an integer, found ") + TypeName(v));
}

std::uint64_t FieldReader::AsUint64(const Json& v,
                                    std::string_view path) const {
  if (v.is_number_unsigned()) return v.get<std::uint64_t>();
  if (v.is_number_integer()) Fail(path, "expected a non-negative integer");
  Fail(path, std::string("expected an integer, found ") + TypeName(v));
}

double FieldReader::AsNumber(const Json& v, std::string_view path) const {
  if (!v.is_number()) {
    Fail(path, std::string("expected a number, found ") + TypeName(v));
  }
  return v.get<double>();
}

}  // namespace perfcheck::json_fields
