// What request_display.cc gives the matcher besides the public display
// functions: the shown values of a header, and which part of a secret header
// differs. Internal.
#ifndef PERFCHECK_LIB_CONTRACT_DISPLAY_INTERNAL_H_
#define PERFCHECK_LIB_CONTRACT_DISPLAY_INTERNAL_H_

#include <string>
#include <string_view>

#include "perfcheck/contract/request_display.h"

namespace perfcheck::contract::internal {

// Every value of header `name` in `r`, quoted and shaped; "(absent)".
std::string HeaderValues(const RecordedRequest& r, std::string_view name,
                         const SecretHeaders& s);

// For a secret header whose expected and actual values differ: which part
// differs (scheme, key, secret), without showing any.
std::string WhatDiffers(std::string_view name, std::string_view expected,
                        std::string_view actual);

}  // namespace perfcheck::contract::internal

#endif  // PERFCHECK_LIB_CONTRACT_DISPLAY_INTERNAL_H_
