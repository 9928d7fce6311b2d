#include "perfcheck/machine.h"

#include "perfcheck/testbed.h"

#if __has_include(<gnu/libc-version.h>)
#include <gnu/libc-version.h>
#define PERFCHECK_HAVE_GLIBC_VERSION 1
#endif
#include <sys/utsname.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#ifndef PERFCHECK_VERSION
#define PERFCHECK_VERSION "unknown"
#endif
#ifndef PERFCHECK_BUILD_TYPE
#define PERFCHECK_BUILD_TYPE "unspecified"
#endif

namespace perfcheck {
namespace {

std::string Trim(std::string_view text) {
  const std::size_t begin = text.find_first_not_of(" \t\r\n");
  if (begin == std::string_view::npos) return "";
  const std::size_t end = text.find_last_not_of(" \t\r\n");
  return std::string(text.substr(begin, end - begin + 1));
}

// The value of the first "key : value" line whose key is one of `keys`, in
// the order of `keys` (x86 has "model name"; ARM kernels use other keys).
std::string CpuInfoValue(const std::vector<std::string_view>& keys) {
  std::ifstream in("/proc/cpuinfo");
  std::vector<std::string> found(keys.size());
  std::string line;
  while (std::getline(in, line)) {
    const std::size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    const std::string key = Trim(std::string_view(line).substr(0, colon));
    for (std::size_t i = 0; i < keys.size(); ++i) {
      if (key == keys[i] && found[i].empty()) {
        found[i] = Trim(std::string_view(line).substr(colon + 1));
      }
    }
  }
  for (const std::string& value : found) {
    if (!value.empty()) return value;
  }
  return "";
}

std::string FirstLine(const char* path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return Trim(line);
}

std::string OsPrettyName() {
  for (const char* path : {"/etc/os-release", "/usr/lib/os-release"}) {
    std::ifstream in(path);
    std::string line;
    while (std::getline(in, line)) {
      constexpr std::string_view kKey = "PRETTY_NAME=";
      if (line.rfind(kKey, 0) != 0) continue;
      std::string value = Trim(std::string_view(line).substr(kKey.size()));
      if (value.size() >= 2 &&
          (value.front() == '"' || value.front() == '\'') &&
          value.back() == value.front()) {
        value = value.substr(1, value.size() - 2);
      }
      if (!value.empty()) return value;
    }
  }
  return "";
}

int LogicalCores() {
  const unsigned hardware = std::thread::hardware_concurrency();
  if (hardware > 0) return static_cast<int>(hardware);
  const long online = sysconf(_SC_NPROCESSORS_ONLN);
  return online > 0 ? static_cast<int>(online) : 0;
}

std::string CompilerName() {
#if defined(__clang__)
  return "Clang " + std::to_string(__clang_major__) + "." +
         std::to_string(__clang_minor__) + "." +
         std::to_string(__clang_patchlevel__);
#elif defined(__GNUC__)
  return "GCC " + std::to_string(__GNUC__) + "." +
         std::to_string(__GNUC_MINOR__) + "." +
         std::to_string(__GNUC_PATCHLEVEL__);
#elif defined(__VERSION__)
  return __VERSION__;
#else
  return "unknown";
#endif
}

// FNV-1a: stable across runs and platforms, so the same host always gets the
// same hash in stored baselines; the name itself is never stored.
std::string HostnameHash() {
  char name[256] = {};
  if (gethostname(name, sizeof(name) - 1) != 0 || name[0] == '\0') return "";
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  for (const char* p = name; *p != '\0'; ++p) {
    hash ^= static_cast<unsigned char>(*p);
    hash *= 0x100000001b3ULL;
  }
  char hex[17];
  std::snprintf(hex, sizeof(hex), "%016llx",
                static_cast<unsigned long long>(hash));
  return std::string(hex, 12);
}

Fingerprint CaptureMachine() {
  Fingerprint f;
  f.cpu_model = CpuInfoValue(
      {"model name", "Model", "Processor", "cpu model", "Hardware", "cpu"});
  f.cores = LogicalCores();
  f.cpu_governor =
      FirstLine("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor");
  f.os = OsPrettyName();
  utsname uts{};
  if (uname(&uts) == 0) {
    f.kernel = uts.release;
    if (f.os.empty()) f.os = uts.sysname;
  }
  f.compiler = CompilerName();
  f.build_type = PERFCHECK_BUILD_TYPE;
  f.perfcheck_version = PERFCHECK_VERSION;
  f.hostname_hash = HostnameHash();
  return f;
}

std::string GitShaFromEnvironment() {
  for (const char* name :
       {"PERFCHECK_GIT_SHA", "GITHUB_SHA", "CI_COMMIT_SHA"}) {
    const char* value = std::getenv(name);
    if (value != nullptr && value[0] != '\0') return Trim(value);
  }
  return "";
}

// The x86-64 micro-architecture level the CPU reports (under Valgrind: the
// CPU Valgrind emulates). glibc picks its string and memory functions by it
// (an AVX2 memcmp executes other instructions than the SSE2 one), so counts
// are only comparable within one level. Empty on other architectures.
std::string CpuLevel() {
#if (defined(__x86_64__) || defined(__i386__)) && \
    (defined(__GNUC__) || defined(__clang__))
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f")) return " x86-64-v4";
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("bmi2") &&
      __builtin_cpu_supports("fma")) {
    return " x86-64-v3";
  }
  if (__builtin_cpu_supports("sse4.2") && __builtin_cpu_supports("popcnt")) {
    return " x86-64-v2";
  }
  return " x86-64-v1";
#else
  return "";
#endif
}

}  // namespace

const std::string& CountsKey() {
  // What changes the instructions a given source executes: the target
  // architecture, the compiler and its options, the C library whose
  // functions (memcpy, malloc, ...) the code calls and the CPU level that
  // picks their variants. The user's build flags
  // arrive through PERFCHECK_COUNTS_KEY (set by perfcheck's CMake functions).
  static const std::string key = [] {
    std::string k;
    utsname uts{};
    k.append(uname(&uts) == 0 ? uts.machine : "unknown-arch");
    k.append(" ").append(CompilerName());
    k.append(" ").append(PERFCHECK_BUILD_TYPE);
#if defined(PERFCHECK_HAVE_GLIBC_VERSION)
    k.append(" glibc-").append(gnu_get_libc_version());
#endif
    k.append(CpuLevel());
    const char* extra = std::getenv("PERFCHECK_COUNTS_KEY");
    if (extra != nullptr && *extra != '\0') k.append(" ").append(extra);
    return k;
  }();
  return key;
}

Fingerprint CaptureFingerprint() {
  // The machine does not change while the process runs; /proc is read once.
  // A function-local static is initialised thread-safely.
  static const Fingerprint kMachine = CaptureMachine();
  Fingerprint f = kMachine;
  // Read on every call: tests and CI jobs may set it after start-up.
  f.git_sha = GitShaFromEnvironment();
  // Read on every call too (the gtest flag sets it after start-up). An
  // invalid given name falls back to the derived one here; the gate reports
  // it (GivenTestbedName) rather than judging under a wrong name.
  const StatusOr<std::string> given = GivenTestbedName();
  f.testbed = given.ok() && !given->empty() ? *given : DerivedTestbedName(f);
  f.speed_probe_ns = SpeedProbeNanos();
  return f;
}

}  // namespace perfcheck
