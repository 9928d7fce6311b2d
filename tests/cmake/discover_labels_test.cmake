# Checks the properties perfcheck_discover_tests gives the tests it
# discovers, as ctest sees them: every label kept (gtest_discover_tests'
# PROPERTIES flattened lists and lost all but one), RUN_SERIAL only on timed
# tests, the timeouts, and the counts key of instruction runs. Run by ctest
# as
#   cmake -DBUILD_DIR=<perfcheck build> -DCTEST_COMMAND=<ctest>
#         -P discover_labels_test.cmake
# on the example suite's Permissions.ListViewRequest and its .instructions
# variant (perfcheck_discover_tests(example_perf_test ... INSTRUCTIONS)).
cmake_minimum_required(VERSION 3.25)

foreach(var IN ITEMS BUILD_DIR CTEST_COMMAND)
  if(NOT DEFINED ${var} OR "${${var}}" STREQUAL "")
    message(FATAL_ERROR "discover_labels_test.cmake: -D${var}=... is required")
  endif()
endforeach()
set(plain "Permissions.ListViewRequest")
set(counted "Permissions.ListViewRequest.instructions")

# --show-only runs the PRE_TEST discovery but no test.
execute_process(
  COMMAND "${CTEST_COMMAND}" --test-dir "${BUILD_DIR}" --show-only=json-v1
          -R "^(Permissions\\.ListViewRequest(\\.instructions)?|Mixed(Perf|Unit)\\..*)$"
  RESULT_VARIABLE rc OUTPUT_VARIABLE json ERROR_VARIABLE errors)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "ctest --show-only failed (${rc}): ${errors}")
endif()

set(failures "")
macro(fail text)
  string(APPEND failures "  ${text}\n")
endmacro()

# Reads the properties of each test in the output into
# <name>_LABELS, <name>_RUN_SERIAL, <name>_TIMEOUT, <name>_ENVIRONMENT and
# <name>_COMMAND, and lists the names in `names`.
set(names "")
string(JSON count LENGTH "${json}" tests)
if(count GREATER 0)
  math(EXPR last "${count} - 1")
  foreach(i RANGE ${last})
    string(JSON name GET "${json}" tests ${i} name)
    list(APPEND names "${name}")
    set("${name}_LABELS" "")
    set("${name}_RUN_SERIAL" "")
    set("${name}_TIMEOUT" "")
    set("${name}_ENVIRONMENT" "")
    set("${name}_COMMAND" "")
    string(JSON ncommand ERROR_VARIABLE no_command LENGTH "${json}" tests ${i}
           command)
    if(NOT no_command AND ncommand GREATER 0)
      math(EXPR clast "${ncommand} - 1")
      foreach(c RANGE ${clast})
        string(JSON word GET "${json}" tests ${i} command ${c})
        list(APPEND "${name}_COMMAND" "${word}")
      endforeach()
    endif()
    string(JSON nprops ERROR_VARIABLE no_props LENGTH "${json}" tests ${i}
           properties)
    if(no_props OR nprops EQUAL 0)
      continue()
    endif()
    math(EXPR plast "${nprops} - 1")
    foreach(p RANGE ${plast})
      string(JSON property GET "${json}" tests ${i} properties ${p} name)
      string(JSON type TYPE "${json}" tests ${i} properties ${p} value)
      if(type STREQUAL "ARRAY")
        # Lists element by element: a label or environment entry may hold
        # characters a flattened string would not keep apart.
        string(JSON nvalues LENGTH "${json}" tests ${i} properties ${p} value)
        set(values "")
        if(nvalues GREATER 0)
          math(EXPR vlast "${nvalues} - 1")
          foreach(v RANGE ${vlast})
            string(JSON value GET "${json}" tests ${i} properties ${p} value ${v})
            list(APPEND values "${value}")
          endforeach()
        endif()
      else()
        string(JSON values GET "${json}" tests ${i} properties ${p} value)
      endif()
      set("${name}_${property}" "${values}")
    endforeach()
  endforeach()
endif()

foreach(name IN ITEMS "${plain}" "${counted}")
  if(NOT name IN_LIST names)
    # The discovery names a test <target>_NOT_BUILT when the binary is missing.
    message(FATAL_ERROR "ctest lists no test '${name}' in ${BUILD_DIR} "
      "(found: ${names}); is example_perf_test built?\n${errors}")
  endif()
endforeach()

# A JSON number prints as 300 or 300.0 depending on the CMake version.
function(check_timeout name expected)
  if(NOT "${${name}_TIMEOUT}" MATCHES "^${expected}(\\.0*)?$")
    set(failures "${failures}  ${name}: TIMEOUT is '${${name}_TIMEOUT}', expected ${expected}\n"
        PARENT_SCOPE)
  endif()
endfunction()

# The timed test: labels exactly {perf}, serial, 300 s.
set(labels "${${plain}_LABELS}")
list(SORT labels)
if(NOT labels STREQUAL "perf")
  fail("${plain}: LABELS are '${labels}', expected exactly 'perf'")
endif()
if(NOT "${${plain}_RUN_SERIAL}" STREQUAL "ON" AND
   NOT "${${plain}_RUN_SERIAL}" STREQUAL "true")
  fail("${plain}: RUN_SERIAL is '${${plain}_RUN_SERIAL}', expected true")
endif()
check_timeout("${plain}" 300)
if("${${plain}_ENVIRONMENT}" MATCHES "PERFCHECK_COUNTS_KEY=")
  fail("${plain}: a counts key in a timed test's environment: ${${plain}_ENVIRONMENT}")
endif()
if("--perfcheck_instructions" IN_LIST "${plain}_COMMAND")
  fail("${plain}: runs with --perfcheck_instructions: ${${plain}_COMMAND}")
endif()

# The instruction run: labels {perf, instructions}, not serial, 900 s, a
# counts key in its environment.
set(labels "${${counted}_LABELS}")
list(SORT labels)
if(NOT labels STREQUAL "instructions;perf")
  fail("${counted}: LABELS are '${labels}', expected exactly 'instructions;perf'")
endif()
if("${${counted}_RUN_SERIAL}" STREQUAL "ON" OR
   "${${counted}_RUN_SERIAL}" STREQUAL "true")
  fail("${counted}: RUN_SERIAL is set; counts do not depend on load")
endif()
check_timeout("${counted}" 900)
set(key_found FALSE)
foreach(entry IN LISTS "${counted}_ENVIRONMENT")
  if(entry MATCHES "^PERFCHECK_COUNTS_KEY=")
    set(key_found TRUE)
  endif()
endforeach()
if(NOT key_found)
  fail("${counted}: no PERFCHECK_COUNTS_KEY=... in ENVIRONMENT '${${counted}_ENVIRONMENT}'")
endif()

# A binary of perf and plain tests (tests/mixed_perf_test.cc):
# perfcheck_discover_tests(... TEST_FILTER "MixedPerf.*") registers only the
# perf test; the plain one is gtest_discover_tests' with the label unit.
set(mixed_perf "MixedPerf.SimulatedCallMeetsItsSla")
set(mixed_unit "MixedUnit.PlainTestIsNotAPerfTest")
foreach(name IN ITEMS "${mixed_perf}" "${mixed_unit}")
  if(NOT name IN_LIST names)
    fail("${name}: not registered (tests found: ${names})")
  endif()
endforeach()
list(FILTER names INCLUDE REGEX "^Mixed")
list(LENGTH names mixed_count)
if(NOT mixed_count EQUAL 2)
  fail("the mixed binary registered ${mixed_count} tests, expected 2: ${names}")
endif()
if(NOT "${${mixed_perf}_LABELS}" STREQUAL "perf")
  fail("${mixed_perf}: LABELS are '${${mixed_perf}_LABELS}', expected 'perf'")
endif()
if(NOT "${${mixed_unit}_LABELS}" STREQUAL "unit")
  fail("${mixed_unit}: LABELS are '${${mixed_unit}_LABELS}', expected 'unit'")
endif()
if("${${mixed_unit}_RUN_SERIAL}" STREQUAL "ON" OR
   "${${mixed_unit}_RUN_SERIAL}" STREQUAL "true")
  fail("${mixed_unit}: RUN_SERIAL is set on a plain unit test")
endif()
if(NOT "--perfcheck_instructions" IN_LIST "${counted}_COMMAND")
  fail("${counted}: command lacks --perfcheck_instructions: ${${counted}_COMMAND}")
endif()

if(failures)
  message(FATAL_ERROR "perfcheck_discover_tests properties:\n${failures}")
endif()
message(STATUS "perfcheck_discover_tests properties: as expected for "
               "${plain}, ${counted} and the mixed binary")
