#!/usr/bin/env bash
# Quick start: installs the dependencies, builds the example perf suite
# (examples/, an ERP-style order store gated by perf tests) with the release
# preset, and runs its perf tests against the committed baselines/.
#
#   scripts/run-example.sh        # from any directory
#
# Exit status: ctest's; non-zero when a perf test (SLA or regression gate)
# fails or anything before it does.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"

run() {
  printf '+ %s\n' "$*"
  "$@"
}

run scripts/install-deps.sh

configure_args=(--preset release)
if command -v ccache >/dev/null 2>&1; then
  configure_args+=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
fi
run cmake "${configure_args[@]}"
# examples/all (a Ninja directory target): the example suite and what it links,
# not perfcheck's own unit tests and benchmarks; perfcheck_cli: the
# `perfcheck` executable the example benchmark tests call (it lives outside
# examples/, so examples/all does not build it).
run cmake --build --preset release --target examples/all perfcheck_cli
# Only the examples directory's tests: other perf tests (e.g. benchmarks) are
# not built by this script.
# --repeat until-pass:3: a perf failure must reproduce in fresh processes
# (docs/regression-method.md, "Process-level noise").
status=0
run ctest --test-dir build/release/examples -L perf --output-on-failure \
  --repeat until-pass:3 \
  --no-tests=error || status=$?

# ctest shows the output of failed tests only; say what the gate could not
# judge on this machine (baselines recorded on another testbed), so a pass is
# never mistaken for a time gate that held.
log=build/release/examples/Testing/Temporary/LastTest.log
if [[ -f "$log" ]]; then
  # (grep finds nothing where every time was judged: not an error here.)
  not_judged=$({ grep -oE '^perfcheck: [^ ]+: time not judged' "$log" || true; } |
    sort -u | wc -l)
  benchmarks=$(grep -c '^OTHER TESTBED:' "$log" || true)
  if ((not_judged + benchmarks > 0)); then
    printf '\nrun-example: time not judged for %d result(s) and %d benchmark run(s): the\n' \
      "$not_judged" "$benchmarks"
    printf 'committed baselines come from another testbed (error rates were judged).\n'
    printf 'To gate time on this machine, record it: README.md, "What the gate does on\n'
    printf 'your machine". Details: %s\n' "$log"
  fi
fi
# The gate that holds on any machine: instruction counts under Valgrind.
if [[ -f "$log" ]]; then
  counted=$({ grep -oE '^[0-9]+/[0-9]+ Testing: .*\.instructions$' "$log" || true; } |
    sed 's/.*Testing: //' | sort -u | wc -l)
  other_build=$({ grep -oE '^perfcheck: [^ ]+: counts not judged' "$log" || true; } |
    sort -u | wc -l)
  printf '\nrun-example: %d test(s) gated on instruction counts under Valgrind' "$counted"
  if ((other_build > 0)); then
    printf ' (%d with counts of another build, not judged)' "$other_build"
  fi
  printf '; docs/instruction-counts.md\n'
fi
exit "$status"
