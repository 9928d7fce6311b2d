// http::Flow: the coroutine type of a scenario step sequence (an on-start
// flow or a task of a UserClass, perfcheck/http/scenario.h). A function
// returning Flow may co_await VirtualUser::Send(), VirtualUser::Sleep() and
// other Flows (sub-flows, e.g. a shared login), and co_return; it runs on
// the engine thread that owns its user, resumed when what it awaits is done.
//
//   perfcheck::http::Flow Login(perfcheck::http::VirtualUser& u) {
//     Response r = co_await u.Send(Request::Post("/login", "{}"));
//     u.Extract(r, "/token", "token");
//   }
//   ... .Task(1, [](VirtualUser& u) -> Flow {
//         co_await Login(u);                     // a sub-flow
//         co_await u.Send(Request::Get("/me"));
//       })
//
// Errors: an exception that leaves a flow is caught by the engine and counted
// as a failure "exception" of that task (never propagated to the caller of
// RunScenario); inside nested flows it propagates to the awaiting flow first,
// as from a function call.
//
// Thread-safety: a Flow is created, resumed and destroyed on one engine
// thread. It is move-only and owns its coroutine frame.
#ifndef PERFCHECK_HTTP_FLOW_H_
#define PERFCHECK_HTTP_FLOW_H_

#include <coroutine>
#include <exception>
#include <utility>

namespace perfcheck::http {

class [[nodiscard]] Flow {
 public:
  struct promise_type;
  using Handle = std::coroutine_handle<promise_type>;

  struct promise_type {
    // The flow awaiting this one (null for a task's top-level flow).
    std::coroutine_handle<> continuation;
    std::exception_ptr exception;

    Flow get_return_object() { return Flow(Handle::from_promise(*this)); }
    // Lazily started: the engine (or the awaiting flow) resumes it.
    std::suspend_always initial_suspend() noexcept { return {}; }
    struct FinalAwaiter {
      bool await_ready() noexcept { return false; }
      // Symmetric transfer back to the awaiting flow, so deep sub-flow chains
      // use no stack; a top-level flow returns to the engine.
      std::coroutine_handle<> await_suspend(Handle h) noexcept {
        auto next = h.promise().continuation;
        return next ? next : std::noop_coroutine();
      }
      void await_resume() noexcept {}
    };
    FinalAwaiter final_suspend() noexcept { return {}; }
    void return_void() noexcept {}
    void unhandled_exception() noexcept {
      exception = std::current_exception();
    }
  };

  Flow() = default;
  Flow(Flow&& other) noexcept : h_(std::exchange(other.h_, {})) {}
  Flow& operator=(Flow&& other) noexcept {
    if (this != &other) {
      Reset();
      h_ = std::exchange(other.h_, {});
    }
    return *this;
  }
  Flow(const Flow&) = delete;
  Flow& operator=(const Flow&) = delete;
  ~Flow() { Reset(); }

  // Awaiting a Flow runs it to its end; its exception, if any, is rethrown
  // in the awaiting flow.
  bool await_ready() const noexcept { return !h_ || h_.done(); }
  std::coroutine_handle<> await_suspend(std::coroutine_handle<> awaiting) {
    h_.promise().continuation = awaiting;
    return h_;
  }
  void await_resume() const {
    if (h_ && h_.promise().exception) {
      std::rethrow_exception(h_.promise().exception);
    }
  }

  // For the engine: the coroutine (null for a default-constructed Flow).
  Handle handle() const { return h_; }
  // Destroys the frame (and, through its locals, any sub-flow it awaits).
  void Reset() {
    if (h_) std::exchange(h_, {}).destroy();
  }

 private:
  explicit Flow(Handle h) : h_(h) {}
  Handle h_;
};

}  // namespace perfcheck::http

#endif  // PERFCHECK_HTTP_FLOW_H_
