// `perfcheck report` and `perfcheck load --html` as a user runs them: the
// binary in a subprocess, its exit codes and messages.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "perfcheck/child_process.h"

namespace {

namespace fs = std::filesystem;

const fs::path kData = PERFCHECK_REPORT_TEST_DATA;

fs::path OutDir() {
  const fs::path dir =
      fs::path(PERFCHECK_REPORT_TEST_OUT) / "cli" /
      ::testing::UnitTest::GetInstance()->current_test_info()->name();
  fs::create_directories(dir);
  return dir;
}

std::string Read(const fs::path& p) {
  std::ifstream in(p);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

struct CliRun {
  int exit_code = -1;
  std::string out, err;
};

CliRun Perfcheck(std::vector<std::string> args) {
  const fs::path dir = OutDir();
  perfcheck::ChildProcessOptions o;
  o.argv = {PERFCHECK_CLI_PATH};
  o.argv.insert(o.argv.end(), args.begin(), args.end());
  o.stdout_path = dir / "stdout.txt";
  o.stderr_path = dir / "stderr.txt";
  o.timeout = std::chrono::seconds(60);
  perfcheck::StatusOr<perfcheck::ChildProcessEnd> end =
      perfcheck::RunChildProcess(o);
  EXPECT_TRUE(end.ok()) << end.status().message();
  if (!end.ok()) return {};
  EXPECT_EQ(end->how, perfcheck::ChildProcessEnd::How::kExited);
  return {end->exit_code, Read(o.stdout_path), Read(o.stderr_path)};
}

TEST(ReportCli, WritesOnePageForSeveralInputs) {
  const fs::path out = OutDir() / "r.html";
  const CliRun r =
      Perfcheck({"report", (kData / "load.json").string(),
                 (kData / "compare.json").string(), "-o", out.string()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("2 sections"), std::string::npos) << r.out;
  const std::string page = Read(out);
  EXPECT_NE(page.find("id=\"s0-latency-over-time\""), std::string::npos);
  EXPECT_NE(page.find("id=\"s1-compare\""), std::string::npos);
}

TEST(ReportCli, MalformedInputExitsTwoNamingFileAndField) {
  std::string load = Read(kData / "load.json");
  load.replace(load.find("\"total_requests\": 150"), 21,
               "\"total_requests\": -1");
  const fs::path bad = OutDir() / "bad.json";
  std::ofstream(bad) << load;
  const fs::path out = OutDir() / "r.html";
  const CliRun r = Perfcheck({"report", bad.string(), "-o", out.string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(bad.string() + ": field 'total_requests'"),
            std::string::npos)
      << r.err;
  EXPECT_FALSE(fs::exists(out));
}

TEST(ReportCli, UnwritableOutputAndMissingArguments) {
  const CliRun r = Perfcheck({"report", (kData / "load.json").string(), "-o",
                              (OutDir() / "no-dir" / "r.html").string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("no-dir"), std::string::npos) << r.err;
  EXPECT_EQ(Perfcheck({"report", (kData / "load.json").string()}).exit_code, 2);
  EXPECT_EQ(Perfcheck({"report", "-o", "x.html"}).exit_code, 2);
}

TEST(ReportCli, HelpListsTheExitCodes) {
  const CliRun r = Perfcheck({"report", "--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("Exit codes: 0 report written, 2 usage or bad input"),
            std::string::npos)
      << r.out;
  EXPECT_NE(Perfcheck({"load", "--help"}).out.find("--html"),
            std::string::npos);
}

// An --html file that cannot be written is found before any request.
TEST(ReportCli, LoadHtmlUnwritableFailsBeforeTheRun) {
  const CliRun r =
      Perfcheck({"load", "--base-url", "http://127.0.0.1:9", "--duration", "1s",
                 "--html", (OutDir() / "no-dir" / "r.html").string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--html"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("cannot connect"), std::string::npos) << r.err;
}

}  // namespace
