#!/usr/bin/env bash
# Starts, on this machine and on loopback only, a highly available modelreg: one etcd, three PostgreSQL 15 nodes
# managed by Patroni with synchronous replication, and MODELREG_HA_REPLICAS (2) modelregd replicas that reach the
# primary through a libpq multi-host URI. Waits until a primary and a synchronous standby are elected and every
# modelregd answers, then prints the endpoints. deploy/ha/down.sh stops everything and removes MODELREG_HA_DIR.
# Environment (defaults): MODELREG_HA_DIR (/tmp/modelreg-ha), MODELREG_HA_PORT_BASE (15000), MODELREG_HA_REPLICAS
# (2), BUILD_DIR (build/). Needs the packages etcd-server, etcd-client, patroni and postgresql (deploy/install-deps.sh)
# and root or the postgres user.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
HERE="$MODELREG_HA_REPO/deploy/ha"

die() { echo "up.sh: $*" >&2; exit 1; }
# die, with the last lines of a log: the caller may remove MODELREG_HA_DIR, and with it the log.
die_log() { echo "--- $1 (last 30 lines)" >&2; tail -30 "$1" >&2 || true; die "$2"; }
for tool in etcd patroni patronictl "$PG_BIN/postgres" "$BUILD_DIR/bin/modelregd" "$BUILD_DIR/bin/modelreg"; do
  command -v "$tool" >/dev/null || die "$tool not found (deploy/install-deps.sh installs the packages; BUILD_DIR=$BUILD_DIR)"
done
[ -e "$MODELREG_HA_DIR" ] && die "$MODELREG_HA_DIR exists: run deploy/ha/down.sh first"

# Waits up to $1 seconds for the command that follows to succeed.
wait_for() {
  local seconds=$1; shift
  local end=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -ge $end ] && return 1
    sleep 0.5
  done
}
# Starts a command in the background, detached from this shell; its pid goes to pids/NAME.
spawn() {
  local name=$1 log=$2; shift 2
  setsid "$@" >"$log" 2>&1 </dev/null &
  echo $! >"$MODELREG_HA_DIR/pids/$name"
}

mkdir -p "$MODELREG_HA_DIR/pids" "$MODELREG_HA_DIR/etcd"
chmod 755 "$MODELREG_HA_DIR"

# etcd on non-default ports (a system etcd may hold 2379/2380). One member: on one machine three members would
# share every failure anyway; in production run three (or five) on separate machines.
spawn etcd "$MODELREG_HA_DIR/etcd/etcd.log" etcd --name modelreg-ha-etcd --data-dir "$MODELREG_HA_DIR/etcd/data" \
  --listen-client-urls "http://127.0.0.1:$ETCD_PORT" --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" \
  --listen-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
  --initial-cluster "modelreg-ha-etcd=http://127.0.0.1:$ETCD_PEER_PORT" --initial-cluster-state new
wait_for 30 env ETCDCTL_API=3 etcdctl --endpoints "127.0.0.1:$ETCD_PORT" endpoint health \
  || die_log "$MODELREG_HA_DIR/etcd/etcd.log" "etcd did not start"

for i in $(seq 1 $MODELREG_HA_NODES); do
  node_dir="$MODELREG_HA_DIR/node$i"
  mkdir -p "$node_dir/log"
  sed -e "s|@NODE@|node$i|; s|@NODE_DIR@|$node_dir|g; s|@PG_PORT@|$(pg_port "$i")|g" \
    -e "s|@REST_PORT@|$(rest_port "$i")|g; s|@ETCD_PORT@|$ETCD_PORT|; s|@PG_BIN@|$PG_BIN|" \
    "$HERE/patroni.yml.in" >"$node_dir/patroni.yml"
  chown -R postgres: "$node_dir" 2>/dev/null || true
  chmod 700 "$node_dir"
  spawn "patroni$i" "$node_dir/patroni.out" "${AS_POSTGRES_EXEC[@]}" patroni "$node_dir/patroni.yml"
done

PATRONI_CONFIG="$MODELREG_HA_DIR/node1/patroni.yml"
# A leader running and a synchronous standby streaming: from then on every acknowledged commit is on two nodes.
cluster_ready() {
  as_postgres patronictl -c "$PATRONI_CONFIG" list -f json | python3 -c '
import json, sys
members = json.load(sys.stdin)
roles = {(m["Role"], m["State"]) for m in members}
sys.exit(0 if ("Leader", "running") in roles and any(r == "Sync Standby" and s in ("running", "streaming") for r, s in roles) else 1)'
}
wait_for 90 cluster_ready || { as_postgres patronictl -c "$PATRONI_CONFIG" list || true; die "no primary with a synchronous standby after 90 s (logs: $MODELREG_HA_DIR/node*/log)"; }

URL=$(ha_database_url)
psql_primary() { psql -X -q -v ON_ERROR_STOP=1 "$(ha_database_url postgres)" "$@"; }
# The database, its schema and an admin token. Each step is idempotent (a second token is harmless), because a
# failover may cut it off: on a loaded machine the fresh cluster can lose its leader before it settles.
prepare_database() {
  psql_primary -tAc "SELECT 1 FROM pg_database WHERE datname = 'modelreg'" | grep -q 1 \
    || psql_primary -c "CREATE DATABASE modelreg" || return 1
  "$BUILD_DIR/bin/modelregd" migrate --database-url "$URL" || return 1
  "$BUILD_DIR/bin/modelregd" tokens create --principal ha-admin --role admin --scope '*' --database-url "$URL" \
    >"$MODELREG_HA_DIR/admin.token"
}
SETUP_LOG="$MODELREG_HA_DIR/setup.log"
for attempt in 1 2 3; do
  prepare_database >>"$SETUP_LOG" 2>&1 && break
  [ $attempt = 3 ] && die_log "$SETUP_LOG" "cannot create the database, migrate it or create the admin token"
  echo "up.sh: preparing the database failed (attempt $attempt), retrying once the cluster is ready:" >&2
  tail -5 "$SETUP_LOG" >&2
  wait_for 60 cluster_ready || true
done
chmod 600 "$MODELREG_HA_DIR/admin.token"
TOKEN=$(cat "$MODELREG_HA_DIR/admin.token")

servers=()
for r in $(seq 1 "$MODELREG_HA_REPLICAS"); do
  port=$(server_port "$r")
  # Only the first replica loads the shipped catalog (idempotent, but once is enough).
  catalog=false; [ "$r" = 1 ] && catalog=true
  spawn "modelregd$r" "$MODELREG_HA_DIR/modelregd$r.log" "$BUILD_DIR/bin/modelregd" --database-url "$URL" \
    --listen "127.0.0.1:$port" --load-catalog="$catalog" ${MODELREG_HA_SERVER_FLAGS:-}
  servers+=("127.0.0.1:$port")
  wait_for 60 "$BUILD_DIR/bin/modelreg" --server "127.0.0.1:$port" --token "$TOKEN" --timeout 2 licenses list \
    || die_log "$MODELREG_HA_DIR/modelregd$r.log" "modelregd $r does not answer on 127.0.0.1:$port"
done

as_postgres patronictl -c "$PATRONI_CONFIG" list
cat <<INFO
etcd:            http://127.0.0.1:$ETCD_PORT
PostgreSQL:      $URL
Patroni REST:    $(for i in $(seq 1 $MODELREG_HA_NODES); do printf 'http://127.0.0.1:%s ' "$(rest_port "$i")"; done)
patronictl:      patronictl -c $PATRONI_CONFIG list
modelregd:       ${servers[*]}
admin token:     $MODELREG_HA_DIR/admin.token
stop:            deploy/ha/down.sh
INFO
