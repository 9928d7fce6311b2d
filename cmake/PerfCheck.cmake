# CMake helpers for projects whose GoogleTest binaries hold perfcheck tests.
#
#   perfcheck_discover_tests(<target>
#       [BASELINE_DIR <dir>]    # default: ${CMAKE_CURRENT_SOURCE_DIR}/baselines
#       [RESULTS_DIR <dir>]     # default: ${CMAKE_CURRENT_BINARY_DIR}/perfcheck-results
#       [CANDIDATE_DIR <dir>]   # default: ${CMAKE_CURRENT_BINARY_DIR}/perfcheck-candidates
#       [LABELS <label>...]     # added to the label "perf"
#       [TIMEOUT <seconds>]     # per test, default 300
#       [TEST_PREFIX <prefix>])
#
# Registers every gtest case of <target> as a ctest test labelled "perf" and
# RUN_SERIAL (perf tests must not compete for the cores), and passes the
# baseline, results and candidate directories as --perfcheck_* flags, so
# `ctest -L perf` runs them against the committed baselines.
include_guard(GLOBAL)
include(GoogleTest)

function(perfcheck_discover_tests target)
  # GoogleTest sets _GOOGLETEST_DISCOVER_TESTS_SCRIPT only in the directory
  # that included it; re-include here so a caller in another directory (a
  # project using perfcheck via add_subdirectory) gets it too.
  include(GoogleTest)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "BASELINE_DIR;RESULTS_DIR;CANDIDATE_DIR;TIMEOUT;TEST_PREFIX" "LABELS")
  if(arg_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "perfcheck_discover_tests: unknown arguments: ${arg_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT TARGET ${target})
    message(FATAL_ERROR "perfcheck_discover_tests: '${target}' is not a target")
  endif()
  if(NOT arg_BASELINE_DIR)
    set(arg_BASELINE_DIR "${CMAKE_CURRENT_SOURCE_DIR}/baselines")
  endif()
  if(NOT arg_RESULTS_DIR)
    set(arg_RESULTS_DIR "${CMAKE_CURRENT_BINARY_DIR}/perfcheck-results")
  endif()
  if(NOT arg_CANDIDATE_DIR)
    set(arg_CANDIDATE_DIR "${CMAKE_CURRENT_BINARY_DIR}/perfcheck-candidates")
  endif()
  if(NOT arg_TIMEOUT)
    set(arg_TIMEOUT 300)
  endif()
  set(labels perf ${arg_LABELS})
  # gtest_discover_tests flattens list-valued PROPERTIES; an escaped ';'
  # survives into the generated ctest file as a list separator.
  string(REPLACE ";" "\\;" labels "${labels}")
  gtest_discover_tests(${target}
    TEST_PREFIX "${arg_TEST_PREFIX}"
    EXTRA_ARGS
      "--perfcheck_baseline_dir=${arg_BASELINE_DIR}"
      "--perfcheck_results_dir=${arg_RESULTS_DIR}"
      "--perfcheck_candidate_dir=${arg_CANDIDATE_DIR}"
    PROPERTIES LABELS "${labels}" RUN_SERIAL TRUE TIMEOUT ${arg_TIMEOUT}
    DISCOVERY_MODE PRE_TEST
  )
endfunction()
