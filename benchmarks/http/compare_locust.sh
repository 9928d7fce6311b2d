#!/usr/bin/env bash
# perfcheck's scenario engine and Locust (FastHttpUser) side by side on the
# same scenario and the same target: each user logs in once, then reads
# tickets by id with no think time, for DURATION, against one erp_server on
# loopback. Both generators run on one core (perfcheck --threads 1; Locust is
# one process); what is compared is requests per CPU-second of the generator
# (its user + system time from /usr/bin/time), so a server that saturates
# does not decide the ratio. Rounds alternate perfcheck and Locust.
#
#   benchmarks/http/compare_locust.sh [BUILD_DIR] [USERS] [DURATION_S] [ROUNDS]
#   (defaults: build/release 20 10 3)
#
# Needs: the build's perfcheck and erp_server, /usr/bin/time, and Debian's
# python3-locust (scripts/install-deps.sh). Loopback only; every process it
# starts is ended by PID.
set -euo pipefail

build=${1:-build/release}
users=${2:-20}
duration=${3:-10}
rounds=${4:-3}
perfcheck=$build/cli/perfcheck
erp=$build/examples/erp_server/erp_server
for f in "$perfcheck" "$erp" /usr/bin/time; do
  [[ -x $f ]] || { echo "compare_locust.sh: $f not found (build first)" >&2; exit 2; }
done
/usr/bin/python3 -c 'import locust' 2>/dev/null ||
  { echo "compare_locust.sh: python3-locust missing (scripts/install-deps.sh)" >&2; exit 2; }

work=$(mktemp -d)
server_pid=""
cleanup() {
  [[ -n $server_pid ]] && kill "$server_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

"$erp" --port 0 --port-file "$work/port" --max-seconds 3600 --threads 512 \
  >"$work/erp.log" 2>&1 &
server_pid=$!
for _ in $(seq 300); do [[ -s $work/port ]] && break; sleep 0.1; done
[[ -s $work/port ]] || { echo "erp_server did not start" >&2; exit 1; }
url=http://127.0.0.1:$(cat "$work/port")

cat >"$work/scenario.json" <<EOF
{
  "classes": [{
    "name": "Reader",
    "on_start": [
      {"post": "/api/auth/login", "name": "login",
       "json": {"email": "u\${user}@example.com", "password": "admin"},
       "extract": {"token": "/token"}},
      {"set_header": {"Authorization": "Bearer \${token}"}}],
    "tasks": [{"steps": [
      {"get": "/api/tickets/\${random:1:2000}", "name": "/api/tickets/[id]",
       "expect": {"status": [200]}}]}]
  }]
}
EOF
cat >"$work/locustfile.py" <<'EOF'
import random
from locust import constant, task
from locust.contrib.fasthttp import FastHttpUser

class Reader(FastHttpUser):
    wait_time = constant(0)

    def on_start(self):
        r = self.client.post("/api/auth/login", name="login",
                             json={"email": "u@example.com", "password": "admin"})
        self.headers = {"Authorization": "Bearer " + r.json()["token"]}

    @task
    def read(self):
        self.client.get(f"/api/tickets/{random.randint(1, 2000)}",
                        name="/api/tickets/[id]", headers=self.headers)
EOF

# requests cpu_seconds for one run, from the Aggregated row of its stats CSV
# (column 3) and /usr/bin/time's user + system seconds.
requests_of() { awk -F, '$2 == "Aggregated" { print $3 }' "$1"; }
cpu_of() { awk '{ print $1 + $2 }' "$1"; }

printf 'round  perfcheck req  cpu s  req/cpu-s | locust req  cpu s  req/cpu-s | ratio\n'
ratios=()
for r in $(seq "$rounds"); do
  /usr/bin/time -f '%U %S' -o "$work/p.time" "$perfcheck" load \
    --scenario "$work/scenario.json" --base-url "$url" --users "$users" \
    --duration "${duration}s" --threads 1 --no-progress \
    --csv "$work/p" >/dev/null
  (cd "$work" && /usr/bin/time -f '%U %S' -o "$work/l.time" \
    /usr/bin/python3 -m locust -f locustfile.py --headless --host "$url" \
    -u "$users" -r "$users" -t "${duration}s" --csv "$work/l" \
    --only-summary >/dev/null 2>"$work/locust.log")
  pr=$(requests_of "$work/p_stats.csv"); pc=$(cpu_of "$work/p.time")
  lr=$(requests_of "$work/l_stats.csv"); lc=$(cpu_of "$work/l.time")
  line=$(awk -v pr="$pr" -v pc="$pc" -v lr="$lr" -v lc="$lc" -v r="$r" 'BEGIN {
    p = pr / pc; l = lr / lc
    printf "%5d  %13d  %5.2f  %9.0f | %10d  %5.2f  %9.0f | %5.1fx", r, pr, pc, p, lr, lc, l, p / l }')
  echo "$line"
  ratios+=("$(awk '{ print $NF }' <<<"$line" | tr -d x)")
done
median=$(printf '%s\n' "${ratios[@]}" | sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
echo "median ratio (perfcheck requests per CPU-second / Locust's): ${median}x"
echo "reproduce: benchmarks/http/compare_locust.sh $build $users $duration $rounds"
