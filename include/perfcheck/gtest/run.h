// Running a GoogleTest program that holds perfcheck tests: the instruction-
// count re-run under callgrind, and RUN_ALL_TESTS() with the stack placed the
// same way in every run. (Implemented in lib/gtest/flags.cc, beside the flag
// they act on.)
//
// perfcheck::gtest_main does all of this for you (lib/gtest/gtest_main.cc,
// plus turning a bad flag into exit status 2):
//   int main(int argc, char** argv) {
//     const std::vector<std::string> args(argv, argv + argc);
//     ::testing::InitGoogleTest(&argc, argv);
//     perfcheck::testing::ParseFlags(&argc, argv);              // flags.h
//     if (auto status = perfcheck::testing::MaybeRunUnderCallgrind(args)) {
//       return *status;
//     }
//     perfcheck::testing::InstallPerfListener();                // listener.h
//     return perfcheck::testing::RunAllTests();
//   }
//
// Thread-safety: call from main()'s thread, as RUN_ALL_TESTS().
#ifndef PERFCHECK_GTEST_RUN_H_
#define PERFCHECK_GTEST_RUN_H_

#include <optional>
#include <string>
#include <vector>

namespace perfcheck::testing {

// With --perfcheck_instructions and not yet under Valgrind: runs this program
// again, with its original arguments `args` (argv before InitGoogleTest), under
// callgrind (RunUnderCallgrind, instruction_counter.h) and returns its exit
// status (2, with the reason on stderr, when it cannot start). Under callgrind
// as set up that way, or without the flag: nullopt, run the tests here. With
// the flag under Valgrind started some other way: 2 and the reason.
std::optional<int> MaybeRunUnderCallgrind(const std::vector<std::string>& args);

// RUN_ALL_TESTS(). In an instruction-count run it first moves the stack so
// that the tests start at the same offset within a page on every run: the
// stack's start depends on the size of the environment and arguments, and
// the alignment of stack data (a short std::string searched for) changes
// the path a string function takes — measured 1.3% on the example suite.
int RunAllTests();

}  // namespace perfcheck::testing

#endif  // PERFCHECK_GTEST_RUN_H_
