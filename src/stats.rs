//! What a verifier has done: verifications by outcome, RSA operations, verifications per key
//! and the cache's counts ([`Verifier::stats`](crate::Verifier::stats)), in every build.
//!
//! The same counts go to the [`metrics`](https://docs.rs/metrics) facade with feature
//! `metrics`, under the names in [`names`]; `stats()` needs no feature and no exporter.
//!
//! Counting is striped: each thread adds to counters on cache lines of its own (threads take
//! stripes in turn), and reading sums the stripes, so threads verifying at once never write
//! the same line. A count is exact once the verifications it counts have returned.

use std::cell::Cell;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering::Relaxed};
use std::sync::{Arc, Mutex, PoisonError};

use crate::Error;
use crate::cache::CacheStats;
use crate::keys::Thumbprint;

/// How many characters of a key's base64url RFC 7638 thumbprint name it in stats, logs and
/// metric labels: 8 characters, 48 bits, enough to tell apart the keys of any set (at most
/// [`MAX_KEYS`](crate::limits::MAX_KEYS)) and short enough to read.
pub const KEY_LABEL_LEN: usize = 8;

/// The outcome codes in the order [`Outcomes`] counts them: `ok`, then every
/// [`Error::code`].
pub const OUTCOME_CODES: [&str; OUTCOMES] = [
    "ok",
    "malformed",
    "too_large",
    "unsupported_algorithm",
    "unsupported_critical",
    "invalid_type",
    "invalid_signature",
    "test_key",
    "expired",
    "not_yet_valid",
    "invalid_issuer",
    "invalid_audience",
    "missing_claim",
    "invalid_claim",
    "party_type_not_allowed",
];

const OUTCOMES: usize = 15;

/// The position of `result`'s outcome in [`OUTCOME_CODES`].
pub(crate) fn outcome_index<T>(result: &Result<T, Error>) -> usize {
    match result {
        Ok(_) => 0,
        Err(e) => match e {
            Error::Malformed(_) => 1,
            Error::TooLarge { .. } => 2,
            Error::UnsupportedAlgorithm => 3,
            Error::UnsupportedCritical => 4,
            Error::InvalidType => 5,
            Error::InvalidSignature => 6,
            Error::TestKey => 7,
            Error::Expired { .. } => 8,
            Error::NotYetValid { .. } => 9,
            Error::InvalidIssuer => 10,
            Error::InvalidAudience => 11,
            Error::MissingClaim(_) => 12,
            Error::InvalidClaim(_) => 13,
            Error::PartyTypeNotAllowed(_) => 14,
        },
    }
}

/// The names this crate's metrics go by (feature `metrics`), all counters but the gauges
/// [`KEYS`] and [`TEST_KEYS_TRUSTED`].
///
/// [`KEYS`]: names::KEYS
/// [`TEST_KEYS_TRUSTED`]: names::TEST_KEYS_TRUSTED
pub mod names {
    /// Verifications by `outcome`: `ok` or the refusal's [`Error::code`](crate::Error::code).
    pub const VERIFICATIONS: &str = "facilioo_jwt_verifications_total";
    /// RSA operations (one per key tried on a signature).
    pub const SIGNATURE_CHECKS: &str = "facilioo_jwt_signature_checks_total";
    /// Tokens that verified, by `key` (its thumbprint's first
    /// [`KEY_LABEL_LEN`](super::KEY_LABEL_LEN) characters): which key facilioo signs with now.
    pub const KEY_VERIFICATIONS: &str = "facilioo_jwt_key_verifications_total";
    /// Cache lookups that found the token, by `entry`: `verified` or `forged`.
    pub const CACHE_HITS: &str = "facilioo_jwt_cache_hits_total";
    /// Cache lookups that found nothing (the token was then verified in full).
    pub const CACHE_MISSES: &str = "facilioo_jwt_cache_misses_total";
    /// Cache entries dropped to make room.
    pub const CACHE_EVICTIONS: &str = "facilioo_jwt_cache_evictions_total";
    /// Key reloads by `result`: `ok` (new keys in use), `unchanged` (the file holds the keys
    /// in use) or `error` (the keys in use stay).
    pub const RELOADS: &str = "facilioo_jwt_reloads_total";
    /// A gauge: the keys in use.
    pub const KEYS: &str = "facilioo_jwt_keys";
    /// A gauge: how many of the keys in use are test keys this crate ships whose tokens the
    /// policy does not refuse (a `LiveVerifier`'s; feature `live`). Alert on anything but 0
    /// in production: anyone can mint tokens such a service accepts.
    pub const TEST_KEYS_TRUSTED: &str = "facilioo_jwt_test_keys_trusted";
    /// What the HTTP layers decided, by `outcome`: `ok` (a token admitted), or the refusal's
    /// `Denial::reason` (feature `http`): one per request, plus one for each refusal a
    /// scoping helper (`require_company`, …) makes of a token already admitted.
    pub const HTTP_OUTCOMES: &str = "facilioo_jwt_http_outcomes_total";
}

/// Verifications counted by outcome: `ok` and each [`Error::code`]. Its `Debug` names each
/// outcome (`{"ok": 2, "expired": 1, …}`, zeros left out).
#[derive(Clone, Copy, Default, PartialEq, Eq)]
pub struct Outcomes([u64; OUTCOMES]);

impl core::fmt::Debug for Outcomes {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_map()
            .entries(self.iter().filter(|(_, n)| *n > 0))
            .finish()
    }
}

impl Outcomes {
    /// Tokens that verified.
    pub fn verified(&self) -> u64 {
        self.0[0]
    }

    /// Tokens refused, whatever the reason.
    pub fn refused(&self) -> u64 {
        self.0[1..].iter().sum()
    }

    /// The count of one outcome: `"ok"` or an [`Error::code`]; 0 for any other text.
    pub fn get(&self, code: &str) -> u64 {
        OUTCOME_CODES
            .iter()
            .position(|c| *c == code)
            .map_or(0, |i| self.0[i])
    }

    /// Every outcome and its count, `ok` first, then the refusals in [`Error::code`]'s
    /// order (zeros included).
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, u64)> + '_ {
        OUTCOME_CODES.iter().copied().zip(self.0.iter().copied())
    }
}

/// What one key of the set has verified.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct KeyStats {
    /// Its position in the key set.
    pub index: usize,
    /// Its RFC 7638 thumbprint.
    pub thumbprint: Thumbprint,
    /// Tokens whose signature it verified since this key set came into use: the valid ones
    /// and those refused after the signature (expired, another issuer, …), each call counted,
    /// cache hits included. Not RSA operations: see [`Stats::signature_checks`].
    pub verified: u64,
}

impl KeyStats {
    /// The key's name in logs and metric labels: the first [`KEY_LABEL_LEN`] characters of
    /// its base64url thumbprint.
    pub fn label(&self) -> String {
        key_label(&self.thumbprint)
    }
}

/// The first [`KEY_LABEL_LEN`] characters of `thumbprint` in base64url.
pub(crate) fn key_label(thumbprint: &Thumbprint) -> String {
    let mut label = thumbprint.to_string();
    label.truncate(KEY_LABEL_LEN);
    label
}

/// What a verifier has done ([`Verifier::stats`](crate::Verifier::stats)).
///
/// Verifications and RSA operations are counted from the verifier's creation, across key
/// changes ([`Verifier::with_keys`](crate::Verifier::with_keys), a `LiveVerifier`'s reloads)
/// and shared by its clones; the per-key counts and the cache's are those of the key set in
/// use, which starts them afresh.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Stats {
    /// Verifications by outcome.
    pub outcomes: Outcomes,
    /// RSA operations: one per key tried on a signature.
    pub signature_checks: u64,
    /// Each key of the set in use, in order.
    pub keys: Vec<KeyStats>,
    /// The cache's counts, if the verifier has one.
    pub cache: Option<CacheStats>,
    /// Key reloads, for a `LiveVerifier` (feature `live`); `None` for a [`Verifier`](crate::Verifier).
    pub reloads: Option<ReloadStats>,
}

/// Key reloads by result (`LiveVerifier::reload_keys`, feature `live`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ReloadStats {
    /// Reloads that put new keys in use.
    pub ok: u64,
    /// Reloads of a file holding the keys in use: nothing changed.
    pub unchanged: u64,
    /// Reloads of a file that did not load: the keys in use stayed.
    pub error: u64,
    /// Reloads (of the `ok` ones) that put in use a test key this crate ships, under a
    /// policy that does not refuse its tokens: anyone could then mint tokens the service
    /// accepts. Each is also warned about.
    pub test_keys: u64,
}

/// Counters that threads add to without sharing a cache line: `len` counters per stripe,
/// [`STRIPES`] stripes, each stripe on lines of its own. Reading sums the stripes.
#[derive(Debug)]
pub(crate) struct StripedCounts {
    lines_per_stripe: usize,
    lines: Box<[Line]>,
}

/// Sixteen counters on one 128-byte line pair (x86 fetches lines in pairs).
#[derive(Debug, Default)]
#[repr(align(128))]
struct Line([AtomicU64; PER_LINE]);

const PER_LINE: usize = 16;

/// Stripes of every striped counter: up to this many threads count without meeting.
pub(crate) const STRIPES: usize = 16;

impl StripedCounts {
    /// `len` counters, all 0.
    pub(crate) fn new(len: usize) -> Self {
        let lines_per_stripe = len.div_ceil(PER_LINE).max(1);
        Self {
            lines_per_stripe,
            lines: (0..lines_per_stripe * STRIPES)
                .map(|_| Line::default())
                .collect(),
        }
    }

    /// Adds one to counter `i` on `stripe` (below [`STRIPES`], from [`stripe()`]; nothing if
    /// there is no such counter).
    pub(crate) fn add_one(&self, stripe: usize, i: usize) {
        let line = stripe * self.lines_per_stripe + i / PER_LINE;
        if i < self.lines_per_stripe * PER_LINE
            && let Some(line) = self.lines.get(line)
        {
            line.0[i % PER_LINE].fetch_add(1, Relaxed);
        }
    }

    /// Counter `i`, summed over the stripes.
    pub(crate) fn sum(&self, i: usize) -> u64 {
        if i >= self.lines_per_stripe * PER_LINE {
            return 0;
        }
        (0..STRIPES)
            .filter_map(|s| self.lines.get(s * self.lines_per_stripe + i / PER_LINE))
            .map(|line| line.0[i % PER_LINE].load(Relaxed))
            .sum()
    }
}

/// The stripe the next thread takes. Process-wide, but it decides only which line a thread
/// counts on, never a count or a verdict.
static NEXT_STRIPE: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    /// This thread's stripe, once it has one (`usize::MAX` before). No destructor, so it
    /// stays readable even while the thread's other thread-locals are being destroyed.
    static STRIPE: Cell<usize> = const { Cell::new(usize::MAX) };
}

/// This thread's stripe (below [`STRIPES`]), taken on first use.
pub(crate) fn stripe() -> usize {
    STRIPE
        .try_with(|stripe| {
            if stripe.get() == usize::MAX {
                stripe.set(NEXT_STRIPE.fetch_add(1, Relaxed) % STRIPES);
            }
            stripe.get()
        })
        .unwrap_or(0)
}

/// The counts of one verifier's life: shared by its clones and by the verifiers
/// [`with_keys`](crate::Verifier::with_keys) and `with_cache` make from it.
///
/// A valid token is counted once, on its key set's [`KeyCounts`] (one atomic add on the hot
/// path, on the thread's own line); the lifetime's `ok` is the sum over the key sets in use
/// and those retired. A refusal is counted here, and on its key set's counts too when a
/// key's signature verified.
#[derive(Debug)]
pub(crate) struct Lifetime {
    /// Refusals by outcome index (0, `ok`, is unused).
    refusals: StripedCounts,
    pub(crate) signature_checks: AtomicU64,
    /// The key sets in use, and the valid tokens of those no longer in use.
    sets: Mutex<KeySets>,
}

#[derive(Debug, Default)]
struct KeySets {
    in_use: Vec<Arc<KeyCounts>>,
    retired_ok: u64,
}

/// What one key set's keys verified: per key, the valid tokens and the tokens refused after
/// the key's signature verified.
#[derive(Debug)]
pub(crate) struct KeyCounts {
    keys: usize,
    counts: StripedCounts,
}

impl KeyCounts {
    /// Counters for `keys` keys: valid tokens at `2 × key`, refused ones at `2 × key + 1`.
    fn new(keys: usize) -> Self {
        Self {
            keys,
            counts: StripedCounts::new(2 * keys),
        }
    }

    /// Tokens key `index` verified: valid, and refused after its signature verified.
    pub(crate) fn verified(&self, index: usize) -> u64 {
        self.counts.sum(2 * index) + self.counts.sum(2 * index + 1)
    }

    fn ok(&self) -> u64 {
        (0..self.keys).map(|k| self.counts.sum(2 * k)).sum()
    }
}

impl Lifetime {
    pub(crate) fn new() -> Self {
        Self {
            refusals: StripedCounts::new(OUTCOMES),
            signature_checks: AtomicU64::new(0),
            sets: Mutex::default(),
        }
    }

    fn sets(&self) -> std::sync::MutexGuard<'_, KeySets> {
        // The counts stay consistent whatever panicked while the lock was held.
        self.sets.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The counts of a key set of `keys` keys coming into use.
    pub(crate) fn key_set(&self, keys: usize) -> Arc<KeyCounts> {
        let counts = Arc::new(KeyCounts::new(keys));
        self.sets().in_use.push(Arc::clone(&counts));
        counts
    }

    /// How many key sets' counts are held (those in use).
    #[cfg(test)]
    pub(crate) fn key_sets_held(&self) -> usize {
        self.sets().in_use.len()
    }

    /// A key set's verifier is gone: its valid tokens join the retired ones.
    pub(crate) fn retire(&self, counts: &Arc<KeyCounts>) {
        let mut sets = self.sets();
        if let Some(at) = sets.in_use.iter().position(|c| Arc::ptr_eq(c, counts)) {
            sets.in_use.swap_remove(at);
            sets.retired_ok += counts.ok();
        }
    }

    /// Counts `result` on `stripe`, the key `signed_by` of `set` credited if it verified.
    #[inline]
    pub(crate) fn count<T>(
        &self,
        set: &KeyCounts,
        stripe: usize,
        result: &Result<T, Error>,
        signed_by: Option<usize>,
    ) {
        match (result, signed_by) {
            (Ok(_), Some(key)) => set.counts.add_one(stripe, 2 * key),
            (Ok(_), None) => {} // every valid token has a key
            (Err(_), key) => {
                self.refusals.add_one(stripe, outcome_index(result));
                if let Some(key) = key {
                    set.counts.add_one(stripe, 2 * key + 1);
                }
            }
        }
    }

    pub(crate) fn outcomes(&self) -> Outcomes {
        let mut counts = [0; OUTCOMES];
        for (i, count) in counts.iter_mut().enumerate().skip(1) {
            *count = self.refusals.sum(i);
        }
        let sets = self.sets();
        counts[0] = sets.retired_ok + sets.in_use.iter().map(|c| c.ok()).sum::<u64>();
        Outcomes(counts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{Claim, Malformed};

    /// The table agrees with `Error::code` for every variant, so a code can never be counted
    /// under another's name.
    #[test]
    fn outcome_codes_are_the_error_codes() {
        let errors = [
            Error::Malformed(Malformed::SegmentCount),
            Error::TooLarge { len: 2, max: 1 },
            Error::UnsupportedAlgorithm,
            Error::UnsupportedCritical,
            Error::InvalidType,
            Error::InvalidSignature,
            Error::TestKey,
            Error::Expired {
                exp: crate::UnixTime::from_secs(1),
                now: crate::UnixTime::from_secs(2),
            },
            Error::NotYetValid {
                nbf: crate::UnixTime::from_secs(2),
                now: crate::UnixTime::from_secs(1),
            },
            Error::InvalidIssuer,
            Error::InvalidAudience,
            Error::MissingClaim(Claim::Exp),
            Error::InvalidClaim(Claim::Sub),
            Error::PartyTypeNotAllowed(None),
        ];
        assert_eq!(errors.len() + 1, OUTCOMES);
        assert_eq!(OUTCOME_CODES[outcome_index::<()>(&Ok(()))], "ok");
        for e in errors {
            assert_eq!(OUTCOME_CODES[outcome_index::<()>(&Err(e))], e.code());
        }
    }

    /// A one-counter stripe set (the cache's hits) is exact from many threads, and threads
    /// that take stripes one after another count on different ones.
    #[test]
    fn one_counter_is_counted_per_thread_and_summed() {
        let counter = StripedCounts::new(1);
        std::thread::scope(|scope| {
            for _ in 0..4 {
                scope.spawn(|| (0..1000).for_each(|_| counter.add_one(stripe(), 0)));
            }
        });
        assert_eq!(counter.sum(0), 4000);
        let first = std::thread::spawn(stripe).join().expect("a stripe");
        let second = std::thread::spawn(stripe).join().expect("a stripe");
        assert_ne!(first, second);
        assert!(first < STRIPES && second < STRIPES);
        assert_eq!(stripe(), stripe(), "a thread keeps its stripe");
    }

    #[test]
    fn striped_counts_sum_over_threads_and_ignore_out_of_range() {
        let counts = StripedCounts::new(20);
        std::thread::scope(|s| {
            for _ in 0..4 {
                s.spawn(|| {
                    for _ in 0..1000 {
                        counts.add_one(stripe(), 0);
                        counts.add_one(stripe(), 19);
                    }
                });
            }
        });
        counts.add_one(stripe(), 32); // past the lines: ignored
        counts.add_one(STRIPES, 0); // past the stripes: ignored
        assert_eq!(
            (counts.sum(0), counts.sum(19), counts.sum(1)),
            (4000, 4000, 0)
        );
        assert_eq!(counts.sum(32), 0);
        assert_eq!(counts.sum(31), 0);
    }

    #[test]
    fn outcomes_read_by_code() {
        let mut counts = [0; OUTCOMES];
        counts[0] = 5;
        counts[6] = 2;
        counts[8] = 1;
        let outcomes = Outcomes(counts);
        assert_eq!(outcomes.verified(), 5);
        assert_eq!(outcomes.refused(), 3);
        assert_eq!(outcomes.get("invalid_signature"), 2);
        assert_eq!(outcomes.get("expired"), 1);
        assert_eq!(outcomes.get("nonsense"), 0);
        assert_eq!(outcomes.iter().count(), OUTCOMES);
        assert_eq!(outcomes.iter().next(), Some(("ok", 5)));
        assert_eq!(
            format!("{outcomes:?}"),
            r#"{"ok": 5, "invalid_signature": 2, "expired": 1}"#
        );
    }
}
