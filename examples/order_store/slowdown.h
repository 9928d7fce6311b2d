// Slowdown injection for demonstrating the regression gate.
//
// When the environment variable PERFCHECK_EXAMPLE_SLOWDOWN holds a factor > 1
// (e.g. "1.3"), every public operation of the example library takes exactly
// that factor longer: it times its own work and then busy-waits (spinning on
// std::chrono::steady_clock) for (factor - 1) x that duration. A 30% slowdown
// is therefore 30% on every call, independent of the machine's speed, which is
// what a real code regression looks like to the gate.
//
// Unset, empty or "1" means no slowdown and no clock reads at all. A value that
// is not a number >= 1 is ignored with one warning on stderr.
//
// Scopes nest: when a public operation calls another one (PlaceOrder reserves
// stock), only the outermost scope slows down, so the whole call is exactly
// `factor` times longer rather than compounding.
//
// Thread-safety: the factor is read once (thread-safe static initialisation);
// SlowdownScope objects are independent.
//
// Example:
//   StockPage WarehouseStock::Search(const StockQuery& q) const {
//     SlowdownScope slowdown;   // first statement of every public operation
//     ...
//   }
#ifndef PERFCHECK_EXAMPLES_ORDER_STORE_SLOWDOWN_H_
#define PERFCHECK_EXAMPLES_ORDER_STORE_SLOWDOWN_H_

#include <chrono>

namespace erp {

// The factor from PERFCHECK_EXAMPLE_SLOWDOWN, read on first use; 1.0 when
// unset.
double SlowdownFactor();

// Times the enclosing operation and spins for (factor - 1) x its duration when
// the scope ends.
class SlowdownScope {
 public:
  SlowdownScope();
  ~SlowdownScope();
  SlowdownScope(const SlowdownScope&) = delete;
  SlowdownScope& operator=(const SlowdownScope&) = delete;

 private:
  double factor_;  // 1.0 for nested scopes
  std::chrono::steady_clock::time_point start_;
};

}  // namespace erp

#endif  // PERFCHECK_EXAMPLES_ORDER_STORE_SLOWDOWN_H_
