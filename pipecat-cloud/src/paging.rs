//! Lists that page themselves. Every operation whose query takes `limit` and `offset` and whose answer
//! holds one array and a total gets, on its request builder, [`items`](crate::operations::GetSessions::items)
//! (a stream of items), [`pages`](crate::operations::GetSessions::pages) (a stream of pages, each with
//! the total) and [`paginate`](crate::operations::GetSessions::paginate) (to set the page size and
//! limits first). The generator finds these operations from the spec's shape: a later spec's new paged
//! operation gets them without code.
//!
//! ```rust,no_run
//! # async fn demo(client: &pipecat_cloud::Client) -> Result<(), pipecat_cloud::Error> {
//! use futures_util::TryStreamExt;
//! let mut sessions = client.get_sessions("voice-bot").paginate().max_items(500).items();
//! while let Some(session) = sessions.try_next().await? {
//!     println!("{:?}", session.session_id);
//! }
//! # Ok(()) }
//! ```
//!
//! # What a walk does
//!
//! - **Page size:** 100 unless set ([`Paginator::page_size`]), never more than the spec's maximum
//!   for `limit` (`listBuilds` takes at most 100). A `limit` set on the builder is the page size; an
//!   `offset` set on it is where the walk starts.
//! - **Stop rule:** the walk ends after a page shorter than the page size, or when the offsets read
//!   reach the total where the total is exact (`total_count`, `total`, or `total.value` with
//!   `relation: eq`): no request is made after the last page. It also ends at
//!   [`Paginator::max_items`] items.
//! - **Data that moves:** the API pages by offset, so an item added before the walk's position shifts
//!   the rest down (the next page repeats items) and an item removed shifts them up (the next page
//!   would skip one). Each page after the first starts a hundredth of a page (at least one item)
//!   before the end of the last one, and items already returned are dropped, by their identity: `id`, or `<item>Id` for a list of
//!   `<item>s` (`sessionId`), or the whole item where it has none (log lines: their time and text),
//!   counted, so that a line logged twice is returned twice. When a page shares none of the overlap,
//!   the data moved further than it: unless the total grew (items were added, and stepping back would
//!   fall further behind), the walk steps back a page, at most three times in a row and 16 times in a
//!   walk. A list that grows faster than it is read has no end: bound such walks with `max_items` or
//!   `max_duration`. So no
//!   item is returned twice, and no item that existed for the whole walk is missed while the data
//!   moves by less than a page between two requests.
//! - **Errors** end the stream with the SDK's [`Error`], after the retries the client (or the builder's
//!   `.retry()`) allows. [`Paginator::max_duration`] ends a walk that takes too long with
//!   [`Error::WalkTimedOut`].
//! - **Memory** stays flat: the stream holds one page and the identities of the last two.
//!
//! `getBuildLogs` answers a `nextToken`, but no request parameter takes it back: the published API has
//! no way to ask for the next page, so it gets no paging here.

use std::collections::HashMap;
use std::pin::Pin;
use std::time::{Duration, Instant};

use futures_util::stream::{self, Stream};
use serde::Serialize;

use crate::error::Error;
use crate::request::SendFuture;

/// Items per page when none is set.
pub const DEFAULT_PAGE_SIZE: u64 = 100;
/// Times in a row a walk steps back a page when the data moved further than the overlap.
const MAX_STEP_BACKS: u32 = 3;
/// Step-backs in a whole walk: data that keeps moving faster than the walk cannot hold it forever.
const MAX_STEP_BACKS_PER_WALK: u32 = 16;

/// How many items match in all, as a page reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Total {
    /// The count.
    pub value: u64,
    /// True when it is exact; false when it is a lower bound (`relation: gte`).
    pub exact: bool,
}

impl Total {
    /// Reads a total as the API writes it: an integer (exact), or `{value, relation}` (exact when
    /// `relation` is `eq`).
    pub fn read(total: &impl Serialize) -> Option<Total> {
        match serde_json::to_value(total).ok()? {
            serde_json::Value::Number(n) => Some(Total { value: n.as_u64()?, exact: true }),
            serde_json::Value::Object(map) => Some(Total {
                value: map.get("value")?.as_u64()?,
                exact: map.get("relation").and_then(serde_json::Value::as_str) == Some("eq"),
            }),
            _ => None,
        }
    }
}

/// One page of a walk: its new items (none returned before), the total it reported, and where it
/// started.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Page<T> {
    /// The items this page adds, in the API's order.
    pub items: Vec<T>,
    /// The total the page reported.
    pub total: Option<Total>,
    /// The offset it was read at.
    pub offset: u64,
}

/// A stream of pages.
pub type PageStream<'a, T> = Pin<Box<dyn Stream<Item = Result<Page<T>, Error>> + Send + 'a>>;
/// A stream of items.
pub type ItemStream<'a, T> = Pin<Box<dyn Stream<Item = Result<T, Error>> + Send + 'a>>;

/// An answer that is one page of a list: generated for each paged operation's answer.
pub trait Paged: Send {
    /// The list's items.
    type Item: Serialize + Send;
    /// The items, moved out.
    fn into_items(self) -> Vec<Self::Item>;
    /// The total, when the answer has one.
    fn total(&self) -> Option<Total>;
    /// What identifies `item` among the others (see the module's documentation).
    fn key(item: &Self::Item) -> Key;
    /// True when [`Paged::key`] is an identity (no two items share it); false when it is the whole
    /// item, which two items can share.
    const IDENTIFIED: bool;
}

/// A request for one page: generated for each paged operation's builder.
pub trait PagedRequest<'a>: Sized + Send + 'a {
    /// Its answer.
    type Page: Paged;
    /// The operationId.
    const OPERATION: &'static str;
    /// The spec's maximum for `limit`, when it states one.
    const MAX_LIMIT: Option<u64>;
    /// The `offset` set on the builder: where the walk starts.
    fn start_offset(&self) -> u64;
    /// The `limit` set on the builder: the page size, unless the paginator sets one.
    fn requested_limit(&self) -> Option<u64>;
    /// This request for the page of `limit` items at `offset`.
    fn for_page(&self, limit: u64, offset: u64) -> Self;
    /// Sends it.
    fn fetch(self) -> SendFuture<'a, Self::Page>;
}

/// One page as a source answers it: its items and the total it reports.
#[derive(Debug)]
#[non_exhaustive]
pub struct Fetched<T> {
    /// The page's items, in the API's order.
    pub items: Vec<T>,
    /// The total it reports.
    pub total: Option<Total>,
}

/// Where a walk reads its pages from: a typed builder ([`PagedRequest`]) or a catalog call
/// ([`DynamicCall::paginate`](crate::DynamicCall::paginate)).
pub trait Source<'a>: Send + 'a {
    /// An item of the list.
    type Item: Send + 'a;
    /// The operationId.
    fn operation(&self) -> &'static str;
    /// The spec's maximum for `limit`.
    fn max_limit(&self) -> Option<u64>;
    /// Where the walk starts.
    fn start_offset(&self) -> u64;
    /// The page size asked for on the request itself.
    fn requested_limit(&self) -> Option<u64>;
    /// The page of `limit` items at `offset`.
    fn fetch(&self, limit: u64, offset: u64) -> SendFuture<'a, Fetched<Self::Item>>;
    /// What identifies `item`.
    fn key(&self, item: &Self::Item) -> Key;
    /// True when [`Source::key`] is an identity (no two items share it).
    fn identified(&self) -> bool;
}

impl<'a, R: PagedRequest<'a>> Source<'a> for R
where
    <R::Page as Paged>::Item: 'a,
{
    type Item = <R::Page as Paged>::Item;
    fn operation(&self) -> &'static str {
        R::OPERATION
    }
    fn max_limit(&self) -> Option<u64> {
        R::MAX_LIMIT
    }
    fn start_offset(&self) -> u64 {
        PagedRequest::start_offset(self)
    }
    fn requested_limit(&self) -> Option<u64> {
        PagedRequest::requested_limit(self)
    }
    fn fetch(&self, limit: u64, offset: u64) -> SendFuture<'a, Fetched<Self::Item>> {
        let request = self.for_page(limit, offset);
        Box::pin(async move {
            let page = PagedRequest::fetch(request).await?;
            let total = page.total();
            Ok(Fetched { items: page.into_items(), total })
        })
    }
    fn key(&self, item: &Self::Item) -> Key {
        R::Page::key(item)
    }
    fn identified(&self) -> bool {
        <R::Page as Paged>::IDENTIFIED
    }
}

/// A value as a `u64`, for limits and offsets whatever their Rust type (`i64`, `u64`, `NonZeroU64`).
pub fn as_u64(value: &impl Serialize) -> Option<u64> {
    serde_json::to_value(value).ok()?.as_u64()
}

/// What identifies an item: a 64-bit hash of its identity, or of all its fields (fed directly, with no
/// string in between, so that a walk costs about what a plain loop does). Two different identities
/// share a hash with a chance of about one in 10^19 per pair.
pub type Key = u64;

/// Builds a [`Key`]: foldhash's quality hasher, with a fixed seed, over the parts fed to it. It takes
/// eight to sixteen bytes a step where a byte-at-a-time hash would take one, which is most of what a
/// walk costs above a plain loop for lists of long items such as log lines.
#[derive(Clone)]
pub struct KeyHasher(foldhash::quality::FoldHasher<'static>);

impl Default for KeyHasher {
    fn default() -> Self {
        KeyHasher(std::hash::BuildHasher::build_hasher(&foldhash::quality::FixedState::default()))
    }
}

impl std::fmt::Debug for KeyHasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("KeyHasher").field(&self.finish()).finish()
    }
}

impl KeyHasher {
    /// Feeds `bytes`.
    pub fn bytes(&mut self, bytes: &[u8]) {
        std::hash::Hasher::write(&mut self.0, bytes);
    }

    /// The key.
    pub fn finish(&self) -> Key {
        std::hash::Hasher::finish(&self.0)
    }
}

impl std::io::Write for KeyHasher {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.bytes(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A value that feeds a [`KeyHasher`] directly: the generated `key` of a paged list's items feeds their
/// fields through this where it can (strings, numbers, times, ids), and through their JSON otherwise.
pub trait KeyPart {
    /// Feeds this value.
    fn feed(&self, hasher: &mut KeyHasher);
}

impl KeyPart for str {
    fn feed(&self, hasher: &mut KeyHasher) {
        hasher.bytes(&(self.len() as u64).to_le_bytes());
        hasher.bytes(self.as_bytes());
    }
}

impl KeyPart for String {
    fn feed(&self, hasher: &mut KeyHasher) {
        self.as_str().feed(hasher);
    }
}

macro_rules! key_part_numbers {
    ($( $ty:ty ),*) => {
        $( impl KeyPart for $ty {
            fn feed(&self, hasher: &mut KeyHasher) {
                hasher.bytes(&self.to_le_bytes());
            }
        } )*
    };
}

key_part_numbers!(i64, u64, i32, u32);

impl KeyPart for bool {
    fn feed(&self, hasher: &mut KeyHasher) {
        hasher.bytes(&[u8::from(*self)]);
    }
}

impl KeyPart for f64 {
    fn feed(&self, hasher: &mut KeyHasher) {
        hasher.bytes(&self.to_bits().to_le_bytes());
    }
}

impl KeyPart for uuid::Uuid {
    fn feed(&self, hasher: &mut KeyHasher) {
        hasher.bytes(self.as_bytes());
    }
}

impl KeyPart for chrono::DateTime<chrono::Utc> {
    fn feed(&self, hasher: &mut KeyHasher) {
        hasher.bytes(&self.timestamp().to_le_bytes());
        hasher.bytes(&self.timestamp_subsec_nanos().to_le_bytes());
    }
}

impl<T: KeyPart> KeyPart for Option<T> {
    fn feed(&self, hasher: &mut KeyHasher) {
        match self {
            Some(value) => {
                hasher.bytes(&[1]);
                value.feed(hasher);
            }
            None => hasher.bytes(&[0]),
        }
    }
}

impl<T: KeyPart> KeyPart for Vec<T> {
    fn feed(&self, hasher: &mut KeyHasher) {
        hasher.bytes(&(self.len() as u64).to_le_bytes());
        self.iter().for_each(|item| item.feed(hasher));
    }
}

/// Feeds `value` as its JSON, for parts that are not a [`KeyPart`].
pub fn feed_json(value: &impl Serialize, hasher: &mut KeyHasher) {
    let _ = serde_json::to_writer(hasher, value);
}

/// The [`Key`] of `value` as its JSON (a catalog call's items are JSON values).
pub fn key(value: &impl Serialize) -> Key {
    let mut hasher = KeyHasher::default();
    feed_json(value, &mut hasher);
    hasher.finish()
}

/// A walk over a paged list, to configure before streaming it.
#[must_use = "a paginator does nothing until `.items()` or `.pages()` is streamed"]
pub struct Paginator<'a, R: Source<'a>> {
    request: R,
    page_size: Option<u64>,
    max_items: Option<u64>,
    max_duration: Option<Duration>,
    _lifetime: std::marker::PhantomData<&'a ()>,
}

impl<'a, R: Source<'a>> std::fmt::Debug for Paginator<'a, R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Paginator")
            .field("operation", &self.request.operation())
            .field("page_size", &self.page_size)
            .field("max_items", &self.max_items)
            .field("max_duration", &self.max_duration)
            .finish_non_exhaustive()
    }
}

impl<'a, R: Source<'a>> Paginator<'a, R> {
    /// A walk starting with `request`.
    pub fn new(request: R) -> Self {
        Paginator { request, page_size: None, max_items: None, max_duration: None, _lifetime: std::marker::PhantomData }
    }

    /// Items per request, 1 or more, at most the spec's maximum (larger values are lowered to it).
    pub fn page_size(mut self, items: u64) -> Self {
        self.page_size = Some(items);
        self
    }

    /// Ends the walk after this many items.
    pub fn max_items(mut self, items: u64) -> Self {
        self.max_items = Some(items);
        self
    }

    /// Ends the walk with [`Error::WalkTimedOut`] once it has taken this long (checked before each
    /// request).
    pub fn max_duration(mut self, limit: Duration) -> Self {
        self.max_duration = Some(limit);
        self
    }

    /// The page size the walk uses.
    fn size(&self) -> u64 {
        let asked = self.page_size.or_else(|| self.request.requested_limit()).unwrap_or(DEFAULT_PAGE_SIZE).max(1);
        self.request.max_limit().map_or(asked, |max| asked.min(max.max(1)))
    }

    /// The pages, each with the items not returned before.
    pub fn pages(self) -> PageStream<'a, R::Item> {
        let page_size = self.size();
        let offset = self.request.start_offset();
        let walk = Walk {
            request: self.request,
            page_size,
            offset,
            start: offset,
            returned: 0,
            max_items: self.max_items,
            deadline: self.max_duration.map(|d| (Instant::now(), d)),
            window: Window::default(),
            last_page_keys: Vec::new(),
            step_backs: 0,
            total_step_backs: 0,
            last_total: None,
            done: false,
            _lifetime: std::marker::PhantomData,
        };
        Box::pin(stream::unfold(walk, |mut walk| async move {
            let page = walk.next_page().await?;
            Some((page, walk))
        }))
    }

    /// The items, one at a time.
    pub fn items(self) -> ItemStream<'a, R::Item> {
        Box::pin(Items { pages: self.pages(), current: Vec::new().into_iter() })
    }
}

/// The length of the longest end of `last` that `next` begins with.
fn longest_overlap(last: &[Key], next: &[Key]) -> usize {
    (1..=last.len().min(next.len())).rev().find(|&n| last[last.len() - n..] == next[..n]).unwrap_or(0)
}

/// The items of a walk's pages, one at a time: each page's items are handed out as they are, with no
/// copy.
struct Items<'a, T> {
    pages: PageStream<'a, T>,
    current: std::vec::IntoIter<T>,
}

// Nothing in it is pinned: the pages are a boxed stream, the items are only moved out.
impl<T> Unpin for Items<'_, T> {}

impl<T> Stream for Items<'_, T> {
    type Item = Result<T, Error>;

    fn poll_next(self: Pin<&mut Self>, context: &mut std::task::Context<'_>) -> std::task::Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            if let Some(item) = this.current.next() {
                return std::task::Poll::Ready(Some(Ok(item)));
            }
            // The page handed out is done: its buffer goes before the next page is read.
            this.current = Vec::new().into_iter();
            match std::task::ready!(this.pages.as_mut().poll_next(context)) {
                Some(Ok(page)) => this.current = page.items.into_iter(),
                Some(Err(error)) => return std::task::Poll::Ready(Some(Err(error))),
                None => return std::task::Poll::Ready(None),
            }
        }
    }
}

/// Hashes a [`Key`] to itself: keys are hashes already, so hashing them again would only add cost.
#[derive(Default)]
struct KeyIsHash(u64);

impl std::hash::Hasher for KeyIsHash {
    fn write(&mut self, bytes: &[u8]) {
        // Only `write_u64` is used for keys; anything else still hashes, one byte at a time.
        for byte in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(*byte);
        }
    }
    fn write_u64(&mut self, key: u64) {
        self.0 = key;
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

/// Identities with how often a page returned each.
type Counts = HashMap<Key, u32, std::hash::BuildHasherDefault<KeyIsHash>>;

/// The identities returned by the last two pages, with how often each was returned. Its maps are
/// reused page after page, so a walk allocates them once.
#[derive(Default)]
struct Window {
    previous: Counts,
    last: Counts,
    /// The map the page being read fills (the one dropped from the window, emptied).
    spare: Counts,
}

impl Window {
    fn returned(&self, key: &Key) -> u32 {
        self.previous.get(key).copied().unwrap_or(0).max(self.last.get(key).copied().unwrap_or(0))
    }

    /// An empty map for the page being read, to [`Window::push`] once it is read.
    fn take_next(&mut self) -> Counts {
        let mut next = std::mem::take(&mut self.spare);
        next.clear();
        next
    }

    /// Records a page: it is now the last one, and the oldest leaves the window.
    fn push(&mut self, page: Counts) {
        let oldest = std::mem::replace(&mut self.previous, std::mem::replace(&mut self.last, page));
        self.spare = oldest;
    }
}

struct Walk<'a, R: Source<'a>> {
    request: R,
    page_size: u64,
    offset: u64,
    start: u64,
    returned: u64,
    max_items: Option<u64>,
    deadline: Option<(Instant, Duration)>,
    window: Window,
    /// The identities of the last page, in order: the next one should begin with its end.
    last_page_keys: Vec<Key>,
    step_backs: u32,
    total_step_backs: u32,
    /// The total the last page reported.
    last_total: Option<Total>,
    done: bool,
    _lifetime: std::marker::PhantomData<&'a ()>,
}

impl<'a, R: Source<'a>> Walk<'a, R> {
    /// Items each page repeats of the last: a hundredth of a page, at least one (none for pages of
    /// one). Each costs a re-read item, and data that moves more between two pages is caught by the
    /// alignment and the step back anyway.
    fn overlap(&self) -> u64 {
        if self.page_size < 2 { 0 } else { (self.page_size / 100).max(1) }
    }

    async fn next_page(&mut self) -> Option<Result<Page<R::Item>, Error>> {
        loop {
            if self.done || self.max_items.is_some_and(|max| self.returned >= max) {
                return None;
            }
            if let Some((began, limit)) = self.deadline
                && began.elapsed() > limit
            {
                self.done = true;
                return Some(Err(Error::WalkTimedOut {
                    operation: self.request.operation(),
                    after: limit,
                    items: self.returned,
                }));
            }
            let Fetched { items, total } = match self.request.fetch(self.page_size, self.offset).await {
                Ok(fetched) => fetched,
                Err(error) => {
                    self.done = true;
                    return Some(Err(error));
                }
            };
            let read = items.len() as u64;
            let keys: Vec<Key> = items.iter().map(|item| self.request.key(item)).collect();
            // Where this page continues the last one: the longest run at its start that ends the last
            // page (the overlap, longer when items were added ahead of the walk).
            let aligned = longest_overlap(&self.last_page_keys, &keys);
            let first_new = if self.last_page_keys.is_empty() || aligned > 0 { Some(aligned) } else { None };
            // None of it: the data moved further than the overlap. Step back a page and read again,
            // unless some of it was returned before (the page is not all beyond what was read).
            let repeats_any = || keys.iter().any(|k| self.window.returned(k) > 0);
            // Stepping back re-reads what shifted up when items were removed; when the total grew, items
            // were added and stepping back would only fall further behind.
            let grew = matches!((total, self.last_total), (Some(now), Some(before)) if now.value > before.value);
            let may_step_back = self.step_backs < MAX_STEP_BACKS && self.total_step_backs < MAX_STEP_BACKS_PER_WALK;
            if first_new.is_none()
                && !grew
                && may_step_back
                && self.offset > self.start
                && self.overlap() > 0
                && !repeats_any()
            {
                self.step_backs += 1;
                self.total_step_backs += 1;
                self.offset = self.offset.saturating_sub(self.page_size).max(self.start);
                continue;
            }
            self.step_backs = 0;
            self.last_total = total;
            let identified = self.request.identified();
            let mut seen_here = self.window.take_next();
            let window = &self.window;
            // The page's own vector keeps its new items, so a page costs no second allocation.
            let mut fresh = items;
            let mut position = 0;
            fresh.retain(|_| {
                let key = &keys[position];
                let count = seen_here.entry(*key).or_insert(0);
                *count += 1;
                let new = match first_new {
                    // An identified item returned before is dropped wherever it is (the list reordered).
                    Some(first) => position >= first && !(identified && window.returned(key) > 0),
                    // Not aligned (an item of the overlap was removed): what the last two pages returned,
                    // as often as they returned it, is dropped.
                    None => *count > window.returned(key),
                };
                position += 1;
                new
            });
            self.window.push(seen_here);
            if let Some(max) = self.max_items {
                fresh.truncate(usize::try_from(max.saturating_sub(self.returned)).unwrap_or(usize::MAX));
            }
            self.returned += fresh.len() as u64;
            let at = self.offset;
            let exhausted = total.is_some_and(|t| t.exact && at + read >= t.value);
            if read < self.page_size || read == 0 || exhausted {
                self.done = true;
            } else {
                let overlap = self.overlap().min(read - 1);
                self.offset = at + read - overlap;
            }
            if !self.done {
                self.last_page_keys = keys;
            }
            return Some(Ok(Page { items: fresh, total, offset: at }));
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use futures_util::TryStreamExt;

    use super::*;

    /// A list in memory, newest first, that `between` may change before each page is served.
    struct Fake {
        list: Arc<Mutex<Vec<String>>>,
        between: fn(&mut Vec<String>, usize),
        requests: Arc<Mutex<Vec<(u64, u64)>>>,
    }

    impl<'a> Source<'a> for Fake {
        type Item = String;
        fn operation(&self) -> &'static str {
            "fake"
        }
        fn max_limit(&self) -> Option<u64> {
            Some(50)
        }
        fn start_offset(&self) -> u64 {
            0
        }
        fn requested_limit(&self) -> Option<u64> {
            None
        }
        fn fetch(&self, limit: u64, offset: u64) -> SendFuture<'a, Fetched<String>> {
            let mut requests = self.requests.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            let mut list = self.list.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            if !requests.is_empty() {
                (self.between)(&mut list, requests.len());
            }
            requests.push((limit, offset));
            let items: Vec<String> = list.iter().skip(offset as usize).take(limit as usize).cloned().collect();
            let total = Some(Total { value: list.len() as u64, exact: true });
            Box::pin(async move { Ok(Fetched { items, total }) })
        }
        fn key(&self, item: &String) -> Key {
            key(item)
        }
        fn identified(&self) -> bool {
            false
        }
    }

    fn walk(
        items: usize,
        page: u64,
        between: fn(&mut Vec<String>, usize),
    ) -> (Vec<String>, Vec<String>, Vec<(u64, u64)>) {
        let original: Vec<String> = (0..items).map(|i| format!("item-{i}")).collect();
        let list = Arc::new(Mutex::new(original.clone()));
        let requests = Arc::new(Mutex::new(Vec::new()));
        let fake = Fake { list, between, requests: Arc::clone(&requests) };
        let runtime = tokio::runtime::Builder::new_current_thread().build().expect("runtime");
        let returned: Vec<String> =
            runtime.block_on(Paginator::new(fake).page_size(page).items().try_collect()).expect("no error");
        let requests = requests.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone();
        (original, returned, requests)
    }

    fn unique(items: &[String]) -> usize {
        items.iter().collect::<std::collections::BTreeSet<_>>().len()
    }

    #[test]
    fn a_still_list_is_read_once_with_no_request_after_the_total() {
        for (items, page) in [(10, 3), (10, 1), (12, 4), (0, 5), (100, 50)] {
            let (original, returned, requests) = walk(items, page, |_, _| {});
            assert_eq!(returned, original, "{items} items by {page}");
            let (limit, offset) = *requests.last().expect("a request");
            assert!(offset + limit >= items as u64 || items == 0, "{requests:?}");
            assert!(requests.iter().all(|(limit, _)| *limit == page.min(50)));
        }
    }

    #[test]
    fn items_added_before_the_walk_are_not_returned_twice() {
        let (original, returned, _) = walk(40, 8, |list, n| {
            for i in 0..3 {
                list.insert(0, format!("new-{n}-{i}"));
            }
        });
        assert_eq!(unique(&returned), returned.len(), "{returned:?}");
        assert!(original.iter().all(|item| returned.contains(item)));
    }

    #[test]
    fn items_removed_before_the_walk_do_not_hide_others() {
        // Two removals ahead of the walk between pages of 8 (overlap 2): every item still listed at the
        // end was returned.
        let (_, returned, _) = walk(60, 8, |list, n| {
            list.retain(|item| item != &format!("item-{}", n * 2) && item != &format!("item-{}", n * 2 + 1));
        });
        assert_eq!(unique(&returned), returned.len());
        for i in 30..60 {
            assert!(returned.contains(&format!("item-{i}")), "item-{i} missed");
        }
    }

    #[test]
    fn a_list_that_grows_faster_than_the_walk_ends_at_its_limits() {
        let list = Arc::new(Mutex::new((0..30).map(|i| format!("item-{i}")).collect::<Vec<_>>()));
        let requests = Arc::new(Mutex::new(Vec::new()));
        let flood = |list: &mut Vec<String>, n: usize| {
            for i in 0..20 {
                list.insert(0, format!("flood-{n}-{i}"));
            }
        };
        let fake = Fake { list, between: flood, requests: Arc::clone(&requests) };
        let runtime = tokio::runtime::Builder::new_current_thread().build().expect("runtime");
        let returned: Vec<String> =
            runtime.block_on(Paginator::new(fake).page_size(5).max_items(200).items().try_collect()).expect("no error");
        assert_eq!(returned.len(), 200);
        assert!(requests.lock().map(|r| r.len()).unwrap_or(0) < 1000);
    }

    #[test]
    fn identical_items_count_as_often_as_they_appear() {
        let (_, returned, _) = walk(0, 4, |_, _| {});
        assert!(returned.is_empty());
        let list = Arc::new(Mutex::new(vec!["a".to_string(), "a".into(), "b".into(), "a".into(), "c".into()]));
        let fake = Fake { list, between: |_, _| {}, requests: Arc::default() };
        let runtime = tokio::runtime::Builder::new_current_thread().build().expect("runtime");
        let returned: Vec<String> =
            runtime.block_on(Paginator::new(fake).page_size(2).items().try_collect()).expect("no error");
        assert_eq!(returned, ["a", "a", "b", "a", "c"]);
    }
}
