//! The verified-token cache ([`Verifier::with_cache`](crate::Verifier::with_cache)): a token
//! seen again costs a hash and a comparison instead of an RSA operation.
//!
//! - **Keyed by the whole token.** A keyed SipHash of the token picks the set of slots it may
//!   occupy; the stored token is then compared byte for byte, so two tokens with the same hash
//!   can never be taken for each other.
//! - **Bounded.** At most the configured number of verified tokens, each at most
//!   [`MAX_CACHED_TOKEN_LEN`] bytes (longer tokens are verified, never cached), in sets of 8
//!   to 15 slots, each set with CLOCK eviction (a token hit since the hand last passed gets a
//!   second chance). A set can evict while another still has room, so a cache holds its
//!   capacity in tokens only when it is somewhat larger than the tokens it sees.
//! - **No lock on a hit.** A lookup only reads shared memory (each slot is an atomically
//!   swapped pointer, arc-swap), so threads hitting the same token do not slow each other
//!   down; inserts lock their set.
//! - **Nothing time-dependent is cached.** An entry holds what was verified once and for all:
//!   the signature and every claim rule but the time window. Every hit checks the window
//!   against the call's `now`, so a cached token that has since expired is `expired`, one
//!   looked up before its `nbf` is `not_yet_valid`.
//! - **Refusals: only forged signatures.** A signature that failed under a fixed key set fails
//!   forever, so such a token is remembered too (a replayed forgery costs one lookup), in a
//!   region of its own an eighth the size, so that a flood of forgeries cannot evict verified
//!   tokens. No other refusal is cached.
//! - **Never outlives its keys and policy.** The cache belongs to one verifier, whose key set
//!   and policy cannot change; a new key set ([`Verifier::with_keys`](crate::Verifier::with_keys),
//!   or `live::LiveVerifier` with feature `live`) starts with an empty cache.
//!
//! Memory: about 270 bytes per entry plus the token itself (a facilioo token is about 550
//! bytes), so 10 000 entries take about 8 MiB.

use std::hash::{BuildHasher, RandomState};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering::Relaxed};
use std::sync::{Arc, Mutex, PoisonError};

use arc_swap::ArcSwapOption;

use crate::limits::MAX_CACHED_TOKEN_LEN;
use crate::stats::{StripedCounts, stripe};
use crate::{Error, VerifiedToken};

/// Slots per set (a set of 8 to 15, or one smaller set for a small capacity): few enough
/// that a lookup checks them quickly, enough that a set rarely evicts while others have room.
const WAYS: usize = 8;

/// What a verifier's cache has done so far ([`Verifier::cache_stats`](crate::Verifier::cache_stats)).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct CacheStats {
    /// Lookups that found a verified token.
    pub hits: u64,
    /// Lookups that found a remembered forged signature.
    pub refusal_hits: u64,
    /// Lookups that found nothing (the token was then verified in full).
    pub misses: u64,
    /// Tokens longer than [`MAX_CACHED_TOKEN_LEN`], verified without the cache.
    pub bypassed: u64,
    /// Entries dropped to make room.
    pub evictions: u64,
    /// Verified tokens held now.
    pub len: usize,
    /// Verified tokens it can hold.
    pub capacity: usize,
    /// Forged signatures held now.
    pub refusals_len: usize,
    /// Forged signatures it can hold.
    pub refusals_capacity: usize,
}

impl CacheStats {
    /// The share of lookups answered from the cache, 0.0 to 1.0 (0.0 before any lookup).
    pub fn hit_ratio(&self) -> f64 {
        let answered = self.hits + self.refusal_hits;
        let total = answered + self.misses;
        if total == 0 {
            0.0
        } else {
            // Counts far below 2^52 convert exactly; this is a ratio for display.
            #[allow(clippy::cast_precision_loss)]
            let ratio = answered as f64 / total as f64;
            ratio
        }
    }
}

/// How the cache answered a lookup.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Lookup {
    /// A verified token.
    Hit,
    /// A remembered forged signature.
    ForgedHit,
    /// Nothing: the token was verified, and remembered if it verified or was forged;
    /// `evicted` if that dropped another entry.
    Miss { evicted: bool },
    /// Too long to cache: verified without a lookup.
    Bypassed,
}

/// The cache of one verifier: verified tokens, and forged signatures apart.
#[derive(Debug)]
pub(crate) struct Cache {
    hasher: RandomState,
    verified: Region<VerifiedToken>,
    forged: Region<()>,
    misses: AtomicU64,
    bypassed: AtomicU64,
}

impl Cache {
    /// A cache for `capacity` verified tokens (and an eighth as many forged signatures).
    pub(crate) fn new(capacity: usize) -> Self {
        Self {
            hasher: RandomState::new(),
            verified: Region::new(capacity),
            forged: Region::new(capacity.div_ceil(8)),
            misses: AtomicU64::new(0),
            bypassed: AtomicU64::new(0),
        }
    }

    /// The verified token for `token` from the cache, or `verify(token)` remembered; `lookup`
    /// says how the cache answered.
    pub(crate) fn get_or_verify(
        &self,
        token: &str,
        lookup: &mut Lookup,
        verify: impl FnOnce() -> Result<VerifiedToken, Error>,
    ) -> Result<VerifiedToken, Error> {
        if token.len() > MAX_CACHED_TOKEN_LEN {
            self.bypassed.fetch_add(1, Relaxed);
            *lookup = Lookup::Bypassed;
            return verify();
        }
        let hash = self.hasher.hash_one(token);
        if let Some(verified) = self.verified.get(hash, token) {
            *lookup = Lookup::Hit;
            return Ok(verified);
        }
        if self.forged.get(hash, token).is_some() {
            *lookup = Lookup::ForgedHit;
            return Err(Error::InvalidSignature);
        }
        self.misses.fetch_add(1, Relaxed);
        let result = verify();
        let evicted = match &result {
            Ok(verified) => self.verified.insert(hash, token, verified.clone()),
            // Deterministic for this key set: the same token fails the same way forever.
            Err(Error::InvalidSignature) => self.forged.insert(hash, token, ()),
            // Anything else is not remembered.
            Err(_) => false,
        };
        *lookup = Lookup::Miss { evicted };
        result
    }

    pub(crate) fn stats(&self) -> CacheStats {
        let (verified, forged) = (self.verified.stats(), self.forged.stats());
        CacheStats {
            hits: verified.hits,
            refusal_hits: forged.hits,
            misses: self.misses.load(Relaxed),
            bypassed: self.bypassed.load(Relaxed),
            evictions: verified.evictions + forged.evictions,
            len: verified.len,
            capacity: verified.capacity,
            refusals_len: forged.len,
            refusals_capacity: forged.capacity,
        }
    }

    pub(crate) fn capacity(&self) -> usize {
        self.verified.capacity()
    }
}

/// A bounded map from tokens to values, read without taking a lock.
///
/// The slots are grouped into sets of about [`WAYS`]; a token's hash picks its set. Each
/// slot holds its entry behind an atomically swapped pointer ([`ArcSwapOption`]), so a
/// lookup only reads shared memory: two threads hitting the same token never write the same
/// cache line (a lock's reader count would be written by both, and then a hot token's hits
/// scale to no more than about 1.6 times one thread's). Writers take their set's lock; a full
/// set evicts by CLOCK.
struct Region<V> {
    slots: Box<[Slot<V>]>,
    /// Per set, its writers' lock and CLOCK state.
    sets: Box<[Mutex<SetState>]>,
    /// Hits, counted on the thread's own line (one striped counter).
    hits: StripedCounts,
    evictions: AtomicU64,
    len: AtomicUsize,
}

struct Slot<V> {
    /// The hash of the entry's token (0 when empty): lets a lookup pass over the other
    /// slots of its set without loading them. Only a hint; the entry itself decides.
    tag: AtomicU64,
    entry: ArcSwapOption<Entry<V>>,
}

struct Entry<V> {
    hash: u64,
    token: Box<str>,
    value: V,
    /// Set by a hit, cleared as the hand passes: a second chance before eviction.
    referenced: AtomicBool,
}

#[derive(Default)]
struct SetState {
    /// Slots in use: the set fills from its first slot, and then stays full.
    filled: usize,
    /// The CLOCK hand: the next slot considered for eviction (below the set's length).
    hand: usize,
}

#[derive(Default)]
struct RegionStats {
    hits: u64,
    evictions: u64,
    len: usize,
    capacity: usize,
}

impl<V> core::fmt::Debug for Region<V> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        // Never the tokens.
        f.debug_struct("Region")
            .field("len", &self.len.load(Relaxed))
            .field("capacity", &self.slots.len())
            .finish_non_exhaustive()
    }
}

impl<V: Clone> Region<V> {
    /// Exactly `capacity` slots, in sets of [`WAYS`] to `2 * WAYS - 1` (or one smaller set).
    fn new(capacity: usize) -> Self {
        let sets = (capacity / WAYS).max(usize::from(capacity > 0));
        Self {
            slots: (0..capacity)
                .map(|_| Slot {
                    tag: AtomicU64::new(0),
                    entry: ArcSwapOption::empty(),
                })
                .collect(),
            sets: (0..sets).map(|_| Mutex::default()).collect(),
            hits: StripedCounts::new(1),
            evictions: AtomicU64::new(0),
            len: AtomicUsize::new(0),
        }
    }

    /// The set for `hash`: its number and its slots.
    fn set(&self, hash: u64) -> Option<(usize, &[Slot<V>])> {
        let sets = self.sets.len();
        if sets == 0 {
            return None;
        }
        // The high bits of the hash scaled onto 0..sets (no division on the hot path).
        let set = usize::try_from((u128::from(hash) * sets as u128) >> 64).ok()?;
        let bound = |set: usize| set * self.slots.len() / sets;
        Some((set, self.slots.get(bound(set)..bound(set + 1))?))
    }

    fn get(&self, hash: u64, token: &str) -> Option<V> {
        let (_, slots) = self.set(hash)?;
        for slot in slots {
            if slot.tag.load(Relaxed) != hash {
                continue;
            }
            let entry = slot.entry.load();
            if let Some(entry) = entry.as_deref()
                && entry.hash == hash
                && *entry.token == *token
            {
                // Written only when it changes: a hot entry's line stays shared between cores.
                if !entry.referenced.load(Relaxed) {
                    entry.referenced.store(true, Relaxed);
                }
                self.hits.add_one(stripe(), 0);
                return Some(entry.value.clone());
            }
        }
        None
    }

    /// Stores `value` for `token`; `true` if an entry was dropped to make room.
    fn insert(&self, hash: u64, token: &str, value: V) -> bool {
        let Some((set, slots)) = self.set(hash) else {
            return false;
        };
        let mut state = self.sets[set]
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let entry = Arc::new(Entry {
            hash,
            token: token.into(),
            value,
            referenced: AtomicBool::new(false),
        });
        // The same hash: the same token verified twice at once, or (keyed SipHash, so by
        // chance alone) another token. Either way the newer one takes the slot.
        // Under the lock a filled slot's tag is exactly its entry's hash.
        let filled = &slots[..state.filled];
        let (at, evicted) = if let Some(same) = filled
            .iter()
            .position(|slot| slot.tag.load(Relaxed) == hash)
        {
            (same, false)
        } else if state.filled < slots.len() {
            state.filled += 1;
            self.len.fetch_add(1, Relaxed);
            (state.filled - 1, false)
        } else {
            self.evictions.fetch_add(1, Relaxed);
            (advance_hand(&mut state.hand, slots), true)
        };
        let slot = &slots[at];
        slot.entry.store(Some(entry));
        slot.tag.store(hash, Relaxed);
        evicted
    }

    fn stats(&self) -> RegionStats {
        RegionStats {
            hits: self.hits.sum(0),
            evictions: self.evictions.load(Relaxed),
            len: self.len.load(Relaxed),
            capacity: self.capacity(),
        }
    }

    fn capacity(&self) -> usize {
        self.slots.len()
    }
}

/// Moves the hand over a full set past referenced slots (clearing their bit) to the first one
/// not hit since the hand last passed, and returns it. Ends within one turn and a slot.
fn advance_hand<V>(hand: &mut usize, slots: &[Slot<V>]) -> usize {
    let len = slots.len();
    for _ in 0..len {
        let at = *hand;
        *hand = (at + 1) % len;
        let referenced = slots[at]
            .entry
            .load()
            .as_deref()
            .is_some_and(|e| e.referenced.swap(false, Relaxed));
        if !referenced {
            return at;
        }
    }
    // Every slot was referenced and is now cleared (or hit again meanwhile: the turn is not
    // repeated): the one under the hand goes.
    let at = *hand;
    *hand = (at + 1) % len;
    at
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two tokens under one hash (a collision SipHash makes unforgeable, forced here): the
    /// stored token is compared, so neither is ever answered for the other.
    #[test]
    fn a_hash_collision_never_returns_another_tokens_value() {
        let region: Region<u32> = Region::new(32);
        region.insert(7, "token-one", 1);
        assert_eq!(region.get(7, "token-one"), Some(1));
        assert_eq!(region.get(7, "token-two"), None);
        region.insert(7, "token-two", 2);
        assert_eq!(region.get(7, "token-one"), None);
        assert_eq!(region.get(7, "token-two"), Some(2));
    }

    /// The tokens in a region's slots, in slot order.
    fn held<V>(region: &Region<V>) -> Vec<Option<String>> {
        let token = |slot: &Slot<V>| slot.entry.load().as_deref().map(|e| e.token.to_string());
        region.slots.iter().map(token).collect()
    }

    fn held_as(tokens: &[&str]) -> Vec<Option<String>> {
        tokens.iter().map(|t| Some((*t).to_owned())).collect()
    }

    /// CLOCK: an entry hit since the hand last passed survives the next eviction.
    #[test]
    fn a_hit_entry_gets_a_second_chance() {
        let region: Region<u32> = Region::new(2);
        region.insert(1, "a", 1);
        region.insert(2, "b", 2);
        assert_eq!(region.get(1, "a"), Some(1));
        region.insert(3, "c", 3);
        assert_eq!(held(&region), held_as(&["a", "c"]));
        // Now "a" has had its chance: it goes next.
        region.insert(4, "d", 4);
        assert_eq!(held(&region), held_as(&["d", "c"]));
        assert_eq!(region.get(1, "a"), None);
        assert_eq!(region.get(4, "d"), Some(4));
        assert_eq!(region.get(3, "c"), Some(3));
        let stats = region.stats();
        assert_eq!((stats.hits, stats.evictions, stats.len), (3, 2, 2));
    }

    /// A full set evicts even while another set has room: the hash picks the set (its high
    /// bits: below 2^63 the first of two, above the second).
    #[test]
    fn the_hash_picks_the_set_and_a_full_set_evicts_its_own() {
        let region: Region<u64> = Region::new(2 * WAYS);
        assert_eq!(region.sets.len(), 2);
        let low = |i: u64| i + 1;
        let high = |i: u64| (1 << 63) + i + 1;
        for i in 0..=u64::try_from(WAYS).expect("small") {
            region.insert(low(i), &format!("low{i}"), i);
        }
        let stats = region.stats();
        assert_eq!((stats.len, stats.evictions), (WAYS, 1));
        // The second set is untouched, and fills without evicting.
        assert!(held(&region)[WAYS..].iter().all(Option::is_none));
        for i in 0..u64::try_from(WAYS).expect("small") {
            region.insert(high(i), &format!("high{i}"), i);
            assert_eq!(region.get(high(i), &format!("high{i}")), Some(i));
        }
        let stats = region.stats();
        assert_eq!((stats.len, stats.evictions), (2 * WAYS, 1));
        assert!(held(&region).iter().all(Option::is_some));
        assert_eq!(region.set(0).map(|(set, _)| set), Some(0));
        assert_eq!(region.set(u64::MAX).map(|(set, _)| set), Some(1));
    }

    /// Every entry hit: the hand clears them all in one turn and evicts the one it started
    /// at; the next eviction takes the next one.
    #[test]
    fn every_entry_referenced_still_evicts_one() {
        let region: Region<u32> = Region::new(3);
        for (h, t) in [(1, "a"), (2, "b"), (3, "c")] {
            region.insert(h, t, 0);
            assert_eq!(region.get(h, t), Some(0));
        }
        region.insert(4, "d", 0);
        assert_eq!(held(&region), held_as(&["d", "b", "c"]));
        region.insert(5, "e", 0);
        assert_eq!(held(&region), held_as(&["d", "e", "c"]));
        let stats = region.stats();
        assert_eq!((stats.len, stats.evictions), (3, 2));
    }

    /// The same hash again (the same token verified twice at once, or a collision) takes the
    /// existing slot: nothing is evicted and the length does not grow.
    #[test]
    fn the_same_hash_replaces_in_place() {
        let region: Region<u32> = Region::new(2);
        region.insert(1, "a", 1);
        region.insert(2, "b", 2);
        region.insert(2, "b", 3);
        assert_eq!(held(&region), held_as(&["a", "b"]));
        assert_eq!(region.get(2, "b"), Some(3));
        let stats = region.stats();
        assert_eq!((stats.len, stats.evictions), (2, 0));
    }

    #[test]
    fn capacity_is_exact_and_every_set_has_room() {
        for capacity in [0, 1, 2, 3, 5, 8, 15, 16, 17, 100, 10_000] {
            let region: Region<()> = Region::new(capacity);
            assert_eq!(region.capacity(), capacity);
            assert_eq!(region.sets.len(), (capacity / WAYS).max(capacity.min(1)));
            let sizes: Vec<usize> = (0..region.sets.len())
                .map(|set| {
                    let bound = |set: usize| set * capacity / region.sets.len();
                    bound(set + 1) - bound(set)
                })
                .collect();
            assert_eq!(sizes.iter().sum::<usize>(), capacity);
            if capacity >= WAYS {
                assert!(
                    sizes.iter().all(|&n| (WAYS..2 * WAYS).contains(&n)),
                    "{sizes:?}"
                );
            } else {
                assert!(sizes.iter().all(|&n| n == capacity), "{sizes:?}");
            }
        }
        let empty: Region<()> = Region::new(0);
        empty.insert(1, "x", ());
        assert_eq!(empty.get(1, "x"), None);
        assert_eq!(empty.stats().len, 0);
    }

    /// Threads inserting and looking up at once, with hashes that collide on purpose and a
    /// region too small for them: a lookup finds its own token's value or nothing, never
    /// another's, and the region never holds more than its capacity.
    #[test]
    fn concurrent_inserts_and_lookups_never_mix_up_tokens() {
        let region: Region<usize> = Region::new(3);
        let tokens: Vec<String> = (0..12).map(|i| format!("token-{i}")).collect();
        let hash = |i: usize| u64::try_from(i % 4).expect("small");
        std::thread::scope(|scope| {
            for t in 0..4 {
                let (region, tokens) = (&region, &tokens);
                scope.spawn(move || {
                    for n in 0..20_000 {
                        let i = (n * 7 + t * 5) % tokens.len();
                        match region.get(hash(i), &tokens[i]) {
                            Some(value) => assert_eq!(value, i),
                            None => {
                                region.insert(hash(i), &tokens[i], i);
                                // Read back at once: a hit unless another thread evicted it
                                // in between, so there are hits even when the threads happen
                                // to run one after another (a loaded machine).
                                if let Some(value) = region.get(hash(i), &tokens[i]) {
                                    assert_eq!(value, i);
                                }
                            }
                        }
                    }
                });
            }
        });
        let stats = region.stats();
        assert_eq!(stats.len, 3);
        assert!(
            stats.hits > 0 && stats.evictions > 0,
            "{:?}",
            (stats.hits, stats.evictions)
        );
        let held = held(&region);
        assert!(held.iter().all(Option::is_some));
    }

    #[test]
    fn hit_ratio() {
        let stats = CacheStats {
            hits: 3,
            refusal_hits: 1,
            misses: 4,
            ..CacheStats::default()
        };
        assert!((stats.hit_ratio() - 0.5).abs() < 1e-12);
        assert!(CacheStats::default().hit_ratio().abs() < 1e-12);
    }
}
