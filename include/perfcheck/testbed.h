// Testbeds: where a recorded time is true.
//
// A time holds for the machine and the moment it was measured. Every result
// and every baseline run therefore carries the testbed it was measured on
// (Fingerprint::testbed), and the regression gate judges time metrics only
// against runs of the same testbed; counts that do not depend on the machine
// (error rate) are judged across testbeds.
//
// The testbed's name is the one the user gives (PERFCHECK_TESTBED, the gtest
// flag --perfcheck_testbed, the CLI's --testbed; e.g. "ci-ubuntu-2c",
// "laptop") or, unnamed, "auto-" plus a hash of what changes a machine's speed
// and is visible (CPU model string, logical cores, OS, kernel release,
// compiler, build type; not the host name: CI runners are ephemeral).
//
// Two VMs of one nominal type report the same CPU string, cores, OS and
// compiler and can still differ 1.8-2.4x (reported for this project's
// example suite), so a name alone cannot tell them apart. Each process also
// measures a speed probe once (a fixed CPU-bound workload: the fastest of 15
// sorts of the same 16384 pseudo-random integers, about 12 ms on a 2-vCPU cloud
// VM) and stores it with every run. A run is of the same testbed when the names
// are equal AND the two probes are within kSpeedProbeMargin of each other. The
// margin is wide on purpose: the probe classifies machines, it never rescales
// times (largest / smallest probe of 20 processes on a 2-vCPU VM: 1.13x
// quiet, 1.26x with both cores hogged; benchmarks/gate/probe_spread.sh). What
// it cannot see: machines that differ only in memory or I/O speed (name your
// testbeds when that matters), nor one machine's drift between moments (the
// example tests ran 25-55% slower for minutes on one VM while the probe did not
// move; docs/regression-method.md, "Testbeds").
//
// Thread-safety: every function may be called from any thread.
#ifndef PERFCHECK_TESTBED_H_
#define PERFCHECK_TESTBED_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "perfcheck/fingerprint.h"
#include "perfcheck/status.h"

namespace perfcheck {

// Two probes further apart than this factor are different machines.
inline constexpr double kSpeedProbeMargin = 1.3;

// Prefix of derived names; a user-given name may not start with it.
inline constexpr std::string_view kDerivedTestbedPrefix = "auto-";

// A user-given testbed name: 1-64 characters of [A-Za-z0-9._-], not starting
// with "auto-". The error says what is wrong (the caller adds where).
Status ValidateTestbedName(std::string_view name);

// A name as stored in a run: a valid user-given name or a derived one
// ("auto-" + 8 lowercase hex digits). The error says what is wrong.
Status ValidateStoredTestbedName(std::string_view name);

// The name given for this process: SetTestbedName()'s, else the
// PERFCHECK_TESTBED environment variable; "" when none. An invalid
// environment value is an error naming PERFCHECK_TESTBED.
StatusOr<std::string> GivenTestbedName();

// Sets the name for this process (the flags call it); "" clears it.
// Throws std::invalid_argument for an invalid name.
void SetTestbedName(std::string name);

// "auto-" plus 8 hex digits of a hash over the machine fields of `f`.
std::string DerivedTestbedName(const Fingerprint& f);

// This process's speed probe in ns (measured once, on first use; ~12 ms).
double SpeedProbeNanos();

// How a recorded fingerprint relates to the current one.
enum class TestbedMatch {
  kSame,          // same name, probes within the margin (or one is unknown)
  kOtherTestbed,  // another name
  kOtherSpeed,    // same name, probes differ by more than kSpeedProbeMargin
  kUnrecorded,    // the recorded run has no testbed (a file before testbeds)
};
// Both testbeds empty (two files from before testbeds) counts as kSame.
TestbedMatch MatchTestbed(const Fingerprint& recorded,
                          const Fingerprint& current);

// The label of runs recorded before testbeds existed.
inline constexpr std::string_view kUnrecordedTestbedLabel = "(unrecorded)";

// "laptop" or "auto-1a2b3c4d"; kUnrecordedTestbedLabel when empty.
std::string TestbedLabel(const Fingerprint& f);

// " [this machine 1.90x faster by the speed probe]": how `current` compares
// with `recorded` by their probes; "" when either probe is unknown.
std::string SpeedDifference(const Fingerprint& recorded,
                            const Fingerprint& current);

// Why time was not judged, the same words for every gate: "time not judged:
// the baseline holds no run of this testbed (ci), only 3 runs of testbed
// laptop, 2 runs of an unrecorded testbed (recorded before testbeds)".
// `recorded`: label (TestbedLabel, plus SpeedDifference when the name
// matched) and run count of each testbed the baseline holds.
std::string TimeNotJudgedNote(
    std::string_view current,
    const std::vector<std::pair<std::string, std::size_t>>& recorded);

}  // namespace perfcheck

#endif  // PERFCHECK_TESTBED_H_
