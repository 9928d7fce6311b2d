# Builds and runs the consumer project (this directory) against perfcheck.
# Run by ctest as
#   cmake -DMODE=find_package|subdirectory -DPERFCHECK_SOURCE_DIR=...
#         -DPERFCHECK_BUILD_DIR=... -DCONSUMER_BINARY_DIR=... -DPREFIX=...
#         -DGENERATOR=... -DCXX_COMPILER=... [-DLAUNCHER=...] -DBUILD_TYPE=...
#         [-DCXX_FLAGS=...] [-DLINKER_FLAGS=...] -P run_consumer.cmake
# find_package mode first installs the perfcheck build into PREFIX. Each step
# stops the script with its output on failure.
cmake_minimum_required(VERSION 3.25)

foreach(var IN ITEMS MODE PERFCHECK_SOURCE_DIR CONSUMER_BINARY_DIR GENERATOR CXX_COMPILER)
  if(NOT DEFINED ${var} OR "${${var}}" STREQUAL "")
    message(FATAL_ERROR "run_consumer.cmake: -D${var}=... is required")
  endif()
endforeach()

include("${CMAKE_CURRENT_LIST_DIR}/../cmake/run_step.cmake")
set(step_owner "consumer (${MODE})")

set(configure_args
  -G "${GENERATOR}"
  "-DCMAKE_CXX_COMPILER=${CXX_COMPILER}"
  "-DCMAKE_BUILD_TYPE=${BUILD_TYPE}"
  # Same flags as the perfcheck build: sanitizer-instrumented static libraries
  # need the sanitizer runtime at link time.
  "-DCMAKE_CXX_FLAGS=${CXX_FLAGS}"
  "-DCMAKE_EXE_LINKER_FLAGS=${LINKER_FLAGS}"
  "-DPERFCHECK_CONSUMER_MODE=${MODE}")
if(LAUNCHER)
  list(APPEND configure_args "-DCMAKE_CXX_COMPILER_LAUNCHER=${LAUNCHER}")
endif()

if(MODE STREQUAL "find_package")
  foreach(var IN ITEMS PERFCHECK_BUILD_DIR PREFIX)
    if("${${var}}" STREQUAL "")
      message(FATAL_ERROR "run_consumer.cmake: -D${var}=... is required in find_package mode")
    endif()
  endforeach()
  # A fresh prefix each run, so nothing stale from an older install is found.
  file(REMOVE_RECURSE "${PREFIX}")
  set(install_args --install "${PERFCHECK_BUILD_DIR}" --prefix "${PREFIX}")
  if(BUILD_TYPE)
    list(APPEND install_args --config "${BUILD_TYPE}")
  endif()
  perfcheck_run_step("${step_owner}" "install perfcheck to ${PREFIX}" ${CMAKE_COMMAND} ${install_args})
  list(APPEND configure_args "-DCMAKE_PREFIX_PATH=${PREFIX}"
       # Only the install prefix may provide perfcheck, never a user package
       # registry entry or a build tree.
       -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF)
elseif(MODE STREQUAL "subdirectory")
  list(APPEND configure_args "-DPERFCHECK_SOURCE_DIR=${PERFCHECK_SOURCE_DIR}")
else()
  message(FATAL_ERROR "run_consumer.cmake: unknown MODE '${MODE}'")
endif()

# Configure from scratch each time, so a changed package is really re-found.
file(REMOVE "${CONSUMER_BINARY_DIR}/CMakeCache.txt")
perfcheck_run_step("${step_owner}" "configure"
  ${CMAKE_COMMAND} -S "${CMAKE_CURRENT_LIST_DIR}" -B "${CONSUMER_BINARY_DIR}"
                   ${configure_args})
perfcheck_run_step("${step_owner}" "build" ${CMAKE_COMMAND} --build "${CONSUMER_BINARY_DIR}" --parallel 2)
# --no-tests=error: discovering no perf test is a packaging failure too. Both
# labels must match (repeated -L), so a lost extra label (the consumer's
# LABELS consumer) fails here as well.
perfcheck_run_step("${step_owner}" "ctest -L perf -L consumer"
  ${CMAKE_CTEST_COMMAND} --test-dir "${CONSUMER_BINARY_DIR}" -L perf -L consumer
                         --output-on-failure --no-tests=error)
