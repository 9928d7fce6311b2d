// Status and StatusOr<T>: the return type of fallible operations (loading a
// baseline, parsing JSON, connecting). Measured failures are never reported this
// way (they are data inside a Result), and API misuse throws
// std::invalid_argument instead.
//
// The message of a failed Status names what failed and where, e.g.
//   "baselines/Orders.Search.json: field 'entries.search.runs[0].p95_ns': expected an integer"
//
// Example:
//   perfcheck::StatusOr<Result> r = perfcheck::ResultFromJson(text, "run.json");
//   if (!r.ok()) { std::cerr << r.status().message() << "\n"; return 2; }
//   Use(*r);
//
// Thread-safety: plain values; const access from many threads is safe.
#ifndef PERFCHECK_STATUS_H_
#define PERFCHECK_STATUS_H_

#include <stdexcept>
#include <string>
#include <utility>
#include <variant>

namespace perfcheck {

// [[nodiscard]]: a dropped Status is an error nobody sees.
class [[nodiscard]] Status {
 public:
  // An OK status.
  Status() = default;
  // A failed status with a message naming what and where.
  static Status Error(std::string message) {
    Status s;
    s.ok_ = false;
    s.message_ = std::move(message);
    return s;
  }

  bool ok() const { return ok_; }
  // Empty when ok().
  const std::string& message() const { return message_; }

 private:
  bool ok_ = true;
  std::string message_;
};

template <class T>
class [[nodiscard]] StatusOr {
 public:
  // Implicit from a value or a failed Status, so functions can `return value;`
  // and `return Status::Error("...");`.
  StatusOr(T value) : v_(std::move(value)) {}  // NOLINT(runtime/explicit)
  StatusOr(Status status) : v_(std::move(status)) {  // NOLINT(runtime/explicit)
    if (std::get<Status>(v_).ok()) {
      throw std::invalid_argument("StatusOr constructed from an OK Status");
    }
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  // The error; an OK Status when ok().
  Status status() const { return ok() ? Status() : std::get<Status>(v_); }

  // Access to the value; throws std::logic_error naming the error when !ok().
  const T& value() const& { return Checked(); }
  T& value() & { return const_cast<T&>(Checked()); }
  T&& value() && { return std::move(const_cast<T&>(Checked())); }
  const T& operator*() const& { return Checked(); }
  T& operator*() & { return const_cast<T&>(Checked()); }
  const T* operator->() const { return &Checked(); }
  T* operator->() { return &const_cast<T&>(Checked()); }

 private:
  const T& Checked() const {
    if (!ok()) {
      throw std::logic_error("StatusOr has no value: " +
                             std::get<Status>(v_).message());
    }
    return std::get<T>(v_);
  }
  std::variant<T, Status> v_;
};

}  // namespace perfcheck

#endif  // PERFCHECK_STATUS_H_
