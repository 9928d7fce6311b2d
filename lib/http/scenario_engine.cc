#include <signal.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <exception>
#include <string>

#include "http/engine.h"
#include "http/scenario_thread.h"

namespace perfcheck::http::internal {

// ---- ScenarioThread ------------------------------------------------------

std::size_t ScenarioThread::NameIndex(const std::string& name,
                                      const std::string& method) {
  auto [it, inserted] = name_index_.try_emplace(name, out_.names.size());
  if (inserted) {
    out_.names.push_back(name);
    NameStats& st = out_.stats.emplace_back();
    st.result = Result(o_.name + "/" + name);
    st.result.series = TimeSeries(o_.interval);
    st.traffic.method = method;
  }
  return it->second;
}

void ScenarioThread::FailStep(VirtualUser& u, const Response& r,
                              const char* category, std::string message) {
  UserSlot& slot = SlotOf(u);
  message = RedactFor(slot, message);
  if (slot.pending.active && r.sequence_ == slot.sends) {
    if (slot.pending.category == nullptr) {
      slot.pending.category = category;
      slot.pending.message = std::move(message);
      slot.pending.apart = false;
    }
  } else {
    // An older response: one more failure of its request name.
    const std::size_t n = NameIndex(r.name(), "");
    CountFailure(static_cast<std::size_t>(slot.class_index),
                 &out_.stats[n].result, r.name(), category, message,
                 now_ - s_.start_ns, r.latency_ns());
  }
  if (slot.flow.handle() &&
      s_.classes[static_cast<std::size_t>(slot.class_index)].on_failure() ==
          FailurePolicy::kRestartTask) {
    slot.abort_flow = true;
  }
}

void ScenarioThread::CountFailure(std::size_t cls, Result* name_result,
                                  const std::string& name, const char* category,
                                  const std::string& message, Nanos offset,
                                  Nanos latency) {
  out_.aggregate.AddError(category, message);
  out_.aggregate.series.Record(offset, latency, false);
  out_.classes[cls].AddError(category, message);
  out_.classes[cls].series.Record(offset, latency, false);
  if (name_result != nullptr) {
    name_result->AddError(category, message);
    name_result->series.Record(offset, latency, false);
  }
  auto key = std::make_pair(name, message);
  auto it = out_.failures.find(key);
  if (it != out_.failures.end()) {
    ++it->second;
  } else if (out_.failures.size() < kMaxFailureKeys) {
    out_.failures.emplace(std::move(key), 1);
  } else {
    ++out_.failures[{name, "(more distinct failure messages)"}];
  }
}

void ScenarioThread::Commit(UserSlot& slot, Nanos now) {
  PendingRecord& p = slot.pending;
  if (!p.active) return;
  p.active = false;
  NameStats& st = out_.stats[p.name];
  const std::size_t cls = static_cast<std::size_t>(slot.class_index);
  const Nanos offset = now - s_.start_ns;
  if (p.status > 0) {
    ++st.traffic.responses;
    st.traffic.body_bytes += p.body_bytes;
    if (p.status < 1000) ++out_.status[static_cast<std::size_t>(p.status)];
  }
  if (p.category != nullptr) {
    st.traffic.failed_latency.Record(p.latency);
    CountFailure(cls, &st.result, out_.names[p.name], p.category, p.message,
                 offset, p.latency);
  } else if (p.apart) {
    ++st.apart.count;
    st.apart.latency.Record(p.latency);
    ++out_.apart.count;
    out_.apart.latency.Record(p.latency);
  } else {
    out_.aggregate.latency.Record(p.latency);
    out_.aggregate.series.Record(offset, p.latency, true);
    st.result.latency.Record(p.latency);
    st.result.series.Record(offset, p.latency, true);
    out_.classes[cls].latency.Record(p.latency);
    out_.classes[cls].series.Record(offset, p.latency, true);
  }
}

void ScenarioThread::StartUser(UserSlot& slot, Nanos now) {
  slot.started = true;
  slot.task_start = now;
  ++out_.users_spawned;
  ++out_.class_users[static_cast<std::size_t>(slot.class_index)];
  const UserClass& cls = s_.classes[static_cast<std::size_t>(slot.class_index)];
  if (cls.on_start()) {
    slot.task = -1;
    ++out_.on_start_runs[static_cast<std::size_t>(slot.class_index)];
    StartFlow(slot, cls.on_start(), now);
  } else {
    NextTask(slot, now);
  }
}

void ScenarioThread::NextTask(UserSlot& slot, Nanos now) {
  const std::size_t c = static_cast<std::size_t>(slot.class_index);
  const UserClass& cls = s_.classes[c];
  if (o_.iterations > 0 && slot.user.iteration_ >= o_.iterations) {
    slot.finished = true;
    ++finished_users_;
    return;
  }
  // Ramp stages: a user above the target stops between tasks (its
  // connection closed, as a stopped user's is) until the target rises again.
  if (!o_.stages.empty() &&
      StageTarget(o_.stages, now - s_.start_ns) < slot.user.id_ + 1.0) {
    CloseSocket(slot);
    const Nanos next =
        NextActivation(o_.stages, slot.user.id_, now - s_.start_ns);
    if (next < 0) {
      slot.finished = true;
      ++finished_users_;
    } else {
      SetTimer(slot, TimerKind::kThink, s_.start_ns + next);
    }
    return;
  }
  int total = 0;
  for (const auto& t : cls.tasks()) total += t.weight;
  int pick = std::uniform_int_distribution<int>(0, total - 1)(rng_);
  std::size_t task = 0;
  while (pick >= cls.tasks()[task].weight) pick -= cls.tasks()[task++].weight;
  slot.task = static_cast<int>(task);
  slot.task_start = now;
  ++out_.task_iterations[c][task];
  StartFlow(slot, cls.tasks()[task].flow, now);
}

void ScenarioThread::StartFlow(UserSlot& slot, const FlowFunction& fn,
                               Nanos now) {
  slot.abort_flow = false;
  try {
    slot.flow = fn(slot.user);
  } catch (...) {
    slot.flow.Reset();  // thrown before the coroutine existed: same count
    slot.flow = [](std::exception_ptr e) -> Flow {
      std::rethrow_exception(e);
      co_return;
    }(std::current_exception());
  }
  if (!slot.flow.handle()) {  // a default-constructed Flow: nothing to do
    FlowDone(slot, now);
    return;
  }
  Resume(slot, slot.flow.handle(), now);
}

void ScenarioThread::Resume(UserSlot& slot, std::coroutine_handle<> h,
                            Nanos now) {
  slot.user.waiting_ = {};
  h.resume();
  Settle(slot, now);
}

// After the flow ran: count the last step, then follow what it now waits
// for, or end it.
void ScenarioThread::Settle(UserSlot& slot, Nanos now) {
  Commit(slot, now);
  VirtualUser& u = slot.user;
  const bool done = slot.flow.handle().done();
  if (done || slot.abort_flow) {
    if (done && slot.flow.handle().promise().exception) {
      std::string what = "exception";
      try {
        std::rethrow_exception(slot.flow.handle().promise().exception);
      } catch (const std::exception& e) {
        what += ": ";
        what += e.what();
      } catch (...) {
        what += ": unknown";
      }
      const std::size_t c = static_cast<std::size_t>(slot.class_index);
      const UserClass& cls = s_.classes[c];
      const std::string task = cls.name() + "." + TaskName(slot);
      CountFailure(c, nullptr, task, "exception", RedactFor(slot, what),
                   now - s_.start_ns, now - slot.task_start);
    }
    u.send_ = nullptr;
    u.sleep_ns_ = -1;
    u.waiting_ = {};
    slot.flow.Reset();
    FlowDone(slot, now);
    return;
  }
  if (u.send_ != nullptr) {
    BeginSend(slot, now);
  } else if (u.sleep_ns_ >= 0) {
    SetTimer(slot, TimerKind::kSleep, now + u.sleep_ns_);
    u.sleep_ns_ = -1;
  } else {
    // Suspended on an awaitable the engine does not drive (only Send,
    // Sleep and Flow are): it would never resume, so the task ends here,
    // counted, rather than leaving the user stuck.
    const std::size_t c = static_cast<std::size_t>(slot.class_index);
    const UserClass& cls = s_.classes[c];
    CountFailure(c, nullptr, cls.name() + "." + TaskName(slot), "exception",
                 "exception: the flow awaited something other than Send, "
                 "Sleep or a Flow",
                 now - s_.start_ns, now - slot.task_start);
    u.waiting_ = {};
    slot.flow.Reset();
    FlowDone(slot, now);
  }
}

void ScenarioThread::FlowDone(UserSlot& slot, Nanos now) {
  const UserClass& cls = s_.classes[static_cast<std::size_t>(slot.class_index)];
  if (slot.task < 0) {  // on-start flows run once; tasks follow at once
    NextTask(slot, now);
    return;
  }
  ++slot.user.iteration_;
  const ThinkTime& t = cls.think();
  Nanos wait = 0;
  switch (t.kind) {
    case ThinkTime::Kind::kNone:
      break;
    case ThinkTime::Kind::kConstant:
      wait = t.min.count();
      break;
    case ThinkTime::Kind::kBetween:
      wait = std::uniform_int_distribution<Nanos>(t.min.count(),
                                                  t.max.count())(rng_);
      break;
    case ThinkTime::Kind::kPacing:
      wait = std::max<Nanos>(0, slot.task_start + t.min.count() - now);
      break;
  }
  if (wait > 0) {
    SetTimer(slot, TimerKind::kThink, now + wait);
  } else {
    // Not NextTask() directly: a flow that never suspends would recurse.
    MarkReady(slot, TimerKind::kThink);
  }
}

void ScenarioThread::OnTimer(UserSlot& slot, Nanos now) {
  const TimerKind kind = slot.timer;
  slot.timer = TimerKind::kNone;
  switch (kind) {
    case TimerKind::kSpawn:
      StartUser(slot, now);
      break;
    case TimerKind::kThink:
      NextTask(slot, now);
      break;
    case TimerKind::kSleep:
      Resume(slot, slot.user.waiting_, now);
      break;
    case TimerKind::kBackoff:
      slot.io = Io::kNone;
      Connect(slot, now);
      break;
    case TimerKind::kDeliver:
      Deliver(slot, now, slot.deferred_category,
              std::move(slot.deferred_message), false);
      break;
    case TimerKind::kNone:
      break;
  }
}

// Only the users queued when called: a flow that never suspends re-queues
// itself, and must not keep the loop from checking the time.
void ScenarioThread::RunReady() {
  for (std::size_t n = ready_.size(); n > 0 && !ready_.empty(); --n) {
    UserSlot& slot = slots_[ready_.front()];
    ready_.pop_front();
    slot.ready = false;
    if (slot.timer == TimerKind::kThink || slot.timer == TimerKind::kDeliver) {
      OnTimer(slot, now_);
    }
  }
}

void ScenarioThread::OnDeadline(UserSlot& slot, Nanos now, Nanos entry_at) {
  if (entry_at == slot.queued_deadline) slot.queued_deadline = 0;
  if (slot.io == Io::kNone || slot.io == Io::kBackoff) return;
  if (now < slot.deadline) {
    if (slot.queued_deadline == 0) ArmDeadline(slot, slot.deadline);
    return;
  }
  const bool connecting =
      slot.io == Io::kConnecting || slot.io == Io::kHandshake;
  const auto limit = connecting ? o_.connect_timeout : o_.request_timeout;
  FailIo(slot, now, connecting ? "connect" : "timeout",
         std::string(connecting ? "connect timed out after "
                                : "no response within ") +
             std::to_string(limit.count() / 1'000'000) + " ms");
}

void ScenarioThread::Deliver(UserSlot& slot, Nanos now, const char* category,
                             std::string message, bool apart) {
  if (starting_) {
    slot.deferred_category = category;
    slot.deferred_message = std::move(message);
    slot.io = Io::kNone;
    MarkReady(slot, TimerKind::kDeliver);
    return;
  }
  VirtualUser::SendAwaiter& a = *slot.user.send_;
  slot.io = Io::kNone;
  Response& r = a.response_;
  r.status_ = slot.pending.status;
  r.apart_ = apart;
  r.latency_ns_ = now - slot.step_start;
  if (category != nullptr) {
    message = RedactFor(slot, message);
    // The request's own secret headers, which only this step knows.
    KnownSecrets own;
    for (const Header& h : a.request_.headers) {
      if (h.secret || IsSecretName(h.name)) own.AddHeaderValue(h.value);
    }
    if (!own.empty()) message = own.Redact(message);
    r.error_ = message;
  }
  r.body_ = std::move(slot.body);
  slot.body.clear();
  PendingRecord& p = slot.pending;
  p.active = true;
  p.name = NameIndex(r.name_, a.request_.method);
  p.latency = r.latency_ns_;
  p.apart = apart;
  p.category = category;
  p.message = std::move(message);
  slot.user.send_ = nullptr;
  const UserClass& cls = s_.classes[static_cast<std::size_t>(slot.class_index)];
  if (category != nullptr && cls.on_failure() == FailurePolicy::kRestartTask) {
    slot.abort_flow = true;
    Settle(slot, now);  // counts it and ends the task without resuming
    return;
  }
  Resume(slot, slot.user.waiting_, now);
}

void ScenarioThread::Run() {
  sigset_t pipe;
  sigemptyset(&pipe);
  sigaddset(&pipe, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe, nullptr);

  epfd_ = epoll_create1(EPOLL_CLOEXEC);
  out_.aggregate = Result(o_.name);
  out_.aggregate.series = TimeSeries(o_.interval);
  out_.classes.clear();
  for (const UserClass& c : s_.classes) {
    Result& r = out_.classes.emplace_back(o_.name + "/" + c.name());
    r.series = TimeSeries(o_.interval);
    out_.task_iterations.emplace_back(c.tasks().size(), 0);
  }
  out_.class_users.assign(s_.classes.size(), 0);
  out_.on_start_runs.assign(s_.classes.size(), 0);

  const int users = static_cast<int>(s_.user_class.size());
  const int mine = (users - index_ + threads_ - 1) / threads_;
  slots_ = std::vector<UserSlot>(static_cast<std::size_t>(mine));
  for (int k = 0; k < mine; ++k) {
    UserSlot& slot = slots_[static_cast<std::size_t>(k)];
    const int g = k * threads_ + index_;
    slot.class_index = s_.user_class[static_cast<std::size_t>(g)];
    slot.user.host_ = this;
    slot.user.id_ = g;
    slot.user.class_name_ =
        &s_.classes[static_cast<std::size_t>(slot.class_index)].name();
    if (!o_.stages.empty()) {
      // Spawned when the stages' target first reaches it; never, if never.
      const Nanos first = NextActivation(o_.stages, g, 0);
      if (first < 0) {
        slot.finished = true;
        ++finished_users_;
      } else {
        SetTimer(slot, TimerKind::kSpawn, s_.start_ns + first);
      }
      continue;
    }
    const Nanos at =
        o_.spawn_rate > 0
            ? s_.start_ns + static_cast<Nanos>(g / o_.spawn_rate * 1e9)
            : s_.start_ns;
    SetTimer(slot, TimerKind::kSpawn, at);
  }

  std::vector<epoll_event> events(1024);
  for (;;) {
    now_ = MonotonicNow();
    if (now_ >= s_.end_ns) break;
    if (o_.cancel != nullptr && o_.cancel->load(std::memory_order_relaxed))
      break;
    if (finished_users_ == mine) break;
    RunReady();
    while (!timers_.empty() && timers_.top().at <= now_) {
      const TimerEntry e = timers_.top();
      timers_.pop();
      UserSlot& slot = slots_[e.user];
      if (e.gen == kDeadlineGen) {
        OnDeadline(slot, now_, e.at);
      } else if (e.gen == slot.timer_gen && slot.timer != TimerKind::kNone) {
        OnTimer(slot, now_);
      }
    }
    if (finished_users_ == mine) break;
    Nanos wake = s_.end_ns;
    if (!timers_.empty()) wake = std::min(wake, timers_.top().at);
    if (!ready_.empty()) wake = now_;
    const Nanos wait = std::max<Nanos>(0, wake - now_);
    timespec ts{static_cast<time_t>(wait / 1'000'000'000),
                static_cast<long>(wait % 1'000'000'000)};
    const int n = epoll_pwait2(epfd_, events.data(),
                               static_cast<int>(events.size()), &ts, nullptr);
    if (n <= 0) continue;
    now_ = MonotonicNow();
    for (int i = 0; i < n; ++i) {
      UserSlot& slot = slots_[events[static_cast<std::size_t>(i)].data.u32];
      if (slot.fd < 0) continue;
      const std::uint32_t ev = events[static_cast<std::size_t>(i)].events;
      switch (slot.io) {
        case Io::kConnecting: {
          int err = 0;
          socklen_t len = sizeof err;
          getsockopt(slot.fd, SOL_SOCKET, SO_ERROR, &err, &len);
          if (err != 0) {
            FailIo(slot, now_, "connect",
                   "connect: " + std::string(std::strerror(err)));
          } else if (ev & (EPOLLOUT | EPOLLIN)) {
            OnConnected(slot, now_);
          }
          break;
        }
        case Io::kHandshake:
          DoHandshake(slot, now_);
          break;
        case Io::kSending:
          if (ev & (EPOLLIN | EPOLLERR | EPOLLHUP)) {
            OnReadable(slot, now_);
          } else {
            TryWrite(slot, now_);
          }
          break;
        case Io::kReceiving:
          OnReadable(slot, now_);
          break;
        case Io::kNone:
        case Io::kBackoff:
          OnIdleEvent(slot);
          break;
      }
    }
    // Users whose task ended in this batch start their next one now, not
    // after another epoll round trip (as http::Load sends at once).
    RunReady();
  }
  const Nanos end = std::min(MonotonicNow(), s_.end_ns);
  for (UserSlot& slot : slots_) {
    slot.flow.Reset();  // in-flight steps are abandoned, uncounted
    CloseSocket(slot);
  }
  close(epfd_);
  out_.aggregate.elapsed_ns = end - s_.start_ns;
  out_.aggregate.series.Finish();
  for (NameStats& st : out_.stats) {
    st.result.elapsed_ns = out_.aggregate.elapsed_ns;
    st.result.series.Finish();
  }
  for (Result& r : out_.classes) {
    r.elapsed_ns = out_.aggregate.elapsed_ns;
    r.series.Finish();
  }
}

void RunScenarioThread(const ScenarioShared& shared, int index, int threads,
                       ScenarioThreadOutput& out) {
  ScenarioThread(shared, index, threads, out).Run();
}

}  // namespace perfcheck::http::internal

namespace perfcheck::http {

// ---- VirtualUser's engine-facing members --------------------------------

void VirtualUser::SendAwaiter::await_suspend(
    std::coroutine_handle<> h) noexcept {
  user_->waiting_ = h;
  user_->send_ = this;
}

void VirtualUser::SleepAwaiter::await_suspend(
    std::coroutine_handle<> h) noexcept {
  user_->waiting_ = h;
  user_->sleep_ns_ = duration_;
}

std::int64_t VirtualUser::Random(std::int64_t lo, std::int64_t hi) {
  if (hi < lo) std::swap(lo, hi);
  return host_->Random(lo, hi);
}

bool VirtualUser::Extract(const Response& r, std::string_view pointer,
                          std::string var) {
  std::optional<std::string> value = JsonAt(r.body(), pointer);
  if (value) {
    SetVar(std::move(var), std::move(*value));
    return true;
  }
  std::string why = JsonAt(r.body(), "").has_value()
                        ? "JSON " + std::string(pointer) + " missing"
                        : std::string("body is not JSON");
  if (r.status() == 0) why = "no response";
  host_->FailStep(*this, r, "extract", "extract " + var + ": " + why);
  return false;
}

void VirtualUser::Fail(const Response& r, std::string message) {
  host_->FailStep(*this, r, "check", std::move(message));
}

}  // namespace perfcheck::http
