// The deterministic heap (perfcheck/deterministic_heap.h) on its own: no
// allocation hooks are linked, so only these calls touch it. Its own process,
// because epochs are process-global and count up to a fixed limit: the tests
// run in file order (ctest runs each in a fresh process; run directly, the
// binary runs them in one), the inactive check first and the exhaustion
// check last.
#include "perfcheck/deterministic_heap.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace perfcheck {
namespace {

using internal::DeterministicAllocate;
using internal::DeterministicFree;

// From deterministic_heap.cc: 64 epochs of 256 MiB each.
constexpr int kEpochs = 64;
constexpr std::size_t kEpochBytes = std::size_t{256} << 20;

// Epochs begun by this process so far, so the exhaustion test knows how many
// are left whichever tests ran before it.
int g_epochs_begun = 0;

bool BeginEpoch() {
  const bool begun = BeginDeterministicHeapEpoch();
  if (begun) ++g_epochs_begun;
  return begun;
}

std::uintptr_t Address(const void* p) {
  return reinterpret_cast<std::uintptr_t>(p);
}

TEST(DeterministicHeapInactive, BeforeTheFirstEpochNothingIsServed) {
  // First in the file, so it runs first in a direct run too; ctest runs
  // every test in its own process.
  ASSERT_EQ(g_epochs_begun, 0)
      << "an earlier test of this process began an epoch: run this test "
         "alone or first";
  EXPECT_FALSE(DeterministicHeapActive());
  EXPECT_EQ(DeterministicAllocate(16, 16), nullptr);
  EXPECT_EQ(DeterministicAllocate(1, 4096), nullptr);
  // Pointers the heap did not hand out are the caller's to free().
  int local = 0;
  EXPECT_FALSE(DeterministicFree(&local));
  void* from_malloc = std::malloc(32);
  EXPECT_FALSE(DeterministicFree(from_malloc));
  std::free(from_malloc);
  EXPECT_FALSE(DeterministicFree(nullptr));
  EXPECT_FALSE(DeterministicHeapActive());
}

// Every test starts in a fresh epoch.
class DeterministicHeapTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!BeginEpoch()) {
      FAIL() << "BeginDeterministicHeapEpoch() failed (epochs begun: "
             << g_epochs_begun << ")";
    }
    ASSERT_TRUE(DeterministicHeapActive());
  }

  // A block of a request that must be served (the heap is active and the
  // request small): nullptr fails the test.
  void* Allocate(std::size_t size, std::size_t alignment = 16) {
    void* p = DeterministicAllocate(size, alignment);
    EXPECT_NE(p, nullptr) << "size " << size << ", alignment " << alignment;
    return p;
  }
};

TEST_F(DeterministicHeapTest, BlocksAreSixteenByteAligned) {
  for (std::size_t size : {0, 1, 7, 8, 15, 16, 17, 24, 33, 100, 4095, 4096,
                           4097, 10000, 1 << 20}) {
    SCOPED_TRACE(size);
    // An alignment below 16 still gets 16.
    for (std::size_t alignment : {1, 8, 16}) {
      void* p = Allocate(size, alignment);
      EXPECT_EQ(Address(p) % 16, 0u) << "alignment " << alignment;
      EXPECT_TRUE(DeterministicFree(p));
    }
  }
}

TEST_F(DeterministicHeapTest, AlignedRequestsAreAligned) {
  std::vector<void*> blocks;
  for (std::size_t alignment : {32, 64, 128, 4096, 65536}) {
    SCOPED_TRACE(alignment);
    for (std::size_t size : {1, 16, 48, 64, 100, 4096, 5000}) {
      void* p = Allocate(size, alignment);
      EXPECT_EQ(Address(p) % alignment, 0u) << "size " << size;
      // Written in full: the alignment padding must not cost the block room.
      if (p != nullptr) std::memset(p, 0xab, size);
      blocks.push_back(p);
    }
  }
  // Freed and asked for again, now from the free lists: still aligned.
  for (void* p : blocks) EXPECT_TRUE(DeterministicFree(p));
  for (std::size_t alignment : {64, 4096}) {
    for (std::size_t size : {1, 100, 5000}) {
      void* p = Allocate(size, alignment);
      EXPECT_EQ(Address(p) % alignment, 0u)
          << "size " << size << ", alignment " << alignment;
    }
  }
}

// Fills every block to its full size with its own byte, then checks that no
// block's bytes changed and no two blocks overlap, before and after a round of
// frees and reallocations through the free lists.
TEST_F(DeterministicHeapTest, WritingTheFullSizeLeavesNeighboursIntact) {
  struct Block {
    unsigned char* p;
    std::size_t size;
    unsigned char fill;
  };
  std::vector<Block> blocks;
  const std::vector<std::pair<std::size_t, std::size_t>> requests = {
      {1, 16},    {15, 16},    {16, 16},   {17, 16},     {31, 16},
      {32, 16},   {33, 64},    {48, 16},   {63, 64},     {64, 64},
      {65, 16},   {100, 4096}, {255, 32},  {256, 16},    {4080, 16},
      {4096, 16}, {4097, 64},  {8000, 16}, {8192, 4096}, {12345, 16},
      {3, 128},   {70000, 16}};
  unsigned char next_fill = 1;
  auto allocate_all = [&] {
    for (const auto& [size, alignment] : requests) {
      auto* p = static_cast<unsigned char*>(Allocate(size, alignment));
      if (p == nullptr) continue;
      std::memset(p, next_fill, size);
      blocks.push_back({p, size, next_fill});
      next_fill = static_cast<unsigned char>(next_fill % 250 + 1);
    }
  };
  auto check_all = [&] {
    for (const Block& b : blocks) {
      const std::size_t bad = static_cast<std::size_t>(
          std::find_if(b.p, b.p + b.size,
                       [&](unsigned char c) { return c != b.fill; }) -
          b.p);
      EXPECT_EQ(bad, b.size) << "block of " << b.size << " bytes (fill "
                             << int{b.fill} << ") changed at byte " << bad;
    }
    std::vector<Block> sorted = blocks;
    std::sort(sorted.begin(), sorted.end(),
              [](const Block& a, const Block& b) { return a.p < b.p; });
    for (std::size_t i = 1; i < sorted.size(); ++i) {
      EXPECT_LE(Address(sorted[i - 1].p) + sorted[i - 1].size,
                Address(sorted[i].p))
          << "blocks of " << sorted[i - 1].size << " and " << sorted[i].size
          << " bytes overlap";
    }
  };
  allocate_all();
  check_all();
  // Every other block back to its free list, then the same requests again:
  // reused blocks sit between blocks that are still live.
  std::vector<Block> kept;
  for (std::size_t i = 0; i < blocks.size(); ++i) {
    if (i % 2 == 0) {
      EXPECT_TRUE(DeterministicFree(blocks[i].p));
    } else {
      kept.push_back(blocks[i]);
    }
  }
  blocks = std::move(kept);
  check_all();
  allocate_all();
  check_all();
}

TEST_F(DeterministicHeapTest, FreedBlockOfTheSameClassIsReusedLastInFirstOut) {
  void* a = Allocate(40);
  void* b = Allocate(40);
  ASSERT_NE(a, b);
  EXPECT_TRUE(DeterministicFree(a));
  EXPECT_TRUE(DeterministicFree(b));
  EXPECT_EQ(DeterministicAllocate(40, 16), b);
  EXPECT_EQ(DeterministicAllocate(40, 16), a);
  // 44 bytes round up to the same 16-byte class as 40.
  EXPECT_TRUE(DeterministicFree(a));
  EXPECT_EQ(DeterministicAllocate(44, 16), a);
  // A larger class is not served from that list.
  EXPECT_TRUE(DeterministicFree(a));
  void* large = Allocate(400);
  EXPECT_NE(large, a);
  EXPECT_EQ(DeterministicAllocate(40, 16), a);
}

TEST_F(DeterministicHeapTest, BlockFreedInALaterEpochIsNotReused) {
  void* old_block = Allocate(40);
  void* old_large = Allocate(100000);
  ASSERT_TRUE(BeginEpoch());
  // Still the heap's: the caller must not pass it to free().
  EXPECT_TRUE(DeterministicFree(old_block));
  EXPECT_TRUE(DeterministicFree(old_large));
  for (int i = 0; i < 8; ++i) {
    void* p = Allocate(40);
    EXPECT_NE(p, old_block) << "allocation " << i;
    EXPECT_NE(Allocate(100000), old_large) << "allocation " << i;
    // The new epoch lies in a part of the region after the old one.
    EXPECT_GT(Address(p), Address(old_block));
  }
}

// What one test does: mixed sizes and alignments, frees in between, reuse.
// Returns every address it was handed relative to its first block.
std::vector<std::intptr_t> RunSequence(std::vector<void*>* leftovers) {
  std::vector<std::intptr_t> offsets;
  std::vector<void*> live;
  std::uintptr_t first = 0;
  auto allocate = [&](std::size_t size, std::size_t alignment) {
    void* p = DeterministicAllocate(size, alignment);
    EXPECT_NE(p, nullptr) << "size " << size;
    if (first == 0) first = Address(p);
    offsets.push_back(static_cast<std::intptr_t>(Address(p) - first));
    live.push_back(p);
  };
  for (int round = 0; round < 20; ++round) {
    allocate(24 + round, 16);
    allocate(static_cast<std::size_t>(round) * 300 + 1, 16);
    allocate(64, 64);
    allocate(5000 + static_cast<std::size_t>(round), 4096);
    if (round % 3 == 0) {
      // Frees out of order, so the free lists are used non-trivially.
      EXPECT_TRUE(DeterministicFree(live[live.size() - 3]));
      live.erase(live.end() - 3);
      EXPECT_TRUE(DeterministicFree(live.front()));
      live.erase(live.begin());
    }
  }
  *leftovers = std::move(live);
  return offsets;
}

TEST_F(DeterministicHeapTest, SameAllocationsInTwoEpochsGiveTheSameOffsets) {
  std::vector<void*> first_leftovers;
  const std::vector<std::intptr_t> first = RunSequence(&first_leftovers);
  ASSERT_FALSE(first.empty());
  ASSERT_TRUE(BeginEpoch());
  // Some of the earlier epoch's blocks are freed during the next one, as
  // objects a test leaves behind are: that must not move anything.
  for (std::size_t i = 0; i < first_leftovers.size(); i += 2) {
    EXPECT_TRUE(DeterministicFree(first_leftovers[i]));
  }
  std::vector<void*> second_leftovers;
  const std::vector<std::intptr_t> second = RunSequence(&second_leftovers);
  EXPECT_EQ(first, second);
  // Offsets alone would also match if both epochs returned the same blocks.
  EXPECT_NE(first_leftovers.front(), second_leftovers.front());
  for (std::size_t i = 1; i < first_leftovers.size(); i += 2) {
    EXPECT_TRUE(DeterministicFree(first_leftovers[i]));
  }
  ASSERT_TRUE(BeginEpoch());
  std::vector<void*> third_leftovers;
  EXPECT_EQ(RunSequence(&third_leftovers), first);
}

TEST_F(DeterministicHeapTest, RequestsBeyondAnEpochReturnNull) {
  void* before = Allocate(64);
  EXPECT_EQ(DeterministicAllocate(kEpochBytes + 1, 16), nullptr);
  EXPECT_EQ(DeterministicAllocate(std::size_t{1} << 30, 16), nullptr);
  EXPECT_EQ(DeterministicAllocate(kEpochBytes, 4096), nullptr);
  // Sizes whose padding would overflow size_t.
  constexpr std::size_t kMax = std::numeric_limits<std::size_t>::max();
  EXPECT_EQ(DeterministicAllocate(kMax, 16), nullptr);
  EXPECT_EQ(DeterministicAllocate(kMax - 8, 4096), nullptr);
  EXPECT_EQ(DeterministicAllocate(kMax / 2, 16), nullptr);
  // The heap goes on serving ordinary requests, after the earlier block.
  void* after = Allocate(64);
  EXPECT_NE(after, before);
  EXPECT_TRUE(DeterministicFree(after));
  EXPECT_TRUE(DeterministicFree(before));
}

// Four threads allocate, fill, check and free small blocks of a few size
// classes (so they contend for the same free lists). Every live block is in a
// set of live blocks (a block handed out twice fails the insert) and carries
// its owner's token (overlapping blocks change it). The set is sharded so
// that its locks do not serialise the threads' calls into the heap.
TEST_F(DeterministicHeapTest, ConcurrentThreadsNeverShareABlock) {
  constexpr int kThreads = 4;
  constexpr int kIterations = 100000;
  constexpr std::size_t kLive = 8;
  constexpr std::size_t kShards = 64;
  struct Shard {
    std::mutex mu;
    std::set<void*> live;
  };
  std::vector<Shard> shards(kShards);
  auto shard_of = [&](void* p) -> Shard& {
    return shards[(Address(p) >> 4) % kShards];
  };
  std::atomic<int> double_handed{0};
  std::atomic<int> corrupted{0};
  std::atomic<int> null_blocks{0};
  // Released together, so the threads' loops overlap.
  std::atomic<bool> go{false};
  auto worker = [&](int id) {
    struct Live {
      unsigned char* p;
      std::size_t size;
      std::uint64_t token;
    };
    std::vector<Live> live;
    std::uint32_t state = 12345u + static_cast<std::uint32_t>(id);
    std::uint64_t serial = 0;
    auto release = [&](const Live& b) {
      std::uint64_t token = 0;
      std::memcpy(&token, b.p, sizeof(token));
      const auto fill = static_cast<unsigned char>(b.token);
      if (token != b.token ||
          std::any_of(b.p + sizeof(token), b.p + b.size,
                      [&](unsigned char c) { return c != fill; })) {
        ++corrupted;
      }
      Shard& shard = shard_of(b.p);
      {
        std::lock_guard<std::mutex> lock(shard.mu);
        shard.live.erase(b.p);
      }
      EXPECT_TRUE(DeterministicFree(b.p));
    };
    while (!go.load()) std::this_thread::yield();
    for (int i = 0; i < kIterations; ++i) {
      state = state * 1664525u + 1013904223u;
      // 8..71 bytes: four size classes.
      const std::size_t size = 8 + (state >> 8) % 64;
      const std::size_t alignment = (state & 7) == 0 ? 64 : 16;
      auto* p =
          static_cast<unsigned char*>(DeterministicAllocate(size, alignment));
      if (p == nullptr) {
        ++null_blocks;
        continue;
      }
      Shard& shard = shard_of(p);
      {
        std::lock_guard<std::mutex> lock(shard.mu);
        if (!shard.live.insert(p).second) ++double_handed;
      }
      const std::uint64_t token =
          (static_cast<std::uint64_t>(id) << 56) | ++serial;
      std::memcpy(p, &token, sizeof(token));
      std::memset(p + sizeof(token), static_cast<unsigned char>(token),
                  size - sizeof(token));
      live.push_back({p, size, token});
      if (live.size() > kLive) {
        // Not the oldest: frees in an order unlike the allocations'.
        const std::size_t victim = (state >> 16) % live.size();
        release(live[victim]);
        live.erase(live.begin() + static_cast<std::ptrdiff_t>(victim));
      }
    }
    for (const Live& b : live) release(b);
  };
  std::vector<std::thread> threads;
  for (int id = 0; id < kThreads; ++id) threads.emplace_back(worker, id);
  go.store(true);
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(double_handed.load(), 0);
  EXPECT_EQ(corrupted.load(), 0);
  EXPECT_EQ(null_blocks.load(), 0);
  for (Shard& shard : shards) EXPECT_TRUE(shard.live.empty());
}

// Last in the file: uses up the remaining epochs.
TEST(DeterministicHeapExhausted,
     AfterSixtyFourEpochsBeginFailsAndTheHeapStops) {
  int begun_here = 0;
  void* last_block = nullptr;
  while (g_epochs_begun < kEpochs + 1) {
    if (!BeginEpoch()) break;
    ++begun_here;
    last_block = DeterministicAllocate(32, 16);
  }
  EXPECT_EQ(g_epochs_begun, kEpochs);
  ASSERT_NE(last_block, nullptr);
  EXPECT_FALSE(BeginDeterministicHeapEpoch());
  EXPECT_FALSE(DeterministicHeapActive());
  EXPECT_EQ(DeterministicAllocate(32, 16), nullptr);
  // A block of the last epoch is still the heap's, never the caller's to
  // free(), and is not reused.
  EXPECT_TRUE(DeterministicFree(last_block));
  EXPECT_EQ(DeterministicAllocate(32, 16), nullptr);
  EXPECT_FALSE(BeginDeterministicHeapEpoch());
}

}  // namespace
}  // namespace perfcheck
