// Instruction counting under callgrind (perfcheck/instruction_counter.h):
// parsing callgrind's dumps, the counter outside Valgrind, and
// RunUnderCallgrind running real programs under a real valgrind. This process
// is not an instruction-count run: PERFCHECK_CALLGRIND_OUT is read once, at
// the first call, and must be unset then.
#include "perfcheck/instruction_counter.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#endif

#include "scoped_env.h"

namespace perfcheck {
namespace {

namespace fs = std::filesystem;
using test::ScopedEnv;

// Set by CMake: valgrind found at configure time, empty when none was.
constexpr const char* kValgrind = PERFCHECK_VALGRIND_PATH;

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// ------------------------------------------------- ParseCallgrindTotals ----

// The start and end of a real dump (callgrind 3.19, /bin/true), with the
// totals changed so that it is clear which line was read.
constexpr const char* kDump =
    "# callgrind format\n"
    "version: 1\n"
    "creator: callgrind-3.19.0\n"
    "pid: 22382\n"
    "cmd:  /bin/true\n"
    "part: 1\n"
    "\n"
    "desc: I1 cache: \n"
    "desc: Timerange: Basic block 0 - 29889\n"
    "desc: Trigger: Client Request: perfcheck-1\n"
    "\n"
    "positions: line\n"
    "events: Ir\n"
    "summary: 129644\n"
    "\n"
    "ob=(2) ???\n"
    "fn=(562) 0x000000000010a2c0\n"
    "0 1\n"
    "calls=1 30 \n"
    "0 71\n"
    "\n"
    "totals: 129650\n";

TEST(ParseCallgrindTotals, ReadsTheTotalsLineOfARealDump) {
  const StatusOr<std::uint64_t> total = ParseCallgrindTotals(kDump, "dump.1");
  ASSERT_TRUE(total.ok()) << total.status().message();
  EXPECT_EQ(*total, 129650u);
}

TEST(ParseCallgrindTotals, FirstEventIsInstructions) {
  // With more events (--cache-sim=yes) Ir comes first.
  const StatusOr<std::uint64_t> total = ParseCallgrindTotals(
      "events: Ir Dr Dw\ntotals: 12787040 300 200\n", "dump");
  ASSERT_TRUE(total.ok()) << total.status().message();
  EXPECT_EQ(*total, 12787040u);
}

TEST(ParseCallgrindTotals, SummaryLineWhenThereIsNoTotalsLine) {
  const StatusOr<std::uint64_t> total = ParseCallgrindTotals(
      "events: Ir\nsummary: 4711\nfn=(1) main\n0 4711\n", "dump");
  ASSERT_TRUE(total.ok()) << total.status().message();
  EXPECT_EQ(*total, 4711u);
  // At the very start and without a final newline, too.
  EXPECT_EQ(ParseCallgrindTotals("summary: 5", "dump").value(), 5u);
  EXPECT_EQ(ParseCallgrindTotals("totals:   6\r\n", "dump").value(), 6u);
}

TEST(ParseCallgrindTotals, KeysNotAtALineStartAreIgnored) {
  // Inside a description, after another key, in a function name.
  const StatusOr<std::uint64_t> total = ParseCallgrindTotals(
      "desc: Trigger: totals: 1\n"
      "fn=(7) subtotals: 2\n"
      " totals: 3\n"
      "summary: 42\n",
      "dump");
  ASSERT_TRUE(total.ok()) << total.status().message();
  EXPECT_EQ(*total, 42u);
  const StatusOr<std::uint64_t> none =
      ParseCallgrindTotals("fn=(1) x totals: 5\ndesc: summary: 6\n", "dump.7");
  ASSERT_FALSE(none.ok());
  EXPECT_TRUE(Contains(none.status().message(), "dump.7"))
      << none.status().message();
}

TEST(ParseCallgrindTotals, NeitherLineIsAnErrorNamingTheSource) {
  for (const char* text : {"", "# callgrind format\nevents: Ir\n",
                           "not a dump at all", "Totals: 5\nSUMMARY: 5\n"}) {
    SCOPED_TRACE(text);
    const StatusOr<std::uint64_t> total =
        ParseCallgrindTotals(text, "/tmp/x/callgrind.out.3");
    ASSERT_FALSE(total.ok());
    const std::string message = total.status().message();
    EXPECT_TRUE(Contains(message, "/tmp/x/callgrind.out.3")) << message;
    EXPECT_TRUE(Contains(message, "totals:")) << message;
    EXPECT_TRUE(Contains(message, "summary:")) << message;
  }
}

TEST(ParseCallgrindTotals, AValueThatIsNoCountIsAnErrorNamingTheSource) {
  for (const char* text :
       {"totals: abc\n", "totals:\n", "totals: -5\n", "totals:    -5\n",
        "summary: x1\n", "totals: 99999999999999999999999\n",
        // A bad totals line is not replaced by a good summary line.
        "summary: 10\ntotals: ten\n"}) {
    SCOPED_TRACE(text);
    const StatusOr<std::uint64_t> total = ParseCallgrindTotals(text, "dump.2");
    ASSERT_FALSE(total.ok()) << "parsed as " << total.value();
    const std::string message = total.status().message();
    EXPECT_TRUE(Contains(message, "dump.2")) << message;
    EXPECT_TRUE(Contains(message, "not a count")) << message;
  }
}

// --------------------------------------------- InstructionCounter outside ----

TEST(InstructionCounter, OutsideAnInstructionRunStartSaysWhatIsMissing) {
  ASSERT_EQ(std::getenv("PERFCHECK_CALLGRIND_OUT"), nullptr)
      << "run this test outside an instruction-count run";
  EXPECT_FALSE(InstructionCountingRequested());
  InstructionCounter counter;
  const Status started = counter.Start();
  ASSERT_FALSE(started.ok());
  // Built with callgrind.h the message names the variable; without it, the
  // header that is missing.
#if __has_include(<valgrind/callgrind.h>)
  EXPECT_TRUE(Contains(started.message(), "PERFCHECK_CALLGRIND_OUT"))
      << started.message();
#else
  EXPECT_TRUE(Contains(started.message(), "valgrind")) << started.message();
#endif
  // A failed Start() leaves nothing to stop.
  const StatusOr<std::uint64_t> stopped = counter.Stop();
  EXPECT_FALSE(stopped.ok());
}

TEST(InstructionCounter, StopWithoutStartIsAnError) {
  InstructionCounter counter;
  const StatusOr<std::uint64_t> stopped = counter.Stop();
  ASSERT_FALSE(stopped.ok());
#if __has_include(<valgrind/callgrind.h>)
  EXPECT_TRUE(Contains(stopped.status().message(), "without a Start()"))
      << stopped.status().message();
#endif
}

// ---------------------------------------------------- RunUnderCallgrind ----

TEST(RunUnderCallgrind, NoProgramIsAnError) {
  const StatusOr<int> status = RunUnderCallgrind({});
  ASSERT_FALSE(status.ok());
  EXPECT_TRUE(Contains(status.status().message(), "no program"))
      << status.status().message();
}

TEST(RunUnderCallgrind, NoValgrindOnPathNamesThePackage) {
  const fs::path empty =
      fs::temp_directory_path() /
      ("perfcheck-no-valgrind-" + std::to_string(::getpid()));
  fs::create_directories(empty);
  {
    ScopedEnv path("PATH", empty.c_str());
    const StatusOr<int> status = RunUnderCallgrind({"/bin/true"});
    ASSERT_FALSE(status.ok()) << "ran, exit status " << status.value();
    const std::string message = status.status().message();
    EXPECT_TRUE(Contains(message, "valgrind on PATH")) << message;
    EXPECT_TRUE(Contains(message, "package \"valgrind\"")) << message;
  }
  fs::remove_all(empty);
}

// Real runs under the valgrind CMake found, put first on PATH (where
// RunUnderCallgrind looks), with TMPDIR a directory of the test's own so
// that what the run leaves there can be checked.
class RunUnderCallgrindForReal : public ::testing::Test {
 protected:
  void SetUp() override {
    // valgrind is a dependency (scripts/install-deps.sh): without it this
    // fails, on every machine, rather than pass by skipping.
    ASSERT_FALSE(std::string(kValgrind).empty())
        << "valgrind not found: install valgrind (scripts/install-deps.sh)";
    const char* old_path = std::getenv("PATH");
    path_.Set((fs::path(kValgrind).parent_path().string() + ":" +
               (old_path == nullptr ? "/usr/bin:/bin" : old_path))
                  .c_str());
    dir_ =
        fs::temp_directory_path() /
        ("perfcheck-instruction-counter-test-" + std::to_string(::getpid()) +
         "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "tmp");
    tmpdir_.Set((dir_ / "tmp").c_str());
  }
  void TearDown() override {
    std::error_code ignored;
    if (!dir_.empty()) fs::remove_all(dir_, ignored);
  }

  // Runs `script` with /bin/sh under callgrind.
  int RunShell(const std::string& script) {
    const StatusOr<int> status = RunUnderCallgrind({"/bin/sh", "-c", script});
    EXPECT_TRUE(status.ok()) << status.status().message();
    return status.ok() ? *status : -1;
  }

  static std::vector<std::string> Lines(const fs::path& file) {
    std::ifstream in(file);
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
  }

  ScopedEnv path_{"PATH", std::getenv("PATH")};
  ScopedEnv tmpdir_{"TMPDIR", std::getenv("TMPDIR")};
  ScopedEnv key_{"PERFCHECK_COUNTS_KEY", nullptr};
  fs::path dir_;
};

TEST_F(RunUnderCallgrindForReal, ReturnsTheProgramsExitStatus) {
  EXPECT_EQ(RunShell("exit 3"), 3);
  EXPECT_EQ(RunShell("exit 0"), 0);
  // Ended by a signal: 128 + its number, as a shell reports it.
  EXPECT_EQ(RunShell("kill -TERM $$"), 128 + 15);
}

// The script writes what the program sees into a file: the dump prefix, the
// counts key, and what its directory holds during the run.
constexpr const char* kReportScript =
    "out=\"$PERFCHECK_CALLGRIND_OUT\"; dir=$(dirname \"$out\");"
    "{ echo \"$out\"; echo \"$PERFCHECK_COUNTS_KEY\";"
    "  echo \"$LD_BIND_NOW\"; ls -A \"$dir\"; } > \"$REPORT\"";

std::string ValgrindVersionKey() {
#if defined(__VALGRIND_MAJOR__) && defined(__VALGRIND_MINOR__)
  return "valgrind-" + std::to_string(__VALGRIND_MAJOR__) + "." +
         std::to_string(__VALGRIND_MINOR__);
#else
  return "";
#endif
}

TEST_F(RunUnderCallgrindForReal, ProgramGetsAFreshDumpDirectoryAndTheKey) {
  const fs::path report = dir_ / "report.txt";
  ScopedEnv report_env("REPORT", report.c_str());
  ASSERT_EQ(RunShell(kReportScript), 0);
  const std::vector<std::string> lines = Lines(report);
  ASSERT_GE(lines.size(), 3u) << "no report from the program";
  const fs::path prefix = lines[0];
  // <TMPDIR>/perfcheck-callgrind-XXXXXX/callgrind.out
  EXPECT_EQ(prefix.filename(), "callgrind.out");
  EXPECT_EQ(prefix.parent_path().parent_path(), dir_ / "tmp");
  EXPECT_EQ(
      prefix.parent_path().filename().string().rfind("perfcheck-callgrind-", 0),
      0u)
      << prefix;
  // Fresh: nothing in it but this run's own dump.
  for (std::size_t i = 3; i < lines.size(); ++i) {
    EXPECT_EQ(lines[i].rfind("callgrind.out", 0), 0u) << lines[i];
  }
  EXPECT_EQ(lines[1], ValgrindVersionKey());
  EXPECT_EQ(lines[1].rfind("valgrind-", 0), 0u) << lines[1];
  EXPECT_EQ(lines[2], "1");  // LD_BIND_NOW
  // Removed afterwards, and nothing else left in TMPDIR.
  EXPECT_FALSE(fs::exists(prefix.parent_path())) << prefix.parent_path();
  EXPECT_TRUE(fs::is_empty(dir_ / "tmp"));
}

TEST_F(RunUnderCallgrindForReal, ValgrindVersionIsAppendedToAGivenKey) {
  const fs::path report = dir_ / "report.txt";
  ScopedEnv report_env("REPORT", report.c_str());
  key_.Set("gcc-12 Release cxxflags=(-O2)");
  ASSERT_EQ(RunShell(kReportScript), 0);
  const std::vector<std::string> lines = Lines(report);
  ASSERT_GE(lines.size(), 2u) << "no report from the program";
  EXPECT_EQ(lines[1], "gcc-12 Release cxxflags=(-O2) " + ValgrindVersionKey());
  // Each run gets its own directory.
  ASSERT_EQ(RunShell(kReportScript), 0);
  const std::vector<std::string> again = Lines(report);
  ASSERT_GE(again.size(), 1u);
  EXPECT_NE(again[0], lines[0]);
  // This process's key is untouched.
  EXPECT_EQ(std::string(std::getenv("PERFCHECK_COUNTS_KEY")),
            "gcc-12 Release cxxflags=(-O2)");
}

}  // namespace
}  // namespace perfcheck
