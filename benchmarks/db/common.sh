# Shared by compare_pgbench.sh and compare_sysbench.sh (sourced, not run).

# median_row CLIENTS "PEER_TPS..." "PERFCHECK_TPS...": the summary line of one
# client count: the medians of both tools' runs and their ratio.
median_row() {
  python3 - "$1" "$2" "$3" <<'PY'
import statistics as s, sys
c, peer, pc = sys.argv[1], list(map(float, sys.argv[2].split())), list(map(float, sys.argv[3].split()))
mp, mc = s.median(peer), s.median(pc)
print(f"{c:<7} {'median':<6} {mp:12.0f} {mc:12.0f} {mc/mp:8.3f}")
PY
}

# alternate_rounds PEER: for each client count in CLIENTS, ROUNDS rounds of
# `run_peer C` and `run_perfcheck C` (defined by the caller; each prints one
# TPS figure, or prints its output to stderr and fails), alternating who goes
# first so drift on a shared machine hits both alike. Prints a row per round
# and, at the end, the median row of each client count.
alternate_rounds() {
  local peer=$1 c r tool peer_tps pc_tps
  local summary=()
  printf '%-7s %-6s %12s %12s %8s\n' clients round "$peer tps" 'perfcheck' ratio
  for c in "${CLIENTS[@]}"; do
    local peer_runs=() pc_runs=()
    for r in $(seq 1 "$ROUNDS"); do
      for tool in $( ((r % 2)) && echo "peer perfcheck" || echo "perfcheck peer"); do
        if [[ $tool == peer ]]; then
          peer_tps=$(run_peer "$c") || exit 1
        else
          pc_tps=$(run_perfcheck "$c") || exit 1
        fi
      done
      peer_runs+=("$peer_tps")
      pc_runs+=("$pc_tps")
      printf '%-7s %-6s %12.0f %12.0f %8.3f\n' "$c" "$r" "$peer_tps" "$pc_tps" \
        "$(python3 -c "print($pc_tps/$peer_tps)")"
    done
    summary+=("$(median_row "$c" "${peer_runs[*]}" "${pc_runs[*]}")")
  done
  printf '%s\n' "${summary[@]}"
}
