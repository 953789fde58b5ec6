#!/usr/bin/env bash
# Runs every test of modelreg on a fresh Debian bookworm machine: installs what is missing, lints the API, builds
# with -Werror, checks formatting, runs clang-tidy, starts a throwaway PostgreSQL, runs ctest (unit, integration, e2e), the HA
# failover test (tests/ha: Patroni and etcd, about 2 minutes) and the two
# fuzzers (filter, importers) for a bounded time. Exits non-zero on any failure.
#
#   tests/run.sh              everything
#   FUZZ_SECONDS=0 tests/run.sh   skip the fuzzer build and run
#   SANITIZE=0 tests/run.sh       skip the AddressSanitizer/UndefinedBehaviorSanitizer run of the unit and integration tests
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD_DIR:-$ROOT/build}
JOBS=${JOBS:-2}
FUZZ_SECONDS=${FUZZ_SECONDS:-60}
SANITIZE=${SANITIZE:-1}
cd "$ROOT"

START=$(date +%s)
# Each step's header shows the minutes and seconds since the start, so a run's log shows where its time went.
step() { local s=$(($(date +%s) - START)); printf '\n==> [%d:%02d] %s\n' $((s / 60)) $((s % 60)) "$*"; }

step "dependencies"
deploy/install-deps.sh

step "buf lint (STANDARD rules, proto/buf.yaml)"
BUF_DIR=${BUF_DIR:-${HOME:-/tmp}/.cache/modelreg-buf}
if [ ! -x "$BUF_DIR/node_modules/.bin/buf" ]; then
  mkdir -p "$BUF_DIR"
  (cd "$BUF_DIR" && npm install --silent --no-audit --no-fund @bufbuild/buf@1 >/dev/null)
fi
(cd proto && "$BUF_DIR/node_modules/.bin/buf" lint)
echo "buf lint: clean"

step "clang-format"
unformatted=$(git ls-files '*.cc' '*.h' | xargs clang-format --dry-run --Werror 2>&1 | grep -c 'error:' || true)
if [ "$unformatted" != "0" ]; then
  git ls-files '*.cc' '*.h' | xargs clang-format --dry-run --Werror
  exit 1
fi
echo "clang-format: clean"

step "build ($BUILD, -Werror)"
# Optimized, without debug info: the quickest build of what ships (the sanitizer build below keeps line tables).
cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -DNDEBUG" \
  -DMODELREG_WERROR=ON >/dev/null
cmake --build "$BUILD" -j"$JOBS"

step "clang-tidy (.clang-tidy, every translation unit)"
JOBS="$JOBS" tests/tidy.sh "$BUILD"

step "throwaway PostgreSQL"
PGBIN=$(pg_config --bindir 2>/dev/null || echo /usr/lib/postgresql/15/bin)
[ -x "$PGBIN/initdb" ] || PGBIN=/usr/lib/postgresql/15/bin
PGTMP=$(mktemp -d /tmp/modelreg-test-pg.XXXXXX)
RUNAS=()
if [ "$(id -u)" -eq 0 ]; then
  chown postgres: "$PGTMP"
  RUNAS=(runuser -u postgres --)
fi
cleanup() {
  "${RUNAS[@]}" "$PGBIN/pg_ctl" -D "$PGTMP/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$PGTMP"
}
trap cleanup EXIT
"${RUNAS[@]}" "$PGBIN/initdb" -D "$PGTMP/data" -A trust -U postgres --no-locale -E UTF8 >/dev/null
"${RUNAS[@]}" "$PGBIN/pg_ctl" -D "$PGTMP/data" -l "$PGTMP/postgres.log" -w \
  -o "-k $PGTMP -c listen_addresses='' -c max_connections=300 -c fsync=on" start >/dev/null
export MODELREG_TEST_DATABASE_URL="postgresql://postgres@/postgres?host=$PGTMP"
echo "PostgreSQL at $MODELREG_TEST_DATABASE_URL"

step "ctest (unit, integration, e2e)"
export MODELREG_BUILD_DIR="$BUILD"
ctest --test-dir "$BUILD" --output-on-failure -j"$JOBS" -LE 'fuzz|^ha$'

# deploy/install-deps.sh installs Patroni and etcd; the check only keeps the script usable where they cannot be.
if command -v patroni >/dev/null && command -v etcd >/dev/null && command -v etcdctl >/dev/null; then
  step "ha failover test (deploy/ha: etcd, Patroni, three PostgreSQL nodes, two modelregd; tests/ha)"
  ctest --test-dir "$BUILD" --output-on-failure -L '^ha$'
else
  step "ha failover test: NOT RUN (patroni or etcd missing; deploy/install-deps.sh installs them): counts as a failure"
  HA_NOT_RUN=1
fi

if [ "$SANITIZE" != "0" ]; then
  step "unit and integration tests under AddressSanitizer and UndefinedBehaviorSanitizer ($BUILD-asan)"
  cmake -S . -B "$BUILD-asan" -DCMAKE_BUILD_TYPE=Debug -DMODELREG_SANITIZE=ON -DMODELREG_WERROR=ON >/dev/null
  cmake --build "$BUILD-asan" -j"$JOBS"
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 LSAN_OPTIONS=suppressions="$ROOT/tests/lsan.supp" \
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    MODELREG_BUILD_DIR="$BUILD-asan" ctest --test-dir "$BUILD-asan" --output-on-failure -j"$JOBS" -L 'unit|integration'
fi

if [ "$FUZZ_SECONDS" != "0" ]; then
  step "fuzzers: filter and importers (clang, libFuzzer, ${FUZZ_SECONDS}s each, in parallel)"
  cmake -S . -B "$BUILD-fuzz" -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMODELREG_FUZZ=ON \
    -DMODELREG_FUZZ_SECONDS="$FUZZ_SECONDS" >/dev/null
  cmake --build "$BUILD-fuzz" -j"$JOBS" --target filter_fuzzer importer_fuzzer
  ctest --test-dir "$BUILD-fuzz" --output-on-failure -j2 -L fuzz
fi
[ -n "${HA_NOT_RUN:-}" ] && { echo "tests/run.sh: the ha failover test did not run" >&2; exit 1; }
step "all passed"
echo "tests/run.sh: all passed"
