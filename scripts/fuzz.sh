#!/usr/bin/env bash
# Builds the libFuzzer targets of fuzz/ (CMake preset `fuzz`: clang, ASan +
# UBSan) and fuzzes each one for a bounded time, as CI does.
#
#   scripts/fuzz.sh                        # every target, 20 s each
#   scripts/fuzz.sh --seconds 15           # the smoke run of scripts/test.sh
#   scripts/fuzz.sh --seconds 3600 --target response_parser   # a long run
#   scripts/fuzz.sh --list                 # the target names
#
# Options: --seconds N (per target), --target NAME (repeatable; default all),
# --no-build (use build/fuzz as it is), --list, -h/--help.
#
# Each target first runs its fuzz/regressions/<target>/ inputs once (crashes
# found earlier), then fuzzes a copy of fuzz/corpus/<target>/ in a temporary
# directory: the committed corpus is never written. A crash, sanitizer
# report, broken property, leak, input slower than 10 s or RSS above 2 GiB
# fails the target; the input is saved under build/fuzz/artifacts/<target>/
# and its path printed with the command that reproduces it. One summary line
# per target. Works from any directory and without a TTY; every run is
# bounded in time. Exit status: 0 all passed, 1 a target failed, 2 usage or
# build error. More in docs/fuzzing.md.
set -euo pipefail

usage() { sed -n '2,21p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

seconds=20
build=1
list=0
targets=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --seconds)
      [[ $# -ge 2 && "$2" =~ ^[1-9][0-9]*$ ]] || {
        printf 'fuzz.sh: --seconds needs a whole number > 0\n' >&2
        exit 2
      }
      seconds="$2"
      shift 2
      ;;
    --target)
      [[ $# -ge 2 ]] || { printf 'fuzz.sh: --target needs a name\n' >&2; exit 2; }
      targets+=("$2")
      shift 2
      ;;
    --no-build) build=0; shift ;;
    --list) list=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) printf 'fuzz.sh: unknown argument %s\n' "$1" >&2; usage >&2; exit 2 ;;
  esac
done

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"

# The targets are the fuzz/<name>_fuzzer.cc files.
all=()
for src in fuzz/*_fuzzer.cc; do
  name="${src#fuzz/}"
  all+=("${name%_fuzzer.cc}")
done
if [[ $list -eq 1 ]]; then
  printf '%s\n' "${all[@]}"
  exit 0
fi
if [[ ${#targets[@]} -eq 0 ]]; then
  targets=("${all[@]}")
fi
for t in "${targets[@]}"; do
  if [[ ! -f "fuzz/${t}_fuzzer.cc" ]]; then
    printf 'fuzz.sh: no target %s (known: %s)\n' "$t" "${all[*]}" >&2
    exit 2
  fi
done

run() {
  printf '+ %s\n' "$*"
  "$@"
}

build_dir=build/fuzz
if [[ $build -eq 1 ]]; then
  if ! command -v clang++ >/dev/null 2>&1; then
    printf 'fuzz.sh: clang++ not found; install the Debian packages clang and libclang-rt-14-dev (scripts/install-deps.sh)\n' >&2
    exit 2
  fi
  launcher=()
  if command -v ccache >/dev/null 2>&1; then
    launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  fi
  run cmake --preset fuzz "${launcher[@]}" || exit 2
  run cmake --build --preset fuzz || exit 2
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/perfcheck-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT

# UBSan findings abort (the preset builds with -fno-sanitize-recover); the
# stack trace says where.
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}"

# libFuzzer's own limits; -timeout is per input.
common=(-rss_limit_mb=2048 -timeout=10 -print_final_stats=1)

dict_for() {
  case "$1" in
    response_parser) printf '%s' fuzz/http.dict ;;
    *_json) printf '%s' fuzz/json.dict ;;
  esac
}

# final_stat LOG NAME: a -print_final_stats value ("" when absent).
final_stat() {
  sed -n "s/^stat::$2: *//p" "$1" | tail -n 1
}

# What went wrong, in a few words, from a libFuzzer log.
failure_kind() {
  local log="$1"
  if grep -q 'PROPERTY VIOLATED' "$log"; then
    grep -m1 'PROPERTY VIOLATED' "$log" | sed 's/^PROPERTY VIOLATED: /property: /'
  elif grep -q 'ERROR: AddressSanitizer' "$log"; then
    grep -m1 -o 'ERROR: AddressSanitizer: [a-z-]*' "$log" | sed 's/^ERROR: //'
  elif grep -q 'runtime error:' "$log"; then
    grep -m1 -o 'runtime error: .*' "$log" | cut -c1-120 | sed 's/^/UBSan: /'
  elif grep -q 'ERROR: LeakSanitizer' "$log"; then
    printf 'memory leak'
  elif grep -q 'ERROR: libFuzzer: timeout' "$log"; then
    printf 'timeout (an input ran > 10 s)'
  elif grep -q 'ERROR: libFuzzer: out-of-memory' "$log"; then
    printf 'out of memory (> 2048 MB)'
  elif grep -q "terminate called after throwing" "$log"; then
    printf 'uncaught exception: %s' "$(grep -m1 -A1 'terminate called' "$log" | tail -n 1 | cut -c1-100)"
  elif grep -q 'ERROR: libFuzzer: deadly signal' "$log"; then
    printf 'crash (deadly signal)'
  else
    printf 'exit status %s' "$2"
  fi
}

summaries=()
failed=()
for t in "${targets[@]}"; do
  bin="$build_dir/fuzz/${t}_fuzzer"
  if [[ ! -x "$bin" ]]; then
    printf 'fuzz.sh: %s is not built (run without --no-build)\n' "$bin" >&2
    exit 2
  fi
  artifacts="$repo_root/$build_dir/artifacts/$t"
  mkdir -p "$artifacts" "$work/$t/corpus"
  dict=()
  if [[ -n "$(dict_for "$t")" ]]; then
    dict=("-dict=$(dict_for "$t")")
  fi
  printf '\n==== fuzz %s (%ss) ====\n' "$t" "$seconds"

  # 1. Earlier crashes, each input once.
  regressions=()
  if [[ -d "fuzz/regressions/$t" ]]; then
    while IFS= read -r -d '' f; do
      regressions+=("$f")
    done < <(find "fuzz/regressions/$t" -type f ! -name '*.md' -print0 | sort -z)
  fi
  rc=0
  log="$work/$t/regressions.log"
  if [[ ${#regressions[@]} -gt 0 ]]; then
    timeout --kill-after=10 $((60 + 12 * ${#regressions[@]})) \
      "$bin" "${common[@]}" "-artifact_prefix=$artifacts/" "${regressions[@]}" \
      >"$log" 2>&1 || rc=$?
    if [[ $rc -ne 0 ]]; then
      tail -n 60 "$log"
      input=$(grep -o 'Running: .*' "$log" | tail -n 1 | sed 's/^Running: //' || true)
      line="$t: FAILED on a regression input, $(failure_kind "$log" "$rc"): $repo_root/$input"
      summaries+=("$line")
      failed+=("$t")
      printf '%s\n  reproduce: %s %s\n' "$line" "$repo_root/$bin" "$repo_root/$input"
      continue
    fi
  fi

  # 2. Fuzzing from a scratch copy of the seed corpus.
  cp -R "fuzz/corpus/$t/." "$work/$t/corpus/"
  seeds=$(find "$work/$t/corpus" -type f | wc -l)
  log="$work/$t/fuzz.log"
  rc=0
  # max_total_time is checked between inputs, and one input may take up
  # to -timeout; the outer timeout only catches a hung process.
  timeout --kill-after=10 $((seconds + 120)) \
    "$bin" "${common[@]}" "${dict[@]}" "-max_total_time=$seconds" \
    "-artifact_prefix=$artifacts/" "$work/$t/corpus" >"$log" 2>&1 || rc=$?
  runs=$(final_stat "$log" number_of_executed_units)
  per_s=$(final_stat "$log" average_exec_per_sec)
  corpus=$(find "$work/$t/corpus" -type f | wc -l)
  if [[ $rc -eq 0 ]]; then
    line="$t: ok, ${runs:-?} runs (${per_s:-?}/s), corpus $seeds -> $corpus, ${#regressions[@]} regression inputs"
  else
    tail -n 60 "$log"
    artifact=$(grep -o 'Test unit written to .*' "$log" | tail -n 1 |
      sed 's/^Test unit written to //' || true)
    [[ -n "$artifact" ]] || artifact="(none written; see the log above)"
    line="$t: FAILED after ${runs:-?} runs, $(failure_kind "$log" "$rc"); input: $artifact"
    failed+=("$t")
  fi
  summaries+=("$line")
  printf '%s\n' "$line"
  if [[ $rc -ne 0 && -f "$artifact" ]]; then
    printf '  reproduce: %s %s\n' "$repo_root/$bin" "$artifact"
  fi
done

printf '\n==== fuzz summary ====\n'
for s in "${summaries[@]}"; do
  printf '%s\n' "$s"
done
printf 'fuzz.sh: %d targets passed, %d failed (%ss each)\n' \
  $((${#targets[@]} - ${#failed[@]})) "${#failed[@]}" "$seconds"
[[ ${#failed[@]} -eq 0 ]] || exit 1
