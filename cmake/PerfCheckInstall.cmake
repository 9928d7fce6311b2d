# Install rules and the CMake package, so that another project can write
#
#   find_package(perfcheck CONFIG REQUIRED COMPONENTS gtest)
#   target_link_libraries(my_perf_test PRIVATE perfcheck::gtest_main)
#   perfcheck_discover_tests(my_perf_test)
#
# The core library goes into the export set perfcheckTargets; every component
# gets its own export set (perfcheck_<component>Targets), so that loading the
# package never needs a component's third-party dependency (GoogleTest,
# libpqxx, ...) unless that component is asked for.
include_guard(GLOBAL)
include(CMakePackageConfigHelpers)

set(PERFCHECK_INSTALL_CMAKEDIR "${CMAKE_INSTALL_LIBDIR}/cmake/perfcheck"
    CACHE STRING "Where perfcheckConfig.cmake is installed, relative to the prefix")
mark_as_advanced(PERFCHECK_INSTALL_CMAKEDIR)

# perfcheck_install_component(<name> TARGETS <target>... [DEPENDS <dep>...])
# installs a component's targets in their own export set and tells
# perfcheckConfig.cmake what to find before loading it. A <dep> is either a
# find_package() name (GTest, SQLite3, OpenSSL), "pkg-config:<PREFIX>:<module>"
# for libraries found with pkg_check_modules(<PREFIX> IMPORTED_TARGET <module>)
# (their PkgConfig::<PREFIX> targets appear in the exported link interface of
# static libraries, even when linked PRIVATE), or "component:<name>" for
# another perfcheck component whose targets this one links. The config file is generic:
# adding a component is one call below. A component whose targets are not built
# is left out, so find_package(perfcheck COMPONENTS <name>) reports it missing.
set(PERFCHECK_PACKAGE_COMPONENTS "")
set(PERFCHECK_PACKAGE_COMPONENT_DEPENDENCIES "")
function(perfcheck_install_component name)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "" "TARGETS;DEPENDS")
  foreach(target IN LISTS arg_TARGETS)
    if(NOT TARGET ${target})
      return()
    endif()
  endforeach()
  install(TARGETS ${arg_TARGETS}
    EXPORT perfcheck_${name}Targets
    ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
    LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
    RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
  install(EXPORT perfcheck_${name}Targets
    NAMESPACE perfcheck::
    DESTINATION ${PERFCHECK_INSTALL_CMAKEDIR})
  set(components ${PERFCHECK_PACKAGE_COMPONENTS} ${name})
  set(PERFCHECK_PACKAGE_COMPONENTS "${components}" PARENT_SCOPE)
  # One set() line per component, pasted into the config file.
  set(PERFCHECK_PACKAGE_COMPONENT_DEPENDENCIES
      "${PERFCHECK_PACKAGE_COMPONENT_DEPENDENCIES}set(_perfcheck_${name}_dependencies \"${arg_DEPENDS}\")\n"
      PARENT_SCOPE)
endfunction()

# Core: perfcheck::perfcheck. Its only public dependency is Threads
# (nlohmann_json is header-only and kept out of the link interface).
install(TARGETS perfcheck perfcheck_allocation_hooks
  EXPORT perfcheckTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT perfcheckTargets
  NAMESPACE perfcheck::
  DESTINATION ${PERFCHECK_INSTALL_CMAKEDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/perfcheck
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
  FILES_MATCHING PATTERN "*.h")

# Components, one line each. Names are the EXPORT_NAMEs: perfcheck::<name>.
perfcheck_install_component(gtest
  TARGETS perfcheck_gtest perfcheck_gtest_main DEPENDS GTest)
# Backends link their client libraries PRIVATE; a static library still carries
# them in its exported link interface, hence the dependencies. The prefixes
# are those lib/db/CMakeLists.txt gives pkg_check_modules().
perfcheck_install_component(sqlite TARGETS perfcheck_sqlite DEPENDS SQLite3)
perfcheck_install_component(postgres
  TARGETS perfcheck_postgres DEPENDS pkg-config:PERFCHECK_PQXX:libpqxx)
perfcheck_install_component(mariadb
  TARGETS perfcheck_mariadb DEPENDS pkg-config:PERFCHECK_MARIADB:libmariadb)
# perfcheck::db links every backend that was built.
set(perfcheck_db_components "")
foreach(backend IN ITEMS sqlite postgres mariadb)
  if(TARGET perfcheck_${backend})
    list(APPEND perfcheck_db_components component:${backend})
  endif()
endforeach()
perfcheck_install_component(db TARGETS perfcheck_db DEPENDS ${perfcheck_db_components})
perfcheck_install_component(db_gtest
  TARGETS perfcheck_db_gtest DEPENDS component:db component:gtest)
perfcheck_install_component(contract
  TARGETS perfcheck_contract
  DEPENDS component:gtest pkg-config:PERFCHECK_HTTPLIB:cpp-httplib OpenSSL)
perfcheck_install_component(http TARGETS perfcheck_http DEPENDS OpenSSL)
perfcheck_install_component(benchmark TARGETS perfcheck_benchmark)
# A/B rounds of gtest perf binaries; its rows are the compare gate's.
perfcheck_install_component(ab TARGETS perfcheck_ab DEPENDS component:benchmark)
# In-benchmark helpers (calibration workload, perf counters): need Google Benchmark.
perfcheck_install_component(gbench TARGETS perfcheck_gbench DEPENDS benchmark)

# The perfcheck command-line tool (load | compare | baseline), exported as the
# imported executable perfcheck::cli so perfcheck_add_benchmark() finds it.
perfcheck_install_component(cli TARGETS perfcheck_cli)

# perfcheck_discover_tests() for consumers, loaded by perfcheckConfig.cmake.
install(FILES ${PROJECT_SOURCE_DIR}/cmake/PerfCheck.cmake
  DESTINATION ${PERFCHECK_INSTALL_CMAKEDIR})

configure_package_config_file(
  ${PROJECT_SOURCE_DIR}/cmake/perfcheckConfig.cmake.in
  ${PROJECT_BINARY_DIR}/perfcheckConfig.cmake
  INSTALL_DESTINATION ${PERFCHECK_INSTALL_CMAKEDIR}
  NO_SET_AND_CHECK_MACRO)
# 0.x releases promise nothing across minors in semver, but within this
# project a major bump is the only API break, so SameMajorVersion.
write_basic_package_version_file(
  ${PROJECT_BINARY_DIR}/perfcheckConfigVersion.cmake
  VERSION ${PROJECT_VERSION}
  COMPATIBILITY SameMajorVersion)
install(FILES
  ${PROJECT_BINARY_DIR}/perfcheckConfig.cmake
  ${PROJECT_BINARY_DIR}/perfcheckConfigVersion.cmake
  DESTINATION ${PERFCHECK_INSTALL_CMAKEDIR})
