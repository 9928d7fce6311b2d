// Fuzzes ResultFromJson, the reader of perfcheck result files
// (perfcheck.result/v1; `perfcheck load --result`, `perfcheck report`).
//
// Properties, besides "no crash, no sanitizer report":
//   - no exception escapes: bad input comes back as an error Status with a
//     message naming the source;
//   - what the reader accepts, the writer writes back readably: the
//     ResultToJson() of an accepted result reads again to an equal result;
//   - an accepted result can be recorded as a baseline run (what
//     `perfcheck baseline update DIR result.json` does) that the baseline
//     reader accepts.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "perfcheck/baseline.h"
#include "perfcheck/result_json.h"

using perfcheck::fuzz::Violation;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  perfcheck::StatusOr<perfcheck::Result> r =
      perfcheck::ResultFromJson(text, "fuzz.json");
  if (!r.ok()) {
    if (r.status().message().rfind("fuzz.json", 0) != 0) {
      Violation("the error does not start with the source",
                r.status().message());
    }
    return 0;
  }
  const std::string written = perfcheck::ResultToJson(*r);
  perfcheck::StatusOr<perfcheck::Result> again =
      perfcheck::ResultFromJson(written, "written.json");
  if (!again.ok()) {
    Violation("an accepted result is written unreadably",
              again.status().message() + "\n" + written);
  }
  if (!(*again == *r)) {
    Violation("an accepted result changes when written and read", written);
  }

  perfcheck::BaselineFile baseline;
  baseline.test_id = "Fuzz.Result";
  perfcheck::BaselineEntry& entry = baseline.entries[r->name];
  entry.name = r->name;
  entry.runs.push_back(perfcheck::MakeBaselineRun(*r));
  const std::string recorded = perfcheck::BaselineFileToJson(baseline);
  perfcheck::StatusOr<perfcheck::BaselineFile> read_back =
      perfcheck::BaselineFileFromJson(recorded, "baseline.json");
  if (!read_back.ok()) {
    Violation("an accepted result is recorded as an unreadable baseline",
              read_back.status().message());
  }
  return 0;
}
