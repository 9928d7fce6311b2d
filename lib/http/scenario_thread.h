// The scenario engine's per-thread state (internal): each user's slot
// (connection, flow, pending statistics) and the thread's event loop.
// scenario_engine.cc holds the flow control and the loop, scenario_io.cc the
// connection I/O of a step.
#ifndef PERFCHECK_LIB_HTTP_SCENARIO_THREAD_H_
#define PERFCHECK_LIB_HTTP_SCENARIO_THREAD_H_

#include <coroutine>
#include <cstdint>
#include <deque>
#include <functional>
#include <queue>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

#include "http/response_parser.h"
#include "http/scenario_engine.h"
#include "http/tls.h"

namespace perfcheck::http::internal {

enum class Io {
  kNone,        // no request in flight
  kBackoff,     // waiting to reconnect after a failed connect
  kConnecting,  // TCP connect in progress
  kHandshake,   // TLS handshake in progress
  kSending,
  kReceiving,
};

// What the user's single timer is for.
// kThink and kDeliver may also be due at once (the ready queue): a flow that
// never suspends, or a step that failed before any I/O, must not recurse.
enum class TimerKind { kNone, kSpawn, kThink, kSleep, kBackoff, kDeliver };

// A finished step waiting to be counted: counted after the flow has run on
// (until its next suspension), so that Extract() or Fail() on the response
// can still turn it into a failure of that step.
struct PendingRecord {
  bool active = false;
  std::size_t name = 0;
  Nanos latency = 0;
  int status = 0;
  std::uint64_t body_bytes = 0;
  bool apart = false;
  const char* category = nullptr;  // null: success
  std::string message;
};

struct UserSlot {
  VirtualUser user;
  int class_index = 0;
  // Connection.
  int fd = -1;
  ssl_st* ssl = nullptr;
  Io io = Io::kNone;
  bool want_out = false;
  bool retried = false;  // stale keep-alive retry used for this request
  std::uint64_t served = 0;
  std::string out;  // the request in flight, serialized
  std::size_t write_off = 0;
  ResponseParser parser;
  std::string body;
  Nanos step_start = 0, deadline = 0, next_connect_at = 0;
  // The earliest deadline check queued on the heap for it; 0: none.
  Nanos queued_deadline = 0;
  // Flow.
  Flow flow;
  int task = -1;  // -1: the on-start flow
  bool started = false, finished = false, abort_flow = false;
  bool ready = false;  // in the ready queue
  Nanos task_start = 0;
  TimerKind timer = TimerKind::kNone;
  std::uint32_t timer_gen = 0;
  std::uint64_t sends = 0;  // Response sequence numbers
  PendingRecord pending;
  // A step that failed while it was being started, delivered from the ready
  // queue.
  const char* deferred_category = nullptr;
  std::string deferred_message;
};

inline constexpr std::size_t kReadBuffer = 64 * 1024;
inline constexpr std::size_t kMaxFailureKeys =
    1000;  // distinct (name, message)

// A timer of one user; kDeadlineGen marks a request deadline check.
struct TimerEntry {
  Nanos at;
  std::uint32_t user;
  std::uint32_t gen;
  bool operator>(const TimerEntry& o) const { return at > o.at; }
};
inline constexpr std::uint32_t kDeadlineGen = 0xffffffffu;

class ScenarioThread {
 public:
  ScenarioThread(const ScenarioShared& shared, int index, int threads,
                 ScenarioThreadOutput& out)
      : s_(shared),
        o_(shared.options),
        index_(index),
        threads_(threads),
        out_(out),
        rng_(shared.options.seed * 0x9e3779b97f4a7c15ull +
             static_cast<std::uint64_t>(index)) {}

  void Run();

  // Called from VirtualUser (its flows run on this thread).
  void FailStep(VirtualUser& u, const Response& r, const char* category,
                std::string message);
  std::int64_t Random(std::int64_t lo, std::int64_t hi) {
    return std::uniform_int_distribution<std::int64_t>(lo, hi)(rng_);
  }

 private:
  UserSlot& SlotOf(VirtualUser& u) {
    return slots_[static_cast<std::size_t>(u.id_ / threads_)];
  }
  std::uint32_t IndexOf(const UserSlot& slot) const {
    return static_cast<std::uint32_t>(&slot - slots_.data());
  }
  void SetTimer(UserSlot& slot, TimerKind kind, Nanos at) {
    slot.timer = kind;
    timers_.push({at, IndexOf(slot), ++slot.timer_gen});
  }
  void MarkReady(UserSlot& slot, TimerKind kind) {
    slot.timer = kind;
    ++slot.timer_gen;  // a queued timer of this user is void now
    if (!slot.ready) {
      slot.ready = true;
      ready_.push_back(IndexOf(slot));
    }
  }
  std::size_t NameIndex(const std::string& name, const std::string& method);
  void OnTimer(UserSlot& slot, Nanos now);
  // "on_start" or the name of the task the user runs.
  const std::string& TaskName(const UserSlot& slot) const {
    static const std::string kOnStart = "on_start";
    const UserClass& cls =
        s_.classes[static_cast<std::size_t>(slot.class_index)];
    return slot.task < 0
               ? kOnStart
               : cls.tasks()[static_cast<std::size_t>(slot.task)].name;
  }
  void RunReady();
  void OnDeadline(UserSlot& slot, Nanos now, Nanos entry_at);
  // Sets the step's deadline; queues a check unless an earlier one is
  // queued (a later one re-queues itself when it finds the deadline moved).
  void ArmDeadline(UserSlot& slot, Nanos at) {
    slot.deadline = at;
    if (slot.queued_deadline == 0 || at < slot.queued_deadline) {
      slot.queued_deadline = at;
      timers_.push({at, IndexOf(slot), kDeadlineGen});
    }
  }

  // Flow control.
  void StartUser(UserSlot& slot, Nanos now);
  void StartFlow(UserSlot& slot, const FlowFunction& fn, Nanos now);
  void Resume(UserSlot& slot, std::coroutine_handle<> h, Nanos now);
  void Settle(UserSlot& slot, Nanos now);
  void FlowDone(UserSlot& slot, Nanos now);
  void NextTask(UserSlot& slot, Nanos now);
  void Commit(UserSlot& slot, Nanos now);
  void CountFailure(std::size_t cls, Result* name_result,
                    const std::string& name, const char* category,
                    const std::string& message, Nanos offset, Nanos latency);

  // Requests.
  void BeginSend(UserSlot& slot, Nanos now);
  void StartStep(UserSlot& slot, Nanos now);
  void Connect(UserSlot& slot, Nanos now);
  void OnConnected(UserSlot& slot, Nanos now);
  void DoHandshake(UserSlot& slot, Nanos now);
  void StartWrite(UserSlot& slot, Nanos now);
  void TryWrite(UserSlot& slot, Nanos now);
  void OnReadable(UserSlot& slot, Nanos now);
  void OnIdleEvent(UserSlot& slot);
  void Complete(UserSlot& slot, Nanos now);
  void FailIo(UserSlot& slot, Nanos now, const char* category,
              const std::string& message);
  void Deliver(UserSlot& slot, Nanos now, const char* category,
               std::string message, bool apart);
  void CloseSocket(UserSlot& slot);
  void SetWantOut(UserSlot& slot, bool want);
  void Reconnect(UserSlot& slot, Nanos now) {
    CloseSocket(slot);
    Connect(slot, now);
  }
  std::string RedactFor(const UserSlot& slot, const std::string& text) const {
    std::string t = s_.secrets.Redact(text);
    return slot.user.secrets_ ? slot.user.secrets_->Redact(t) : t;
  }

  const ScenarioShared& s_;
  const ScenarioOptions& o_;
  int index_, threads_;
  ScenarioThreadOutput& out_;
  std::mt19937_64 rng_;
  int epfd_ = -1;
  std::vector<UserSlot> slots_;
  std::priority_queue<TimerEntry, std::vector<TimerEntry>,
                      std::greater<TimerEntry>>
      timers_;
  std::deque<std::uint32_t> ready_;
  std::unordered_map<std::string, std::size_t> name_index_;
  int finished_users_ = 0;
  bool starting_ = false;  // inside BeginSend(): defer deliveries
  Nanos now_ = 0;
  std::vector<char> rbuf_ = std::vector<char>(kReadBuffer);
};

}  // namespace perfcheck::http::internal

#endif  // PERFCHECK_LIB_HTTP_SCENARIO_THREAD_H_
