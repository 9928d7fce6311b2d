#!/usr/bin/env bash
# Builds everything and runs the whole test suite, as CI does.
#
#   scripts/test.sh              # release build: unit tests (-j2), perf tests
#                                # (serial), then every fuzz target for 15 s
#   scripts/test.sh --asan       # ... then the unit tests again under ASan + UBSan
#   scripts/test.sh --asan-only  # only the ASan + UBSan unit tests
#   scripts/test.sh --no-fuzz    # without the fuzz phase
#   scripts/test.sh --fuzz-only  # only the fuzz phase (scripts/fuzz.sh --seconds 15)
#
# Works from any directory and without a TTY. Every phase runs even when an
# earlier test phase failed (a build failure stops at once); the exit status is
# non-zero when any phase failed. If PERFCHECK_SUMMARY_FILE is set, each
# phase's ctest summary line is appended to it (used by .ci/run); the fuzz
# phase counts each fuzz target as a test.
set -euo pipefail

usage() { sed -n '2,15p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

release=1
asan=0
fuzz=1
for arg in "$@"; do
  case "$arg" in
    --asan) asan=1 ;;
    --asan-only) asan=1; release=0; fuzz=0 ;;
    --no-fuzz) fuzz=0 ;;
    --fuzz-only) fuzz=1; release=0; asan=0 ;;
    -h|--help) usage; exit 0 ;;
    *) printf 'test.sh: unknown argument %s\n' "$arg" >&2; usage >&2; exit 2 ;;
  esac
done

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"

run() {
  printf '+ %s\n' "$*"
  "$@"
}

launcher=()
if command -v ccache >/dev/null 2>&1; then
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
fi

failed_phases=()
summaries=()
passed_total=0
failed_total=0

# ctest_phase NAME BUILD_DIR ARGS...: runs ctest, keeps its summary line.
ctest_phase() {
  local name="$1" build_dir="$2"
  shift 2
  local log="$build_dir/test-logs/$name.log"
  mkdir -p "$build_dir/test-logs"
  printf '\n==== %s ====\n' "$name"
  printf '+ ctest --test-dir %s %s\n' "$build_dir" "$*"
  local rc=0
  # Default timeout for a test without its own; the suite must end by itself.
  ctest --test-dir "$build_dir" --output-on-failure --no-tests=error \
    --timeout 900 "$@" 2>&1 | tee "$log" || rc=${PIPESTATUS[0]}
  local line
  line=$(grep -E '^[0-9]+% tests passed, [0-9]+ tests? failed out of [0-9]+' "$log" | tail -n 1 || true)
  if [[ -n "$line" ]]; then
    local failed total
    failed=$(sed -E 's/.* ([0-9]+) tests? failed out of ([0-9]+).*/\1/' <<<"$line")
    total=$(sed -E 's/.* failed out of ([0-9]+).*/\1/' <<<"$line")
    passed_total=$((passed_total + total - failed))
    failed_total=$((failed_total + failed))
  else
    line="no ctest summary (ctest exit status $rc)"
  fi
  summaries+=("$name: $line")
  if [[ -n "${PERFCHECK_SUMMARY_FILE:-}" ]]; then
    printf '%s: %s\n' "$name" "$line" >>"$PERFCHECK_SUMMARY_FILE"
  fi
  if [[ $rc -ne 0 ]]; then
    failed_phases+=("$name")
  fi
}

# fuzz_phase SECONDS: scripts/fuzz.sh (build and fuzz every target), its
# summary kept in ctest's form so that .ci/run counts the targets.
fuzz_phase() {
  local seconds="$1"
  local log_dir=build/fuzz/test-logs
  local log="$log_dir/fuzz.log"
  mkdir -p "$log_dir"
  printf '\n==== fuzz ====\n'
  local rc=0
  scripts/fuzz.sh --seconds "$seconds" 2>&1 | tee "$log" || rc=${PIPESTATUS[0]}
  local line
  line=$(grep -E '^fuzz.sh: [0-9]+ targets passed, [0-9]+ failed' "$log" | tail -n 1 || true)
  if [[ -n "$line" ]]; then
    local passed failed total
    passed=$(sed -E 's/^fuzz.sh: ([0-9]+) targets passed.*/\1/' <<<"$line")
    failed=$(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$line")
    total=$((passed + failed))
    passed_total=$((passed_total + passed))
    failed_total=$((failed_total + failed))
    line="$((total > 0 ? passed * 100 / total : 0))% tests passed, $failed tests failed out of $total (fuzz targets, $seconds s each)"
  else
    line="no fuzz summary (fuzz.sh exit status $rc)"
  fi
  summaries+=("fuzz: $line")
  if [[ -n "${PERFCHECK_SUMMARY_FILE:-}" ]]; then
    printf 'fuzz: %s\n' "$line" >>"$PERFCHECK_SUMMARY_FILE"
  fi
  if [[ $rc -ne 0 ]]; then
    failed_phases+=(fuzz)
  fi
}

run scripts/install-deps.sh

if [[ $release -eq 1 ]]; then
  run cmake --preset release "${launcher[@]}"
  run cmake --build --preset release
  # Unit tests never depend on the machine's speed: parallel is fine.
  ctest_phase unit build/release -L unit -j2
  # Perf tests are RUN_SERIAL; a -j here would not change that.
  # --repeat until-pass:3: a failure must reproduce in fresh processes. On a
  # shared VM a whole process is sometimes 25-100% slower (measured; see
  # docs/regression-method.md); a real regression fails all three tries.
  ctest_phase perf build/release -L perf --repeat until-pass:3
fi

if [[ $fuzz -eq 1 ]]; then
  # 9 targets x 15 s: about 2.5 minutes of fuzzing after the fuzz build.
  fuzz_phase 15
fi

if [[ $asan -eq 1 ]]; then
  # Without the label cmake: those tests configure and build perfcheck in
  # other ways (components off, discovery properties); they check CMake, not
  # memory, and already ran in the release phase.
  run cmake --preset asan "${launcher[@]}"
  run cmake --build --preset asan
  ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}" \
  UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}" \
  LSAN_OPTIONS="${LSAN_OPTIONS:-suppressions=$repo_root/tests/lsan.supp}" \
    ctest_phase unit-asan build/asan -L unit -LE cmake -j2
fi

printf '\n==== summary ====\n'
for s in "${summaries[@]}"; do
  printf '%s\n' "$s"
done
if [[ ${#failed_phases[@]} -ne 0 ]]; then
  printf 'test.sh: FAILED phases: %s\n' "${failed_phases[*]}"
fi
printf 'test.sh: %d passed, %d failed\n' "$passed_total" "$failed_total"
[[ ${#failed_phases[@]} -eq 0 ]]
