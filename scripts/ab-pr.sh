#!/usr/bin/env bash
# The pull-request perf gate in one command: builds the merge base of HEAD and
# the base branch (a git worktree) and HEAD itself, with the same CMake
# arguments, then runs `perfcheck ab` over the perf test binaries of both
# builds on this machine (docs/ab-gate.md).
#
#   scripts/ab-pr.sh [options] [-- perfcheck ab options]
#
# Options:
#   --base-ref REF      branch or commit to compare against (default:
#                       origin/$GITHUB_BASE_REF in a GitHub pull request, else
#                       origin/main, else main); the merge base of HEAD and REF
#                       is built, so commits that landed on REF since the
#                       branch was cut are not blamed on the pull request
#   --binary PATH       a perf test binary, relative to a build directory
#                       (repeatable; its file name is the CMake target built).
#                       Default: the example suites, examples/example_perf_test
#                       and examples/db/erp_db_{sqlite,postgres,mariadb}_perf_test
#   --cmake-arg ARG     for both configures (repeatable; default
#                       -DCMAKE_BUILD_TYPE=Release, and ccache when installed)
#   --build-dir DIR     head build (default build/ab-head)
#   --base-build-dir DIR  base build (default build/ab-base)
#   --perfcheck PATH    the perfcheck tool (default: built in the head build,
#                       target perfcheck_cli)
#   --out DIR           ab-report.md and ab-report.json go here (default
#                       build/ab-report)
#   --no-db-servers     do not start PostgreSQL / MariaDB for *postgres* /
#                       *mariadb* binaries (use PERFCHECK_PG_URL /
#                       PERFCHECK_MARIADB_URL, or leave those binaries out)
#   --keep-worktree     leave the base worktree for inspection
#
# Servers: one throwaway server per database (scripts/db/*.sh), started once
# and used by both sides, stopped at the end. Prerequisites: the packages of
# scripts/install-deps.sh.
#
# Exit status: that of `perfcheck ab` (0 no regression, 1 regression, 2 usage
# or input error); 2 when the base cannot be found or a build fails.
set -euo pipefail

die() { echo "ab-pr.sh: $*" >&2; exit 2; }
usage() { sed -n '2,40p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(git rev-parse --show-toplevel 2>/dev/null) || die "not inside a git repository"
caller_dir=$PWD
# Paths given on the command line are relative to where it was typed.
absolute() { [[ "$1" == /* ]] && echo "$1" || echo "$caller_dir/$1"; }

base_ref=""
binaries=()
cmake_args=()
head_build="$root/build/ab-head"
base_build="$root/build/ab-base"
perfcheck=""
out="$root/build/ab-report"
db_servers=1
keep_worktree=0
ab_args=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --base-ref) base_ref="${2:?--base-ref needs a value}"; shift 2 ;;
    --binary) binaries+=("${2:?--binary needs a value}"); shift 2 ;;
    --cmake-arg) cmake_args+=("${2:?--cmake-arg needs a value}"); shift 2 ;;
    --build-dir) head_build=$(absolute "${2:?}"); shift 2 ;;
    --base-build-dir) base_build=$(absolute "${2:?}"); shift 2 ;;
    --perfcheck) perfcheck=$(absolute "${2:?}"); shift 2 ;;
    --out) out=$(absolute "${2:?}"); shift 2 ;;
    --no-db-servers) db_servers=0; shift ;;
    --keep-worktree) keep_worktree=1; shift ;;
    -h|--help) usage; exit 0 ;;
    --) shift; ab_args=("$@"); break ;;
    *) usage >&2; die "unknown option '$1'" ;;
  esac
done
cd "$root"

if [[ -z "$base_ref" ]]; then
  for candidate in ${GITHUB_BASE_REF:+"origin/$GITHUB_BASE_REF"} origin/main main; do
    if git rev-parse --verify --quiet "$candidate^{commit}" >/dev/null; then
      base_ref="$candidate"
      break
    fi
  done
  [[ -n "$base_ref" ]] || die "no base branch found (origin/main, main); pass --base-ref"
fi
git rev-parse --verify --quiet "$base_ref^{commit}" >/dev/null ||
  die "--base-ref '$base_ref' is not a commit here (fetch it first: git fetch origin <branch>)"
merge_base=$(git merge-base HEAD "$base_ref") ||
  die "HEAD and '$base_ref' have no common ancestor"
echo "ab-pr.sh: base = merge base of HEAD and $base_ref: $(git log -1 --format='%h %s' "$merge_base")"
echo "ab-pr.sh: head = $(git log -1 --format='%h %s' HEAD)"

if [[ ${#binaries[@]} -eq 0 ]]; then
  binaries=(examples/example_perf_test examples/db/erp_db_sqlite_perf_test
            examples/db/erp_db_postgres_perf_test examples/db/erp_db_mariadb_perf_test)
fi
if [[ ${#cmake_args[@]} -eq 0 ]]; then
  cmake_args=(-DCMAKE_BUILD_TYPE=Release)
  if command -v ccache >/dev/null 2>&1; then
    cmake_args+=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
  fi
fi
generator=()
command -v ninja >/dev/null 2>&1 && generator=(-G Ninja)

# The base's sources: a detached worktree at the merge base, removed at exit.
worktree="$root/build/ab-base-src"
states=()
cleanup() {
  local s
  for s in "${states[@]}"; do
    "$script_dir/db/${s%%:*}.sh" stop "${s#*:}" >/dev/null 2>&1 || true
  done
  if [[ $keep_worktree -eq 0 && -d "$worktree" ]]; then
    git -C "$root" worktree remove --force "$worktree" >/dev/null 2>&1 || true
  fi
}
trap cleanup EXIT
if [[ -d "$worktree" ]]; then
  git worktree remove --force "$worktree" >/dev/null 2>&1 || rm -rf "$worktree"
  git worktree prune
fi
mkdir -p "$(dirname "$worktree")"
git worktree add --detach --quiet "$worktree" "$merge_base" ||
  die "cannot create a worktree of $merge_base at $worktree"

targets=()
for b in "${binaries[@]}"; do targets+=("$(basename "$b")"); done
build() {  # build SOURCE_DIR BUILD_DIR TARGET...
  local src="$1" dir="$2"
  shift 2
  echo "ab-pr.sh: building $* in $dir"
  cmake -S "$src" -B "$dir" "${generator[@]}" "${cmake_args[@]}" >"$dir.configure.log" 2>&1 ||
    { tail -n 30 "$dir.configure.log" >&2; die "configuring $src failed (log: $dir.configure.log)"; }
  cmake --build "$dir" --target "$@" ||
    die "building $* in $dir failed"
}
mkdir -p "$(dirname "$head_build")" "$(dirname "$base_build")"
head_targets=("${targets[@]}")
[[ -n "$perfcheck" ]] || head_targets+=(perfcheck_cli)
build "$root" "$head_build" "${head_targets[@]}"
build "$worktree" "$base_build" "${targets[@]}"
[[ -n "$perfcheck" ]] || perfcheck="$head_build/cli/perfcheck"
[[ -x "$perfcheck" ]] || die "no perfcheck tool at $perfcheck"

pairs=()
for b in "${binaries[@]}"; do
  [[ -x "$base_build/$b" ]] || die "the base build has no $b (did the target exist at $merge_base?)"
  [[ -x "$head_build/$b" ]] || die "the head build has no $b"
  pairs+=(--base "$base_build/$b" --head "$head_build/$b")
done

# One server per database for both sides: the variables the tests read.
start_server() {  # start_server postgres|mariadb ENV_VARIABLE
  local state="$root/build/ab-$1-server"
  "$script_dir/db/$1.sh" start "$state" || die "cannot start the $1 server"
  states+=("$1:$state")
  export "$2=$state/env"
}
if [[ $db_servers -eq 1 ]]; then
  if printf '%s\n' "${binaries[@]}" | grep -q postgres; then
    start_server postgres PERFCHECK_PG_ENV_FILE
  fi
  if printf '%s\n' "${binaries[@]}" | grep -q mariadb; then
    start_server mariadb PERFCHECK_MARIADB_ENV_FILE
  fi
fi

mkdir -p "$out"
status=0
"$perfcheck" ab "${pairs[@]}" --markdown "$out/ab-report.md" \
  --json "$out/ab-report.json" --step-summary ${ab_args[@]+"${ab_args[@]}"} || status=$?
echo "ab-pr.sh: reports in $out/ab-report.md and $out/ab-report.json (exit $status)"
exit "$status"
