// Umbrella header of perfcheck's core library (perfcheck::perfcheck): time,
// histograms, results, measurement, statistics, SLA checks, baselines and the
// regression gate, JSON.
//
// The GoogleTest adapter is deliberately not included, so code that does not
// link gtest can use this header; test code includes "perfcheck/gtest.h" (and
// "perfcheck/gtest/perf_listener.h" for a custom main()).
//
// Example:
//   #include "perfcheck/perfcheck.h"
//   auto r = perfcheck::Measure(
//       "rbac.check", [&] { rbac.Allowed(u, "Order"); }, {.iterations = 10'000});
//   std::cout << perfcheck::PercentileLine(r) << "\n";
#ifndef PERFCHECK_PERFCHECK_H_
#define PERFCHECK_PERFCHECK_H_

#include "perfcheck/baseline.h"
#include "perfcheck/clock.h"
#include "perfcheck/duration.h"
#include "perfcheck/fingerprint.h"
#include "perfcheck/format.h"
#include "perfcheck/latency_histogram.h"
#include "perfcheck/machine.h"
#include "perfcheck/measurable.h"
#include "perfcheck/measure.h"
#include "perfcheck/percent_encoding.h"
#include "perfcheck/perf_counter.h"
#include "perfcheck/process_monitor.h"
#include "perfcheck/redaction.h"
#include "perfcheck/regression.h"
#include "perfcheck/resource_sla.h"
#include "perfcheck/resource_statistics.h"
#include "perfcheck/result.h"
#include "perfcheck/result_json.h"
#include "perfcheck/sla.h"
#include "perfcheck/statistics.h"
#include "perfcheck/status.h"
#include "perfcheck/time_series.h"
#include "perfcheck/window_sla.h"

#endif  // PERFCHECK_PERFCHECK_H_
