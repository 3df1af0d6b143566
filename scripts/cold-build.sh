#!/usr/bin/env bash
# Cold debug builds of the downstream example (examples/secret-sync), nothing cached but the registry:
# the median of RUNS builds, and the ten slowest units of the last one (from `cargo build --timings`).
# Usage: scripts/cold-build.sh [REV] [-- extra cargo build args]
#   REV: a git revision to measure instead of the work tree (checked out in a temporary worktree).
# Not a test: each run compiles everything. Run it on an otherwise idle machine.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-3}
REV=${1:-}
[ "$REV" = "--" ] && REV=""
shift $(( $# > 0 ? 1 : 0 )) || true
[ "${1:-}" = "--" ] && shift
TREE=$(pwd)
if [ -n "$REV" ]; then
  TREE=$(mktemp -d)
  git worktree add --detach "$TREE" "$REV" > /dev/null 2>&1
  trap 'git worktree remove --force "$TREE"' EXIT
fi
echo "machine: $(nproc) cores, $(rustc --version); tree: ${REV:-work tree}; extra args: ${*:-none}"
times=()
for run in $(seq "$RUNS"); do
  target=$(mktemp -d)
  start=$(date +%s.%N)
  (cd "$TREE" && CARGO_TARGET_DIR="$target" cargo build -p secret-sync --locked --timings "$@" > /dev/null 2>&1)
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
