//! A server on 127.0.0.1 that answers at once with bytes prepared before the first request: the
//! response to each path is one buffer (status line, headers, body) written as it is. It does no work a
//! real server would, so what a benchmark measures against it is the client's own cost.

use std::collections::HashMap;
use std::sync::Arc;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// The running server; stops when dropped.
pub struct CannedServer {
    url: String,
    accept: JoinHandle<()>,
}

impl CannedServer {
    /// Serves `routes` (path → JSON body, status 200) and 404 for any other path, keeping connections
    /// alive.
    ///
    /// # Errors
    /// When 127.0.0.1 cannot be bound.
    pub async fn start(routes: Vec<(String, String)>) -> std::io::Result<CannedServer> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let url = format!("http://{}", listener.local_addr()?);
        let answers: HashMap<String, Vec<u8>> =
            routes.into_iter().map(|(path, body)| (path, response(200, "application/json", &body))).collect();
        let answers = Arc::new(answers);
        let not_found = Arc::new(response(404, "text/plain", "unknown route"));
        let accept = accept_each(listener, move |stream| serve(stream, Arc::clone(&answers), Arc::clone(&not_found)));
        Ok(CannedServer { url, accept })
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        self.url.clone()
    }
}

impl Drop for CannedServer {
    fn drop(&mut self) {
        self.accept.abort();
    }
}

/// Accepts connections on `listener` until the task is aborted, serving each with `serve` on a task of
/// its own (no delay on writes).
pub(crate) fn accept_each<F, Fut>(listener: TcpListener, serve: F) -> JoinHandle<()>
where
    F: Fn(TcpStream) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let _ = stream.set_nodelay(true);
            tokio::spawn(serve(stream));
        }
    })
}

fn response(status: u16, content_type: &str, body: &str) -> Vec<u8> {
    let reason = if status == 200 { "OK" } else { "Not Found" };
    let mut bytes =
        format!("HTTP/1.1 {status} {reason}\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\n\r\n", body.len())
            .into_bytes();
    bytes.extend_from_slice(body.as_bytes());
    bytes
}

/// Answers every request of one connection, skipping a body its `content-length` announces.
async fn serve(mut stream: TcpStream, answers: Arc<HashMap<String, Vec<u8>>>, not_found: Arc<Vec<u8>>) {
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
        let body = content_length(&buffer[..end]);
        while buffer.len() < end + 4 + body {
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buffer.extend_from_slice(&chunk[..n]),
            }
        }
        let path = request_path(&buffer[..end]);
        let answer = path.and_then(|p| answers.get(p)).map_or(not_found.as_slice(), Vec::as_slice);
        if stream.write_all(answer).await.is_err() {
            return;
        }
        buffer.drain(..end + 4 + body);
    }
}

/// The `content-length` of a head, 0 when it has none.
pub(crate) fn content_length(head: &[u8]) -> usize {
    let text = String::from_utf8_lossy(head);
    text.lines()
        .filter_map(|line| line.split_once(':'))
        .find(|(name, _)| name.trim().eq_ignore_ascii_case("content-length"))
        .and_then(|(_, value)| value.trim().parse().ok())
        .unwrap_or(0)
}

pub(crate) fn find_head_end(buffer: &[u8]) -> Option<usize> {
    buffer.windows(4).position(|w| w == b"\r\n\r\n")
}

/// The path of a request head (`GET /v1/secrets?x=1 HTTP/1.1` → `/v1/secrets`).
fn request_path(head: &[u8]) -> Option<&str> {
    let line = head.split(|b| *b == b'\r').next()?;
    let target = std::str::from_utf8(line).ok()?.split(' ').nth(1)?;
    Some(target.split('?').next().unwrap_or(target))
}
