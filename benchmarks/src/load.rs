//! A load generator for HTTP/1.1 servers on 127.0.0.1: `in_flight` keep-alive connections, each sending
//! the next prepared request as soon as the answer to the last one is read, for a fixed time. It does
//! no more work per request than writing bytes and reading an answer's head and body, so a server's
//! throughput is what limits it (on a shared machine, the generator's own cost is the same for every
//! server measured).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::canned_server::{content_length, find_head_end};

/// What a run measured.
#[derive(Debug, Clone)]
pub struct LoadReport {
    /// Answers read.
    pub answers: usize,
    /// Answers per second.
    pub per_second: f64,
    /// Median latency.
    pub p50: Duration,
    /// 99th percentile latency.
    pub p99: Duration,
    /// Answers with a status other than the one expected.
    pub unexpected: usize,
}

/// One request, as bytes, with the status its answer must have.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// The whole request: head and body.
    pub bytes: Vec<u8>,
    /// The expected status.
    pub status: u16,
}

impl Prepared {
    /// A request of `method path` to `host` with `bearer` and an optional JSON `body`.
    pub fn new(method: &str, path: &str, host: &str, bearer: &str, body: Option<&str>, status: u16) -> Self {
        let mut bytes = format!(
            "{method} {path} HTTP/1.1\r\nhost: {host}\r\nauthorization: Bearer {bearer}\r\naccept: application/json\r\n"
        );
        if let Some(body) = body {
            bytes += &format!("content-type: application/json\r\ncontent-length: {}\r\n\r\n{body}", body.len());
        } else {
            bytes += "\r\n";
        }
        Prepared { bytes: bytes.into_bytes(), status }
    }
}

/// Runs `in_flight` connections against `address` for `duration`, each sending `requests` in turn
/// (starting at a different one).
///
/// # Errors
/// When a connection cannot be made or an answer cannot be read.
pub async fn run(
    address: SocketAddr,
    requests: Arc<Vec<Prepared>>,
    in_flight: usize,
    duration: Duration,
) -> std::io::Result<LoadReport> {
    let started = Instant::now();
    let deadline = started + duration;
    let mut tasks = Vec::new();
    // Lanes start spread over the requests, so that they do not send the same one at the same time.
    let spacing = (requests.len() / in_flight.max(1)).max(1);
    for lane in 0..in_flight {
        let requests = Arc::clone(&requests);
        tasks.push(tokio::spawn(async move { lane_loop(address, requests, lane * spacing, deadline).await }));
    }
    let mut latencies = Vec::new();
    let mut unexpected = 0;
    for task in tasks {
        let (lane, bad) = task.await.map_err(std::io::Error::other)??;
        latencies.extend(lane);
        unexpected += bad;
    }
    let elapsed = started.elapsed();
    latencies.sort_unstable();
    let at = |q: f64| {
        latencies
            .get(((latencies.len() as f64 * q) as usize).min(latencies.len().saturating_sub(1)))
            .copied()
            .unwrap_or_default()
    };
    Ok(LoadReport {
        answers: latencies.len(),
        per_second: latencies.len() as f64 / elapsed.as_secs_f64(),
        p50: at(0.50),
        p99: at(0.99),
        unexpected,
    })
}

async fn lane_loop(
    address: SocketAddr,
    requests: Arc<Vec<Prepared>>,
    first: usize,
    deadline: Instant,
) -> std::io::Result<(Vec<Duration>, usize)> {
    let mut stream = TcpStream::connect(address).await?;
    stream.set_nodelay(true)?;
    let mut latencies = Vec::new();
    let mut unexpected = 0;
    let mut buffer = Vec::with_capacity(16 * 1024);
    let mut chunk = vec![0u8; 16 * 1024];
    let mut next = first;
    // One request at least, even with no time (a start-up measure sends exactly one).
    let mut sent_one = false;
    while !sent_one || Instant::now() < deadline {
        sent_one = true;
        let request = &requests[next % requests.len()];
        next += 1;
        let sent = Instant::now();
        stream.write_all(&request.bytes).await?;
        let end = loop {
            if let Some(end) = find_head_end(&buffer) {
                break end;
            }
            let n = stream.read(&mut chunk).await?;
            if n == 0 {
                return Err(std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "the server closed the connection"));
            }
            buffer.extend_from_slice(&chunk[..n]);
        };
        let total = end + 4 + content_length(&buffer[..end]);
        while buffer.len() < total {
            let n = stream.read(&mut chunk).await?;
            if n == 0 {
                return Err(std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "the answer was cut short"));
            }
            buffer.extend_from_slice(&chunk[..n]);
        }
        latencies.push(sent.elapsed());
        let status = std::str::from_utf8(&buffer[..end.min(12)])
            .ok()
            .and_then(|l| l.get(9..12))
            .and_then(|s| s.parse::<u16>().ok());
        if status != Some(request.status) {
            unexpected += 1;
        }
        buffer.drain(..total);
    }
    Ok((latencies, unexpected))
}
