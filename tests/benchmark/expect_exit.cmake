# Runs COMMAND (a ;-list, "|" may stand for ";") and checks its exit code is
# EXPECT_RC and, when given, that its stdout+stderr matches EXPECT_REGEX, and
# that FILE_REGEX matches the content of FILE. Used with `cmake -P` so ctest can
# assert exact exit codes (WILL_FAIL only knows zero / non-zero).
string(REPLACE "|" ";" cmd "${COMMAND}")
execute_process(COMMAND ${cmd} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err
                WORKING_DIRECTORY "${WORKDIR}")
message("${out}${err}")
if(NOT "${rc}" STREQUAL "${EXPECT_RC}")
  message(FATAL_ERROR "exit code ${rc}, expected ${EXPECT_RC}")
endif()
if(DEFINED EXPECT_REGEX AND NOT "${out}${err}" MATCHES "${EXPECT_REGEX}")
  message(FATAL_ERROR "output does not match '${EXPECT_REGEX}'")
endif()
if(DEFINED FILE)
  file(READ "${FILE}" content)
  if(NOT content MATCHES "${FILE_REGEX}")
    message(FATAL_ERROR "${FILE} does not match '${FILE_REGEX}'")
  endif()
endif()
