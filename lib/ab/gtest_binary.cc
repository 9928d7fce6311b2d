#include "perfcheck/ab/gtest_binary.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <system_error>

#include "perfcheck/child_process.h"
#include "perfcheck/result_json.h"
#include "temp_dir.h"

namespace perfcheck::ab {
namespace {

// A suite or test name as gtest prints it: identifier characters and '/'
// (parameterized instances).
bool IsName(std::string_view s) {
  if (s.empty()) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' ||
           c == '/' || c == '-';
  });
}

// "Name  # GetParam() = 3" -> "Name".
std::string_view WithoutComment(std::string_view line) {
  const std::size_t hash = line.find("  #");
  if (hash != std::string_view::npos) line = line.substr(0, hash);
  while (!line.empty() && (line.back() == ' ' || line.back() == '\r')) {
    line.remove_suffix(1);
  }
  return line;
}

bool IsDisabled(std::string_view full_name) {
  return full_name.starts_with("DISABLED_") ||
         full_name.find("/DISABLED_") != std::string_view::npos ||
         full_name.find(".DISABLED_") != std::string_view::npos;
}

std::string OutputTail(const std::filesystem::path& out,
                       const std::filesystem::path& err) {
  std::string tail = FileTail(err, 400);
  if (tail.empty()) tail = FileTail(out, 400);
  return tail.empty() ? "" : "; output: " + tail;
}

}  // namespace

std::vector<std::string> ParseTestList(std::string_view text,
                                       bool with_disabled) {
  std::vector<std::string> tests;
  std::string suite;
  while (!text.empty()) {
    const std::size_t eol = text.find('\n');
    std::string_view line = text.substr(0, eol);
    text.remove_prefix(eol == std::string_view::npos ? text.size() : eol + 1);
    if (line.starts_with("  ")) {
      const std::string_view name = WithoutComment(line.substr(2));
      if (suite.empty() || !IsName(name)) continue;
      std::string full = suite + std::string(name);
      if (with_disabled || !IsDisabled(full)) tests.push_back(std::move(full));
      continue;
    }
    const std::string_view name = WithoutComment(line);
    suite = name.size() > 1 && name.back() == '.' &&
                    IsName(name.substr(0, name.size() - 1))
                ? std::string(name)
                : std::string();
  }
  return tests;
}

namespace {

// The raw `--gtest_list_tests` output with `filter` (may be empty).
StatusOr<std::string> ListOutput(const std::filesystem::path& binary,
                                 const std::string& filter,
                                 const ListOptions& options) {
  ab_internal::TempDir temp("list");
  if (temp.path().empty()) {
    return Status::Error(std::string("cannot create a temporary directory: ") +
                         std::strerror(errno));
  }
  ChildProcessOptions child;
  child.argv = {binary.string(), "--gtest_list_tests"};
  if (!filter.empty()) child.argv.push_back("--gtest_filter=" + filter);
  child.argv.insert(child.argv.end(), options.extra_args.begin(),
                    options.extra_args.end());
  child.stdout_path = temp.path() / "stdout";
  child.stderr_path = temp.path() / "stderr";
  child.timeout = options.timeout;
  child.cancel = options.cancel;
  StatusOr<ChildProcessEnd> end = RunChildProcess(child);
  if (!end.ok()) return end.status();
  if (!end->Succeeded()) {
    return Status::Error(binary.string() +
                         ": listing its tests (--gtest_list_tests) " +
                         end->Describe(options.timeout) +
                         OutputTail(child.stdout_path, child.stderr_path));
  }
  return FileTail(child.stdout_path, 64u << 20);
}

}  // namespace

StatusOr<std::vector<std::string>> ListTests(
    const std::filesystem::path& binary, const ListOptions& options) {
  StatusOr<std::string> listed = ListOutput(binary, options.filter, options);
  if (!listed.ok()) return listed.status();
  const bool with_disabled =
      std::find(options.extra_args.begin(), options.extra_args.end(),
                "--gtest_also_run_disabled_tests") != options.extra_args.end();
  std::vector<std::string> tests = ParseTestList(*listed, with_disabled);
  if (!tests.empty()) return tests;
  if (!options.filter.empty()) {
    // gtest prints nothing for a filter that matches nothing: ask again
    // without it to tell a bad filter from a binary that is not gtest.
    StatusOr<std::string> all = ListOutput(binary, "", options);
    if (all.ok() && !ParseTestList(*all, true).empty()) {
      return Status::Error(binary.string() + ": no test matches --filter '" +
                           options.filter + "'");
    }
  }
  std::string shown = *listed;
  if (shown.size() > 400) shown = shown.substr(0, 400) + "...";
  return Status::Error(
      binary.string() + ": lists no test (is it a GoogleTest binary?)" +
      (shown.empty() ? "; it printed nothing" : "; it printed: " + shown));
}

StatusOr<TestRun> RunTest(const std::filesystem::path& binary,
                          const std::string& test,
                          const TestRunOptions& options) {
  const std::filesystem::path results = options.work_dir / "results";
  const std::filesystem::path empty = options.work_dir / "no-baselines";
  const std::filesystem::path candidates = options.work_dir / "candidates";
  std::error_code ec;
  std::filesystem::create_directories(results, ec);
  if (!ec) std::filesystem::create_directories(empty, ec);
  if (ec) {
    return Status::Error("cannot create '" + results.string() +
                         "': " + ec.message());
  }
  ChildProcessOptions child;
  child.argv = {binary.string(), "--gtest_filter=" + test};
  child.argv.insert(child.argv.end(), options.extra_args.begin(),
                    options.extra_args.end());
  child.environment = {
      {"PERFCHECK_RESULTS_DIR", results.string()},
      {"PERFCHECK_BASELINE_DIR", empty.string()},
      {"PERFCHECK_CANDIDATE_DIR", candidates.string()},
      {"PERFCHECK_UPDATE_BASELINES", "0"},
      // One report file per child would overwrite the user's.
      {"GTEST_OUTPUT", ""},
      {"XML_OUTPUT_FILE", ""},
  };
  child.stdout_path = options.work_dir / "stdout";
  child.stderr_path = options.work_dir / "stderr";
  child.timeout = options.timeout;
  child.cancel = options.cancel;
  StatusOr<ChildProcessEnd> end = RunChildProcess(child);
  if (!end.ok()) return end.status();
  TestRun run;
  run.wall = end->wall;
  const bool exited = end->how == ChildProcessEnd::How::kExited;
  run.cancelled = end->how == ChildProcessEnd::How::kCancelled;
  run.completed = exited && (end->exit_code == 0 || end->exit_code == 1);
  run.test_failed = exited && end->exit_code == 1;
  if (!end->Succeeded()) {
    run.problem = end->Describe(options.timeout) +
                  OutputTail(child.stdout_path, child.stderr_path);
  }
  if (!run.completed) return run;
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(results, ec)) {
    if (e.path().extension() == ".json") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  for (const std::filesystem::path& f : files) {
    StatusOr<Result> r = ReadResultFile(f);
    if (!r.ok()) {
      // A torn or foreign file: this run's results cannot be trusted.
      run.completed = false;
      run.results.clear();
      run.problem =
          "result file " + f.filename().string() + ": " + r.status().message();
      return run;
    }
    run.results.push_back(std::move(*r));
  }
  return run;
}

}  // namespace perfcheck::ab
