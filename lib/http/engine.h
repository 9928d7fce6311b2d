// The load engine's per-thread event loop (internal). load.cc prepares the
// shared, read-only run description, starts one EngineThread per thread and
// merges their outputs.
#ifndef PERFCHECK_LIB_HTTP_ENGINE_H_
#define PERFCHECK_LIB_HTTP_ENGINE_H_

#include <sys/socket.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "http/tls.h"
#include "perfcheck/http/load.h"
#include "perfcheck/latency_histogram.h"
#include "perfcheck/redaction.h"
#include "perfcheck/result.h"

namespace perfcheck::http::internal {

// A Request serialized once for the whole run.
struct PreparedRequest {
  std::string bytes;         // the full request message
  std::size_t endpoint = 0;  // index into Shared::endpoint_names
  bool head = false;
  std::vector<int> expected_status;
  BodyPredicate body_check;
  std::size_t max_checked_body_bytes = 0;
  std::string label;  // "GET /path" for error examples (query redacted)
};

// Read-only for the threads, except the atomics.
struct Shared {
  LoadOptions options;
  bool open_model = false;
  int total_connections = 0;  // pool size over all threads
  sockaddr_storage addr{};
  socklen_t addr_len = 0;
  std::shared_ptr<TlsClient> tls;  // null for http
  std::vector<PreparedRequest> requests;
  std::vector<std::string> endpoint_names;
  // Every credential the requests carry; cut out of each error example, in
  // case the server echoes one back (KnownSecrets).
  KnownSecrets secrets;
  Nanos start_ns = 0;  // steady clock
  Nanos end_ns = 0;
  std::atomic<std::uint64_t> claimed{0};  // requests started (max_requests)
};

struct alignas(64) ThreadProgress {
  std::atomic<std::uint64_t> completed{0};
  std::atomic<std::uint64_t> errors{0};
};

struct ThreadOutput {
  Result aggregate;
  std::vector<Result> endpoints;
  std::vector<EndpointTraffic> traffic;  // parallel to endpoints
  LatencyHistogram uncorrected;
  std::array<std::uint64_t, 1000> status{};
  std::uint64_t bytes_sent = 0;
  std::uint64_t bytes_received = 0;
  std::uint64_t connections_opened = 0;
  std::uint64_t late = 0;
  std::uint64_t dropped = 0;
};

// Runs thread `index` of `threads` to the end of the run.
void RunEngineThread(Shared& shared, int index, int threads, ThreadOutput& out,
                     ThreadProgress& progress);

// The bookkeeping of one successful response, `offset` ns after the run
// start: the aggregate's and `endpoint`'s histogram and time series, and in
// the open model the uncorrected histogram (`service_time`: from the actual
// send). `endpoint` is one of out.endpoints. Split out so
// benchmarks/http/record_benchmark.cc measures exactly what the engine runs.
void RecordOk(ThreadOutput& out, Result& endpoint, Nanos offset, Nanos latency,
              Nanos service_time, bool open_model);

// Monotonic time in ns (CLOCK_MONOTONIC, like SteadyClock).
Nanos MonotonicNow();

}  // namespace perfcheck::http::internal

#endif  // PERFCHECK_LIB_HTTP_ENGINE_H_
