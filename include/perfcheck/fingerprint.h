// Fingerprint: the environment a result was measured in. Stored with every
// result and baseline so a comparison across machines is stated, not hidden.
//
// Thread-safety: plain value. CaptureFingerprint() is safe to call from any
// thread; it reads /proc and /sys (Linux) and never fails: unreadable fields
// stay empty.
#ifndef PERFCHECK_FINGERPRINT_H_
#define PERFCHECK_FINGERPRINT_H_

#include <string>
#include <vector>

namespace perfcheck {

struct Fingerprint {
  std::string cpu_model;      // e.g. "Intel(R) Xeon(R) ..." from /proc/cpuinfo
  int cores = 0;              // logical CPUs online
  std::string cpu_governor;   // cpufreq scaling governor, "" when not readable
  std::string os;             // PRETTY_NAME of /etc/os-release
  std::string kernel;         // uname release
  std::string compiler;       // compiler that built perfcheck, e.g. "GCC 12.2.0"
  std::string build_type;     // CMake build type perfcheck was built with
  std::string perfcheck_version;
  std::string git_sha;        // of the code under test when known ("" otherwise)
  std::string hostname_hash;  // short hash of the host name (the name itself is
                              // not stored: it can be sensitive)
  // The testbed (perfcheck/testbed.h): the user's name for this machine or
  // "auto-<hash>"; "" in runs recorded before testbeds existed.
  std::string testbed;
  // This process's speed probe in ns (testbed.h); 0 when not measured.
  double speed_probe_ns = 0;

  // Human-readable differences in the fields that change what timings mean
  // (cpu_model, cores, cpu_governor, os, kernel, compiler, build_type,
  // hostname_hash), e.g. "cores: 8 -> 2". Empty when the machines match.
  std::vector<std::string> MachineDifferences(const Fingerprint& other) const;

  friend bool operator==(const Fingerprint&, const Fingerprint&) = default;
};

// The fingerprint of this process's environment. git_sha comes from the
// PERFCHECK_GIT_SHA environment variable, then GITHUB_SHA / CI_COMMIT_SHA.
// testbed is GivenTestbedName() when valid, else the derived name (an invalid
// PERFCHECK_TESTBED is reported by whoever judges time: the gate); the speed
// probe is measured on the first call (~12 ms).
Fingerprint CaptureFingerprint();

// What decides the instructions and allocations a given source executes
// (operation_counts.h), as text: e.g. "x86_64 GCC 12.2.0 Release glibc-2.36
// x86-64-v3" (the CPU level glibc picks its string functions by), plus " "
// and PERFCHECK_COUNTS_KEY when that is set (perfcheck's CMake functions put
// the build's compiler flags and Valgrind's version there). Computed once.
const std::string& CountsKey();

}  // namespace perfcheck

#endif  // PERFCHECK_FINGERPRINT_H_
