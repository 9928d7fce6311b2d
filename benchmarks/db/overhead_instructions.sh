#!/usr/bin/env bash
# Client instructions per query of perfcheck::db::TimeQuery against a raw
# client loop (libpqxx / mariadb-connector-c) running the same prepared
# statement, counted by callgrind. Instruction counts are deterministic, so
# unlike wall time on a shared VM they show small per-query differences.
#
# Usage: benchmarks/db/overhead_instructions.sh [BUILD_DIR] [BACKEND...]
#   BUILD_DIR  CMake build holding benchmarks/db/perfcheck_db_overhead
#              (default: build); RelWithDebInfo names the functions in the
#              breakdown, Release gives the same totals
#   BACKEND    postgres and/or mariadb (default: both)
#   env: N1 (1000), N2 (5000) measured queries of the two runs per side;
#        WARMUP (200); TOP (12) rows of the per-function breakdown;
#        ROUNDS (5) interleaved native rounds for the latency figure;
#        KEEP=DIR keeps the callgrind files in DIR;
#        PERFCHECK_PG_URL / PERFCHECK_MARIADB_URL use your own servers.
#
# Method: each side (raw, perfcheck) runs twice under
#   valgrind --tool=callgrind --toggle-collect='*OverheadSide<Side>*'
# with N1 and N2 measured queries (same warm-up, same table, same keys), so
# only the instructions executed inside the measured function and its callees
# (client library, libc, libstdc++) are counted; connecting, seeding and
# exiting are not. Per query = (Ir(N2) - Ir(N1)) / (N2 - N1): once-per-run
# work (TimeQuery's warm-up, fingerprint, result assembly) cancels out. The
# breakdown is the same difference per function (exclusive cost), from
# callgrind_annotate. Kernel and server work are not counted: callgrind sees
# the client's user space only.
#
# Needs valgrind (apt-get install -y valgrind), python3 and the server
# packages (scripts/db/postgres.sh, scripts/db/mariadb.sh start throwaway
# servers in state dirs under /tmp and stop them on exit).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
BUILD=${1:-build}
shift || true
BACKENDS=("$@")
[[ ${#BACKENDS[@]} -eq 0 ]] && BACKENDS=(postgres mariadb)
N1=${N1:-1000}
N2=${N2:-5000}
WARMUP=${WARMUP:-200}
TOP=${TOP:-12}
ROUNDS=${ROUNDS:-5}

for tool in valgrind callgrind_annotate python3; do
  command -v "$tool" >/dev/null || {
    echo "overhead_instructions.sh: $tool not found (apt-get install -y ${tool/callgrind_annotate/valgrind})" >&2
    exit 2
  }
done
bin="$BUILD/benchmarks/db/perfcheck_db_overhead"
[[ -x $bin ]] || {
  echo "overhead_instructions.sh: $bin is not built (cmake --build $BUILD --target perfcheck_db_overhead)" >&2
  exit 2
}
(( N2 > N1 )) || { echo "overhead_instructions.sh: N2 must be > N1" >&2; exit 2; }

work=$(mktemp -d /tmp/perfcheck-overhead-instr.XXXXXX)
states=()
cleanup() {
  local s
  for s in "${states[@]}"; do
    "$root/scripts/db/${s%%:*}.sh" stop "${s#*:}" >/dev/null || true
    rm -rf "${s#*:}"
  done
  if [[ -n ${KEEP:-} ]]; then
    mkdir -p "$KEEP"
    cp "$work"/*.out "$KEEP"/ 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

# start_server BACKEND: starts a throwaway server unless its URL is set.
start_server() {
  local backend=$1 var script state
  case $backend in
    postgres) var=PERFCHECK_PG_URL script=postgres ;;
    mariadb) var=PERFCHECK_MARIADB_URL script=mariadb ;;
    *) echo "overhead_instructions.sh: unknown backend $backend" >&2; exit 2 ;;
  esac
  [[ -n ${!var:-} ]] && return
  # Its own dir directly under /tmp: as root the server runs as `nobody`,
  # which must be able to reach it.
  state=$(mktemp -d "/tmp/perfcheck-overhead-$backend.XXXXXX")
  states+=("$script:$state")
  "$root/scripts/db/$script.sh" start "$state" >&2
  set -a
  # shellcheck disable=SC1091
  . "$state/env"
  set +a
}

# count BACKEND SIDE N: callgrind's instruction total of one run.
count() {
  local backend=$1 side=$2 n=$3 fn out
  fn=OverheadSideRaw
  [[ $side == perfcheck ]] && fn=OverheadSidePerfcheck
  out="$work/$backend-$side-$n.out"
  valgrind --tool=callgrind --toggle-collect="*$fn*" --callgrind-out-file="$out" \
    "$bin" --backend "$backend" --only "$side" --no-seed --iterations "$n" \
    --warmup "$WARMUP" >"$work/run.log" 2>&1 || { cat "$work/run.log" >&2; exit 1; }
  awk '/^totals:/ {print $2}' "$out"
}

mhz=$(awk -F: '/^cpu MHz/ {printf "%.0f", $2; exit}' /proc/cpuinfo 2>/dev/null || true)
summary=()
for backend in "${BACKENDS[@]}"; do
  start_server "$backend"
  echo "== $backend: SELECT id, sku, qty FROM bench_items WHERE id = ? (10k rows), 1 connection"
  # The native run seeds the table and gives the per-query wall time.
  wall_raw=""
  if (( ROUNDS > 0 )); then
    native=$("$bin" --backend "$backend" --rounds "$ROUNDS" --iterations 3000)
    while IFS= read -r line; do echo "  native: $line"; done <<<"$native"
    wall_raw=$(awk '/wall\/query/ {print $4; exit}' <<<"$native")
  else
    "$bin" --backend "$backend" --only raw --iterations 1 --warmup 1 >/dev/null
  fi
  declare -A ir=()
  for side in raw perfcheck; do
    for n in "$N1" "$N2"; do
      ir[$side-$n]=$(count "$backend" "$side" "$n")
    done
  done
  python3 - "$work/$backend" "$N1" "$N2" "$TOP" <<'PY'
import re, subprocess, sys

def functions(path):
    """Exclusive Ir per function name (inlined code merged into its caller)."""
    text = subprocess.run(["callgrind_annotate", "--inclusive=no", "--auto=no",
                           "--threshold=100", path],
                          capture_output=True, text=True, check=True).stdout
    costs, started = {}, False
    for line in text.splitlines():
        if re.match(r"^Ir\s+file:function", line):
            started = True
            continue
        m = re.match(r"^\s*([\d,]+)\s+\([\s\d.]+%\)\s+([^:]*):(.*)$", line)
        if not started or not m:
            continue
        name = m.group(3).strip()
        obj = re.search(r"\[([^\]]*)\]\s*$", name)
        name = re.sub(r"\s*\[[^\]]*\]\s*$", "", name)
        if name.startswith("0x") and obj:
            name += " in " + obj.group(1).rsplit("/", 1)[-1]
        name = name.replace("(anonymous namespace)::", "")
        name = name.replace("std::__cxx11::basic_string<char, std::char_traits<char>, std::allocator<char> >", "std::string")
        costs[name] = costs.get(name, 0) + int(m.group(1).replace(",", ""))
    return costs

prefix, n1, n2, top = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
def per_query(side):
    a, b = functions(f"{prefix}-{side}-{n1}.out"), functions(f"{prefix}-{side}-{n2}.out")
    return {k: (b.get(k, 0) - a.get(k, 0)) / (n2 - n1) for k in set(a) | set(b)}
raw, pc = per_query("raw"), per_query("perfcheck")
rows = sorted(((pc.get(k, 0) - raw.get(k, 0), raw.get(k, 0), pc.get(k, 0), k)
               for k in set(raw) | set(pc)), key=lambda r: -abs(r[0]))
print(f"  where the difference goes (exclusive instructions per query, top {top}):")
print(f"  {'raw':>7} {'perfchk':>7} {'delta':>7}  function")
for d, r, p, k in rows[:top]:
    print(f"  {r:7.0f} {p:7.0f} {d:+7.0f}  {k[:100]}")
PY
  raw_q=$(( (ir[raw-$N2] - ir[raw-$N1]) / (N2 - N1) ))
  pc_q=$(( (ir[perfcheck-$N2] - ir[perfcheck-$N1]) / (N2 - N1) ))
  line=$(python3 - "$backend" "$raw_q" "$pc_q" "${wall_raw:-0}" "${mhz:-0}" <<'PY'
import sys
b, raw, pc, wall_us, mhz = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5])
extra = pc - raw
out = f"{b:<8} {raw:>9} {pc:>9} {extra:>+7} {100 * extra / raw:>+7.1f}%"
if wall_us > 0 and mhz > 0:
    # One instruction per cycle is pessimistic for this straight-line code.
    extra_us = extra / mhz
    out += f"  {wall_us:>9.1f} {extra_us:>8.2f} {100 * extra_us / wall_us:>7.2f}%"
print(out)
PY
)
  summary+=("$line")
  unset ir
done

echo
echo "client instructions per query (callgrind, N=$N1 vs $N2); extra time at 1 instruction/cycle, ${mhz:-?} MHz"
printf '%-8s %9s %9s %7s %8s  %9s %8s %8s\n' backend raw perfcheck extra 'of raw' 'wall us' 'extra us' 'of wall'
printf '%s\n' "${summary[@]}"
