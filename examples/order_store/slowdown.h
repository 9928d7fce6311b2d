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
// Instruction-count runs (perfcheck under Valgrind, PERFCHECK_CALLGRIND_OUT
// set) count instructions, and a spin on the clock would add a number that
// depends on the machine and the moment. There the scopes do not spin;
// instead the loops of the operations process a fraction (factor - 1) of their
// items twice (SlowdownRepeats()), which is more work of the same kind, the
// same on every run: 1.05 repeats 5% of the items.
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
#include <cstddef>

namespace erp {

// The factor from PERFCHECK_EXAMPLE_SLOWDOWN, read on first use; 1.0 when
// unset.
double SlowdownFactor();

namespace internal {
// Whether SlowdownRepeats() can return more than 0 (an instruction-count run
// with a factor > 1); set before main() from the environment.
extern const bool repeat_enabled;
std::size_t RepeatsOwed(std::size_t items);
}  // namespace internal

// How many of the `items` a loop is about to process it should process once
// more: in an instruction-count run with a factor > 1, (factor - 1) x items,
// with the fraction carried over on this thread (so a one-item loop repeats
// every 1 / (factor - 1)th call); 0 otherwise. Loops repeat their first items
// (index < the result), so a run without a slowdown executes the same
// comparison and the difference is the repeated work alone.
inline std::size_t SlowdownRepeats(std::size_t items) {
  return internal::repeat_enabled ? internal::RepeatsOwed(items) : 0;
}

// Between an item's first and its repeated processing: the compiler must not
// reuse the first result (it may assume memory changed here).
inline void SlowdownBarrier() { asm volatile("" ::: "memory"); }

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
