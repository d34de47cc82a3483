//! Attack catalogue: one named case per attack class that has cost JWT libraries CVEs, with
//! the CVE or RFC 8725 ("JWT Best Current Practices") section, each asserting the exact error.
//!
//! The trusted set is fixture key A. Key B is the attacker's: a real RSA key whose private half
//! the attacker holds, but which the verifier does not trust.

mod common;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use common::{
    HEADER, NOW, at, b64, claims, claims_plus, claims_with, data, good_claims, non_canonical,
    replace_segment, sign, sign_segments, signer,
};
use facilioo_jwt::error::{Claim, Malformed, Segment};
use facilioo_jwt::{Error, Policy, Verifier};
use ring::rand::SystemRandom;
use ring::signature::{RSA_PKCS1_SHA512, RSA_PSS_SHA256, RsaEncoding};

struct Attack {
    name: &'static str,
    token: String,
    want: Result<(), Error>,
}

fn attack(name: &'static str, token: String, want: Result<(), Error>) -> Attack {
    Attack { name, token, want }
}

fn signed_by(key: &str, header: &str, claims: &str) -> String {
    sign(header, claims, &signer(key))
}

/// A's token with this header.
fn header_a(header: &str) -> String {
    signed_by("rsa2048-a", header, &good_claims())
}

/// A's token with these claims.
fn claims_a(claims: &str) -> String {
    signed_by("rsa2048-a", HEADER, claims)
}

/// `header.payload` signed with another RSA scheme by key A.
fn signed_with(scheme: &'static dyn RsaEncoding, header: &str) -> String {
    let key = signer("rsa2048-a");
    let input = format!("{}.{}", b64(header), b64(good_claims()));
    let mut sig = vec![0; key.public().modulus_len()];
    key.sign(scheme, &SystemRandom::new(), input.as_bytes(), &mut sig)
        .expect("sign");
    format!("{input}.{}", b64(sig))
}

/// `header.payload` MACed with HS256 under `secret`.
fn hs256(secret: &[u8]) -> String {
    let input = format!(
        "{}.{}",
        b64(r#"{"alg":"HS256","typ":"JWT"}"#),
        b64(good_claims())
    );
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, secret);
    format!("{input}.{}", b64(ring::hmac::sign(&key, input.as_bytes())))
}

/// Key A's modulus, big-endian, from its PKCS#1 DER (30 82 01 0a 02 82 01 01 00 <256 bytes>).
fn modulus_a() -> Vec<u8> {
    let der = data("keys/rsa2048-a.pkcs1.der");
    assert_eq!(&der[4..9], &[0x02, 0x82, 0x01, 0x01, 0x00]);
    der[9..9 + 256].to_vec()
}

fn add(n: &[u8], delta: i16) -> Vec<u8> {
    let mut out = n.to_vec();
    let mut carry = i32::from(delta);
    for byte in out.iter_mut().rev() {
        let v = i32::from(*byte) + carry;
        *byte = u8::try_from(v.rem_euclid(256)).expect("byte");
        carry = v.div_euclid(256);
        if carry == 0 {
            break;
        }
    }
    out
}

/// `a + b` for big-endian numbers of equal length, one byte longer.
fn sum(a: &[u8], b: &[u8]) -> Vec<u8> {
    let mut out = vec![0u8; a.len() + 1];
    let mut carry = 0u16;
    for i in (0..a.len()).rev() {
        let v = u16::from(a[i]) + u16::from(b[i]) + carry;
        out[i + 1] = u8::try_from(v & 0xff).expect("byte");
        carry = v >> 8;
    }
    out[0] = u8::try_from(carry).expect("carry");
    out
}

fn bad(m: Malformed) -> Result<(), Error> {
    Err(Error::Malformed(m))
}

fn catalogue() -> Vec<Attack> {
    let a = signer("rsa2048-a");
    let good = claims_a(&good_claims());
    let [gh, gp, gs]: [&str; 3] = good.split('.').collect::<Vec<_>>().try_into().expect("3");
    let sig = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(gs)
        .expect("sig");
    let n = modulus_a();
    let with_sig = |bytes: &[u8]| format!("{gh}.{gp}.{}", b64(bytes));
    let jwk_b = {
        let rfc: serde_json::Value =
            serde_json::from_str(&common::data_str("rfc/rfc7515_a2_rs256.json")).expect("rfc");
        rfc["jwk"].to_string()
    };
    let unsupported = Err(Error::UnsupportedAlgorithm);
    let forged = Err(Error::InvalidSignature);

    let mut list = vec![
        attack("control: A's valid token", good.clone(), Ok(())),
        // RFC 8725 §2.1, §3.1; CVE-2015-9235 (node-jsonwebtoken), CVE-2015-2951 (JWT.php): alg none.
        attack(
            "alg none, empty signature",
            format!("{}.{gp}.", b64(r#"{"alg":"none"}"#)),
            unsupported,
        ),
        attack(
            "alg None",
            format!("{}.{gp}.", b64(r#"{"alg":"None"}"#)),
            unsupported,
        ),
        attack(
            "alg NONE",
            format!("{}.{gp}.", b64(r#"{"alg":"NONE"}"#)),
            unsupported,
        ),
        attack(
            "alg nOnE",
            format!("{}.{gp}.", b64(r#"{"alg":"nOnE"}"#)),
            unsupported,
        ),
        attack(
            "alg none with A's real signature",
            header_a(r#"{"alg":"none"}"#),
            unsupported,
        ),
        // RFC 8725 §2.1, §3.1; CVE-2016-10555, CVE-2016-5431, CVE-2022-29217 (PyJWT):
        // HMAC keyed with the public key's bytes.
        attack(
            "HS256 keyed with PKCS#1 PEM",
            hs256(common::data_str("keys/rsa2048-a.pkcs1.pem").as_bytes()),
            unsupported,
        ),
        attack(
            "HS256 keyed with SPKI PEM",
            hs256(common::data_str("keys/rsa2048-a.spki.pem").as_bytes()),
            unsupported,
        ),
        attack(
            "HS256 keyed with PKCS#1 DER",
            hs256(&data("keys/rsa2048-a.pkcs1.der")),
            unsupported,
        ),
        attack(
            "HS256 keyed with SPKI DER",
            hs256(&data("keys/rsa2048-a.spki.der")),
            unsupported,
        ),
        attack(
            "HS256 keyed with the JWK",
            hs256(jwk_b.as_bytes()),
            unsupported,
        ),
        // RFC 8725 §3.1: only the algorithm the key is for.
        attack(
            "RS512 really signed by A",
            signed_with(&RSA_PKCS1_SHA512, r#"{"alg":"RS512"}"#),
            unsupported,
        ),
        attack(
            "PS256 really signed by A",
            signed_with(&RSA_PSS_SHA256, r#"{"alg":"PS256"}"#),
            unsupported,
        ),
        attack(
            "RS512 signature under an RS256 header",
            signed_with(&RSA_PKCS1_SHA512, HEADER),
            forged,
        ),
        attack(
            "PS256 signature under an RS256 header",
            signed_with(&RSA_PSS_SHA256, HEADER),
            forged,
        ),
        // CVE-2018-0114 (node-jose), RFC 8725 §3.10: keys named by the token are never trusted.
        attack(
            "embedded jwk, signed by B",
            signed_by(
                "rsa2048-b",
                &format!(r#"{{"alg":"RS256","jwk":{jwk_b}}}"#),
                &good_claims(),
            ),
            forged,
        ),
        attack(
            "jku to the attacker, signed by B",
            signed_by(
                "rsa2048-b",
                r#"{"alg":"RS256","jku":"https://evil.test/jwks.json"}"#,
                &good_claims(),
            ),
            forged,
        ),
        attack(
            "x5u to the attacker, signed by B",
            signed_by(
                "rsa2048-b",
                r#"{"alg":"RS256","x5u":"https://evil.test/cert.pem"}"#,
                &good_claims(),
            ),
            forged,
        ),
        attack(
            "x5c with B's key, signed by B",
            signed_by(
                "rsa2048-b",
                &format!(
                    r#"{{"alg":"RS256","x5c":["{}"]}}"#,
                    STANDARD.encode(data("keys/rsa2048-b.spki.der"))
                ),
                &good_claims(),
            ),
            forged,
        ),
        attack(
            "embedded jwk ignored on A's token",
            header_a(&format!(r#"{{"alg":"RS256","jwk":{jwk_b}}}"#)),
            Ok(()),
        ),
        // RFC 8725 §3.10: kid is an untrusted lookup hint (path traversal, SQL injection).
        attack(
            "kid path traversal, signed by B",
            signed_by(
                "rsa2048-b",
                r#"{"alg":"RS256","kid":"../../../../dev/null"}"#,
                &good_claims(),
            ),
            forged,
        ),
        attack(
            "kid SQL injection, signed by B",
            signed_by(
                "rsa2048-b",
                r#"{"alg":"RS256","kid":"x' UNION SELECT 'secret"}"#,
                &good_claims(),
            ),
            forged,
        ),
        attack(
            "kid naming A's thumbprint, signed by B",
            signed_by(
                "rsa2048-b",
                &format!(
                    r#"{{"alg":"RS256","kid":"{}"}}"#,
                    common::public("rsa2048-a").thumbprint()
                ),
                &good_claims(),
            ),
            forged,
        ),
        attack(
            "kid path traversal on A's token",
            header_a(r#"{"alg":"RS256","kid":"/etc/passwd"}"#),
            Ok(()),
        ),
        // RFC 7515 §4.1.11, RFC 7797 §3: unknown critical extensions must be refused.
        attack(
            "crit b64 with b64:false",
            header_a(r#"{"alg":"RS256","b64":false,"crit":["b64"]}"#),
            Err(Error::UnsupportedCritical),
        ),
        attack(
            "crit exp",
            header_a(r#"{"alg":"RS256","crit":["exp"],"exp":0}"#),
            Err(Error::UnsupportedCritical),
        ),
        attack(
            "b64:false without crit and an unencoded payload: refused by the header first",
            sign_segments(&b64(r#"{"alg":"RS256","b64":false}"#), r#"{"exp":1}"#, &a),
            Err(Error::UnsupportedCritical),
        ),
        // RFC 7515 §4 / RFC 7519 §4: duplicate names are refused (parsers that disagree on which
        // one wins let one token say two things). Duplicate members, both orders.
        attack(
            "duplicate alg, RS256 then none",
            header_a(r#"{"alg":"RS256","alg":"none"}"#),
            bad(Malformed::DuplicateMember(Segment::Header)),
        ),
        attack(
            "duplicate alg, none then RS256",
            header_a(r#"{"alg":"none","alg":"RS256"}"#),
            bad(Malformed::DuplicateMember(Segment::Header)),
        ),
        attack(
            "duplicate exp, valid then expired",
            claims_a(&claims_plus(r#""exp":1"#)),
            bad(Malformed::DuplicateMember(Segment::Payload)),
        ),
        attack(
            "duplicate exp, expired then valid",
            claims_a(&format!(r#"{{"exp":1,{}"#, &good_claims()[1..])),
            bad(Malformed::DuplicateMember(Segment::Payload)),
        ),
        attack(
            "duplicate iss, evil last",
            claims_a(&claims_plus(r#""iss":"https://evil.test""#)),
            bad(Malformed::DuplicateMember(Segment::Payload)),
        ),
        attack(
            "duplicate iss, evil first",
            claims_a(&format!(
                r#"{{"iss":"https://evil.test",{}"#,
                &good_claims()[1..]
            )),
            bad(Malformed::DuplicateMember(Segment::Payload)),
        ),
        // Resource exhaustion: nesting that overflows recursive JSON parsers, huge tokens, many
        // segments. The size cap refuses these before any decoding (the next test lifts the cap).
        attack(
            "20 000-deep header",
            header_a(&format!(
                r#"{{"alg":"RS256","x":{}{}}}"#,
                "[".repeat(20_000),
                "]".repeat(20_000)
            )),
            Err(Error::TooLarge { len: 0, max: 8192 }),
        ),
        attack(
            "20 000-deep claims",
            claims_a(&claims_plus(&format!(
                r#""x":{}{}"#,
                "{\"a\":".repeat(20_000),
                "}".repeat(20_000)
            ))),
            Err(Error::TooLarge { len: 0, max: 8192 }),
        ),
        attack(
            "1 MB token",
            format!("{gh}.{}.{gs}", "A".repeat(1 << 20)),
            Err(Error::TooLarge { len: 0, max: 8192 }),
        ),
        attack(
            "100 000 dots",
            ".".repeat(100_000),
            Err(Error::TooLarge {
                len: 100_000,
                max: 8192,
            }),
        ),
        // Header members that change how the token is read: a nested JWT announced by `cty`
        // (RFC 7519 §5.2; the inner token's claims would never be checked), and RFC 7797's
        // unencoded payload, where `b64: false` makes the signature cover other bytes (with
        // `crit`, above).
        attack(
            "cty JWT around a token",
            header_a(r#"{"alg":"RS256","cty":"JWT"}"#),
            Err(Error::InvalidType),
        ),
        attack(
            "b64 false without crit",
            header_a(r#"{"alg":"RS256","b64":false}"#),
            Err(Error::UnsupportedCritical),
        ),
        // Lenient base64 (RFC 7515 §2: base64url with no padding, line breaks or whitespace).
        attack(
            "padded header",
            replace_segment(&good, 0, &format!("{gh}==")),
            bad(Malformed::Base64(Segment::Header)),
        ),
        attack(
            "padded payload, signed as it stands",
            sign_segments(gh, &format!("{gp}="), &a),
            bad(Malformed::Base64(Segment::Payload)),
        ),
        attack(
            "padded signature",
            format!("{good}=="),
            bad(Malformed::Base64(Segment::Signature)),
        ),
        attack(
            "space in header",
            replace_segment(&good, 0, &format!("{} {}", &gh[..4], &gh[4..])),
            bad(Malformed::Base64(Segment::Header)),
        ),
        attack(
            "tab in signature",
            replace_segment(&good, 2, &format!("{}\t{}", &gs[..4], &gs[4..])),
            bad(Malformed::Base64(Segment::Signature)),
        ),
        attack(
            "CRLF in signature",
            format!("{good}\r\n"),
            bad(Malformed::Base64(Segment::Signature)),
        ),
        attack(
            "standard alphabet signature",
            replace_segment(&good, 2, &gs.replace('-', "+").replace('_', "/")),
            bad(Malformed::Base64(Segment::Signature)),
        ),
        // Signature values (CVE-2017-11185 class, Wycheproof InvalidSignature/SignatureMalleability).
        attack("signature of zero", with_sig(&[0; 256]), forged),
        attack("signature of one", with_sig(&add(&[0; 256], 1)), forged),
        attack("signature n - 1", with_sig(&add(&n, -1)), forged),
        attack("signature n", with_sig(&n), forged),
        attack("signature n + 1", with_sig(&add(&n, 1)), forged),
        attack(
            "signature s + n (not reduced mod n)",
            with_sig(&sum(&sig, &n)),
            forged,
        ),
        attack(
            "signature with a leading zero byte",
            with_sig(&[&[0u8][..], &sig].concat()),
            forged,
        ),
        attack("signature of 255 bytes", with_sig(&sig[1..]), forged),
        attack(
            "signature of 257 bytes",
            with_sig(&[&sig[..], &[0u8][..]].concat()),
            forged,
        ),
        attack("empty signature", format!("{gh}.{gp}."), forged),
        // An over-long segment of characters outside the alphabet is malformed, not merely too
        // long: the characters are checked before the length, and nothing of it is decoded.
        attack(
            "1368 '+' as the signature",
            format!("{gh}.{gp}.{}", "+".repeat(1368)),
            bad(Malformed::Base64(Segment::Signature)),
        ),
        attack(
            "1364 'A' and '==' as the signature",
            format!("{gh}.{gp}.{}==", "A".repeat(1364)),
            bad(Malformed::Base64(Segment::Signature)),
        ),
        // A mistyped exp read as "absent", and so never checked, is a bug generic crates have had;
        // RFC 7519 §4.1.4: exp is a NumericDate.
        attack(
            "exp a string",
            claims_a(&claims_with("exp", &format!("\"{}\"", NOW + 60))),
            Err(Error::InvalidClaim(Claim::Exp)),
        ),
        attack(
            "exp a float",
            claims_a(&claims_with("exp", &format!("{}.0", NOW + 60))),
            Err(Error::InvalidClaim(Claim::Exp)),
        ),
        attack(
            "exp 9e307",
            claims_a(&claims_with("exp", "9e307")),
            Err(Error::InvalidClaim(Claim::Exp)),
        ),
        attack(
            "exp 2^64",
            claims_a(&claims_with("exp", "18446744073709551616")),
            Err(Error::InvalidClaim(Claim::Exp)),
        ),
        attack(
            "exp negative",
            claims_a(&claims_with("exp", "-9223372036854775808")),
            Err(Error::InvalidClaim(Claim::Exp)),
        ),
        attack(
            "exp -1",
            claims_a(&claims_with("exp", "-1")),
            Err(Error::Expired {
                exp: at(-1),
                now: at(NOW),
            }),
        ),
        attack(
            "exp null",
            claims_a(&claims_with("exp", "null")),
            Err(Error::InvalidClaim(Claim::Exp)),
        ),
        attack(
            "exp bool",
            claims_a(&claims_with("exp", "false")),
            Err(Error::InvalidClaim(Claim::Exp)),
        ),
        // Audience confusion (RFC 8725 §3.9).
        attack(
            "aud []",
            claims_a(&claims_with("aud", "[]")),
            Err(Error::InvalidClaim(Claim::Aud)),
        ),
        attack(
            "aud [1, \"x\"]",
            claims_a(&claims_with("aud", r#"[1,"x"]"#)),
            Err(Error::InvalidClaim(Claim::Aud)),
        ),
        attack(
            "aud null",
            claims_a(&claims_with("aud", "null")),
            Err(Error::InvalidClaim(Claim::Aud)),
        ),
        // Issuer confusion (RFC 8725 §3.8): exact match only.
        attack(
            "iss trailing space",
            claims_a(&claims_with("iss", r#""https://issuer.test ""#)),
            Err(Error::InvalidIssuer),
        ),
        attack(
            "iss look-alike (Cyrillic i)",
            claims_a(&claims_with("iss", "\"https://\u{456}ssuer.test\"")),
            Err(Error::InvalidIssuer),
        ),
        attack(
            "iss different case",
            claims_a(&claims_with("iss", r#""https://Issuer.test""#)),
            Err(Error::InvalidIssuer),
        ),
        // Payload shape; RFC 8725 §3.7: UTF-8 only.
        attack(
            "payload not an object",
            claims_a(r#""sub""#),
            bad(Malformed::NotAnObject(Segment::Payload)),
        ),
        attack(
            "payload not UTF-8",
            sign_segments(gh, &b64(b"{\"iss\":\"\xc3\x28\"}"), &a),
            bad(Malformed::Json(Segment::Payload)),
        ),
        attack(
            "payload with a BOM",
            sign_segments(gh, &b64(format!("\u{feff}{}", good_claims())), &a),
            bad(Malformed::Json(Segment::Payload)),
        ),
        // RFC 8725 §3.3: the signature is checked before anything in the claims is believed.
        attack(
            "garbage claims, forged signature",
            signed_by("rsa2048-b", HEADER, r#"{"exp":"soon"}"#),
            forged,
        ),
        attack(
            "expired, forged signature",
            signed_by(
                "rsa2048-b",
                HEADER,
                &claims(NOW - 7200, NOW - 3600, 2, None),
            ),
            forged,
        ),
    ];

    // Non-canonical trailing bits (RFC 4648 §3.5) in every segment: the same bytes, another
    // string, so one signature would cover two tokens. A header
    // of 25 bytes and a 256-byte signature both leave unused bits.
    let kidded = header_a(r#"{"alg":"RS256","kid":"k"}"#);
    let [kh, kp, ks]: [&str; 3] = kidded.split('.').collect::<Vec<_>>().try_into().expect("3");
    let bent = |s: &str| non_canonical(s).expect("segment leaves unused bits");
    list.push(attack(
        "non-canonical header",
        sign_segments(&bent(kh), kp, &a),
        bad(Malformed::Base64(Segment::Header)),
    ));
    list.push(attack(
        "non-canonical payload",
        sign_segments(kh, &bent(kp), &a),
        bad(Malformed::Base64(Segment::Payload)),
    ));
    list.push(attack(
        "non-canonical signature",
        replace_segment(&kidded, 2, &bent(ks)),
        bad(Malformed::Base64(Segment::Signature)),
    ));
    list
}

#[test]
fn every_attack_gets_its_exact_error() {
    let keys = common::keys(&["rsa2048-a"]);
    let verifier = Verifier::new(keys.clone(), common::policy());
    let mut failures = Vec::new();
    for attack in catalogue() {
        let got = verifier.verify(&attack.token, at(NOW)).map(|_| ());
        // Oversized cases: the exact length is the token's, whatever it came out as.
        let want = match attack.want {
            Err(Error::TooLarge { max, .. }) => Err(Error::TooLarge {
                len: attack.token.len(),
                max,
            }),
            other => other,
        };
        if got != want {
            failures.push(format!("{}: want {want:?}, got {got:?}", attack.name));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn deep_and_dotted_inputs_past_the_size_cap_are_still_refused_cleanly() {
    // With the cap lifted, depth and segment count are what refuse them.
    let verifier = Verifier::new(
        common::keys(&["rsa2048-a"]),
        Policy::new([common::ISS], [common::AUD])
            .expect("policy")
            .with_max_token_len(4 << 20),
    );
    let deep_header = header_a(&format!(
        r#"{{"alg":"RS256","x":{}{}}}"#,
        "[".repeat(20_000),
        "]".repeat(20_000)
    ));
    let deep_claims = claims_a(&claims_plus(&format!(
        r#""x":{}1{}"#,
        "{\"a\":".repeat(20_000),
        "}".repeat(20_000)
    )));
    let cases = [
        (
            deep_header,
            Error::Malformed(Malformed::TooDeep(Segment::Header)),
        ),
        (
            deep_claims,
            Error::Malformed(Malformed::TooDeep(Segment::Payload)),
        ),
        (
            ".".repeat(100_000),
            Error::Malformed(Malformed::SegmentCount),
        ),
    ];
    for (token, want) in cases {
        assert_eq!(verifier.verify(&token, at(NOW)).map(|_| ()), Err(want));
    }
    // A 1 MB payload of valid base64url is decoded (on the heap) and refused at the signature.
    let good = claims_a(&good_claims());
    let [gh, _, gs]: [&str; 3] = good.split('.').collect::<Vec<_>>().try_into().expect("3");
    let huge = format!("{gh}.{}.{gs}", "A".repeat(1 << 20));
    assert_eq!(
        verifier.verify(&huge, at(NOW)).map(|_| ()),
        Err(Error::InvalidSignature)
    );
}

#[test]
fn kid_only_reorders_keys() {
    // Set [B, A]: a kid naming A's thumbprint tries A first; a kid naming B (wrongly, A signed)
    // falls back to A. Either way only A's signature counts.
    let verifier = common::verifier(&["rsa2048-b", "rsa2048-a"]);
    for kid in [
        common::public("rsa2048-a").thumbprint().to_string(),
        common::public("rsa2048-b").thumbprint().to_string(),
    ] {
        let token = header_a(&format!(r#"{{"alg":"RS256","kid":"{kid}"}}"#));
        let v = verifier.verify(&token, at(NOW)).expect("valid");
        assert_eq!(v.key_index(), 1);
    }
}

/// The CLI (an operator's tool) gives the library's verdict for every attack. It reads the
/// token with surrounding whitespace stripped, and says so: such tokens are compared with the
/// library's verdict on the stripped token.
#[cfg(feature = "cli")]
#[test]
fn the_cli_gives_the_library_verdict_for_every_attack() {
    let keys = common::data_dir().join("keys/rsa2048-a.pkcs1.pem");
    let verifier = Verifier::new(common::keys(&["rsa2048-a"]), common::policy());
    let now = NOW.to_string();
    for attack in catalogue() {
        let stripped = attack.token.trim();
        let want = verifier.verify(stripped, at(NOW)).map(|_| ());
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_facilioo-jwt"))
            .args([
                "verify",
                "-",
                "--json",
                "--iss",
                common::ISS,
                "--aud",
                common::AUD,
            ])
            .args(["--now", &now, "--keys"])
            .arg(&keys)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .and_then(|mut child| {
                use std::io::Write as _;
                let mut stdin = child.stdin.take().expect("stdin");
                // The CLI stops reading past its cap; a closed pipe then is no failure here.
                let _ = stdin.write_all(attack.token.as_bytes());
                drop(stdin);
                child.wait_with_output()
            })
            .expect("runs");
        let report: serde_json::Value =
            serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{}: {e}", attack.name));
        let got = match report["error"].as_str() {
            None => Ok(()),
            Some(code) => Err(code.to_owned()),
        };
        assert_eq!(
            got,
            want.map_err(|e| e.code().to_owned()),
            "{}",
            attack.name
        );
        assert_eq!(out.status.code(), Some(if got.is_ok() { 0 } else { 1 }));
        let said = String::from_utf8_lossy(&out.stderr);
        assert_eq!(
            said.contains("surrounding whitespace"),
            stripped.len() != attack.token.len(),
            "{}: {said}",
            attack.name
        );
    }
}
