// perfcheck::allocation_hooks: the replaceable global allocation functions,
// counting every operator new call of a thread (allocation_counter.h).
//
// An OBJECT library on purpose: replacement functions are picked up only when
// their object file is linked into the executable; in a static archive the
// linker would skip it, as nothing references it by name.
#include <cstdlib>
#include <new>

#include "perfcheck/allocation_counter.h"
#include "perfcheck/deterministic_heap.h"

namespace {

void* Allocate(std::size_t size) {
  perfcheck::internal::CountAllocation(size);
  // Instruction-count runs only (deterministic_heap.h); nullptr otherwise.
  if (void* p = perfcheck::internal::DeterministicAllocate(size, 16)) return p;
  // malloc(0) may return null; operator new must return a unique pointer.
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}

void* AllocateAligned(std::size_t size, std::align_val_t alignment) {
  perfcheck::internal::CountAllocation(size);
  auto align = static_cast<std::size_t>(alignment);
  if (void* p = perfcheck::internal::DeterministicAllocate(size, align)) {
    return p;
  }
  if (align < sizeof(void*)) align = sizeof(void*);
  // aligned_alloc needs a size that is a multiple of the alignment.
  std::size_t rounded = (size + align - 1) / align * align;
  if (rounded == 0) rounded = align;
  if (void* p = std::aligned_alloc(align, rounded)) return p;
  throw std::bad_alloc();
}

// Blocks of the deterministic heap go back to it; the rest to free().
void Release(void* p) noexcept {
  if (!perfcheck::internal::DeterministicFree(p)) std::free(p);
}

}  // namespace

// Named by the library's link options (--undefined): it makes the linker take
// this object out of the archive even when something earlier on the link line
// already defines operator new (the sanitizers' runtimes do), so the
// executable's replacement is this one.
extern "C" void perfcheck_allocation_hooks_anchor() {}

namespace {

struct Installer {
  Installer() { perfcheck::internal::MarkAllocationHooksInstalled(); }
} installer;

}  // namespace

void* operator new(std::size_t size) { return Allocate(size); }
void* operator new[](std::size_t size) { return Allocate(size); }
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
  try {
    return Allocate(size);
  } catch (...) {
    return nullptr;
  }
}
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept {
  try {
    return Allocate(size);
  } catch (...) {
    return nullptr;
  }
}
void* operator new(std::size_t size, std::align_val_t alignment) {
  return AllocateAligned(size, alignment);
}
void* operator new[](std::size_t size, std::align_val_t alignment) {
  return AllocateAligned(size, alignment);
}
void* operator new(std::size_t size, std::align_val_t alignment,
                   const std::nothrow_t&) noexcept {
  try {
    return AllocateAligned(size, alignment);
  } catch (...) {
    return nullptr;
  }
}
void* operator new[](std::size_t size, std::align_val_t alignment,
                     const std::nothrow_t&) noexcept {
  try {
    return AllocateAligned(size, alignment);
  } catch (...) {
    return nullptr;
  }
}

void operator delete(void* p) noexcept { Release(p); }
void operator delete[](void* p) noexcept { Release(p); }
void operator delete(void* p, std::size_t) noexcept { Release(p); }
void operator delete[](void* p, std::size_t) noexcept { Release(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { Release(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { Release(p); }
void operator delete(void* p, std::align_val_t) noexcept { Release(p); }
void operator delete[](void* p, std::align_val_t) noexcept { Release(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept {
  Release(p);
}
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept {
  Release(p);
}
void operator delete(void* p, std::align_val_t,
                     const std::nothrow_t&) noexcept {
  Release(p);
}
void operator delete[](void* p, std::align_val_t,
                       const std::nothrow_t&) noexcept {
  Release(p);
}
