#!/usr/bin/env bash
# Cold debug builds of the downstream example (examples/secret-sync), nothing cached but the registry:
# the median of RUNS builds, and the ten slowest units of the last one (from `cargo build --timings`).
# Usage: [TLS=FEATURE] [RUNS=N] scripts/cold-build.sh [REV] [-- extra cargo build args]
#   REV: a git revision to measure instead of the work tree (checked out in a temporary worktree).
#   TLS: the SDK's TLS feature to build with instead of its default (e.g. TLS=rustls-ring): the
#        example's dependency is given `default-features = false, features = [TLS]` in a scratch copy.
# cargo runs from outside the tree, so this repository's .cargo/config.toml (its dev profile: less debug
# info, optimized syn) does not apply: the build uses cargo's default dev profile, as a crate outside
# this workspace that depends on the SDK does. (A REV from before the profile moved there, e5f6dc7, has
# it in Cargo.toml, which applies wherever cargo runs.)
# Not a test: each run compiles everything. Run it on an otherwise idle machine.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-3}
REV=${1:-}
[ "$REV" = "--" ] && REV=""
shift $(( $# > 0 ? 1 : 0 )) || true
[ "${1:-}" = "--" ] && shift
TREE=$(pwd)
SCRATCH=$(mktemp -d)
cleanup() {
  [ -n "$REV" ] && git worktree remove --force "$SCRATCH/tree" > /dev/null 2>&1
  rm -rf "$SCRATCH"
}
trap cleanup EXIT
if [ -n "$REV" ]; then
  git worktree add --detach "$SCRATCH/tree" "$REV" > /dev/null 2>&1
  TREE="$SCRATCH/tree"
elif [ -n "${TLS:-}" ]; then
  # The tracked files as they are in the work tree, uncommitted changes included.
  mkdir "$SCRATCH/tree"
  bash scripts/copy-tracked.sh "$SCRATCH/tree"
  TREE="$SCRATCH/tree"
fi
if [ -n "${TLS:-}" ]; then
  manifest="$TREE/examples/secret-sync/Cargo.toml"
  sed -i "s|^pipecat-cloud = { path = \"../../pipecat-cloud\", version = \"\([^\"]*\)\" }$|pipecat-cloud = { path = \"../../pipecat-cloud\", version = \"\1\", default-features = false, features = [\"$TLS\"] }|" "$manifest"
  grep -q "features = \[\"$TLS\"\]" "$manifest" || { echo "error: could not set the TLS feature in $manifest" >&2; exit 1; }
fi
echo "machine: $(nproc) cores, $(rustc --version); tree: ${REV:-work tree}; TLS: ${TLS:-the default}; extra args: ${*:-none}"
times=()
for run in $(seq "$RUNS"); do
  target="$SCRATCH/target-$run"
  mkdir "$target"
  start=$(date +%s.%N)
  (cd "$target" && CARGO_TARGET_DIR="$target" cargo build --manifest-path "$TREE/Cargo.toml" -p secret-sync --locked --timings "$@" > /dev/null 2>&1)
  end=$(date +%s.%N)
  times+=("$(python3 -c "print(round($end - $start, 2))")")
  if [ "$run" = "$RUNS" ]; then
    python3 - "$target" <<'PY'
import json, re, sys, glob
html = open(sorted(glob.glob(sys.argv[1] + "/cargo-timings/cargo-timing*.html"))[-1]).read()
units = json.loads(re.search(r"const UNIT_DATA = (\[.*?\]);\n", html, re.S).group(1))
units.sort(key=lambda u: -u["duration"])
print("ten slowest units of the last run (seconds):")
for u in units[:10]:
    target = u.get("target", "").strip()
    print(f"  {u['duration']:7.2f}  {u['name']} {u['version']}{(' ' + target) if target else ''}")
PY
  fi
  rm -rf "$target"
done
python3 -c 'import sys, statistics
v = [float(x) for x in sys.argv[1:]]
print("cold build of examples/secret-sync: median %.2f s (runs: %s)" % (statistics.median(v), ", ".join("%.2f" % x for x in v)))' "${times[@]}"
