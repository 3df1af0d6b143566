//! What a generated command prints: an answer in the output mode, and a paged list as its pages come
//! (one JSON array, or NDJSON with `--stream`; table or plain rows page after page), holding one page
//! at a time.

use futures_util::StreamExt;
use serde_json::Value;

use crate::context::Context;
use crate::output;

/// Prints an answer: its JSON in the output mode, else its text; an empty body as its status.
pub(crate) fn print_answer(context: &Context, answer: &pipecat_cloud::PassThroughResponse) {
    if answer.bytes().is_empty() {
        match context.mode {
            output::Mode::Json => output::line(&serde_json::json!({"status": answer.status()}).to_string()),
            _ => output::note(&format!("done (HTTP {})", answer.status())),
        }
        return;
    }
    match answer.json::<Value>() {
        Ok(value) => output::value(context.mode, &value),
        Err(_) if context.mode == output::Mode::Json => output::value(context.mode, &output::wrapped(answer)),
        Err(_) => output::bytes(answer.bytes()),
    }
}

/// Where a JSON array being printed page by page stands: so that what was printed stays valid JSON,
/// whenever the walk ends.
#[derive(Default)]
struct JsonArray {
    opened: bool,
    items: usize,
}

impl JsonArray {
    fn item(&mut self, item: &Value) {
        if !self.opened {
            output::bytes(b"[");
            self.opened = true;
        }
        output::bytes(if self.items == 0 { b"\n  " } else { b",\n  " });
        output::bytes(item.to_string().as_bytes());
        self.items += 1;
    }

    /// Closes the array; `failed` before the first page prints nothing (the error document is the
    /// one JSON document then).
    fn close(self, failed: bool) {
        match (self.opened, self.items) {
            (false, _) if failed => {}
            (false, _) => output::bytes(b"[]\n"),
            (true, 0) => output::bytes(b"]\n"),
            (true, _) => output::bytes(b"\n]\n"),
        }
    }
}

/// Prints every item of `pages` as the pages come: memory holds one page whatever the list's size.
pub(crate) async fn print_pages(
    context: &Context,
    list: &str,
    mut pages: pipecat_cloud::paging::PageStream<'_, Value>,
    stream: bool,
) -> anyhow::Result<()> {
    let mut array = (context.mode == output::Mode::Json && !stream).then(JsonArray::default);
    let mut failure = None;
    while let Some(page) = pages.next().await {
        let page = match page {
            Ok(page) => page,
            Err(error) => {
                failure = Some(error);
                break;
            }
        };
        match (&mut array, context.mode) {
            (Some(array), _) => page.items.iter().for_each(|item| array.item(item)),
            (None, output::Mode::Json) => page.items.iter().for_each(|item| output::line(&item.to_string())),
            (None, mode) if !page.items.is_empty() => output::list(mode, list, page.items),
            _ => {}
        }
    }
    if let Some(array) = array {
        array.close(failure.is_some());
    }
    match failure {
        Some(error) => Err(error.into()),
        None => Ok(()),
    }
}
