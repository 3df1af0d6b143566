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
//!   would skip one). Each page after the first starts a quarter of a page before the end of the last
//!   one, and items already returned are dropped, by their identity: `id`, or `<item>Id` for a list of
//!   `<item>s` (`sessionId`), or the whole item where it has none (log lines: their time and text),
//!   counted, so that a line logged twice is returned twice. When a page shares none of the overlap,
//!   the data moved further than it: the walk steps back a page, at most three times in a row. So no
//!   item is returned twice, and no item that existed for the whole walk is missed while the data
//!   moves by less than a page between two requests.
//! - **Errors** end the stream with the SDK's [`Error`], after the retries the client (or the builder's
//!   `.retry()`) allows. [`Paginator::max_duration`] ends a walk that takes too long with
//!   [`Error::WalkTimedOut`].
//! - **Memory** stays flat: the stream holds one page and the identities of the last two.
//!
//! `getBuildLogs` answers a `nextToken`, but no request parameter takes it back: the published API has
//! no way to ask for the next page, so it gets no paging here.

use std::collections::{HashMap, VecDeque};
use std::pin::Pin;
use std::time::{Duration, Instant};

use futures_util::stream::{self, Stream, StreamExt};
use serde::Serialize;

use crate::error::Error;
use crate::request::SendFuture;

/// Items per page when none is set.
pub const DEFAULT_PAGE_SIZE: u64 = 100;
/// Times in a row a walk steps back a page when the data moved further than the overlap.
const MAX_STEP_BACKS: u32 = 3;

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
    fn key(item: &Self::Item) -> String;
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

/// A value as a `u64`, for limits and offsets whatever their Rust type (`i64`, `u64`, `NonZeroU64`).
pub fn as_u64(value: &impl Serialize) -> Option<u64> {
    serde_json::to_value(value).ok()?.as_u64()
}

/// The identity of an item (or of its identifying field) as text.
pub fn key(value: &impl Serialize) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

/// A walk over a paged list, to configure before streaming it.
#[must_use = "a paginator does nothing until `.items()` or `.pages()` is streamed"]
pub struct Paginator<'a, R: PagedRequest<'a>> {
    request: R,
    page_size: Option<u64>,
    max_items: Option<u64>,
    max_duration: Option<Duration>,
    _lifetime: std::marker::PhantomData<&'a ()>,
}

impl<'a, R: PagedRequest<'a>> std::fmt::Debug for Paginator<'a, R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Paginator")
            .field("operation", &R::OPERATION)
            .field("page_size", &self.page_size)
            .field("max_items", &self.max_items)
            .field("max_duration", &self.max_duration)
            .finish_non_exhaustive()
    }
}

impl<'a, R: PagedRequest<'a>> Paginator<'a, R> {
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
        R::MAX_LIMIT.map_or(asked, |max| asked.min(max.max(1)))
    }

    /// The pages, each with the items not returned before.
    pub fn pages(self) -> PageStream<'a, <R::Page as Paged>::Item> {
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
            last_page_tail: Vec::new(),
            step_backs: 0,
            done: false,
            _lifetime: std::marker::PhantomData,
        };
        Box::pin(stream::unfold(walk, |mut walk| async move {
            let page = walk.next_page().await?;
            Some((page, walk))
        }))
    }

    /// The items, one at a time.
    pub fn items(self) -> ItemStream<'a, <R::Page as Paged>::Item> {
        Box::pin(self.pages().flat_map(|page| {
            let items: Vec<Result<_, Error>> = match page {
                Ok(page) => page.items.into_iter().map(Ok).collect(),
                Err(error) => vec![Err(error)],
            };
            stream::iter(items)
        }))
    }
}

/// The identities returned by the last two pages, with how often each was returned.
#[derive(Default)]
struct Window {
    pages: VecDeque<HashMap<String, u32>>,
}

impl Window {
    fn returned(&self, key: &str) -> u32 {
        self.pages.iter().filter_map(|page| page.get(key)).copied().max().unwrap_or(0)
    }

    fn push(&mut self, page: HashMap<String, u32>) {
        self.pages.push_back(page);
        while self.pages.len() > 2 {
            self.pages.pop_front();
        }
    }
}

struct Walk<'a, R: PagedRequest<'a>> {
    request: R,
    page_size: u64,
    offset: u64,
    start: u64,
    returned: u64,
    max_items: Option<u64>,
    deadline: Option<(Instant, Duration)>,
    window: Window,
    /// The identities at the end of the last page: the next one should begin with one of them.
    last_page_tail: Vec<String>,
    step_backs: u32,
    done: bool,
    _lifetime: std::marker::PhantomData<&'a ()>,
}

impl<'a, R: PagedRequest<'a>> Walk<'a, R> {
    fn overlap(&self) -> u64 {
        self.page_size / 4
    }

    async fn next_page(&mut self) -> Option<Result<Page<<R::Page as Paged>::Item>, Error>> {
        loop {
            if self.done || self.max_items.is_some_and(|max| self.returned >= max) {
                return None;
            }
            if let Some((began, limit)) = self.deadline
                && began.elapsed() > limit
            {
                self.done = true;
                return Some(Err(Error::WalkTimedOut { operation: R::OPERATION, after: limit, items: self.returned }));
            }
            let answer = match self.request.for_page(self.page_size, self.offset).fetch().await {
                Ok(answer) => answer,
                Err(error) => {
                    self.done = true;
                    return Some(Err(error));
                }
            };
            let total = answer.total();
            let items = answer.into_items();
            let read = items.len() as u64;
            let keys: Vec<String> = items.iter().map(R::Page::key).collect();
            // The data moved further than the overlap: none of the last page's tail is here.
            let overlapped = self.last_page_tail.is_empty()
                || keys.iter().take(self.overlap() as usize + 1).any(|k| self.last_page_tail.contains(k));
            if !overlapped && self.step_backs < MAX_STEP_BACKS && self.offset > self.start {
                self.step_backs += 1;
                self.offset = self.offset.saturating_sub(self.page_size).max(self.start);
                self.last_page_tail.clear();
                continue;
            }
            self.step_backs = 0;
            let mut seen_here: HashMap<String, u32> = HashMap::new();
            let mut fresh = Vec::new();
            for (item, key) in items.into_iter().zip(&keys) {
                let count = seen_here.entry(key.clone()).or_insert(0);
                *count += 1;
                if *count > self.window.returned(key) {
                    fresh.push(item);
                }
            }
            let mut counts = seen_here;
            for page in &self.window.pages {
                for (key, count) in page {
                    let entry = counts.entry(key.clone()).or_insert(0);
                    *entry = (*entry).max(*count);
                }
            }
            // Only this page's identities and the last page's are kept: memory stays flat.
            let this_page: HashMap<String, u32> =
                keys.iter().filter_map(|k| counts.get(k).map(|c| (k.clone(), *c))).collect();
            self.window.push(this_page);
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
                self.last_page_tail = keys[keys.len() - overlap as usize - 1..].to_vec();
            }
            return Some(Ok(Page { items: fresh, total, offset: at }));
        }
    }
}
