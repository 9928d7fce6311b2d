#include "perfcheck/allocation_counter.h"

#include <atomic>

namespace perfcheck {
namespace {

// Trivially constructible, so usable from the very first allocation of a
// thread (operator new runs before any dynamic initialisation).
thread_local AllocationTotals thread_totals;
std::atomic<bool> hooks_installed{false};

}  // namespace

bool AllocationCountingAvailable() {
  return hooks_installed.load(std::memory_order_relaxed);
}

AllocationTotals ThreadAllocationTotals() { return thread_totals; }

namespace internal {

void CountAllocation(std::size_t bytes) noexcept {
  ++thread_totals.count;
  thread_totals.bytes += bytes;
}

void MarkAllocationHooksInstalled() noexcept {
  hooks_installed.store(true, std::memory_order_relaxed);
}

}  // namespace internal
}  // namespace perfcheck
