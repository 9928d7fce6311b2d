#include "scenario_load.h"

#include <chrono>

namespace perfcheck::cli {

std::string NamedThreshold::Text() const {
  return name == "*" ? threshold.text : name + ": " + threshold.text;
}

StatusOr<ScenarioPlan> PlanScenario(const std::string& path,
                                    const ScenarioOverrides& overrides) {
  StatusOr<http::ScenarioFile> file = http::LoadScenarioFile(path);
  if (!file.ok()) return file.status();
  ScenarioPlan plan{std::move(*file), {}};
  http::ScenarioOptions& o = plan.file.options;
  // Stages and the users/spawn rate/duration they replace do not mix.
  const bool stages = !overrides.stages.empty() || !o.stages.empty();
  for (const auto& [given, flag] :
       {std::pair<bool, const char*>{overrides.users.has_value(), "--users"},
        {overrides.spawn_rate.has_value(), "--spawn-rate"},
        {overrides.duration.has_value(), "--duration"}}) {
    if (given && stages) {
      return Status::Error(
          std::string(flag) + ": " +
          (overrides.stages.empty() ? path + " has stages, which set"
                                    : std::string("--ramp sets")) +
          " the users and the run's length; give --ramp to replace them");
    }
  }
  if (!overrides.stages.empty()) o.stages = overrides.stages;
  if (overrides.users) o.users = *overrides.users;
  if (overrides.spawn_rate) o.spawn_rate = *overrides.spawn_rate;
  if (overrides.duration) {
    o.duration = std::chrono::nanoseconds(*overrides.duration);
  }
  if (overrides.threads) o.threads = *overrides.threads;
  if (overrides.iterations) o.iterations = *overrides.iterations;
  if (overrides.request_timeout) {
    o.request_timeout = std::chrono::nanoseconds(*overrides.request_timeout);
  }
  if (overrides.connect_timeout) {
    o.connect_timeout = std::chrono::nanoseconds(*overrides.connect_timeout);
  }
  if (Status s = o.Check(); !s.ok()) {
    return Status::Error(path + " with the command line's values: " +
                         s.message());
  }
  for (const http::ScenarioThresholds& group : plan.file.thresholds) {
    for (std::size_t i = 0; i < group.expressions.size(); ++i) {
      StatusOr<Threshold> t = ParseThreshold(group.expressions[i]);
      if (!t.ok()) {
        return Status::Error(path + ": " + group.path + "[" +
                             std::to_string(i) + "]: " + t.status().message());
      }
      plan.thresholds.push_back({group.name, *t});
    }
  }
  return plan;
}

ThresholdVerdict EvaluateNamed(const NamedThreshold& t,
                               const http::HttpLoadResult& result) {
  if (t.name == "*") return Evaluate(t.threshold, result.aggregate);
  auto it = result.endpoints.find(t.name);
  if (it != result.endpoints.end()) return Evaluate(t.threshold, it->second);
  ThresholdVerdict v;
  v.passed = false;
  std::string names;
  for (const auto& [name, r] : result.endpoints) {
    names += (names.empty() ? "" : ", ") + name;
  }
  v.measured = "no request named '" + t.name + "' in this run (names: " +
               (names.empty() ? "none" : names) + ")";
  return v;
}

}  // namespace perfcheck::cli
