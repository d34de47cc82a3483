//! The verifier: signature first, then the claims against the policy, the time window last.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

use crate::cache::{Cache, CacheStats, Lookup};
use crate::keys::Thumbprint;
use crate::observe::Reporter;
use crate::stats::{KeyCounts, KeyStats, Lifetime, Stats, stripe};
use crate::{Claims, Error, KeySet, Policy, UnixTime, claims, jws};

/// Verifies facilioo access tokens: a key set and a policy, built once and shared.
///
/// `Verifier` is `Send + Sync`, cheap to clone (clones share everything), and verification
/// takes `&self`, so one instance serves every thread of a service.
///
/// ```
/// use facilioo_jwt::{Error, KeySet, Policy, UnixTime, Verifier};
///
/// // The example token from facilioo's docs, signed by a key facilioo has since retired.
/// let token = include_str!("../tests/data/example-token.txt").trim();
/// let retired = KeySet::from_pem(include_str!("../tests/data/retired-key-2022.pem"))?;
/// let verifier = Verifier::new(retired, Policy::facilioo_dev());
///
/// // 2022-05-05T14:30:00Z, inside the token's hour.
/// let verified = verifier.verify(token, UnixTime::from_secs(1_651_761_000))?;
/// assert_eq!(verified.subject().account_id(), 2);
/// assert_eq!(verified.issuer(), "dev-api.facilioo.de");
///
/// // Two hours later it has expired: the client should refresh it.
/// let err = verifier.verify(token, UnixTime::from_secs(1_651_768_200)).unwrap_err();
/// assert!(err.is_expired());
///
/// // facilioo's current keys did not sign it.
/// let current = Verifier::new(KeySet::facilioo(), Policy::facilioo_dev());
/// assert_eq!(
///     current.verify(token, UnixTime::from_secs(1_651_761_000)),
///     Err(Error::InvalidSignature)
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct Verifier {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    keys: KeySet,
    policy: Policy,
    /// The key that verified last, tried first next time (after a key the token's `kid`
    /// names): tokens of a service mostly come from one key, so in steady state any of them
    /// costs one RSA operation, whichever position its key has. Lock-free; a stale value only
    /// costs an extra try.
    last_key: AtomicUsize,
    /// Verifications by outcome and RSA operations since the first verifier of this line
    /// (carried over by `with_keys` and `with_cache`).
    lifetime: Arc<Lifetime>,
    /// What each key of this set verified (registered with `lifetime`, retired on drop).
    per_key: Arc<KeyCounts>,
    cache: Option<Cache>,
    /// What goes to `metrics` and `tracing` (features of those names; empty without them).
    reporter: Reporter,
}

impl Drop for Inner {
    fn drop(&mut self) {
        // Nothing verifies with this key set any more: its counts become history.
        self.lifetime.retire(&self.per_key);
    }
}

impl Verifier {
    /// A verifier that trusts `keys` and applies `policy`.
    pub fn new(keys: KeySet, policy: Policy) -> Self {
        Self::build(keys, policy, None, Arc::new(Lifetime::new()))
    }

    fn build(keys: KeySet, policy: Policy, cache: Option<Cache>, lifetime: Arc<Lifetime>) -> Self {
        Self {
            inner: Arc::new(Inner {
                per_key: lifetime.key_set(keys.len()),
                keys,
                policy,
                last_key: AtomicUsize::new(0),
                lifetime,
                cache,
                reporter: Reporter::default(),
            }),
        }
    }

    /// This verifier with a cache of up to `capacity` verified tokens (0: none), so that a
    /// token seen again costs a lookup instead of an RSA operation. Forged signatures are
    /// remembered too, in an eighth as much room of their own. Every hit re-checks the time
    /// window against the call's `now`; nothing else a cache answers can change, because a
    /// verifier's keys and policy cannot. See [`cache`](crate::cache) for what it keeps and
    /// what that costs (about 270 bytes per entry plus the token). A capacity above
    /// [`MAX_CACHE_CAPACITY`](crate::limits::MAX_CACHE_CAPACITY) is taken as that.
    ///
    /// ```
    /// use facilioo_jwt::{KeySet, Policy, UnixTime, Verifier};
    ///
    /// let token = include_str!("../tests/data/example-token.txt").trim();
    /// let keys = KeySet::from_file("tests/data/retired-key-2022.pem")?;
    /// let verifier = Verifier::new(keys, Policy::facilioo_dev()).with_cache(10_000);
    /// let inside = UnixTime::from_secs(1_651_761_000);
    /// assert!(verifier.verify(token, inside).is_ok()); // one RSA operation
    /// assert!(verifier.verify(token, inside).is_ok()); // none
    /// let stats = verifier.cache_stats().expect("a cache");
    /// assert_eq!((stats.hits, stats.misses), (1, 1));
    /// assert_eq!(verifier.signature_checks(), 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn with_cache(self, capacity: usize) -> Self {
        let capacity = capacity.min(crate::limits::MAX_CACHE_CAPACITY);
        let cache = (capacity > 0).then(|| Cache::new(capacity));
        let lifetime = self.inner.lifetime.clone();
        Self::build(self.keys().clone(), self.policy().clone(), cache, lifetime)
    }

    /// A new verifier with `keys` instead of this one's, and the same policy and options:
    /// key rotation. Nothing learnt under the old keys carries over: the cache starts empty
    /// and the key-order memory afresh. Only the counts of verifications and RSA operations
    /// go on ([`stats`](Self::stats)).
    pub fn with_keys(&self, keys: KeySet) -> Self {
        let cache = self.inner.cache.as_ref().map(|c| Cache::new(c.capacity()));
        let lifetime = self.inner.lifetime.clone();
        Self::build(keys, self.policy().clone(), cache, lifetime)
    }

    /// The trusted keys.
    pub fn keys(&self) -> &KeySet {
        &self.inner.keys
    }

    /// The claim policy.
    pub fn policy(&self) -> &Policy {
        &self.inner.policy
    }

    /// How many of the keys are test keys this crate ships whose tokens the policy does not
    /// refuse: anything but 0 means anyone can mint tokens this verifier accepts.
    #[cfg(any(feature = "live", feature = "http"))]
    pub(crate) fn trusted_test_keys(&self) -> usize {
        if self.policy().refuses_test_keys() {
            0
        } else {
            self.keys().test_key_count()
        }
    }

    /// What the cache has done so far, if this verifier has one
    /// ([`with_cache`](Self::with_cache)).
    pub fn cache_stats(&self) -> Option<CacheStats> {
        self.inner.cache.as_ref().map(Cache::stats)
    }

    /// How many RSA operations this verifier (and its clones) have made: one per key tried
    /// on a token's signature. With the key-order memory, a steady stream of valid tokens
    /// makes one each; a forged token at most one per key of the set. Like the other
    /// lifetime counts of [`stats`](Self::stats), it counts on through
    /// [`with_keys`](Self::with_keys) and [`with_cache`](Self::with_cache).
    pub fn signature_checks(&self) -> u64 {
        self.inner.lifetime.signature_checks.load(Relaxed)
    }

    /// What this verifier has done: verifications by outcome and RSA operations since it
    /// was made (counted on through [`with_keys`](Self::with_keys) and
    /// [`with_cache`](Self::with_cache), shared with clones), and for the key set in use
    /// the tokens each key verified and the cache's counts. See [`stats`](crate::stats).
    ///
    /// ```
    /// use facilioo_jwt::{KeySet, Policy, UnixTime, Verifier};
    ///
    /// let token = include_str!("../tests/data/example-token.txt").trim();
    /// let keys = KeySet::from_file("tests/data/retired-key-2022.pem")?;
    /// let verifier = Verifier::new(keys, Policy::facilioo_dev());
    /// assert!(verifier.verify(token, UnixTime::from_secs(1_651_761_000)).is_ok());
    /// assert!(verifier.verify(token, UnixTime::from_secs(1_651_768_200)).is_err());
    /// let stats = verifier.stats();
    /// assert_eq!(stats.outcomes.verified(), 1);
    /// assert_eq!(stats.outcomes.get("expired"), 1);
    /// assert_eq!(stats.keys[0].verified, 2); // the expired token's signature verified too
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn stats(&self) -> Stats {
        let inner = &*self.inner;
        Stats {
            outcomes: inner.lifetime.outcomes(),
            signature_checks: self.signature_checks(),
            keys: inner
                .keys
                .iter()
                .enumerate()
                .map(|(index, key)| KeyStats {
                    index,
                    thumbprint: *key.thumbprint(),
                    verified: inner.per_key.verified(index),
                })
                .collect(),
            cache: self.cache_stats(),
            reloads: None,
        }
    }

    /// Verifies `token` as of `now`: structure and header, the RS256 signature against the
    /// keys of the set, the claims (`iss`, `aud`, `sub`, party type), and last the time
    /// window with the policy's leeway. The first failure is returned; see [`Error`] for the
    /// order.
    ///
    /// `now` is anything that converts into a [`UnixTime`]: [`std::time::SystemTime`],
    /// [`time::OffsetDateTime`], or [`UnixTime::from_secs`].
    pub fn verify(&self, token: &str, now: impl Into<UnixTime>) -> Result<VerifiedToken, Error> {
        // The key whose signature verified (also when the claims then fail), and how the
        // cache answered.
        let mut signed_by = None;
        let mut lookup = Lookup::Bypassed;
        let result = match &self.inner.cache {
            Some(cache) => cache.get_or_verify(token, &mut lookup, || {
                self.verify_except_time(token, &mut signed_by)
            }),
            None => self.verify_except_time(token, &mut signed_by),
        };
        // The window is checked on a reference, so that a valid token is returned where it
        // lies (a verified token is a few hundred bytes).
        let window = match &result {
            Ok(verified) => {
                signed_by = Some(verified.key_index);
                verified.check_window(now.into(), self.inner.policy.leeway_secs())
            }
            Err(_) => Ok(()),
        };
        let result = match window {
            Ok(()) => result,
            Err(e) => Err(e),
        };
        self.count(&result, signed_by, lookup);
        result
    }

    /// Counts a verification (and with features `metrics` and `tracing`, reports it).
    fn count(
        &self,
        result: &Result<VerifiedToken, Error>,
        signed_by: Option<usize>,
        lookup: Lookup,
    ) {
        let inner = &*self.inner;
        inner
            .lifetime
            .count(&inner.per_key, stripe(), result, signed_by);
        inner.reporter.verification(
            &inner.keys,
            result,
            signed_by.and_then(|i| Some((i, inner.keys.get(i)?))),
            inner.cache.is_some().then_some(lookup),
        );
    }

    /// [`verify`](Self::verify) as of the system clock.
    pub fn verify_now(&self, token: &str) -> Result<VerifiedToken, Error> {
        self.verify(token, UnixTime::now())
    }

    /// Everything but the time window: what stays true of a token for this verifier's life.
    /// `signed_by` is set to the key whose signature verified.
    fn verify_except_time(
        &self,
        token: &str,
        signed_by: &mut Option<usize>,
    ) -> Result<VerifiedToken, Error> {
        let Inner {
            keys,
            policy,
            last_key,
            lifetime,
            reporter,
            ..
        } = &*self.inner;
        let mut checks = 0;
        let remembered = last_key.load(Relaxed);
        let verified = jws::verify_in_order(
            keys,
            token,
            policy.max_token_len(),
            Some(remembered),
            &mut checks,
            |signed| {
                if signed.key_index != remembered {
                    last_key.store(signed.key_index, Relaxed);
                }
                *signed_by = Some(signed.key_index);
                if signed.key.is_test_key() && policy.refuses_test_keys() {
                    return Err(Error::TestKey);
                }
                Ok(VerifiedToken {
                    claims: claims::check(signed.payload, policy)?,
                    key_index: signed.key_index,
                    key_thumbprint: *signed.key.thumbprint(),
                    test_key: signed.key.is_test_key(),
                })
            },
        );
        if checks > 0 {
            lifetime
                .signature_checks
                .fetch_add(u64::from(checks), Relaxed);
            reporter.signature_checks(keys, checks);
        }
        verified
    }
}

/// A token that verified: its [`Claims`] (through `Deref`: `subject()`, `issuer()`,
/// `expires_at()`, …) and the key that vouched for it.
///
/// Owned and `Clone + Send + Sync + 'static`, so it can be returned from an extractor, kept
/// in request extensions, cached or sent to another task. Only a [`Verifier`] makes one.
/// With the `serde` feature it serializes as its claims plus `keyIndex`, `keyThumbprint` and,
/// for a test key, `"testKey":true`;
/// it does not deserialize (that would make a "verified" token from any JSON).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct VerifiedToken {
    #[cfg_attr(feature = "serde", serde(flatten))]
    claims: Claims,
    #[cfg_attr(feature = "serde", serde(rename = "keyIndex"))]
    key_index: usize,
    #[cfg_attr(feature = "serde", serde(rename = "keyThumbprint"))]
    key_thumbprint: Thumbprint,
    #[cfg_attr(
        feature = "serde",
        serde(rename = "testKey", skip_serializing_if = "core::ops::Not::not")
    )]
    test_key: bool,
}

impl VerifiedToken {
    /// The verified claims.
    pub fn claims(&self) -> &Claims {
        &self.claims
    }

    /// The verified claims, without the key information.
    pub fn into_claims(self) -> Claims {
        self.claims
    }

    /// The position in the verifier's key set of the key that verified the signature.
    pub fn key_index(&self) -> usize {
        self.key_index
    }

    /// Whether the key that verified the signature is one of the test keys this crate ships
    /// ([`PublicKey::is_test_key`](crate::keys::PublicKey::is_test_key)): anyone can mint
    /// such a token. A service should never see `true` outside its tests; a policy can refuse
    /// them ([`Policy::refuse_test_keys`](crate::Policy::refuse_test_keys)).
    pub fn is_test_key(&self) -> bool {
        self.test_key
    }

    /// The [RFC 7638](https://www.rfc-editor.org/rfc/rfc7638) thumbprint of the key that
    /// verified the signature: a stable name for it across key sets and forms.
    pub fn key_thumbprint(&self) -> &Thumbprint {
        &self.key_thumbprint
    }
}

impl core::ops::Deref for VerifiedToken {
    type Target = Claims;
    fn deref(&self) -> &Claims {
        &self.claims
    }
}

impl KeySet {
    /// Verifies the compact JWS layer only: the size cap `max_len`, three strict base64url
    /// segments, the header rules (`alg` exactly `RS256`; no `crit`, `b64` or `cty`; `typ`
    /// absent or `JWT`), and the signature over the exact ASCII `header.payload` against each
    /// key (a header `kid` naming a key of the set moves it to the front). The payload is
    /// neither parsed nor checked: for a JWT use [`Verifier::verify`].
    pub fn verify_jws<'k, 't>(
        &'k self,
        token: &'t str,
        max_len: usize,
    ) -> Result<jws::Jws<'k, 't>, Error> {
        jws::verify(self, token, max_len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_owned_and_shareable<T: Clone + Send + Sync + 'static>() {}

    /// A key set's counts are folded into the lifetime's when its verifier is gone, not kept:
    /// a service reloading keys all day holds the counts of the sets in use only.
    #[test]
    fn retired_key_sets_are_folded_not_kept() {
        let first = Verifier::new(KeySet::facilioo(), Policy::facilioo_dev());
        let lifetime = Arc::clone(&first.inner.lifetime);
        let mut current = first;
        for _ in 0..10 {
            current = current.with_keys(KeySet::facilioo());
        }
        assert_eq!(lifetime.key_sets_held(), 1);
        let kept = current.clone().with_cache(10);
        assert_eq!(lifetime.key_sets_held(), 2, "both in use");
        drop(current);
        assert_eq!(lifetime.key_sets_held(), 1);
        drop(kept);
        assert_eq!(lifetime.key_sets_held(), 0);
    }

    #[test]
    fn shareable_types() {
        assert_owned_and_shareable::<Verifier>();
        assert_owned_and_shareable::<VerifiedToken>();
        assert_owned_and_shareable::<Claims>();
        assert_owned_and_shareable::<KeySet>();
        assert_owned_and_shareable::<Error>();
    }
}
