# Every component PerfCheckInstall.cmake can install is listed in the header
# comment of perfcheckConfig.cmake.in and has a row in docs/cmake-package.md,
# and neither lists one that does not exist. Run by ctest as
#   cmake -DPERFCHECK_SOURCE_DIR=<source tree> -P package_components_test.cmake
cmake_minimum_required(VERSION 3.25)
if(NOT PERFCHECK_SOURCE_DIR)
  message(FATAL_ERROR "package_components_test.cmake: -DPERFCHECK_SOURCE_DIR=... is required")
endif()

file(READ "${PERFCHECK_SOURCE_DIR}/cmake/PerfCheckInstall.cmake" install)
string(REGEX MATCHALL "\nperfcheck_install_component\\(([a-z_]+)" calls "${install}")
set(components "")
foreach(call IN LISTS calls)
  string(REGEX REPLACE ".*\\(" "" name "${call}")
  list(APPEND components ${name})
endforeach()
if(NOT components)
  message(FATAL_ERROR "no perfcheck_install_component() call found")
endif()

# "#   <name>  perfcheck::..." lines of the config's header comment.
file(STRINGS "${PERFCHECK_SOURCE_DIR}/cmake/perfcheckConfig.cmake.in" header
     REGEX "^#   [a-z_]+ +perfcheck::")
set(listed "")
foreach(line IN LISTS header)
  string(REGEX REPLACE "^#   ([a-z_]+) .*" "\\1" name "${line}")
  list(APPEND listed ${name})
endforeach()
# "| `<name>` | `perfcheck::..." rows of the docs table.
file(STRINGS "${PERFCHECK_SOURCE_DIR}/docs/cmake-package.md" rows
     REGEX "^\\| `[a-z_]+` \\| `perfcheck::")
set(documented "")
foreach(row IN LISTS rows)
  string(REGEX REPLACE "^\\| `([a-z_]+)`.*" "\\1" name "${row}")
  list(APPEND documented ${name})
endforeach()

set(failures "")
foreach(name IN LISTS components)
  if(NOT name IN_LIST listed)
    list(APPEND failures "${name}: not in perfcheckConfig.cmake.in's header comment")
  endif()
  if(NOT name IN_LIST documented)
    list(APPEND failures "${name}: no row in docs/cmake-package.md")
  endif()
endforeach()
foreach(name IN LISTS listed documented)
  if(NOT name IN_LIST components)
    list(APPEND failures "${name}: listed or documented, but never installed")
  endif()
endforeach()
if(failures)
  list(JOIN failures "\n  " failures)
  message(FATAL_ERROR "package components (${components}):\n  ${failures}")
endif()
message(STATUS "components listed and documented: ${components}")
