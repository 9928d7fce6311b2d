// Fuzzes BaselineFileFromJson, the reader of the baseline store's files
// (perfcheck.baseline/v1 and v2; docs/baseline-schema.md), which the
// regression gate and `perfcheck baseline` read from the repository.
//
// Properties, besides "no crash, no sanitizer report":
//   - no exception escapes: bad input comes back as an error Status with a
//     message naming the source;
//   - what the reader accepts, the writer writes back readably: the
//     BaselineFileToJson() of an accepted file reads again, and writing that
//     gives the same text (nothing is lost or changed on the second trip);
//   - what the reader accepts, the gate can judge: CompareToBaseline() of
//     every entry against a result made from one of its runs (same testbed,
//     so times are judged too) returns a report and throws nothing.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "perfcheck/baseline.h"
#include "perfcheck/regression.h"

using perfcheck::fuzz::Violation;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  perfcheck::StatusOr<perfcheck::BaselineFile> file =
      perfcheck::BaselineFileFromJson(text, "fuzz.json");
  if (!file.ok()) {
    if (file.status().message().rfind("fuzz.json", 0) != 0) {
      Violation("the error does not start with the source",
                file.status().message());
    }
    return 0;
  }
  const std::string written = perfcheck::BaselineFileToJson(*file);
  perfcheck::StatusOr<perfcheck::BaselineFile> again =
      perfcheck::BaselineFileFromJson(written, "written.json");
  if (!again.ok()) {
    Violation("an accepted baseline is written unreadably",
              again.status().message() + "\n" + written);
  }
  const std::string rewritten = perfcheck::BaselineFileToJson(*again);
  if (rewritten != written) {
    Violation("an accepted baseline changes when written and read",
              written + "\n---\n" + rewritten);
  }

  for (const auto& [name, entry] : file->entries) {
    if (entry.runs.empty()) continue;
    const perfcheck::BaselineRun& run = entry.runs.back();
    perfcheck::Result result(name);
    result.latency = run.latency;
    if (run.errors > 0) result.errors["fuzz"].count = run.errors;
    result.elapsed_ns = run.elapsed_ns;
    result.fingerprint = run.fingerprint;
    result.counts = run.counts;
    const perfcheck::RegressionReport report =
        perfcheck::CompareToBaseline(entry, result);
    (void)report.Describe();
  }
  return 0;
}
