// main() of perfcheck::gtest_main: gtest's main plus the --perfcheck_* flags
// and the summary listener.
#include <gtest/gtest.h>

#include <iostream>
#include <stdexcept>
#include <string>
#include <vector>

#include "perfcheck/gtest/perf_listener.h"

int main(int argc, char** argv) {
  // InitGoogleTest and ParseFlags consume their flags; a run under callgrind
  // needs them all again.
  const std::vector<std::string> args(argv, argv + argc);
  ::testing::InitGoogleTest(&argc, argv);
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
  perfcheck::testing::InstallPerfListener();
  return perfcheck::testing::RunAllTests();
}
