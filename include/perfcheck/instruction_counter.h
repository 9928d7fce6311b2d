// Instructions counted by Valgrind's callgrind: the cost of code in a unit
// that no other process, no CPU frequency and no host can move
// (docs/instruction-counts.md).
//
// How: perfcheck runs the test binary as
//   valgrind --tool=callgrind --instr-atstart=no
//            --callgrind-out-file=<PREFIX>.%p <binary> ...
// with PERFCHECK_CALLGRIND_OUT=<PREFIX> in the environment (the CMake
// functions do it: perfcheck_discover_tests(... INSTRUCTIONS) and
// perfcheck_add_benchmark(... METRIC instructions)). Start() zeroes callgrind's
// counters and switches instrumentation on; Stop() switches it off, asks
// callgrind to dump the counts (client requests, so exactly the code between
// the two calls is counted: warm-up and harness code are not), reads the
// dump's "totals:" line from <PREFIX>.<pid>.<part> and deletes that file.
//
// Not available is a normal outcome, never a substitute: outside such a run
// InstructionCountingRequested() is false and Measure times as usual; when
// PERFCHECK_CALLGRIND_OUT is set but the process is not under callgrind (or
// the dump cannot be read) Start()/Stop() return an error saying why.
//
// Thread-safety: one counting region at a time per process (callgrind's
// counters are global); call Start() and Stop() from the same thread. Under
// Valgrind threads run one at a time, so other threads' instructions between
// Start() and Stop() are counted too: count single-threaded regions.
#ifndef PERFCHECK_INSTRUCTION_COUNTER_H_
#define PERFCHECK_INSTRUCTION_COUNTER_H_

#include <cstdint>
#include <string_view>

#include "perfcheck/status.h"

namespace perfcheck {

// Whether this process was asked to count instructions
// (PERFCHECK_CALLGRIND_OUT is set and not empty). Read once.
bool InstructionCountingRequested();

// Whether the process runs under Valgrind (any tool).
bool RunningOnValgrind();

class InstructionCounter {
 public:
  // Zeroes the counts and starts instrumentation. Errors: counting not
  // requested, not running under Valgrind.
  Status Start();
  // Stops instrumentation and returns the instructions executed since
  // Start(). Errors: Start() not called or failed, no dump file appeared (the
  // tool is not callgrind, or --callgrind-out-file differs from
  // PERFCHECK_CALLGRIND_OUT), a dump without a totals line.
  StatusOr<std::uint64_t> Stop();

 private:
  bool started_ = false;
};

// The instruction total of callgrind dump text (its "totals:" line, else
// "summary:"); an error when neither is there. `source` names the file in
// the error.
StatusOr<std::uint64_t> ParseCallgrindTotals(std::string_view text,
                                             std::string_view source);

}  // namespace perfcheck

#endif  // PERFCHECK_INSTRUCTION_COUNTER_H_
