// Resolving a Target's host once per run (internal to perfcheck::http):
// DNS is not what a load test measures, so http::Load and RunScenario
// resolve before the run and every connection reuses the address.
//
// Thread-safety: a pure function (getaddrinfo is thread-safe).
#ifndef PERFCHECK_LIB_HTTP_RESOLVE_H_
#define PERFCHECK_LIB_HTTP_RESOLVE_H_

#include <sys/socket.h>

#include "perfcheck/http/target.h"
#include "perfcheck/status.h"

namespace perfcheck::http::internal {

// The first address of target.host():target.port() into *addr / *len; the
// error names host and port: "db.local:8000: cannot resolve host (...)".
Status Resolve(const Target& target, sockaddr_storage* addr, socklen_t* len);

}  // namespace perfcheck::http::internal

#endif  // PERFCHECK_LIB_HTTP_RESOLVE_H_
