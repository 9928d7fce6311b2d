#include "perfcheck/latency_histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <optional>
#include <stdexcept>

#include "core/base64.h"

namespace perfcheck {
namespace {

constexpr char kMagic = 'H';
constexpr std::uint64_t kEncodingVersion = 1;

void PutVarint(std::string& out, std::uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

bool GetVarint(std::string_view& in, std::uint64_t* v) {
  std::uint64_t result = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (in.empty()) return false;
    const auto byte = static_cast<unsigned char>(in.front());
    in.remove_prefix(1);
    result |= static_cast<std::uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) {
      *v = result;
      return true;
    }
  }
  return false;
}


void PutU128(std::string& out, unsigned __int128 v) {
  PutVarint(out, static_cast<std::uint64_t>(v));
  PutVarint(out, static_cast<std::uint64_t>(v >> 64));
}

bool GetU128(std::string_view& in, unsigned __int128* v) {
  std::uint64_t lo = 0, hi = 0;
  if (!GetVarint(in, &lo) || !GetVarint(in, &hi)) return false;
  *v = (static_cast<unsigned __int128>(hi) << 64) | lo;
  return true;
}

}  // namespace

LatencyHistogram::LatencyHistogram(int significant_digits,
                                   Nanos highest_trackable_ns)
    : LatencyHistogram(significant_digits, highest_trackable_ns,
                       /*with_buckets=*/true) {}

LatencyHistogram::LatencyHistogram(int significant_digits,
                                   Nanos highest_trackable_ns,
                                   bool with_buckets)
    : significant_digits_(significant_digits),
      highest_trackable_(highest_trackable_ns),
      min_(std::numeric_limits<Nanos>::max()) {
  if (significant_digits < 1 || significant_digits > 5) {
    throw std::invalid_argument(
        "LatencyHistogram: significant_digits must be in 1..5, got " +
        std::to_string(significant_digits));
  }
  std::uint64_t single_unit_range = 2;
  for (int i = 0; i < significant_digits; ++i) single_unit_range *= 10;
  if (highest_trackable_ns < static_cast<Nanos>(single_unit_range)) {
    throw std::invalid_argument(
        "LatencyHistogram: highest_trackable_ns must be >= " +
        std::to_string(single_unit_range) + ", got " +
        std::to_string(highest_trackable_ns));
  }
  // Sub-buckets: the smallest power of two that resolves single units up to
  // 2 * 10^digits, which bounds the relative error by 10^-digits.
  const int sub_bucket_count_magnitude =
      static_cast<int>(std::bit_width(single_unit_range - 1));
  sub_bucket_half_count_magnitude_ =
      std::max(sub_bucket_count_magnitude, 1) - 1;
  sub_bucket_count_ = std::uint64_t{1}
                      << (sub_bucket_half_count_magnitude_ + 1);
  sub_bucket_half_count_ = sub_bucket_count_ / 2;
  sub_bucket_mask_ = sub_bucket_count_ - 1;

  std::uint64_t smallest_untrackable = sub_bucket_count_;
  int buckets = 1;
  while (smallest_untrackable <=
         static_cast<std::uint64_t>(highest_trackable_ns)) {
    smallest_untrackable <<= 1;
    ++buckets;
  }
  top_value_ = (sub_bucket_count_ << (buckets - 1)) - 1;
  bucket_count_ =
      static_cast<std::size_t>(buckets + 1) * sub_bucket_half_count_;
  if (with_buckets) counts_.assign(bucket_count_, 0);
}

LatencyHistogram& LatencyHistogram::operator=(const LatencyHistogram& other) {
  if (this != &other) *this = LatencyHistogram(other);
  return *this;
}

void LatencyHistogram::Densify() {
  counts_.assign(bucket_count_, 0);
  for (std::size_t i = 0; i < sparse_index_.size(); ++i) {
    counts_[sparse_index_[i]] = sparse_count_[i];
  }
  sparse_index_ = {};
  sparse_count_ = {};
}

std::size_t LatencyHistogram::IndexOf(std::uint64_t value) const noexcept {
  const int bucket = 64 - std::countl_zero(value | sub_bucket_mask_) -
                     (sub_bucket_half_count_magnitude_ + 1);
  const std::uint64_t sub_bucket = value >> bucket;
  return (static_cast<std::size_t>(bucket + 1)
          << sub_bucket_half_count_magnitude_) +
         (sub_bucket - sub_bucket_half_count_);
}

Nanos LatencyHistogram::ValueFromIndex(std::size_t index) const noexcept {
  int bucket = static_cast<int>(index >> sub_bucket_half_count_magnitude_) - 1;
  std::uint64_t sub_bucket =
      (index & (sub_bucket_half_count_ - 1)) + sub_bucket_half_count_;
  if (bucket < 0) {
    sub_bucket -= sub_bucket_half_count_;
    bucket = 0;
  }
  return static_cast<Nanos>(sub_bucket << bucket);
}

Nanos LatencyHistogram::EquivalentRangeSize(Nanos value) const noexcept {
  const auto v = static_cast<std::uint64_t>(value);
  const int bucket = 64 - std::countl_zero(v | sub_bucket_mask_) -
                     (sub_bucket_half_count_magnitude_ + 1);
  return Nanos{1} << bucket;
}

void LatencyHistogram::RecordN(Nanos value_ns, std::uint64_t count) noexcept {
  if (count == 0) return;
  const std::uint64_t value =
      value_ns < 0 ? 0 : static_cast<std::uint64_t>(value_ns);
  std::uint64_t bucket_value = value;
  if (value > top_value_) {
    bucket_value = top_value_;
    saturated_ += count;
  }
  const std::size_t slot = IndexOf(bucket_value);
  // Only a histogram made by Decode() and not changed since has no buckets.
  if (slot >= counts_.size()) [[unlikely]]
    Densify();
  counts_[slot] += count;
  total_ += count;
  const auto v = static_cast<Nanos>(value);
  min_ = std::min(min_, v);
  max_ = std::max(max_, v);
  sum_ += static_cast<unsigned __int128>(value) * count;
  sum_sq_ += static_cast<unsigned __int128>(value) * value * count;
}

void LatencyHistogram::Merge(const LatencyHistogram& other) {
  if (other.significant_digits_ != significant_digits_ ||
      other.bucket_count_ != bucket_count_) {
    throw std::invalid_argument(
        "LatencyHistogram::Merge: histograms differ in precision or range (" +
        std::to_string(significant_digits_) + " digits/" +
        std::to_string(highest_trackable_) + " ns vs " +
        std::to_string(other.significant_digits_) + " digits/" +
        std::to_string(other.highest_trackable_) + " ns)");
  }
  if (other.total_ == 0) return;
  if (counts_.empty()) Densify();
  other.ForEachNonEmpty([this](std::size_t index, std::uint64_t count) {
    counts_[index] += count;
  });
  total_ += other.total_;
  saturated_ += other.saturated_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
  sum_ += other.sum_;
  sum_sq_ += other.sum_sq_;
}

void LatencyHistogram::Clear() noexcept {
  std::fill(counts_.begin(), counts_.end(), 0);
  sparse_index_.clear();
  sparse_count_.clear();
  total_ = 0;
  saturated_ = 0;
  min_ = std::numeric_limits<Nanos>::max();
  max_ = 0;
  sum_ = 0;
  sum_sq_ = 0;
}

double LatencyHistogram::Mean() const {
  if (total_ == 0) return 0;
  return static_cast<double>(static_cast<long double>(sum_) / total_);
}

double LatencyHistogram::StdDev() const {
  if (total_ == 0) return 0;
  const long double n = total_;
  const long double mean = static_cast<long double>(sum_) / n;
  const long double var = static_cast<long double>(sum_sq_) / n - mean * mean;
  return var <= 0 ? 0.0 : static_cast<double>(std::sqrt(var));
}

std::uint64_t LatencyHistogram::RankForPercentile(double percent,
                                                  std::uint64_t n) {
  if (n == 0) return 0;
  const long double exact = static_cast<long double>(percent) / 100.0L * n;
  // percent is a binary double (99.9 is not exact); the relative slack keeps
  // e.g. 99.9% of 1000 at rank 999 instead of 1000.
  const long double slack = std::max<long double>(1, exact) * 1e-12L;
  auto rank = static_cast<std::uint64_t>(std::ceil(exact - slack));
  return std::clamp<std::uint64_t>(rank, 1, n);
}

Nanos LatencyHistogram::Percentile(double percent) const {
  if (!(percent >= 0.0 && percent <= 100.0)) {
    throw std::invalid_argument(
        "LatencyHistogram::Percentile: percent must be in [0, 100], got " +
        std::to_string(percent));
  }
  if (total_ == 0) return 0;
  if (percent == 0.0) return min_;
  if (percent == 100.0) return max_;
  return ValueAtRank(RankForPercentile(percent, total_));
}

Nanos LatencyHistogram::ValueAtRank(std::uint64_t rank) const {
  if (total_ == 0) return 0;
  rank = std::clamp<std::uint64_t>(rank, 1, total_);
  if (rank == 1) return min_;
  if (rank == total_) return max_;
  auto at = [&](std::size_t index) {
    const Nanos lowest = ValueFromIndex(index);
    // The middle of the bucket halves the worst-case error of either edge.
    const Nanos middle = lowest + EquivalentRangeSize(lowest) / 2;
    return std::clamp(middle, min_, max_);
  };
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < counts_.size(); ++i) {
    seen += counts_[i];
    if (seen >= rank) return at(i);
  }
  for (std::size_t i = 0; i < sparse_index_.size(); ++i) {
    seen += sparse_count_[i];
    if (seen >= rank) return at(sparse_index_[i]);
  }
  return max_;
}

std::size_t LatencyHistogram::MemoryBytes() const {
  return sizeof(*this) + counts_.capacity() * sizeof(std::uint64_t) +
         sparse_index_.capacity() * sizeof(std::uint32_t) +
         sparse_count_.capacity() * sizeof(std::uint64_t);
}

std::string LatencyHistogram::Encode() const {
  std::string bytes;
  bytes.push_back(kMagic);
  PutVarint(bytes, kEncodingVersion);
  PutVarint(bytes, static_cast<std::uint64_t>(significant_digits_));
  PutVarint(bytes, static_cast<std::uint64_t>(highest_trackable_));
  PutVarint(bytes, total_);
  PutVarint(bytes, saturated_);
  PutVarint(bytes, static_cast<std::uint64_t>(Min()));
  PutVarint(bytes, static_cast<std::uint64_t>(Max()));
  PutU128(bytes, sum_);
  PutU128(bytes, sum_sq_);
  // Non-empty buckets as (number of empty buckets skipped, count) pairs.
  std::size_t next = 0;  // the bucket after the last one written
  ForEachNonEmpty([&](std::size_t index, std::uint64_t count) {
    PutVarint(bytes, index - next);
    PutVarint(bytes, count);
    next = index + 1;
  });
  return internal::Base64Encode(bytes);
}

StatusOr<LatencyHistogram> LatencyHistogram::Decode(std::string_view text) {
  auto fail = [](const std::string& why) {
    return Status::Error("bad histogram encoding: " + why);
  };
  std::string bytes;
  if (!internal::Base64Decode(text, &bytes)) return fail("not valid base64");
  std::string_view in(bytes);
  if (in.empty() || in.front() != kMagic) return fail("missing header");
  in.remove_prefix(1);
  std::uint64_t version = 0, digits = 0, highest = 0, total = 0, saturated = 0,
                min = 0, max = 0;
  unsigned __int128 sum = 0, sum_sq = 0;
  if (!GetVarint(in, &version)) return fail("truncated header");
  if (version != kEncodingVersion) {
    return fail("unsupported version " + std::to_string(version));
  }
  if (!GetVarint(in, &digits) || !GetVarint(in, &highest) ||
      !GetVarint(in, &total) || !GetVarint(in, &saturated) ||
      !GetVarint(in, &min) || !GetVarint(in, &max) || !GetU128(in, &sum) ||
      !GetU128(in, &sum_sq)) {
    return fail("truncated header");
  }
  if (digits < 1 || digits > 5 ||
      highest > static_cast<std::uint64_t>(std::numeric_limits<Nanos>::max())) {
    return fail("invalid precision or range");
  }
  // The constructor's own range rule, checked here: a bad encoding is
  // expected input, not a programming error.
  std::uint64_t single_unit_range = 2;
  for (std::uint64_t i = 0; i < digits; ++i) single_unit_range *= 10;
  if (highest < single_unit_range) {
    return fail("highest trackable value " + std::to_string(highest) +
                " ns is below " + std::to_string(single_unit_range) +
                ", the least for " + std::to_string(digits) +
                " significant digits");
  }
  std::optional<LatencyHistogram> h;
  h.emplace(LatencyHistogram(static_cast<int>(digits),
                             static_cast<Nanos>(highest),
                             /*with_buckets=*/false));
  // Two passes over the bucket list: the first checks it and counts the
  // buckets, so the sparse lists are allocated once at their exact size.
  const std::string_view buckets = in;
  std::uint64_t index = 0, counted = 0;
  std::size_t non_empty = 0;
  while (!in.empty()) {
    std::uint64_t skip = 0, count = 0;
    if (!GetVarint(in, &skip) || !GetVarint(in, &count)) {
      return fail("truncated bucket list");
    }
    if (count == 0) return fail("empty bucket in bucket list");
    if (skip >= h->bucket_count_ || index + skip >= h->bucket_count_) {
      return fail("bucket index out of range");
    }
    index += skip;
    if (counted + count < counted) return fail("bucket counts overflow");
    counted += count;
    ++non_empty;
    ++index;
  }
  h->sparse_index_.reserve(non_empty);
  h->sparse_count_.reserve(non_empty);
  in = buckets;
  index = 0;
  while (!in.empty()) {
    std::uint64_t skip = 0, count = 0;
    GetVarint(in, &skip);  // checked by the first pass
    GetVarint(in, &count);
    index += skip;
    h->sparse_index_.push_back(static_cast<std::uint32_t>(index));
    h->sparse_count_.push_back(count);
    ++index;
  }
  if (counted != total) {
    return fail("bucket counts add up to " + std::to_string(counted) +
                ", header says " + std::to_string(total));
  }
  if (saturated > total) return fail("more saturated samples than samples");
  if (total > 0 && min > max) return fail("min > max");
  const auto limit =
      static_cast<std::uint64_t>(std::numeric_limits<Nanos>::max());
  if (min > limit || max > limit) return fail("min/max out of range");
  // Each sample adds itself to the sum, so the sum lies in count x [min,
  // max] (0 for no samples); outside it, Mean() would be outside [Min(),
  // Max()] and merging would not add up.
  using Sum = unsigned __int128;
  if (total == 0 ? sum != 0 || sum_sq != 0
                 : sum < Sum{min} * total || sum > Sum{max} * total) {
    return fail("sum of samples inconsistent with count, min and max");
  }
  h->total_ = total;
  h->saturated_ = saturated;
  if (total > 0) {
    h->min_ = static_cast<Nanos>(min);
    h->max_ = static_cast<Nanos>(max);
  }
  h->sum_ = sum;
  h->sum_sq_ = sum_sq;
  return std::move(*h);
}

// Equal when every bucket is: a recorded histogram holds every bucket, its
// decoded copy only the non-empty ones.
bool LatencyHistogram::SameBuckets(const LatencyHistogram& a,
                                   const LatencyHistogram& b) {
  std::vector<std::pair<std::size_t, std::uint64_t>> x, y;
  a.ForEachNonEmpty(
      [&x](std::size_t i, std::uint64_t c) { x.emplace_back(i, c); });
  b.ForEachNonEmpty(
      [&y](std::size_t i, std::uint64_t c) { y.emplace_back(i, c); });
  return x == y;
}

bool operator==(const LatencyHistogram& a, const LatencyHistogram& b) {
  return a.significant_digits_ == b.significant_digits_ &&
         a.highest_trackable_ == b.highest_trackable_ && a.total_ == b.total_ &&
         a.saturated_ == b.saturated_ && a.Min() == b.Min() &&
         a.Max() == b.Max() && a.sum_ == b.sum_ && a.sum_sq_ == b.sum_sq_ &&
         a.bucket_count_ == b.bucket_count_ &&
         LatencyHistogram::SameBuckets(a, b);
}

}  // namespace perfcheck
