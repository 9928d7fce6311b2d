// Test helper: sets (or, with nullptr, unsets) an environment variable for
// the lifetime of the object and restores the previous value afterwards, so
// tests do not leak settings into each other.
#ifndef PERFCHECK_TESTS_SCOPED_ENV_H_
#define PERFCHECK_TESTS_SCOPED_ENV_H_

#include <cstdlib>
#include <optional>
#include <string>

namespace perfcheck::test {

class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) previous_ = old;
    Set(value);
  }
  ~ScopedEnv() {
    if (previous_) {
      ::setenv(name_, previous_->c_str(), 1);
    } else {
      ::unsetenv(name_);
    }
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

  // Changes the value while the object lives (nullptr: unset).
  void Set(const char* value) {
    if (value == nullptr) {
      ::unsetenv(name_);
    } else {
      ::setenv(name_, value, 1);
    }
  }

 private:
  const char* name_;
  std::optional<std::string> previous_;
};

}  // namespace perfcheck::test

#endif  // PERFCHECK_TESTS_SCOPED_ENV_H_
