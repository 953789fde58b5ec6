#!/usr/bin/env bash
# Runs clang-tidy (checks in .clang-tidy) over every translation unit of the project's own code listed in
# BUILD/compile_commands.json (generated protobuf code excluded), JOBS at a time, and fails on any finding.
#
#   tests/tidy.sh [BUILD]        BUILD defaults to ./build, which must have been configured (cmake) and built
#                                far enough that generated headers exist.
#
# A translation unit found clean is remembered in TIDY_CACHE (default ~/.cache/modelreg-tidy) under the hash of its
# preprocessed text, .clang-tidy and the clang-tidy version, so a rerun checks only what changed. A fresh machine
# (CI) checks everything.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(cd "${1:-$ROOT/build}" && pwd)
JOBS=${JOBS:-2}
CACHE=${TIDY_CACHE:-${HOME:-/tmp}/.cache/modelreg-tidy}
mkdir -p "$CACHE"

# One line per translation unit: "file<TAB>directory<TAB>its preprocessor command" (commands have no tabs).
units=$(python3 - "$BUILD/compile_commands.json" "$ROOT" <<'EOF'
import json, shlex, sys
root = sys.argv[2] + "/"
for entry in json.load(open(sys.argv[1])):
    path = entry["file"]
    if path[len(root):].split("/", 1)[0] not in ("server", "client", "tests"):
        continue  # generated code (protobuf, embedded SQL) lives in build trees
    args = entry.get("arguments") or shlex.split(entry["command"])
    # The preprocessor's command: the same flags, output to stdout.
    keep, skip = [], False
    for arg in args:
        if skip:
            skip = False
        elif arg == "-o":
            skip = True
        elif arg != "-c":
            keep.append(arg)
    command = shlex.join(keep + ["-E", "-P"])
    print(f"{path}\t{entry['directory']}\t{command}")
EOF
)

salt=$( (clang-tidy --version; cat "$ROOT/.clang-tidy") | sha256sum | cut -c1-64)
export BUILD CACHE salt

check_unit() {
  local file=$1 dir=$2 command=$3
  # The preprocessed text (every header's contents, the flags' effect) decides whether a cached result holds.
  local key
  key=$(cd "$dir" && eval "$command" 2>/dev/null | cat - <(echo "$salt $file") | sha256sum | cut -c1-64)
  if [ -e "$CACHE/$key" ]; then return 0; fi
  local out
  if out=$(clang-tidy -p "$BUILD" --quiet "$file" 2>&1) && ! grep -qE '(warning|error):' <<<"$out"; then
    touch "$CACHE/$key"
    return 0
  fi
  # Only the findings, without clang-tidy's "N warnings generated" summary lines.
  grep -vE '^[0-9]+ warnings? (and [0-9]+ errors? )?generated\.$|^Suppressed [0-9]+ warnings|^Use -header-filter' <<<"$out" >&2
  return 1
}
export -f check_unit

count=$(wc -l <<<"$units")
echo "clang-tidy: $count translation units, $JOBS at a time (cache: $CACHE)"
if ! printf '%s\n' "$units" | tr '\t' '\037' |
  xargs -d '\n' -P "$JOBS" -I{} bash -c 'IFS=$'"'"'\037'"'"' read -r f d c <<<"$1"; check_unit "$f" "$d" "$c"' _ {}; then
  echo "clang-tidy: findings above (fix them, or add a documented exclusion to .clang-tidy)" >&2
  exit 1
fi
echo "clang-tidy: clean"
