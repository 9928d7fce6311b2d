#include "report/json_fields.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstring>
#include <limits>
#include <utility>
#include <vector>

#include "perfcheck/testbed.h"

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

std::string ErrnoText(int err) { return std::strerror(err); }

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

// Largest magnitude below which every integer is exactly a double.
constexpr double kMaxExactInteger = 9007199254740992.0;  // 2^53

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

// ---------------------------------------------------------------------------
// FieldReader

void FieldReader::Fail(std::string_view path, std::string_view what) const {
  throw FieldError(source_ + ": field '" + std::string(path) +
                   "': " + std::string(what));
}

Json ParseTopLevel(std::string_view text) {
  try {
    return Json::parse(
        text.begin(), text.end(),
        // Depth 1 is the top level's keys and values.
        [](int depth, Json::parse_event_t, Json&) { return depth <= 1; },
        /*allow_exceptions=*/false);
  } catch (const Json::exception&) {
    // allow_exceptions covers syntax errors only; a number beyond double
    // range still throws.
    return Json(Json::value_t::discarded);
  }
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

LatencyHistogram FieldReader::Histogram(const Json& latency_obj,
                                        std::string_view path) const {
  const std::string encoded = String(latency_obj, path, "histogram");
  StatusOr<LatencyHistogram> h = LatencyHistogram::Decode(encoded);
  if (!h.ok()) {
    Fail(Join(path, "histogram"), "bad encoding: " + h.status().message());
  }
  return std::move(h).value();
}

void FieldReader::ReadTestbed(const Json& v, std::string_view path,
                              Fingerprint* f) const {
  // Optional: runs and results written before testbeds existed have neither.
  if (v.contains("testbed")) {
    f->testbed = String(v, path, "testbed");
    if (Status st = ValidateStoredTestbedName(f->testbed); !st.ok()) {
      Fail(Join(path, "testbed"), st.message());
    }
  }
  if (v.contains("speed_probe_ns")) {
    f->speed_probe_ns = Number(v, path, "speed_probe_ns");
    if (!std::isfinite(f->speed_probe_ns) || f->speed_probe_ns < 0) {
      Fail(Join(path, "speed_probe_ns"), "must be a finite number >= 0");
    }
  }
}

Fingerprint FieldReader::ReadFingerprint(const Json& v,
                                         std::string_view path) const {
  ExpectObject(v, path);
  Fingerprint f;
  f.cpu_model = String(v, path, "cpu_model");
  f.cores = Int(v, path, "cores");
  f.cpu_governor = String(v, path, "cpu_governor");
  f.os = String(v, path, "os");
  f.kernel = String(v, path, "kernel");
  f.compiler = String(v, path, "compiler");
  f.build_type = String(v, path, "build_type");
  f.perfcheck_version = String(v, path, "perfcheck_version");
  f.git_sha = String(v, path, "git_sha");
  f.hostname_hash = String(v, path, "hostname_hash");
  ReadTestbed(v, path, &f);
  return f;
}

TimeSeries FieldReader::ReadTimeSeries(const Json& v,
                                       std::string_view path) const {
  ExpectObject(v, path);
  const Nanos interval_ns = Int64(v, path, "interval_ns");
  if (interval_ns <= 0) Fail(Join(path, "interval_ns"), "must be > 0");
  const std::string list_path = Join(path, "intervals");
  const Json& list = Array(v, path, "intervals");
  std::vector<Interval> intervals;
  intervals.reserve(list.size());
  for (std::size_t i = 0; i < list.size(); ++i) {
    const std::string p = Index(list_path, i);
    const Json& item = list[i];
    ExpectObject(item, p);
    Interval in;
    in.start_ns = Int64(item, p, "start_ns");
    in.ok = Uint64(item, p, "ok");
    in.errors = Uint64(item, p, "errors");
    in.p50_ns = Int64(item, p, "p50_ns");
    in.p95_ns = Int64(item, p, "p95_ns");
    in.p99_ns = Int64(item, p, "p99_ns");
    in.latency = String(item, p, "latency");
    // An interval's histogram is kept encoded; check it decodes so a damaged
    // file is reported here rather than when someone merges or plots it.
    if (!in.latency.empty()) {
      if (auto h = LatencyHistogram::Decode(in.latency); !h.ok()) {
        Fail(Join(p, "latency"), "bad encoding: " + h.status().message());
      }
    }
    if (i > 0 && in.start_ns <= intervals.back().start_ns) {
      Fail(Join(p, "start_ns"), "intervals must be in ascending start order");
    }
    intervals.push_back(std::move(in));
  }
  try {
    return TimeSeries::FromIntervals(interval_ns, std::move(intervals));
  } catch (const std::invalid_argument& e) {
    Fail(path, e.what());
  }
}

std::map<std::string, ErrorCategory> FieldReader::ReadErrors(
    const Json& v, std::string_view path) const {
  ExpectObject(v, path);
  std::map<std::string, ErrorCategory> out;
  for (const auto& [category, value] : v.items()) {
    const std::string p = Join(path, category);
    ExpectObject(value, p);
    ErrorCategory ec;
    ec.count = Uint64(value, p, "count");
    const std::string ex_path = Join(p, "examples");
    const Json& examples = Array(value, p, "examples");
    for (std::size_t i = 0; i < examples.size(); ++i) {
      ec.examples.push_back(AsString(examples[i], Index(ex_path, i)));
    }
    out.emplace(category, std::move(ec));
  }
  return out;
}

std::map<std::string, std::string> FieldReader::ReadStringMap(
    const Json& v, std::string_view path) const {
  ExpectObject(v, path);
  std::map<std::string, std::string> out;
  for (const auto& [key, value] : v.items()) {
    out.emplace(key, AsString(value, Join(path, key)));
  }
  return out;
}

// ---------------------------------------------------------------------------
// Writers

Json NumberToJson(double v) {
  if (std::isfinite(v) && v == std::trunc(v) &&
      std::fabs(v) <= kMaxExactInteger) {
    return Json(static_cast<std::int64_t>(v));
  }
  return Json(v);
}

Json HistogramToJson(const LatencyHistogram& h) {
  Json j = Json::object();
  j["histogram"] = h.Encode();
  // Readable summary for people and other tools; the reader ignores it.
  j["count"] = h.TotalCount();
  j["min_ns"] = h.Min();
  j["max_ns"] = h.Max();
  j["mean_ns"] = NumberToJson(h.Mean());
  j["p50_ns"] = h.Percentile(50.0);
  j["p90_ns"] = h.Percentile(90.0);
  j["p95_ns"] = h.Percentile(95.0);
  j["p99_ns"] = h.Percentile(99.0);
  j["p999_ns"] = h.Percentile(99.9);
  return j;
}

Json FingerprintToJson(const Fingerprint& f) {
  Json j = Json::object();
  j["cpu_model"] = f.cpu_model;
  j["cores"] = f.cores;
  j["cpu_governor"] = f.cpu_governor;
  j["os"] = f.os;
  j["kernel"] = f.kernel;
  j["compiler"] = f.compiler;
  j["build_type"] = f.build_type;
  j["perfcheck_version"] = f.perfcheck_version;
  j["git_sha"] = f.git_sha;
  j["hostname_hash"] = f.hostname_hash;
  if (!f.testbed.empty()) j["testbed"] = f.testbed;
  if (f.speed_probe_ns > 0)
    j["speed_probe_ns"] = NumberToJson(f.speed_probe_ns);
  return j;
}

Json TimeSeriesToJson(const TimeSeries& ts) {
  Json j = Json::object();
  j["interval_ns"] = ts.IntervalNanos();
  Json list = Json::array();
  for (const Interval& in : ts.Intervals()) {
    Json item = Json::object();
    item["start_ns"] = in.start_ns;
    item["ok"] = in.ok;
    item["errors"] = in.errors;
    item["p50_ns"] = in.p50_ns;
    item["p95_ns"] = in.p95_ns;
    item["p99_ns"] = in.p99_ns;
    item["latency"] = in.latency;
    list.push_back(std::move(item));
  }
  j["intervals"] = std::move(list);
  return j;
}

Json ErrorsToJson(const std::map<std::string, ErrorCategory>& errors) {
  Json j = Json::object();
  for (const auto& [category, ec] : errors) {
    Json item = Json::object();
    item["count"] = ec.count;
    item["examples"] = ec.examples;
    j[category] = std::move(item);
  }
  return j;
}

Json StringMapToJson(const std::map<std::string, std::string>& m) {
  Json j = Json::object();
  for (const auto& [k, v] : m) j[k] = v;
  return j;
}

std::string Dump(const Json& doc, int indent) {
  std::string out = doc.dump(indent < 0 ? -1 : indent, ' ', false,
                             Json::error_handler_t::replace);
  out += '\n';
  return out;
}

// ---------------------------------------------------------------------------
// Files

StatusOr<std::string> ReadFile(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return Status::Error(path.string() + ": cannot open: " + ErrnoText(errno));
  }
  std::string text;
  char buf[1 << 16];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      ::close(fd);
      return Status::Error(path.string() + ": cannot read: " + ErrnoText(err));
    }
    if (n == 0) break;
    text.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return text;
}

namespace {

bool WriteAll(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

// pid + per-process counter make the name unique among concurrent writers
// (other threads and processes); O_EXCL guards against a stale file of a dead
// process.
int OpenUniqueTemp(const std::filesystem::path& target,
                   std::filesystem::path* temp) {
  static std::atomic<std::uint64_t> counter{0};
  for (int attempt = 0; attempt < 100; ++attempt) {
    const auto tick =
        std::chrono::steady_clock::now().time_since_epoch().count();
    std::filesystem::path candidate = target;
    candidate += ".tmp-" + std::to_string(::getpid()) + "-" +
                 std::to_string(counter.fetch_add(1)) + "-" +
                 std::to_string(tick & 0xffffff);
    const int fd = ::open(candidate.c_str(),
                          O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd >= 0) {
      *temp = std::move(candidate);
      return fd;
    }
    if (errno != EEXIST) return -1;
  }
  errno = EEXIST;
  return -1;
}

// A writer killed between creating its temporary file and the rename (kill
// -9, a cancelled CI job) leaves "<target>.tmp-<pid>-..." behind, in the
// committed baselines directory of all places. The next write of the same
// target removes those whose process is gone. The age check keeps the temp
// file of a writer on another host sharing the directory, whose pid means
// nothing here: it is being written to, so it is never a minute old.
void RemoveStaleTemps(const std::filesystem::path& target) {
  constexpr auto kMinAge = std::chrono::seconds(60);
  const std::string prefix = target.filename().string() + ".tmp-";
  std::filesystem::path dir = target.parent_path();
  if (dir.empty()) dir = ".";
  std::error_code ec;
  std::filesystem::directory_iterator it(dir, ec);
  if (ec) return;  // best effort: the write itself reports real problems
  const auto now = std::filesystem::file_time_type::clock::now();
  for (const auto& entry : it) {
    const std::string name = entry.path().filename().string();
    if (name.compare(0, prefix.size(), prefix) != 0) continue;
    // "<pid>-<counter>-<tick>"; anything else is not ours.
    const std::string rest = name.substr(prefix.size());
    const std::size_t dash = rest.find('-');
    if (dash == 0 || dash == std::string::npos ||
        rest.find_first_not_of("0123456789") != dash || dash > 9) {
      continue;
    }
    const pid_t pid = static_cast<pid_t>(std::stol(rest.substr(0, dash)));
    if (pid <= 0 || ::kill(pid, 0) == 0 || errno != ESRCH) continue;
    std::error_code stat_ec;
    if (!entry.is_regular_file(stat_ec) || stat_ec) continue;
    const auto modified = entry.last_write_time(stat_ec);
    if (stat_ec || now - modified < kMinAge) continue;
    std::filesystem::remove(entry.path(), stat_ec);
  }
}

}  // namespace

Status WriteFileAtomically(const std::filesystem::path& given,
                           std::string_view content) {
  // A symbolic link is written through: the file it names is replaced, and
  // the link stays a link. Something that is not a regular file (/dev/stdout,
  // a FIFO, a device) cannot be replaced by rename: it is written in place.
  std::filesystem::path path = given;
  std::error_code ec;
  // Followed by hand: a link to a file that does not exist yet (the first
  // write) must name that file, which canonical() cannot resolve.
  for (int hops = 0;
       std::filesystem::is_symlink(std::filesystem::symlink_status(path, ec));
       ++hops) {
    if (hops == 40) {
      return Status::Error(given.string() + ": too many levels of links");
    }
    const std::filesystem::path next = std::filesystem::read_symlink(path, ec);
    if (ec) {
      return Status::Error(given.string() +
                           ": cannot read the link: " + ec.message());
    }
    path = next.is_absolute() ? next : path.parent_path() / next;
  }
  const auto target = std::filesystem::status(path, ec);
  if (!ec && std::filesystem::exists(target) &&
      !std::filesystem::is_regular_file(target)) {
    if (std::filesystem::is_directory(target)) {
      return Status::Error(given.string() + ": is a directory");
    }
    const int out = ::open(path.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC);
    if (out < 0) return Status::Error(given.string() + ": " + ErrnoText(errno));
    const bool written = WriteAll(out, content);
    const int err = errno;
    if (::close(out) != 0 || !written) {
      return Status::Error(given.string() + ": cannot write: " +
                           ErrnoText(written ? errno : err));
    }
    return Status();
  }
  RemoveStaleTemps(path);
  std::filesystem::path temp;
  const int fd = OpenUniqueTemp(path, &temp);
  if (fd < 0) {
    return Status::Error(path.string() +
                         ": cannot create temporary file: " + ErrnoText(errno));
  }
  // fsync before rename: otherwise a crash can leave the new name pointing at
  // an empty file on some file systems.
  if (!WriteAll(fd, content) || ::fsync(fd) != 0) {
    const int err = errno;
    ::close(fd);
    ::unlink(temp.c_str());
    return Status::Error(path.string() + ": cannot write " + temp.string() +
                         ": " + ErrnoText(err));
  }
  if (::close(fd) != 0) {
    const int err = errno;
    ::unlink(temp.c_str());
    return Status::Error(path.string() + ": cannot write " + temp.string() +
                         ": " + ErrnoText(err));
  }
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    ::unlink(temp.c_str());
    return Status::Error(path.string() + ": cannot replace: " + ErrnoText(err));
  }
  // Make the rename itself durable; a failure here loses nothing already
  // visible, so it is not reported.
  std::filesystem::path dir = path.parent_path();
  if (dir.empty()) dir = ".";
  if (const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return Status();
}

}  // namespace perfcheck::json_fields
