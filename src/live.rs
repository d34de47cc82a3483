//! Keys that change while a service runs: a verifier shared by every request and swapped
//! atomically, and reloading it from a key file.
//!
//! Reloading is on demand ([`LiveVerifier::reload_keys`]), or, with feature `tokio`, by a
//! task this module starts ([`LiveVerifier::reload_task`]): on `SIGHUP`, on an interval, or
//! both. A file that does not load leaves the keys in use untouched, and the error says why;
//! a file that holds the keys in use changes nothing (the cache and key-order memory stay).
//! Every reload is counted ([`LiveVerifier::stats`]; feature `metrics`:
//! `facilioo_jwt_reloads_total`) and, with feature `tracing`, logged.
//!
//! A reload never blocks: the key file must be a regular file (or a symlink to one), and a
//! FIFO, socket or device in its place is refused before it is read, as a bad file is.
//! Replace the file by an atomic rename (write `keys.pem.new`, then `mv keys.pem.new
//! keys.pem`), never by writing it in place: a reload that reads a bundle half-written, cut
//! at a block boundary, finds a smaller set that is valid, and would put it in use.

use core::fmt;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

use arc_swap::ArcSwap;

use crate::keys::KeyError;
use crate::stats::{ReloadStats, Stats};
use crate::{Error, KeySet, UnixTime, VerifiedToken, Verifier};

#[cfg(feature = "tokio")]
mod task;
#[cfg(feature = "tokio")]
pub use task::{ReloadTask, ReloadTaskBuilder};

/// A [`Verifier`] whose keys (or whole configuration) can be replaced while requests are
/// being verified. Cheap to clone: clones share the same current verifier.
///
/// A verification uses the verifier that is current when it starts, start to finish, so a
/// swap never fails a request: each verdict is that of the old key set or the new one.
///
/// ```
/// use facilioo_jwt::{KeySet, Policy, UnixTime, Verifier};
/// use facilioo_jwt::live::LiveVerifier;
///
/// let token = include_str!("../tests/data/example-token.txt").trim();
/// let inside = UnixTime::from_secs(1_651_761_000);
/// let retired = KeySet::from_file("tests/data/retired-key-2022.pem")?;
/// let live = LiveVerifier::new(Verifier::new(retired, Policy::facilioo_dev()));
/// assert!(live.verify(token, inside).is_ok());
///
/// live.replace_keys(KeySet::facilioo()); // facilioo rotated its keys
/// assert!(live.verify(token, inside).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct LiveVerifier {
    current: Arc<ArcSwap<Verifier>>,
    /// Reloads by result: ok, unchanged, error; then those that put trusted test keys in
    /// use.
    reloads: Arc<[AtomicU64; 4]>,
}

/// What a reload did ([`LiveVerifier::reload_keys`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reload {
    keys: usize,
    changed: bool,
}

impl Reload {
    /// How many keys the file holds (and are in use now).
    pub fn keys(&self) -> usize {
        self.keys
    }

    /// Whether they differ from the keys that were in use. When they do not, nothing was
    /// swapped: the cache and the key-order memory stay.
    pub fn changed(&self) -> bool {
        self.changed
    }
}

impl fmt::Display for Reload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let noun = if self.keys == 1 { "key" } else { "keys" };
        let what = if self.changed {
            "now in use"
        } else {
            "unchanged"
        };
        write!(f, "{} {noun}, {what}", self.keys)
    }
}

impl LiveVerifier {
    /// Starts with `verifier`.
    pub fn new(verifier: Verifier) -> Self {
        crate::observe::keys_in_use(verifier.keys().len(), verifier.trusted_test_keys());
        Self {
            current: Arc::new(ArcSwap::from_pointee(verifier)),
            reloads: Arc::default(),
        }
    }

    /// [`Verifier::stats`] of the verifier in use, with the reloads counted
    /// ([`Stats::reloads`]). Verifications and RSA operations are counted across reloads.
    pub fn stats(&self) -> Stats {
        let mut stats = self.current.load().stats();
        let [ok, unchanged, error, test_keys] = &*self.reloads;
        stats.reloads = Some(ReloadStats {
            ok: ok.load(Relaxed),
            unchanged: unchanged.load(Relaxed),
            error: error.load(Relaxed),
            test_keys: test_keys.load(Relaxed),
        });
        stats
    }

    /// The verifier in use now (a snapshot: a later swap does not change it).
    pub fn current(&self) -> Arc<Verifier> {
        self.current.load_full()
    }

    /// [`Verifier::verify`] with the verifier in use now.
    pub fn verify(&self, token: &str, now: impl Into<UnixTime>) -> Result<VerifiedToken, Error> {
        self.current.load().verify(token, now)
    }

    /// [`Verifier::verify_now`] with the verifier in use now.
    pub fn verify_now(&self, token: &str) -> Result<VerifiedToken, Error> {
        self.current.load().verify_now(token)
    }

    /// Replaces the whole verifier (keys, policy and options).
    pub fn replace(&self, verifier: Verifier) {
        crate::observe::keys_in_use(verifier.keys().len(), verifier.trusted_test_keys());
        self.current.store(Arc::new(verifier));
    }

    /// Replaces the keys, keeping the current policy and options
    /// ([`Verifier::with_keys`]), and returns whether they changed: keys equal to those in
    /// use (the same keys, with the same `kid`s, in the same order) are left in place, so
    /// that the cache and the key-order memory stay.
    pub fn replace_keys(&self, keys: KeySet) -> bool {
        let mut changed = false;
        // Read-modify-write, so that two concurrent replacements cannot lose the policy:
        // each one builds on whatever is current when it lands.
        self.current.rcu(|current| {
            changed = !current.keys().same_keys(&keys);
            if changed {
                Arc::new(current.with_keys(keys.clone()))
            } else {
                Arc::clone(current)
            }
        });
        let current = self.current.load();
        crate::observe::keys_in_use(current.keys().len(), current.trusted_test_keys());
        changed
    }

    /// Loads `path` as [`KeySet::from_file`] does and, if it loads, replaces the keys with it
    /// ([`replace_keys`](Self::replace_keys)): the answer says how many it holds and whether
    /// they changed. If it does not load, the keys in use stay and the error says why (which
    /// block, what is wrong). Counted in [`stats`](Self::stats) either way, and logged with
    /// feature `tracing`.
    ///
    /// It never blocks: `path` must name a regular file or a symlink to one, and a FIFO, a
    /// socket or a device is refused unread
    /// ([`KeyErrorKind::NotARegularFile`](crate::keys::KeyErrorKind::NotARegularFile)).
    /// Replace the file by an atomic rename (see the [module](self)).
    ///
    /// New keys that hold a test key this crate ships, under a policy that does not
    /// [refuse their tokens](crate::Policy::refuse_test_keys), are put in use as any others,
    /// and warned about every time: a WARN event (feature `tracing`, else a line on stderr),
    /// [`ReloadStats::test_keys`], and the `facilioo_jwt_test_keys_trusted` gauge (feature
    /// `metrics`).
    pub fn reload_keys(&self, path: impl AsRef<Path>) -> Result<Reload, KeyError> {
        let path = path.as_ref();
        let result = crate::keys::from_regular_file(path).map(|keys| Reload {
            keys: keys.len(),
            changed: self.replace_keys(keys),
        });
        let counter = match &result {
            Ok(Reload { changed: true, .. }) => 0,
            Ok(Reload { changed: false, .. }) => 1,
            Err(_) => 2,
        };
        self.reloads[counter].fetch_add(1, Relaxed);
        crate::observe::reload(path, &result);
        if counter == 0 {
            let trusted = self.current.load().trusted_test_keys();
            if trusted > 0 {
                self.reloads[3].fetch_add(1, Relaxed);
                crate::observe::reload_trusts_test_keys(path, trusted);
            }
        }
        result
    }
}

impl From<Verifier> for LiveVerifier {
    fn from(verifier: Verifier) -> Self {
        Self::new(verifier)
    }
}
