//! A small HTTP/1.1 server on 127.0.0.1 that answers from a script and records every request exactly as
//! it arrived (the raw request target, before any decoding), for tests that must see what went on the
//! wire: retries, dropped connections, servers that never answer, hostile path values.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// What the server does with one request.
#[derive(Clone, Debug)]
pub enum Reply {
    /// Answer with a status, extra headers and a body.
    Respond {
        /// The status code.
        status: u16,
        /// Extra headers.
        headers: Vec<(String, String)>,
        /// The body.
        body: String,
    },
    /// Close the connection without answering.
    Drop,
    /// Keep the connection open and never answer.
    Hang,
    /// Write these bytes as they are, then close the connection (a body cut short, a malformed head).
    Raw(Vec<u8>),
    /// Write these bytes as they are, then keep the connection open and write nothing more (a head
    /// whose body never ends).
    RawThenHang(Vec<u8>),
}

impl Reply {
    /// A JSON answer.
    pub fn json(status: u16, body: serde_json::Value) -> Reply {
        Reply::Respond {
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            body: body.to_string(),
        }
    }

    /// An answer with a content type and text.
    pub fn text(status: u16, content_type: &str, body: &str) -> Reply {
        Reply::Respond { status, headers: vec![("content-type".into(), content_type.into())], body: body.into() }
    }

    /// This reply with one more header.
    pub fn with_header(self, name: &str, value: &str) -> Reply {
        match self {
            Reply::Respond { status, mut headers, body } => {
                headers.push((name.into(), value.into()));
                Reply::Respond { status, headers, body }
            }
            other => other,
        }
    }
}

/// One request as it arrived.
#[derive(Clone, Debug)]
pub struct Recorded {
    /// The method.
    pub method: String,
    /// The request target exactly as sent, e.g. `/v1/secrets/my-set/a%20b`.
    pub target: String,
    /// Header names (lower case) and values.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

impl Recorded {
    /// The value of header `name`, if present.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// The path part of the target.
    pub fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or_default()
    }
}

/// Decides the reply to a request.
type Handler = Arc<dyn Fn(&Recorded) -> Reply + Send + Sync>;

struct State {
    script: VecDeque<Reply>,
    requests: Vec<Recorded>,
    /// False for a server under load (benchmarks), whose requests are not kept.
    record: bool,
    handler: Handler,
}

/// The server; it stops when dropped.
pub struct ScriptedServer {
    address: std::net::SocketAddr,
    state: Arc<Mutex<State>>,
    task: tokio::task::JoinHandle<()>,
}

impl ScriptedServer {
    /// Starts a server that answers with `script` in order, then with `fallback` forever.
    pub async fn start(script: Vec<Reply>, fallback: Reply) -> std::io::Result<ScriptedServer> {
        Self::serve_with(script, Arc::new(move |_: &Recorded| fallback.clone()), true).await
    }

    /// Starts a server that answers with `handler` and keeps no requests: for load and benchmarks.
    pub async fn start_unrecorded(
        handler: impl Fn(&Recorded) -> Reply + Send + Sync + 'static,
    ) -> std::io::Result<ScriptedServer> {
        Self::serve_with(Vec::new(), Arc::new(handler), false).await
    }

    /// Starts a server that answers every request with what `handler` decides for it.
    pub async fn start_with(
        handler: impl Fn(&Recorded) -> Reply + Send + Sync + 'static,
    ) -> std::io::Result<ScriptedServer> {
        Self::serve_with(Vec::new(), Arc::new(handler), true).await
    }

    async fn serve_with(script: Vec<Reply>, handler: Handler, record: bool) -> std::io::Result<ScriptedServer> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let address = listener.local_addr()?;
        let state = Arc::new(Mutex::new(State { script: script.into(), requests: Vec::new(), record, handler }));
        let shared = Arc::clone(&state);
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let state = Arc::clone(&shared);
                tokio::spawn(async move {
                    let _ = serve(stream, state).await;
                });
            }
        });
        Ok(ScriptedServer { address, state, task })
    }

    /// `http://127.0.0.1:PORT`, to pass to `ClientBuilder::host`.
    pub fn url(&self) -> String {
        format!("http://{}", self.address)
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.address.port()
    }

    /// Every request so far.
    pub fn requests(&self) -> Vec<Recorded> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner).requests.clone()
    }

    /// Forgets the requests so far.
    pub fn clear(&self) {
        self.state.lock().unwrap_or_else(PoisonError::into_inner).requests.clear();
    }
}

impl Drop for ScriptedServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn serve(mut stream: TcpStream, state: Arc<Mutex<State>>) -> std::io::Result<()> {
    stream.set_nodelay(true)?;
    loop {
        let Some(request) = read_request(&mut stream).await? else { return Ok(()) };
        let is_head = request.method == "HEAD";
        let reply = {
            let mut state = state.lock().unwrap_or_else(PoisonError::into_inner);
            let reply = match state.script.pop_front() {
                Some(reply) => reply,
                None => (state.handler)(&request),
            };
            if state.record {
                state.requests.push(request);
            }
            reply
        };
        match reply {
            Reply::Drop => return Ok(()),
            Reply::Raw(bytes) => {
                stream.write_all(&bytes).await?;
                stream.flush().await?;
                return Ok(());
            }
            Reply::Hang => {
                tokio::time::sleep(Duration::from_secs(3600)).await;
                return Ok(());
            }
            Reply::RawThenHang(bytes) => {
                stream.write_all(&bytes).await?;
                stream.flush().await?;
                tokio::time::sleep(Duration::from_secs(3600)).await;
                return Ok(());
            }
            Reply::Respond { status, headers, body } => {
                let mut head = format!("HTTP/1.1 {status} Scripted\r\ncontent-length: {}\r\n", body.len());
                for (name, value) in headers {
                    head.push_str(&format!("{name}: {value}\r\n"));
                }
                head.push_str("\r\n");
                if !is_head {
                    head.push_str(&body);
                }
                stream.write_all(head.as_bytes()).await?;
                stream.flush().await?;
            }
        }
    }
}

/// Reads one request; `None` when the client closed the connection.
async fn read_request(stream: &mut TcpStream) -> std::io::Result<Option<Recorded>> {
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(at) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break at;
        }
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Ok(None);
        }
        buffer.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buffer[..head_end]).to_string();
    let mut lines = head.split("\r\n");
    let mut request_line = lines.next().unwrap_or_default().split(' ');
    let method = request_line.next().unwrap_or_default().to_string();
    let target = request_line.next().unwrap_or_default().to_string();
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let length: usize =
        headers.iter().find(|(n, _)| n == "content-length").and_then(|(_, v)| v.parse().ok()).unwrap_or(0);
    let mut body = buffer[head_end + 4..].to_vec();
    while body.len() < length {
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            break;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    Ok(Some(Recorded { method, target, headers, body }))
}
