// http::Endpoint: an HTTP endpoint as a perfcheck::Measurable, so an
// assertion can measure it by itself:
//
//   auto target =
//       perfcheck::http::Target("http://127.0.0.1:8000").HostHeader("site1");
//   EXPECT_P95_BELOW(perfcheck::http::Get(target, "/api/method/ping"), 500ms);
//
// The default probe (DefaultProbe()): a closed-model run on one connection of
// 200 requests or 10 s, whichever ends first, after 5 unrecorded warm-up
// requests (they open the connection and warm the server's caches). Errors
// count as usual, so EXPECT_ERROR_RATE_BELOW works on an Endpoint too. Pass
// other LoadOptions for a heavier probe:
//
//   perfcheck::http::LoadOptions probe{.connections = 10, .duration = 5s};
//   EXPECT_P99_BELOW(perfcheck::http::Get(target, "/api/method/ping", probe),
//                    2s);
//
// Thread-safety: Run() may be called from one thread at a time per object.
#ifndef PERFCHECK_HTTP_SPEC_H_
#define PERFCHECK_HTTP_SPEC_H_

#include <chrono>
#include <string>

#include "perfcheck/http/load.h"
#include "perfcheck/http/request.h"
#include "perfcheck/http/target.h"
#include "perfcheck/measurable.h"
#include "perfcheck/result.h"

namespace perfcheck::http {

// 1 connection, 200 requests at most, 10 s at most.
inline LoadOptions DefaultProbe() {
  LoadOptions o;
  o.connections = 1;
  o.threads = 1;
  o.duration = std::chrono::seconds(10);
  o.max_requests = 200;
  return o;
}
inline constexpr std::uint64_t kDefaultWarmupRequests = 5;

class Endpoint final : public Measurable {
 public:
  // `options.name` is replaced by the request's DisplayName().
  Endpoint(Target target, Request request, LoadOptions options = DefaultProbe(),
           std::uint64_t warmup_requests = kDefaultWarmupRequests);

  // The request's DisplayName() ("GET /api/method/ping" unless named).
  std::string Name() const override;
  // Warm-up (unrecorded), then the probe; returns the aggregate Result.
  Result Run() const override;

 private:
  Target target_;
  Request request_;
  LoadOptions options_;
  std::uint64_t warmup_requests_;
};

// Shorthands: an Endpoint for GET / any Request.
Endpoint Get(const Target& target, std::string path,
             LoadOptions options = DefaultProbe());
Endpoint Probe(const Target& target, Request request,
               LoadOptions options = DefaultProbe());

}  // namespace perfcheck::http

#endif  // PERFCHECK_HTTP_SPEC_H_
