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
//! Where the pieces are: [`Source`] (here) is what a walk reads pages from, implemented by each paged
//! operation's request builder (generated) and by [`DynamicCall::paginate`](crate::DynamicCall::paginate);
//! `walk.rs` is the walk itself (page after page, the overlap, the step back); `identity.rs` what
//! identifies an item.
//!
//! `getBuildLogs` answers a `nextToken`, but no request parameter takes it back: the published API has
//! no way to ask for the next page, so it gets no paging here.

mod identity;
mod walk;

use std::pin::Pin;
use std::time::Duration;

use futures_util::stream::{self, Stream};
use serde::Serialize;

pub use self::identity::{Key, KeyHasher, feed_json, key};
use self::walk::Walk;
use crate::error::Error;
use crate::request::SendFuture;

/// Items per page when none is set.
pub const DEFAULT_PAGE_SIZE: u64 = 100;

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

/// One page as a source answers it: its items and the total it reports.
#[derive(Debug)]
#[non_exhaustive]
pub struct Fetched<T> {
    /// The page's items, in the API's order.
    pub items: Vec<T>,
    /// The total it reports.
    pub total: Option<Total>,
}

impl<T> Fetched<T> {
    /// A page of `items` reporting `total`.
    pub fn new(items: Vec<T>, total: Option<Total>) -> Self {
        Fetched { items, total }
    }
}

/// Where a walk reads its pages from: each paged operation's request builder (generated) and a catalog
/// call ([`DynamicCall::paginate`](crate::DynamicCall::paginate)).
pub trait Source<'a>: Send + 'a {
    /// An item of the list.
    type Item: Send + 'a;
    /// The operationId.
    fn operation(&self) -> &'static str;
    /// The spec's maximum for `limit`.
    fn max_limit(&self) -> Option<u64>;
    /// Where the walk starts: the `offset` set on the request.
    fn start_offset(&self) -> u64;
    /// The page size asked for on the request itself (its `limit`).
    fn requested_limit(&self) -> Option<u64>;
    /// The page of `limit` items at `offset`.
    fn fetch(&self, limit: u64, offset: u64) -> SendFuture<'a, Fetched<Self::Item>>;
    /// What identifies `item` among the others (see the module's documentation).
    fn key(&self, item: &Self::Item) -> Key;
    /// True when [`Source::key`] is an identity (no two items share it); false when it is the whole
    /// item, which two items can share.
    fn identified(&self) -> bool;
}

/// A value as a `u64`, for limits and offsets whatever their Rust type (`i64`, `u64`, `NonZeroU64`).
pub fn as_u64(value: &impl Serialize) -> Option<u64> {
    serde_json::to_value(value).ok()?.as_u64()
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
        let walk = Walk::new(self.request, page_size, self.max_items, self.max_duration);
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
