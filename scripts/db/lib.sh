# Shared by scripts/db/postgres.sh and scripts/db/mariadb.sh (sourced, not run).

# free_port NAME: prints a loopback TCP port nothing listens on; exits with a
# message naming NAME when none is found in 200 tries.
free_port() {
  local name="$1" port
  for _ in $(seq 1 200); do
    # Below the kernel's ephemeral range (32768+), so no outgoing connection
    # holds it.
    port=$((15000 + RANDOM % 17000))
    # A refused connection means nothing listens there.
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return
    fi
  done
  echo "$name: no free port found" >&2
  exit 1
}
