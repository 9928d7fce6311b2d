#include "perfcheck/gtest/flags.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <mutex>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "perfcheck/gtest/run.h"
#include "perfcheck/instruction_counter.h"
#include "perfcheck/testbed.h"

namespace perfcheck::testing {
namespace {

constexpr std::string_view kPrefix = "--perfcheck_";

std::mutex& FlagsMutex() {
  static std::mutex mu;
  return mu;
}

PerfFlags& FlagsStorage() {
  static PerfFlags flags;
  return flags;
}

// The directories of LoadBinaryDefaults (only the *_dir fields are used);
// guarded by FlagsMutex().
PerfFlags& DefaultsStorage() {
  static PerfFlags defaults;
  return defaults;
}

std::optional<std::string> Env(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return std::nullopt;
  return std::string(v);
}

// "" (a bare --perfcheck_update_baselines) and "append" both mean append.
std::optional<UpdateMode> ParseUpdateMode(std::string_view v) {
  if (v.empty() || v == "1" || v == "append" || v == "true") {
    return UpdateMode::kAppend;
  }
  if (v == "replace") return UpdateMode::kReplace;
  return std::nullopt;
}

// A directory setting and where it came from.
struct Resolved {
  std::filesystem::path path;
  std::string source;
};

// Flag, environment variable, the binary's defaults file, built-in default.
Resolved Resolve(const std::optional<std::filesystem::path> PerfFlags::*field,
                 const char* flag_name, const char* env, const char* fallback) {
  std::optional<std::filesystem::path> from_file;
  {
    std::lock_guard<std::mutex> lock(FlagsMutex());
    const auto& flag = FlagsStorage().*field;
    if (flag.has_value()) return {*flag, flag_name};
    from_file = DefaultsStorage().*field;
  }
  if (auto v = Env(env)) return {*v, env};
  if (from_file) return {*from_file, "its defaults file"};
  return {fallback, "the built-in default, relative to the current directory"};
}

Resolved ResolvedBaselineDir() {
  return Resolve(&PerfFlags::baseline_dir, "--perfcheck_baseline_dir",
                 "PERFCHECK_BASELINE_DIR", "baselines");
}

}  // namespace

std::optional<double> ParseTolerance(std::string_view text) {
  if (text.empty()) return std::nullopt;
  bool percent = text.back() == '%';
  if (percent) text.remove_suffix(1);
  const std::string s(text);
  char* end = nullptr;
  double v = std::strtod(s.c_str(), &end);
  if (s.empty() || end != s.c_str() + s.size()) return std::nullopt;
  if (percent) v /= 100.0;
  if (!std::isfinite(v) || v <= 0.0 || v > 10.0) return std::nullopt;
  return v;
}

void ParseFlags(int* argc, char** argv) {
  if (argc == nullptr || argv == nullptr) {
    throw std::invalid_argument("ParseFlags: argc and argv must not be null");
  }
  PerfFlags parsed = GetFlags();
  // argv is rewritten only after every flag parsed, so a throw leaves it whole.
  std::vector<char*> kept(argv, argv + (*argc > 0 ? 1 : 0));
  for (int i = 1; i < *argc; ++i) {
    std::string_view arg = argv[i] == nullptr ? "" : argv[i];
    if (!arg.starts_with(kPrefix)) {
      kept.push_back(argv[i]);
      continue;
    }
    const std::size_t eq = arg.find('=');
    const std::string_view name = arg.substr(0, eq);
    const bool has_value = eq != std::string_view::npos;
    const std::string_view value = has_value ? arg.substr(eq + 1) : "";
    auto need_dir = [&]() -> std::filesystem::path {
      if (value.empty()) {
        throw std::invalid_argument(std::string(name) + " needs a directory: " +
                                    std::string(name) + "=DIR");
      }
      return std::filesystem::path(std::string(value));
    };
    if (name == "--perfcheck_baseline_dir") {
      parsed.baseline_dir = need_dir();
    } else if (name == "--perfcheck_candidate_dir") {
      parsed.candidate_dir = need_dir();
    } else if (name == "--perfcheck_results_dir") {
      parsed.results_dir = need_dir();
    } else if (name == "--perfcheck_update_baselines") {
      auto mode = ParseUpdateMode(value);
      if (!mode) {
        throw std::invalid_argument(
            "--perfcheck_update_baselines: unknown mode '" +
            std::string(value) + "' (use append or replace)");
      }
      parsed.update_baselines = mode;
    } else if (name == "--perfcheck_tolerance") {
      auto t = ParseTolerance(value);
      if (!t) {
        throw std::invalid_argument("--perfcheck_tolerance: bad value '" +
                                    std::string(value) +
                                    "' (use e.g. 10% or 0.1)");
      }
      parsed.tolerance = t;
    } else if (name == "--perfcheck_testbed") {
      if (Status st = ValidateTestbedName(value); !st.ok()) {
        throw std::invalid_argument("--perfcheck_testbed: " + st.message());
      }
      parsed.testbed = std::string(value);
    } else if (name == "--perfcheck_instructions") {
      // "=" with nothing after it (an unset shell variable) is not "on".
      if ((!has_value && value.empty()) || value == "1" || value == "true") {
        parsed.instructions = true;
      } else if (value == "0" || value == "false") {
        parsed.instructions = false;
      } else {
        throw std::invalid_argument("--perfcheck_instructions: bad value '" +
                                    std::string(value) +
                                    "' (use the bare flag, or =1 / =0)");
      }
    } else {
      // A misspelt gate flag must not silently turn the gate off.
      throw std::invalid_argument(
          "unknown flag " + std::string(name) +
          " (perfcheck knows --perfcheck_baseline_dir, "
          "--perfcheck_results_dir, "
          "--perfcheck_candidate_dir, --perfcheck_update_baselines, "
          "--perfcheck_tolerance, --perfcheck_testbed, "
          "--perfcheck_instructions)");
    }
  }
  for (int i = 0; i < *argc; ++i) {
    argv[i] = i < static_cast<int>(kept.size()) ? kept[i] : nullptr;
  }
  *argc = static_cast<int>(kept.size());
  SetFlags(parsed);
}

std::optional<int> MaybeRunUnderCallgrind(
    const std::vector<std::string>& args) {
  if (!GetFlags().instructions) return std::nullopt;
  if (RunningOnValgrind()) {
    if (InstructionCountingRequested()) return std::nullopt;
    std::cerr << "perfcheck: --perfcheck_instructions under a Valgrind that "
                 "perfcheck did not start: run the binary directly, it "
                 "starts callgrind itself\n";
    return 2;
  }
  StatusOr<int> status = RunUnderCallgrind(args);
  if (!status.ok()) {
    std::cerr << "perfcheck: " << status.status().message() << "\n";
    return 2;
  }
  return *status;
}

namespace {

[[gnu::noinline]] int RunAllTestsHere() { return RUN_ALL_TESTS(); }

}  // namespace

int RunAllTests() {
  if (!InstructionCountingRequested()) return RUN_ALL_TESTS();
  constexpr std::uintptr_t kPage = 4096;
  constexpr std::uintptr_t kOffset = 2048;  // any fixed offset within a page
  const auto sp = reinterpret_cast<std::uintptr_t>(__builtin_frame_address(0));
  // Padding below this frame so that the next frame starts kOffset into a
  // page, whatever sp was (at least one page, so the pad is never 0).
  const std::uintptr_t pad = kPage + (sp - kOffset) % kPage;
  volatile char* space = static_cast<volatile char*>(__builtin_alloca(pad));
  space[0] = 0;  // keeps the allocation
  return RunAllTestsHere();
}

PerfFlags GetFlags() {
  std::lock_guard<std::mutex> lock(FlagsMutex());
  return FlagsStorage();
}

void SetFlags(const PerfFlags& flags) {
  // The testbed belongs to every result this process measures (its
  // fingerprint), not only to the gate: set it process-wide.
  SetTestbedName(flags.testbed.value_or(""));
  std::lock_guard<std::mutex> lock(FlagsMutex());
  FlagsStorage() = flags;
}

std::filesystem::path BaselineDir() { return ResolvedBaselineDir().path; }

std::filesystem::path CandidateDir() {
  return Resolve(&PerfFlags::candidate_dir, "--perfcheck_candidate_dir",
                 "PERFCHECK_CANDIDATE_DIR", "perfcheck-candidates")
      .path;
}

std::filesystem::path ResultsDir() {
  return Resolve(&PerfFlags::results_dir, "--perfcheck_results_dir",
                 "PERFCHECK_RESULTS_DIR", "perfcheck-results")
      .path;
}

std::filesystem::path DefaultsFileFor(const std::filesystem::path& binary) {
  std::filesystem::path file = binary;
  file += kDefaultsFileSuffix;
  return file;
}

Status LoadBinaryDefaults(const std::filesystem::path& binary) {
  const std::filesystem::path file = DefaultsFileFor(binary);
  PerfFlags defaults;
  std::error_code ec;
  if (std::filesystem::exists(file, ec)) {
    std::ifstream in(file);
    if (!in) return Status::Error("cannot read " + file.string());
    std::string line;
    for (int number = 1; std::getline(in, line); ++number) {
      if (line.empty() || line.front() == '#') continue;
      const std::size_t eq = line.find('=');
      const std::string key = line.substr(0, eq);
      const std::string value =
          eq == std::string::npos ? "" : line.substr(eq + 1);
      std::optional<std::filesystem::path> PerfFlags::*field = nullptr;
      if (key == "baseline_dir") field = &PerfFlags::baseline_dir;
      if (key == "candidate_dir") field = &PerfFlags::candidate_dir;
      if (key == "results_dir") field = &PerfFlags::results_dir;
      if (field == nullptr || value.empty()) {
        return Status::Error(file.string() + ":" + std::to_string(number) +
                             ": expected baseline_dir=, candidate_dir= or "
                             "results_dir= and a directory");
      }
      // Relative to the file, so that a build tree can be moved whole.
      std::filesystem::path dir(value);
      defaults.*field = dir.is_absolute() ? dir : file.parent_path() / dir;
    }
  }
  std::lock_guard<std::mutex> lock(FlagsMutex());
  DefaultsStorage() = std::move(defaults);
  return Status();
}

std::optional<std::string> MissingBaselineDirWarning() {
  // Update mode creates the directory; nothing is silently skipped there.
  const StatusOr<std::optional<UpdateMode>> update = UpdateBaselinesMode();
  if (update.ok() && update->has_value()) return std::nullopt;
  const Resolved dir = ResolvedBaselineDir();
  std::error_code ec;
  if (std::filesystem::is_directory(dir.path, ec)) return std::nullopt;
  return "perfcheck: no baseline directory at " +
         std::filesystem::absolute(dir.path, ec).string() + " (from " +
         dir.source +
         "): every EXPECT_NO_REGRESSION will pass as \"no baseline\"; set "
         "--perfcheck_baseline_dir=DIR (or PERFCHECK_BASELINE_DIR)";
}

StatusOr<std::optional<UpdateMode>> UpdateBaselinesMode() {
  if (auto flag = GetFlags().update_baselines) {
    return std::optional<UpdateMode>(*flag);
  }
  auto env = Env("PERFCHECK_UPDATE_BASELINES");
  if (!env || *env == "0" || *env == "false") {
    return std::optional<UpdateMode>();
  }
  auto mode = ParseUpdateMode(*env);
  if (!mode) {
    return Status::Error("PERFCHECK_UPDATE_BASELINES: unknown value '" + *env +
                         "' (use 1, append or replace)");
  }
  return std::optional<UpdateMode>(*mode);
}

StatusOr<double> RegressionTolerance() {
  if (auto flag = GetFlags().tolerance) return *flag;
  auto env = Env("PERFCHECK_TOLERANCE");
  if (!env) return 0.10;
  if (auto t = ParseTolerance(*env)) return *t;
  return Status::Error("PERFCHECK_TOLERANCE: bad value '" + *env +
                       "' (use e.g. 10% or 0.1)");
}

}  // namespace perfcheck::testing
