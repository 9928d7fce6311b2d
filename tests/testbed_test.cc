#include "perfcheck/testbed.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <cmath>
#include <optional>
#include <regex>
#include <stdexcept>
#include <string>

#include "perfcheck/machine.h"
#include "scoped_env.h"

namespace perfcheck {
namespace {

using perfcheck::test::ScopedEnv;

// Every test starts and ends with no override and no PERFCHECK_TESTBED.
class TestbedTest : public ::testing::Test {
 protected:
  void SetUp() override { SetTestbedName(""); }
  void TearDown() override { SetTestbedName(""); }

  ScopedEnv no_env_{"PERFCHECK_TESTBED", nullptr};
};

bool IsDerivedName(const std::string& name) {
  return std::regex_match(name, std::regex("auto-[0-9a-f]{8}"));
}

// A fully filled fingerprint of a made-up machine.
Fingerprint Machine() {
  Fingerprint f;
  f.cpu_model = "Intel(R) Xeon(R) Platinum 8370C CPU @ 2.80GHz";
  f.cores = 2;
  f.cpu_governor = "performance";
  f.os = "Ubuntu 22.04.4 LTS";
  f.kernel = "6.5.0-1025-azure";
  f.compiler = "GCC 12.2.0";
  f.build_type = "Release";
  f.perfcheck_version = "0.9.0";
  f.git_sha = "0123456789abcdef0123456789abcdef01234567";
  f.hostname_hash = "a1b2c3d4";
  return f;
}

Fingerprint On(const std::string& testbed, double probe_ns) {
  Fingerprint f = Machine();
  f.testbed = testbed;
  f.speed_probe_ns = probe_ns;
  return f;
}

// ------------------------------------------------------------- names ----

TEST_F(TestbedTest, ValidNamesAreAccepted) {
  for (const char* name : {"laptop", "ci-ubuntu-2c", "A.b_c-9", "x", "auto",
                           "autos", "my-auto-box", "CI_Runner.2"}) {
    EXPECT_TRUE(ValidateTestbedName(name).ok())
        << name << ": " << ValidateTestbedName(name).message();
  }
  EXPECT_TRUE(ValidateTestbedName(std::string(64, 'a')).ok());
}

TEST_F(TestbedTest, InvalidNamesSayWhatIsWrong) {
  const Status empty = ValidateTestbedName("");
  ASSERT_FALSE(empty.ok());
  EXPECT_NE(empty.message().find("empty"), std::string::npos)
      << empty.message();

  const Status long_name = ValidateTestbedName(std::string(65, 'a'));
  ASSERT_FALSE(long_name.ok());
  EXPECT_NE(long_name.message().find("longer than 64"), std::string::npos)
      << long_name.message();

  for (const char* bad :
       {"my laptop", "ci/runner", "tab\there", "a:b", "laptop\n", "\xc3\xa4"}) {
    const Status s = ValidateTestbedName(bad);
    ASSERT_FALSE(s.ok()) << bad;
    EXPECT_NE(s.message().find("may hold only"), std::string::npos)
        << s.message();
  }

  for (const char* reserved : {"auto-x", "auto-", "auto-1a2b3c4d"}) {
    const Status s = ValidateTestbedName(reserved);
    ASSERT_FALSE(s.ok()) << reserved;
    EXPECT_NE(s.message().find("reserved"), std::string::npos) << s.message();
  }
}

// ------------------------------------------------- given name: override --

TEST_F(TestbedTest, NoNameGivenIsEmpty) {
  const StatusOr<std::string> given = GivenTestbedName();
  ASSERT_TRUE(given.ok()) << given.status().message();
  EXPECT_EQ(*given, "");
}

TEST_F(TestbedTest, SetTestbedNameOverridesAndEmptyClears) {
  SetTestbedName("laptop");
  StatusOr<std::string> given = GivenTestbedName();
  ASSERT_TRUE(given.ok()) << given.status().message();
  EXPECT_EQ(*given, "laptop");

  SetTestbedName("ci-ubuntu-2c");
  given = GivenTestbedName();
  ASSERT_TRUE(given.ok());
  EXPECT_EQ(*given, "ci-ubuntu-2c");

  SetTestbedName("");
  given = GivenTestbedName();
  ASSERT_TRUE(given.ok());
  EXPECT_EQ(*given, "");
}

TEST_F(TestbedTest, SetTestbedNameRejectsBadNamesAndKeepsThePrevious) {
  SetTestbedName("laptop");
  EXPECT_THROW(SetTestbedName("my laptop"), std::invalid_argument);
  EXPECT_THROW(SetTestbedName("auto-1a2b3c4d"), std::invalid_argument);
  EXPECT_THROW(SetTestbedName(std::string(65, 'x')), std::invalid_argument);
  const StatusOr<std::string> given = GivenTestbedName();
  ASSERT_TRUE(given.ok());
  EXPECT_EQ(*given, "laptop");
}

// -------------------------------------------- given name: environment ----

TEST_F(TestbedTest, EnvironmentNamesTheTestbed) {
  ScopedEnv env("PERFCHECK_TESTBED", "ci-ubuntu-2c");
  const StatusOr<std::string> given = GivenTestbedName();
  ASSERT_TRUE(given.ok()) << given.status().message();
  EXPECT_EQ(*given, "ci-ubuntu-2c");
}

TEST_F(TestbedTest, EmptyEnvironmentValueIsNoName) {
  ScopedEnv env("PERFCHECK_TESTBED", "");
  const StatusOr<std::string> given = GivenTestbedName();
  ASSERT_TRUE(given.ok()) << given.status().message();
  EXPECT_EQ(*given, "");
}

TEST_F(TestbedTest, InvalidEnvironmentValueIsAnErrorNamingTheVariable) {
  for (const char* bad : {"my laptop", "auto-1a2b3c4d"}) {
    ScopedEnv env("PERFCHECK_TESTBED", bad);
    const StatusOr<std::string> given = GivenTestbedName();
    ASSERT_FALSE(given.ok()) << bad;
    EXPECT_NE(given.status().message().find("PERFCHECK_TESTBED"),
              std::string::npos)
        << given.status().message();
  }
}

TEST_F(TestbedTest, OverrideWinsOverTheEnvironment) {
  ScopedEnv env("PERFCHECK_TESTBED", "from-env");
  SetTestbedName("from-flag");
  StatusOr<std::string> given = GivenTestbedName();
  ASSERT_TRUE(given.ok());
  EXPECT_EQ(*given, "from-flag");
  // Cleared, the environment is read again.
  SetTestbedName("");
  given = GivenTestbedName();
  ASSERT_TRUE(given.ok());
  EXPECT_EQ(*given, "from-env");
}

TEST_F(TestbedTest, OverrideHidesAnInvalidEnvironmentValue) {
  ScopedEnv env("PERFCHECK_TESTBED", "not valid");
  SetTestbedName("laptop");
  StatusOr<std::string> given = GivenTestbedName();
  ASSERT_TRUE(given.ok()) << given.status().message();
  EXPECT_EQ(*given, "laptop");
  SetTestbedName("");
  EXPECT_FALSE(GivenTestbedName().ok());
}

// ------------------------------------------------------- derived names ----

TEST_F(TestbedTest, DerivedNameIsStableAndWellFormed) {
  const std::string name = DerivedTestbedName(Machine());
  EXPECT_TRUE(IsDerivedName(name)) << name;
  EXPECT_EQ(DerivedTestbedName(Machine()), name);
  EXPECT_EQ(name.rfind(kDerivedTestbedPrefix, 0), 0u);
  // A derived name is not a valid user name: the two never collide.
  EXPECT_FALSE(ValidateTestbedName(name).ok());
  // Empty fields still give a well-formed name.
  EXPECT_TRUE(IsDerivedName(DerivedTestbedName(Fingerprint{})));
}

TEST_F(TestbedTest, DerivedNameChangesWithWhatChangesTheMachinesSpeed) {
  const std::string base = DerivedTestbedName(Machine());
  Fingerprint kernel = Machine();
  kernel.kernel = "6.8.0-1014-azure";
  Fingerprint cores = Machine();
  cores.cores = 4;
  Fingerprint build = Machine();
  build.build_type = "Debug";
  Fingerprint cpu = Machine();
  cpu.cpu_model = "AMD EPYC 7763 64-Core Processor";
  Fingerprint os = Machine();
  os.os = "Ubuntu 24.04 LTS";
  Fingerprint compiler = Machine();
  compiler.compiler = "Clang 17.0.6";
  for (const Fingerprint* f : {&kernel, &cores, &build, &cpu, &os, &compiler}) {
    const std::string name = DerivedTestbedName(*f);
    EXPECT_TRUE(IsDerivedName(name)) << name;
    EXPECT_NE(name, base);
  }
  EXPECT_NE(DerivedTestbedName(kernel), DerivedTestbedName(cores));
  EXPECT_NE(DerivedTestbedName(cores), DerivedTestbedName(build));
}

TEST_F(TestbedTest, DerivedNameKeepsFieldsApart) {
  // ("ab", "c") and ("a", "bc") in two adjacent fields are two machines.
  Fingerprint a = Machine();
  a.os = "ab";
  a.kernel = "c";
  Fingerprint b = Machine();
  b.os = "a";
  b.kernel = "bc";
  EXPECT_NE(DerivedTestbedName(a), DerivedTestbedName(b));
}

TEST_F(TestbedTest, DerivedNameIgnoresWhatDoesNotChangeTheMachine) {
  const std::string base = DerivedTestbedName(Machine());
  Fingerprint host = Machine();
  host.hostname_hash = "ffffffff";  // CI runners are ephemeral
  Fingerprint sha = Machine();
  sha.git_sha = "fedcba9876543210fedcba9876543210fedcba98";
  Fingerprint version = Machine();
  version.perfcheck_version = "1.0.0";
  Fingerprint named = Machine();
  named.testbed = "laptop";
  named.speed_probe_ns = 12'345'678;
  for (const Fingerprint* f : {&host, &sha, &version, &named}) {
    EXPECT_EQ(DerivedTestbedName(*f), base);
  }
}

// ------------------------------------------------------------ matching ----

TEST_F(TestbedTest, SameNameAndSimilarProbeIsTheSameTestbed) {
  EXPECT_EQ(MatchTestbed(On("ci", 10'000'000), On("ci", 10'000'000)),
            TestbedMatch::kSame);
  // 1.29x apart either way: within the margin.
  EXPECT_EQ(MatchTestbed(On("ci", 1000), On("ci", 1290)), TestbedMatch::kSame);
  EXPECT_EQ(MatchTestbed(On("ci", 1290), On("ci", 1000)), TestbedMatch::kSame);
  // The margin itself is still the same machine.
  EXPECT_EQ(MatchTestbed(On("ci", 1000), On("ci", 1000 * kSpeedProbeMargin)),
            TestbedMatch::kSame);
}

TEST_F(TestbedTest, SameNameButProbeBeyondTheMarginIsAnotherSpeed) {
  EXPECT_EQ(MatchTestbed(On("ci", 1000), On("ci", 1310)),
            TestbedMatch::kOtherSpeed);
  EXPECT_EQ(MatchTestbed(On("ci", 1310), On("ci", 1000)),
            TestbedMatch::kOtherSpeed);
  EXPECT_EQ(MatchTestbed(On("ci", 12e6), On("ci", 24e6)),
            TestbedMatch::kOtherSpeed);
}

TEST_F(TestbedTest, UnknownProbeOnEitherSideIsTheSameTestbed) {
  EXPECT_EQ(MatchTestbed(On("ci", 0), On("ci", 12e6)), TestbedMatch::kSame);
  EXPECT_EQ(MatchTestbed(On("ci", 12e6), On("ci", 0)), TestbedMatch::kSame);
  EXPECT_EQ(MatchTestbed(On("ci", 0), On("ci", 0)), TestbedMatch::kSame);
  EXPECT_EQ(MatchTestbed(On("ci", INFINITY), On("ci", 12e6)),
            TestbedMatch::kSame);
}

TEST_F(TestbedTest, OtherNameIsAnotherTestbed) {
  EXPECT_EQ(MatchTestbed(On("laptop", 12e6), On("ci", 12e6)),
            TestbedMatch::kOtherTestbed);
  EXPECT_EQ(MatchTestbed(On("laptop", 0), On("ci", 0)),
            TestbedMatch::kOtherTestbed);
  EXPECT_EQ(MatchTestbed(On("auto-1a2b3c4d", 12e6), On("auto-5e6f7a8b", 12e6)),
            TestbedMatch::kOtherTestbed);
  // A recorded testbed against a value that knows none.
  EXPECT_EQ(MatchTestbed(On("laptop", 12e6), On("", 12e6)),
            TestbedMatch::kOtherTestbed);
  // Names compare exactly.
  EXPECT_EQ(MatchTestbed(On("Laptop", 12e6), On("laptop", 12e6)),
            TestbedMatch::kOtherTestbed);
}

TEST_F(TestbedTest, RecordedWithoutTestbedIsUnrecorded) {
  EXPECT_EQ(MatchTestbed(On("", 0), On("ci", 12e6)), TestbedMatch::kUnrecorded);
  EXPECT_EQ(MatchTestbed(On("", 12e6), On("ci", 12e6)),
            TestbedMatch::kUnrecorded);
}

TEST_F(TestbedTest, BothWithoutTestbedIsTheSame) {
  EXPECT_EQ(MatchTestbed(On("", 0), On("", 0)), TestbedMatch::kSame);
  EXPECT_EQ(MatchTestbed(Fingerprint{}, Fingerprint{}), TestbedMatch::kSame);
  // Nothing says they differ: the probes are not consulted.
  EXPECT_EQ(MatchTestbed(On("", 1000), On("", 5000)), TestbedMatch::kSame);
}

TEST_F(TestbedTest, Labels) {
  EXPECT_EQ(TestbedLabel(On("laptop", 0)), "laptop");
  EXPECT_EQ(TestbedLabel(On("auto-1a2b3c4d", 0)), "auto-1a2b3c4d");
  EXPECT_EQ(TestbedLabel(On("", 0)), "(unrecorded)");
}

// ------------------------------------------------- captured fingerprint ----

TEST_F(TestbedTest, CaptureCarriesADerivedTestbedByDefault) {
  const Fingerprint f = CaptureFingerprint();
  EXPECT_TRUE(IsDerivedName(f.testbed)) << f.testbed;
  EXPECT_EQ(f.testbed, DerivedTestbedName(f));
}

TEST_F(TestbedTest, CaptureCarriesTheGivenName) {
  SetTestbedName("bench-box");
  EXPECT_EQ(CaptureFingerprint().testbed, "bench-box");
  SetTestbedName("");
  EXPECT_TRUE(IsDerivedName(CaptureFingerprint().testbed));

  ScopedEnv env("PERFCHECK_TESTBED", "env-box");
  EXPECT_EQ(CaptureFingerprint().testbed, "env-box");
}

TEST_F(TestbedTest, CaptureFallsBackToTheDerivedNameForAnInvalidName) {
  ScopedEnv env("PERFCHECK_TESTBED", "not valid");
  const Fingerprint f = CaptureFingerprint();
  EXPECT_TRUE(IsDerivedName(f.testbed)) << f.testbed;
  EXPECT_EQ(f.testbed, DerivedTestbedName(f));
}

TEST_F(TestbedTest, CaptureCarriesTheSpeedProbeMeasuredOnce) {
  const Fingerprint f = CaptureFingerprint();
  EXPECT_GT(f.speed_probe_ns, 0);
  EXPECT_TRUE(std::isfinite(f.speed_probe_ns));
  // Measured once per process: every capture carries the same value.
  EXPECT_EQ(f.speed_probe_ns, SpeedProbeNanos());
  EXPECT_EQ(CaptureFingerprint().speed_probe_ns, f.speed_probe_ns);
  // Two captures in one process are always the same testbed.
  EXPECT_EQ(MatchTestbed(f, CaptureFingerprint()), TestbedMatch::kSame);
}

TEST_F(TestbedTest, StoredNamesAreUserNamesOrDerivedKeys) {
  EXPECT_TRUE(ValidateStoredTestbedName("laptop").ok());
  EXPECT_TRUE(ValidateStoredTestbedName("auto-1a2b3c4d").ok());
  EXPECT_TRUE(
      ValidateStoredTestbedName(DerivedTestbedName(Fingerprint{})).ok());
  // "auto-" is reserved for exactly 8 lowercase hex digits.
  for (const char* bad : {"auto-1a2b3c4", "auto-1a2b3c4d5", "auto-1A2B3C4D",
                          "auto-laptop", "my laptop", ""}) {
    EXPECT_FALSE(ValidateStoredTestbedName(bad).ok()) << bad;
  }
}

TEST_F(TestbedTest, TimeNotJudgedNoteNamesEveryRecordedTestbed) {
  EXPECT_EQ(TimeNotJudgedNote("ci", {{"laptop", 3}}),
            "time not judged: the baseline holds no run of this testbed (ci), "
            "only 3 runs of testbed laptop");
  EXPECT_EQ(TimeNotJudgedNote("ci", {{std::string(kUnrecordedTestbedLabel), 1},
                                     {"laptop", 2}}),
            "time not judged: the baseline holds no run of this testbed (ci), "
            "only 1 run of an unrecorded testbed (recorded before testbeds), "
            "2 runs of testbed laptop");
  EXPECT_EQ(TimeNotJudgedNote("", {}),
            "time not judged: the baseline holds no run of this testbed "
            "(unknown), only none");
}

}  // namespace
}  // namespace perfcheck
