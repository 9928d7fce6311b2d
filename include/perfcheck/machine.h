// The machine this process runs on: its Fingerprint (perfcheck/fingerprint.h)
// and the key that says which operation counts it can be compared with.
//
// Both read the machine (/proc, /sys, uname, the C library, environment
// variables): this is the environment layer, kept out of the core value types
// so that a stored result can be read and judged without touching the host.
//
// Thread-safety: both functions may be called from any thread. Errors: none;
// a field that cannot be read stays empty ("" or 0).
#ifndef PERFCHECK_MACHINE_H_
#define PERFCHECK_MACHINE_H_

#include <string>

#include "perfcheck/fingerprint.h"

namespace perfcheck {

// The fingerprint of this process's environment. git_sha comes from the
// PERFCHECK_GIT_SHA environment variable, then GITHUB_SHA / CI_COMMIT_SHA.
// testbed is GivenTestbedName() when valid, else the derived name (an invalid
// PERFCHECK_TESTBED is reported by whoever judges time: the gate); the speed
// probe is measured on the first call (~12 ms). The machine fields are read
// once per process; git_sha and testbed on every call.
Fingerprint CaptureFingerprint();

// What decides the instructions and allocations a given source executes
// (operation_counts.h), as text: e.g. "x86_64 GCC 12.2.0 Release glibc-2.36
// x86-64-v3" (the CPU level glibc picks its string functions by), plus " "
// and PERFCHECK_COUNTS_KEY when that is set (perfcheck's CMake functions put
// the build's compiler flags and Valgrind's version there). Computed once.
const std::string& CountsKey();

}  // namespace perfcheck

#endif  // PERFCHECK_MACHINE_H_
