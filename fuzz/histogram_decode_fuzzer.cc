// Fuzzes LatencyHistogram::Decode, the compact text form stored in result and
// baseline files (base64 of a varint bucket list).
//
// Properties, besides "no crash, no exception, no sanitizer report":
//   - a decoded histogram is consistent enough to use: every query (the
//     percentiles, mean, standard deviation, every bucket) works, and
//     Percentile() and Mean() stay within [Min(), Max()];
//   - Encode() of it decodes again to an equal histogram (the stored form is
//     lossless for everything Decode accepts);
//   - it can be merged into and recorded into (both widen its bucket window).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "perfcheck/latency_histogram.h"

namespace {

using perfcheck::fuzz::Quoted;
using perfcheck::fuzz::Violation;

using perfcheck::LatencyHistogram;
using perfcheck::Nanos;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  perfcheck::StatusOr<LatencyHistogram> h = LatencyHistogram::Decode(text);
  if (!h.ok()) {
    if (h.status().message().empty())
      Violation("error without message", Quoted("input", text));
    return 0;
  }
  for (double p : {0.0, 1.0, 50.0, 90.0, 99.0, 99.9, 100.0}) {
    const Nanos v = h->Percentile(p);
    if (h->TotalCount() > 0 && (v < h->Min() || v > h->Max())) {
      Violation("a percentile outside [min, max]", Quoted("input", text));
    }
  }
  if (h->TotalCount() > 0 && !(h->Mean() >= static_cast<double>(h->Min()) &&
                               h->Mean() <= static_cast<double>(h->Max()))) {
    Violation("the mean lies outside [min, max]", Quoted("input", text));
  }
  if (!(h->StdDev() >= 0))
    Violation("a negative or NaN stddev", Quoted("input", text));
  (void)h->ValueAtRank(h->TotalCount() / 2);
  std::uint64_t counted = 0;
  h->ForEachBucket([&counted](Nanos lo, Nanos hi, std::uint64_t count) {
    if (hi < lo) __builtin_trap();
    counted += count;
  });
  if (counted != h->TotalCount())
    Violation("buckets do not add up", Quoted("input", text));

  const std::string encoded = h->Encode();
  perfcheck::StatusOr<LatencyHistogram> again =
      LatencyHistogram::Decode(encoded);
  if (!again.ok())
    Violation("Encode() output does not decode", Quoted("input", text));
  if (!(*again == *h))
    Violation("Decode(Encode(h)) != h", Quoted("input", text));

  // Merging into a fresh histogram of the same configuration, and recording
  // outside the decoded window, must both work.
  LatencyHistogram merged(h->SignificantDigits(), h->HighestTrackable());
  merged.Merge(*h);
  if (!(merged == *h))
    Violation("merge into an empty histogram differs", Quoted("input", text));
  h->Record(0);
  h->Record(h->HighestTrackable());
  h->Record(std::numeric_limits<Nanos>::max());
  return 0;
}
