// Google Benchmark JSON output (--benchmark_format=json or
// --benchmark_out=<file> --benchmark_out_format=json), read into plain values.
//
// What is read, per benchmark (grouped by "run_name", or by "name" minus an
// aggregate suffix for files written before Google Benchmark 1.5):
//  - every iteration run ("run_type": "iteration"): one repetition, its
//    real_time and cpu_time converted from "time_unit" (ns, us, ms, s) to ns;
//  - aggregates ("run_type": "aggregate", "aggregate_name" mean / median /
//    stddev / cv / min / max ...), so files written with
//    --benchmark_report_aggregates_only=true can still be compared; aggregates
//    with a non-time unit (cv is a fraction) keep their raw value; "BigO" and
//    "RMS" (complexity fits) are skipped;
//  - user counters: every other numeric field of a row (state.counters[...],
//    bytes_per_second, items_per_second, e.g. "instructions" written by
//    perfcheck::BenchmarkPerfCounter), kept per repetition and per aggregate
//    under their JSON name, as written (Google Benchmark has already applied
//    the counter's flags, e.g. per iteration); the row's "label" is kept too;
//  - runs with "error_occurred": true are not timings: their "error_message"
//    is kept and they count in `failed_runs`.
// The "context" object becomes a BenchmarkContext whose Fingerprint lets
// `perfcheck compare` say when two files come from different machines.
//
// Errors: ParseBenchmarkJson returns a Status naming the source and the
// problem: not JSON (truncated files included, with the byte offset), no
// "benchmarks" array (e.g. a perfcheck result file passed by mistake), a
// benchmark without a name or with a non-numeric time, an unknown time unit.
// Thread-safety: pure functions on values.
//
// Example:
//   perfcheck::StatusOr<perfcheck::BenchmarkFile> f =
//       perfcheck::ReadBenchmarkFile("new.json");
//   if (!f.ok()) { std::cerr << f.status().message() << "\n"; return 2; }
//   for (const auto& b : f->benchmarks) Use(b.name, b.cpu_ns);
#ifndef PERFCHECK_BENCHMARK_JSON_H_
#define PERFCHECK_BENCHMARK_JSON_H_

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "perfcheck/fingerprint.h"
#include "perfcheck/status.h"

namespace perfcheck {

struct BenchmarkContext {
  std::string date;
  std::string executable;
  std::string host_name;
  int num_cpus = 0;
  double mhz_per_cpu = 0;
  bool cpu_scaling_enabled = false;
  std::string library_build_type;   // "release" / "debug"
  std::vector<std::string> caches;  // e.g. "L1 Data 32 KiB (x2)"
  std::vector<double> load_avg;
  // Custom entries of perfcheck::BenchmarkPerfCounter
  // (benchmark_perf_counter.h): what its counts depend on (CountsKey()) and how
  // instructions were counted ("callgrind" or "perf_event"); empty when the
  // file has none.
  std::string counts_key;
  std::string instruction_counter;
  // Derived from the fields above: cpu_model from MHz and caches, cores,
  // build_type, hostname_hash (the host name itself is not copied).
  Fingerprint fingerprint;
};

// One aggregate row ("_mean", "_median", ...). Time aggregates are in ns.
struct BenchmarkAggregate {
  double real_time = 0;
  double cpu_time = 0;
  bool is_time = true;  // false for "cv" and other percentage aggregates
  std::map<std::string, double> counters;  // user counters of the row
};

struct BenchmarkSeries {
  std::string name;              // run_name, e.g. "BM_Parse/64/threads:2"
  std::string time_unit;         // as written in the file
  int declared_repetitions = 0;  // the "repetitions" field (0 when absent)
  int threads = 1;
  // One value per successful iteration run (repetition), in ns.
  std::vector<double> real_ns;
  std::vector<double> cpu_ns;
  // User counters by name, one value per successful iteration run (a run
  // without the counter adds nothing, so sizes may differ from cpu_ns).
  std::map<std::string, std::vector<double>> counters;
  std::map<std::string, BenchmarkAggregate> aggregates;  // by aggregate_name
  std::string label;  // the last non-empty "label" (state.SetLabel)
  int failed_runs = 0;
  std::vector<std::string> error_messages;  // distinct, at most 3
};

struct BenchmarkFile {
  std::string source;
  BenchmarkContext context;
  std::vector<BenchmarkSeries> benchmarks;  // in file order

  const BenchmarkSeries* Find(std::string_view name) const;
};

// Nanoseconds per `unit` ("ns", "us", "ms", "s"), nullopt for anything else.
std::optional<double> NanosPerTimeUnit(std::string_view unit);

// Parses a Google Benchmark JSON document; `source` starts every error message.
StatusOr<BenchmarkFile> ParseBenchmarkJson(std::string_view text,
                                           std::string_view source);
// Reads and parses a file.
StatusOr<BenchmarkFile> ReadBenchmarkFile(const std::filesystem::path& path);

// Records a Google Benchmark run as a baseline file: `json_text` is parsed
// (errors as ParseBenchmarkJson, and a run whose benchmarks all failed is
// refused), a "perfcheck_baseline" object {recorded_at (ISO 8601 UTC),
// fingerprint of this machine} is added for `perfcheck baseline show`, and
// the file is replaced atomically (temporary file + rename) under an
// exclusive flock on "<path>.lock"; parent directories are created. On any
// error the existing file is untouched. The runs of other testbeds
// (testbed.h) already in the file are kept in
// "perfcheck_baseline.other_testbeds" (an array of such documents); only a
// run of this machine's testbed is replaced. An existing file that cannot be
// read is an error, never overwritten.
Status WriteBenchmarkBaseline(const std::filesystem::path& path,
                              std::string_view json_text,
                              std::string_view source);

// Every testbed's run of a baseline file written by WriteBenchmarkBaseline:
// the top-level run first, then perfcheck_baseline.other_testbeds in order.
// Errors name the file (and the other_testbeds index) and the field.
StatusOr<std::vector<BenchmarkFile>> ParseBenchmarkBaseline(
    std::string_view text, std::string_view source);

// The run of `path` recorded on the testbed of `here` (MatchTestbed kSame),
// else the top-level run (whose testbed then differs: time not comparable).
StatusOr<BenchmarkFile> ReadBenchmarkBaseline(const std::filesystem::path& path,
                                              const Fingerprint& here);

// For instruction counts, which depend on the build rather than the machine:
// the run of `path` counted under the counts key and counter of `here`
// (BenchmarkContext::counts_key and instruction_counter), whatever its
// testbed; else ReadBenchmarkBaseline(path, here.fingerprint) (whose key then
// differs: counts not comparable).
StatusOr<BenchmarkFile> ReadBenchmarkBaselineForCounts(
    const std::filesystem::path& path, const BenchmarkContext& here);

// True when `text` parses as JSON with a "benchmarks" array (cheap sniffing
// for inputs that may also be perfcheck result or baseline files).
bool LooksLikeBenchmarkJson(std::string_view text);

}  // namespace perfcheck

#endif  // PERFCHECK_BENCHMARK_JSON_H_
