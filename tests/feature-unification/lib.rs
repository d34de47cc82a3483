//! Nothing here: the crate exists for its tests, which reuse `tests/negative.rs` and
//! `tests/attacks.rs` of facilioo-jwt under unified dependency features.
