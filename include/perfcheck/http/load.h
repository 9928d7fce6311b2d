// http::Load: drives HTTP/1.1 load at a Target and measures it.
//
// Engine: every thread runs its own epoll loop over its share of keep-alive
// connections (non-blocking sockets, OpenSSL for https) and records into its
// own histograms, merged when the run ends. Requests are taken round-robin
// from the list given to Load().
//
// Two load models:
//   - closed (rate == 0): `connections` virtual users, each sending a request,
//     waiting for the response, optionally thinking (think_time_min..max,
//     uniformly random), and sending the next. Latency = send -> response.
//   - open (rate > 0): requests are due at a constant arrival rate (requests
//     per second over all threads) whatever the server does, and are sent on
//     the first free connection of a pool of `connections`. Latency is
//     measured from each request's *intended* send time (the wrk2 / k6
//     constant-arrival-rate method), so a stalled server shows up in the
//     percentiles instead of being hidden by the generator waiting
//     ("coordinated omission"). Result::latency holds these corrected values;
//     `uncorrected` holds send -> response. A request sent more than
//     kLateThreshold after its due time counts as late; one still waiting when
//     the backlog is full (max_backlog) or when the run ends counts as dropped.
// Ramp stages (both models): `stages` replaces the constant target with a
// piecewise-linear one — each stage moves the number of active connections
// (closed) or the rate (open) linearly from the previous stage's target
// (`ramp_from` for the first) to its own over its duration, like k6's stages.
// The run then lasts the sum of the stage durations. In the closed model the
// connection pool is the largest stage target; in the open model it stays
// `connections`, and `rate` only marks the run as open (any value > 0).
//
// Bounds: a run always ends — after `duration` (or the stages), after
// `max_requests` completed requests when that is > 0, or when *cancel becomes
// true — and in-flight requests are then abandoned, not counted. Every request
// has a deadline (request_timeout from its send; connect_timeout for the
// connection set-up): past it the connection is closed and the request counted
// as "timeout".
//
// Error categories (Result::errors): "connect" (refused, unreachable, DNS,
// TLS handshake or certificate failure), "timeout", "reset" (connection reset
// or closed before the response completed), "protocol" (malformed status line,
// headers, chunked encoding, body too large), "status_4xx", "status_5xx",
// "status_other", "check" (body predicate failed). Each keeps a few example
// messages, which never contain header values: the credentials of the run
// (secret headers of the Target and the Requests, in every form KnownSecrets
// derives, and secret-named query values) are replaced by kRedacted even
// where a server echoes them inside a malformed status or header line, and
// request targets are shown through RedactUrl. After a failed connect a
// connection waits reconnect_backoff before trying again, so a dead server
// is not hammered in a hot loop.
//
// Thread-safety: Load() may be called from any thread; concurrent calls are
// independent. on_progress is called from the thread that called Load().
//
// Example:
//   auto target =
//       perfcheck::http::Target("http://127.0.0.1:8000").HostHeader("site1");
//   perfcheck::http::HttpLoadResult r = perfcheck::http::Load(
//       target, {perfcheck::http::Request::Get("/api/method/ping")},
//       {.connections = 25, .duration = 10s});
//   EXPECT_P95_BELOW(r, 500ms);          // HttpLoadResult converts to Result
//   EXPECT_ERROR_RATE_BELOW(r, 0.01);
#ifndef PERFCHECK_HTTP_LOAD_H_
#define PERFCHECK_HTTP_LOAD_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "perfcheck/clock.h"
#include "perfcheck/http/request.h"
#include "perfcheck/http/target.h"
#include "perfcheck/latency_histogram.h"
#include "perfcheck/result.h"
#include "perfcheck/status.h"

namespace perfcheck::http {

// One ramp stage: move to `target` (connections, or requests/second in the
// open model) linearly over `duration`.
struct Stage {
  std::chrono::nanoseconds duration{0};
  double target = 0;
};

// Snapshot passed to LoadOptions::on_progress.
struct Progress {
  Nanos elapsed_ns = 0;
  Nanos planned_ns = 0;         // duration of the run (stages included)
  std::uint64_t completed = 0;  // responses and failures so far
  std::uint64_t errors = 0;
};

struct LoadOptions {
  // Closed model: virtual users. Open model: size of the connection pool.
  int connections = 10;  // 1..100000
  int threads = 1;       // 1..256, at most `connections`
  std::chrono::nanoseconds duration = std::chrono::seconds(10);
  std::uint64_t max_requests = 0;  // > 0: stop after this many (over threads)
  double rate = 0;                 // > 0: open model, requests per second
  std::vector<Stage> stages;       // ramp; replaces `duration` when non-empty
  double ramp_from = 0;  // where the stages start (connections or req/s)
  std::chrono::nanoseconds think_time_min{0};  // closed model only
  std::chrono::nanoseconds think_time_max{0};
  std::chrono::nanoseconds connect_timeout = std::chrono::seconds(5);
  std::chrono::nanoseconds request_timeout = std::chrono::seconds(10);
  std::chrono::nanoseconds reconnect_backoff = std::chrono::milliseconds(10);
  // Open model: due requests waiting for a free connection, per thread.
  std::size_t max_backlog = 100000;
  // Responses with a larger header block or body are "protocol" errors.
  std::uint64_t max_body_bytes = std::uint64_t{1} << 30;        // 1 GiB
  std::chrono::nanoseconds interval = std::chrono::seconds(1);  // time series
  std::string name = "http";  // Result::name of the aggregate
  // Progress callback, called about every progress_interval.
  std::function<void(const Progress&)> on_progress;
  std::chrono::nanoseconds progress_interval = std::chrono::seconds(1);
  // Optional: setting *cancel to true ends the run early (e.g. from SIGINT).
  const std::atomic<bool>* cancel = nullptr;

  // Throws std::invalid_argument naming the bad field.
  void Validate() const;
  // Validate()'s checks as a Status, for options built from user input.
  Status Check() const;
  // Total planned run time: the sum of stage durations, else `duration`.
  std::chrono::nanoseconds PlannedDuration() const;
};

// What one request name's responses cost beyond its Result: the latency of
// its failures (a Result's histogram holds successes only) and the bytes of
// its response bodies. Locust-style statistics count every response, failed
// or not, so they are the Result's latency merged with failed_latency.
struct EndpointTraffic {
  std::string method;  // of the first Request with this name
  // Failed requests, from the (intended, in the open model) send to the
  // failure: an unexpected status, a failed check, a timeout, a reset, a
  // refused connection. Nanoseconds.
  LatencyHistogram failed_latency;
  std::uint64_t body_bytes = 0;  // response bodies as received, all responses
  std::uint64_t responses = 0;   // complete responses, successful or not
};

// Sends later than this after their due time count as late (open model).
inline constexpr Nanos kLateThreshold = 1'000'000;  // 1 ms

struct HttpLoadResult {
  // Every request. Latency of successes (corrected in the open model), errors
  // by category, elapsed time, time series, config (redacted), fingerprint.
  Result aggregate;
  // One Result per Request::DisplayName(), named "<aggregate>/<endpoint>".
  std::map<std::string, Result> endpoints;
  // Per Request::DisplayName(), keys as in `endpoints`.
  std::map<std::string, EndpointTraffic> traffic;
  // Responses received, by status code (including those counted as errors).
  std::map<int, std::uint64_t> status_codes;
  std::uint64_t bytes_sent = 0;
  std::uint64_t bytes_received = 0;  // headers + bodies
  std::uint64_t connections_opened = 0;
  bool open_model = false;
  std::uint64_t late_sends = 0;     // open model
  std::uint64_t dropped_sends = 0;  // open model
  // Send -> response latency of the successes (equal to aggregate.latency in
  // the closed model).
  LatencyHistogram uncorrected;

  // So that EXPECT_P95_BELOW(r, 500ms) & co. accept the result directly.
  operator const Result&() const { return aggregate; }  // NOLINT
};

// Checks up front that this process may open a file descriptor for every
// connection the run can hold, plus a few (stdio, output files, the resolver,
// TLS); raises the soft RLIMIT_NOFILE to what is needed when the hard limit
// allows (a process-wide change). Otherwise an error saying how many are
// needed, how many are allowed and what to change: without enough, the run
// spends its time failing to connect (seen: 10-23 s for a 2 s run of 100,000
// connections). Load() calls it; exposed to check before anything else runs.
Status ReserveDescriptors(const LoadOptions& options);

// Runs the load. Throws std::invalid_argument on bad options or requests
// (empty list, malformed method/path) and when ReserveDescriptors() fails;
// connection problems are measured errors inside the result, never
// exceptions.
HttpLoadResult Load(const Target& target, const std::vector<Request>& requests,
                    const LoadOptions& options = {});

// Resolves the target's host, opens one connection and, for https, completes
// the TLS handshake (verifying the certificate unless insecure) within
// `timeout`. For a fail-fast check before a run; the message names the host,
// port and the reason ("127.0.0.1:1: connection refused").
Status CheckConnection(const Target& target, std::chrono::nanoseconds timeout =
                                                 std::chrono::seconds(5));

}  // namespace perfcheck::http

#endif  // PERFCHECK_HTTP_LOAD_H_
