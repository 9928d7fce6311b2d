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
