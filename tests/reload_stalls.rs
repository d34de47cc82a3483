//! Reloads never stall (issue 22): a key path that is (even once) a FIFO with no writer, or a
//! device, is refused unread by `reload_keys` and by the reload task, which goes on
//! reloading afterwards; a runtime with the task on it shuts down promptly; a storm of
//! `SIGHUP`s reads the file a few times, not once per signal. Through the real task and real
//! signals: its own test binary (it sends `SIGHUP` to this process), its tests one at a time
//! (every listener hears every signal).
#![cfg(all(feature = "tokio", unix))]

mod common;

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use common::{HEADER, NOW, at, good_claims, sign, signer};
use facilioo_jwt::keys::KeyErrorKind;
use facilioo_jwt::live::LiveVerifier;

/// One test at a time: each listens for the signals the others send.
static SIGNALS: Mutex<()> = Mutex::new(());

fn temp_dir(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("facilioo-jwt-stalls-{}-{name}", std::process::id()));
    std::fs::remove_dir_all(&dir).ok();
    std::fs::create_dir_all(&dir).expect("a temp dir");
    dir
}

/// Puts key `name` at `path` by an atomic rename, as the docs say to.
fn install_key(path: &Path, name: &str) {
    let next = path.with_extension("new");
    std::fs::write(&next, common::data_str(&format!("keys/{name}.pkcs1.pem"))).expect("write");
    std::fs::rename(&next, path).expect("rename");
}

/// Puts a FIFO with no writer at `path`.
fn install_fifo(path: &Path) {
    std::fs::remove_file(path).ok();
    let status = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("mkfifo runs");
    assert!(status.success());
}

/// Sends this process `count` SIGHUPs, `pause` seconds apart.
fn hangups_every(count: usize, pause: &str) {
    let script = format!(
        "for i in $(seq {count}); do kill -HUP {}; sleep {pause}; done",
        std::process::id()
    );
    let status = std::process::Command::new("bash")
        .args(["-c", &script])
        .status()
        .expect("bash runs");
    assert!(status.success());
}

/// Sends this process `count` SIGHUPs.
fn hangups(count: usize) {
    hangups_every(count, "0");
}

/// Runs `f` on a thread of its own and waits up to `limit` for it: a test of something that
/// must not block fails instead of hanging the suite.
fn within<T: Send + 'static>(
    limit: Duration,
    what: &str,
    f: impl FnOnce() -> T + Send + 'static,
) -> T {
    let (send, receive) = std::sync::mpsc::channel();
    std::thread::spawn(move || send.send(f()));
    receive
        .recv_timeout(limit)
        .unwrap_or_else(|_| panic!("{what} did not return within {limit:?}"))
}

/// Waits (up to 10 s) until `done` holds.
async fn eventually(what: &str, done: impl Fn() -> bool) {
    for _ in 0..200 {
        if done() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("not within 10 s: {what}");
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime")
}

fn reloads(live: &LiveVerifier) -> (u64, u64, u64) {
    let r = live
        .stats()
        .reloads
        .expect("a live verifier counts reloads");
    (r.ok, r.unchanged, r.error)
}

/// `reload_keys` refuses what is not a regular file, at once, and loads a symlink to one.
#[test]
fn reload_keys_refuses_fifos_and_devices_without_blocking() {
    let dir = temp_dir("direct");
    let path = dir.join("keys.pem");
    install_fifo(&path);
    let live = LiveVerifier::new(common::verifier(&["rsa2048-a"]));
    let by_a = sign(HEADER, &good_claims(), &signer("rsa2048-a"));
    let (probe, fifo) = (live.clone(), path.clone());
    let refused = within(
        Duration::from_secs(10),
        "reload_keys on a FIFO",
        move || probe.reload_keys(&fifo),
    );
    let error = refused.expect_err("a FIFO is no key file");
    assert_eq!(error.kind(), KeyErrorKind::NotARegularFile);
    assert_eq!(
        error.to_string(),
        "key file is not a regular file (a FIFO, socket or device): write the keys to a file \
         and rename it into place"
    );
    let device = dir.join("device.pem");
    std::os::unix::fs::symlink("/dev/zero", &device).expect("symlink");
    let (probe, zero) = (live.clone(), device.clone());
    let refused = within(
        Duration::from_secs(10),
        "reload_keys on /dev/zero",
        move || probe.reload_keys(&zero),
    );
    assert_eq!(
        refused.map_err(|e| e.kind()),
        Err(KeyErrorKind::NotARegularFile)
    );
    assert_eq!(
        live.reload_keys(&dir).map_err(|e| e.kind()),
        Err(KeyErrorKind::NotAFile),
        "a directory is refused as before"
    );
    assert_eq!(
        reloads(&live),
        (0, 0, 3),
        "each refusal is a counted reload"
    );
    assert!(live.verify(&by_a, at(NOW)).is_ok(), "the keys in use stay");

    let real = dir.join("real.pem");
    install_key(&real, "rsa2048-b");
    let link = dir.join("link.pem");
    std::os::unix::fs::symlink(&real, &link).expect("symlink");
    let reload = live
        .reload_keys(&link)
        .expect("a symlink to a regular file loads");
    assert!(reload.changed());
    std::fs::remove_dir_all(&dir).ok();
}

/// The task refuses a FIFO as a bad file, counts it, and reloads the next good file.
#[test]
fn a_fifo_never_stalls_the_reload_task() {
    let _one = SIGNALS.lock().unwrap_or_else(|e| e.into_inner());
    runtime().block_on(async {
        let dir = temp_dir("task");
        let path = dir.join("keys.pem");
        install_key(&path, "rsa2048-a");
        let live = LiveVerifier::new(common::verifier(&["rsa2048-a"]));
        let task = live
            .reload_task(&path)
            .on_sighup()
            .spawn()
            .expect("listens for SIGHUP");
        install_fifo(&path);
        hangups(1);
        eventually("the FIFO is refused and counted", || reloads(&live).2 == 1).await;

        install_key(&path, "rsa2048-b");
        hangups(1);
        let by_b = sign(HEADER, &good_claims(), &signer("rsa2048-b"));
        eventually("the next SIGHUP loads key b", || {
            live.verify(&by_b, at(NOW)).is_ok()
        })
        .await;
        assert_eq!(reloads(&live), (1, 0, 1));
        task.stop();
        std::fs::remove_dir_all(&dir).ok();
    });
}

/// A runtime with the task on it, asked to reload a FIFO again and again, shuts down
/// promptly; so does `stop()`.
#[test]
fn shutdown_and_stop_are_prompt_whatever_the_file_is() {
    let _one = SIGNALS.lock().unwrap_or_else(|e| e.into_inner());
    let dir = temp_dir("shutdown");
    let path = dir.join("keys.pem");
    install_fifo(&path);
    let live = LiveVerifier::new(common::verifier(&["rsa2048-a"]));
    let (task_live, task_path) = (live.clone(), path.clone());
    within(
        Duration::from_secs(20),
        "the runtime's shutdown",
        move || {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(1)
                .enable_all()
                .build()
                .expect("a runtime");
            runtime.block_on(async {
                let task = task_live
                    .reload_task(&task_path)
                    .on_sighup()
                    .every(Duration::from_secs(1))
                    .spawn()
                    .expect("spawns");
                hangups(1);
                eventually("the FIFO is refused", || reloads(&task_live).2 >= 1).await;
                let stopping = task_live
                    .reload_task(&task_path)
                    .on_sighup()
                    .spawn()
                    .expect("spawns");
                hangups(1);
                stopping.stop();
                drop(task);
            });
            drop(runtime);
        },
    );
    std::fs::remove_dir_all(&dir).ok();
}

/// Hundreds of SIGHUPs in a burst read the file a few times (once a second at most, and
/// once after the last signal), not once each; the keys written before the last signal are
/// the ones in use after it.
#[test]
fn a_sighup_storm_is_coalesced() {
    let _one = SIGNALS.lock().unwrap_or_else(|e| e.into_inner());
    runtime().block_on(async {
        let dir = temp_dir("storm");
        let path = dir.join("keys.pem");
        install_key(&path, "rsa2048-a");
        let live = LiveVerifier::new(common::verifier(&["rsa2048-a"]));
        let task = live
            .reload_task(&path)
            .on_sighup()
            .spawn()
            .expect("listens for SIGHUP");
        let started = Instant::now();
        // Spread over about two seconds, so that each signal would find the last reload done:
        // only the gap between starts keeps the reads down.
        tokio::task::spawn_blocking(|| hangups_every(200, "0.01"))
            .await
            .expect("the storm ran");
        install_key(&path, "rsa2048-b");
        hangups(1);
        let storm = started.elapsed();
        let by_b = sign(HEADER, &good_claims(), &signer("rsa2048-b"));
        eventually("the keys written before the last signal are in use", || {
            live.verify(&by_b, at(NOW)).is_ok()
        })
        .await;
        // Let anything still coalesced run.
        tokio::time::sleep(Duration::from_millis(2500)).await;
        let (ok, unchanged, error) = reloads(&live);
        let reads = ok + unchanged + error;
        // One start a second at most over the storm, one after it, and one that was coalesced.
        let bound = storm.as_secs() + 3;
        assert!(
            (1..=bound).contains(&reads),
            "{reads} reads for 201 signals in {storm:?} (at most {bound})"
        );
        assert_eq!((ok, error), (1, 0));
        task.stop();
        std::fs::remove_dir_all(&dir).ok();
    });
}
