#!/usr/bin/env bash
# How much the testbed speed probe moves between processes on this machine:
# RUNS processes quiet, then RUNS beside one CPU hog, then RUNS beside two
# (both cores of a 2-vCPU VM busy). Prints min / median / max and max/min per
# condition; compare max/min with kSpeedProbeMargin (1.3) in testbed.h.
#
#   benchmarks/gate/probe_spread.sh build/release/benchmarks/perfcheck_probe_spread [RUNS]
set -euo pipefail
probe=${1:?usage: probe_spread.sh PROBE_BINARY [RUNS]}
runs=${2:-20}

hogs=()
stop_hogs() {
  for pid in "${hogs[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${hogs[@]}"; do wait "$pid" 2>/dev/null || true; done
  hogs=()
}
trap stop_hogs EXIT

measure() {
  local label="$1" values=()
  for ((i = 0; i < runs; ++i)); do values+=("$("$probe")"); sleep 0.2; done
  printf '%s\n' "${values[@]}" | sort -n | awk -v label="$label" '
    { v[NR] = $1 }
    END { printf "%-10s n=%d  min %.0f us  median %.0f us  max %.0f us  max/min %.2f\n",
          label, NR, v[1] / 1000, v[int((NR + 1) / 2)] / 1000, v[NR] / 1000, v[NR] / v[1] }'
}

measure quiet
for n in 1 2; do
  sh -c 'while :; do :; done' &
  hogs+=("$!")
  sleep 0.5
  measure "${n} hog(s)"
done
