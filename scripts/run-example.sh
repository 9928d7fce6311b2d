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
run ctest --test-dir build/release/examples -L perf --output-on-failure \
  --repeat until-pass:3 \
  --no-tests=error
