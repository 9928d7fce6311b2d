// LatencyHistogram: a log-linear (HdrHistogram-style) histogram of durations in
// nanoseconds.
//
// - Range: 0 ns up to at least `highest_trackable_ns` (default one hour). Larger
//   values are clamped into the top bucket and counted by Saturated(); negative
//   values are recorded as 0. Min() and Max() are always exact.
// - Precision: `significant_digits` (1..5, default 3). Every percentile reported
//   lies within 10^-digits (relative) of the exact nearest-rank percentile of the
//   recorded samples; values below 2 * 10^digits are exact.
// - Memory: fixed at construction (about 270 KiB at the defaults) and independent
//   of how many samples are recorded. Record() never allocates and never throws.
// - Merge() is exact: merging histograms of parts gives a histogram equal
//   (operator==) to the one of the whole, including Mean() and StdDev(), which are
//   computed from exact 128-bit sums rather than from bucket midpoints.
// - Encode()/Decode() are a lossless compact text form (base64 of a run-length,
//   varint encoding) used by the JSON result and baseline files.
//
// Thread-safety: not synchronized. Use one histogram per thread and Merge() them
// at the end; const queries may run concurrently with each other.
//
// Example:
//   perfcheck::LatencyHistogram h;
//   h.Record(1'250'000);                       // 1.25 ms
//   perfcheck::Nanos p99 = h.Percentile(99.0);
#ifndef PERFCHECK_LATENCY_HISTOGRAM_H_
#define PERFCHECK_LATENCY_HISTOGRAM_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "perfcheck/clock.h"
#include "perfcheck/status.h"

namespace perfcheck {

class LatencyHistogram {
 public:
  static constexpr int kDefaultSignificantDigits = 3;
  static constexpr Nanos kDefaultHighestTrackable = 3'600'000'000'000;  // 1 h

  // Throws std::invalid_argument unless 1 <= significant_digits <= 5 and
  // highest_trackable_ns >= 2 * 10^significant_digits.
  explicit LatencyHistogram(
      int significant_digits = kDefaultSignificantDigits,
      Nanos highest_trackable_ns = kDefaultHighestTrackable);

  LatencyHistogram(const LatencyHistogram&) = default;
  LatencyHistogram(LatencyHistogram&&) noexcept = default;
  // Holds exactly what `other` holds afterwards: a copy of a decoded
  // histogram must not keep the capacity of a whole-range one it replaced
  // (std::vector's assignment would), or thousands of them cost 270 KB each.
  LatencyHistogram& operator=(const LatencyHistogram& other);
  LatencyHistogram& operator=(LatencyHistogram&&) noexcept = default;

  // Records `value_ns` once / `count` times. O(1), noexcept. Never allocates
  // on a histogram made by the constructor (it holds every bucket). One made
  // by Decode() holds only its non-empty buckets, so that the thousands of
  // runs of a baseline fit in memory; its first Record (or a Merge into it)
  // allocates the whole range once (std::terminate if that fails).
  void Record(Nanos value_ns) noexcept { RecordN(value_ns, 1); }
  void RecordN(Nanos value_ns, std::uint64_t count) noexcept;

  // Adds every sample of `other`. Throws std::invalid_argument when the two
  // histograms were built with different precision or range.
  void Merge(const LatencyHistogram& other);

  // Forgets all samples; keeps the configuration and the memory.
  void Clear() noexcept;

  std::uint64_t TotalCount() const { return total_; }
  // Samples that were above the trackable range and clamped into the top bucket.
  std::uint64_t Saturated() const { return saturated_; }
  // Exact smallest / largest recorded value; 0 when empty.
  Nanos Min() const { return total_ == 0 ? 0 : min_; }
  Nanos Max() const { return total_ == 0 ? 0 : max_; }
  // Exact arithmetic mean and population standard deviation in ns; 0 when empty.
  double Mean() const;
  double StdDev() const;

  // Nearest-rank percentile, `percent` in [0, 100] (std::invalid_argument
  // otherwise): the value of the sample at rank RankForPercentile(percent, n).
  // Percentile(0) == Min(), Percentile(100) == Max(); 0 when empty.
  Nanos Percentile(double percent) const;
  // The value of the sample at 1-based `rank` in sorted order (clamped to
  // [1, TotalCount()]), within the histogram's precision. 0 when empty.
  Nanos ValueAtRank(std::uint64_t rank) const;
  // The 1-based nearest rank of `percent` among `n` samples: the smallest k with
  // k / n >= percent / 100 (at least 1). Exposed so tests and statistics use
  // exactly the same convention.
  static std::uint64_t RankForPercentile(double percent, std::uint64_t n);

  int SignificantDigits() const { return significant_digits_; }
  Nanos HighestTrackable() const { return highest_trackable_; }
  // Bytes held by this histogram: constant for one made by the constructor,
  // 12 per non-empty bucket for one made by Decode() until it is changed.
  std::size_t MemoryBytes() const;

  // Lossless compact text form; Decode(Encode()) == *this.
  std::string Encode() const;
  // Parses Encode()'s output. The error message says what is wrong with it.
  static StatusOr<LatencyHistogram> Decode(std::string_view text);

  // Calls `fn(lowest_ns, highest_ns, count)` for every non-empty bucket, in
  // ascending order. For exporters (plots, CSV).
  template <class Fn>
  void ForEachBucket(Fn&& fn) const {
    ForEachNonEmpty([&](std::size_t index, std::uint64_t count) {
      const Nanos lo = ValueFromIndex(index);
      fn(lo, lo + EquivalentRangeSize(lo) - 1, count);
    });
  }

  friend bool operator==(const LatencyHistogram& a, const LatencyHistogram& b);

 private:
  // Without `with_buckets` no bucket is allocated (for Decode, which keeps
  // the non-empty ones in the sparse lists).
  LatencyHistogram(int significant_digits, Nanos highest_trackable_ns,
                   bool with_buckets);
  // Calls fn(bucket index, count) for every non-empty bucket, ascending.
  template <class Fn>
  void ForEachNonEmpty(Fn&& fn) const {
    for (std::size_t i = 0; i < counts_.size(); ++i) {
      if (counts_[i] != 0) fn(i, counts_[i]);
    }
    for (std::size_t i = 0; i < sparse_index_.size(); ++i) {
      fn(static_cast<std::size_t>(sparse_index_[i]), sparse_count_[i]);
    }
  }
  // Moves the sparse lists into counts_, which then holds every bucket.
  void Densify();
  std::size_t IndexOf(std::uint64_t value) const noexcept;
  Nanos ValueFromIndex(std::size_t index) const noexcept;
  Nanos EquivalentRangeSize(Nanos value) const noexcept;
  static bool SameBuckets(const LatencyHistogram& a, const LatencyHistogram& b);

  int significant_digits_;
  Nanos highest_trackable_;
  int sub_bucket_half_count_magnitude_;
  std::uint64_t sub_bucket_count_;
  std::uint64_t sub_bucket_half_count_;
  std::uint64_t sub_bucket_mask_;
  std::uint64_t top_value_;   // largest value that maps into a bucket
  std::size_t bucket_count_;  // buckets of the whole trackable range
  // Either counts_ holds every bucket (made by the constructor, or changed
  // since Decode) and the sparse lists are empty, or counts_ is empty and
  // the lists hold the non-empty buckets, ascending (made by Decode).
  std::vector<std::uint64_t> counts_;
  std::vector<std::uint32_t> sparse_index_;
  std::vector<std::uint64_t> sparse_count_;
  std::uint64_t total_ = 0;
  std::uint64_t saturated_ = 0;
  Nanos min_;
  Nanos max_ = 0;
  unsigned __int128 sum_ = 0;     // exact sum of recorded values
  unsigned __int128 sum_sq_ = 0;  // exact sum of squares
};

}  // namespace perfcheck

#endif  // PERFCHECK_LATENCY_HISTOGRAM_H_
