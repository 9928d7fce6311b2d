#include "perfcheck/fingerprint.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <optional>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "perfcheck/machine.h"
#include "scoped_env.h"

namespace perfcheck {
namespace {

using Lines = std::vector<std::string>;

bool FullyMatches(const std::string& text, const char* pattern) {
  return std::regex_match(text, std::regex(pattern));
}

using perfcheck::test::ScopedEnv;

TEST(FingerprintTest, LinuxFieldsAreFilled) {
  const Fingerprint f = CaptureFingerprint();
  EXPECT_FALSE(f.cpu_model.empty());
  EXPECT_GT(f.cores, 0);
  EXPECT_FALSE(f.kernel.empty());
  EXPECT_FALSE(f.os.empty());
  EXPECT_FALSE(f.compiler.empty());
  EXPECT_FALSE(f.build_type.empty());
  EXPECT_FALSE(f.perfcheck_version.empty());
  EXPECT_TRUE(FullyMatches(f.compiler, "(GCC|Clang) [0-9]+\\.[0-9]+\\.[0-9]+"))
      << f.compiler;
}

TEST(FingerprintTest, HostnameIsStoredOnlyAsAShortHash) {
  const Fingerprint f = CaptureFingerprint();
  EXPECT_TRUE(FullyMatches(f.hostname_hash, "[0-9a-f]{12}")) << f.hostname_hash;
  char host[256] = {};
  ASSERT_EQ(gethostname(host, sizeof(host) - 1), 0);
  EXPECT_NE(f.hostname_hash, std::string(host));
}

TEST(FingerprintTest, CaptureIsStableAndThreadSafe) {
  const Fingerprint first = CaptureFingerprint();
  std::vector<Fingerprint> seen(4);
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&seen, i] { seen[i] = CaptureFingerprint(); });
  }
  for (std::thread& t : threads) t.join();
  for (const Fingerprint& f : seen) EXPECT_EQ(f, first);
  EXPECT_EQ(first.MachineDifferences(CaptureFingerprint()), Lines{});
}

TEST(FingerprintTest, GitShaComesFromEnvironmentInPriorityOrder) {
  ScopedEnv perfcheck_sha("PERFCHECK_GIT_SHA", nullptr);
  ScopedEnv github_sha("GITHUB_SHA", nullptr);
  ScopedEnv gitlab_sha("CI_COMMIT_SHA", nullptr);
  EXPECT_EQ(CaptureFingerprint().git_sha, "");
  {
    ScopedEnv gitlab("CI_COMMIT_SHA", "cccc");
    EXPECT_EQ(CaptureFingerprint().git_sha, "cccc");
    {
      ScopedEnv github("GITHUB_SHA", "bbbb");
      EXPECT_EQ(CaptureFingerprint().git_sha, "bbbb");
      {
        ScopedEnv explicit_sha("PERFCHECK_GIT_SHA", "aaaa");
        EXPECT_EQ(CaptureFingerprint().git_sha, "aaaa");
      }
      EXPECT_EQ(CaptureFingerprint().git_sha, "bbbb");
    }
  }
  EXPECT_EQ(CaptureFingerprint().git_sha, "");
}

TEST(FingerprintTest, GitShaDoesNotCountAsAMachineDifference) {
  Fingerprint a = CaptureFingerprint();
  Fingerprint b = a;
  b.git_sha = "deadbeef";
  b.perfcheck_version = "9.9.9";
  EXPECT_EQ(a.MachineDifferences(b), Lines{});
  EXPECT_NE(a, b);
}

TEST(FingerprintTest, MachineDifferencesListChangedFields) {
  Fingerprint a;
  a.cpu_model = "Intel Xeon";
  a.cores = 8;
  a.cpu_governor = "performance";
  a.os = "Debian GNU/Linux 12 (bookworm)";
  a.kernel = "6.1.0";
  a.compiler = "GCC 12.2.0";
  a.build_type = "Release";
  a.hostname_hash = "0123456789ab";

  Fingerprint b = a;
  EXPECT_EQ(a.MachineDifferences(b), Lines{});

  b.cores = 2;
  b.cpu_governor = "powersave";
  b.build_type = "Debug";
  EXPECT_EQ(a.MachineDifferences(b),
            (Lines{"cores: 8 -> 2", "cpu_governor: performance -> powersave",
                   "build_type: Release -> Debug"}));

  Fingerprint c = a;
  c.cpu_model = "AMD EPYC";
  c.os = "Ubuntu 22.04";
  c.kernel = "5.15.0";
  c.compiler = "Clang 15.0.7";
  c.hostname_hash = "ba9876543210";
  EXPECT_EQ(
      a.MachineDifferences(c),
      (Lines{"cpu_model: Intel Xeon -> AMD EPYC",
             "os: Debian GNU/Linux 12 (bookworm) -> Ubuntu 22.04",
             "kernel: 6.1.0 -> 5.15.0", "compiler: GCC 12.2.0 -> Clang 15.0.7",
             "hostname_hash: 0123456789ab -> ba9876543210"}));
}

TEST(FingerprintTest, UnknownFieldsAreShownAsUnknown) {
  Fingerprint a;
  a.cores = 4;
  Fingerprint b;
  b.cpu_governor = "performance";
  EXPECT_EQ(a.MachineDifferences(b),
            (Lines{"cores: 4 -> (unknown)",
                   "cpu_governor: (unknown) -> performance"}));
}

}  // namespace
}  // namespace perfcheck
