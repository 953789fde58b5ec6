#!/usr/bin/env bash
# Measures every figure of the README's performance table in one run, on a fresh modelregd with its embedded
# PostgreSQL (nothing else should run on the machine meanwhile):
#   1. bulk load of MODELS synthetic models through BatchCreateModels (modelreg_bench --load-only);
#   2. VACUUM ANALYZE, as after any bulk load (autovacuum would do it within a minute or so), and a restart of
#      modelregd, which warms its model cache (2 GiB: every model) before the reads are measured;
#   3. the measured phases at 64 callers (health, get, batch_get, list_selective, list_broad, create) and pgbench's
#      TPC-B against the same PostgreSQL, with the targets as ratios; the create phase after CREATE_WARMUP seconds
#      of unmeasured creates (the steady state, not the first reads of index pages after the restart);
#   4. UpdateLicense of a license used by REASSESS_MODELS models, and its background reassessment;
#   5. a synthetic Hugging Face Hub listing of MODELS models through `modelreg import hf-hub`;
#   6. the same listing imported again (every model exists, unchanged: a hub's periodic sync).
# Peak RSS: modelregd's VmHWM (reset before each step through /proc/PID/clear_refs) and each client's max RSS.
#
#   tests/bench/run_targets.sh              MODELS=1000000 REASSESS_MODELS=500000, about 20 minutes on 2 cores
#   MODELS=100000 REASSESS_MODELS=50000 tests/bench/run_targets.sh     a quick run
# Needs the benchmark built: cmake --build build -j2 --target modelreg_bench modelregd modelreg
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${BUILD_DIR:-$ROOT/build}/bin
MODELS=${MODELS:-1000000}
REASSESS_MODELS=${REASSESS_MODELS:-500000}
PHASE_SECONDS=${PHASE_SECONDS:-10}
CREATE_WARMUP=${CREATE_WARMUP:-30}
WORK=${WORK:-/tmp/modelreg-targets}
PORT=${PORT:-7600}
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
SERVER=127.0.0.1:$PORT

for tool in modelregd modelreg modelreg_bench; do
  [ -x "$BIN/$tool" ] || { echo "run_targets: $BIN/$tool is missing (build it first)" >&2; exit 2; }
done
[ -x /usr/bin/time ] || { echo "run_targets: /usr/bin/time is missing (apt-get install time)" >&2; exit 2; }

rm -rf "$WORK"
mkdir -p "$WORK"
chmod 755 "$WORK"
SERVER_PID=
stop_server() {
  [ -n "$SERVER_PID" ] || return 0
  kill "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=
}
trap stop_server EXIT
# Starts modelregd and waits for its log line matching $1.
start_server() {
  "$BIN/modelregd" --data-dir "$WORK/data" --listen "$SERVER" --pool-size 32 --model-cache-mb 2048 --auth=off \
    >>"$WORK/modelregd.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 600); do
    grep -q "$1" "$WORK/modelregd.log" && return 0
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/modelregd.log" >&2; exit 1; }
    sleep 1
  done
  echo "run_targets: no \"$1\" in $WORK/modelregd.log within 10 minutes" >&2
  exit 1
}
start_server "serving on port"
PG="host=$WORK/data user=postgres"

server_peak_mib() { awk '/VmHWM/ {printf "%.0f", $2 / 1024}' "/proc/$SERVER_PID/status"; }
server_rss_mib() { awk '/VmRSS/ {printf "%.0f", $2 / 1024}' "/proc/$SERVER_PID/status"; }
# Resets modelregd's peak RSS to its current RSS, which it prints.
reset_server_peak() {
  echo 5 >"/proc/$SERVER_PID/clear_refs"
  echo "modelregd RSS before this step: $(server_rss_mib) MiB"
}
client_peak_mib() { awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2 / 1024}' "$1"; }
# timed_import LABEL: imports the listing once, timed, with both peak RSS figures.
timed_import() {
  reset_server_peak
  local start end
  start=$(date +%s.%N)
  /usr/bin/time -v -o "$WORK/import.time" "$BIN/modelreg" --server "$SERVER" import hf-hub "$WORK/hub.jsonl" | tail -5
  end=$(date +%s.%N)
  awk -v s="$start" -v e="$end" -v n="$MODELS" -v label="$1" \
    'BEGIN {printf "%s: %d models in %.1f s, %.0f models/s\n", label, n, e - s, n / (e - s)}'
  echo "$1 peak RSS: modelreg (CLI) $(client_peak_mib "$WORK/import.time") MiB, modelregd $(server_peak_mib) MiB"
}

echo "== machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo), $(date -u +%FT%TZ), main $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')"

echo "== 1. bulk load: $MODELS models, BatchCreateModels"
reset_server_peak
/usr/bin/time -v -o "$WORK/load.time" "$BIN/modelreg_bench" --server "$SERVER" --models "$MODELS" --load-only |
  tee "$WORK/load.out"
LOAD_RATE=$(grep 'load: created' "$WORK/load.out" | grep -o '[0-9]* models/s' | cut -d' ' -f1)
echo "bulk load peak RSS: modelregd $(server_peak_mib) MiB, modelreg_bench $(client_peak_mib "$WORK/load.time") MiB"

echo "== 2. VACUUM ANALYZE, restart, model cache warm-up"
"$PGBIN/vacuumdb" -d "$PG dbname=modelreg" --analyze --quiet
stop_server
: >"$WORK/modelregd.log"
start_server "model cache: listening; warmed"
grep "model cache: listening; warmed" "$WORK/modelregd.log"

echo "== 3. phases at 64 callers, pgbench TPC-B against the same PostgreSQL"
"$BIN/modelreg_bench" --server "$SERVER" --models "$MODELS" --concurrency 64 --seconds "$PHASE_SECONDS" \
  --phases get,batch_get,list_selective,list_broad,create --create-warmup "$CREATE_WARMUP" \
  --pgbench "$PG dbname=postgres" --pg-bindir "$PGBIN" --load-rate "$LOAD_RATE"

echo "== 4. UpdateLicense of a license used by $REASSESS_MODELS models"
reset_server_peak
"$BIN/modelreg_bench" --server "$SERVER" --reassess-models "$REASSESS_MODELS"
echo "reassessment peak RSS: modelregd $(server_peak_mib) MiB"

echo "== 5. import hf-hub: a synthetic listing of $MODELS models"
"$BIN/modelreg_bench" --models "$MODELS" --generate-hf-listing jsonl >"$WORK/hub.jsonl"
echo "listing: $(wc -l <"$WORK/hub.jsonl") lines, $(du -m "$WORK/hub.jsonl" | cut -f1) MiB"
timed_import "import hf-hub"

echo "== 6. import hf-hub: the same listing again (a hub's periodic sync: every model exists, unchanged)"
timed_import "import hf-hub again"
rm -f "$WORK/hub.jsonl"
