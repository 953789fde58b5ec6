#!/usr/bin/env bash
# The Debian package, built and started without installing it (no systemd here):
#   1. `cpack -G DEB` in the build directory;
#   2. `dpkg-deb --info`: name, Depends computed by dpkg-shlibdeps (libgrpc++, libpqxx, ...), the conffile; every
#      library package in Depends is installed by deploy/Dockerfile's runtime stage;
#   3. `dpkg-deb --contents`: the three binaries, the unit, the configuration (root-only), the documentation;
#   4. `dpkg-deb -x` into a temporary directory; `systemd-analyze verify` of the unit (its ExecStart pointed at the
#      extracted modelregd);
#   5. the extracted modelregd started as the unit would (unprivileged, no_new_privs, empty environment) on its
#      embedded PostgreSQL in a temporary state directory, with the packaged flags file and TLS (a throwaway CA and a
#      certificate naming `modelregd`, as in deploy/kubernetes): the extracted modelreg-health-probe must see SERVING
#      over TLS with --tls-server-name=modelregd, not for an unknown service, and fail in plaintext; the extracted
#      modelreg must list the shipped licenses over TLS with the admin token the first start wrote; SIGTERM must end
#      modelregd with exit code 0.
# Usage: deb_package_test.sh BUILD_DIR SOURCE_DIR
set -euo pipefail

BUILD=$(cd "$1" && pwd)
SOURCE=$(cd "$2" && pwd)
WORK=$(mktemp -d /tmp/modelreg-deb-test.XXXXXX)
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*" >&2
  exit 1
}
expect_in() {  # expect_in TEXT PATTERN WHAT
  grep -Eq -- "$2" <<<"$1" || fail "$3: no match for /$2/ in:
$1"
}

echo "== cpack -G DEB"
(cd "$BUILD" && cpack -G DEB -B "$WORK/out" >"$WORK/cpack.log" 2>&1) || { cat "$WORK/cpack.log"; fail "cpack"; }
DEB=$(ls "$WORK"/out/modelreg_*.deb)
echo "$DEB ($(stat -c %s "$DEB") bytes)"

echo "== dpkg-deb --info"
INFO=$(dpkg-deb --info "$DEB")
dpkg-deb --field "$DEB"
expect_in "$INFO" '^ Package: modelreg$' "package name"
expect_in "$INFO" '^ Maintainer: .+<.+@.+>' "maintainer"
expect_in "$INFO" '^ Depends: .*libgrpc\+\+1\.51' "Depends from dpkg-shlibdeps (gRPC)"
expect_in "$INFO" '^ Depends: .*libpqxx-6\.4' "Depends from dpkg-shlibdeps (libpqxx)"
expect_in "$INFO" '^ Depends: .*libabsl20220623' "Depends from dpkg-shlibdeps (abseil)"
expect_in "$INFO" '^ Recommends: postgresql-15' "Recommends"
# The container image's runtime stage must install every library package dpkg-shlibdeps found (libc6, libgcc-s1 and
# libstdc++6 come with debian:bookworm-slim).
RUNTIME_STAGE=$(sed -n '/ AS runtime/,$p' "$SOURCE/deploy/Dockerfile")
for package in $(dpkg-deb --field "$DEB" Depends | tr ',' '\n' | awk '{print $1}'); do
  case "$package" in libc6 | libgcc-s1 | libstdc++6) continue ;; esac
  grep -Eq "(^|[[:space:]])$(sed 's/[.+]/\\&/g' <<<"$package")([[:space:]]|$)" <<<"$RUNTIME_STAGE" ||
    fail "deploy/Dockerfile's runtime stage does not install $package (a Depends of the package)"
done
echo "Dockerfile runtime stage installs every library package in Depends"
expect_in "$(dpkg-deb -I "$DEB" conffiles)" '^/etc/modelreg/modelregd\.flags$' "conffiles"

echo "== dpkg-deb --contents"
CONTENTS=$(dpkg-deb --contents "$DEB")
for path in ./usr/bin/modelregd ./usr/bin/modelreg ./usr/bin/modelreg-health-probe \
  ./lib/systemd/system/modelregd.service ./etc/modelreg/modelregd.flags \
  ./usr/share/doc/modelreg/README.md ./usr/share/doc/modelreg/deploy-README.md ./usr/share/doc/modelreg/copyright; do
  expect_in "$CONTENTS" " $(sed 's/[.+]/\\&/g' <<<"$path")\$" "package contents"
done
expect_in "$CONTENTS" '^-rw------- root/root .* \./etc/modelreg/modelregd\.flags$' "configuration mode 0600 root"
expect_in "$CONTENTS" '^-rwxr-xr-x root/root .* \./usr/bin/modelregd$' "modelregd mode 0755"
echo "$(grep -c . <<<"$CONTENTS") entries, all expected paths present"

echo "== dpkg-deb -x"
ROOT="$WORK/root"
dpkg-deb -x "$DEB" "$ROOT"
[ -x "$ROOT/usr/bin/modelregd" ] || fail "no executable modelregd after extraction"

echo "== systemd-analyze verify"
# On a copy whose ExecStart= names the extracted binary (verify checks that it exists and is executable; with
# --root= it would also need the system's own units there). Any warning (an unknown or misspelt directive) fails.
mkdir -p "$WORK/unit"
sed "s#^ExecStart=/usr/bin/modelregd #ExecStart=$ROOT/usr/bin/modelregd #" "$ROOT/lib/systemd/system/modelregd.service" \
  >"$WORK/unit/modelregd.service"
grep -q "^ExecStart=$ROOT/usr/bin/modelregd " "$WORK/unit/modelregd.service" || fail "ExecStart= not rewritten"
if ! VERIFY=$(systemd-analyze verify "$WORK/unit/modelregd.service" 2>&1); then
  fail "systemd-analyze verify: $VERIFY"
fi
[ -z "$VERIFY" ] || fail "systemd-analyze verify printed: $VERIFY"
echo "clean"

echo "== the extracted modelregd on its embedded PostgreSQL, as the unit would run it"
# Like the unit: an unprivileged user (as root: `nobody`, with no_new_privs), an empty environment (no HOME), the
# state directory given with --data-dir, and the packaged flags file copied where that user can read it (systemd's
# LoadCredential= does that for the root-only original).
STATE="$WORK/state"
mkdir -p "$STATE"
chmod 0711 "$WORK"
cp "$ROOT/etc/modelreg/modelregd.flags" "$STATE/modelregd.flags"
RUN_AS=()
if [ "$(id -u)" -eq 0 ]; then
  chown -R nobody:nogroup "$STATE"
  RUN_AS=(setpriv --reuid=nobody --regid=nogroup --clear-groups --no-new-privs)
fi
# TLS as in deploy/kubernetes: a certificate naming `modelregd` (and 127.0.0.1, for the CLI), probed on 127.0.0.1
# with --tls-server-name=modelregd.
TLS="$STATE/tls"
mkdir -p "$TLS"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$TLS/ca.key" -out "$TLS/ca.crt" \
  -days 2 -subj /CN=modelreg-test-ca 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$TLS/tls.key" -out "$TLS/tls.csr" \
  -subj /CN=modelregd 2>/dev/null
openssl x509 -req -in "$TLS/tls.csr" -CA "$TLS/ca.crt" -CAkey "$TLS/ca.key" -CAcreateserial -out "$TLS/tls.crt" \
  -days 2 -extfile <(printf 'subjectAltName=DNS:modelregd,IP:127.0.0.1\n') 2>/dev/null
[ "$(id -u)" -ne 0 ] || chown -R nobody:nogroup "$TLS"
DATA="$STATE/data"
"${RUN_AS[@]}" env -i PATH=/usr/bin:/bin "$ROOT/usr/bin/modelregd" serve --data-dir="$DATA" \
  --flagfile="$STATE/modelregd.flags" --listen=127.0.0.1:0 --port-file="$STATE/port" --model-cache-mb=16 \
  --tls-cert="$TLS/tls.crt" --tls-key="$TLS/tls.key" >"$WORK/modelregd.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 600); do
  [ -s "$STATE/port" ] && break
  kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/modelregd.log"; fail "modelregd exited before serving"; }
  sleep 0.1
done
[ -s "$STATE/port" ] || { cat "$WORK/modelregd.log"; fail "no port file after 60 s"; }
ADDR="127.0.0.1:$(cat "$STATE/port")"
echo "serving on $ADDR"
PROBE=("$ROOT/usr/bin/modelreg-health-probe" --addr="$ADDR" --timeout=10)
HEALTH=$("${PROBE[@]}" --tls-ca="$TLS/ca.crt" --tls-server-name=modelregd) || fail "health probe: $HEALTH"
[ "$HEALTH" = "SERVING" ] || fail "health: $HEALTH"
echo "health over TLS: $HEALTH"
rc=0
OUT=$("${PROBE[@]}" --tls-ca="$TLS/ca.crt" --tls-server-name=modelregd --service=no.such.Service 2>&1) || rc=$?
[ "$rc" -ne 0 ] || fail "an unknown service reported healthy: $OUT"
rc=0
OUT=$("${PROBE[@]}" 2>&1) || rc=$?
[ "$rc" -eq 2 ] || [ "$rc" -eq 3 ] || fail "a plaintext probe of the TLS port: exit $rc, expected 2 or 3: $OUT"
echo "unknown service: not healthy; plaintext probe: exit $rc"
TOKEN=$(cat "$DATA/admin.token")
LICENSES=$("$ROOT/usr/bin/modelreg" --server="$ADDR" --ca-file="$TLS/ca.crt" --token="$TOKEN" -o json licenses list) ||
  fail "modelreg licenses list: $LICENSES"
expect_in "$LICENSES" '"licenses/apache-2\.0"' "shipped catalog through the packaged CLI"
echo "licenses list: $(grep -c '"name": "licenses/' <<<"$LICENSES") licenses"

kill -TERM "$SERVER_PID"
rc=0
wait "$SERVER_PID" || rc=$?
SERVER_PID=""
[ "$rc" -eq 0 ] || { tail -20 "$WORK/modelregd.log"; fail "modelregd exited $rc after SIGTERM"; }
echo "SIGTERM: exit 0"
echo "PASS"
