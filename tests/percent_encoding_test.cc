#include "perfcheck/percent_encoding.h"

#include <gtest/gtest.h>

#include <string>

namespace perfcheck {
namespace {

TEST(PercentEncodingTest, HexDigits) {
  EXPECT_EQ(HexDigitValue('0'), 0);
  EXPECT_EQ(HexDigitValue('9'), 9);
  EXPECT_EQ(HexDigitValue('a'), 10);
  EXPECT_EQ(HexDigitValue('F'), 15);
  EXPECT_EQ(HexDigitValue('g'), -1);
  EXPECT_EQ(HexDigitValue('%'), -1);
}

TEST(PercentEncodingTest, LenientKeepsMalformedEscapes) {
  EXPECT_EQ(PercentDecode("Sales%20Order", false), "Sales Order");
  EXPECT_EQ(PercentDecode("%41%62", false), "Ab");
  EXPECT_EQ(PercentDecode("100%", false), "100%");
  EXPECT_EQ(PercentDecode("%zz%4", false), "%zz%4");
  EXPECT_EQ(PercentDecode("%4", false), "%4");
  EXPECT_EQ(PercentDecode("a%41+", false), "aA+");
  EXPECT_EQ(PercentDecode("a%41+", true), "aA ");
  EXPECT_EQ(PercentDecode("%2B", true), "+");  // an encoded '+' stays '+'
}

TEST(PercentEncodingTest, StrictRejectsMalformedEscapes) {
  std::string out;
  EXPECT_TRUE(PercentDecodeStrict("p%40ss%3Aw%2Fd", &out));
  EXPECT_EQ(out, "p@ss:w/d");
  EXPECT_TRUE(PercentDecodeStrict("a+b", &out));
  EXPECT_EQ(out, "a+b");
  EXPECT_TRUE(PercentDecodeStrict("", &out));
  EXPECT_EQ(out, "");
  EXPECT_FALSE(PercentDecodeStrict("100%", &out));
  EXPECT_FALSE(PercentDecodeStrict("%4", &out));
  EXPECT_FALSE(PercentDecodeStrict("%zz", &out));
  EXPECT_FALSE(PercentDecodeStrict("%4g", &out));
}

}  // namespace
}  // namespace perfcheck
