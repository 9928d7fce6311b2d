// Allocation counting (perfcheck/allocation_counter.h) and what Measure makes
// of it. This binary links perfcheck::allocation_hooks; measure_test does not
// and checks that the counts are then absent.
#include "perfcheck/allocation_counter.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <new>
#include <thread>

#include "perfcheck/machine.h"
#include "perfcheck/measure.h"
#include "perfcheck/operation_counts.h"

namespace perfcheck {
namespace {

// Stores every pointer a test allocates, so the compiler cannot drop a
// new/delete pair it sees through (which C++ allows for new-expressions).
void* volatile g_escape = nullptr;

template <class T>
void Escape(T* p) {
  g_escape = static_cast<void*>(p);
}

struct alignas(64) CacheLine {
  char bytes[64];
};

// The calling thread's allocations made by `fn`, read tightly around it.
template <class Fn>
AllocationTotals AllocationsOf(Fn&& fn) {
  const AllocationTotals before = ThreadAllocationTotals();
  fn();
  const AllocationTotals after = ThreadAllocationTotals();
  return {after.count - before.count, after.bytes - before.bytes};
}

// No warm-up, exactly `iterations` calls.
MeasureOptions Calls(std::uint64_t iterations, int threads = 1) {
  MeasureOptions options;
  options.warmup_iterations = 0;
  options.iterations = iterations;
  options.threads = threads;
  return options;
}

// Does not allocate: what() is a literal and the exception object itself comes
// from the C++ runtime's own allocator, not operator new.
struct Boom : std::exception {
  const char* what() const noexcept override { return "boom"; }
};

TEST(AllocationCounter, HooksAreInstalled) {
  EXPECT_TRUE(AllocationCountingAvailable());
}

TEST(AllocationCounter, EveryReplaceableFormIsCountedWithItsSize) {
  struct Case {
    const char* form;
    AllocationTotals totals;
    std::uint64_t bytes;
  };
  const Case cases[] = {
      {"new", AllocationsOf([] {
         auto* p = new std::int64_t(1);
         Escape(p);
         delete p;
       }),
       sizeof(std::int64_t)},
      {"new[]", AllocationsOf([] {
         auto* p = new char[100];
         Escape(p);
         delete[] p;
       }),
       100},
      {"nothrow new", AllocationsOf([] {
         auto* p = new (std::nothrow) std::int32_t(1);
         Escape(p);
         delete p;
       }),
       sizeof(std::int32_t)},
      {"nothrow new[]", AllocationsOf([] {
         auto* p = new (std::nothrow) char[33];
         Escape(p);
         delete[] p;
       }),
       33},
      {"aligned new", AllocationsOf([] {
         auto* p = new CacheLine;
         Escape(p);
         delete p;
       }),
       sizeof(CacheLine)},
      {"aligned new[]", AllocationsOf([] {
         auto* p = new CacheLine[3];
         Escape(p);
         delete[] p;
       }),
       3 * sizeof(CacheLine)},
      {"aligned nothrow new", AllocationsOf([] {
         auto* p = new (std::nothrow) CacheLine;
         Escape(p);
         delete p;
       }),
       sizeof(CacheLine)},
      {"aligned nothrow new[]", AllocationsOf([] {
         auto* p = new (std::nothrow) CacheLine[2];
         Escape(p);
         delete[] p;
       }),
       2 * sizeof(CacheLine)},
      {"operator new(0)", AllocationsOf([] {
         void* p = ::operator new(0);
         Escape(p);
         ::operator delete(p);
       }),
       0},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(c.totals.count, 1u) << c.form;
    EXPECT_EQ(c.totals.bytes, c.bytes) << c.form;
  }
}

TEST(AllocationCounter, AlignedMemoryIsAligned) {
  auto* p = new CacheLine[3];
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(p) % alignof(CacheLine), 0u);
  delete[] p;
}

TEST(AllocationCounter, ThreadTotalsAreMonotonic) {
  AllocationTotals last = ThreadAllocationTotals();
  for (int i = 0; i < 1000; ++i) {
    auto* p = new char[static_cast<std::size_t>(i % 7)];
    Escape(p);
    delete[] p;
    const AllocationTotals now = ThreadAllocationTotals();
    ASSERT_EQ(now.count, last.count + 1) << i;
    ASSERT_EQ(now.bytes, last.bytes + static_cast<std::uint64_t>(i % 7)) << i;
    last = now;
  }
}

TEST(AllocationCounter, OtherThreadsAllocationsAreTheirs) {
  std::atomic<bool> go{false};
  std::atomic<bool> done{false};
  AllocationTotals theirs;
  std::thread other([&] {
    while (!go.load()) std::this_thread::yield();
    theirs = AllocationsOf([] {
      for (int i = 0; i < 100; ++i) {
        auto* p = new std::int64_t(i);
        Escape(p);
        delete p;
      }
    });
    done.store(true);
  });
  // Read after the thread exists: creating it allocates on this thread.
  const AllocationTotals mine = AllocationsOf([&] {
    go.store(true);
    while (!done.load()) std::this_thread::yield();
  });
  other.join();
  EXPECT_EQ(mine.count, 0u);
  EXPECT_EQ(mine.bytes, 0u);
  EXPECT_EQ(theirs.count, 100u);
  EXPECT_EQ(theirs.bytes, 100 * sizeof(std::int64_t));
}

// ---------------------------------------------------------- with Measure ----

TEST(MeasureAllocations, ExactlyKNewsPerCall) {
  const Result r = Measure(
      "three",
      [] {
        for (int i = 0; i < 3; ++i) {
          auto* p = new char[24];
          Escape(p);
          delete[] p;
        }
      },
      Calls(200));
  ASSERT_TRUE(r.counts.allocations.has_value());
  ASSERT_TRUE(r.counts.allocated_bytes.has_value());
  EXPECT_EQ(*r.counts.allocations, 3.0);
  EXPECT_EQ(*r.counts.allocated_bytes, 72.0);
  EXPECT_EQ(r.counts.operations, 200u);
  EXPECT_EQ(r.counts.key, CountsKey());
  EXPECT_FALSE(r.counts.key.empty());
  // Not under callgrind: no instruction count, and none made up.
  EXPECT_FALSE(r.counts.instructions.has_value());
}

TEST(MeasureAllocations, NothingAllocatedIsZeroNotAbsent) {
  int calls = 0;
  const Result r = Measure(
      "add", [&] { ++calls; }, Calls(100));
  EXPECT_EQ(r.counts.allocations, 0.0);
  EXPECT_EQ(r.counts.allocated_bytes, 0.0);
  EXPECT_EQ(r.counts.operations, 100u);
}

TEST(MeasureAllocations, WarmUpIsNotCounted) {
  int calls = 0;
  MeasureOptions options = Calls(50);
  options.warmup_iterations = 5;
  // The five warm-up calls allocate ten times each, the measured ones once.
  const Result r = Measure(
      "warm",
      [&] {
        const int n = calls++ < 5 ? 10 : 1;
        for (int i = 0; i < n; ++i) {
          auto* p = new std::int32_t(i);
          Escape(p);
          delete p;
        }
      },
      options);
  EXPECT_EQ(calls, 55);
  EXPECT_EQ(r.counts.allocations, 1.0);
  EXPECT_EQ(r.counts.allocated_bytes, 4.0);
  EXPECT_EQ(r.counts.operations, 50u);
}

TEST(MeasureAllocations, FailedCallsCountOnlyTheirOwnAllocations) {
  // Recording an error allocates (its category and example strings); that
  // is perfcheck's bookkeeping and must not be charged to the call.
  int calls = 0;
  const Result r = Measure(
      "flaky",
      [&] {
        auto* p = new std::int64_t(calls);
        Escape(p);
        delete p;
        if (calls++ % 2 == 1) throw Boom();
      },
      Calls(100));
  EXPECT_EQ(r.ErrorCount(), 50u);
  EXPECT_EQ(r.counts.allocations, 1.0);
  EXPECT_EQ(r.counts.allocated_bytes, 8.0);
  EXPECT_EQ(r.counts.operations, 100u);

  // The same for calls that report failure by returning false.
  const Result checked = Measure(
      "check",
      [&] {
        auto* p = new std::int64_t(calls);
        Escape(p);
        delete p;
        return calls++ % 3 != 0;
      },
      Calls(99));
  EXPECT_EQ(checked.ErrorCount(), 33u);
  EXPECT_EQ(checked.counts.allocations, 1.0);
  EXPECT_EQ(checked.counts.operations, 99u);
}

TEST(MeasureAllocations, AlignedAndNothrowNewAreCounted) {
  const Result r = Measure(
      "forms",
      [] {
        auto* line = new CacheLine;
        auto* n = new (std::nothrow) std::int32_t(1);
        auto* a = new (std::nothrow) char[10];
        Escape(line);
        Escape(n);
        Escape(a);
        delete line;
        delete n;
        delete[] a;
      },
      Calls(20));
  EXPECT_EQ(r.counts.allocations, 3.0);
  EXPECT_EQ(r.counts.allocated_bytes, 64.0 + 4.0 + 10.0);
}

TEST(MeasureAllocations, EveryWorkerThreadCountsItsOwnCalls) {
  const Result r = Measure(
      "parallel",
      [] {
        for (int i = 0; i < 2; ++i) {
          auto* p = new char[16];
          Escape(p);
          delete[] p;
        }
      },
      Calls(400, 4));
  EXPECT_EQ(r.counts.allocations, 2.0);
  EXPECT_EQ(r.counts.allocated_bytes, 32.0);
  EXPECT_EQ(r.counts.operations, 400u);
}

TEST(MeasureAllocations, AnotherThreadAllocatingMeanwhileIsNotCounted) {
  std::atomic<bool> stop{false};
  std::atomic<std::uint64_t> background{0};
  std::thread noise([&] {
    while (!stop.load()) {
      auto* p = new char[100];
      Escape(p);
      delete[] p;
      background.fetch_add(1);
    }
  });
  while (background.load() == 0) std::this_thread::yield();
  const std::uint64_t before = background.load();
  const Result r = Measure(
      "quiet",
      [] {
        auto* p = new std::int64_t(1);
        Escape(p);
        delete p;
        std::this_thread::yield();  // let the other thread allocate meanwhile
      },
      Calls(2000));
  const std::uint64_t during = background.load() - before;
  stop.store(true);
  noise.join();
  EXPECT_EQ(r.counts.allocations, 1.0);
  EXPECT_EQ(r.counts.allocated_bytes, 8.0);
  // Only meaningful if the other thread did allocate while Measure ran.
  EXPECT_GT(during, 0u);
}

}  // namespace
}  // namespace perfcheck
