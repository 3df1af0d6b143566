//! Run by `headers.rs` inside a scratch workspace built from a spec with header parameters (not a test of
//! its own): calls the SDK built from that spec against a raw server that records each request's bytes,
//! and the emulator built from it, and prints what happened, one `WIRE <what>: <json>` line each.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use pipecat_cloud::types::UpdatePropertiesBody;

/// A server that answers every request at once and keeps the bytes of each.
fn raw_server() -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("address"));
    let seen = Arc::new(Mutex::new(Vec::new()));
    let kept = Arc::clone(&seen);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut bytes = Vec::new();
            let mut chunk = [0u8; 4096];
            // The head, then as much body as it announces.
            while !String::from_utf8_lossy(&bytes).contains("\r\n\r\n") {
                match stream.read(&mut chunk) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => bytes.extend_from_slice(&chunk[..n]),
                }
            }
            let text = String::from_utf8_lossy(&bytes).to_string();
            let head = text.split("\r\n\r\n").next().unwrap_or_default().to_string();
            let length: usize = head
                .lines()
                .find_map(|l| l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().to_string()))
                .and_then(|v| v.parse().ok())
                .unwrap_or(0);
            let mut body = bytes.len() - (head.len() + 4).min(bytes.len());
            while body < length {
                match stream.read(&mut chunk) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => body += n,
                }
            }
            // Kept before answering, so the caller that reads it after its call sees it; the key never
            // reaches the test's output.
            let head: Vec<String> = head
                .split("\r\n")
                .map(|line| match line.split_once(':') {
                    Some((name, _)) if name.eq_ignore_ascii_case("authorization") => format!("{name}: <masked>"),
                    _ => line.to_string(),
                })
                .collect();
            kept.lock().unwrap_or_else(std::sync::PoisonError::into_inner).push(head.join("\r\n"));
            let answer = "{\"sets\":[],\"services\":[],\"properties\":{}}";
            let status = "200 OK";
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{answer}",
                answer.len()
            );
        }
    });
    (url, seen)
}

fn report(what: &str, value: serde_json::Value) {
    println!("WIRE {what}: {value}");
}

#[tokio::main]
async fn main() {
    let (url, seen) = raw_server();
    let client = pipecat_cloud::Client::builder()
        .private_key("sk_header_wire_test_key_0123456789")
        .host(&url)
        .retry(pipecat_cloud::RetryConfig::disabled())
        .build()
        .expect("client");
    let sent = || seen.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone();
    let change = || UpdatePropertiesBody::new().default_region("us-west");

    // An optional header with a pattern, and a required one.
    let listed = client.list_secret_sets().x_request_tag("nightly-7").send().await;
    report("optional header sent", serde_json::json!({"ok": listed.is_ok(), "request": sent().last()}));
    let changed = client.update_properties("key-0123456789", change()).send().await;
    report("required header sent", serde_json::json!({"ok": changed.is_ok(), "request": sent().last()}));
    // Named like the query parameter `region`: a setter of its own.
    let both = client.list_services().region("us-east").region_header(pipecat_cloud::types::ListServicesRegionHeader::UsWest).send().await;
    report("a header named like a query parameter", serde_json::json!({"ok": both.is_ok(), "request": sent().last()}));

    // Values HTTP cannot carry as one header, or that break the header's rules: refused, nothing sent.
    let before = sent().len();
    let hostile = [
        ("CR LF", "key-0123\r\nX-Injected: yes".to_string()),
        ("NUL", "key-0123\0rest".to_string()),
        ("10 KB", "k".repeat(10 * 1024)),
    ];
    for (what, value) in hostile {
        let error = client.update_properties(value, change()).send().await.expect_err("refused");
        report(
            &format!("hostile value ({what})"),
            serde_json::json!({"error": error.to_string(), "refused_before_sending": error.is_refused_before_sending()}),
        );
    }
    let pattern = client.list_secret_sets().x_request_tag("Not Valid!").send().await.expect_err("refused");
    report("pattern broken", serde_json::json!({"error": pattern.to_string()}));
    // A catalog call sets a header parameter by name, checked alike; a required one left out is refused.
    let operation = pipecat_cloud::catalog::by_id("updateProperties").expect("updateProperties");
    let body = serde_json::json!({"defaultRegion": "us-west"});
    let missing = client.call(operation).json(&body).send().await.expect_err("refused");
    report("catalog call without the required header", serde_json::json!({"error": missing.to_string()}));
    let injected = client
        .call(operation)
        .header("idempotency-key", "a\u{7}b")
        .json(&body)
        .send()
        .await
        .expect_err("refused");
    report("catalog call with a bell in the header", serde_json::json!({"error": injected.to_string()}));
    report("requests sent by the refused calls", serde_json::json!(sent().len() - before));

    // The emulator checks required headers and their rules: 400 naming the header.
    let emulator = pipecat_cloud_emulator::Emulator::start().await.expect("emulator");
    pipecat_cloud::tls::install_provider();
    let http = reqwest::Client::new();
    let put = |key: Option<&str>| {
        let mut request = http
            .patch(format!("{}/v1/properties", emulator.host()))
            .bearer_auth(emulator.private_key())
            .json(&body);
        if let Some(key) = key {
            request = request.header("Idempotency-Key", key);
        }
        request.send()
    };
    for (what, key) in [("without the required header", None), ("with it", Some("key-0123456789"))] {
        let answer = put(key).await.expect("the emulator answers");
        let status = answer.status().as_u16();
        let text = answer.text().await.unwrap_or_default();
        report(&format!("emulator, {what}"), serde_json::json!({"status": status, "body": text}));
    }

    // The CLI built from the spec offers a flag per header parameter, with the spec's help.
    let tree = pipecat_cloud_cli::command_tree();
    let flags: Vec<&str> = tree.lines().filter(|l| l.contains("x-request-tag") || l.contains("idempotency-key")).collect();
    report("CLI flags", serde_json::json!(flags));
}
