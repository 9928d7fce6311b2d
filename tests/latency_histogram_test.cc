#include "perfcheck/latency_histogram.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdlib>
#include <new>
#include <random>
#include <vector>

// Counts heap allocations so the test can prove Record() never allocates.
namespace {
std::atomic<long> g_allocations{0};
}  // namespace
// g++ cannot see that this operator new and the operator delete below pair
// malloc with free; the mismatch warning is a false positive here.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
void* operator new(std::size_t n) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace perfcheck {
namespace {

const double kPercents[] = {0,    1,    10,    25,     50,    75,  90,
                            95,   99,   99.5,  99.9,   99.99, 100, 33.3,
                            66.7, 12.5, 87.25, 99.999, 0.001};

// Every percentile of the histogram within 0.1% of the exact nearest-rank
// value.
void ExpectPercentilesMatch(std::vector<Nanos> values, const char* what) {
  LatencyHistogram h;
  for (Nanos v : values) h.Record(v);
  std::sort(values.begin(), values.end());
  ASSERT_EQ(h.TotalCount(), values.size());
  EXPECT_EQ(h.Min(), values.front()) << what;
  EXPECT_EQ(h.Max(), values.back()) << what;
  for (double p : kPercents) {
    const std::uint64_t rank =
        LatencyHistogram::RankForPercentile(p, values.size());
    const double exact = static_cast<double>(values[rank - 1]);
    const double got = static_cast<double>(h.Percentile(p));
    EXPECT_LE(std::abs(got - exact), exact * 0.001)
        << what << " p" << p << " exact=" << exact << " got=" << got;
  }
  // Every rank, not only the usual percentiles (a stride keeps it quick).
  for (std::uint64_t rank = 1; rank <= values.size(); rank += 97) {
    const double exact = static_cast<double>(values[rank - 1]);
    EXPECT_LE(std::abs(static_cast<double>(h.ValueAtRank(rank)) - exact),
              exact * 0.001)
        << what << " rank " << rank;
  }
  double sum = 0;
  for (Nanos v : values) sum += static_cast<double>(v);
  EXPECT_NEAR(h.Mean(), sum / values.size(), 1e-9 * sum / values.size())
      << what;
}

TEST(LatencyHistogramTest, UniformMatchesExactPercentiles) {
  std::mt19937_64 rng(1);
  std::uniform_int_distribution<Nanos> d(1, 50'000'000);
  std::vector<Nanos> v(200'000);
  for (auto& x : v) x = d(rng);
  ExpectPercentilesMatch(v, "uniform");
}

TEST(LatencyHistogramTest, LogNormalMatchesExactPercentiles) {
  std::mt19937_64 rng(2);
  std::lognormal_distribution<double> d(std::log(2e6), 1.0);  // ~2 ms median
  std::vector<Nanos> v(200'000);
  for (auto& x : v) x = static_cast<Nanos>(d(rng)) + 1;
  ExpectPercentilesMatch(v, "lognormal");
}

TEST(LatencyHistogramTest, BimodalMatchesExactPercentiles) {
  std::mt19937_64 rng(3);
  std::normal_distribution<double> fast(200'000, 20'000);        // 200 us
  std::normal_distribution<double> slow(80'000'000, 5'000'000);  // 80 ms
  std::bernoulli_distribution is_slow(0.07);
  std::vector<Nanos> v(200'000);
  for (auto& x : v) {
    x = std::max<Nanos>(
        1, static_cast<Nanos>(is_slow(rng) ? slow(rng) : fast(rng)));
  }
  ExpectPercentilesMatch(v, "bimodal");
}

TEST(LatencyHistogramTest, AllEqualIsExact) {
  std::vector<Nanos> v(10'000, 123'456'789);
  ExpectPercentilesMatch(v, "all-equal");
  LatencyHistogram h;
  for (Nanos x : v) h.Record(x);
  for (double p : kPercents) EXPECT_EQ(h.Percentile(p), 123'456'789) << p;
  EXPECT_DOUBLE_EQ(h.StdDev(), 0.0);
}

TEST(LatencyHistogramTest, HugeOutlier) {
  std::vector<Nanos> v(100'000, 1'000);
  v.push_back(3'000'000'000'000);  // 50 minutes among 1 us values
  ExpectPercentilesMatch(v, "huge-outlier");
  LatencyHistogram h;
  for (Nanos x : v) h.Record(x);
  EXPECT_EQ(h.Percentile(99.999), 1'000);
  EXPECT_EQ(h.Max(), 3'000'000'000'000);
}

TEST(LatencyHistogramTest, SmallValuesAreExact) {
  LatencyHistogram h;
  for (Nanos v = 0; v < 2048; ++v) h.Record(v);
  for (std::uint64_t rank = 1; rank <= 2048; ++rank) {
    EXPECT_EQ(h.ValueAtRank(rank), static_cast<Nanos>(rank - 1));
  }
}

TEST(LatencyHistogramTest, RangeCoversOneHourAndSaturatesAbove) {
  LatencyHistogram h;
  const Nanos hour = 3'600'000'000'000;
  h.Record(hour);
  EXPECT_EQ(h.Saturated(), 0u);
  EXPECT_EQ(h.Percentile(50), hour);
  h.Record(std::numeric_limits<Nanos>::max());
  EXPECT_EQ(h.Saturated(), 1u);
  EXPECT_EQ(h.Max(), std::numeric_limits<Nanos>::max());
  h.Record(-5);  // a clock that went backwards counts as 0
  EXPECT_EQ(h.Min(), 0);
}

TEST(LatencyHistogramTest, MeanAndStdDevAreExact) {
  LatencyHistogram h;
  for (Nanos v : {2, 4, 4, 4, 5, 5, 7, 9}) h.Record(v * 1'000'003);
  EXPECT_DOUBLE_EQ(h.Mean(), 5 * 1'000'003.0);
  EXPECT_NEAR(h.StdDev(), 2 * 1'000'003.0, 1e-3);
}

TEST(LatencyHistogramTest, EmptyHistogram) {
  LatencyHistogram h;
  EXPECT_EQ(h.TotalCount(), 0u);
  EXPECT_EQ(h.Percentile(99), 0);
  EXPECT_EQ(h.Min(), 0);
  EXPECT_EQ(h.Max(), 0);
  EXPECT_EQ(h.Mean(), 0);
}

TEST(LatencyHistogramTest, MergeIsExact) {
  std::mt19937_64 rng(4);
  std::lognormal_distribution<double> d(std::log(5e5), 1.5);
  LatencyHistogram whole;
  std::vector<LatencyHistogram> parts(7);
  for (int i = 0; i < 300'000; ++i) {
    const auto v = static_cast<Nanos>(d(rng));
    whole.Record(v);
    parts[i % parts.size()].Record(v);
  }
  LatencyHistogram merged;
  for (const auto& p : parts) merged.Merge(p);
  EXPECT_EQ(merged, whole);
  EXPECT_EQ(merged.Percentile(99.9), whole.Percentile(99.9));
  EXPECT_EQ(merged.Mean(), whole.Mean());
  EXPECT_EQ(merged.StdDev(), whole.StdDev());
  // Merge order does not matter either.
  LatencyHistogram reversed;
  for (auto it = parts.rbegin(); it != parts.rend(); ++it) reversed.Merge(*it);
  EXPECT_EQ(reversed, whole);
}

TEST(LatencyHistogramTest, MergeRejectsDifferentConfiguration) {
  LatencyHistogram a(3), b(2);
  EXPECT_THROW(a.Merge(b), std::invalid_argument);
}

TEST(LatencyHistogramTest, InvalidConstructionAndQueriesThrow) {
  EXPECT_THROW(LatencyHistogram(0), std::invalid_argument);
  EXPECT_THROW(LatencyHistogram(6), std::invalid_argument);
  EXPECT_THROW(LatencyHistogram(3, 100), std::invalid_argument);
  LatencyHistogram h;
  EXPECT_THROW(h.Percentile(-1), std::invalid_argument);
  EXPECT_THROW(h.Percentile(100.5), std::invalid_argument);
  EXPECT_THROW(h.Percentile(std::nan("")), std::invalid_argument);
}

TEST(LatencyHistogramTest, EncodeDecodeRoundTripIsLosslessAndCompact) {
  std::mt19937_64 rng(5);
  std::lognormal_distribution<double> d(std::log(1e6), 1.0);
  LatencyHistogram h;
  for (int i = 0; i < 1'000'000; ++i) h.Record(static_cast<Nanos>(d(rng)));
  h.Record(std::numeric_limits<Nanos>::max());
  const std::string text = h.Encode();
  auto back = LatencyHistogram::Decode(text);
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(*back, h);
  EXPECT_EQ(back->Encode(), text);
  // A million samples in a few KiB: the form is sparse, not a count dump.
  EXPECT_LT(text.size(), 40'000u);

  LatencyHistogram empty(2, 1'000'000);
  auto empty_back = LatencyHistogram::Decode(empty.Encode());
  ASSERT_TRUE(empty_back.ok());
  EXPECT_EQ(*empty_back, empty);
  EXPECT_EQ(empty_back->SignificantDigits(), 2);
}

TEST(LatencyHistogramTest, DecodeRejectsDamagedInput) {
  LatencyHistogram h;
  for (int i = 1; i < 1000; ++i) h.Record(i * 1000);
  const std::string good = h.Encode();
  for (const std::string& bad :
       {std::string(""), std::string("!!!!"), std::string("abc"),
        good.substr(0, good.size() / 2 / 4 * 4), std::string("QUFBQQ==")}) {
    auto r = LatencyHistogram::Decode(bad);
    ASSERT_FALSE(r.ok()) << "accepted: " << bad;
    EXPECT_NE(r.status().message().find("bad histogram encoding"),
              std::string::npos);
  }
  // A flipped character that still decodes as base64 must not give a
  // different histogram silently: either an error or a changed count check.
  std::string flipped = good;
  flipped[flipped.size() / 2] = flipped[flipped.size() / 2] == 'A' ? 'B' : 'A';
  auto r = LatencyHistogram::Decode(flipped);
  if (r.ok()) {
    EXPECT_NE(*r, h);
  }
}

// Found by fuzz/histogram_decode_fuzzer (fuzz/regressions/histogram_decode/):
// sums no sequence of Record() can give were accepted, so Mean() could lie
// outside [Min(), Max()] and merging an empty histogram dropped its sum.
// A range too small for the precision is a bad encoding, named in the
// encoding's terms (not the constructor's parameter names).
TEST(LatencyHistogramTest, DecodeRejectsARangeTooSmallForThePrecision) {
  // Empty, 3 significant digits, highest trackable 100 ns (< 2000).
  auto r = LatencyHistogram::Decode("SAEDZAAAAAAAAAAA");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "bad histogram encoding: highest trackable value 100 ns is below "
            "2000, the least for 3 significant digits");
}

TEST(LatencyHistogramTest, DecodeRejectsSumsInconsistentWithTheSamples) {
  // One sample of 1000 ns (3 digits): sum 1000, sum of squares 10^6.
  auto one = LatencyHistogram::Decode("SAEDgMDiheNoAQDoB+gH6AcAwIQ9AOgHAQ==");
  ASSERT_TRUE(one.ok()) << one.status().message();
  EXPECT_EQ(one->Mean(), 1000.0);
  // The same with sum 5, and an empty histogram with sum 7.
  for (const char* bad :
       {"SAEDgMDiheNoAQDoB+gHBQDAhD0A6AcB", "SAEDgMDiheNoAAAAAAcAMQA="}) {
    auto r = LatencyHistogram::Decode(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().message(),
              "bad histogram encoding: sum of samples inconsistent with "
              "count, min and max");
  }
}

TEST(LatencyHistogramTest, MemoryIsFixedAndRecordNeverAllocates) {
  LatencyHistogram h;
  const std::size_t before = h.MemoryBytes();
  EXPECT_LT(before, 400u * 1024);
  std::mt19937_64 rng(6);
  std::uniform_int_distribution<Nanos> d(0, 3'600'000'000'000);
  std::vector<Nanos> values(1 << 16);
  for (auto& v : values) v = d(rng);
  const long allocations = g_allocations.load();
  for (int i = 0; i < 10'000'000; ++i) h.Record(values[i & 0xffff]);
  EXPECT_EQ(g_allocations.load(), allocations);
  EXPECT_EQ(h.MemoryBytes(), before);
  EXPECT_EQ(h.TotalCount(), 10'000'000u);
}

// A baseline holds thousands of decoded runs: each must cost its non-empty
// buckets, not the ~270 KB of the whole one-hour range.
TEST(LatencyHistogramTest, DecodedHistogramHoldsOnlyItsNonEmptyBuckets) {
  LatencyHistogram recorded;
  for (Nanos v = 40'000; v <= 60'000; v += 7) recorded.Record(v);
  recorded.Record(3'000'000'000);  // an outlier far away costs one bucket
  std::size_t non_empty = 0;
  recorded.ForEachBucket([&](Nanos, Nanos, std::uint64_t) { ++non_empty; });
  const StatusOr<LatencyHistogram> decoded =
      LatencyHistogram::Decode(recorded.Encode());
  ASSERT_TRUE(decoded.ok()) << decoded.status().message();
  EXPECT_LE(decoded->MemoryBytes(), sizeof(LatencyHistogram) + non_empty * 12)
      << non_empty << " buckets";
  EXPECT_GT(recorded.MemoryBytes(), 200u * 1024);
  EXPECT_EQ(*decoded, recorded);
  EXPECT_EQ(decoded->Encode(), recorded.Encode());
  for (double p : {1.0, 50.0, 95.0, 99.9}) {
    EXPECT_EQ(decoded->Percentile(p), recorded.Percentile(p)) << p;
  }
  std::vector<std::uint64_t> a, b;
  recorded.ForEachBucket([&](Nanos lo, Nanos, std::uint64_t c) {
    a.push_back(static_cast<std::uint64_t>(lo));
    a.push_back(c);
  });
  decoded->ForEachBucket([&](Nanos lo, Nanos, std::uint64_t c) {
    b.push_back(static_cast<std::uint64_t>(lo));
    b.push_back(c);
  });
  EXPECT_EQ(a, b);

  const StatusOr<LatencyHistogram> empty =
      LatencyHistogram::Decode(LatencyHistogram().Encode());
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->MemoryBytes(), sizeof(LatencyHistogram));
  EXPECT_EQ(*empty, LatencyHistogram());
}

TEST(LatencyHistogramTest, DecodedHistogramRecordsAndMerges) {
  LatencyHistogram low, high, expected;
  for (Nanos v = 100; v < 200; ++v) {
    low.Record(v);
    expected.Record(v);
  }
  for (Nanos v = 5'000'000; v < 5'001'000; v += 10) {
    high.Record(v);
    expected.Record(v);
  }
  // Decoded histograms merge in both orders, into either kind of histogram.
  LatencyHistogram a = *LatencyHistogram::Decode(low.Encode());
  a.Merge(*LatencyHistogram::Decode(high.Encode()));
  EXPECT_EQ(a, expected);
  LatencyHistogram b = *LatencyHistogram::Decode(high.Encode());
  b.Merge(*LatencyHistogram::Decode(low.Encode()));
  EXPECT_EQ(b, expected);
  LatencyHistogram c = low;
  c.Merge(*LatencyHistogram::Decode(high.Encode()));
  EXPECT_EQ(c, expected);

  // Recording below, inside and above its buckets, and into an empty one.
  LatencyHistogram d = *LatencyHistogram::Decode(high.Encode());
  LatencyHistogram e = high;
  for (Nanos v : {Nanos{1}, Nanos{5'000'500}, Nanos{3'600'000'000'000},
                  Nanos{7'200'000'000'000}}) {
    d.Record(v);
    e.Record(v);
  }
  EXPECT_EQ(d, e);
  EXPECT_EQ(d.Encode(), e.Encode());
  EXPECT_EQ(d.Saturated(), 1u);
  LatencyHistogram f = *LatencyHistogram::Decode(LatencyHistogram().Encode());
  f.Record(42);
  LatencyHistogram g;
  g.Record(42);
  EXPECT_EQ(f, g);
  f.Clear();
  EXPECT_EQ(f, LatencyHistogram());
}

TEST(LatencyHistogramTest, ClearKeepsConfiguration) {
  LatencyHistogram h(4);
  h.Record(42);
  h.Clear();
  EXPECT_EQ(h, LatencyHistogram(4));
}

TEST(LatencyHistogramTest, ForEachBucketCoversAllSamples) {
  LatencyHistogram h;
  for (Nanos v : {5, 5000, 5'000'000, 5'000'001}) h.Record(v);
  std::uint64_t n = 0;
  Nanos last_high = -1;
  h.ForEachBucket([&](Nanos lo, Nanos hi, std::uint64_t count) {
    EXPECT_GT(lo, last_high);
    EXPECT_LE(lo, hi);
    last_high = hi;
    n += count;
  });
  EXPECT_EQ(n, 4u);
}

}  // namespace
}  // namespace perfcheck
