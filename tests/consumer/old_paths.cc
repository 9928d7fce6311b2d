// The 0.1 header paths must still compile, alone and together with the new
// ones (the forwarding headers' guards differ from the headers they forward
// to), and name the same declarations. Built twice by CMakeLists.txt: with
// -Werror, which proves the old paths are silent by default, and with
// PERFCHECK_WARN_DEPRECATED_HEADERS, which proves the warning directive is
// well-formed. Compiled only, never linked: the point is the include tree.
#include <type_traits>

#include "perfcheck/benchmark_compare.h"
#include "perfcheck/benchmark_json.h"
#include "perfcheck/benchmark_run.h"
#include "perfcheck/contract_check.h"
#include "perfcheck/db_connection.h"
#include "perfcheck/db_gtest.h"
#include "perfcheck/db_plan.h"
#include "perfcheck/db_seed.h"
#include "perfcheck/db_timing.h"
#include "perfcheck/http_load.h"
#include "perfcheck/http_request.h"
#include "perfcheck/http_spec.h"
#include "perfcheck/http_target.h"
#include "perfcheck/mock_server.h"
#include "perfcheck/perf_listener.h"
#include "perfcheck/request_assertions.h"
#include "perfcheck/request_matcher.h"
#if PERFCHECK_CONSUMER_HAVE_GBENCH
#include "perfcheck/benchmark_calibration.h"
#include "perfcheck/benchmark_perf_counter.h"
#include "perfcheck/gbench/calibration.h"
#include "perfcheck/gbench/perf_counter.h"
#endif

// The new paths after the old: each header's body is seen once.
#include "perfcheck/benchmark/compare.h"
#include "perfcheck/benchmark/json.h"
#include "perfcheck/benchmark/run.h"
#include "perfcheck/contract/check.h"
#include "perfcheck/contract/mock_server.h"
#include "perfcheck/contract/request_assertions.h"
#include "perfcheck/contract/request_matcher.h"
#include "perfcheck/db/connection.h"
#include "perfcheck/db/gtest.h"
#include "perfcheck/db/plan.h"
#include "perfcheck/db/seed.h"
#include "perfcheck/db/timing.h"
#include "perfcheck/gtest/perf_listener.h"
#include "perfcheck/http/load.h"
#include "perfcheck/http/request.h"
#include "perfcheck/http/spec.h"
#include "perfcheck/http/target.h"

// One declaration of each component, reached through the old paths.
static_assert(std::is_class_v<perfcheck::http::Target>);
static_assert(std::is_class_v<perfcheck::http::LoadOptions>);
static_assert(std::is_class_v<perfcheck::contract::MockServer>);
static_assert(std::is_class_v<perfcheck::db::Connection>);
static_assert(std::is_class_v<perfcheck::BenchmarkFile>);
static_assert(std::is_class_v<perfcheck::testing::PerfListener>);
