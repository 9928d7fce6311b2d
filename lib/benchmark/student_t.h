// Internal to perfcheck::benchmark: Student's t distribution, for the Welch
// interval of aggregates-only comparisons, where few repetitions (df 1 or 2
// with --min-repetitions 2) are common and an approximate quantile would
// make the interval too narrow exactly when it matters most.
//
// Thread-safety: pure functions.
#ifndef PERFCHECK_LIB_BENCHMARK_STUDENT_T_H_
#define PERFCHECK_LIB_BENCHMARK_STUDENT_T_H_

namespace perfcheck::benchmark_internal {

// P(T <= t) for `df` > 0 degrees of freedom (real-valued: Welch's df).
double StudentTCdf(double t, double df);

// The t with P(T <= t) = p, for p in (0, 1) and df > 0 (real-valued);
// exact to ~1e-12 relative: closed forms for df 1 and 2, otherwise the
// inverted incomplete beta function. NaN outside the domain.
double StudentTQuantile(double p, double df);

// Two-sided: t such that P(|T| <= t) = confidence, confidence in (0, 1).
double TCriticalValue(double confidence, double df);

}  // namespace perfcheck::benchmark_internal

#endif  // PERFCHECK_LIB_BENCHMARK_STUDENT_T_H_
