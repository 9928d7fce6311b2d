#include "json/json.h"

#include <cmath>
#include <cstdint>

namespace perfcheck::json_fields {
namespace {

// Largest magnitude below which every integer is exactly a double.
constexpr double kMaxExactInteger = 9007199254740992.0;  // 2^53

}  // namespace

Json ParseTopLevel(std::string_view text) {
  try {
    return Json::parse(
        text.begin(), text.end(),
        // Depth 1 is the top level's keys and values.
        [](int depth, Json::parse_event_t, Json&) { return depth <= 1; },
        /*allow_exceptions=*/false);
  } catch (const Json::exception&) {
    // allow_exceptions covers syntax errors only; a number beyond double
    // range still throws.
    return Json(Json::value_t::discarded);
  }
}

Json NumberToJson(double v) {
  if (std::isfinite(v) && v == std::trunc(v) &&
      std::fabs(v) <= kMaxExactInteger) {
    return Json(static_cast<std::int64_t>(v));
  }
  return Json(v);
}

std::string Dump(const Json& doc, int indent) {
  std::string out = doc.dump(indent < 0 ? -1 : indent, ' ', false,
                             Json::error_handler_t::replace);
  out += '\n';
  return out;
}

}  // namespace perfcheck::json_fields
