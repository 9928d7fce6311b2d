// Scenario files: the user classes of perfcheck/http/scenario.h written as
// JSON instead of C++, for `perfcheck load --scenario FILE` and for tests
// that keep their scenario beside the code. docs/scenario-file.md is the
// reference; in short:
//
//   {
//     "base_url": "http://127.0.0.1:8000",
//     "users": 50, "spawn_rate": 5, "duration": "5m",
//         (or "stages": [{"duration": "1m", "target": 50}, ...] in their place)
//     "variables": {"password": "${env:TEST_PASSWORD}"},
//     "classes": [{
//       "name": "NormalOperationsUser", "weight": 5,
//       "think": {"between": ["2s", "5s"]},
//       "on_start": [
//         {"post": "/api/auth/login", "name": "login",
//          "json": {"email": "user${user}@example.com",
//                   "password": "${password}"},
//          "expect": {"status": [200]},
//          "extract": {"token": "/token"}},
//         {"set_header": {"Authorization": "Bearer ${token}"}}],
//       "tasks": [
//         {"name": "view ticket", "weight": 3, "steps": [
//           {"get": "/api/tickets/${random:1:2000}",
//            "name": "/api/tickets/[id]",
//            "expect": {"status": [200], "json_has": ["/id"]}}]}]
//     }],
//     "thresholds": {"*": ["p95<500ms", "error_rate<1%"],
//                    "/api/tickets/[id]": ["p99<2s"]}
//   }
//
// Steps: a request (one of the keys get, post, put, patch, delete, head
// holding the path; optional name, headers, json or body, content_type,
// expect, extract), {"sleep": "1s"}, {"set": {"var": "template"}} and
// {"set_header": {"Name": "template"}, "secret": true}. Strings in paths,
// headers, bodies, set and set_header are templates: ${var} is a variable,
// ${user} the user's number, ${iteration} its task count, ${random:LO:HI} a
// uniform integer, ${env:NAME} an environment variable read when the file is
// loaded (missing: an error), $$ a '$'.
//
// Checked before anything runs, every error naming the source, the JSON
// path and the field (a syntax error: its line and column):
//   scenario.json: classes[0].tasks[1].steps[0].expect.status[0]: must be an
//   integer status in 100..599, got "ok"
// - an unknown field or a wrong type;
// - an extraction without a request, or a JSON pointer not starting with '/';
// - a variable no step can have defined by then: variables must come from
//   "variables", from the class's on_start, or from an earlier step of the
//   same flow (set or extract). Tasks run in random order, so a variable set
//   only in another task is an error here.
// At run time a failed extraction is a counted failure of its step (as
// VirtualUser::Extract); a later step using the variable then fails as an
// "exception" of its task, and the user goes on with its next task.
//
// Thread-safety: the parse functions are pure; the UserClasses they return
// may be run by RunScenario on any number of threads.
#ifndef PERFCHECK_HTTP_SCENARIO_FILE_H_
#define PERFCHECK_HTTP_SCENARIO_FILE_H_

#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "perfcheck/http/scenario.h"
#include "perfcheck/http/target.h"
#include "perfcheck/status.h"

namespace perfcheck::http {

struct ScenarioThresholds {
  // A request name, or "*" for the whole run.
  std::string name;
  // Threshold expressions as written (perfcheck load's syntax: "p95<500ms");
  // the caller parses them and reports errors with `path`.
  std::vector<std::string> expressions;
  std::string path;  // "thresholds[\"/api/x\"]", for error messages
};

struct ScenarioFile {
  std::string base_url;         // "" when the file names none
  std::vector<Header> headers;  // sent by every user
  std::vector<UserClass> classes;
  ScenarioOptions options;      // users, spawn_rate, duration, ...
  std::vector<ScenarioThresholds> thresholds;
};

// Parses and checks a scenario document. `source` (usually the file name)
// starts every error message. Reads the environment for ${env:NAME}.
StatusOr<ScenarioFile> ParseScenarioFile(std::string_view text,
                                         std::string_view source);

// Reads and parses `path` (an error names it when it cannot be read).
StatusOr<ScenarioFile> LoadScenarioFile(const std::filesystem::path& path);

}  // namespace perfcheck::http

#endif  // PERFCHECK_HTTP_SCENARIO_FILE_H_
