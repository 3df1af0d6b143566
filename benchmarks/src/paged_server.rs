//! A server on 127.0.0.1 holding one agent's log (`GET /v1/agents/bench/logs`) of prepared lines, that
//! answers each page at once: it reads `limit` and `offset` from the query and writes the slice of
//! lines already encoded as JSON. It pages like the API (`total` exact), so a walk over it measures the
//! client's cost per item.

use std::sync::Arc;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

use crate::canned_server::{accept_each, find_head_end};

/// The running server; stops when dropped.
pub struct PagedLogServer {
    url: String,
    accept: JoinHandle<()>,
}

/// The path the log is served at.
pub const LOG_PATH: &str = "/v1/agents/bench/logs";

impl PagedLogServer {
    /// Serves a log of `lines` lines, oldest first.
    ///
    /// # Errors
    /// When 127.0.0.1 cannot be bound.
    pub async fn start(lines: usize) -> std::io::Result<PagedLogServer> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let url = format!("http://{}", listener.local_addr()?);
        let encoded: Arc<Vec<String>> = Arc::new(
            (0..lines)
                .map(|i| {
                    let (seconds, nanos) = (1_767_225_600 + i / 1000, (i % 1000) * 1_000_000);
                    serde_json::json!({
                        "log": format!("2026-01-01 INFO bot line {i}: the user said something and the bot answered"),
                        "timestamp": format!("{}.{nanos:09}Z", chrono_like(seconds)),
                        "deploymentId": "0f8a2d9e-6b1c-4e57-8d3a-2c9f71b4e605",
                    })
                    .to_string()
                })
                .collect(),
        );
        let accept = accept_each(listener, move |stream| serve(stream, Arc::clone(&encoded)));
        Ok(PagedLogServer { url, accept })
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        self.url.clone()
    }
}

impl Drop for PagedLogServer {
    fn drop(&mut self) {
        self.accept.abort();
    }
}

/// Lines per page in the paging benchmarks.
pub const PAGE: u64 = 100;

/// A client of the server at `url`.
///
/// # Panics
/// When the client cannot be built: the benchmark cannot run.
pub fn log_client(url: &str) -> pipecat_cloud::Client {
    pipecat_cloud::Client::builder().private_key("bench-key").host(url).build().unwrap_or_else(|e| panic!("{e}"))
}

/// Walks the whole log with the SDK's paging, oldest first, in pages of [`PAGE`]; the lines counted.
///
/// # Panics
/// When a page fails: the benchmark cannot go on.
pub async fn walk_logs(client: &pipecat_cloud::Client) -> usize {
    use futures_util::StreamExt;
    let order = pipecat_cloud::types::GetLogsOrder::Asc;
    let mut items = client.get_logs("bench").order(order).paginate().page_size(PAGE).items();
    let mut count = 0;
    while let Some(item) = items.next().await {
        item.unwrap_or_else(|e| panic!("{e}"));
        count += 1;
    }
    count
}

/// `YYYY-MM-DDTHH:MM:SS` of a Unix time in 2026's first days (enough for the benchmark's lines).
fn chrono_like(seconds: usize) -> String {
    let day = (seconds - 1_767_225_600) / 86_400;
    let rest = (seconds - 1_767_225_600) % 86_400;
    format!("2026-01-{:02}T{:02}:{:02}:{:02}", day + 1, rest / 3600, rest % 3600 / 60, rest % 60)
}

fn query_number(target: &str, name: &str) -> Option<usize> {
    let query = target.split_once('?')?.1;
    query.split('&').find_map(|pair| pair.strip_prefix(name)?.strip_prefix('=')?.parse().ok())
}

async fn serve(mut stream: TcpStream, lines: Arc<Vec<String>>) {
    let mut buffer = Vec::with_capacity(4096);
    let mut chunk = [0u8; 4096];
    loop {
        let Some(end) = find_head_end(&buffer) else {
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buffer.extend_from_slice(&chunk[..n]),
            }
            continue;
        };
        let head = String::from_utf8_lossy(&buffer[..end]).to_string();
        buffer.drain(..end + 4);
        let target = head.split(' ').nth(1).unwrap_or_default();
        let limit = query_number(target, "limit").unwrap_or(10);
        let offset = query_number(target, "offset").unwrap_or(0).min(lines.len());
        let page = &lines[offset..(offset + limit).min(lines.len())];
        let body =
            format!("{{\"total\":{{\"value\":{},\"relation\":\"eq\"}},\"logs\":[{}]}}", lines.len(), page.join(","));
        let answer = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
            body.len()
        );
        if stream.write_all(answer.as_bytes()).await.is_err() {
            return;
        }
    }
}
