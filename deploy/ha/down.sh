#!/usr/bin/env bash
# Stops everything deploy/ha/up.sh started (modelregd replicas, Patroni and its PostgreSQL nodes, etcd) and removes
# MODELREG_HA_DIR. Safe to run twice, or after a partial start.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
PIDS="$MODELREG_HA_DIR/pids"
[ -d "$MODELREG_HA_DIR" ] || exit 0

alive() { [ -n "$1" ] && kill -0 "$1" 2>/dev/null; }
# Sends SIGTERM to each pid, waits up to $1 seconds for all to exit, then SIGKILLs what is left.
stop_pids() {
  local seconds=$1; shift
  local pid end=$((SECONDS + seconds))
  for pid in "$@"; do alive "$pid" && kill -TERM "$pid" 2>/dev/null; done
  for pid in "$@"; do
    while alive "$pid" && [ $SECONDS -lt $end ]; do sleep 0.2; done
    alive "$pid" && kill -KILL "$pid" 2>/dev/null
  done
  return 0
}
pids_of() { local f; for f in "$@"; do [ -f "$f" ] && cat "$f"; done; }

stop_pids 15 $(pids_of "$PIDS"/modelregd*)
# Patroni stops its PostgreSQL on SIGTERM (a fast shutdown).
stop_pids 30 $(pids_of "$PIDS"/patroni*)
# Postmasters whose Patroni was killed (the failover test does that) are still running: stop them by their pid file.
postmasters=()
for pidfile in "$MODELREG_HA_DIR"/node*/data/postmaster.pid; do
  [ -f "$pidfile" ] && postmasters+=("$(head -1 "$pidfile")")
done
stop_pids 15 "${postmasters[@]}"
stop_pids 10 $(pids_of "$PIDS"/etcd)
rm -rf "$MODELREG_HA_DIR"
