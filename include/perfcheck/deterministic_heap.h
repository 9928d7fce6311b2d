// A heap whose addresses depend only on the allocations of the running test:
// what keeps instruction counts equal across machines
// (docs/instruction-counts.md).
//
// Why: optimised string functions (glibc's memcmp, strlen, ... in their AVX2 or
// SSE variants) take different paths for different alignments and page
// offsets, and hash tables keyed by pointers put entries in other buckets at
// other addresses. With glibc's malloc, where a test's data lands depends on
// everything allocated before it, including strings as long as this machine's
// paths and environment. Measured on the example suite under callgrind with
// address randomisation off: a longer --perfcheck_baseline_dir moved a
// string-search test by 1.4% — more than the 1% gate.
//
// What: in an instruction-count run (instruction_counter.h) the replaced
// operator new (perfcheck::allocation_hooks) serves every allocation from a
// region mapped at a fixed address. BeginDeterministicHeapEpoch(), called by
// the gtest listener when each test starts, moves to a fresh, aligned part of
// the region and forgets freed blocks of earlier tests, so the same test makes
// the same allocations at the same addresses whatever ran before it. Blocks
// are 16-byte size classes with a free list each (first fit by class, LIFO);
// a block freed after its epoch ended is not reused. malloc from C code is not
// covered.
//
// Outside instruction runs nothing of this is active: operator new is
// malloc's.
//
// Thread-safety: all functions may be called from any thread (a spin lock;
// under Valgrind threads run one at a time anyway).
#ifndef PERFCHECK_DETERMINISTIC_HEAP_H_
#define PERFCHECK_DETERMINISTIC_HEAP_H_

#include <cstddef>

namespace perfcheck {

// Maps the region on first use and starts a new epoch. Returns false (and the
// heap stays inactive) when the region cannot be mapped at its fixed address
// or every epoch is used.
bool BeginDeterministicHeapEpoch();

// Whether allocations are served from the region.
bool DeterministicHeapActive();

namespace internal {
// A block of `size` bytes aligned to `alignment` (a power of two); nullptr
// when inactive or the epoch is full (the caller then uses malloc).
void* DeterministicAllocate(std::size_t size, std::size_t alignment) noexcept;
// Frees `p` when it lies in the region and returns true; false otherwise
// (the caller frees it with free()).
bool DeterministicFree(void* p) noexcept;
}  // namespace internal

}  // namespace perfcheck

#endif  // PERFCHECK_DETERMINISTIC_HEAP_H_
