// Burns CPU at a duty cycle, for the CPU assertions' tests: in every 10 ms
// period each of --threads threads spins for duty x 10 ms and sleeps the
// rest (--duty 0: sleeps only). --hold-mib N first allocates N MiB and
// touches every page, so RSS is known to be at least that. Prints "ready"
// once the memory is held, and ends on its own after --max-seconds.
// Usage: cpu_burner [--duty 0..1] [--threads N] [--hold-mib N]
//                   [--max-seconds S]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <thread>
#include <vector>

int main(int argc, char** argv) {
  double duty = 1, max_seconds = 30;
  int threads = 1;
  long hold_mib = 0;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--duty") == 0) {
      duty = std::atof(argv[i + 1]);
    } else if (std::strcmp(argv[i], "--threads") == 0) {
      threads = std::atoi(argv[i + 1]);
    } else if (std::strcmp(argv[i], "--hold-mib") == 0) {
      hold_mib = std::atol(argv[i + 1]);
    } else if (std::strcmp(argv[i], "--max-seconds") == 0) {
      max_seconds = std::atof(argv[i + 1]);
    } else {
      std::fprintf(stderr, "unknown flag %s\n", argv[i]);
      return 2;
    }
  }
  const std::size_t held = static_cast<std::size_t>(hold_mib) << 20;
  auto memory = std::make_unique<char[]>(held > 0 ? held : 1);
  for (std::size_t k = 0; k < held; k += 4096) memory[k] = 1;
  std::printf("ready\n");
  std::fflush(stdout);

  using Clock = std::chrono::steady_clock;
  const auto end =
      Clock::now() + std::chrono::duration_cast<Clock::duration>(
                         std::chrono::duration<double>(max_seconds));
  const auto period = std::chrono::milliseconds(10);
  const auto busy = std::chrono::duration_cast<Clock::duration>(period * duty);
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&] {
      volatile unsigned long sink = 0;
      for (auto start = Clock::now(); start < end; start = Clock::now()) {
        // The clock is read every 4096 turns: where reading it is a system
        // call (some VMs), the spin stays user CPU.
        for (unsigned n = 0; busy.count() > 0; ++n) {
          sink = sink + 1;
          if ((n & 4095) == 0 && Clock::now() - start >= busy) break;
        }
        std::this_thread::sleep_until(start + period);
      }
    });
  }
  for (std::thread& t : pool) t.join();
  return memory[held / 2] == 7 ? 1 : 0;  // keeps the memory alive to the end
}
