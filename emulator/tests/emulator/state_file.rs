//! `--state FILE`: kept across restarts, written atomically.

use super::*;

fn scratch(name: &str) -> std::path::PathBuf {
    let folder = std::env::temp_dir().join(format!("pcc-emulator-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&folder);
    std::fs::create_dir_all(&folder).expect("scratch folder");
    folder.join("state.json")
}

#[tokio::test]
async fn the_state_survives_a_restart() {
    let path = scratch("restart");
    let emulator =
        Emulator::builder().progression(Progression::Immediate).state_file(&path).start().await.expect("start");
    let keys = (emulator.private_key().to_string(), emulator.public_key().to_string());
    emulator.client().upsert_secret_set("kept", secrets(&[("A", "1")])).await.expect("upsert");
    emulator.shutdown().await;
    let again = Emulator::builder()
        .private_key(&keys.0)
        .public_key(&keys.1)
        .progression(Progression::Immediate)
        .state_file(&path)
        .start()
        .await
        .expect("restart");
    let set = again.client().get_secret_set("kept").await.expect("still there");
    assert_eq!(set.secrets.len(), 1);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).expect("file").permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "the state file holds secret values");
    }
}

#[tokio::test]
async fn a_malformed_state_file_is_refused_with_its_name() {
    let path = scratch("malformed");
    std::fs::write(&path, "{ not a state").expect("write");
    let refused = Emulator::builder().state_file(&path).start().await.expect_err("refused");
    assert!(refused.to_string().contains(&path.display().to_string()), "{refused}");
}

#[tokio::test]
async fn binding_beyond_loopback_needs_an_explicit_yes() {
    let address: std::net::SocketAddr = "0.0.0.0:0".parse().expect("address");
    let refused = Emulator::builder().address(address).start().await.expect_err("refused");
    assert!(refused.to_string().contains("--allow-remote"), "{refused}");
    // A key the SDK would refuse is refused at start, so `client()` can always be made.
    let bad_key = Emulator::builder().private_key("sk_\u{1}bad").start().await.expect_err("refused");
    assert!(bad_key.to_string().contains("private key"), "{bad_key}");
}
