// Where the database tests find their servers: PERFCHECK_PG_URL /
// PERFCHECK_MARIADB_URL, else the env file written by the ctest fixture
// (scripts/db/*.sh start), whose path is in PERFCHECK_PG_ENV_FILE /
// PERFCHECK_MARIADB_ENV_FILE. No server is a failure, never a skip.
#ifndef PERFCHECK_TESTS_DB_DB_TEST_ENV_H_
#define PERFCHECK_TESTS_DB_DB_TEST_ENV_H_

#include <cstdlib>
#include <fstream>
#include <string>

#include "perfcheck/status.h"

namespace perfcheck::db::test {

inline StatusOr<std::string> ServerUrl(const std::string& url_var,
                                       const std::string& file_var) {
  if (const char* url = std::getenv(url_var.c_str()); url && *url) {
    return std::string(url);
  }
  const char* file = std::getenv(file_var.c_str());
  if (file != nullptr && *file) {
    std::ifstream in(file);
    std::string line;
    const std::string prefix = url_var + "=";
    while (std::getline(in, line)) {
      if (line.rfind(prefix, 0) == 0) return line.substr(prefix.size());
    }
  }
  return Status::Error(
      "no database server: set " + url_var +
      " or run the test through ctest, whose fixture starts one (env file " +
      (file != nullptr ? std::string(file) : "<" + file_var + " unset>") +
      " has no URL; see the fixture's output)");
}

}  // namespace perfcheck::db::test

#endif  // PERFCHECK_TESTS_DB_DB_TEST_ENV_H_
