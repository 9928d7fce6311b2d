#include "perfcheck/testbed.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <vector>

namespace perfcheck {
namespace {

std::mutex& NameMutex() {
  static std::mutex m;
  return m;
}

std::optional<std::string>& NameOverride() {
  static std::optional<std::string> name;
  return name;
}

std::uint64_t Fnv1a(std::string_view text, std::uint64_t hash) {
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

// The probe's workload: fixed data, fixed work. Sorting exercises integer
// ALU, branch prediction and the L1/L2 caches, which is where most of the
// 1.8-2.4x difference between VMs of one type showed. The fastest of many
// short repetitions is what the machine can do; slower ones are interference.
double MeasureProbe() {
  constexpr std::size_t kValues = 1 << 14;
  constexpr int kRepetitions = 15;
  std::vector<std::uint32_t> source(kValues);
  std::uint64_t x = 0x9e3779b97f4a7c15ULL;
  for (std::uint32_t& v : source) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    v = static_cast<std::uint32_t>(x);
  }
  std::vector<std::uint32_t> work(kValues);
  double best = INFINITY;
  std::uint32_t sink = 0;
  for (int i = 0; i < kRepetitions; ++i) {
    work = source;
    const auto start = std::chrono::steady_clock::now();
    std::sort(work.begin(), work.end());
    const auto stop = std::chrono::steady_clock::now();
    sink += work[i];
    best = std::min(
        best, std::chrono::duration<double, std::nano>(stop - start).count());
  }
  // Keeps the sorts observable so they are not optimised away.
  if (sink == 0x12345678U) std::fputs("", stderr);
  return best;
}

// recorded / current probe; nullopt when either is unknown.
std::optional<double> ProbeRatio(const Fingerprint& recorded,
                                 const Fingerprint& current) {
  const double a = recorded.speed_probe_ns;
  const double b = current.speed_probe_ns;
  if (!(a > 0) || !(b > 0) || !std::isfinite(a) || !std::isfinite(b)) {
    return std::nullopt;
  }
  return a / b;
}

}  // namespace

Status ValidateTestbedName(std::string_view name) {
  if (name.empty()) return Status::Error("testbed name is empty");
  if (name.size() > 64) {
    return Status::Error("testbed name '" + std::string(name.substr(0, 64)) +
                         "...' is longer than 64 characters");
  }
  for (char c : name) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                    (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
    if (!ok) {
      return Status::Error("testbed name '" + std::string(name) +
                           "' may hold only letters, digits, '.', '_' and "
                           "'-'");
    }
  }
  if (name.rfind(kDerivedTestbedPrefix, 0) == 0) {
    return Status::Error("testbed name '" + std::string(name) +
                         "' starts with '" +
                         std::string(kDerivedTestbedPrefix) +
                         "', which is reserved for derived names");
  }
  return Status();
}

Status ValidateStoredTestbedName(std::string_view name) {
  const std::string_view prefix = kDerivedTestbedPrefix;
  if (name.substr(0, prefix.size()) == prefix) {
    const std::string_view hex = name.substr(prefix.size());
    if (hex.size() == 8 &&
        hex.find_first_not_of("0123456789abcdef") == std::string_view::npos) {
      return Status();
    }
  }
  return ValidateTestbedName(name);
}

StatusOr<std::string> GivenTestbedName() {
  {
    std::lock_guard<std::mutex> lock(NameMutex());
    if (NameOverride()) return *NameOverride();
  }
  const char* env = std::getenv("PERFCHECK_TESTBED");
  if (env == nullptr || *env == '\0') return std::string();
  if (Status s = ValidateTestbedName(env); !s.ok()) {
    return Status::Error("PERFCHECK_TESTBED: " + s.message());
  }
  return std::string(env);
}

void SetTestbedName(std::string name) {
  if (!name.empty()) {
    if (Status s = ValidateTestbedName(name); !s.ok()) {
      throw std::invalid_argument(s.message());
    }
  }
  std::lock_guard<std::mutex> lock(NameMutex());
  if (name.empty()) {
    NameOverride().reset();
  } else {
    NameOverride() = std::move(name);
  }
}

std::string DerivedTestbedName(const Fingerprint& f) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  // A separator byte between fields keeps ("ab","c") and ("a","bc") apart.
  for (const std::string& field : {f.cpu_model, std::to_string(f.cores), f.os,
                                   f.kernel, f.compiler, f.build_type}) {
    h = Fnv1a(field, h);
    h = Fnv1a(std::string_view("\x1f", 1), h);
  }
  char hex[9];
  std::snprintf(hex, sizeof hex, "%08llx",
                static_cast<unsigned long long>(h & 0xffffffffULL));
  return std::string(kDerivedTestbedPrefix) + hex;
}

double SpeedProbeNanos() {
  static const double kProbe = MeasureProbe();
  return kProbe;
}

TestbedMatch MatchTestbed(const Fingerprint& recorded,
                          const Fingerprint& current) {
  // Neither side knows its testbed (two files from before testbeds, or
  // values built by hand): nothing says they differ, judge as before.
  if (recorded.testbed.empty() && current.testbed.empty()) {
    return TestbedMatch::kSame;
  }
  if (recorded.testbed.empty()) return TestbedMatch::kUnrecorded;
  if (recorded.testbed != current.testbed) return TestbedMatch::kOtherTestbed;
  const std::optional<double> ratio = ProbeRatio(recorded, current);
  if (ratio && std::max(*ratio, 1 / *ratio) > kSpeedProbeMargin) {
    return TestbedMatch::kOtherSpeed;
  }
  return TestbedMatch::kSame;
}

std::string TestbedLabel(const Fingerprint& f) {
  return f.testbed.empty() ? std::string(kUnrecordedTestbedLabel) : f.testbed;
}

std::string SpeedDifference(const Fingerprint& recorded,
                            const Fingerprint& current) {
  const std::optional<double> ratio = ProbeRatio(recorded, current);
  if (!ratio) return "";
  // > 1: the recording machine took longer, this one is faster.
  char buf[64];
  std::snprintf(buf, sizeof buf, " [this machine %.2fx %s by the speed probe]",
                *ratio >= 1 ? *ratio : 1 / *ratio,
                *ratio >= 1 ? "faster" : "slower");
  return buf;
}

std::string TimeNotJudgedNote(
    std::string_view current,
    const std::vector<std::pair<std::string, std::size_t>>& recorded) {
  std::string held;
  for (const auto& [label, runs] : recorded) {
    held += std::string(held.empty() ? "" : ", ") + std::to_string(runs) +
            " run" + (runs == 1 ? "" : "s") + " of " +
            (label == kUnrecordedTestbedLabel
                 ? "an unrecorded testbed (recorded before testbeds)"
                 : "testbed " + label);
  }
  return "time not judged: the baseline holds no run of this testbed (" +
         (current.empty() ? std::string("unknown") : std::string(current)) +
         "), only " + (held.empty() ? std::string("none") : held);
}

}  // namespace perfcheck
