// `perfcheck load --scenario FILE`: a scenario file (perfcheck/http/
// scenario_file.h) with the command line's overrides, and its thresholds per
// request name, judged like --threshold.
//
//   "thresholds": {"*": ["p95<500ms"], "POST /api/tickets": ["rps>10"]}
//
// "*" judges the whole run; any other key a request name of the run. A name
// the run never sent fails its thresholds, with the names it did send, so a
// typo cannot pass silently.
//
// Thread-safety: pure functions (PlanScenario reads the file and the
// environment).
#ifndef PERFCHECK_CLI_SCENARIO_LOAD_H_
#define PERFCHECK_CLI_SCENARIO_LOAD_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "perfcheck/clock.h"
#include "perfcheck/http/load.h"
#include "perfcheck/http/scenario_file.h"
#include "perfcheck/status.h"
#include "threshold.h"

namespace perfcheck::cli {

// Command-line values that replace the file's.
struct ScenarioOverrides {
  std::optional<int> users;
  std::optional<double> spawn_rate;
  std::optional<Nanos> duration;
  std::optional<int> threads;
  std::optional<std::uint64_t> iterations;
  std::optional<Nanos> request_timeout;
  std::optional<Nanos> connect_timeout;
  // --ramp DURATION:TARGET ...: stages in place of the file's users,
  // spawn rate, duration and stages.
  std::vector<http::Stage> stages;
};

struct NamedThreshold {
  std::string name;  // a request name, or "*" for the whole run
  Threshold threshold;
  // What reports show: "p95<500ms" for "*", else "NAME: p95<500ms".
  std::string Text() const;
};

struct ScenarioPlan {
  http::ScenarioFile file;  // options with the overrides applied
  std::vector<NamedThreshold> thresholds;
};

// Loads `path`, applies `overrides` and parses the file's thresholds; every
// error names the file, and for thresholds the JSON path.
StatusOr<ScenarioPlan> PlanScenario(const std::string& path,
                                    const ScenarioOverrides& overrides);

// Judges `t` on its request name's Result, or the aggregate for "*".
ThresholdVerdict EvaluateNamed(const NamedThreshold& t,
                               const http::HttpLoadResult& result);

}  // namespace perfcheck::cli

#endif  // PERFCHECK_CLI_SCENARIO_LOAD_H_
