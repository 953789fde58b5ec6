#!/usr/bin/env bash
# Installs the Debian bookworm packages modelreg needs to build, test and run; a no-op when all are present.
# Used by deploy/quickstart.sh and tests/run.sh. Needs root (or sudo).
set -euo pipefail

PACKAGES=(build-essential cmake pkg-config git
  libgrpc++-dev libgrpc-dev protobuf-compiler-grpc protobuf-compiler libprotobuf-dev libabsl-dev
  libpqxx-dev libpq-dev libgtest-dev libgmock-dev libcli11-dev libyaml-cpp-dev libsimdjson-dev libssl-dev
  postgresql clang libclang-rt-14-dev openssl libjemalloc-dev
  yamllint python3-yaml dpkg-dev systemd         # tests/deploy: manifests, the Debian package
  patroni etcd-server etcd-client curl)   # the HA cluster (deploy/ha) and its failover test (tests/ha)
# Tools that may come from elsewhere than Debian (a newer Node.js with its own npm): installed only when the
# command is missing.
declare -A TOOLS=([clang-format]=clang-format [clang-tidy]=clang-tidy [python3]=python3 [npm]=npm [node]=nodejs)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
for tool in "${!TOOLS[@]}"; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("${TOOLS[$tool]}")
done
[ ${#missing[@]} -eq 0 ] && exit 0

SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
echo "installing: ${missing[*]}" >&2
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
