#!/usr/bin/env bash
# What the generated client costs at build time, each figure the median of several runs:
#   1. the build script for the full spec (load, normalize, validate, progenitor, format), run directly;
#   2. a no-op rebuild of the workspace;
#   3. a rebuild after a one-line spec change (a description, so the code is regenerated and recompiled);
#   4. a cold build of the downstream example crate (secret-sync) in an empty target directory.
# Usage: scripts/build-cost.sh            (RUNS=5 for 1-3, COLD_RUNS=3 for 4; override in the environment)
# Not a test: it takes minutes (the cold builds) and changes openapi/ while it runs (restored on exit).
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-5}
COLD_RUNS=${COLD_RUNS:-3}
SPEC=openapi/pipecat-cloud.yaml
BACKUP=$(mktemp)
cp "$SPEC" "$BACKUP"
restore() { cp "$BACKUP" "$SPEC"; rm -f "$BACKUP"; }
trap restore EXIT

median() {
  python3 -c 'import sys, statistics
v = [float(x) for x in sys.argv[1:]]
runs = ", ".join("%.2f" % x for x in v)
print("%.2f s (runs: %s)" % (statistics.median(v), runs))' "$@"
}
seconds() { local start end; start=$(date +%s.%N); "$@" > /dev/null 2>&1; end=$(date +%s.%N); python3 -c "print($end - $start)"; }

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(rustc --version)"
cargo build --workspace --locked -q

# 1. The generated client's build script, run as cargo runs it.
script=$(cargo build -p pipecat-cloud-generated --locked --message-format=json 2>/dev/null \
  | python3 -c 'import json,sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and "custom-build" in m["target"]["kind"] and m["package_id"].find("generated-client") >= 0:
        print(m["filenames"][0])' | tail -1)
out=$(mktemp -d)
runs=()
for _ in $(seq "$RUNS"); do
  runs+=("$(seconds env OUT_DIR="$out" CARGO_MANIFEST_DIR="$PWD/generated-client" "$script")")
done
echo "build script, full spec:            $(median "${runs[@]}")"
rm -rf "$out"

# 2. No-op rebuild.
runs=()
for _ in $(seq "$RUNS"); do runs+=("$(seconds cargo build --workspace --locked)"); done
echo "no-op rebuild of the workspace:     $(median "${runs[@]}")"

# 3. One-line spec change: the build scripts rerun, the generated and dependent crates recompile.
runs=()
for i in $(seq "$RUNS"); do
  cp "$BACKUP" "$SPEC"
  sed -i "0,/summary: List regions$/s//summary: List regions (edit $i)/" "$SPEC"
  runs+=("$(seconds cargo build --workspace --locked)")
done
cp "$BACKUP" "$SPEC"
cargo build --workspace --locked -q
echo "rebuild after a one-line change:    $(median "${runs[@]}")"

# 4. Cold build of the downstream crate, nothing cached but the registry (scripts/cold-build.sh also
#    lists the slowest units). COLD_RUNS=0 skips it.
[ "$COLD_RUNS" = 0 ] && exit 0
runs=()
for _ in $(seq "$COLD_RUNS"); do
  target=$(mktemp -d)
  runs+=("$(seconds env CARGO_TARGET_DIR="$target" cargo build -p secret-sync --locked)")
  rm -rf "$target"
done
echo "cold build of examples/secret-sync: $(median "${runs[@]}")"
