// http::VirtualUser: one simulated user of a scenario (perfcheck/http/
// scenario.h), as its flows see it: send requests and await their
// responses, sleep, keep variables (values extracted from responses, its
// number, its iteration), and carry its own headers (e.g. a login token).
//
//   [](VirtualUser& u) -> Flow {
//     Response r = co_await u.Send(
//         Request::Post("/api/login", u.Format(R"({"user":"user${user}"})"))
//             .Named("login"),
//         Expect().Status(200).JsonHas("/token"));
//     if (!u.Extract(r, "/token", "token")) co_return;
//     u.SetHeader("Authorization", "Bearer " + u.Var("token"), /*secret=*/true);
//   }
//
// Responses and failures. Every Send() counts once in the statistics of its
// request name (Request::DisplayName()): as a success, as a failure with a
// category and a message, or as "apart" when its status is one the Expect
// counts apart (e.g. a 429 from a rate limiter the test expects). A status
// not accepted -> "status_4xx"/"status_5xx"/"status_other" ("HTTP 500"); a
// failed Expect check or Request::body_check -> "check" ("JSON /id missing");
// no response -> "connect", "tls", "timeout", "reset" or "protocol". The flow
// resumes with Response::ok() false and error() saying why, unless its
// UserClass restarts flows on failure (then the task ends there).
// Extract() and Fail() turn the last response into a failure of its step
// ("extract" / "check") before it is counted; on an older response they
// count one more failure of that request name.
//
// Variables: Format() replaces ${name} with Var(name); ${user} is id(),
// ${iteration} is iteration(); "$$" is one '$' (JSON braces need no escape:
// Format(R"({"user":"user${user}"})")). An undefined variable throws
// std::invalid_argument, which the engine counts as an "exception" failure
// of the task.
//
// GCC 12 and temporaries in a co_await operand: it rejects a braced list
// there ("array used as initializer": write Expect().Status(200), not
// Status({200})) and miscompiles a conditional (?:) whose branches are
// temporaries (a double free): build such a Request or Expect in a
// statement of its own and pass the variable.
//
// Secrets: a header set with secret = true (or a secret name, IsSecretName)
// is sent and never printed; error messages that echo it are redacted.
// Variable values are never printed by perfcheck.
//
// Thread-safety: a VirtualUser belongs to one engine thread; use it only from
// its own flows.
#ifndef PERFCHECK_HTTP_VIRTUAL_USER_H_
#define PERFCHECK_HTTP_VIRTUAL_USER_H_

#include <chrono>
#include <coroutine>
#include <cstdint>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "perfcheck/clock.h"
#include "perfcheck/http/request.h"
#include "perfcheck/http/target.h"
#include "perfcheck/redaction.h"

namespace perfcheck::http {

namespace internal {
class ScenarioThread;
struct UserSlot;
}  // namespace internal

// What a request's response must satisfy, beyond Request::expected_status
// and Request::body_check (both honoured). Fluent; a plain value.
//   Expect().Status(200, 201).Apart(429).JsonHas("/id")
//           .JsonEquals("/state", "open").BodyContains("ticket")
struct Expect {
  struct Check {
    enum class Kind { kJsonHas, kJsonEquals, kBodyContains };
    Kind kind = Kind::kJsonHas;
    std::string what;   // JSON pointer (RFC 6901) or text
    std::string value;  // kJsonEquals: a JSON string's text, else the JSON
  };
  std::vector<int> status;  // accepted; empty: the Request's, else 2xx/3xx
  std::vector<int> apart;   // neither success nor failure: counted apart
  std::vector<Check> checks;

  // Status(200), Status(200, 201): inside a co_await operand GCC 12 rejects
  // a braced list (see the header comment).
  template <class... More>
  Expect& Status(int code, More... more) {
    return Status(std::vector<int>{code, static_cast<int>(more)...});
  }
  Expect& Status(std::vector<int> codes);
  template <class... More>
  Expect& Apart(int code, More... more) {
    return Apart(std::vector<int>{code, static_cast<int>(more)...});
  }
  Expect& Apart(std::vector<int> codes);
  // Throws std::invalid_argument for a malformed JSON pointer.
  Expect& JsonHas(std::string pointer);
  // Equal when the value at `pointer` is the string `value`, or, for other
  // JSON types, when it serializes as `value` ("42", "true", "null").
  Expect& JsonEquals(std::string pointer, std::string value);
  Expect& BodyContains(std::string text);
};

// One response as the flow sees it.
class Response {
 public:
  // 0 when no response arrived (connect failure, timeout, reset).
  int status() const { return status_; }
  // The body, up to ScenarioOptions::max_kept_body_bytes.
  const std::string& body() const { return body_; }
  // From the step's start (connection set-up included, as Locust counts) to
  // the response or the failure, in ns.
  Nanos latency_ns() const { return latency_ns_; }
  // Succeeded: accepted status and every check passed (not counted apart).
  bool ok() const { return !apart_ && error_.empty(); }
  // Its status was one Expect::apart lists.
  bool apart() const { return apart_; }
  // Why it failed, as counted ("HTTP 500", "JSON /id missing"); "" if not.
  const std::string& error() const { return error_; }
  // The statistics name of its request.
  const std::string& name() const { return name_; }

 private:
  friend class internal::ScenarioThread;
  friend class VirtualUser;
  int status_ = 0;
  bool apart_ = false;
  Nanos latency_ns_ = 0;
  std::string body_;
  std::string error_;
  std::string name_;
  std::uint64_t sequence_ = 0;  // which Send() of its user
};

// The value at RFC 6901 `pointer` in JSON `body`: a string's text, other
// values serialized ("42", "{\"a\":1}"); nullopt when the body is not JSON or
// the pointer is absent or malformed.
std::optional<std::string> JsonAt(std::string_view body,
                                  std::string_view pointer);

class VirtualUser {
 public:
  // co_await Send(...) yields the Response.
  class SendAwaiter {
   public:
    bool await_ready() const noexcept { return false; }
    void await_suspend(std::coroutine_handle<> h) noexcept;
    Response await_resume() { return std::move(response_); }

   private:
    friend class VirtualUser;
    friend class internal::ScenarioThread;
    SendAwaiter(VirtualUser* user, Request request, Expect expect)
        : user_(user),
          request_(std::move(request)),
          expect_(std::move(expect)) {}
    VirtualUser* user_;
    Request request_;
    Expect expect_;
    Response response_;
  };
  class SleepAwaiter {
   public:
    bool await_ready() const noexcept { return duration_ <= 0; }
    void await_suspend(std::coroutine_handle<> h) noexcept;
    void await_resume() const noexcept {}

   private:
    friend class VirtualUser;
    SleepAwaiter(VirtualUser* user, Nanos duration)
        : user_(user), duration_(duration) {}
    VirtualUser* user_;
    Nanos duration_;
  };

  VirtualUser(const VirtualUser&) = delete;
  VirtualUser& operator=(const VirtualUser&) = delete;

  // Sends `request` on this user's keep-alive connection (opened, or
  // re-opened after a close, as needed) with this user's headers added.
  [[nodiscard]] SendAwaiter Send(Request request, Expect expect = {}) {
    return SendAwaiter(this, std::move(request), std::move(expect));
  }
  // Suspends the flow for `duration` (think time between steps of a task).
  [[nodiscard]] SleepAwaiter Sleep(std::chrono::nanoseconds duration) {
    return SleepAwaiter(this, duration.count());
  }

  // Stores the value at JSON `pointer` of r's body as variable `var`. On
  // failure counts an "extract" failure of r's step (naming `var` and the
  // reason) and returns false; the variable is left as it was.
  bool Extract(const Response& r, std::string_view pointer, std::string var);
  // Counts r as a failed "check" with `message` (as Locust's
  // response.failure()). `message` must not contain secrets.
  void Fail(const Response& r, std::string message);

  void SetVar(std::string name, std::string value);
  bool HasVar(std::string_view name) const;
  // Throws std::invalid_argument when undefined.
  const std::string& Var(std::string_view name) const;
  std::string Format(std::string_view pattern) const;

  // Sent with each later request of this user; replaces a header of the same
  // name (case-insensitive); a Request's own header of that name wins.
  // Throws std::invalid_argument for a bad name or value (never quoting it).
  void SetHeader(std::string name, std::string value, bool secret = false);
  void RemoveHeader(std::string_view name);

  // 0-based number of this user over the whole run (all classes, threads).
  int id() const { return id_; }
  // Tasks this user has started before the current one (0 in on-start and in
  // its first task).
  std::uint64_t iteration() const { return iteration_; }
  const std::string& class_name() const { return *class_name_; }
  // Uniform integer in [lo, hi] from the engine thread's generator (seeded
  // by ScenarioOptions::seed).
  std::int64_t Random(std::int64_t lo, std::int64_t hi);

 private:
  friend class internal::ScenarioThread;
  friend struct internal::UserSlot;
  VirtualUser() = default;

  internal::ScenarioThread* host_ = nullptr;
  const std::string* class_name_ = nullptr;
  int id_ = 0;
  std::uint64_t iteration_ = 0;
  std::vector<std::pair<std::string, std::string>> vars_;
  std::vector<Header> headers_;
  std::unique_ptr<KnownSecrets> secrets_;  // its secret header values
  // What the suspended flow waits for (one at a time).
  std::coroutine_handle<> waiting_;
  SendAwaiter* send_ = nullptr;
  Nanos sleep_ns_ = -1;  // >= 0: a Sleep()
};

}  // namespace perfcheck::http

#endif  // PERFCHECK_HTTP_VIRTUAL_USER_H_
