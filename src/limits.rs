//! Every limit this crate enforces, in one place. Each is checked in the crate's own code, so
//! no dependency feature that another crate in a build turns on (Cargo unifies features) can
//! lift it; `tests/feature-unification` proves that for the features that would.

/// The smallest modulus accepted, in bits.
pub const MIN_MODULUS_BITS: usize = 2048;
/// The largest modulus accepted, in bits.
pub const MAX_MODULUS_BITS: usize = 8192;
/// The smallest public exponent accepted: 65537, as NIST SP 800-56B and FIPS 186-5 require.
pub const MIN_EXPONENT: u64 = 65537;
/// The largest public exponent accepted: 2³³ − 1, the largest *ring* verifies with.
pub const MAX_EXPONENT: u64 = (1 << 33) - 1;
/// The largest key file [`KeySet::from_file`](crate::KeySet::from_file) reads: 1 MiB. 64 keys of 8192 bits take about
/// 100 KiB in any supported form (PEM, JWK Set, DER), so this leaves room for comments, JWK
/// members such as `x5c` chains, and pretty-printing, and still bounds what a mistaken path
/// (`/dev/zero`, a log file) can make the process read.
pub const MAX_KEY_FILE_LEN: usize = 1 << 20;
/// The most keys a [`KeySet`](crate::KeySet) holds. Without a `kid` every key may be tried, so this bounds the
/// work one token can cause.
pub const MAX_KEYS: usize = 64;

/// The most members a header or claims object may have: duplicate detection keeps them all.
/// Objects nested inside them are not limited (only their depth is).
pub const MAX_MEMBERS: usize = 64;

/// The deepest nesting accepted in a header or claims, counting the header or claims object
/// itself as level 1 (so `{"x":[[1]]}` is 3 levels deep).
pub const MAX_DEPTH: usize = 32;

/// The largest decimal exponent of a number anywhere in a header or claims: every number's
/// magnitude must be below 10^308 (`1e308`, `1.7976931348623158e308` and `1e400` are
/// refused, `9.99e307` and `0` with any exponent are not). It is decided from the number's
/// text, exactly, not by a float parser: 10^308 lies far enough below `f64::MAX` (about
/// 1.797 × 10^308) that no build of serde_json, whichever of its features (`float_roundtrip`,
/// `arbitrary_precision`) are on, fails to read a number below it, so every build gives the
/// same verdict.
pub const MAX_NUMBER_DECIMAL_EXPONENT: i32 = 307;

/// The earliest NumericDate accepted for `exp` and `nbf`: -9999-01-01T00:00:00Z.
pub const MIN_NUMERIC_DATE: i64 = -377_705_116_800;

/// The latest NumericDate accepted for `exp` and `nbf`: 9999-12-31T23:59:59Z.
pub const MAX_NUMERIC_DATE: i64 = 253_402_300_799;

/// The most tokens a verifier's cache holds ([`Verifier::with_cache`](crate::Verifier::with_cache)
/// takes no more): 1 048 576. Its slots are allocated when the verifier is built (about 21
/// bytes each), and a full cache holds about 270 bytes per entry plus its token, some 850 MB
/// of facilioo tokens at this size: a capacity from a configuration file cannot ask for more.
pub const MAX_CACHE_CAPACITY: usize = 1 << 20;

/// The longest token the verified-token cache keeps, in bytes; longer tokens are verified in
/// full every time. A facilioo token is about 550 bytes.
pub const MAX_CACHED_TOKEN_LEN: usize = 4096;
