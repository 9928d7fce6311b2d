#include "perfcheck/deterministic_heap.h"

#include <sys/mman.h>

#include <array>
#include <atomic>
#include <cstdint>

namespace perfcheck {
namespace {

// 64 epochs of 256 MiB, reserved (not committed) at an address far from
// where Linux puts heaps, libraries and stacks on x86-64 and AArch64.
constexpr std::uintptr_t kRegionAddress = 0x3e0000000000;
constexpr std::size_t kEpochBytes = std::size_t{256} << 20;
constexpr std::size_t kEpochs = 64;
constexpr std::size_t kRegionBytes = kEpochBytes * kEpochs;

constexpr std::size_t kGranule = 16;
// Size classes of 16 bytes up to 4 KiB, then one class per power of two.
constexpr std::size_t kSmallClasses = 4096 / kGranule;
constexpr std::size_t kClasses = kSmallClasses + 48;

// Every block starts with this header, right before the pointer handed out.
struct alignas(kGranule) Header {
  std::uint32_t size_class;
  std::uint32_t epoch;
  std::uint64_t offset;  // from the block's start to the header
};

struct FreeBlock {
  FreeBlock* next;
};

std::atomic_flag lock = ATOMIC_FLAG_INIT;
std::atomic<bool> active{false};
char* region = nullptr;
std::uint32_t epoch = 0;  // 1-based when active
char* bump = nullptr;
char* epoch_end = nullptr;
std::array<FreeBlock*, kClasses> free_lists{};

class SpinLock {
 public:
  SpinLock() {
    while (lock.test_and_set(std::memory_order_acquire)) {
    }
  }
  ~SpinLock() { lock.clear(std::memory_order_release); }
};

std::size_t ClassOf(std::size_t bytes) {
  if (bytes <= 4096) return (bytes + kGranule - 1) / kGranule;  // 0..256
  std::size_t c = kSmallClasses + 1;
  for (std::size_t cap = 8192; cap < bytes; cap <<= 1) ++c;
  return c;
}

std::size_t ClassBytes(std::size_t size_class) {
  if (size_class <= kSmallClasses) return size_class * kGranule;
  return std::size_t{4096} << (size_class - kSmallClasses);
}

bool InRegion(const void* p) {
  const auto* c = static_cast<const char*>(p);
  return region != nullptr && c >= region && c < region + kRegionBytes;
}

}  // namespace

bool BeginDeterministicHeapEpoch() {
  SpinLock guard;
  if (region == nullptr) {
    void* p = ::mmap(reinterpret_cast<void*>(kRegionAddress), kRegionBytes,
                     PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) return false;
    if (p != reinterpret_cast<void*>(kRegionAddress)) {
      // Somewhere else means another address on another machine: useless.
      ::munmap(p, kRegionBytes);
      return false;
    }
    region = static_cast<char*>(p);
  }
  if (epoch >= kEpochs) {
    active.store(false, std::memory_order_relaxed);
    return false;
  }
  bump = region + epoch * kEpochBytes;
  epoch_end = bump + kEpochBytes;
  ++epoch;
  free_lists.fill(nullptr);
  active.store(true, std::memory_order_relaxed);
  return true;
}

bool DeterministicHeapActive() {
  return active.load(std::memory_order_relaxed);
}

namespace internal {

void* DeterministicAllocate(std::size_t size, std::size_t alignment) noexcept {
  if (!active.load(std::memory_order_relaxed)) return nullptr;
  if (alignment < kGranule) alignment = kGranule;
  // Room for the header and for aligning the pointer after it.
  const std::size_t padded = size + sizeof(Header) + alignment - kGranule;
  if (padded < size || padded > kEpochBytes) return nullptr;
  const std::size_t size_class = ClassOf(padded);
  if (size_class >= kClasses) return nullptr;
  SpinLock guard;
  char* block = nullptr;
  if (FreeBlock* f = free_lists[size_class]) {
    free_lists[size_class] = f->next;
    block = reinterpret_cast<char*>(f);
  } else {
    const std::size_t bytes = ClassBytes(size_class);
    if (static_cast<std::size_t>(epoch_end - bump) < bytes) return nullptr;
    block = bump;
    bump += bytes;
  }
  auto user = reinterpret_cast<std::uintptr_t>(block + sizeof(Header));
  user = (user + alignment - 1) & ~(std::uintptr_t{alignment} - 1);
  auto* header = reinterpret_cast<Header*>(user - sizeof(Header));
  header->size_class = static_cast<std::uint32_t>(size_class);
  header->epoch = epoch;
  header->offset =
      static_cast<std::uint64_t>(reinterpret_cast<char*>(header) - block);
  return reinterpret_cast<void*>(user);
}

bool DeterministicFree(void* p) noexcept {
  if (p == nullptr || !InRegion(p)) return false;
  SpinLock guard;
  auto* header =
      reinterpret_cast<Header*>(static_cast<char*>(p) - sizeof(Header));
  // A block of an earlier epoch is never reused: reusing it would make this
  // test's addresses depend on what ran before.
  if (header->epoch != epoch || !active.load(std::memory_order_relaxed)) {
    return true;
  }
  char* block = reinterpret_cast<char*>(header) - header->offset;
  auto* f = reinterpret_cast<FreeBlock*>(block);
  f->next = free_lists[header->size_class];
  free_lists[header->size_class] = f;
  return true;
}

}  // namespace internal
}  // namespace perfcheck
