// Human-readable numbers for messages and tables.
//
//   FormatNanos(1'234'567) == "1.23 ms"     FormatNanos(950) == "950 ns"
//   FormatRate(1234.5)     == "1234.5/s"    FormatPercent(0.0123) == "1.23%"
//   FormatCount(12787040)  == "12,787,040"  FormatCount(2.5) == "2.5"
//
// Thread-safety: pure functions.
#ifndef PERFCHECK_FORMAT_H_
#define PERFCHECK_FORMAT_H_

#include <string>

#include "perfcheck/clock.h"

namespace perfcheck {

// Three significant digits with the largest unit (ns, us, ms, s) that keeps
// the number >= 1; exact integers below 1000 ns.
std::string FormatNanos(double ns);
// Operations per second with one decimal.
std::string FormatRate(double per_second);
// A fraction as a percentage with up to two decimals ("0%", "1.5%", "12.35%").
std::string FormatPercent(double fraction);
// A count per operation: from 1000 on, rounded to an integer with thousands
// separators (every digit stays: a 1% gate on instructions needs them); below,
// up to two decimals.
std::string FormatCount(double count);

}  // namespace perfcheck

#endif  // PERFCHECK_FORMAT_H_
