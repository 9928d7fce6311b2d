// Heap allocations counted in-process, without Valgrind: a machine-independent
// cost (operation_counts.h) cheap enough to gate on every run.
//
// How: the object library perfcheck::allocation_hooks replaces the global
// operator new / delete family (all of C++'s replaceable forms); each
// allocation adds one to a thread-local count and its requested size to a
// thread-local byte total, then calls malloc as the default would. Linking it
// is the opt-in (perfcheck::gtest_main links it); without it
// AllocationCountingAvailable() is false and no allocation metric is reported.
//
// What is counted: operator new calls of the calling thread. Not counted:
// malloc/calloc/realloc called directly (C libraries such as libpq), and
// allocations made by other threads, so Measure counts exactly the measuring
// thread's calls. Under AddressSanitizer the hooks still count (ASan's
// allocator serves the malloc they call).
//
// Thread-safety: every function may be called from any thread; the totals are
// the calling thread's.
#ifndef PERFCHECK_ALLOCATION_COUNTER_H_
#define PERFCHECK_ALLOCATION_COUNTER_H_

#include <cstddef>
#include <cstdint>

namespace perfcheck {

struct AllocationTotals {
  std::uint64_t count = 0;  // operator new calls
  std::uint64_t bytes = 0;  // bytes requested by them
};

// Whether perfcheck::allocation_hooks is linked into this process.
bool AllocationCountingAvailable();

// The calling thread's totals since it started (monotonic; subtract two
// readings to count a region). All zero when not available.
AllocationTotals ThreadAllocationTotals();

namespace internal {
// Called by the hooks: one allocation of `bytes` on this thread.
void CountAllocation(std::size_t bytes) noexcept;
// Called once by the hooks' static initialiser.
void MarkAllocationHooksInstalled() noexcept;
}  // namespace internal

}  // namespace perfcheck

#endif  // PERFCHECK_ALLOCATION_COUNTER_H_
