# Build helpers for perfcheck's own targets (not installed: consumers get
# PerfCheck.cmake only).
include_guard(GLOBAL)

# The warnings every perfcheck source compiles with: libraries through
# perfcheck_add_library(), tests, examples and benchmarks through one
# add_compile_options(${PERFCHECK_WARNINGS}) at the top of their directory.
# A directory option lands in each target's COMPILE_OPTIONS, which the
# instruction-count key hashes (_perfcheck_counts_flags): keep it first and
# unchanged, or every committed *.instructions.json baseline is "not comparable".
set(PERFCHECK_WARNINGS -Wall -Wextra)

# perfcheck_add_library(<name> [STATIC] [EXPORT_NAME <export>] SOURCES <src>...)
#
# The library target perfcheck_<name> (just `perfcheck` for the core) with the
# alias perfcheck::<name>, the same name as installed (EXPORT_NAME, default
# <name>), so add_subdirectory and find_package users spell it alike. Also:
# PERFCHECK_WARNINGS, POSITION_INDEPENDENT_CODE (a static library can go into
# a user's shared library), and lib/ as a private include directory (internal
# headers are included by their path under lib/, e.g. "json/field_reader.h").
# STATIC forces a static library; otherwise BUILD_SHARED_LIBS decides.
function(perfcheck_add_library name)
  cmake_parse_arguments(PARSE_ARGV 1 arg "STATIC" "EXPORT_NAME" "SOURCES")
  if(arg_UNPARSED_ARGUMENTS OR NOT arg_SOURCES)
    message(FATAL_ERROR "perfcheck_add_library(${name}): expected "
      "[STATIC] [EXPORT_NAME <export>] SOURCES <src>..., got: ${ARGN}")
  endif()
  if(name STREQUAL "perfcheck")
    set(target perfcheck)
  else()
    set(target perfcheck_${name})
  endif()
  if(NOT arg_EXPORT_NAME)
    set(arg_EXPORT_NAME ${name})
  endif()
  set(type "")
  if(arg_STATIC)
    set(type STATIC)
  endif()
  add_library(${target} ${type} ${arg_SOURCES})
  add_library(perfcheck::${arg_EXPORT_NAME} ALIAS ${target})
  target_compile_options(${target} PRIVATE ${PERFCHECK_WARNINGS})
  target_include_directories(${target} PRIVATE ${PROJECT_SOURCE_DIR}/lib)
  set_target_properties(${target} PROPERTIES
    EXPORT_NAME ${arg_EXPORT_NAME}
    POSITION_INDEPENDENT_CODE ON)
endfunction()
