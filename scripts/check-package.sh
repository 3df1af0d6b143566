#!/usr/bin/env bash
# The crates as a registry would serve them:
#   1. the published crates (every member without `publish = false`) packaged, with verification: each
#      builds from its .crate alone; then `cargo publish --dry-run` (not verified again);
#   2. the spec packaged in pipecat-cloud-generated is byte for byte the one in openapi/;
#   3. a consumer that depends on `pipecat-cloud = "0.1"`, resolved from the unpacked .crate files under
#      [patch.crates-io] (no path into this repository), builds and answers one call on 127.0.0.1;
#   4. the same consumer depending on this repository by git (what `cargo vendor` users do), built from
#      `cargo vendor`ed sources, offline: vendoring copies each package as it is packaged.
# `.ci/run` runs it; it reuses the workspace's target directory so dependencies compile once: the
# verification reads the dev profile from .cargo/config.toml, and the consumers, built outside this
# folder, are given that file with --config.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
SAME_PROFILE=(--config "$ROOT/.cargo/config.toml")
VERSION=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -1)
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
PACKAGES="$CARGO_TARGET_DIR/package"

# Verification unpacks the workspace's crates from a temporary local registry into cargo's home, keyed
# by the registry's path and the crate's version; a copy left there by an earlier run of the same version
# would be reused as it was. Remove those copies (never crates.io's).
CARGO_HOME_DIR="${CARGO_HOME:-$HOME/.cargo}"
# Cargo also takes a registry crate's build as final for its version, whatever its source now holds: the
# fingerprints of this workspace's crates go too, so that every verification compiles what was packaged.
for crate in pipecat-cloud pipecat-cloud-generated pipecat-cloud-build-helpers pipecat-cloud-emulator pipecat-cloud-recordings pipecat-cloud-cli pipecat-cloud-tests pipecat-cloud-benchmarks secret-sync; do
  rm -rf "$CARGO_HOME_DIR"/registry/src/-*/"$crate-$VERSION" "$CARGO_HOME_DIR"/registry/cache/-*/"$crate-$VERSION.crate"
  rm -rf "$CARGO_TARGET_DIR"/debug/.fingerprint/"$crate"-*
done

# A crate that is never published is never built from a .crate: verifying one would only compile its
# dependencies again with its own features.
UNPUBLISHED=()
for manifest in */Cargo.toml examples/*/Cargo.toml; do
  if grep -Eq '^publish *= *false' "$manifest"; then
    UNPUBLISHED+=(--exclude "$(sed -n 's/^name = "\(.*\)"$/\1/p' "$manifest" | head -1)")
  fi
done
echo "-- cargo package of the published crates (with verification)"
cargo package --workspace ${UNPUBLISHED[@]+"${UNPUBLISHED[@]}"} --locked ${CI:+--quiet} "$@"

echo "-- cargo publish --dry-run, in dependency order (verified above)"
cargo publish --workspace --dry-run --no-verify --locked ${CI:+--quiet} "$@"

echo "-- the packaged spec is openapi/"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/crates"
for crate in pipecat-cloud-build-helpers pipecat-cloud-generated pipecat-cloud; do
  tar -xzf "$PACKAGES/$crate-$VERSION.crate" -C "$WORK/crates"
done
SPEC_IN_PACKAGE="$WORK/crates/pipecat-cloud-generated-$VERSION/openapi"
stale=0
for spec in openapi/*.yaml openapi/*.yml openapi/*.json; do
  [ -e "$spec" ] || continue
  if ! cmp -s "$spec" "$SPEC_IN_PACKAGE/$(basename "$spec")"; then
    echo "error: $spec differs from the copy packaged in pipecat-cloud-generated" >&2
    stale=1
  fi
done
for packaged in "$SPEC_IN_PACKAGE"/*; do
  [ -e "openapi/$(basename "$packaged")" ] || { echo "error: the package carries $(basename "$packaged"), openapi/ does not" >&2; stale=1; }
done
[ "$stale" = 0 ] || { echo "the packaged spec is stale: generated-client/openapi must link to ../openapi" >&2; exit 1; }
echo "ok: $(ls "$SPEC_IN_PACKAGE" | wc -l) spec file(s) packaged, identical to openapi/"

echo "-- a consumer built from the packaged crates only"
CONSUMER="$WORK/consumer"
mkdir -p "$CONSUMER/src"
cp scripts/package-consumer/main.rs "$CONSUMER/src/main.rs"
cat > "$CONSUMER/Cargo.toml" <<TOML
[package]
name = "package-consumer"
version = "0.0.0"
edition = "2024"
publish = false

[dependencies]
pipecat-cloud = "${VERSION%.*}"
tokio = { version = "1", features = ["rt", "macros", "net", "io-util"] }

[patch.crates-io]
pipecat-cloud = { path = "../crates/pipecat-cloud-$VERSION" }
pipecat-cloud-generated = { path = "../crates/pipecat-cloud-generated-$VERSION" }
pipecat-cloud-build-helpers = { path = "../crates/pipecat-cloud-build-helpers-$VERSION" }
TOML
# The workspace's lock file pins the same third-party versions, so their builds are reused.
cp Cargo.lock "$CONSUMER/Cargo.lock"
# A [patch] that does not apply is only a warning to cargo: here it is a failure.
(cd "$CONSUMER" && cargo build "${SAME_PROFILE[@]}" --quiet 2> "$WORK/consumer.err") || { cat "$WORK/consumer.err" >&2; exit 1; }
if grep -q "was not used in the crate graph" "$WORK/consumer.err"; then
  cat "$WORK/consumer.err" >&2; echo "error: the consumer did not build from the packaged crates" >&2; exit 1
fi
(cd "$CONSUMER" && cargo run "${SAME_PROFILE[@]}" --quiet)

echo "-- the same consumer as a git dependency, vendored, built offline"
if [ -n "$(git status --porcelain)" ]; then
  echo "note: the work tree has uncommitted changes; this step builds the last commit ($(git rev-parse --short HEAD))"
fi
VENDORED="$WORK/vendored"
mkdir -p "$VENDORED/src"
cp scripts/package-consumer/main.rs "$VENDORED/src/main.rs"
sed -e '/^\[patch.crates-io\]/,$d' -e "s|^pipecat-cloud = .*|pipecat-cloud = { git = \"file://$ROOT\", rev = \"$(git rev-parse HEAD)\" }|" \
  "$CONSUMER/Cargo.toml" > "$VENDORED/Cargo.toml"
cp Cargo.lock "$VENDORED/Cargo.lock"
(cd "$VENDORED" && cargo vendor --quiet vendor > vendor-config.toml \
  && test -f vendor/pipecat-cloud-generated/openapi/pipecat-cloud.yaml \
  && cargo run "${SAME_PROFILE[@]}" --quiet --offline --config vendor-config.toml)
