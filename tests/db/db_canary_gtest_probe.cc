// Not a test: a gtest perf test that db_canary_test runs with
// --gtest_output=xml. Each test opens a database whose location carries a
// password ("CANARY...") and cannot connect, and reports the failure the way
// users do: the Status message in an assertion, an exception from value(),
// a printed line. The failure messages, stdout and the JUnit XML must not
// contain the password. Linked with perfcheck::gtest_main.
#include <gtest/gtest.h>

#include <iostream>
#include <memory>
#include <string>

#include "perfcheck/db/connection.h"
#include "perfcheck/db/gtest.h"

namespace {

using perfcheck::db::Connect;
using perfcheck::db::Database;

// Each URL fails: nothing listens on port 1, or it is malformed.
struct DsnCase {
  const char* name;
  const char* url;
};

constexpr DsnCase kDsns[] = {
    {"LibpqKeywords", "host=127.0.0.1 port=1 password=CANARYkw1 dbname=x"},
    {"LibpqKeywordsQuoted",
     "host=127.0.0.1 port=1 user=u password='CANARY kw2' dbname=x"},
    {"PostgresUrl", "postgresql://u:CANARYpg1@127.0.0.1:1/x"},
    {"PostgresUrlEncoded", "postgres://u:CANARY%2Fpg2@127.0.0.1:1/x"},
    {"PostgresOption", "postgresql://u@127.0.0.1:1/x?password=CANARYpg3"},
    {"PostgresBadPort", "postgresql://u:CANARYpg4@127.0.0.1:port/x"},
    {"MysqlUrl", "mysql://u:CANARYmy1@127.0.0.1:1/x"},
    {"MariadbUrl", "mariadb://u:CANARYmy2@127.0.0.1:1/x"},
    {"MysqlNoSlashes", "mysql:u:CANARYmy3@127.0.0.1:1/x"},
};

// gtest writes a parameter into the XML (value_param): only its name.
void PrintTo(const DsnCase& c, std::ostream* os) { *os << c.name; }

class DbProbe : public ::testing::TestWithParam<DsnCase> {};

TEST_P(DbProbe, AssertionOnTheStatus) {
  auto db = Database::Open(GetParam().url, {.pool_size = 1});
  ASSERT_TRUE(db.ok()) << db.status().message();
}

TEST_P(DbProbe, ValueThrows) {
  std::unique_ptr<Database> db = Database::Open(GetParam().url).value();
  ASSERT_NE(db, nullptr);
}

TEST_P(DbProbe, ConnectPrintedAndRecorded) {
  auto c = Connect(GetParam().url);
  if (!c.ok()) {
    std::cout << "connect failed: " << c.status().message() << "\n";
    RecordProperty("connect_error", c.status().message());
  }
  EXPECT_TRUE(c.ok()) << c.status().message();
}

INSTANTIATE_TEST_SUITE_P(Dsn, DbProbe, ::testing::ValuesIn(kDsns),
                         [](const ::testing::TestParamInfo<DsnCase>& info) {
                           return std::string(info.param.name);
                         });

}  // namespace
