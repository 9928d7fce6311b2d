#!/usr/bin/env bash
# End-to-end test of a gtest binary's instruction-count run
# (--perfcheck_instructions): record, identical code passes with exactly the
# same counts in separate processes (other paths and environment sizes too),
# 5% more work fails, another build's counts are not comparable, and the
# ways it cannot run are exit 2 with a reason.
#
#   instruction_run_test.sh FIXTURE_BINARY WORK_DIR
set -u
bin=$1
work=$2
rm -rf "$work"
mkdir -p "$work"
failures=0

fail() {
  echo "FAIL: $*"
  failures=$((failures + 1))
}

# run NAME EXPECTED_RC [env assignments...] -- [extra args...]
run() {
  local name=$1 expected=$2
  shift 2
  local envs=()
  while [[ $# -gt 0 && $1 != -- ]]; do envs+=("$1"); shift; done
  [[ $# -gt 0 ]] && shift
  env "${envs[@]}" "$bin" --gtest_filter='Fixture.*' --perfcheck_instructions \
    "--perfcheck_baseline_dir=$work/b" "--perfcheck_results_dir=$work/r-$name" \
    "--perfcheck_candidate_dir=$work/c" "$@" >"$work/$name.out" 2>&1
  local rc=$?
  if [[ $rc -ne $expected ]]; then
    fail "$name: exit $rc, expected $expected"
    sed 's/^/  | /' "$work/$name.out"
  fi
}

expect_output() {
  local name=$1 pattern=$2
  if ! grep -Eq -- "$pattern" "$work/$name.out"; then
    fail "$name: output lacks /$pattern/"
    sed 's/^/  | /' "$work/$name.out"
  fi
}

# The instructions-per-operation value of a result file.
count_of() {
  sed -n 's/.*"instructions": \([0-9.]*\).*/\1/p' \
    "$work/r-$1/Fixture.Hash.instructions.fixture.hash.json" | head -1
}

run record 0 PERFCHECK_UPDATE_BASELINES=1
[[ -f $work/b/Fixture.Hash.instructions.json ]] ||
  fail "record: no baseline file Fixture.Hash.instructions.json"
grep -q '"instructions"' "$work/b/Fixture.Hash.instructions.json" ||
  fail "record: the baseline holds no instruction count"
expect_output record "Fixture.Hash.instructions +fixture.hash +5 +0 +[0-9,]+ +1 "

run same 0
expect_output same "pass"
mkdir -p "$work/a-much-longer-temporary-directory-name-than-usual"
run same_elsewhere 0 "PAD=$(printf 'x%.0s' {1..3000})" \
  "TMPDIR=$work/a-much-longer-temporary-directory-name-than-usual"
[[ -n $(count_of same) ]] || fail "same: no instruction count in its result"
[[ $(count_of same) == "$(count_of same_elsewhere)" ]] ||
  fail "counts differ between processes: $(count_of same) vs $(count_of same_elsewhere)"

run more_work 1 INSTRUCTION_FIXTURE_FACTOR=1.05
expect_output more_work "instructions +[0-9,]+ +[0-9,]+ +\+[0-9.]+% +1% +regression"

run other_build 0 PERFCHECK_COUNTS_KEY=another-build
expect_output other_build "counts not judged: the baseline's counts were made by another build"

# Started under Valgrind by someone else: perfcheck cannot read its counts.
if command -v valgrind >/dev/null; then
  valgrind --tool=callgrind -q "$bin" --gtest_filter='Fixture.*' \
    --perfcheck_instructions >"$work/foreign.out" 2>&1
  rc=$?
  [[ $rc -eq 2 ]] || fail "foreign valgrind: exit $rc, expected 2"
  expect_output foreign "under a Valgrind that perfcheck did not start"
else
  fail "valgrind is not installed (scripts/install-deps.sh installs it)"
fi

run no_valgrind 2 PATH=/nonexistent
expect_output no_valgrind "needs valgrind on PATH"

if [[ $failures -gt 0 ]]; then
  echo "$failures check(s) failed"
  exit 1
fi
echo "all instruction-run checks passed"
