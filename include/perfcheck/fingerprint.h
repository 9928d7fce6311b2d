// Fingerprint: the environment a result was measured in. Stored with every
// result and baseline so a comparison across machines is stated, not hidden.
//
// A plain value of the core: this header only describes a machine. Capturing
// the one this process runs on reads /proc, /sys and the environment, so it
// lives with the environment layer: CaptureFingerprint() and CountsKey() are
// in "perfcheck/machine.h".
//
// Thread-safety: plain value; MachineDifferences() only reads both operands.
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

}  // namespace perfcheck

#endif  // PERFCHECK_FINGERPRINT_H_
