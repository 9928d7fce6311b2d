#include "perfcheck/duration.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <string>

namespace perfcheck {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())))
    s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())))
    s.remove_suffix(1);
  return s;
}

}  // namespace

StatusOr<Nanos> ParseDuration(std::string_view text) {
  const std::string_view t = Trim(text);
  std::size_t i = 0;
  while (i < t.size() &&
         (std::isdigit(static_cast<unsigned char>(t[i])) || t[i] == '.')) {
    ++i;
  }
  const std::string_view number = t.substr(0, i), unit = t.substr(i);
  double v = 0;
  const auto [end, ec] =
      std::from_chars(number.data(), number.data() + number.size(), v);
  if (number.empty() || ec != std::errc() ||
      end != number.data() + number.size()) {
    return Status::Error("bad duration '" + std::string(text) +
                         "' (e.g. 500ms, 10s, 2m)");
  }
  double scale = 0;
  if (unit == "ns") {
    scale = 1;
  } else if (unit == "us") {
    scale = 1e3;
  } else if (unit == "ms") {
    scale = 1e6;
  } else if (unit == "s") {
    scale = 1e9;
  } else if (unit == "m") {
    scale = 60e9;
  } else if (unit == "h") {
    scale = 3600e9;
  } else {
    return Status::Error("duration '" + std::string(text) +
                         "' needs a unit (ns, us, ms, s, m, h), e.g. 500ms");
  }
  const double ns = v * scale;
  if (ns > 9e18) {
    return Status::Error("duration '" + std::string(text) + "' is too large");
  }
  return static_cast<Nanos>(std::llround(ns));
}

}  // namespace perfcheck
