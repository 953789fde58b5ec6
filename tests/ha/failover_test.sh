#!/usr/bin/env bash
# The HA failover test: brings up the local cluster (deploy/ha/up.sh: etcd, three PostgreSQL nodes under Patroni
# with synchronous replication, two modelregd replicas), runs the load program (failover_load.cc), which calls this
# script back for the two faults, and tears everything down (deploy/ha/down.sh), whatever happens.
#   failover_test.sh LOAD_BINARY     the test (ctest -L ha runs it)
#   failover_test.sh kill-primary    SIGKILL the primary's PostgreSQL postmaster and its Patroni
#   failover_test.sh switchover      planned switchover to the synchronous standby; returns once it is primary
# Environment: as deploy/ha/up.sh (MODELREG_HA_DIR, MODELREG_HA_PORT_BASE, BUILD_DIR).
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# Its own directory and ports (15050-15089 by default), beside a cluster started by hand with deploy/ha/up.sh.
export MODELREG_HA_DIR=${MODELREG_HA_DIR:-/tmp/ha-failover-test} MODELREG_HA_PORT_BASE=${MODELREG_HA_PORT_BASE:-15050}
source "$HERE/../../deploy/ha/env.sh"
CONFIG="$MODELREG_HA_DIR/node1/patroni.yml"   # patronictl reads only the etcd address from it

# The first node whose Patroni REST API answers 200 on $1 (/primary: the running leader; /sync: a running
# synchronous standby). The REST API answers at once; patronictl takes seconds to start on a loaded machine.
node_where() {
  local i
  for i in $(seq 1 $MODELREG_HA_NODES); do
    if [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "http://127.0.0.1:$(rest_port "$i")$1")" = 200 ]; then
      echo "node$i"
      return
    fi
  done
}
now() { date +%T.%N | cut -c1-12; }

case "${1:-}" in
  kill-primary)
    node=$(node_where /primary)
    [ -n "$node" ] || { echo "no running primary" >&2; exit 1; }
    postmaster=$(head -1 "$MODELREG_HA_DIR/$node/data/postmaster.pid")
    patroni=$(cat "$MODELREG_HA_DIR/pids/patroni${node#node}")
    kill -KILL "$postmaster" "$patroni"
    echo "$(now) killed the primary $node: postmaster $postmaster and Patroni $patroni (SIGKILL)"
    ;;
  switchover)
    # After the failover Patroni names a new synchronous standby within a loop or two.
    for _ in $(seq 1 60); do
      old=$(node_where /primary)
      candidate=$(node_where /sync)
      [ -n "$old" ] && [ -n "$candidate" ] && break
      sleep 0.5
    done
    [ -n "$old" ] && [ -n "$candidate" ] || { echo "no primary or synchronous standby" >&2; exit 1; }
    echo "$(now) switchover from $old to $candidate"
    as_postgres patronictl -c "$CONFIG" switchover --force --leader "$old" --candidate "$candidate" >/dev/null
    for _ in $(seq 1 120); do
      [ "$(node_where /primary)" = "$candidate" ] && { echo "$(now) $candidate is the primary"; exit 0; }
      sleep 0.25
    done
    echo "$candidate did not become the primary" >&2
    exit 1
    ;;
  */*)
    load=$1
    trap '"$MODELREG_HA_REPO/deploy/ha/down.sh"' EXIT
    "$MODELREG_HA_REPO/deploy/ha/down.sh"   # leftovers of an interrupted run
    start=$SECONDS
    "$MODELREG_HA_REPO/deploy/ha/up.sh"
    echo "cluster up in $((SECONDS - start)) s"
    servers="127.0.0.1:$(server_port 1),127.0.0.1:$(server_port 2)"
    rc=0
    "$load" "$servers" "$MODELREG_HA_DIR/admin.token" "$HERE/failover_test.sh" || rc=$?
    as_postgres patronictl -c "$CONFIG" list || true
    if [ $rc -ne 0 ]; then
      for log in "$MODELREG_HA_DIR"/modelregd*.log; do echo "--- $log (last 20 lines)"; tail -20 "$log"; done
    fi
    echo "total $((SECONDS - start)) s"
    exit $rc
    ;;
  *)
    echo "usage: $0 LOAD_BINARY | kill-primary | switchover" >&2
    exit 2
    ;;
esac
