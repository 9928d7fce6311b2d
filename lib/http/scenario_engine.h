// The scenario engine's per-thread event loop (internal). scenario.cc checks
// the options, prepares what the threads share, runs one ScenarioThread per
// thread and merges their outputs.
#ifndef PERFCHECK_LIB_HTTP_SCENARIO_ENGINE_H_
#define PERFCHECK_LIB_HTTP_SCENARIO_ENGINE_H_

#include <sys/socket.h>

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "http/tls.h"
#include "perfcheck/http/scenario.h"
#include "perfcheck/redaction.h"
#include "perfcheck/result.h"

namespace perfcheck::http::internal {

// Read-only for the threads.
struct ScenarioShared {
  ScenarioOptions options;
  Target target{"http://127.0.0.1"};
  std::vector<UserClass> classes;
  std::vector<int> user_class;  // class of each user, by global number
  sockaddr_storage addr{};
  socklen_t addr_len = 0;
  std::shared_ptr<TlsClient> tls;  // null for http
  KnownSecrets secrets;            // the target's secret headers
  Nanos start_ns = 0;              // steady clock
  Nanos end_ns = 0;
};

// One request name's statistics in one thread.
struct NameStats {
  Result result;
  EndpointTraffic traffic;
  ApartResponses apart;
};

struct ScenarioThreadOutput {
  Result aggregate;
  std::vector<std::string> names;  // request names, in order of first use
  std::vector<NameStats> stats;    // parallel to names
  std::vector<Result> classes;     // parallel to ScenarioShared::classes
  std::vector<std::uint64_t> class_users;
  std::vector<std::vector<std::uint64_t>> task_iterations;  // [class][task]
  std::vector<std::uint64_t> on_start_runs;                 // [class]
  std::map<std::pair<std::string, std::string>, std::uint64_t> failures;
  ApartResponses apart;
  std::array<std::uint64_t, 1000> status{};
  std::uint64_t bytes_sent = 0;
  std::uint64_t bytes_received = 0;
  std::uint64_t connections_opened = 0;
  std::uint64_t users_spawned = 0;
};

// Runs thread `index` of `threads` to the end of the run.
void RunScenarioThread(const ScenarioShared& shared, int index, int threads,
                       ScenarioThreadOutput& out);

// The first failed expectation of a complete response: {category, message},
// or nullopt when it passes. `truncated`: the kept body is incomplete.
std::optional<std::pair<const char*, std::string>> CheckResponse(
    const Request& request, const Expect& expect, int status,
    const std::string& body, bool truncated);

}  // namespace perfcheck::http::internal

#endif  // PERFCHECK_LIB_HTTP_SCENARIO_ENGINE_H_
