#include "perfcheck/format.h"

#include <cmath>
#include <cstdio>
#include <string>

namespace perfcheck {
namespace {

// Drops trailing zeros of a fixed-point number so "1.00" reads "1" and
// "1.50" reads "1.5"; a "-0" left by rounding a tiny negative value is "0".
std::string TrimZeros(std::string text) {
  if (text.find('.') != std::string::npos) {
    while (text.back() == '0') text.pop_back();
    if (text.back() == '.') text.pop_back();
  }
  if (text == "-0") text = "0";
  return text;
}

std::string Fixed(double value, int decimals) {
  char buffer[64];
  std::snprintf(buffer, sizeof(buffer), "%.*f", decimals, value);
  return buffer;
}

// Decimals that give three significant digits for |value| in [0, 1000).
int DecimalsFor(double value) {
  const double magnitude = std::fabs(value);
  if (magnitude < 10) return 2;
  if (magnitude < 100) return 1;
  return 0;
}

// "nan" / "inf" / "-inf", so non-finite input never prints garbage.
std::string NonFinite(double value) {
  if (std::isnan(value)) return "nan";
  return value > 0 ? "inf" : "-inf";
}

}  // namespace

std::string FormatNanos(double ns) {
  if (!std::isfinite(ns)) return NonFinite(ns);
  static constexpr const char* kUnits[] = {"ns", "us", "ms", "s"};
  constexpr int kLastUnit = 3;
  int unit = 0;
  double scaled = ns;
  while (unit < kLastUnit && std::fabs(scaled) >= 1000) {
    scaled /= 1000;
    ++unit;
  }
  std::string text = Fixed(scaled, DecimalsFor(scaled));
  // 999.7 us rounds to "1000" with zero decimals: that is "1 ms".
  if (unit < kLastUnit && std::fabs(std::stod(text)) >= 1000) {
    scaled /= 1000;
    ++unit;
    text = Fixed(scaled, DecimalsFor(scaled));
  }
  return TrimZeros(std::move(text)) + " " + kUnits[unit];
}

std::string FormatRate(double per_second) {
  if (!std::isfinite(per_second)) return NonFinite(per_second) + "/s";
  std::string text = Fixed(per_second, 1);
  if (text == "-0.0") text = "0.0";
  return text + "/s";
}

std::string FormatPercent(double fraction) {
  if (!std::isfinite(fraction)) return NonFinite(fraction) + "%";
  return TrimZeros(Fixed(fraction * 100, 2)) + "%";
}

std::string FormatCount(double count) {
  if (!std::isfinite(count)) return NonFinite(count);
  if (std::fabs(count) < 1000) return TrimZeros(Fixed(count, 2));
  const std::string digits = Fixed(std::fabs(count), 0);
  std::string out = count < 0 ? "-" : "";
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

}  // namespace perfcheck
