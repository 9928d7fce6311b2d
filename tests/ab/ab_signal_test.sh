#!/usr/bin/env bash
# `perfcheck ab` on SIGTERM (what CI sends on cancel): the running test
# process is killed, the report of the rounds done is printed, exit 2, and it
# all happens in seconds although the head's test would sleep for an hour.
#
#   ab_signal_test.sh PERFCHECK FIXTURE
set -euo pipefail
perfcheck=$1
fixture=$2
work=$(mktemp -d "${TMPDIR:-/tmp}/perfcheck-ab-signal-XXXXXX")
trap 'rm -rf "$work"' EXIT
printf '#!/bin/sh\nAB_FIXTURE_HANG=1 exec "%s" "$@"\n' "$fixture" > "$work/hang.sh"
chmod +x "$work/hang.sh"

"$perfcheck" ab --base "$fixture" --head "$work/hang.sh" --filter Fixture.Hangs \
  --rounds 8 --quiet --color never >"$work/out" 2>&1 &
pid=$!
sleep 2
start=$SECONDS
kill -TERM "$pid"
status=0
wait "$pid" || status=$?
cat "$work/out"
[[ $status -eq 2 ]] || { echo "FAIL: exit $status, expected 2"; exit 1; }
((SECONDS - start < 10)) || { echo "FAIL: took $((SECONDS - start)) s to stop"; exit 1; }
grep -q "interrupted; the report covers the rounds done" "$work/out" ||
  { echo "FAIL: no 'interrupted' message"; exit 1; }
grep -q "^perfcheck ab: .*CANCELLED" "$work/out" || { echo "FAIL: no report"; exit 1; }
if pgrep -f "$fixture --gtest_filter=Fixture.Hangs" >/dev/null; then
  echo "FAIL: the test process survived"; exit 1
fi
echo "ok"
