//! TLS. The stack is chosen by this crate's features: `rustls-ring` (the default), `rustls-aws-lc-rs`,
//! or `native-tls` (see the README for why `ring` is the default).
//!
//! reqwest takes the rustls crypto provider from the process when its own `aws-lc-rs` provider is not
//! compiled in. The client installs `ring` there before it builds its HTTP client; a `reqwest::Client`
//! built by your code before any `pipecat_cloud::Client` needs the same, or reqwest panics with "No
//! rustls crypto provider is configured" (only when nothing in your build enables reqwest's default TLS).

/// Makes `ring` the process's default rustls crypto provider, unless one is installed already (by your
/// application, or by another library). Call it before building a `reqwest::Client` of your own for
/// [`ClientBuilder::http_client`](crate::ClientBuilder::http_client).
///
/// ```
/// pipecat_cloud::tls::install_ring_provider();
/// let http = reqwest::Client::builder().build()?;
/// # Ok::<(), reqwest::Error>(())
/// ```
#[cfg(feature = "rustls-ring")]
pub fn install_ring_provider() {
    if rustls::crypto::CryptoProvider::get_default().is_none() {
        // Another thread may install one at the same moment; either provider serves.
        let _ = rustls::crypto::ring::default_provider().install_default();
    }
}
