# Copies the Google Benchmark baseline IN to OUT with another counts key (as
# if recorded from a build with other compiler flags), for the "not
# comparable" end-to-end test. Usage: cmake -DIN=... -DOUT=... -P this.
file(READ "${IN}" text)
string(REGEX REPLACE "(\"perfcheck_counts_key\": \"[^\"]*)\"" "\\1 cxxflags:another\""
       rekeyed "${text}")
if(rekeyed STREQUAL text)
  message(FATAL_ERROR "${IN}: no perfcheck_counts_key to change")
endif()
file(WRITE "${OUT}" "${rekeyed}")
