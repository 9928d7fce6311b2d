#!/usr/bin/env bash
# Tests scripts/ab-pr.sh on a temporary git repository: a tiny CMake project
# (no compiler needed) whose "perf test binary" is a wrapper, generated at
# build time, that runs the ab fixture (ab_fixture_perf_test.cc) with the
# slowdown factor committed in factor.txt. Checks that the merge base (not
# the base branch's tip) is what the head is compared with, that a slowdown
# fails and an unrelated change passes, that bad input exits 2, and that the
# worktree is cleaned up.
#
#   ab_pr_script_test.sh AB_PR_SH PERFCHECK FIXTURE
set -euo pipefail
ab_pr=$1
perfcheck=$2
fixture=$3

work=$(mktemp -d "${TMPDIR:-/tmp}/perfcheck-ab-pr-test-XXXXXX")
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

repo="$work/repo"
mkdir -p "$repo"
cd "$repo"
git init --quiet --initial-branch=main
git config user.email test@example.invalid
git config user.name "ab-pr test"
cat > CMakeLists.txt <<'CMAKE'
cmake_minimum_required(VERSION 3.16)
project(tiny LANGUAGES NONE)
file(READ ${CMAKE_SOURCE_DIR}/factor.txt FACTOR)
string(STRIP "${FACTOR}" FACTOR)
# The "binary" is made by its target, as a compiled test would be.
file(WRITE ${CMAKE_BINARY_DIR}/perf_test.in
  "#!/bin/sh\nAB_FIXTURE_FACTOR=${FACTOR} exec \"${FIXTURE}\" \"$@\"\n")
add_custom_target(perf_test ALL
  COMMAND ${CMAKE_COMMAND} -E copy perf_test.in perf_test
  COMMAND chmod +x perf_test
  WORKING_DIRECTORY ${CMAKE_BINARY_DIR})
CMAKE
echo 1.0 > factor.txt
echo "build/" > .gitignore
git add -A && git commit --quiet -m "A: the base"
base_commit=$(git rev-parse HEAD)

git checkout --quiet -b slower
echo 1.5 > factor.txt
git commit --quiet -am "B: slower"

git checkout --quiet main
echo 1.5 > factor.txt
git commit --quiet -am "C: main gets as slow after the branch was cut"

git checkout --quiet -b unrelated "$base_commit"
echo "docs" > README
git add README && git commit --quiet -m "D: no code change"

run() {  # run EXPECTED_STATUS LOG ARGS...
  local expected=$1 log=$2 status=0
  shift 2
  "$ab_pr" --base-ref main --binary perf_test --perfcheck "$perfcheck" \
    --cmake-arg "-DFIXTURE=$fixture" --no-db-servers "$@" \
    -- --filter Fixture.Synthetic --rounds 8 --quiet --color never \
    >"$log" 2>&1 || status=$?
  [[ $status -eq $expected ]] || { cat "$log"; fail "exit $status, expected $expected"; }
}

# 1. The slower branch regresses against the merge base A (main's tip C is
#    just as slow, so comparing with it would wrongly pass).
git checkout --quiet slower
run 1 "$work/slower.log" --out "$work/report-slower"
grep -q "merge base of HEAD and main: ${base_commit:0:7}" "$work/slower.log" ||
  { cat "$work/slower.log"; fail "the merge base was not used"; }
grep -q '| `Fixture.Synthetic` | \*\*regression\*\* |' "$work/report-slower/ab-report.md" ||
  fail "no regression row in the Markdown report"
grep -q '"schema": "perfcheck.ab/v1"' "$work/report-slower/ab-report.json" ||
  fail "no JSON report"
[[ "$(git worktree list | wc -l)" -eq 1 ]] || { git worktree list; fail "worktree left behind"; }

# 2. A change without code passes, and the step summary gets the report.
git checkout --quiet unrelated
export GITHUB_STEP_SUMMARY="$work/summary.md"
run 0 "$work/unrelated.log" --out "$work/report-unrelated"
unset GITHUB_STEP_SUMMARY
grep -q ':white_check_mark: no regression' "$work/summary.md" ||
  fail "the step summary has no report"

# 3. Bad input: exit 2 with the reason.
run 2 "$work/badref.log" --base-ref no-such-branch
grep -q "'no-such-branch' is not a commit" "$work/badref.log" || fail "bad ref message"
run 2 "$work/badbin.log" --binary missing_test
grep -q "building .*missing_test.* failed" "$work/badbin.log" || { cat "$work/badbin.log"; fail "bad binary message"; }
[[ "$(git worktree list | wc -l)" -eq 1 ]] || fail "worktree left behind after an error"
echo "ab-pr.sh: all cases passed"
