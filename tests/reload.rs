//! The reload task (feature `tokio`): keys reloaded on SIGHUP and on an interval, the keys in
//! use kept on a damaged file, and the task stopped. Its own test binary: it sends SIGHUP to
//! this process, which only a process listening for it survives.
#![cfg(all(feature = "tokio", unix))]

mod common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use common::{HEADER, NOW, at, good_claims, sign, signer};
use facilioo_jwt::live::LiveVerifier;

fn temp_file(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("facilioo-jwt-reload-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temp dir");
    dir.join("keys.pem")
}

fn write_key(path: &Path, name: &str) {
    std::fs::write(path, common::data_str(&format!("keys/{name}.pkcs1.pem"))).expect("write");
}

/// Waits (up to 5 s) until `done` holds.
async fn eventually(what: &str, done: impl Fn() -> bool) {
    for _ in 0..100 {
        if done() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("not within 5 s: {what}");
}

fn hangup() {
    let status = std::process::Command::new("kill")
        .args(["-HUP", &std::process::id().to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sighup_reloads_and_a_damaged_file_keeps_the_keys() {
    let path = temp_file("sighup");
    write_key(&path, "rsa2048-a");
    let live = LiveVerifier::new(common::verifier(&["rsa2048-a"]));
    let task = live
        .reload_task(&path)
        .on_sighup()
        .spawn()
        .expect("listens for SIGHUP");
    assert_eq!(task.path(), path);
    let by_b = sign(HEADER, &good_claims(), &signer("rsa2048-b"));
    assert!(live.verify(&by_b, at(NOW)).is_err());

    write_key(&path, "rsa2048-b");
    hangup();
    eventually("SIGHUP loads key b", || live.verify(&by_b, at(NOW)).is_ok()).await;

    std::fs::write(&path, "-----BEGIN RSA PUBLIC KEY-----\ndamaged\n").expect("write");
    hangup();
    eventually("the damaged file is counted", || {
        live.stats().reloads.is_some_and(|r| r.error == 1)
    })
    .await;
    assert!(live.verify(&by_b, at(NOW)).is_ok(), "the keys in use stay");
    assert_eq!(live.stats().reloads.map(|r| r.ok), Some(1));

    task.stop();
    std::fs::remove_dir_all(path.parent().expect("a dir")).ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_interval_reloads_until_the_task_stops() {
    let path = temp_file("interval");
    write_key(&path, "rsa2048-a");
    let live = LiveVerifier::new(common::verifier(&["rsa2048-a"]).with_cache(10));
    let task = live
        .reload_task(&path)
        .every(Duration::from_millis(10)) // taken as a second
        .spawn()
        .expect("starts");
    let by_a = sign(HEADER, &good_claims(), &signer("rsa2048-a"));
    let by_b = sign(HEADER, &good_claims(), &signer("rsa2048-b"));
    assert!(live.verify(&by_a, at(NOW)).is_ok());
    // The same file: counted as unchanged, the cache stays.
    eventually("an unchanged reload", || {
        live.stats().reloads.is_some_and(|r| r.unchanged >= 1)
    })
    .await;
    assert!(live.verify(&by_a, at(NOW)).is_ok());
    assert_eq!(live.stats().cache.map(|c| c.hits), Some(1));
    let reloads = live.stats().reloads.expect("counted");
    assert!(
        reloads.unchanged <= 2,
        "about one a second, not one every 10 ms: {reloads:?}"
    );

    write_key(&path, "rsa2048-b");
    eventually("the interval loads key b", || {
        live.verify(&by_b, at(NOW)).is_ok()
    })
    .await;
    assert!(live.verify(&by_a, at(NOW)).is_err());

    task.stop();
    tokio::time::sleep(Duration::from_millis(100)).await;
    write_key(&path, "rsa2048-a");
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert!(
        live.verify(&by_a, at(NOW)).is_err(),
        "a stopped task reloads nothing"
    );
    std::fs::remove_dir_all(path.parent().expect("a dir")).ok();
}

#[tokio::test]
async fn a_task_that_would_never_reload_is_refused() {
    let live = LiveVerifier::new(common::verifier(&["rsa2048-a"]));
    let err = live
        .reload_task("keys.pem")
        .spawn()
        .expect_err("no trigger");
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
}

/// An interval too long for the clock is taken as a week, not a panic.
#[tokio::test]
async fn the_longest_interval_is_a_week() {
    let live = LiveVerifier::new(common::verifier(&["rsa2048-a"]));
    let task = live
        .reload_task("keys.pem")
        .every(Duration::MAX)
        .spawn()
        .expect("starts");
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(!task.is_finished(), "waiting for its first week");
    task.stop();
    let stats = live.stats().reloads.expect("counted");
    assert_eq!((stats.ok, stats.unchanged, stats.error), (0, 0, 0));
}

/// The task ends with the runtime it runs on: a service that ends takes it along.
#[test]
fn a_task_ends_with_its_runtime() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let live = LiveVerifier::new(common::verifier(&["rsa2048-a"]));
    let task = runtime
        .block_on(async {
            live.reload_task("keys.pem")
                .every(Duration::from_secs(60))
                .spawn()
        })
        .expect("starts");
    assert!(!task.is_finished());
    drop(runtime);
    assert!(task.is_finished());
}

/// The task counts a reload that puts trusted test keys in use (and warns of it, as
/// `reload_keys` does): a key file swapped for the test kit's, in production, is seen.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_task_counts_a_reload_that_trusts_test_keys() {
    let path = temp_file("test-keys");
    std::fs::write(&path, include_str!("../keys/testing/test-1.pem")).expect("write");
    let live = LiveVerifier::new(common::verifier(&["rsa2048-a"]));
    let task = live
        .reload_task(&path)
        .every(Duration::from_secs(1))
        .spawn()
        .expect("starts");
    eventually("the test key is counted", || {
        live.stats()
            .reloads
            .is_some_and(|r| (r.ok, r.test_keys) == (1, 1))
    })
    .await;
    assert_eq!(live.current().keys().test_key_count(), 1);
    task.stop();
    std::fs::remove_dir_all(path.parent().expect("a dir")).ok();
}
