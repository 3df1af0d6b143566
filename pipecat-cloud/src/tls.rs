//! TLS. The stack is chosen by this crate's features: `rustls-aws-lc-rs` (the default: rustls's and
//! reqwest's own, with hybrid post-quantum key exchange), `rustls-ring` (a smaller, faster cold build),
//! or `native-tls` (see the README).
//!
//! With `rustls-ring`, reqwest takes the rustls crypto provider from the process, as its own `aws-lc-rs`
//! provider is not compiled in. The client installs `ring` there before it builds its HTTP client; a
//! `reqwest::Client` built by your code before any `pipecat_cloud::Client` needs the same
//! ([`install_provider`]), or reqwest panics with "No rustls crypto provider is configured".

/// Makes sure rustls has a crypto provider for a `reqwest::Client` your code builds (for
/// [`ClientBuilder::http_client`](crate::ClientBuilder::http_client)): with `rustls-ring`, installs
/// `ring` as the process's default unless one is installed already; with the other features reqwest
/// brings its own, and this does nothing. Call it before building the client, whatever the features.
///
/// ```
/// pipecat_cloud::tls::install_provider();
/// let http = reqwest::Client::builder().build()?;
/// # Ok::<(), reqwest::Error>(())
/// ```
pub fn install_provider() {
    #[cfg(feature = "rustls-ring")]
    install_ring_provider();
}

/// Makes `ring` the process's default rustls crypto provider, unless one is installed already (by your
/// application, or by another library). [`install_provider`] calls it with the `rustls-ring` feature,
/// and works with every feature.
#[cfg(feature = "rustls-ring")]
pub fn install_ring_provider() {
    if rustls::crypto::CryptoProvider::get_default().is_none() {
        // rustls deprecates `ring::default_provider` from 0.23.48 in favour of aws-lc-rs (no post-quantum
        // key exchange); `rustls-ring` is the opt-in for builds that choose it anyway. A deprecation in a
        // dependency never reaches its users' builds; this keeps it out of this workspace's too.
        #[allow(deprecated)]
        let provider = rustls::crypto::ring::default_provider();
        // Another thread may install one at the same moment; either provider serves.
        let _ = provider.install_default();
    }
}
