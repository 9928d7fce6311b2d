// OperationCounts: what one operation costs in units that do not depend on the
// machine's speed or the moment — instructions executed and heap allocations.
//
// A time is true only for the machine and the moment it was measured; these
// counts are the same on every machine that runs the same binary with the same
// libraries (docs/instruction-counts.md says what else can move them). The
// regression gate therefore judges them across testbeds, but only against runs
// with the same `key`: the things that change the code that executes
// (architecture, compiler and version, build type, C library, the CPU's
// x86-64 level, and the build flags the test's build passed in
// PERFCHECK_COUNTS_KEY; Valgrind's version in instruction runs). Runs of
// another key are "not comparable", stated, never compared.
//
// Every field is per operation (a mean over `operations` counted calls) and
// absent when it was not counted — never estimated from time:
// - instructions: guest instructions executed inside the measured calls,
//   counted by Valgrind's callgrind (instruction_counter.h); present only in a
//   run under `valgrind --tool=callgrind` that perfcheck set up.
// - allocations / allocated_bytes: calls to operator new (and the bytes they
//   asked for) made by the measuring thread inside the measured calls; present
//   only when the binary links perfcheck::allocation_hooks
//   (allocation_counter.h).
//
// Thread-safety: a plain value.
#ifndef PERFCHECK_OPERATION_COUNTS_H_
#define PERFCHECK_OPERATION_COUNTS_H_

#include <cstdint>
#include <optional>
#include <string>

namespace perfcheck {

struct OperationCounts {
  std::optional<double> instructions;     // per operation
  std::optional<double> allocations;      // per operation
  std::optional<double> allocated_bytes;  // per operation, bytes requested
  std::uint64_t operations = 0;           // calls the means are over
  std::string key;  // CountsKey() (machine.h) of the counting process

  bool empty() const {
    return !instructions && !allocations && !allocated_bytes;
  }
  friend bool operator==(const OperationCounts&,
                         const OperationCounts&) = default;
};

}  // namespace perfcheck

#endif  // PERFCHECK_OPERATION_COUNTS_H_
