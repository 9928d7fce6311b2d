# Configures, builds and installs perfcheck's libraries with optional
# components switched off, and checks which components the package then has.
# A component whose option is off must leave the rest buildable: no target
# may link a library that was not built (PERFCHECK_HTTP=OFF must drop the CLI,
# PERFCHECK_GTEST=OFF the contract adapter and db_gtest). Run by ctest as
#   cmake -DCASE=all|gtest|db|http|cli|contract|report -DPERFCHECK_SOURCE_DIR=...
#         -DWORK_DIR=... -DGENERATOR=... -DCXX_COMPILER=... [-DLAUNCHER=...]
#         -DBUILD_TYPE=... [-DCXX_FLAGS=...] [-DLINKER_FLAGS=...]
#         -P components_off_test.cmake
# CASE "all" switches every optional component off; any other CASE only that
# one. Tests, examples and benchmarks are off: libraries and the CLI only.
cmake_minimum_required(VERSION 3.25)

foreach(var IN ITEMS CASE PERFCHECK_SOURCE_DIR WORK_DIR GENERATOR CXX_COMPILER)
  if(NOT DEFINED ${var} OR "${${var}}" STREQUAL "")
    message(FATAL_ERROR "components_off_test.cmake: -D${var}=... is required")
  endif()
endforeach()

# Per case: the options switched off, then the components the installed
# package must not have and those it must still have (the latter need no
# optional system library, so they hold on every machine that builds perfcheck).
set(all_off GTEST DB HTTP CLI CONTRACT REPORT)
if(CASE STREQUAL "all")
  set(off ${all_off})
  set(absent gtest sqlite postgres mariadb db db_gtest contract http cli report)
  set(present benchmark ab)
elseif(CASE STREQUAL "gtest")
  set(off GTEST)
  set(absent gtest db_gtest contract)
  set(present db http cli benchmark ab)
elseif(CASE STREQUAL "db")
  set(off DB)
  set(absent sqlite postgres mariadb db db_gtest)
  set(present gtest contract http cli)
elseif(CASE STREQUAL "http")
  # PERFCHECK_CLI depends on it (cmake_dependent_option): no CLI either.
  set(off HTTP)
  set(absent http cli)
  set(present gtest db contract benchmark ab)
elseif(CASE STREQUAL "cli")
  set(off CLI)
  set(absent cli)
  set(present gtest http db contract)
elseif(CASE STREQUAL "report")
  # PERFCHECK_CLI depends on it too (perfcheck report): no CLI either.
  set(off REPORT)
  set(absent report cli)
  set(present gtest http db contract benchmark ab)
elseif(CASE STREQUAL "contract")
  set(off CONTRACT)
  set(absent contract)
  set(present gtest http cli db)
else()
  message(FATAL_ERROR "components_off_test.cmake: unknown CASE '${CASE}'")
endif()

set(build_dir "${WORK_DIR}/${CASE}")
set(prefix "${WORK_DIR}/${CASE}-prefix")
set(configure_args
  -G "${GENERATOR}"
  "-DCMAKE_CXX_COMPILER=${CXX_COMPILER}"
  "-DCMAKE_BUILD_TYPE=${BUILD_TYPE}"
  # The flags of the calling build, so its sanitizer builds check theirs too
  # and ccache finds the same objects.
  "-DCMAKE_CXX_FLAGS=${CXX_FLAGS}"
  "-DCMAKE_EXE_LINKER_FLAGS=${LINKER_FLAGS}"
  -DPERFCHECK_BUILD_TESTS=OFF
  -DPERFCHECK_BUILD_EXAMPLES=OFF
  -DPERFCHECK_BUILD_BENCHMARKS=OFF
  -DPERFCHECK_INSTALL=ON)
foreach(option IN LISTS all_off)
  if(option IN_LIST off)
    list(APPEND configure_args -DPERFCHECK_${option}=OFF)
  endif()
endforeach()
if(LAUNCHER)
  list(APPEND configure_args "-DCMAKE_CXX_COMPILER_LAUNCHER=${LAUNCHER}")
endif()

include("${CMAKE_CURRENT_LIST_DIR}/run_step.cmake")
set(step_owner "components off (${CASE})")

# A fresh cache (a stale option must not survive), kept objects: a re-run
# rebuilds only what changed.
file(REMOVE "${build_dir}/CMakeCache.txt")
file(REMOVE_RECURSE "${prefix}")
perfcheck_run_step("${step_owner}" "configure with ${off} off"
  ${CMAKE_COMMAND} -S "${PERFCHECK_SOURCE_DIR}" -B "${build_dir}" ${configure_args})
perfcheck_run_step("${step_owner}" "build" ${CMAKE_COMMAND} --build "${build_dir}" --parallel 2)
perfcheck_run_step("${step_owner}" "install" ${CMAKE_COMMAND} --install "${build_dir}" --prefix "${prefix}")

# The package says what was built: one -deps file per installed component.
file(GLOB_RECURSE deps_files "${prefix}/*/perfcheck_*-deps.cmake")
set(installed "")
foreach(file IN LISTS deps_files)
  get_filename_component(name "${file}" NAME)
  string(REGEX REPLACE "^perfcheck_(.+)-deps\\.cmake$" "\\1" name "${name}")
  list(APPEND installed ${name})
endforeach()
file(GLOB_RECURSE core "${prefix}/*/libperfcheck.a" "${prefix}/*/libperfcheck.so")
set(failures "")
if(NOT core)
  list(APPEND failures "the core library perfcheck is not installed")
endif()
foreach(component IN LISTS absent)
  if(component IN_LIST installed)
    list(APPEND failures "component ${component} is installed although off")
  endif()
endforeach()
foreach(component IN LISTS present)
  if(NOT component IN_LIST installed)
    list(APPEND failures "component ${component} is missing")
  endif()
endforeach()
if(EXISTS "${prefix}/bin/perfcheck" AND "cli" IN_LIST absent)
  list(APPEND failures "the perfcheck executable was installed")
endif()
if(failures)
  list(JOIN failures "\n  " failures)
  message(FATAL_ERROR "components off (${CASE}), installed components "
    "'${installed}':\n  ${failures}")
endif()
message(STATUS "components off (${CASE}): installed ${installed}")
