// The test-program side of the GoogleTest adapter, one concept per header:
//   perfcheck/gtest/flags.h     --perfcheck_* flags and the settings they give
//   perfcheck/gtest/run.h       MaybeRunUnderCallgrind, RunAllTests
//   perfcheck/gtest/registry.h  the results the assertions judged
//   perfcheck/gtest/listener.h  the summary table and result files at the end
// This header includes them all, so existing includes keep working; new code
// may include only the part it uses.
//
// perfcheck::gtest_main does all of this for you (see run.h for its main()).
#ifndef PERFCHECK_GTEST_PERF_LISTENER_H_
#define PERFCHECK_GTEST_PERF_LISTENER_H_

#include "perfcheck/gtest/flags.h"
#include "perfcheck/gtest/listener.h"
#include "perfcheck/gtest/registry.h"
#include "perfcheck/gtest/run.h"

#endif  // PERFCHECK_GTEST_PERF_LISTENER_H_
