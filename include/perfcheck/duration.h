// Durations as people write them: "500ms", "10s", "1.5m", "250us", "2h",
// "100ns". One parser for every place perfcheck reads a duration from text
// (command-line flags, threshold expressions, scenario files), so they all
// accept the same spellings and reject the same mistakes.
//
// Thread-safety: a pure function.
#ifndef PERFCHECK_DURATION_H_
#define PERFCHECK_DURATION_H_

#include <string_view>

#include "perfcheck/clock.h"
#include "perfcheck/status.h"

namespace perfcheck {

// A non-negative decimal number directly followed by a unit (ns, us, ms, s,
// m, h), spaces around the whole allowed; returns nanoseconds. A bare number, an unknown
// unit or more than about 285 years is an error quoting the text:
//   bad duration 'abc' (e.g. 500ms, 10s, 2m)
//   duration '500' needs a unit (ns, us, ms, s, m, h), e.g. 500ms
StatusOr<Nanos> ParseDuration(std::string_view text);

}  // namespace perfcheck

#endif  // PERFCHECK_DURATION_H_
