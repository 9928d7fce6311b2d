# CMake helpers for projects whose GoogleTest binaries hold perfcheck tests.
#
#   perfcheck_discover_tests(<target>
#       [BASELINE_DIR <dir>]    # default: ${CMAKE_CURRENT_SOURCE_DIR}/baselines
#       [RESULTS_DIR <dir>]     # default: ${CMAKE_CURRENT_BINARY_DIR}/perfcheck-results
#       [CANDIDATE_DIR <dir>]   # default: ${CMAKE_CURRENT_BINARY_DIR}/perfcheck-candidates
#       [LABELS <label>...]     # added to the label "perf"
#       [TIMEOUT <seconds>]     # per test, default 300
#       [TEST_PREFIX <prefix>]
#       [TEST_FILTER <gtest filter>]  # only these cases are perf tests
#       [INSTRUCTIONS]          # also register "<test>.instructions" variants
#       [INSTRUCTIONS_TIMEOUT <seconds>])  # per variant, default 900
#
# TEST_FILTER (a --gtest_filter expression) picks the perf tests of a binary
# that also holds plain unit tests; register the others yourself, e.g.
# gtest_discover_tests(<target> TEST_FILTER "-<same expression>"), so they are
# neither labelled "perf" nor serial.
#
# Registers every gtest case of <target> as a ctest test labelled "perf" and
# RUN_SERIAL (perf tests must not compete for the cores), and passes the
# baseline, results and candidate directories as --perfcheck_* flags, so
# `ctest -L perf` runs them against the committed baselines. The same
# directories are written beside the binary ("<binary>.perfcheck"), where
# perfcheck::gtest_main finds them, so the binary run by hand from any
# directory uses them too (a flag or PERFCHECK_* variable still wins).
#
# INSTRUCTIONS registers a second test per case, "<Suite.Test>.instructions",
# labelled "perf" and "instructions", that runs the case with
# --perfcheck_instructions: under Valgrind's callgrind, counting the
# instructions of each measured call (docs/instruction-counts.md), judged
# against "<Suite.Test>.instructions.json" in the same baseline directory.
# Counts do not depend on load, so these are not RUN_SERIAL. The counts key
# gets a hash of this build's compiler flags (PERFCHECK_COUNTS_KEY). Needs valgrind at
# configure time (Debian package "valgrind").
#
# The tests are discovered when ctest runs. Their names are then in the
# variables <target>_TESTS and <target>_instructions_TESTS, for a ctest
# include file (TEST_INCLUDE_FILES) that adds properties such as a fixture
# (examples/db/CMakeLists.txt does).
include_guard(GLOBAL)
include(GoogleTest)

function(perfcheck_discover_tests target)
  # GoogleTest sets _GOOGLETEST_DISCOVER_TESTS_SCRIPT only in the directory
  # that included it; re-include here so a caller in another directory (a
  # project using perfcheck via add_subdirectory) gets it too.
  include(GoogleTest)
  cmake_parse_arguments(PARSE_ARGV 1 arg "INSTRUCTIONS"
    "BASELINE_DIR;RESULTS_DIR;CANDIDATE_DIR;TIMEOUT;TEST_PREFIX;TEST_FILTER;INSTRUCTIONS_TIMEOUT"
    "LABELS")
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
  set(filter "")
  if(arg_TEST_FILTER)
    set(filter TEST_FILTER "${arg_TEST_FILTER}")
  endif()
  # The same directories for a run by hand (./<binary>, from any directory):
  # perfcheck::gtest_main reads "<binary>.perfcheck" (LoadBinaryDefaults in
  # perfcheck/gtest/flags.h). Absolute, as ctest resolves them: from this
  # binary directory, its working directory.
  set(defaults "# Written by perfcheck_discover_tests; flags and PERFCHECK_* variables win.\n")
  foreach(kind BASELINE RESULTS CANDIDATE)
    cmake_path(ABSOLUTE_PATH arg_${kind}_DIR
      BASE_DIRECTORY "${CMAKE_CURRENT_BINARY_DIR}" OUTPUT_VARIABLE dir)
    string(TOLOWER "${kind}" key)
    string(APPEND defaults "${key}_dir=${dir}\n")
  endforeach()
  file(GENERATE OUTPUT "$<TARGET_FILE:${target}>.perfcheck" CONTENT "${defaults}")
  # gtest_discover_tests(PROPERTIES ...) flattens list values, so a second
  # label (or an odd number of them) would be lost or shift the properties
  # after it. The properties are set instead by a file ctest includes after
  # the discovered tests (_perfcheck_set_discovered_properties).
  gtest_discover_tests(${target}
    TEST_PREFIX "${arg_TEST_PREFIX}"
    ${filter}
    EXTRA_ARGS
      "--perfcheck_baseline_dir=${arg_BASELINE_DIR}"
      "--perfcheck_results_dir=${arg_RESULTS_DIR}"
      "--perfcheck_candidate_dir=${arg_CANDIDATE_DIR}"
    TEST_LIST ${target}_TESTS
    DISCOVERY_MODE PRE_TEST
  )
  _perfcheck_set_discovered_properties(${target}_TESTS
    LABELS perf ${arg_LABELS} RUN_SERIAL TIMEOUT ${arg_TIMEOUT})
  if(NOT arg_INSTRUCTIONS)
    return()
  endif()
  find_program(PERFCHECK_VALGRIND valgrind)
  if(NOT PERFCHECK_VALGRIND)
    message(FATAL_ERROR "perfcheck_discover_tests(${target} INSTRUCTIONS): "
      "valgrind not found; install it (Debian package \"valgrind\")")
  endif()
  if(NOT arg_INSTRUCTIONS_TIMEOUT)
    set(arg_INSTRUCTIONS_TIMEOUT 900)
  endif()
  _perfcheck_counts_flags(${target} flags)
  gtest_discover_tests(${target}
    TEST_PREFIX "${arg_TEST_PREFIX}"
    ${filter}
    TEST_SUFFIX ".instructions"
    EXTRA_ARGS
      "--perfcheck_baseline_dir=${arg_BASELINE_DIR}"
      "--perfcheck_results_dir=${arg_RESULTS_DIR}"
      "--perfcheck_candidate_dir=${arg_CANDIDATE_DIR}"
      "--perfcheck_instructions"
    TEST_LIST ${target}_instructions_TESTS
    DISCOVERY_MODE PRE_TEST
  )
  _perfcheck_set_discovered_properties(${target}_instructions_TESTS
    LABELS perf instructions ${arg_LABELS}
    TIMEOUT ${arg_INSTRUCTIONS_TIMEOUT}
    ENVIRONMENT "PERFCHECK_COUNTS_KEY=${flags}")
endfunction()

# _perfcheck_counts_flags(<target> <out_var>): the part of the counts key
# (CountsKey(), machine.h) only the build knows: a short hash of the C++
# flags of this build type and <target>'s own compile options, as
# "cxxflags:<12 hex digits>". Equal flags give equal keys on every machine;
# options added to the target after this call are not seen.
function(_perfcheck_counts_flags target out_var)
  string(TOUPPER "${CMAKE_BUILD_TYPE}" config)
  get_target_property(options ${target} COMPILE_OPTIONS)
  if(NOT options)
    set(options "")
  endif()
  string(SHA256 hash "${CMAKE_CXX_FLAGS}|${CMAKE_CXX_FLAGS_${config}}|${options}")
  string(SUBSTRING "${hash}" 0 12 hash)
  set(${out_var} "cxxflags:${hash}" PARENT_SCOPE)
endfunction()

# _perfcheck_set_discovered_properties(<list variable> LABELS <label>...
#     TIMEOUT <seconds> [RUN_SERIAL] [ENVIRONMENT <NAME=value>])
# Writes a file that ctest includes after the tests gtest_discover_tests
# found (their names are in <list variable> by then) and sets these
# properties on each, every label kept.
function(_perfcheck_set_discovered_properties list_var)
  cmake_parse_arguments(PARSE_ARGV 1 p "RUN_SERIAL" "TIMEOUT;ENVIRONMENT"
                        "LABELS")
  list(REMOVE_ITEM p_LABELS "")
  list(JOIN p_LABELS ";" labels)
  set(body "    LABELS \"${labels}\"\n    TIMEOUT ${p_TIMEOUT}\n")
  if(p_RUN_SERIAL)
    string(APPEND body "    RUN_SERIAL TRUE\n")
  endif()
  if(DEFINED p_ENVIRONMENT)
    # A bracket argument keeps flags such as -DNAME=\"x\" or ${...} literal.
    string(APPEND body "    ENVIRONMENT [==[${p_ENVIRONMENT}]==]\n")
  endif()
  set(file "${CMAKE_CURRENT_BINARY_DIR}/${list_var}_properties.cmake")
  file(WRITE "${file}"
    "# Generated by perfcheck_discover_tests: properties of discovered tests.\n"
    "foreach(_perfcheck_test IN LISTS ${list_var})\n"
    "  set_tests_properties(\"\${_perfcheck_test}\" PROPERTIES\n${body}  )\n"
    "endforeach()\n")
  set_property(DIRECTORY APPEND PROPERTY TEST_INCLUDE_FILES "${file}")
endfunction()

# perfcheck_add_benchmark(<target>
#     [BASELINE <file>]       # default: ${CMAKE_CURRENT_SOURCE_DIR}/baselines/<target>.json
#     [REPETITIONS <n>]       # --benchmark_repetitions, default 10 (>= 5 to judge)
#     [MIN_TIME <t>]          # --benchmark_min_time as your Google Benchmark takes it
#                             #   ("0.05" in 1.7, "0.05s" in 1.8); default: library's
#     [THRESHOLD <10%>]       # smallest slowdown that fails, default 10%
#     [FILTER <regex>]        # --benchmark_filter
#     [THRESHOLD_FOR <regex=pct>...]  # per-benchmark thresholds
#     [METRIC cpu_time|real_time|both|instructions|counter:NAME]  # default cpu_time
#                             #   (instructions: under Valgrind, see below)
#     [CALIBRATE]             # normalise by the perfcheck/calibration benchmark
#                             #   (a baseline recorded on another machine)
#     [NO_CONFIRM]            # fail on the first regressed run (default: re-run once)
#     [TEST_NAME <name>]      # default <target>
#     [LABELS <label>...]     # added to "perf"
#     [TIMEOUT <seconds>])    # default 600
#
# Registers the Google Benchmark executable <target> as a ctest test labelled
# "perf" and RUN_SERIAL that runs it with repetitions and JSON output and
# judges it against the baseline with `perfcheck compare --run`
# (docs/benchmark-gate.md): the test fails (exit 1) on a credible regression
# and prints the verdict table; a regression must repeat in a second run
# unless NO_CONFIRM. Without a baseline file the test passes and writes a
# candidate to ${CMAKE_CURRENT_BINARY_DIR}/perfcheck-candidates/<target>.json
# (record it with `perfcheck baseline update <baseline> <candidate>`). The run's
# JSON is kept in ${CMAKE_CURRENT_BINARY_DIR}/perfcheck-results/<target>.json.
# The perfcheck executable: perfcheck::cli when imported, perfcheck_cli inside
# perfcheck's own build, else `perfcheck` on the PATH (PERFCHECK_EXECUTABLE).
#
# METRIC instructions counts instructions per iteration under Valgrind, so the
# gate needs no PMU and holds on any machine with the same build: the binary
# (which counts with perfcheck::BenchmarkPerfCounter) runs through a generated
# wrapper, ${CMAKE_CURRENT_BINARY_DIR}/perfcheck-callgrind/<test>.sh, as
#   valgrind --tool=callgrind --instr-atstart=no
#            --callgrind-out-file=<dir>/callgrind <binary>
# (<dir> a fresh ./.perfcheck-callgrind-XXXXXX, removed after the run) with
# PERFCHECK_CALLGRIND_OUT=<dir>/callgrind and PERFCHECK_COUNTS_KEY set
# to the valgrind version, compiler, build type and a hash of the C++ flags
# (CMAKE_CXX_FLAGS, CMAKE_CXX_FLAGS_<BUILD_TYPE> and the target's
# COMPILE_OPTIONS as set when this function is called): what the counts
# depend on. Defaults then: THRESHOLD 1% (counts are exact), REPETITIONS 3,
# MIN_TIME 0.000001 (one iteration per repetition, so the loop's own cost is
# the same in every run), NO_CONFIRM (a re-run counts the same), BASELINE
# baselines/<target>.instructions.json, results and candidate
# <target>.instructions.json. valgrind is found at configure time
# (PERFCHECK_VALGRIND); without it this is a FATAL_ERROR, never a skipped test.
function(perfcheck_add_benchmark target)
  cmake_parse_arguments(PARSE_ARGV 1 arg "NO_CONFIRM;CALIBRATE"
    "BASELINE;REPETITIONS;MIN_TIME;THRESHOLD;FILTER;METRIC;TEST_NAME;TIMEOUT"
    "LABELS;THRESHOLD_FOR")
  if(arg_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "perfcheck_add_benchmark: unknown arguments: ${arg_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT TARGET ${target})
    message(FATAL_ERROR "perfcheck_add_benchmark: '${target}' is not a target")
  endif()
  set(stem ${target})
  set(run_binary "$<TARGET_FILE:${target}>")
  if(arg_METRIC STREQUAL "instructions")
    _perfcheck_callgrind_wrapper()
  endif()
  if(NOT arg_BASELINE)
    set(arg_BASELINE "${CMAKE_CURRENT_SOURCE_DIR}/baselines/${stem}.json")
  endif()
  if(NOT arg_REPETITIONS)
    set(arg_REPETITIONS 10)
  endif()
  if(NOT arg_THRESHOLD)
    set(arg_THRESHOLD 10%)
  endif()
  if(NOT arg_METRIC)
    set(arg_METRIC cpu_time)
  endif()
  if(NOT arg_TEST_NAME)
    set(arg_TEST_NAME ${target})
  endif()
  if(NOT arg_TIMEOUT)
    set(arg_TIMEOUT 600)
  endif()
  # The CLI is configured after most directories of perfcheck's own tree, so
  # its target may not exist yet; the generator expression resolves later.
  if(TARGET perfcheck::cli)
    set(exe "$<TARGET_FILE:perfcheck::cli>")
  elseif(TARGET perfcheck_cli OR (PROJECT_NAME STREQUAL "perfcheck" AND PERFCHECK_CLI))
    set(exe "$<TARGET_FILE:perfcheck_cli>")
  else()
    find_program(PERFCHECK_EXECUTABLE perfcheck)
    if(NOT PERFCHECK_EXECUTABLE)
      message(FATAL_ERROR "perfcheck_add_benchmark: no perfcheck executable "
                          "(set PERFCHECK_EXECUTABLE)")
    endif()
    set(exe "${PERFCHECK_EXECUTABLE}")
  endif()
  set(args compare "${arg_BASELINE}" --run "${run_binary}"
      --repetitions ${arg_REPETITIONS} --threshold ${arg_THRESHOLD}
      --metric ${arg_METRIC} --color never
      --save "${CMAKE_CURRENT_BINARY_DIR}/perfcheck-results/${stem}.json"
      --candidate "${CMAKE_CURRENT_BINARY_DIR}/perfcheck-candidates/${stem}.json"
      --run-timeout ${arg_TIMEOUT}s)
  if(DEFINED arg_MIN_TIME)
    list(APPEND args --min-time ${arg_MIN_TIME})
  endif()
  if(arg_FILTER)
    list(APPEND args --filter "${arg_FILTER}")
  endif()
  foreach(spec IN LISTS arg_THRESHOLD_FOR)
    list(APPEND args --threshold-for "${spec}")
  endforeach()
  if(NOT arg_NO_CONFIRM)
    list(APPEND args --confirm)
  endif()
  if(arg_CALIBRATE)
    # The binary must call perfcheck::RegisterCalibrationBenchmark(); without
    # it on either side the test exits 2 and names the file.
    list(APPEND args --calibrate)
  endif()
  # --save needs its directory; the CLI creates only the candidate's.
  file(MAKE_DIRECTORY "${CMAKE_CURRENT_BINARY_DIR}/perfcheck-results")
  add_test(NAME ${arg_TEST_NAME} COMMAND ${exe} ${args})
  # Benchmarks must not compete with each other (or other perf tests) for cores.
  set_tests_properties(${arg_TEST_NAME} PROPERTIES
    LABELS "perf;${arg_LABELS}" RUN_SERIAL TRUE TIMEOUT ${arg_TIMEOUT})
endfunction()

# perfcheck_add_benchmark(... METRIC instructions): writes the callgrind
# wrapper and sets, in the caller's scope, run_binary and stem and the
# defaults that differ from timing (THRESHOLD, REPETITIONS, MIN_TIME,
# NO_CONFIRM). A macro, so it sees and sets the function's variables.
macro(_perfcheck_callgrind_wrapper)
  find_program(PERFCHECK_VALGRIND valgrind)
  if(NOT PERFCHECK_VALGRIND)
    message(FATAL_ERROR "perfcheck_add_benchmark(${target} METRIC instructions): "
      "valgrind not found. Install the 'valgrind' package (Debian/Ubuntu: "
      "apt-get install valgrind) or set PERFCHECK_VALGRIND to its path.")
  endif()
  execute_process(COMMAND "${PERFCHECK_VALGRIND}" --version
    OUTPUT_VARIABLE _pc_valgrind_version OUTPUT_STRIP_TRAILING_WHITESPACE
    RESULT_VARIABLE _pc_rc)
  if(NOT _pc_rc EQUAL 0 OR NOT _pc_valgrind_version)
    message(FATAL_ERROR "perfcheck_add_benchmark(${target} METRIC instructions): "
      "'${PERFCHECK_VALGRIND} --version' failed (${_pc_rc}); reinstall the "
      "'valgrind' package")
  endif()
  # The process adds architecture, compiler, build type, glibc and CPU level
  # itself (CountsKey()); the build adds its flags and the counter's version.
  _perfcheck_counts_flags(${target} _pc_flags)
  set(_pc_key "${_pc_valgrind_version} ${_pc_flags}")
  if(NOT arg_TEST_NAME)
    set(arg_TEST_NAME ${target}.instructions)
  endif()
  set(stem ${target}.instructions)
  set(_pc_script "${CMAKE_CURRENT_BINARY_DIR}/perfcheck-callgrind/${arg_TEST_NAME}.sh")
  # A fresh directory per run (the convention of instruction_counter.h: one
  # PERFCHECK_CALLGRIND_OUT per process): two runs never read each other's
  # dumps, and callgrind's final dump goes with the directory. It is made in
  # the working directory and every path the binary gets (dump prefix,
  # --benchmark_out) is relative and of fixed length: the lengths of strings
  # the process allocated before a counted region move glibc malloc's later
  # paths, by up to 1.2% of a benchmark's count with another TMPDIR
  # (docs/benchmark-gate.md). LD_BIND_NOW: the dynamic linker resolves every
  # symbol at start-up, not at a function's first call inside a counted
  # region.
  set(_pc_binary "$<TARGET_FILE:${target}>")
  string(CONFIGURE [=[#!/bin/sh
# Generated by perfcheck_add_benchmark(@target@ METRIC instructions).
dir=$(mktemp -d ./.perfcheck-callgrind-XXXXXX) || exit 2
out=
n=$#
while [ "$n" -gt 0 ]; do
  a=$1
  shift
  case $a in
    --benchmark_out=*) out=${a#--benchmark_out=}; a="--benchmark_out=$dir/out.json" ;;
  esac
  set -- "$@" "$a"
  n=$((n - 1))
done
LD_BIND_NOW=1 PERFCHECK_CALLGRIND_OUT="$dir/callgrind" \
PERFCHECK_COUNTS_KEY='@_pc_key@' \
  '@PERFCHECK_VALGRIND@' -q --tool=callgrind --instr-atstart=no \
  "--callgrind-out-file=$dir/callgrind" '@_pc_binary@' "$@"
rc=$?
if [ -n "$out" ] && [ -f "$dir/out.json" ]; then
  mv "$dir/out.json" "$out" || rc=2
fi
rm -rf "$dir"
exit $rc
]=] _pc_content @ONLY)
  file(GENERATE OUTPUT "${_pc_script}" CONTENT "${_pc_content}"
    FILE_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ
                     GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
  set(run_binary "${_pc_script}")
  if(NOT arg_THRESHOLD)
    set(arg_THRESHOLD 1%)
  endif()
  if(NOT arg_REPETITIONS)
    set(arg_REPETITIONS 3)
  endif()
  if(NOT DEFINED arg_MIN_TIME)
    set(arg_MIN_TIME 0.000001)
  endif()
  set(arg_NO_CONFIRM TRUE)
endmacro()
