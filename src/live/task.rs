//! The reload task (feature `tokio`): a [`LiveVerifier`] reloaded from its key file on
//! `SIGHUP`, on an interval, or both, without glue.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tokio::time::Instant;

use super::LiveVerifier;

/// The shortest reload interval: a file is never read more than once a second.
const MIN_INTERVAL: Duration = Duration::from_secs(1);

/// The shortest time between the starts of two reloads, whatever asks for them: a storm of
/// `SIGHUP`s reads the file once a second at most.
const MIN_GAP: Duration = Duration::from_secs(1);

/// The longest reload interval, a week: longer is taken as a week (a clock cannot add
/// `Duration::MAX`, and keys a week old are old enough).
const MAX_INTERVAL: Duration = Duration::from_secs(7 * 24 * 60 * 60);

/// Says when to reload; [`spawn`](Self::spawn) starts the task. From
/// [`LiveVerifier::reload_task`].
#[derive(Debug)]
#[must_use = "nothing reloads until `spawn` starts the task"]
pub struct ReloadTaskBuilder {
    live: LiveVerifier,
    path: PathBuf,
    #[cfg(unix)]
    sighup: bool,
    interval: Option<Duration>,
}

/// A running reload task ([`LiveVerifier::reload_task`]). It runs until [`stop`](Self::stop)
/// or until the runtime it runs on shuts down (the service ends); dropping this handle
/// leaves it running.
#[derive(Debug)]
pub struct ReloadTask {
    handle: JoinHandle<()>,
    path: Arc<Path>,
}

impl LiveVerifier {
    /// A task that reloads this verifier's keys from `path` (feature `tokio`): say when with
    /// [`on_sighup`](ReloadTaskBuilder::on_sighup) and/or
    /// [`every`](ReloadTaskBuilder::every), then [`spawn`](ReloadTaskBuilder::spawn) it on
    /// the current tokio runtime. Each reload is [`reload_keys`](Self::reload_keys): a file
    /// that does not load leaves the keys in use, a file holding the same keys changes
    /// nothing, and every outcome is counted and (feature `tracing`, else on stderr) logged.
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
    /// use std::time::Duration;
    /// use facilioo_jwt::live::LiveVerifier;
    /// use facilioo_jwt::{KeySet, Policy, Verifier};
    ///
    /// let keys = KeySet::from_file("keys.pem")?;
    /// let live = LiveVerifier::new(Verifier::new(keys, Policy::facilioo_dev()));
    /// live.reload_task("keys.pem")
    ///     .on_sighup()
    ///     .every(Duration::from_secs(300))
    ///     .spawn()?;
    /// # Ok(()) }
    /// ```
    pub fn reload_task(&self, path: impl Into<PathBuf>) -> ReloadTaskBuilder {
        ReloadTaskBuilder {
            live: self.clone(),
            path: path.into(),
            #[cfg(unix)]
            sighup: false,
            interval: None,
        }
    }
}

impl ReloadTaskBuilder {
    /// Reload on every `SIGHUP` (Unix).
    #[cfg(unix)]
    pub fn on_sighup(mut self) -> Self {
        self.sighup = true;
        self
    }

    /// Reload every `interval`, the first time one interval after the start. From a second
    /// to a week: shorter is taken as a second, longer as a week.
    pub fn every(mut self, interval: Duration) -> Self {
        self.interval = Some(interval.clamp(MIN_INTERVAL, MAX_INTERVAL));
        self
    }

    /// Starts the task on the current tokio runtime.
    ///
    /// # Errors
    /// If `SIGHUP` was asked for and cannot be listened for; if neither `SIGHUP` nor an
    /// interval was asked for (`InvalidInput`: the task would never reload).
    ///
    /// # Panics
    /// Outside a tokio runtime, as `tokio::spawn` does.
    pub fn spawn(self) -> io::Result<ReloadTask> {
        #[cfg(unix)]
        let hangups = if self.sighup {
            use tokio::signal::unix::{SignalKind, signal};
            Some(signal(SignalKind::hangup())?)
        } else {
            None
        };
        #[cfg(unix)]
        let asked = self.sighup || self.interval.is_some();
        #[cfg(not(unix))]
        let asked = self.interval.is_some();
        if !asked {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "a reload task needs on_sighup() or every(interval)",
            ));
        }
        let ticks = self.interval.map(|every| {
            let mut ticks = tokio::time::interval_at(Instant::now() + every, every);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            ticks
        });
        let path: Arc<Path> = self.path.into();
        let reloads = Reloads {
            live: self.live,
            path: Arc::clone(&path),
            #[cfg(unix)]
            hangups,
            ticks,
        };
        let handle = tokio::spawn(reloads.run());
        Ok(ReloadTask { handle, path })
    }
}

/// The task's state: what it reloads, and what asks it to.
struct Reloads {
    live: LiveVerifier,
    path: Arc<Path>,
    #[cfg(unix)]
    hangups: Option<tokio::signal::unix::Signal>,
    ticks: Option<tokio::time::Interval>,
}

impl Reloads {
    /// Waits for signals and ticks, and reloads for them: never more than one read at a
    /// time, nor one start within [`MIN_GAP`] of the last. Whatever asks for a reload while
    /// one is under way, or within the gap, is coalesced into one reload that starts when
    /// both allow it, so the last request is always followed by a read that starts after
    /// it. The task itself never waits on a read: each runs on a thread of its own.
    async fn run(mut self) {
        let mut asked = false;
        let mut reading: Option<oneshot::Receiver<()>> = None;
        let mut last_start: Option<Instant> = None;
        loop {
            // Asked and no read under way: start one, unless the gap holds it back until
            // `gap_end`.
            let mut gap_end = None;
            if asked && reading.is_none() {
                let now = Instant::now();
                let wait = last_start.map_or(Duration::ZERO, |at| {
                    (at + MIN_GAP).saturating_duration_since(now)
                });
                if wait.is_zero() {
                    asked = false;
                    last_start = Some(now);
                    reading = Some(reload(&self.live, &self.path));
                } else {
                    gap_end = Some(now + wait);
                }
            }
            #[cfg(unix)]
            let hangup = async {
                match &mut self.hangups {
                    Some(h) => h.recv().await,
                    None => core::future::pending().await,
                }
            };
            #[cfg(not(unix))]
            let hangup = core::future::pending::<Option<()>>();
            let tick = async {
                match &mut self.ticks {
                    Some(t) => t.tick().await,
                    None => core::future::pending().await,
                }
            };
            let read = async {
                match &mut reading {
                    // Sent or dropped, the read is over.
                    Some(done) => drop(done.await),
                    None => core::future::pending().await,
                }
            };
            let gap = async {
                match gap_end {
                    Some(at) => tokio::time::sleep_until(at).await,
                    None => core::future::pending().await,
                }
            };
            tokio::select! {
                signal = hangup => match signal {
                    Some(()) => asked = true,
                    None => return,
                },
                _ = tick => asked = true,
                () = read => reading = None,
                () = gap => {}
            }
        }
    }
}

/// Starts one reload on a thread of its own, which sends on the answer when it is done. Not
/// on the runtime's blocking pool: a runtime that shuts down waits for that pool, and
/// nothing about a reload may hold up a service's shutdown. A thread that cannot be started
/// (the system is out of threads) is said on stderr; the next signal or tick tries again.
fn reload(live: &LiveVerifier, path: &Arc<Path>) -> oneshot::Receiver<()> {
    let (done, answer) = oneshot::channel();
    let (live, path) = (live.clone(), Arc::clone(path));
    let started = std::thread::Builder::new()
        .name("facilioo-jwt-reload".into())
        .spawn(move || {
            let result = live.reload_keys(&path);
            // With `tracing`, reload_keys logged it.
            #[cfg(not(feature = "tracing"))]
            if let Some(line) = stderr_line(&path, &result) {
                eprintln!("{line}");
            }
            let _ = (result, done.send(()));
        });
    if let Err(e) = started {
        eprintln!("facilioo-jwt: no thread to reload the keys on, the keys in use stay: {e}");
    }
    answer
}

/// What stderr hears of a reload without `tracing`: new keys and bad files; the same keys
/// again, as an interval mostly finds, are not news.
#[cfg_attr(feature = "tracing", allow(dead_code))]
fn stderr_line(
    path: &Path,
    result: &Result<super::Reload, crate::keys::KeyError>,
) -> Option<String> {
    match result {
        Ok(reload) if !reload.changed() => None,
        Ok(reload) => Some(format!(
            "facilioo-jwt: reloaded {}: {reload}",
            path.display()
        )),
        Err(e) => Some(format!(
            "facilioo-jwt: {} not reloaded, the keys in use stay: {e}",
            path.display()
        )),
    }
}

impl ReloadTask {
    /// The key file it reloads.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Stops the task; a reload under way completes.
    pub fn stop(self) {
        self.handle.abort();
    }

    /// Whether the task has ended (stopped, or its runtime shut down).
    pub fn is_finished(&self) -> bool {
        self.handle.is_finished()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::KeyError;
    use crate::live::Reload;

    #[test]
    fn stderr_hears_of_new_keys_and_bad_files_only() {
        let path = Path::new("keys.pem");
        let reload = |changed| Reload { keys: 2, changed };
        assert_eq!(stderr_line(path, &Ok(reload(false))), None);
        assert_eq!(
            stderr_line(path, &Ok(reload(true))).as_deref(),
            Some("facilioo-jwt: reloaded keys.pem: 2 keys, now in use")
        );
        let bad: Result<Reload, KeyError> =
            crate::KeySet::from_pem("nonsense").map(|_| reload(true));
        let line = stderr_line(path, &bad).expect("a line");
        assert!(
            line.starts_with("facilioo-jwt: keys.pem not reloaded, the keys in use stay: "),
            "{line}"
        );
    }

    /// The interval is clamped to a second .. a week.
    #[test]
    fn the_interval_is_clamped() {
        let live = LiveVerifier::new(crate::Verifier::new(
            crate::KeySet::facilioo(),
            crate::Policy::facilioo_dev(),
        ));
        let interval = |every| live.reload_task("k").every(every).interval;
        assert_eq!(interval(Duration::MAX), Some(Duration::from_secs(604_800)));
        assert_eq!(interval(Duration::ZERO), Some(Duration::from_secs(1)));
        assert_eq!(
            interval(Duration::from_secs(300)),
            Some(Duration::from_secs(300))
        );
    }
}
