// Instructions counted by Valgrind's callgrind: the cost of code in a unit
// that no other process, no CPU frequency and no host can move
// (docs/instruction-counts.md).
//
// How: the process runs as
//   valgrind --tool=callgrind --instr-atstart=no
//            --callgrind-out-file=<PREFIX> <binary> ...
// with PERFCHECK_CALLGRIND_OUT=<PREFIX> in the environment (RunUnderCallgrind
// below does it; a gtest binary with --perfcheck_instructions calls it on
// itself, which is what perfcheck_discover_tests(... INSTRUCTIONS) registers).
// Start() zeroes callgrind's counters and switches instrumentation on; Stop()
// switches it off, asks callgrind to dump the counts (client requests, so
// exactly the code between the two calls is counted: warm-up and harness code
// are not), reads the dump's "totals:" line from <PREFIX>.<part> and deletes
// that file. One PREFIX per process: RunUnderCallgrind makes a fresh one.
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
#include <string>
#include <string_view>
#include <vector>

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

// Runs the program `argv[0]` with arguments `argv[1..]` under callgrind the way
// InstructionCounter expects, and waits for it: valgrind (from PATH) with
// --tool=callgrind --instr-atstart=no and dumps into a fresh temporary
// directory (removed afterwards), PERFCHECK_CALLGRIND_OUT set to it, and
// " valgrind-<version>" appended to PERFCHECK_COUNTS_KEY (Valgrind's CPU model
// decides which variants of glibc's string functions run). SIGINT, SIGTERM
// and SIGHUP received meanwhile are passed on to valgrind, which stays in this
// process group (so a test runner that kills the group ends it too).
// Returns the program's exit status, or 128 + the signal that ended it.
// Errors: no valgrind on PATH (Debian package "valgrind"), no temporary
// directory, fork failure.
StatusOr<int> RunUnderCallgrind(const std::vector<std::string>& argv);

// The instruction total of callgrind dump text (its "totals:" line, else
// "summary:"); an error when neither is there. `source` names the file in
// the error.
StatusOr<std::uint64_t> ParseCallgrindTotals(std::string_view text,
                                             std::string_view source);

}  // namespace perfcheck

#endif  // PERFCHECK_INSTRUCTION_COUNTER_H_
