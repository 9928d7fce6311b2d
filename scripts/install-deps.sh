#!/usr/bin/env bash
# Installs the Debian 12 packages perfcheck needs to build, test and run its
# examples. Idempotent: installed packages are left alone, and the package
# lists are refreshed only when something is missing.
#
#   scripts/install-deps.sh            # as root, or as a user with sudo
#
# Exit status: 0 when every package is installed afterwards.
set -euo pipefail

packages=(
  # toolchain
  build-essential cmake ninja-build ccache pkg-config git
  # test frameworks and libraries of the core and the gtest adapter
  googletest libgtest-dev libgmock-dev libbenchmark-dev nlohmann-json3-dev
  # CLI, HTTP driver and mock server (TLS)
  libcli11-dev libcpp-httplib-dev libssl-dev
  # database drivers
  libsqlite3-dev libpqxx-dev libmariadb-dev
  # servers and load tools used by the perf suites
  postgresql mariadb-server wrk
  # instruction counts (callgrind and its client-request header)
  valgrind
  # Locust 2.12, whose own CSV writer checks perfcheck's --csv files
  # (tests/http/locust); run with /usr/bin/python3
  python3-locust
  # headless browser that opens the HTML report in its tests
  # (tests/report/browser_test.cc: DOM, screenshot, console)
  chromium
  # fuzzing (scripts/fuzz.sh): clang with libFuzzer and its sanitizer runtimes
  clang libclang-rt-14-dev
)

log() { printf 'install-deps: %s\n' "$*"; }

missing=()
for pkg in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
  if [[ "$status" != "install ok installed" ]]; then
    missing+=("$pkg")
  fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
  log "all ${#packages[@]} packages already installed"
  exit 0
fi

if [[ $(id -u) -eq 0 ]]; then
  as_root=()
elif command -v sudo >/dev/null 2>&1; then
  # -n: never wait for a password prompt (no TTY in CI).
  as_root=(sudo -n)
else
  log "missing: ${missing[*]}" >&2
  log "not root and no sudo: install them as root, e.g. apt-get install ${missing[*]}" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
log "missing: ${missing[*]}"
log "running: apt-get update"
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
log "running: apt-get install ${missing[*]}"
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
  apt-get install -y -q --no-install-recommends "${missing[@]}"

# apt-get can succeed while a postinst failed quietly; check again.
still_missing=()
for pkg in "${missing[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || still_missing+=("$pkg")
done
if [[ ${#still_missing[@]} -ne 0 ]]; then
  log "still missing after apt-get: ${still_missing[*]}" >&2
  exit 1
fi
log "installed: ${missing[*]}"
