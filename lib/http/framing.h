// Headers that frame an HTTP/1.1 message or its connection. perfcheck writes
// Content-Length for a body and keeps connections alive itself; a user's
// framing header would desynchronise a keep-alive connection (half the
// responses 400 from nginx, seen in a probe), so none can be set. Not a
// public header.
#ifndef PERFCHECK_LIB_HTTP_FRAMING_H_
#define PERFCHECK_LIB_HTTP_FRAMING_H_

#include <algorithm>
#include <cctype>
#include <string_view>

namespace perfcheck::http::internal {

inline bool IsFramingHeader(std::string_view name) {
  for (std::string_view framing :
       {"content-length", "transfer-encoding", "connection", "keep-alive",
        "upgrade", "te", "trailer", "proxy-connection"}) {
    if (name.size() == framing.size() &&
        std::equal(name.begin(), name.end(), framing.begin(),
                   [](char a, char b) {
                     return std::tolower(static_cast<unsigned char>(a)) == b;
                   })) {
      return true;
    }
  }
  return false;
}

}  // namespace perfcheck::http::internal

#endif  // PERFCHECK_LIB_HTTP_FRAMING_H_
