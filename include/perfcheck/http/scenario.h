// http::RunScenario: Locust-style virtual users in C++. A UserClass is an
// on-start flow (run once per user, e.g. a login), weighted tasks (each a
// coroutine Flow of requests, perfcheck/http/flow.h), think time between
// tasks and a weight among classes; RunScenario spawns `users` of them at
// `spawn_rate` and runs them for `duration`.
//
//   using namespace perfcheck::http;
//   UserClass normal =
//       UserClass("NormalOperationsUser").Weight(5).Think(Between(2s, 5s))
//           .OnStart([](VirtualUser& u) -> Flow {
//             Response r = co_await u.Send(
//                 Request::Post("/api/login",
//                               u.Format(R"({"user":"user${user}"})"))
//                     .Named("login"));
//             if (!u.Extract(r, "/token", "token")) co_return;
//             u.SetHeader("Authorization", "Bearer " + u.Var("token"), true);
//           })
//           .Task("view ticket", 3, [](VirtualUser& u) -> Flow {
//             co_await u.Send(
//                 Request::Get("/api/tickets/" +
//                              std::to_string(u.Random(1, 100)))
//                     .Named("/api/tickets/[id]"),
//                 Expect().Status(200).JsonHas("/id"));
//           });
//   ScenarioResult r = RunScenario(target, {normal, finance},
//                                  {.users = 50, .spawn_rate = 20,
//                                   .duration = 60s});
//   EXPECT_P95_BELOW(r.ByName("/api/tickets/[id]"), 500ms);
//   EXPECT_ERROR_RATE_BELOW(r, 0.01);
//
// Engine: one epoll loop per thread over that thread's users; each user has
// its own keep-alive connection (reopened after a close) and at most one
// request in flight. A flow is resumed when its response is complete; think
// time, Sleep(), spawns and timeouts are timers on a heap. Users are
// numbered 0..users-1, dealt round-robin to threads, and user g starts at
// g / spawn_rate seconds. Classes are assigned like Locust's: each class gets
// users in proportion to its weight (largest remainder; at least one per
// class when users >= classes), interleaved in the spawn order.
//
// Think time (UserClass::Think) runs after each task: Constant(d), Between
// (min, max) uniformly at random, or Pacing(d): each task starts d after the
// previous one started (at once when it took longer), Locust's
// constant_pacing. None by default.
//
// Bounds: the run ends after `duration`, when every user has run
// `iterations` tasks (when > 0), or when *cancel becomes true. Requests
// still in flight are then abandoned, uncounted, and flows destroyed.
// Every request has connect_timeout for the connection set-up and
// request_timeout from its send.
//
// Failures are data (perfcheck/http/virtual_user.h lists the categories): a
// failed step, extraction or check is counted with its reason under its
// request name; an exception leaving a flow counts as "exception" under the
// task's name ("<class>.<task>") in the aggregate, the class and `failures`
// (it has no request row). With OnFailure(FailurePolicy::kRestartTask) the task ends at a
// failed step (the user thinks and starts its next task); with kContinue
// (the default) the flow goes on with Response::ok() false.
//
// Results (ScenarioResult): what http::Load returns (aggregate, per name
// Result and EndpointTraffic with the failures' latency and body bytes,
// status codes, bytes) plus one Result per class, responses counted apart,
// failures by (name, message) as Locust's failures.csv lists them, and
// task iterations.
//
// Thread-safety: RunScenario may be called from any thread. The flow
// functions are called concurrently from the engine threads (threads > 1);
// whatever they capture must be safe to use so.
#ifndef PERFCHECK_HTTP_SCENARIO_H_
#define PERFCHECK_HTTP_SCENARIO_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "perfcheck/http/flow.h"
#include "perfcheck/http/load.h"
#include "perfcheck/http/request.h"
#include "perfcheck/http/target.h"
#include "perfcheck/http/virtual_user.h"
#include "perfcheck/latency_histogram.h"
#include "perfcheck/result.h"
#include "perfcheck/status.h"

namespace perfcheck::http {

// Wait after each task (see the header comment).
struct ThinkTime {
  enum class Kind { kNone, kConstant, kBetween, kPacing };
  Kind kind = Kind::kNone;
  std::chrono::nanoseconds min{0};
  std::chrono::nanoseconds max{0};
};
inline ThinkTime Constant(std::chrono::nanoseconds d) {
  return {ThinkTime::Kind::kConstant, d, d};
}
inline ThinkTime Between(std::chrono::nanoseconds min,
                         std::chrono::nanoseconds max) {
  return {ThinkTime::Kind::kBetween, min, max};
}
inline ThinkTime Pacing(std::chrono::nanoseconds period) {
  return {ThinkTime::Kind::kPacing, period, period};
}

// What a user does after a failed step (request, check or extraction).
enum class FailurePolicy {
  kContinue,     // the flow goes on (it sees Response::ok() == false)
  kRestartTask,  // the task ends at the failure; the user starts its next
};

using FlowFunction = std::function<Flow(VirtualUser&)>;

class UserClass {
 public:
  struct TaskSpec {
    std::string name;
    int weight = 1;
    FlowFunction flow;
  };

  // Throws std::invalid_argument for an empty name.
  explicit UserClass(std::string name);

  // Relative share of the users (>= 1; std::invalid_argument otherwise).
  UserClass& Weight(int weight);
  UserClass& Think(ThinkTime think);
  UserClass& OnStart(FlowFunction flow);
  // A task chosen with probability weight / sum of weights (weight >= 1).
  // Unnamed tasks are "task1", "task2", ... in order of definition.
  UserClass& Task(int weight, FlowFunction flow);
  UserClass& Task(std::string name, int weight, FlowFunction flow);
  UserClass& OnFailure(FailurePolicy policy);

  const std::string& name() const { return name_; }
  int weight() const { return weight_; }
  const ThinkTime& think() const { return think_; }
  const FlowFunction& on_start() const { return on_start_; }
  const std::vector<TaskSpec>& tasks() const { return tasks_; }
  FailurePolicy on_failure() const { return on_failure_; }
  // Whether the class can run: at least one task, think time well-formed.
  Status Check() const;

 private:
  std::string name_;
  int weight_ = 1;
  ThinkTime think_;
  FlowFunction on_start_;
  std::vector<TaskSpec> tasks_;
  FailurePolicy on_failure_ = FailurePolicy::kContinue;
};

struct ScenarioOptions {
  int users = 10;         // 1..100000 virtual users over all classes
  double spawn_rate = 0;  // users started per second; 0: all at once
  std::chrono::nanoseconds duration = std::chrono::seconds(10);
  // Ramp stages, as k6's: each moves the number of active users linearly
  // from the previous stage's target (0 before the first) to its own over
  // its duration. When given, they replace users, spawn_rate and duration:
  // the run lasts the sum of the durations with the largest target's users.
  // User g is active while the target is at least g + 1; a user above the
  // target finishes its task, closes its connection and waits until the
  // target rises again (the highest-numbered users stop first), and a user
  // the target never reaches never starts.
  std::vector<Stage> stages;
  int threads = 1;               // 1..256, at most `users`
  std::uint64_t iterations = 0;  // > 0: tasks per user, then it stops
  std::chrono::nanoseconds connect_timeout = std::chrono::seconds(5);
  std::chrono::nanoseconds request_timeout = std::chrono::seconds(10);
  // After a failed connect, a user's next connect waits this long.
  std::chrono::nanoseconds reconnect_backoff = std::chrono::milliseconds(10);
  // Larger responses are "protocol" failures.
  std::uint64_t max_body_bytes = std::uint64_t{1} << 30;
  // Response::body keeps at most this much; checks on a longer body fail.
  std::size_t max_kept_body_bytes = std::size_t{1} << 20;
  std::chrono::nanoseconds interval = std::chrono::seconds(1);  // series
  std::string name = "scenario";  // the aggregate's Result::name
  std::uint64_t seed = 1;         // task choice, think time, Random()
  const std::atomic<bool>* cancel = nullptr;  // true: end the run early

  // The error names the bad field.
  Status Check() const;
  // The sum of the stages' durations, else `duration`.
  std::chrono::nanoseconds PlannedDuration() const;
  // The users the run holds: the largest stage target (rounded up), else
  // `users`.
  int MaxUsers() const;
};

// Users the stages ask for `at` ns after the start (piecewise-linear from 0;
// the last target after the end).
double StageTarget(const std::vector<Stage>& stages, Nanos at);

// The first offset >= `from` at which the stages' target reaches `user + 1`
// (user `user`, 0-based, becomes active); -1 when it never does.
Nanos NextActivation(const std::vector<Stage>& stages, int user, Nanos from);

// Responses of one request name whose status was counted apart.
struct ApartResponses {
  std::uint64_t count = 0;
  LatencyHistogram latency;  // ns, from the step's start
};

struct ScenarioResult : HttpLoadResult {
  // One Result per user class, named "<aggregate>/<class>": its users'
  // requests (and their flows' exceptions).
  std::map<std::string, Result> classes;
  std::map<std::string, std::uint64_t> class_users;  // users spawned
  // Tasks started, by "<class>.<task>" (on-start flows: "<class>.on_start").
  std::map<std::string, std::uint64_t> task_iterations;
  // Per request name; aggregate_apart over all names.
  std::map<std::string, ApartResponses> apart;
  ApartResponses aggregate_apart;
  // Failures by (request or task name, message) -> occurrences.
  std::map<std::pair<std::string, std::string>, std::uint64_t> failures;
  std::uint64_t users_spawned = 0;

  // The Result of one request name (endpoints.at), for assertions. Throws
  // std::invalid_argument listing the names there are when it is unknown.
  const Result& ByName(std::string_view name) const;
  // The Result of one user class; throws like ByName.
  const Result& ByClass(std::string_view name) const;
};

// Runs the scenario. Throws std::invalid_argument for bad options or
// classes (no class, a class without tasks, bad think time) and when
// ReserveDescriptors() cannot give each user a descriptor. Connection
// problems and failed steps are data in the result.
ScenarioResult RunScenario(const Target& target,
                           const std::vector<UserClass>& classes,
                           const ScenarioOptions& options = {});

// Class of each user 0..users-1, by weight (see the header comment).
std::vector<int> AssignUserClasses(const std::vector<int>& weights, int users);

}  // namespace perfcheck::http

#endif  // PERFCHECK_HTTP_SCENARIO_H_
