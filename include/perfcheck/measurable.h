// Measurable: something an assertion can measure by itself — a callable, an HTTP
// endpoint, a database query. Passing a Measurable instead of a finished Result
// to EXPECT_P95_BELOW & co. makes the assertion run it with the spec's options.
//
// Thread-safety: Run() may be called from one thread at a time per object.
#ifndef PERFCHECK_MEASURABLE_H_
#define PERFCHECK_MEASURABLE_H_

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
};

}  // namespace perfcheck

#endif  // PERFCHECK_MEASURABLE_H_
