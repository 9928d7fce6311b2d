// The calibration benchmark: a fixed reference workload that runs next to a
// project's Google Benchmarks, so that `perfcheck compare --calibrate` can
// judge a baseline recorded on one machine against a run on another
// (benchmark_compare.h, docs/benchmark-gate.md "Calibration").
//
// The workload (benchmark "perfcheck/calibration", a few microseconds per
// iteration on a current x86-64 core) is deterministic and the same in every
// perfcheck version that keeps this name; per iteration it does, in a fixed
// order:
//  - a dependent pointer walk of 64 steps through a 1 MiB buffer holding one
//    random cycle (memory latency beyond L1/L2, like a hash-table or B-tree
//    lookup that misses cache);
//  - FNV-1a over 512 bytes (a serial multiply chain: integer latency,
//    like parsing and hashing keys);
//  - 32 binary searches for pseudo-random keys in a sorted 4 KiB table
//    (data-dependent branches that mispredict half the time, like comparisons
//    in query code).
// Why a blend: a pure ALU loop tracks only the clock frequency and a pure
// memory walk only the memory system, while typical benchmarked code (query
// paths, parsers, containers) spends its time in all three; a machine that
// is faster in one and not another moves the blend by a middle amount. It is
// still one workload: a benchmark dominated by something else (SIMD,
// streaming bandwidth, system calls, many threads) can move differently,
// which no calibration factor fixes (docs/benchmark-gate.md, "Limits").
//
// Thread-safety: call from main() before benchmark::RunSpecifiedBenchmarks(),
// like any benchmark registration. Calling it twice registers it once.
//
// Example (instead of BENCHMARK_MAIN()):
//   int main(int argc, char** argv) {
//     benchmark::Initialize(&argc, argv);
//     perfcheck::RegisterCalibrationBenchmark();
//     benchmark::RunSpecifiedBenchmarks();
//     benchmark::Shutdown();
//   }
#ifndef PERFCHECK_GBENCH_CALIBRATION_H_
#define PERFCHECK_GBENCH_CALIBRATION_H_

#include <cstdint>

namespace perfcheck {

// Registers the benchmark "perfcheck/calibration" (kCalibrationBenchmarkName
// in benchmark_compare.h) with Google Benchmark.
void RegisterCalibrationBenchmark();

// One iteration of the workload on the calling thread's walk position;
// returns a checksum that depends on every step (so the compiler keeps the
// work). For tests and for timing the workload outside Google Benchmark.
std::uint64_t RunCalibrationWorkloadOnce();

}  // namespace perfcheck

#endif  // PERFCHECK_GBENCH_CALIBRATION_H_
