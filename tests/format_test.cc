#include "perfcheck/format.h"

#include <gtest/gtest.h>

#include <limits>

namespace perfcheck {
namespace {

TEST(FormatNanosTest, DocumentedExamples) {
  EXPECT_EQ(FormatNanos(1'234'567), "1.23 ms");
  EXPECT_EQ(FormatNanos(950), "950 ns");
}

TEST(FormatNanosTest, IntegersBelowAMicrosecondAreExact) {
  EXPECT_EQ(FormatNanos(0), "0 ns");
  EXPECT_EQ(FormatNanos(1), "1 ns");
  EXPECT_EQ(FormatNanos(42), "42 ns");
  EXPECT_EQ(FormatNanos(999), "999 ns");
}

TEST(FormatNanosTest, ThreeSignificantDigitsInTheLargestUnit) {
  EXPECT_EQ(FormatNanos(1'000), "1 us");
  EXPECT_EQ(FormatNanos(1'500), "1.5 us");
  EXPECT_EQ(FormatNanos(12'345), "12.3 us");
  EXPECT_EQ(FormatNanos(123'456), "123 us");
  EXPECT_EQ(FormatNanos(2'000'000), "2 ms");
  EXPECT_EQ(FormatNanos(12'340'000), "12.3 ms");
  EXPECT_EQ(FormatNanos(500'000'000), "500 ms");
  EXPECT_EQ(FormatNanos(1'000'000'000), "1 s");
  EXPECT_EQ(FormatNanos(2'500'000'000), "2.5 s");
  EXPECT_EQ(FormatNanos(60'000'000'000), "60 s");
}

TEST(FormatNanosTest, SecondsIsTheLargestUnit) {
  EXPECT_EQ(FormatNanos(3'600'000'000'000), "3600 s");
  EXPECT_EQ(FormatNanos(1'234'500'000'000), "1234 s");
}

TEST(FormatNanosTest, RoundingUpMovesToTheNextUnit) {
  EXPECT_EQ(FormatNanos(999'999), "1 ms");
  EXPECT_EQ(FormatNanos(999'700), "1 ms");
  EXPECT_EQ(FormatNanos(999'499'999), "999 ms");
  EXPECT_EQ(FormatNanos(999.7), "1 us");
  EXPECT_EQ(FormatNanos(9'999), "10 us");
  EXPECT_EQ(FormatNanos(99'960), "100 us");
}

TEST(FormatNanosTest, FractionsAndNegatives) {
  EXPECT_EQ(FormatNanos(12.5), "12.5 ns");
  EXPECT_EQ(FormatNanos(1.234), "1.23 ns");
  EXPECT_EQ(FormatNanos(-1'234'567), "-1.23 ms");
  EXPECT_EQ(FormatNanos(-0.0001), "0 ns");
}

TEST(FormatNanosTest, NonFinite) {
  EXPECT_EQ(FormatNanos(std::numeric_limits<double>::quiet_NaN()), "nan");
  EXPECT_EQ(FormatNanos(std::numeric_limits<double>::infinity()), "inf");
  EXPECT_EQ(FormatNanos(-std::numeric_limits<double>::infinity()), "-inf");
}

TEST(FormatRateTest, OneDecimal) {
  EXPECT_EQ(FormatRate(1234.5), "1234.5/s");
  EXPECT_EQ(FormatRate(50), "50.0/s");
  EXPECT_EQ(FormatRate(0), "0.0/s");
  EXPECT_EQ(FormatRate(0.04), "0.0/s");
  EXPECT_EQ(FormatRate(99.96), "100.0/s");
  EXPECT_EQ(FormatRate(std::numeric_limits<double>::infinity()), "inf/s");
}

TEST(FormatPercentTest, UpToTwoDecimals) {
  EXPECT_EQ(FormatPercent(0.0123), "1.23%");
  EXPECT_EQ(FormatPercent(0), "0%");
  EXPECT_EQ(FormatPercent(0.015), "1.5%");
  EXPECT_EQ(FormatPercent(0.1235), "12.35%");
  EXPECT_EQ(FormatPercent(0.1), "10%");
  EXPECT_EQ(FormatPercent(1), "100%");
  EXPECT_EQ(FormatPercent(0.00001), "0%");
  EXPECT_EQ(FormatPercent(-0.05), "-5%");
  EXPECT_EQ(FormatPercent(std::numeric_limits<double>::quiet_NaN()), "nan%");
}

}  // namespace
}  // namespace perfcheck
