//! The verified-token cache ([`Verifier::with_cache`](crate::Verifier::with_cache)): a token
//! seen again costs a hash and a comparison instead of an RSA operation.
//!
//! - **Keyed by the whole token.** A keyed SipHash of the token picks the slot; the stored
//!   token is then compared byte for byte, so two tokens with the same hash can never be taken
//!   for each other.
//! - **Bounded.** At most the configured number of verified tokens, each at most
//!   [`MAX_CACHED_TOKEN_LEN`] bytes (longer tokens are verified, never cached), in 16 shards
//!   with CLOCK eviction (a token hit since the hand last passed gets a second chance).
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
//! Memory: about 200 bytes per entry plus the token itself (a facilioo token is about 550
//! bytes), so 10 000 entries take about 7.5 MiB.

use std::collections::HashMap;
use std::hash::{BuildHasher, BuildHasherDefault, Hasher, RandomState};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};
use std::sync::{PoisonError, RwLock};

use crate::limits::MAX_CACHED_TOKEN_LEN;
use crate::{Error, VerifiedToken};

/// Shards per region: enough that two threads rarely meet on one lock.
const SHARDS: usize = 16;

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

    /// The verified token for `token` from the cache, or `verify(token)` remembered.
    pub(crate) fn get_or_verify(
        &self,
        token: &str,
        verify: impl FnOnce() -> Result<VerifiedToken, Error>,
    ) -> Result<VerifiedToken, Error> {
        if token.len() > MAX_CACHED_TOKEN_LEN {
            self.bypassed.fetch_add(1, Relaxed);
            return verify();
        }
        let hash = self.hasher.hash_one(token);
        if let Some(verified) = self.verified.get(hash, token) {
            return Ok(verified);
        }
        if self.forged.get(hash, token).is_some() {
            return Err(Error::InvalidSignature);
        }
        self.misses.fetch_add(1, Relaxed);
        let result = verify();
        match &result {
            Ok(verified) => self.verified.insert(hash, token, verified.clone()),
            // Deterministic for this key set: the same token fails the same way forever.
            Err(Error::InvalidSignature) => self.forged.insert(hash, token, ()),
            // Anything else is not remembered.
            Err(_) => {}
        }
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

/// A bounded map from tokens to values: [`SHARDS`] independently locked CLOCK rings.
#[derive(Debug)]
struct Region<V> {
    shards: Box<[RwLock<Shard<V>>]>,
}

#[derive(Default)]
struct RegionStats {
    hits: u64,
    evictions: u64,
    len: usize,
    capacity: usize,
}

impl<V: Clone> Region<V> {
    /// `capacity` slots, spread over the shards as evenly as it divides. Fewer shards for a
    /// small capacity, so that none is left without a slot.
    fn new(capacity: usize) -> Self {
        let shards = match capacity {
            0 => 1,
            n => SHARDS.min(1 << n.ilog2()),
        };
        let (each, extra) = (capacity / shards, capacity % shards);
        Self {
            shards: (0..shards)
                .map(|i| RwLock::new(Shard::new(each + usize::from(i < extra))))
                .collect(),
        }
    }

    fn shard(&self, hash: u64) -> &RwLock<Shard<V>> {
        // The high bits pick the shard; the shard's index uses the whole hash.
        let index = usize::try_from(hash >> 60).unwrap_or(0) % self.shards.len();
        &self.shards[index]
    }

    fn get(&self, hash: u64, token: &str) -> Option<V> {
        let shard = self
            .shard(hash)
            .read()
            .unwrap_or_else(PoisonError::into_inner);
        let slot = shard.slots.get(*shard.index.get(&hash)?)?;
        if *slot.token != *token {
            return None;
        }
        // Written only when it changes: a hot entry's line stays shared between cores.
        if !slot.referenced.load(Relaxed) {
            slot.referenced.store(true, Relaxed);
        }
        shard.hits.fetch_add(1, Relaxed);
        Some(slot.value.clone())
    }

    fn insert(&self, hash: u64, token: &str, value: V) {
        let mut shard = self
            .shard(hash)
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        shard.insert(hash, token, value);
    }

    fn stats(&self) -> RegionStats {
        let mut total = RegionStats::default();
        for shard in &self.shards {
            let shard = shard.read().unwrap_or_else(PoisonError::into_inner);
            total.hits += shard.hits.load(Relaxed);
            total.evictions += shard.evictions;
            total.len += shard.slots.len();
            total.capacity += shard.capacity;
        }
        total
    }

    fn capacity(&self) -> usize {
        self.stats().capacity
    }
}

struct Shard<V> {
    slots: Vec<Slot<V>>,
    /// Hash of a slot's token → its position in `slots`.
    index: HashMap<u64, usize, BuildHasherDefault<Prehashed>>,
    capacity: usize,
    /// The CLOCK hand: the next slot considered for eviction.
    hand: usize,
    hits: AtomicU64,
    evictions: u64,
}

struct Slot<V> {
    hash: u64,
    token: Box<str>,
    value: V,
    /// Set by every hit, cleared as the hand passes: a second chance before eviction.
    referenced: AtomicBool,
}

impl<V> core::fmt::Debug for Shard<V> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        // Never the tokens.
        f.debug_struct("Shard")
            .field("len", &self.slots.len())
            .field("capacity", &self.capacity)
            .finish()
    }
}

impl<V> Shard<V> {
    fn new(capacity: usize) -> Self {
        Self {
            slots: Vec::new(),
            index: HashMap::default(),
            capacity,
            hand: 0,
            hits: AtomicU64::new(0),
            evictions: 0,
        }
    }

    fn insert(&mut self, hash: u64, token: &str, value: V) {
        let slot = Slot {
            hash,
            token: token.into(),
            value,
            referenced: AtomicBool::new(false),
        };
        // The same hash: the same token verified twice at once, or (keyed SipHash, so by
        // chance alone) another token. Either way the newer one takes the slot.
        if let Some(&at) = self.index.get(&hash) {
            if let Some(old) = self.slots.get_mut(at) {
                *old = slot;
            }
            return;
        }
        if self.capacity == 0 {
            return;
        }
        if self.slots.len() < self.capacity {
            self.index.insert(hash, self.slots.len());
            self.slots.push(slot);
            return;
        }
        let victim = self.advance_hand();
        if let Some(old) = self.slots.get_mut(victim) {
            self.index.remove(&old.hash);
            *old = slot;
            self.index.insert(hash, victim);
            self.evictions += 1;
        }
    }

    /// Moves the hand past referenced slots (clearing their bit) to the first one that was
    /// not hit since the hand last passed, and returns it. Ends within two turns.
    fn advance_hand(&mut self) -> usize {
        let len = self.slots.len();
        for _ in 0..=len {
            let at = self.hand;
            self.hand = (self.hand + 1) % len;
            if let Some(slot) = self.slots.get(at)
                && !slot.referenced.swap(false, Relaxed)
            {
                return at;
            }
        }
        // Every slot was referenced and is now cleared: the one under the hand goes.
        self.hand
    }
}

/// The hasher for keys that are already hashes: passes the `u64` through.
#[derive(Default)]
struct Prehashed(u64);

impl Hasher for Prehashed {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // Only `write_u64` is used (the keys are u64); fold anything else in regardless.
        for b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(*b);
        }
    }

    fn write_u64(&mut self, v: u64) {
        self.0 = v;
    }
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

    /// CLOCK: a slot hit since the hand last passed survives the next eviction.
    #[test]
    fn a_hit_entry_gets_a_second_chance() {
        let mut shard: Shard<u32> = Shard::new(2);
        shard.insert(1, "a", 1);
        shard.insert(2, "b", 2);
        shard.slots[0].referenced.store(true, Relaxed); // "a" was hit
        shard.insert(3, "c", 3);
        let held: Vec<&str> = shard.slots.iter().map(|s| &*s.token).collect();
        assert_eq!(held, ["a", "c"]);
        assert_eq!(shard.evictions, 1);
        assert!(
            !shard.slots[0].referenced.load(Relaxed),
            "the hand cleared it"
        );
        // Now "a" has had its chance: it goes next.
        shard.insert(4, "d", 4);
        let held: Vec<&str> = shard.slots.iter().map(|s| &*s.token).collect();
        assert_eq!(held, ["d", "c"]);
        assert_eq!(shard.index.len(), 2);
        assert_eq!(shard.index.get(&4), Some(&0));
        assert_eq!(shard.index.get(&1), None);
    }

    /// A hit through the region sets the entry's bit, so the next eviction passes it over.
    #[test]
    fn a_hit_through_the_region_protects_the_entry() {
        // Capacity 3: two shards, the first with two slots; hashes with an even top nibble
        // land in it.
        let region: Region<u32> = Region::new(3);
        let (h1, h2, h3) = (
            0x2000_0000_0000_0001,
            0x4000_0000_0000_0002,
            0x6000_0000_0000_0003,
        );
        region.insert(h1, "a", 1);
        region.insert(h2, "b", 2);
        assert_eq!(region.get(h1, "a"), Some(1));
        region.insert(h3, "c", 3);
        assert_eq!(region.get(h1, "a"), Some(1));
        assert_eq!(region.get(h2, "b"), None);
        assert_eq!(region.get(h3, "c"), Some(3));
        let stats = region.stats();
        assert_eq!((stats.hits, stats.evictions, stats.len), (3, 1, 2));
    }

    #[test]
    fn every_slot_referenced_still_evicts_one() {
        let mut shard: Shard<u32> = Shard::new(3);
        for (h, t) in [(1, "a"), (2, "b"), (3, "c")] {
            shard.insert(h, t, 0);
        }
        for slot in &shard.slots {
            slot.referenced.store(true, Relaxed);
        }
        shard.insert(4, "d", 0);
        assert_eq!(shard.slots.len(), 3);
        assert_eq!(shard.evictions, 1);
        assert!(shard.index.contains_key(&4));
    }

    #[test]
    fn capacity_is_spread_exactly_and_every_shard_has_room() {
        for capacity in [0, 1, 2, 3, 5, 8, 15, 16, 17, 100, 10_000] {
            let region: Region<()> = Region::new(capacity);
            assert_eq!(region.capacity(), capacity);
            let shards = region.shards.len();
            assert!(shards.is_power_of_two() && shards <= SHARDS, "{capacity}");
            if capacity > 0 {
                let smallest = region
                    .shards
                    .iter()
                    .map(|s| s.read().map_or(0, |s| s.capacity));
                assert!(smallest.min().unwrap_or(0) >= 1, "{capacity}");
            }
        }
        let empty: Region<()> = Region::new(0);
        empty.insert(1, "x", ());
        assert_eq!(empty.get(1, "x"), None);
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
