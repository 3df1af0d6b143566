#!/usr/bin/env bash
# Copies the tracked files to a scratch folder, runs `cargo update` there (the repository's Cargo.lock is
# not touched) and lints the workspace with the newest compatible dependencies. Prints what changed.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
bash scripts/copy-tracked.sh "$scratch"
cd "$scratch"
cargo update 2>&1 | grep -E "Updating|Adding|Removing|Locking" || true
# The published crates with the features whose upstreams move (the `ring` opt-in, the mock server): a
# deprecation in what users build shows here.
CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}" \
  cargo clippy -p pipecat-cloud -p pipecat-cloud-cli --all-targets --features pipecat-cloud/rustls-ring,pipecat-cloud/mock -- -D warnings
