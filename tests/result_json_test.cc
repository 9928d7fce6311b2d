#include "perfcheck/result_json.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace perfcheck {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;

Fingerprint SampleFingerprint() {
  Fingerprint f;
  f.cpu_model = "Intel(R) Xeon(R) CPU @ 2.20GHz";
  f.cores = 8;
  f.cpu_governor = "performance";
  f.os = "Debian GNU/Linux 12 (bookworm)";
  f.kernel = "6.1.0-18-amd64";
  f.compiler = "GCC 12.2.0";
  f.build_type = "Release";
  f.perfcheck_version = "0.1.0";
  f.git_sha = "0123456789abcdef0123456789abcdef01234567";
  f.hostname_hash = "a1b2c3d4";
  return f;
}

// A result with every part filled: histogram, errors, a series with gaps,
// configuration (with characters JSON must escape) and a fingerprint.
Result SampleResult() {
  Result r("orders.search \"50k items\"");
  std::mt19937_64 rng(42);
  std::lognormal_distribution<double> dist(14.0, 0.7);  // ~1.2 ms median
  TimeSeries series(std::chrono::milliseconds(250));
  Nanos offset = 0;
  for (int i = 0; i < 5000; ++i) {
    const auto latency = static_cast<Nanos>(dist(rng));
    offset += latency / 4;
    if (i % 97 == 0) {
      series.Record(offset, latency, /*ok=*/false);
    } else {
      r.latency.Record(latency);
      series.Record(offset, latency, /*ok=*/true);
    }
  }
  // A quiet gap, then one more operation: empty intervals in between.
  series.Record(offset + 2'000'000'000, 3'000'000, true);
  r.latency.Record(3'000'000);
  series.Finish();
  r.series = series;
  r.errors["timeout"] = ErrorCategory{40, {"timed out after 5 s", "timed out"}};
  r.errors["status_5xx"] =
      ErrorCategory{12, {"HTTP 503 \"Service Unavailable\"\n<html>…</html>"}};
  r.elapsed_ns = offset + 2'000'000'000;
  r.config["concurrency"] = "16";
  r.config["url"] = "https://erp.example.com/api/resource/Item?filters=[\"a\"]";
  r.config["note"] = "tab\there, unicode: Größe ✓";
  r.fingerprint = SampleFingerprint();
  // Means that no short decimal holds exactly, so the round trip is tested.
  r.counts.instructions = 12'787'040.0 / 3.0;
  r.counts.allocations = 2.0 / 3.0;
  r.counts.allocated_bytes = 96.5;
  r.counts.operations = 5001;
  r.counts.key = "x86_64 GCC 12.2.0 Release glibc-2.36 -O2";
  return r;
}

// gmock is not linked into unit tests; a small predicate gives the same
// message.
::testing::AssertionResult HasSubstr(const std::string& text,
                                     const std::string& part) {
  if (text.find(part) != std::string::npos) {
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure()
         << "\"" << text << "\" does not contain \"" << part << "\"";
}

class TempDir {
 public:
  TempDir() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    path_ = fs::temp_directory_path() /
            ("perfcheck_result_json_test_" + std::to_string(::getpid()) + "_" +
             info->name());
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

std::vector<std::string> FileNamesIn(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) {
    names.push_back(e.path().filename().string());
  }
  return names;
}

TEST(ResultJsonTest, RoundTripIsExact) {
  const Result r = SampleResult();
  ASSERT_GT(r.series.Intervals().size(), 8u);
  const std::string text = ResultToJson(r);
  StatusOr<Result> back = ResultFromJson(text, "r.json");
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->name, r.name);
  EXPECT_EQ(back->latency, r.latency);
  EXPECT_EQ(back->errors, r.errors);
  EXPECT_EQ(back->elapsed_ns, r.elapsed_ns);
  EXPECT_EQ(back->series, r.series);
  EXPECT_EQ(back->config, r.config);
  EXPECT_EQ(back->fingerprint, r.fingerprint);
  EXPECT_EQ(back->counts, r.counts);
  EXPECT_TRUE(*back == r);
  // Writing the parsed result again gives the same text: nothing drifts.
  EXPECT_EQ(ResultToJson(*back), text);
}

TEST(ResultJsonTest, OneLineFormRoundTrips) {
  const Result r = SampleResult();
  const std::string text = ResultToJson(r, -1);
  // One line plus the final newline.
  EXPECT_EQ(text.find('\n'), text.size() - 1);
  StatusOr<Result> back = ResultFromJson(text, "r.json");
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_TRUE(*back == r);
}

TEST(ResultJsonTest, EmptyResultRoundTrips) {
  const Result r;
  StatusOr<Result> back = ResultFromJson(ResultToJson(r), "empty.json");
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_TRUE(*back == r);
}

TEST(ResultJsonTest, CountsAreWrittenOnlyWhenCountedAndKeepAbsenceOnRead) {
  Result r("alloc_only");
  r.latency.Record(1000);
  r.counts.allocations = 0;  // counted, none: not the same as absent
  r.counts.allocated_bytes = 0;
  r.counts.operations = 1;
  r.counts.key = "k";
  const Json doc = Json::parse(ResultToJson(r));
  EXPECT_EQ(doc["counts"],
            Json::parse(R"({"allocations": 0.0, "allocated_bytes": 0.0,
                            "operations": 1, "key": "k"})"));
  StatusOr<Result> back = ResultFromJson(doc.dump(), "a.json");
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->counts, r.counts);
  EXPECT_FALSE(back->counts.instructions.has_value());

  // Nothing counted: no "counts" at all, and none after reading.
  r.counts = OperationCounts();
  const Json plain = Json::parse(ResultToJson(r));
  EXPECT_FALSE(plain.contains("counts"));
  back = ResultFromJson(plain.dump(), "p.json");
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_TRUE(back->counts.empty());
  EXPECT_EQ(back->counts, OperationCounts());
}

// --- Resource series (issue 14) ---------------------------------------------

Result ResultWithResources() {
  Result r("monitored");
  r.latency.Record(1000);
  ProcessSeries server;
  server.label = "cmd";
  server.pid = 4242;
  server.name = "server";
  for (int i = 0; i < 5; ++i) {
    server.samples.push_back({.t_ns = i * 1'000'000'000LL,
                              .cpu_percent = i == 0 ? 0.0 : 12.5 + i,
                              .rss_bytes = 10'000'000 + i * 4096,
                              .threads = 4,
                              .fds = i == 4 ? -1 : 7});
  }
  ProcessSeries gone;
  gone.pid = 77;
  gone.name = "worker";
  gone.samples.push_back({.t_ns = 0, .rss_bytes = 1 << 20, .threads = 1});
  gone.exited_ns = 1'000'000'000;
  gone.note =
      "process 77 (worker) exited 1.000 s after the start; 1 samples "
      "kept";
  r.resources = {server, gone};
  return r;
}

TEST(ResultJsonTest, ResourceSeriesRoundTripByColumn) {
  const Result r = ResultWithResources();
  const std::string text = ResultToJson(r);
  const Json doc = Json::parse(text);
  ASSERT_TRUE(doc.contains("resources"));
  const Json& server = doc["resources"][0];
  EXPECT_EQ(server["label"], "cmd");
  EXPECT_EQ(server["pid"], 4242);
  EXPECT_FALSE(server.contains("exited_ns"));
  EXPECT_EQ(server["samples"]["rss_bytes"].size(), 5u);
  EXPECT_EQ(server["samples"]["fds"][4], -1);
  EXPECT_EQ(doc["resources"][1]["exited_ns"], 1'000'000'000);
  StatusOr<Result> back = ResultFromJson(text, "m.json");
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->resources, r.resources);
  EXPECT_TRUE(*back == r);
  EXPECT_EQ(ResultToJson(*back), text);
}

TEST(ResultJsonTest, ResultsWithoutResourcesHaveNoFieldAndOldFilesLoad) {
  Result r("plain");
  r.latency.Record(1000);
  Json doc = Json::parse(ResultToJson(r));
  EXPECT_FALSE(doc.contains("resources"));
  // A file written before resource monitoring existed: no field at all.
  StatusOr<Result> back = ResultFromJson(doc.dump(), "old.json");
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_TRUE(back->resources.empty());
}

TEST(ResultJsonTest, MalformedResourceSeriesNamesTheField) {
  const Json good = Json::parse(ResultToJson(ResultWithResources()));
  struct Case {
    std::function<void(Json&)> damage;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {[](Json& d) { d["resources"] = "x"; },
       "m.json: field 'resources': expected an array"},
      {[](Json& d) { d["resources"][0].erase("pid"); },
       "m.json: field 'resources[0].pid': missing"},
      {[](Json& d) { d["resources"][0]["pid"] = 0; },
       "m.json: field 'resources[0].pid': must be > 0"},
      {[](Json& d) { d["resources"][1]["samples"]["rss_bytes"][0] = -5; },
       "m.json: field 'resources[1].samples.rss_bytes[0]': must be >= 0"},
      {[](Json& d) { d["resources"][0]["samples"]["cpu_percent"][2] = "hot"; },
       "m.json: field 'resources[0].samples.cpu_percent[2]'"},
      {[](Json& d) { d["resources"][0]["samples"]["fds"].erase(0); },
       "m.json: field 'resources[0].samples.fds': has 4 values, t_ns has 5"},
      {[](Json& d) { d["resources"][0]["samples"]["t_ns"][3] = 0; },
       "m.json: field 'resources[0].samples.t_ns[3]': times must be "
       "ascending"},
  };
  for (const Case& c : cases) {
    Json doc = good;
    c.damage(doc);
    StatusOr<Result> r = ResultFromJson(doc.dump(), "m.json");
    ASSERT_FALSE(r.ok()) << c.expected;
    EXPECT_EQ(r.status().message().rfind(c.expected, 0), 0u)
        << r.status().message();
  }
}

TEST(ResultJsonTest, NonDefaultHistogramConfigurationRoundTrips) {
  Result r("custom");
  r.latency = LatencyHistogram(2, 10'000'000'000);  // 2 digits, up to 10 s
  r.latency.Record(0);
  r.latency.Record(-5);  // recorded as 0
  r.latency.Record(999);
  r.latency.RecordN(123'456'789, 7);
  r.latency.Record(50'000'000'000);  // saturated
  ASSERT_EQ(r.latency.Saturated(), 1u);
  StatusOr<Result> back = ResultFromJson(ResultToJson(r), "custom.json");
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->latency.SignificantDigits(), 2);
  EXPECT_EQ(back->latency.HighestTrackable(), r.latency.HighestTrackable());
  EXPECT_EQ(back->latency.Saturated(), 1u);
  EXPECT_TRUE(*back == r);
}

TEST(ResultJsonTest, DocumentHasSchemaAndReadableSummary) {
  const Result r = SampleResult();
  const Json doc = Json::parse(ResultToJson(r));
  EXPECT_EQ(doc.begin().key(), "schema");  // first, so `head` shows it
  EXPECT_EQ(doc["schema"], "perfcheck.result/v1");
  EXPECT_EQ(doc["name"], r.name);
  EXPECT_EQ(doc["summary"]["ok"].get<std::uint64_t>(), r.OkCount());
  EXPECT_EQ(doc["summary"]["errors"].get<std::uint64_t>(), 52u);
  EXPECT_DOUBLE_EQ(doc["summary"]["error_rate"].get<double>(), r.ErrorRate());
  EXPECT_DOUBLE_EQ(doc["summary"]["throughput_per_s"].get<double>(),
                   r.Throughput());
  const Json& lat = doc["latency"];
  EXPECT_EQ(lat["histogram"], r.latency.Encode());
  EXPECT_EQ(lat["count"].get<std::uint64_t>(), r.latency.TotalCount());
  EXPECT_EQ(lat["min_ns"].get<Nanos>(), r.latency.Min());
  EXPECT_EQ(lat["max_ns"].get<Nanos>(), r.latency.Max());
  EXPECT_DOUBLE_EQ(lat["mean_ns"].get<double>(), r.latency.Mean());
  EXPECT_EQ(lat["p50_ns"].get<Nanos>(), r.latency.Percentile(50));
  EXPECT_EQ(lat["p90_ns"].get<Nanos>(), r.latency.Percentile(90));
  EXPECT_EQ(lat["p95_ns"].get<Nanos>(), r.latency.Percentile(95));
  EXPECT_EQ(lat["p99_ns"].get<Nanos>(), r.latency.Percentile(99));
  EXPECT_EQ(lat["p999_ns"].get<Nanos>(), r.latency.Percentile(99.9));
  EXPECT_EQ(doc["errors"]["timeout"]["count"], 40);
  EXPECT_EQ(doc["series"]["interval_ns"], 250'000'000);
  EXPECT_EQ(doc["series"]["intervals"].size(), r.series.Intervals().size());
  EXPECT_EQ(doc["config"]["concurrency"], "16");
  EXPECT_EQ(doc["fingerprint"]["cores"], 8);
}

TEST(ResultJsonTest, ReaderIgnoresSummaryFieldsAndUnknownFields) {
  const Result r = SampleResult();
  Json doc = Json::parse(ResultToJson(r));
  // Summary values are derived: a reader must not trust edited ones.
  doc["latency"]["p99_ns"] = 1;
  doc["summary"]["ok"] = 0;
  // Additive fields of a later v1.x writer are ignored.
  doc["schema"] = "perfcheck.result/v1.4";
  doc["added_in_v1_4"] = {{"anything", true}};
  StatusOr<Result> back = ResultFromJson(doc.dump(), "r.json");
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_TRUE(*back == r);
}

TEST(ResultJsonTest, MillionSampleResultIsCompact) {
  Result r("big");
  std::mt19937_64 rng(7);
  std::lognormal_distribution<double> dist(15.0, 1.5);  // ~3 ms, wide spread
  for (int i = 0; i < 1'000'000; ++i) {
    r.latency.Record(static_cast<Nanos>(dist(rng)));
  }
  r.elapsed_ns = 60'000'000'000;
  r.fingerprint = SampleFingerprint();
  TempDir dir;
  const fs::path path = dir.path() / "big.json";
  ASSERT_TRUE(WriteResultFile(r, path).ok());
  const auto size = fs::file_size(path);
  EXPECT_LT(size, 64u * 1024u) << "histogram encoding is not compact";
  StatusOr<Result> back = ReadResultFile(path);
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->latency.TotalCount(), 1'000'000u);
  EXPECT_TRUE(*back == r);
}

TEST(ResultJsonTest, WriteResultFileCreatesDirectoriesAndLeavesNoTemporaries) {
  TempDir dir;
  const fs::path path = dir.path() / "a" / "b" / "result.json";
  const Result first = SampleResult();
  ASSERT_TRUE(WriteResultFile(first, path).ok());
  Result second("second");
  second.latency.Record(5);
  ASSERT_TRUE(WriteResultFile(second, path).ok());  // replaces
  StatusOr<Result> back = ReadResultFile(path);
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_TRUE(*back == second);
  EXPECT_EQ(FileNamesIn(path.parent_path()),
            std::vector<std::string>{"result.json"});
}

TEST(ResultJsonTest, WriteResultFileReportsUnwritableDirectory) {
  TempDir dir;
  const fs::path blocker = dir.path() / "not_a_dir";
  std::ofstream(blocker) << "x";
  const Status s = WriteResultFile(SampleResult(), blocker / "r.json");
  ASSERT_FALSE(s.ok());
  EXPECT_TRUE(HasSubstr(s.message(), "not_a_dir"));
}

TEST(ResultJsonTest, ConcurrentWritersToOnePathNeverTearTheFile) {
  TempDir dir;
  const fs::path path = dir.path() / "shared.json";
  std::vector<Result> results;
  for (int t = 0; t < 8; ++t) {
    Result r("writer" + std::to_string(t));
    for (int i = 0; i < 200 * (t + 1); ++i) r.latency.Record(1000 + i * t);
    results.push_back(r);
  }
  std::vector<std::thread> threads;
  std::vector<int> failures(8, 0);
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int k = 0; k < 20; ++k) {
        if (!WriteResultFile(results[t], path).ok()) ++failures[t];
      }
    });
  }
  // Meanwhile a reader must only ever see complete documents.
  int reads = 0;
  for (int k = 0; k < 50; ++k) {
    if (!fs::exists(path)) continue;
    StatusOr<Result> r = ReadResultFile(path);
    ASSERT_TRUE(r.ok()) << r.status().message();
    ++reads;
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures, std::vector<int>(8, 0));
  StatusOr<Result> last = ReadResultFile(path);
  ASSERT_TRUE(last.ok()) << last.status().message();
  bool matches_one = false;
  for (const Result& r : results) matches_one = matches_one || (*last == r);
  EXPECT_TRUE(matches_one);
  EXPECT_EQ(FileNamesIn(dir.path()), std::vector<std::string>{"shared.json"});
}

TEST(ResultJsonTest, ReadResultFileNamesAMissingFile) {
  TempDir dir;
  const fs::path path = dir.path() / "nope.json";
  StatusOr<Result> r = ReadResultFile(path);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(HasSubstr(r.status().message(), path.string()));
  EXPECT_TRUE(HasSubstr(r.status().message(), "No such file"));
}

TEST(ResultJsonTest, ReadResultFileErrorsStartWithThePath) {
  TempDir dir;
  const fs::path path = dir.path() / "bad.json";
  std::ofstream(path) << "{\"schema\": \"perfcheck.result/v1\"}";
  StatusOr<Result> r = ReadResultFile(path);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message().rfind(path.string() + ": field 'name'", 0), 0u)
      << r.status().message();
}

TEST(ResultJsonTest, InvalidUtf8IsReplacedNotThrown) {
  Result r("bytes");
  r.errors["exception"] = ErrorCategory{1, {std::string("cut \xE2\x82", 6)}};
  std::string text;
  ASSERT_NO_THROW(text = ResultToJson(r));
  StatusOr<Result> back = ResultFromJson(text, "r.json");
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->errors.at("exception").count, 1u);
}

TEST(ResultJsonTest, DocumentCutAnywhereIsReportedAsTruncated) {
  const std::string text = ResultToJson(SampleResult());
  // Everything but the final "}\n" and shorter: never valid, always named.
  for (std::size_t len = 0; len + 2 < text.size(); len += 53) {
    StatusOr<Result> r = ResultFromJson(text.substr(0, len), "cut.json");
    ASSERT_FALSE(r.ok()) << "cut at " << len;
    EXPECT_TRUE(HasSubstr(r.status().message(), "cut.json: not valid JSON"));
    EXPECT_TRUE(HasSubstr(r.status().message(), "truncated?"))
        << "cut at " << len;
    EXPECT_LT(r.status().message().size(), 300u) << "excerpt not bounded";
  }
}

// --- Malformed input: every class gives an error naming source and field. ---

struct MalformedCase {
  std::string label;
  std::function<std::string(Json)> make;  // from a valid document to bad text
  std::vector<std::string> expected;      // substrings of the message
};

void PrintTo(const MalformedCase& c, std::ostream* os) { *os << c.label; }

std::string Set(Json doc, const Json::json_pointer& ptr, Json value) {
  doc[ptr] = std::move(value);
  return doc.dump(2);
}

std::string Erase(Json doc, const Json::json_pointer& ptr) {
  doc[ptr.parent_pointer()].erase(ptr.back());
  return doc.dump(2);
}

std::string HalfOf(const std::string& s) { return s.substr(0, s.size() / 2); }

// The document with `count` of "counts" written as the literal `text`, for
// numbers a JSON library will not produce (infinity, NaN): they must not
// become a count.
std::string WithCountText(Json doc, const std::string& count,
                          const std::string& text) {
  doc["counts"][count] = 123456.5;
  std::string s = doc.dump(2);
  s.replace(s.find("123456.5"), 8, text);
  return s;
}

std::vector<MalformedCase> MalformedCases() {
  using P = Json::json_pointer;
  return {
      {"not_json",
       [](Json) { return std::string("perfcheck result: ok"); },
       {"in/r.json: not valid JSON"}},
      {"empty",
       [](Json) { return std::string(); },
       {"in/r.json: not valid JSON"}},
      {"truncated",
       [](Json d) { return HalfOf(d.dump(2)); },
       {"in/r.json: not valid JSON", "truncated?"}},
      {"top_level_array",
       [](Json) { return std::string("[1, 2]"); },
       {"in/r.json: expected a JSON object"}},
      {"missing_schema",
       [](Json d) { return Erase(d, P("/schema")); },
       {"in/r.json: field 'schema': missing"}},
      {"wrong_schema",
       [](Json d) { return Set(d, P("/schema"), "perfcheck.baseline/v1"); },
       {"in/r.json: field 'schema'", "perfcheck.result/v1",
        "found \"perfcheck.baseline/v1\""}},
      {"unknown_major_version",
       [](Json d) { return Set(d, P("/schema"), "perfcheck.result/v2"); },
       {"in/r.json: field 'schema': unsupported schema version",
        "perfcheck.result/v2"}},
      {"schema_not_string",
       [](Json d) { return Set(d, P("/schema"), 1); },
       {"in/r.json: field 'schema': expected a string"}},
      {"missing_name",
       [](Json d) { return Erase(d, P("/name")); },
       {"in/r.json: field 'name': missing"}},
      {"missing_histogram",
       [](Json d) { return Erase(d, P("/latency/histogram")); },
       {"in/r.json: field 'latency.histogram': missing"}},
      {"missing_interval_field",
       [](Json d) { return Erase(d, P("/series/intervals/3/p95_ns")); },
       {"in/r.json: field 'series.intervals[3].p95_ns': missing"}},
      {"missing_fingerprint_field",
       [](Json d) { return Erase(d, P("/fingerprint/kernel")); },
       {"in/r.json: field 'fingerprint.kernel': missing"}},
      {"elapsed_as_string",
       [](Json d) { return Set(d, P("/elapsed_ns"), "12"); },
       {"in/r.json: field 'elapsed_ns': expected an integer"}},
      {"elapsed_as_fraction",
       [](Json d) { return Set(d, P("/elapsed_ns"), 1.5); },
       {"in/r.json: field 'elapsed_ns': expected an integer"}},
      {"elapsed_negative",
       [](Json d) { return Set(d, P("/elapsed_ns"), -1); },
       {"in/r.json: field 'elapsed_ns': must be >= 0"}},
      {"negative_count",
       [](Json d) { return Set(d, P("/errors/timeout/count"), -3); },
       {"in/r.json: field 'errors.timeout.count': expected a non-negative "
        "integer"}},
      // Found by fuzz/result_json_fuzzer (fuzz/regressions/result_json/):
      // the total wrapped, giving an error rate above 1 that the writer
      // then wrote and the reader refused.
      {"operations_overflow",
       [](Json d) {
         return Set(d, P("/errors/timeout/count"),
                    std::numeric_limits<std::uint64_t>::max());
       },
       {"in/r.json: field 'errors.timeout.count': the operations (latency "
        "count plus error counts) exceed 2^64 - 1"}},
      {"example_not_string",
       [](Json d) { return Set(d, P("/errors/timeout/examples/1"), 7); },
       {"in/r.json: field 'errors.timeout.examples[1]': expected a string"}},
      {"cores_as_string",
       [](Json d) { return Set(d, P("/fingerprint/cores"), "8"); },
       {"in/r.json: field 'fingerprint.cores': expected an integer"}},
      {"config_value_number",
       [](Json d) { return Set(d, P("/config/concurrency"), 16); },
       {"in/r.json: field 'config.concurrency': expected a string"}},
      {"intervals_not_array",
       [](Json d) { return Set(d, P("/series/intervals"), Json::object()); },
       {"in/r.json: field 'series.intervals': expected an array"}},
      {"latency_not_object",
       [](Json d) { return Set(d, P("/latency"), "x"); },
       {"in/r.json: field 'latency': expected an object"}},
      {"zero_interval",
       [](Json d) { return Set(d, P("/series/interval_ns"), 0); },
       {"in/r.json: field 'series.interval_ns': must be > 0"}},
      {"histogram_not_base64",
       [](Json d) { return Set(d, P("/latency/histogram"), "%%% not base64"); },
       {"in/r.json: field 'latency.histogram': bad encoding"}},
      {"histogram_truncated",
       [](Json d) {
         const std::string h = d["latency"]["histogram"];
         return Set(d, P("/latency/histogram"), h.substr(0, h.size() / 2));
       },
       {"in/r.json: field 'latency.histogram': bad encoding"}},
      {"histogram_empty",
       [](Json d) { return Set(d, P("/latency/histogram"), ""); },
       {"in/r.json: field 'latency.histogram': bad encoding"}},
      {"count_negative",
       [](Json d) { return Set(d, P("/counts/allocations"), -1); },
       {"in/r.json: field 'counts.allocations': must be a finite number >= "
        "0"}},
      {"count_infinite",
       [](Json d) { return WithCountText(d, "instructions", "1e999"); },
       {"in/r.json: field 'counts.instructions': number overflow"}},
      {"count_nan",
       [](Json d) { return WithCountText(d, "allocations", "NaN"); },
       {"in/r.json: not valid JSON"}},
      {"count_as_string",
       [](Json d) { return Set(d, P("/counts/allocated_bytes"), "96"); },
       {"in/r.json: field 'counts.allocated_bytes': expected a number"}},
      {"counts_over_zero_operations",
       [](Json d) { return Set(d, P("/counts/operations"), 0); },
       {"in/r.json: field 'counts.operations': must be > 0"}},
      {"counts_without_operations",
       [](Json d) { return Erase(d, P("/counts/operations")); },
       {"in/r.json: field 'counts.operations': missing"}},
      {"counts_empty_key",
       [](Json d) { return Set(d, P("/counts/key"), ""); },
       {"in/r.json: field 'counts.key': must not be empty"}},
      {"counts_without_key",
       [](Json d) { return Erase(d, P("/counts/key")); },
       {"in/r.json: field 'counts.key': missing"}},
      {"counts_not_object",
       [](Json d) { return Set(d, P("/counts"), Json::array()); },
       {"in/r.json: field 'counts': expected an object"}},
      // Issue 16: nonsense a result cannot hold, and numbers beyond double
      // range anywhere, are input errors naming the field.
      {"summary_error_rate_above_one",
       [](Json d) { return Set(d, P("/summary/error_rate"), 2.0); },
       {"in/r.json: field 'summary.error_rate': must be a fraction in [0, 1], "
        "got 2.0"}},
      {"summary_error_rate_negative",
       [](Json d) { return Set(d, P("/summary/error_rate"), -0.5); },
       {"in/r.json: field 'summary.error_rate': must be a fraction"}},
      {"summary_error_rate_string",
       [](Json d) { return Set(d, P("/summary/error_rate"), "1%"); },
       {"in/r.json: field 'summary.error_rate': expected a number"}},
      {"overflow_in_interval",
       [](Json d) {
         d["series"]["intervals"][2]["p95_ns"] = 123456.5;
         std::string s = d.dump(2);
         s.replace(s.find("123456.5"), 8, "-1e999");
         return s;
       },
       {"in/r.json: field 'series.intervals[2].p95_ns': number overflow "
        "parsing '-1e999' (beyond the range of a double)"}},
      {"overflow_long_number",
       [](Json d) {
         d["elapsed_ns"] = 123456.5;
         std::string s = d.dump(2);
         s.replace(s.find("123456.5"), 8, std::string(400, '9') + ".0");
         return s;
       },
       {"in/r.json: field 'elapsed_ns': number overflow parsing '999",
        "...' (beyond the range of a double)"}},
      {"interval_histogram_bad",
       [](Json d) {
         return Set(d, P("/series/intervals/2/latency"), "%%% not base64");
       },
       {"in/r.json: field 'series.intervals[2].latency': bad encoding"}},
  };
}

class MalformedResultTest : public ::testing::TestWithParam<MalformedCase> {};

TEST_P(MalformedResultTest, GivesAnErrorNamingSourceAndField) {
  const Json valid = Json::parse(ResultToJson(SampleResult()));
  const std::string text = GetParam().make(valid);
  StatusOr<Result> r = ResultFromJson(text, "in/r.json");
  ASSERT_FALSE(r.ok());
  for (const std::string& part : GetParam().expected) {
    EXPECT_TRUE(HasSubstr(r.status().message(), part));
  }
}

INSTANTIATE_TEST_SUITE_P(
    AllClasses, MalformedResultTest, ::testing::ValuesIn(MalformedCases()),
    [](const ::testing::TestParamInfo<MalformedCase>& info) {
      return info.param.label;
    });

}  // namespace
}  // namespace perfcheck
