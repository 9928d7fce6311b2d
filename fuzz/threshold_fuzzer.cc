// Fuzzes the CLI's --threshold and duration parsers (cli/threshold.h).
//
// Properties, besides "no crash, no exception, no sanitizer report":
//   - a parsed duration is >= 0;
//   - a parsed threshold parses again from its own text to the same
//     threshold, and judging it (Evaluate) works on an empty result and on
//     one with samples and errors; the verdict of a latency threshold agrees
//     with its operator at the bound (a sample exactly at the limit passes
//     '<=' and fails '<');
//   - an error message quotes what was given.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "perfcheck/result.h"
#include "threshold.h"

namespace {

using perfcheck::fuzz::Quoted;
using perfcheck::fuzz::Violation;

using perfcheck::cli::Threshold;

bool Same(const Threshold& a, const Threshold& b) {
  return a.text == b.text && a.metric == b.metric && a.op == b.op &&
         a.percentile == b.percentile && a.limit_ns == b.limit_ns &&
         a.value == b.value;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  perfcheck::StatusOr<perfcheck::Nanos> d = perfcheck::cli::ParseDuration(text);
  if (d.ok() && *d < 0) Violation("negative duration", Quoted("input", text));

  perfcheck::StatusOr<Threshold> t = perfcheck::cli::ParseThreshold(text);
  if (!t.ok()) {
    if (t.status().message().find("threshold '") == std::string::npos) {
      Violation("error does not quote the threshold", Quoted("input", text));
    }
    return 0;
  }
  perfcheck::StatusOr<Threshold> again =
      perfcheck::cli::ParseThreshold(t->text);
  if (!again.ok() || !Same(*t, *again)) {
    Violation("a threshold does not parse again from its text",
              Quoted("input", text));
  }

  perfcheck::Result empty("fuzz");
  (void)perfcheck::cli::Evaluate(*t, empty);

  perfcheck::Result r("fuzz");
  r.elapsed_ns = 1'000'000'000;
  r.AddError("http_500", "Internal Server Error");
  const bool latency = t->metric == Threshold::Metric::kPercentile ||
                       t->metric == Threshold::Metric::kMax ||
                       t->metric == Threshold::Metric::kMean;
  if (latency) {
    // One sample exactly at the limit: every latency metric equals it (the
    // histogram keeps min, max and the sum exact).
    r.latency.Record(t->limit_ns);
    const bool passed = perfcheck::cli::Evaluate(*t, r).passed;
    const bool inclusive = t->op == Threshold::Op::kLessEqual;
    // Beyond 2^53 ns (104 days) a mean compares as a double, rounded.
    if (t->limit_ns <= (std::int64_t{1} << 53) && passed != inclusive) {
      Violation("a sample at the limit is judged against the operator",
                Quoted("input", text));
    }
  }
  r.latency.Record(1'000'000);
  (void)perfcheck::cli::Evaluate(*t, r);
  return 0;
}
