//! The walk: page after page from a [`Source`], each new page starting a little before the end of the
//! last (the overlap), items already returned dropped by their [`Key`], a step back when the data moved
//! further than the overlap, and the stop rule. The module documentation of [`crate::paging`] says what
//! a walk promises.

use std::time::{Duration, Instant};

use super::identity::{Counts, Key};
use super::{Fetched, Page, Source, Total};
use crate::error::Error;

/// Times in a row a walk steps back a page when the data moved further than the overlap.
const MAX_STEP_BACKS: u32 = 3;
/// Step-backs in a whole walk: data that keeps moving faster than the walk cannot hold it forever.
const MAX_STEP_BACKS_PER_WALK: u32 = 16;

/// The length of the longest end of `last` that `next` begins with.
fn longest_overlap(last: &[Key], next: &[Key]) -> usize {
    (1..=last.len().min(next.len())).rev().find(|&n| last[last.len() - n..] == next[..n]).unwrap_or(0)
}

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

pub(super) struct Walk<'a, R: Source<'a>> {
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

    /// A walk of `request` in pages of `page_size`, from its start offset.
    pub(super) fn new(request: R, page_size: u64, max_items: Option<u64>, max_duration: Option<Duration>) -> Self {
        let offset = request.start_offset();
        Walk {
            request,
            page_size,
            offset,
            start: offset,
            returned: 0,
            max_items,
            deadline: max_duration.map(|d| (Instant::now(), d)),
            window: Window::default(),
            last_page_keys: Vec::new(),
            step_backs: 0,
            total_step_backs: 0,
            last_total: None,
            done: false,
            _lifetime: std::marker::PhantomData,
        }
    }

    pub(super) async fn next_page(&mut self) -> Option<Result<Page<R::Item>, Error>> {
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
