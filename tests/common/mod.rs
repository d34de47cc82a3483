//! Helpers shared by the integration tests and benchmarks: fixture keys and token signing.
#![allow(dead_code, unreachable_pub)]

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use facilioo_jwt::keys::PublicKey;
use facilioo_jwt::{KeySet, Policy, UnixTime, Verifier};
use ring::rand::SystemRandom;
use ring::signature::{RSA_PKCS1_SHA256, RsaKeyPair};

/// `tests/data/`, found from this file's own path so that crates which reuse these tests
/// from another directory (`tests/feature-unification/`) read the same fixtures.
pub fn data_dir() -> std::path::PathBuf {
    let this = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(file!());
    let tests = this
        .ancestors()
        .nth(2)
        .expect("tests/common/mod.rs has a grandparent");
    tests.join("data")
}

/// Reads a file below `tests/data/`.
pub fn data(path: &str) -> Vec<u8> {
    let full = data_dir().join(path);
    std::fs::read(&full).unwrap_or_else(|e| panic!("{}: {e}", full.display()))
}

pub fn data_str(path: &str) -> String {
    String::from_utf8(data(path)).expect("UTF-8 fixture")
}

/// A fixture signing key, by file stem: `rsa2048-a`, `rsa2048-b`, `rsa4096`.
pub fn signer(name: &str) -> RsaKeyPair {
    RsaKeyPair::from_pkcs8(&data(&format!("keys/{name}.pk8.der"))).expect("fixture key")
}

/// The public half of a fixture key, loaded through the crate (PKCS#1 DER).
pub fn public(name: &str) -> PublicKey {
    PublicKey::from_pkcs1_der(&data(&format!("keys/{name}.pkcs1.der"))).expect("fixture public key")
}

pub fn keys(names: &[&str]) -> KeySet {
    KeySet::new(names.iter().map(|n| public(n)).collect()).expect("key set")
}

pub fn b64(bytes: impl AsRef<[u8]>) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Signs `header_b64.payload_b64` as they stand and appends the signature.
pub fn sign_segments(header_b64: &str, payload_b64: &str, key: &RsaKeyPair) -> String {
    let input = format!("{header_b64}.{payload_b64}");
    let mut sig = vec![0; key.public().modulus_len()];
    key.sign(
        &RSA_PKCS1_SHA256,
        &SystemRandom::new(),
        input.as_bytes(),
        &mut sig,
    )
    .expect("signing");
    format!("{input}.{}", b64(sig))
}

/// A token with this header and claims JSON, signed by `key`.
pub fn sign(header: &str, claims: &str, key: &RsaKeyPair) -> String {
    sign_segments(&b64(header), &b64(claims), key)
}

pub const HEADER: &str = r#"{"alg":"RS256","typ":"JWT"}"#;
pub const ISS: &str = "https://issuer.test";
pub const AUD: &str = "app.test";
/// 2026-01-01T00:00:00Z, the fixed clock of the tests.
pub const NOW: i64 = 1_767_225_600;

/// Claims of a facilioo-shaped token for the test issuer and audience.
pub fn claims(nbf: i64, exp: i64, account: u64, company: Option<u64>) -> String {
    let company = company.map_or(String::new(), |c| format!(r#","companyId":{c}"#));
    format!(
        r#"{{"nbf":{nbf},"exp":{exp},"iss":"{ISS}","aud":"{AUD}","sub":{{"accountId":{account}{company}}}}}"#
    )
}

pub fn policy() -> Policy {
    Policy::new([ISS], [AUD]).expect("policy")
}

pub fn verifier(names: &[&str]) -> Verifier {
    Verifier::new(keys(names), policy())
}

pub fn at(unix: i64) -> UnixTime {
    UnixTime::from_secs(unix)
}

pub fn good_claims() -> String {
    claims(NOW - 10, NOW + 3600, 2, Some(2))
}

/// `{"nbf":…, …}` with `member` spliced in after the valid members (a later duplicate wins
/// nowhere: duplicates are refused).
pub fn claims_plus(member: &str) -> String {
    let base = good_claims();
    format!("{},{member}}}", &base[..base.len() - 1])
}

/// Valid claims with one member replaced.
pub fn claims_with(name: &str, value: &str) -> String {
    let mut members = vec![
        ("nbf", (NOW - 10).to_string()),
        ("exp", (NOW + 3600).to_string()),
        ("iss", format!("\"{ISS}\"")),
        ("aud", format!("\"{AUD}\"")),
        ("sub", r#"{"accountId":2,"companyId":2}"#.to_owned()),
    ];
    members.retain(|(n, _)| *n != name);
    if !value.is_empty() {
        members.push((name, value.to_owned()));
    }
    let body: Vec<String> = members
        .iter()
        .map(|(n, v)| format!("\"{n}\":{v}"))
        .collect();
    format!("{{{}}}", body.join(","))
}

/// Replaces one segment of a token.
pub fn replace_segment(token: &str, index: usize, with: &str) -> String {
    let mut parts: Vec<&str> = token.split('.').collect();
    parts[index] = with;
    parts.join(".")
}

/// A base64url string of `len` bytes' encoding whose last character has non-zero unused bits.
pub fn non_canonical(segment: &str) -> Option<String> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let unused_bits = match segment.len() % 4 {
        2 => 4,
        3 => 2,
        _ => return None,
    };
    let last = *segment.as_bytes().last()?;
    let value = ALPHABET.iter().position(|c| *c == last)?;
    let bumped = ALPHABET[value | 1 << (unused_bits - 1)];
    let mut out = segment[..segment.len() - 1].to_owned();
    out.push(char::from(bumped));
    Some(out)
}

/// RSA operations `f` made on `verifier`, and what it returned.
pub fn signature_checks<R>(verifier: &Verifier, f: impl FnOnce() -> R) -> (u64, R) {
    let before = verifier.signature_checks();
    let r = f();
    (verifier.signature_checks() - before, r)
}
