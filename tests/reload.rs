//! The reload task (feature `tokio`): keys reloaded on SIGHUP and on an interval, the keys in
//! use kept on a damaged file, and the task stopped; and reloads never stall (issue 22): a key
//! path that is (even once) a FIFO with no writer, or a device, is refused unread by
//! `reload_keys` and by the task, which goes on reloading afterwards; a runtime with the task
//! on it shuts down promptly; a storm of `SIGHUP`s reads the file a few times, not once per
//! signal. Its own test binary: it sends SIGHUP to this process, which only a process
//! listening for it survives; the tests that send it run one at a time (every listener hears
//! every signal).
#![cfg(all(feature = "tokio", unix))]

mod common;

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use common::{HEADER, NOW, at, good_claims, sign, signer};
use facilioo_jwt::keys::KeyErrorKind;
use facilioo_jwt::live::{LiveVerifier, ReloadTask};

/// One signalling test at a time: each listens for the signals the others send.
static SIGNALS: Mutex<()> = Mutex::new(());

fn one_at_a_time() -> std::sync::MutexGuard<'static, ()> {
    SIGNALS.lock().unwrap_or_else(|e| e.into_inner())
}

/// `keys.pem` in a new temporary directory of its own.
fn temp_file(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("facilioo-jwt-reload-{}-{name}", std::process::id()));
    std::fs::remove_dir_all(&dir).ok();
    std::fs::create_dir_all(&dir).expect("a temp dir");
    dir.join("keys.pem")
}

/// Puts key `name` at `path` by an atomic rename, as the docs say to.
fn write_key(path: &Path, name: &str) {
    let next = path.with_extension("new");
    std::fs::write(&next, common::data_str(&format!("keys/{name}.pkcs1.pem"))).expect("write");
    std::fs::rename(&next, path).expect("rename");
}

/// Puts a FIFO with no writer at `path`.
fn write_fifo(path: &Path) {
    std::fs::remove_file(path).ok();
    let status = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("mkfifo runs");
    assert!(status.success());
}

/// A verifier trusting key a, and a task reloading it from `path` (key a too) on SIGHUP.
fn watched(path: &Path) -> (LiveVerifier, ReloadTask) {
    write_key(path, "rsa2048-a");
    let live = LiveVerifier::new(common::verifier(&["rsa2048-a"]));
    let task = live
        .reload_task(path)
        .on_sighup()
        .spawn()
        .expect("listens for SIGHUP");
    (live, task)
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

fn hangup() {
    hangups_every(1, "0");
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime")
}

/// Reloads by result: ok, unchanged, error.
fn reloads(live: &LiveVerifier) -> (u64, u64, u64) {
    let r = live
        .stats()
        .reloads
        .expect("a live verifier counts reloads");
    (r.ok, r.unchanged, r.error)
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

#[test]
fn sighup_reloads_and_a_damaged_file_keeps_the_keys() {
    let _one = one_at_a_time();
    runtime().block_on(async {
        let path = temp_file("sighup");
        let (live, task) = watched(&path);
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
    });
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

/// `reload_keys` refuses what is not a regular file, at once, and loads a symlink to one.
#[test]
fn reload_keys_refuses_fifos_and_devices_without_blocking() {
    let path = temp_file("direct");
    let dir = path.parent().expect("a dir").to_owned();
    write_fifo(&path);
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
    write_key(&real, "rsa2048-b");
    let link = dir.join("link.pem");
    std::os::unix::fs::symlink(&real, &link).expect("symlink");
    let reload = live
        .reload_keys(&link)
        .expect("a symlink to a regular file loads");
    assert!(reload.changed());
    std::fs::remove_dir_all(path.parent().expect("a dir")).ok();
}

/// The task refuses a FIFO as a bad file, counts it, and reloads the next good file.
#[test]
fn a_fifo_never_stalls_the_reload_task() {
    let _one = one_at_a_time();
    runtime().block_on(async {
        let path = temp_file("task");
        let (live, task) = watched(&path);
        write_fifo(&path);
        hangup();
        eventually("the FIFO is refused and counted", || reloads(&live).2 == 1).await;

        write_key(&path, "rsa2048-b");
        hangup();
        let by_b = sign(HEADER, &good_claims(), &signer("rsa2048-b"));
        eventually("the next SIGHUP loads key b", || {
            live.verify(&by_b, at(NOW)).is_ok()
        })
        .await;
        assert_eq!(reloads(&live), (1, 0, 1));
        task.stop();
        std::fs::remove_dir_all(path.parent().expect("a dir")).ok();
    });
}

/// A runtime with the task on it, asked to reload a FIFO again and again, shuts down
/// promptly; so does `stop()`.
#[test]
fn shutdown_and_stop_are_prompt_whatever_the_file_is() {
    let _one = one_at_a_time();
    let path = temp_file("shutdown");
    write_fifo(&path);
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
                hangup();
                eventually("the FIFO is refused", || reloads(&task_live).2 >= 1).await;
                let stopping = task_live
                    .reload_task(&task_path)
                    .on_sighup()
                    .spawn()
                    .expect("spawns");
                hangup();
                stopping.stop();
                drop(task);
            });
            drop(runtime);
        },
    );
    std::fs::remove_dir_all(path.parent().expect("a dir")).ok();
}

/// Hundreds of SIGHUPs in a burst read the file a few times (once a second at most, and
/// once after the last signal), not once each; the keys written before the last signal are
/// the ones in use after it.
#[test]
fn a_sighup_storm_is_coalesced() {
    let _one = one_at_a_time();
    runtime().block_on(async {
        let path = temp_file("storm");
        let (live, task) = watched(&path);
        let started = Instant::now();
        // Spread over about two seconds, so that each signal would find the last reload done:
        // only the gap between starts keeps the reads down.
        tokio::task::spawn_blocking(|| hangups_every(200, "0.01"))
            .await
            .expect("the storm ran");
        write_key(&path, "rsa2048-b");
        hangup();
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
        std::fs::remove_dir_all(path.parent().expect("a dir")).ok();
    });
}

/// `KeySet::from_file` on the FIFO at `path` while a thread opens it for writing and then
/// does `write` with it: the first load that finds a writer (a load before the writer opened
/// reads as empty, and is tried again), within `limit`.
fn load_while_writing(
    path: &Path,
    limit: Duration,
    write: impl FnOnce(std::fs::File) + Send + 'static,
) -> Result<facilioo_jwt::KeySet, facilioo_jwt::keys::KeyError> {
    let fifo = path.to_owned();
    let writer = std::thread::spawn(move || {
        write(
            std::fs::OpenOptions::new()
                .write(true)
                .open(&fifo)
                .expect("open for writing"),
        );
    });
    // The writer's open waits for a reader: give it one that keeps trying.
    let fifo = path.to_owned();
    let loaded = within(limit, "from_file on a FIFO with a writer", move || {
        loop {
            match facilioo_jwt::KeySet::from_file(&fifo) {
                Err(e) if e.kind() == KeyErrorKind::Empty => {
                    std::thread::sleep(Duration::from_millis(20));
                }
                other => return other,
            }
        }
    });
    writer.join().expect("the writer");
    loaded
}

/// `KeySet::from_file` (what a service reads at start, and the CLI's `--keys`) never waits on
/// a FIFO: without a writer it reads as empty at once; with one it reads what is written.
#[test]
fn from_file_never_waits_on_a_fifo() {
    use facilioo_jwt::KeySet;
    let path = temp_file("from-file");
    write_fifo(&path);
    let fifo = path.clone();
    let loaded = within(Duration::from_secs(10), "from_file on a FIFO", move || {
        KeySet::from_file(&fifo)
    });
    assert_eq!(
        loaded.map(|k| k.len()).map_err(|e| e.kind()),
        Err(KeyErrorKind::Empty)
    );
    // A writer that writes a little later, as `<(…)` does.
    let key = common::data_str("keys/rsa2048-a.pkcs1.pem");
    let loaded = load_while_writing(&path, Duration::from_secs(10), move |mut pipe| {
        use std::io::Write as _;
        std::thread::sleep(Duration::from_millis(200));
        pipe.write_all(key.as_bytes()).expect("write");
    });
    assert_eq!(loaded.map(|k| k.len()), Ok(1));
    std::fs::remove_dir_all(path.parent().expect("a dir")).ok();
}

/// A pipe whose writer holds it open and writes nothing is given up after 10 seconds
/// (`Io(TimedOut)`), not waited on for ever.
#[test]
fn from_file_gives_up_on_a_silent_writer() {
    let path = temp_file("silent");
    write_fifo(&path);
    let loaded = load_while_writing(&path, Duration::from_secs(30), |pipe| {
        std::thread::sleep(Duration::from_secs(12));
        drop(pipe);
    });
    assert_eq!(
        loaded.map(|k| k.len()).map_err(|e| e.kind()),
        Err(KeyErrorKind::Io(std::io::ErrorKind::TimedOut))
    );
    std::fs::remove_dir_all(path.parent().expect("a dir")).ok();
}
