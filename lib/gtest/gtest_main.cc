// main() of perfcheck::gtest_main: gtest's main plus the --perfcheck_* flags
// and the summary listener.
#include <gtest/gtest.h>

#include <filesystem>
#include <iostream>
#include <stdexcept>
#include <string>
#include <vector>

#include "perfcheck/gtest/flags.h"
#include "perfcheck/gtest/listener.h"
#include "perfcheck/gtest/run.h"

int main(int argc, char** argv) {
  // InitGoogleTest and ParseFlags consume their flags; a run under callgrind
  // needs them all again.
  const std::vector<std::string> args(argv, argv + argc);
  ::testing::InitGoogleTest(&argc, argv);
  // The directories perfcheck_discover_tests gave this binary travel with it:
  // run by hand from any directory, it still finds its baselines.
  std::error_code ec;
  const std::filesystem::path self =
      std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    if (perfcheck::Status s = perfcheck::testing::LoadBinaryDefaults(self);
        !s.ok()) {
      std::cerr << "perfcheck: " << s.message() << "\n";
      return 2;
    }
  }
  try {
    perfcheck::testing::ParseFlags(&argc, argv);
  } catch (const std::invalid_argument& e) {
    // A bad flag is a usage error: say so and exit like a CLI, never abort.
    std::cerr << "perfcheck: " << e.what() << "\n";
    return 2;
  }
  if (std::optional<int> status =
          perfcheck::testing::MaybeRunUnderCallgrind(args)) {
    return *status;
  }
  // Said once, loudly, before any test: a wrong directory would otherwise
  // turn every regression gate into "pass (no baseline)". Not while gtest
  // only lists the tests (ctest's discovery).
  if (!GTEST_FLAG_GET(list_tests)) {
    if (auto warning = perfcheck::testing::MissingBaselineDirWarning()) {
      std::cerr << *warning << std::endl;
    }
  }
  perfcheck::testing::InstallPerfListener();
  return perfcheck::testing::RunAllTests();
}
