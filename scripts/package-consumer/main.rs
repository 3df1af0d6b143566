//! A downstream crate as a crates.io user has it: `pipecat-cloud = "0.1"` from the packaged crates only,
//! no checkout of the SDK's repository. It answers one call against a server it starts on 127.0.0.1.

use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}", listener.local_addr()?);
    let server = tokio::spawn(async move {
        let (mut stream, _) = listener.accept().await?;
        let mut head = Vec::new();
        let mut byte = [0u8; 1];
        while !head.ends_with(b"\r\n\r\n") && stream.read(&mut byte).await? == 1 {
            head.push(byte[0]);
        }
        let body = r#"{"sets":[{"name":"from-the-package","status":"ready"}]}"#;
        let answer = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        );
        stream.write_all(answer.as_bytes()).await?;
        Ok::<String, std::io::Error>(String::from_utf8_lossy(&head).into_owned())
    });
    let client = pipecat_cloud::Client::builder().private_key("consumer-key").host(&url).build()?;
    let sets = client.list_secret_sets().await?;
    let request = server.await??;
    assert!(request.starts_with("GET /v1/secrets HTTP/1.1"), "{request}");
    assert!(request.to_ascii_lowercase().contains("authorization: bearer consumer-key"));
    assert_eq!(sets.sets.first().and_then(|s| s.name.as_deref()), Some("from-the-package"));
    println!("a consumer of pipecat-cloud 0.1 called listSecretSets: {} set(s)", sets.sets.len());
    Ok(())
}
