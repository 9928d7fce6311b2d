// Internal: the backend factories behind perfcheck::db::Connect() and the
// helpers the backends share. Each factory is compiled only into its backend's
// target; PERFCHECK_DB_HAVE_* tell the umbrella target which exist.
#ifndef PERFCHECK_LIB_DB_BACKENDS_H_
#define PERFCHECK_LIB_DB_BACKENDS_H_

#include <memory>
#include <string>
#include <string_view>

#include "perfcheck/db/connection.h"
#include "perfcheck/db/plan.h"
#include "perfcheck/status.h"

namespace perfcheck::db::internal {

StatusOr<std::unique_ptr<Connection>> ConnectSqlite(const ConnectionUrl& url);
StatusOr<std::unique_ptr<Connection>> ConnectPostgres(const ConnectionUrl& url);
StatusOr<std::unique_ptr<Connection>> ConnectMariaDb(const ConnectionUrl& url);

// Removes every occurrence of `secret` from `text` (a client library may echo
// connection parameters in its messages).
inline std::string Scrub(std::string text, std::string_view secret) {
  if (secret.empty()) return text;
  for (std::size_t at = text.find(secret); at != std::string::npos;
       at = text.find(secret, at)) {
    text.replace(at, secret.size(), "<redacted>");
  }
  return text;
}

// Trims trailing whitespace/newlines from server messages.
inline std::string TrimMessage(std::string text) {
  while (!text.empty() &&
         (text.back() == '\n' || text.back() == ' ' || text.back() == '\r')) {
    text.pop_back();
  }
  return text;
}

}  // namespace perfcheck::db::internal

#endif  // PERFCHECK_LIB_DB_BACKENDS_H_
