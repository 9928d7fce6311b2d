// Baselines: the stored reference a run is compared with by
// EXPECT_NO_REGRESSION.
//
// One JSON file per test (schema "perfcheck.baseline/v2",
// docs/baseline-schema.md) at <dir>/<test id>.json, where the test id is
// "Suite.Test" with every character outside [A-Za-z0-9._-] replaced by '_'. A
// file holds one entry per result name; an entry keeps the last few recorded
// runs of each testbed (testbed.h; the runs of one testbed are its noise
// band), each with its gated metrics, encoded histogram and fingerprint and,
// when they were counted, its counts per operation (instructions, allocations)
// with the counts key; plus per-metric tolerances.
// Files of schema v1 (before testbeds) still read: their runs have no
// testbed, so their times are never judged, their error rates are; the next
// update writes v2 and keeps those runs.
//
// Writes are atomic (temporary file + rename in the same directory) and made
// under an exclusive advisory lock on "<file>.lock" (flock), so concurrent
// updaters (ctest -j, several processes) never lose an update nor leave a torn
// file. A file that fails to parse is never overwritten by an update: the
// update fails with the parse error and the file stays byte-identical.
//
// Thread-safety: BaselineStore is immutable after construction; all methods may
// be called concurrently from threads and processes.
#ifndef PERFCHECK_BASELINE_H_
#define PERFCHECK_BASELINE_H_

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "perfcheck/fingerprint.h"
#include "perfcheck/operation_counts.h"
#include "perfcheck/result.h"
#include "perfcheck/status.h"

namespace perfcheck {

inline constexpr std::string_view kBaselineSchema = "perfcheck.baseline/v2";
// The schema before testbeds; still read, never written.
inline constexpr std::string_view kBaselineSchemaV1 = "perfcheck.baseline/v1";
// Whether `schema` names a baseline file this reader understands (v1 or v2,
// any minor version).
bool IsBaselineSchema(std::string_view schema);

// Metrics the gate compares. Latency metrics and error rate: lower is better;
// throughput: higher is better. Counts (instructions, allocations,
// allocated_bytes; per operation, operation_counts.h) are lower-is-better too,
// and judged only against runs with the same counts key.
enum class Metric {
  kP50,
  kP95,
  kP99,
  kMean,
  kThroughput,
  kErrorRate,
  kInstructions,
  kAllocations,
  kAllocatedBytes,
};
// "p50", "p95", "p99", "mean", "throughput", "error_rate", "instructions",
// "allocations", "allocated_bytes".
std::string_view MetricName(Metric m);
std::optional<Metric> MetricFromName(std::string_view name);
// Measured in every run: time and error rate.
inline constexpr Metric kGatedMetrics[] = {Metric::kP50,  Metric::kP95,
                                           Metric::kP99,  Metric::kMean,
                                           Metric::kThroughput,
                                           Metric::kErrorRate};
// Present when they were counted (Result::counts).
inline constexpr Metric kCountMetrics[] = {
    Metric::kInstructions, Metric::kAllocations, Metric::kAllocatedBytes};
constexpr bool IsCountMetric(Metric m) {
  return m == Metric::kInstructions || m == Metric::kAllocations ||
         m == Metric::kAllocatedBytes;
}
// The value of count metric `m` in `counts`; nullopt when not counted.
std::optional<double> CountOf(const OperationCounts& counts, Metric m);

// One recorded run of a result.
struct BaselineRun {
  std::string recorded_at;  // ISO 8601 UTC
  std::uint64_t samples = 0;
  std::uint64_t errors = 0;
  Nanos elapsed_ns = 0;
  std::map<Metric, double> metrics;  // every kGatedMetrics value (ns, 1/s, 0..1)
  LatencyHistogram latency;
  Fingerprint fingerprint;
  OperationCounts counts;  // empty in runs recorded without counts
};

struct BaselineEntry {
  // Per testbed: a laptop's runs never push out CI's.
  static constexpr std::size_t kMaxRuns = 5;
  std::string name;
  std::vector<BaselineRun> runs;  // oldest first, at most kMaxRuns per testbed
  // Per-metric tolerance overriding the gate's default: relative (0.10 = 10%)
  // for latency, throughput and counts, absolute for error_rate (0.01 = 1
  // point).
  std::map<Metric, double> tolerances;
};

struct BaselineFile {
  std::string test_id;
  std::map<std::string, BaselineEntry> entries;  // by result name
};

// The run of `result` as a baseline would store it (metrics computed, time
// stamp = now).
BaselineRun MakeBaselineRun(const Result& result);

enum class UpdateMode {
  kAppend,   // add the run to its testbed's band, dropping that testbed's
             // oldest past kMaxRuns
  kReplace,  // of this testbed keep only this run (e.g. after an intended
             // slowdown); other testbeds' runs stay until re-recorded there
};

class BaselineStore {
 public:
  explicit BaselineStore(std::filesystem::path dir) : dir_(std::move(dir)) {}

  const std::filesystem::path& dir() const { return dir_; }
  // "<dir>/<sanitized test id>.json".
  std::filesystem::path PathFor(std::string_view test_id) const;
  static std::string SanitizeTestId(std::string_view test_id);

  // nullopt when there is no file; an error naming the file and the field when
  // it is unreadable, malformed, truncated, of another schema or misses a field.
  StatusOr<std::optional<BaselineFile>> Load(std::string_view test_id) const;

  // Records `result` into the entry named result.name of the test's file,
  // creating file and directory as needed; atomic and locked (see above).
  // Tolerances already in the file are kept.
  Status Record(std::string_view test_id, const Result& result,
                UpdateMode mode = UpdateMode::kAppend) const;

 private:
  std::filesystem::path dir_;
};

// JSON text of a baseline file (stable key order, 2-space indent), and its parser.
std::string BaselineFileToJson(const BaselineFile& file);
StatusOr<BaselineFile> BaselineFileFromJson(std::string_view text,
                                            std::string_view source);

}  // namespace perfcheck

#endif  // PERFCHECK_BASELINE_H_
