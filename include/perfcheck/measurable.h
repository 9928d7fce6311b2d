// Measurable: something an assertion can measure by itself — a callable, an HTTP
// endpoint, a database query. Passing a Measurable instead of a finished Result
// to EXPECT_P95_BELOW & co. makes the assertion run it with the spec's options.
//
// Thread-safety: Run() may be called from one thread at a time per object.
#ifndef PERFCHECK_MEASURABLE_H_
#define PERFCHECK_MEASURABLE_H_

#include <atomic>
#include <cstdint>
#include <string>

#include "perfcheck/result.h"

namespace perfcheck {

class Measurable {
 public:
  virtual ~Measurable() = default;
  // The name the Result will carry (and the baseline entry it is compared to).
  virtual std::string Name() const = 0;
  // Measures once and returns the Result. Measured failures are inside the
  // Result; Run() itself throws only on misuse.
  virtual Result Run() const = 0;

  // Names this object for its whole lifetime: no other Measurable has it, and
  // it is never reused after this one is destroyed (an address can be: a spec
  // built in a loop lands on the same stack slot). A copy, or the target of an
  // assignment, gets a new one. The gtest adapter measures a spec once per test
  // and keys that on (address, instance_id()).
  std::uint64_t instance_id() const { return instance_id_; }

 protected:
  Measurable() noexcept : instance_id_(NextInstanceId()) {}
  Measurable(const Measurable&) noexcept : Measurable() {}
  Measurable& operator=(const Measurable&) noexcept {
    instance_id_ = NextInstanceId();
    return *this;
  }

 private:
  static std::uint64_t NextInstanceId() noexcept {
    static std::atomic<std::uint64_t> next{1};
    return next.fetch_add(1, std::memory_order_relaxed);
  }
  std::uint64_t instance_id_;
};

}  // namespace perfcheck

#endif  // PERFCHECK_MEASURABLE_H_
