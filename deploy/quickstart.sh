#!/usr/bin/env bash
# Quickstart on a fresh Debian bookworm machine (as root or with sudo):
#   deploy/quickstart.sh        install what is missing, build, start modelregd on its embedded PostgreSQL, load the
#                               reference catalog and show a few real queries, usage checks and a compliance report
#   deploy/quickstart.sh stop   stop modelregd (and with it its PostgreSQL)
# Idempotent: a second run reuses the build and the running server.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$ROOT/build
STATE=$ROOT/.quickstart
PIDFILE=$STATE/modelregd.pid
LOG=$STATE/modelregd.log
export MODELREG_SERVER=${MODELREG_SERVER:-127.0.0.1:7411}
mkdir -p "$STATE"

running() { [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; }

if [ "${1:-}" = "stop" ]; then
  if running; then
    pid=$(cat "$PIDFILE")
    kill -TERM "$pid"
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    echo "modelregd stopped"
  else
    echo "modelregd is not running"
  fi
  rm -f "$PIDFILE"
  exit 0
fi

"$ROOT/deploy/install-deps.sh"
cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$BUILD" -j2 --target modelregd modelreg

if running; then
  echo "modelregd already running (pid $(cat "$PIDFILE"))"
else
  # Embedded default: modelregd creates and runs its own PostgreSQL cluster in its data directory.
  nohup "$BUILD/bin/modelregd" --listen "$MODELREG_SERVER" >"$LOG" 2>&1 &
  echo $! >"$PIDFILE"
  echo "modelregd started (pid $!), log in $LOG"
fi

# modelregd's data directory (its default, see README "Configuration"): on its first start it writes an admin token
# there; store it in the CLI's config file (mode 0600) unless that already holds a token.
if [ "$(id -u)" -eq 0 ] && [ -z "${XDG_DATA_HOME:-}" ]; then DATA_DIR=/var/lib/modelreg
else DATA_DIR=${XDG_DATA_HOME:-$HOME/.local/share}/modelreg; fi
CONFIG=${XDG_CONFIG_HOME:-$HOME/.config}/modelreg/config
for _ in $(seq 1 120); do [ -s "$DATA_DIR/admin.token" ] || [ -s "$CONFIG" ] && break; sleep 0.5; done
if ! grep -qs '^ *token *=' "$CONFIG" 2>/dev/null; then
  if [ -s "$DATA_DIR/admin.token" ]; then
    mkdir -p "$(dirname "$CONFIG")"
    (umask 077 && printf 'token = %s\n' "$(cat "$DATA_DIR/admin.token")" >>"$CONFIG")
    chmod 600 "$CONFIG"
    echo "admin token from $DATA_DIR/admin.token stored in $CONFIG"
  else
    echo "no token in $CONFIG and no $DATA_DIR/admin.token: create one with modelregd tokens create" >&2
  fi
fi

CLI=$BUILD/bin/modelreg
for _ in $(seq 1 120); do
  "$CLI" licenses list --page-size 1 >/dev/null 2>&1 && break
  running || { echo "modelregd exited; see $LOG" >&2; tail -20 "$LOG" >&2; exit 1; }
  sleep 0.5
done

run() { printf '\n$ modelreg %s\n' "$*"; "$CLI" "$@"; }
run catalog load
run models list --all
run models get meta-llama/llama-3.1-8b
run models list --filter 'openness.level >= 4' --order-by 'openness.level desc'
run models list --filter 'release_date >= 2025-01-01 AND weights.access = OPEN_DOWNLOAD' --order-by 'release_date desc'
run models list --filter 'base_model_chain:"publishers/meta-llama/models/llama-3.1-8b"'
run models list --filter 'license.territorial_restrictions:EU AND modality = MULTIMODAL'
run models list --filter 'weights.access = OPEN_DOWNLOAD AND license.has_usage_threshold = false AND license.has_use_restrictions = false'
run licenses list --filter 'has_usage_threshold = true'
run licenses get llama4
# A usage check against the license terms; the verdict is the exit code (0 allowed, 3 unknown, 4 license required,
# 5 prohibited): here 4, past Llama 3.1's 700 million monthly active users.
run check meta-llama/llama-3.1-8b --mau 800000000 --commercial --hosting self-hosted --distribute-as acme-chat ||
  printf '(exit code %s: 0 allowed, 3 unknown, 4 license required, 5 prohibited)\n' "$?"
# An organization's model inventory: its figures (affiliates count toward license thresholds), a usage check
# against them (a multimodal Llama 3.2 model for a company in Germany: the Llama 3.2 policy withholds those rights in
# the EU, so 5), an ENFORCE policy, a deployment it allows, and the compliance report.
if ! "$CLI" orgs get example-co >/dev/null 2>&1; then
  printf 'display_name: Example Co\nmonthly_active_users: 2000000\nannual_revenue_usd: 40000000\ncommercial: true\ncountry: DE\n' |
    run orgs create example-co -f -
  printf 'filter: openness.level >= 3 AND license.has_usage_threshold = false\nmode: MODE_ENFORCE\n' |
    run policies create example-co/permissive-only -f -
  printf 'model: publishers/mistralai/models/mistral-7b-v0.1\nhosting: HOSTING_SELF_HOSTED\nstate: STATE_APPROVED\n' |
    run deployments create example-co/support-bot -f -
fi
run check meta-llama/llama-3.2-11b-vision-instruct --org example-co --hosting self-hosted ||
  printf '(exit code %s)\n' "$?"
run compliance example-co
printf '\nmodelregd is running at %s; stop it with: deploy/quickstart.sh stop\n' "$MODELREG_SERVER"
