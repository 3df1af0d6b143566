#!/usr/bin/env bash
# Copies the repository's tracked files, as they are in the work tree (uncommitted changes included), to
# the folder DEST, keeping their paths. A tracked file deleted in the work tree is left out, not an error.
# Usage: scripts/copy-tracked.sh DEST
set -euo pipefail
dest=$(cd "${1:?usage: scripts/copy-tracked.sh DEST}" && pwd)
cd "$(dirname "$0")/.."
git ls-files -z | while IFS= read -r -d '' path; do
  if [ -e "$path" ] || [ -L "$path" ]; then printf '%s\0' "$path"; fi
done | xargs -0 --no-run-if-empty cp --parents -P -t "$dest"
