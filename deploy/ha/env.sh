# Shared by deploy/ha/up.sh, down.sh and tests/ha: the cluster's directories and ports, each overridable by the
# environment. Sourced, not run.
MODELREG_HA_DIR=${MODELREG_HA_DIR:-/tmp/modelreg-ha}
# Ports: etcd client BASE, etcd peer BASE+1, PostgreSQL BASE+10+i, Patroni REST API BASE+20+i, modelregd BASE+30+i.
MODELREG_HA_PORT_BASE=${MODELREG_HA_PORT_BASE:-15000}
MODELREG_HA_NODES=3
MODELREG_HA_REPLICAS=${MODELREG_HA_REPLICAS:-2}
MODELREG_HA_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD_DIR=${BUILD_DIR:-$MODELREG_HA_REPO/build}
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}

ETCD_PORT=$MODELREG_HA_PORT_BASE
ETCD_PEER_PORT=$((MODELREG_HA_PORT_BASE + 1))
pg_port() { echo $((MODELREG_HA_PORT_BASE + 10 + $1)); }        # node 1..3
rest_port() { echo $((MODELREG_HA_PORT_BASE + 20 + $1)); }      # node 1..3
server_port() { echo $((MODELREG_HA_PORT_BASE + 30 + $1)); }    # replica 1..N

# The libpq multi-host URI modelregd uses: libpq tries the hosts in order and keeps the first that accepts writes.
ha_database_url() {
  local hosts="" i
  for i in $(seq 1 $MODELREG_HA_NODES); do hosts+="${hosts:+,}127.0.0.1:$(pg_port "$i")"; done
  echo "postgresql://postgres@$hosts/${1:-modelreg}?target_session_attrs=read-write&connect_timeout=2"
}

# Runs a command as the unprivileged postgres user (PostgreSQL refuses to run as root). AS_POSTGRES_EXEC replaces
# itself by the command (setpriv execs, runuser forks), so a pid recorded for it is the command's own.
AS_POSTGRES_EXEC=()
[ "$(id -un)" = postgres ] || AS_POSTGRES_EXEC=(setpriv --reuid=postgres --regid=postgres --init-groups env HOME=/var/lib/postgresql)
as_postgres() {
  if [ "$(id -un)" = postgres ]; then "$@"; else runuser -u postgres -- "$@"; fi
}
