//! Keys that change while a service runs: a verifier shared by every request and swapped
//! atomically, and reloading it from a key file.
//!
//! Reloading is on demand ([`LiveVerifier::reload_keys`]): this crate starts no thread and
//! reads no clock or signal of its own, so the service decides when, on `SIGHUP` (as
//! `examples/service.rs` does), on an interval, or when its deployment tool says so. A file
//! that does not load leaves the keys in use untouched, and the error says why.

use std::path::Path;
use std::sync::Arc;

use arc_swap::ArcSwap;

use crate::keys::KeyError;
use crate::{Error, KeySet, UnixTime, VerifiedToken, Verifier};

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
}

impl LiveVerifier {
    /// Starts with `verifier`.
    pub fn new(verifier: Verifier) -> Self {
        Self {
            current: Arc::new(ArcSwap::from_pointee(verifier)),
        }
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
        self.current.store(Arc::new(verifier));
    }

    /// Replaces the keys, keeping the current policy and options
    /// ([`Verifier::with_keys`]).
    pub fn replace_keys(&self, keys: KeySet) {
        // Read-modify-write, so that two concurrent replacements cannot lose the policy:
        // each one builds on whatever is current when it lands.
        self.current
            .rcu(|current| Arc::new(current.with_keys(keys.clone())));
    }

    /// Loads `path` with [`KeySet::from_file`] and, if it loads, replaces the keys with it
    /// and returns how many it holds. If it does not load, the keys in use stay and the
    /// error says why (which block, what is wrong).
    pub fn reload_keys(&self, path: impl AsRef<Path>) -> Result<usize, KeyError> {
        let keys = KeySet::from_file(path)?;
        let count = keys.len();
        self.replace_keys(keys);
        Ok(count)
    }
}

impl From<Verifier> for LiveVerifier {
    fn from(verifier: Verifier) -> Self {
        Self::new(verifier)
    }
}
