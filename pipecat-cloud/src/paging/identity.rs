//! What identifies an item of a paged list: a 64-bit [`Key`] hashed from its identity (`id`,
//! `sessionId`), or from all its fields where it has none (a log line: its time, text and deployment).
//! The generated code feeds each field through [`std::hash::Hash`] where its type has it, and through
//! its JSON otherwise ([`feed_json`]).

use serde::Serialize;

/// What identifies an item: a 64-bit hash of its identity, or of all its fields. Two different
/// identities share a hash with a chance of about one in 10^19 per pair.
pub type Key = u64;

/// Builds a [`Key`]: a [`std::hash::Hasher`] (foldhash's quality hasher, with a fixed seed, so a key is
/// the same in every walk). It takes eight to sixteen bytes a step where a byte-at-a-time hash would take
/// one, which is most of what a walk costs above a plain loop for lists of long items such as log lines.
#[derive(Clone)]
pub struct KeyHasher(foldhash::quality::FoldHasher<'static>);

impl Default for KeyHasher {
    fn default() -> Self {
        KeyHasher(std::hash::BuildHasher::build_hasher(&foldhash::quality::FixedState::default()))
    }
}

impl std::fmt::Debug for KeyHasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("KeyHasher").field(&std::hash::Hasher::finish(self)).finish()
    }
}

impl std::hash::Hasher for KeyHasher {
    fn write(&mut self, bytes: &[u8]) {
        self.0.write(bytes);
    }
    fn write_u64(&mut self, value: u64) {
        self.0.write_u64(value);
    }
    fn finish(&self) -> Key {
        self.0.finish()
    }
}

/// JSON written into the hasher, for [`feed_json`].
impl std::io::Write for KeyHasher {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        std::hash::Hasher::write(self, bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Feeds `value` as its JSON, for a field whose type has no [`std::hash::Hash`] (a float, a JSON value).
pub fn feed_json(value: &impl Serialize, hasher: &mut KeyHasher) {
    let _ = serde_json::to_writer(hasher, value);
}

/// The [`Key`] of `value` as its JSON (a catalog call's items are JSON values).
pub fn key(value: &impl Serialize) -> Key {
    let mut hasher = KeyHasher::default();
    feed_json(value, &mut hasher);
    std::hash::Hasher::finish(&hasher)
}

/// Identities with how often a page returned each. Keys are hashes already: the map's own hasher
/// only has to spread them, which foldhash's fast one does in a multiply.
pub(super) type Counts = std::collections::HashMap<Key, u32, foldhash::fast::FixedState>;
