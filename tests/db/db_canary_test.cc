// Database locations carrying a password never reach a gtest perf test's
// output (issue 16): db_canary_gtest_probe fails to open libpq keyword DSNs
// and postgresql:// / mysql:// URLs with a "CANARY" password, and neither
// its stdout nor its JUnit XML may contain one. And a sqlite path is a file
// name, not a DSN: "password=abc.db" opens and is shown as it is.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "perfcheck/child_process.h"
#include "perfcheck/db/connection.h"
#include "perfcheck/db/timing.h"

namespace perfcheck::db {
namespace {

namespace fs = std::filesystem;

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class DbCanaryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("perfcheck_db_sweep_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path dir_;
};

TEST_F(DbCanaryTest, FailedConnectionsShowNoPasswordInGtestOutputOrXml) {
  const fs::path xml = dir_ / "junit.xml";
  ChildProcessOptions o;
  o.argv = {PERFCHECK_DB_CANARY_PROBE_PATH,
            "--gtest_output=xml:" + xml.string(),
            "--perfcheck_results_dir=" + (dir_ / "results").string(),
            "--perfcheck_candidate_dir=" + (dir_ / "candidates").string()};
  o.stdout_path = dir_ / "stdout.txt";
  o.stderr_path = dir_ / "stderr.txt";
  o.timeout = std::chrono::seconds(120);
  StatusOr<ChildProcessEnd> end = RunChildProcess(o);
  ASSERT_TRUE(end.ok()) << end.status().message();
  EXPECT_EQ(end->how, ChildProcessEnd::How::kExited)
      << end->Describe(o.timeout);
  EXPECT_EQ(end->exit_code, 1) << "every probe test fails on purpose";
  const std::string out = ReadFile(o.stdout_path);
  const std::string text = ReadFile(xml);
  // The failures were written, with what went wrong.
  EXPECT_NE(text.find("failures=\"27\""), std::string::npos) << text;
  EXPECT_NE(text.find("invalid database URL &apos;host=127.0.0.1 port=1 "
                      "password=&lt;redacted&gt; dbname=x&apos;"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("StatusOr has no value"), std::string::npos) << text;
  EXPECT_NE(text.find("127.0.0.1:1"), std::string::npos) << text;
  EXPECT_NE(out.find("connect failed: "), std::string::npos) << out;
  for (const auto& [where, content] :
       {std::pair<std::string, std::string>{"stdout", out},
        {"stderr", ReadFile(o.stderr_path)},
        {"JUnit XML", text}}) {
    EXPECT_EQ(content.find("CANARY"), std::string::npos)
        << where << " shows a password:\n"
        << content;
  }
}

// A sqlite path is a file name: "password=" in it is no secret to hide, and
// the database opens and is described as it is. Only secret-named options
// are redacted.
TEST_F(DbCanaryTest, SqlitePathNamedLikeAKeywordIsAFileName) {
  const std::string path = (dir_ / "password=abc.db").string();
  const std::string url = "sqlite://" + path;
  auto db = Database::Open(url, {.pool_size = 2});
  ASSERT_TRUE(db.ok()) << db.status().message();
  EXPECT_EQ((*db)->Describe(), url);
  ASSERT_TRUE((*db)->ExecuteScript("CREATE TABLE t(x INTEGER)").ok());
  EXPECT_TRUE(fs::exists(path));
  const Result r = TimeQuery(**db, "SELECT count(*) FROM t", {},
                             {.warmup_iterations = 1, .iterations = 5});
  EXPECT_EQ(r.OkCount(), 5u);
  EXPECT_EQ(r.config.at("url"), url);

  // A missing directory: the error shows the path unchanged.
  const std::string missing = (dir_ / "missing" / "password=abc.db").string();
  auto no_dir = Database::Open("sqlite://" + missing);
  ASSERT_FALSE(no_dir.ok());
  EXPECT_NE(no_dir.status().message().find("cannot open 'sqlite://" + missing +
                                           "': unable to open database file"),
            std::string::npos)
      << no_dir.status().message();

  // A malformed URL: the path is shown whole, a secret-named option is not.
  auto bad = Database::Open(url + "?busy_timeout_ms=%zz");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("invalid database URL '" + url +
                                        "?busy_timeout_ms=%zz'"),
            std::string::npos)
      << bad.status().message();
  bad = Database::Open(url + "?password=CANARYsq2&busy_timeout_ms=%zz");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("'" + url + "?password=<redacted>&"),
            std::string::npos)
      << bad.status().message();
  EXPECT_EQ(bad.status().message().find("CANARY"), std::string::npos);
  auto busy = Database::Open(url + "?busy_timeout_ms=soon");
  ASSERT_FALSE(busy.ok());
  EXPECT_NE(busy.status().message().find("'" + url + "?busy_timeout_ms=soon'"),
            std::string::npos)
      << busy.status().message();
}

}  // namespace
}  // namespace perfcheck::db
