//! `secret-sync SET FILE`: make secret set SET hold exactly the keys of FILE (`KEY=VALUE` lines), then
//! wait until it is ready. The private key comes from `PIPECAT_API_KEY`.

use anyhow::Context;
use secret_sync::{SyncOptions, parse_env_file, sync_secret_set};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let (Some(set), Some(file)) = (args.next(), args.next()) else {
        anyhow::bail!("usage: secret-sync SET FILE   (FILE holds KEY=VALUE lines; PIPECAT_API_KEY the private key)");
    };
    let text = std::fs::read_to_string(&file).with_context(|| format!("reading {file}"))?;
    let desired = parse_env_file(&text).map_err(|e| anyhow::anyhow!("{file}: {e}"))?;
    let client = pipecat_cloud::Client::from_env()?;
    let report = sync_secret_set(&client, &set, &desired, &SyncOptions::default()).await?;
    println!("{set} is ready: {} key(s) set, deleted {:?}", report.upserted.len(), report.deleted);
    Ok(())
}
