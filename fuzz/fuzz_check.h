// How a fuzz target reports a broken property (docs/fuzzing.md): a crash is
// the only verdict libFuzzer records, so every fuzzer here calls Violation()
// when a property does not hold, and the saved crash input reproduces it.
#ifndef PERFCHECK_FUZZ_FUZZ_CHECK_H_
#define PERFCHECK_FUZZ_FUZZ_CHECK_H_

#include <cstddef>
#include <cstdio>
#include <string>
#include <string_view>

namespace perfcheck::fuzz {

// Prints "PROPERTY VIOLATED: <what>" and, when given, `detail` on the lines
// below, then traps: libFuzzer (and the regression run of scripts/fuzz.sh)
// counts the input as a crash and saves it.
[[noreturn]] inline void Violation(std::string_view what,
                                   std::string_view detail = {}) {
  std::fprintf(stderr, "PROPERTY VIOLATED: %.*s\n",
               static_cast<int>(what.size()), what.data());
  if (!detail.empty()) {
    std::fprintf(stderr, "%.*s\n", static_cast<int>(detail.size()),
                 detail.data());
  }
  __builtin_trap();
}

// "<label>: '<text>'" for a Violation() detail, cut after `max` bytes: an
// input can be megabytes, and the saved crash file holds all of it anyway.
inline std::string Quoted(std::string_view label, std::string_view text,
                          std::size_t max = 200) {
  std::string out(label);
  out += ": '";
  out += text.substr(0, max);
  out += text.size() > max ? "'..." : "'";
  return out;
}

}  // namespace perfcheck::fuzz

#endif  // PERFCHECK_FUZZ_FUZZ_CHECK_H_
