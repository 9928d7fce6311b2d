# perfcheck_run_step(<who> <description> <command>...): runs one step of a
# script that builds a project of its own (tests/consumer/run_consumer.cmake,
# components_off_test.cmake) and stops the script, naming <who> and the
# step, when the command fails. The command's output stays in the test log.
function(perfcheck_run_step who description)
  message(STATUS "${who}: ${description}")
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${who}: ${description} failed (${rc})")
  endif()
endfunction()
