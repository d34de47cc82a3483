//! Key loading: every accepted form, and every refusal with the block it names.

mod common;

use common::{data, data_str};
use facilioo_jwt::KeySet;
use facilioo_jwt::keys::{JwkProblem, KeyError, KeyErrorKind, OtherLabel, PemLabel, PublicKey};
use facilioo_jwt::limits::MAX_KEYS;

fn kind(r: Result<KeySet, KeyError>) -> (usize, KeyErrorKind) {
    let e = r.expect_err("refused");
    (e.block(), e.kind())
}

fn der_len(len: usize) -> Vec<u8> {
    match len {
        0..=0x7f => vec![u8::try_from(len).expect("short")],
        0x80..=0xff => vec![0x81, u8::try_from(len).expect("byte")],
        _ => {
            let [hi, lo] = u16::try_from(len).expect("u16").to_be_bytes();
            vec![0x82, hi, lo]
        }
    }
}

fn tlv(tag: u8, contents: &[u8]) -> Vec<u8> {
    [vec![tag], der_len(contents.len()), contents.to_vec()].concat()
}

/// PKCS#1 `RSAPublicKey` from big-endian magnitudes.
fn pkcs1(n: &[u8], e: &[u8]) -> Vec<u8> {
    let int = |m: &[u8]| {
        let body = if m[0] >= 0x80 {
            [&[0u8][..], m].concat()
        } else {
            m.to_vec()
        };
        tlv(0x02, &body)
    };
    tlv(0x30, &[int(n), int(e)].concat())
}

/// A 2048-bit-shaped modulus (its value does not matter for load-time checks).
fn modulus(bits: usize) -> Vec<u8> {
    let mut n = vec![0xc5; bits.div_ceil(8)];
    n[0] = 0xff >> (n.len() * 8 - bits);
    n
}

#[test]
fn one_key_in_every_form_has_one_thumbprint() {
    let forms: Vec<KeySet> = vec![
        KeySet::from_pem(&data_str("keys/rsa2048-a.pkcs1.pem")).expect("pkcs1 pem"),
        KeySet::from_pem(&data_str("keys/rsa2048-a.spki.pem")).expect("spki pem"),
        KeySet::from_der(&data("keys/rsa2048-a.pkcs1.der")).expect("pkcs1 der"),
        KeySet::from_der(&data("keys/rsa2048-a.spki.der")).expect("spki der"),
        KeySet::load(&data("keys/rsa2048-a.pkcs1.der")).expect("load pkcs1 der"),
        KeySet::load(&data("keys/rsa2048-a.spki.der")).expect("load spki der"),
        KeySet::load(&data("keys/rsa2048-a.spki.pem")).expect("load pem"),
    ];
    let first = forms[0].as_slice()[0].thumbprint();
    for set in &forms {
        assert_eq!(set.len(), 1);
        assert_eq!(set.as_slice()[0].thumbprint(), first);
        assert_eq!(set.as_slice()[0].modulus_bits(), 2048);
        assert_eq!(set.as_slice()[0].modulus_len(), 256);
    }
    // And as a JWK built from the SPKI-loaded key's own thumbprint input.
    assert_ne!(
        first,
        KeySet::from_pem(&data_str("keys/rsa2048-b.pkcs1.pem"))
            .expect("b")
            .as_slice()[0]
            .thumbprint()
    );
}

#[test]
fn pem_bundle_mixes_labels_and_tolerates_text() {
    let bundle = format!(
        "Keys for the dev environment\n\n{}\nsecond key, SPKI:\n  {}\n{}trailing words",
        data_str("keys/rsa2048-a.pkcs1.pem"),
        data_str("keys/rsa2048-b.spki.pem").replace('\n', "\r\n"),
        data_str("keys/rsa4096.pkcs1.pem"),
    );
    let set = KeySet::from_pem(&bundle).expect("bundle");
    let bits: Vec<usize> = set.iter().map(PublicKey::modulus_bits).collect();
    assert_eq!(bits, [2048, 2048, 4096]);
    assert_eq!(
        set.as_slice()[0].thumbprint(),
        common::public("rsa2048-a").thumbprint()
    );
    assert_eq!(
        set.as_slice()[1].thumbprint(),
        common::public("rsa2048-b").thumbprint()
    );
}

#[test]
fn pem_refusals_name_block_and_reason() {
    let a = data_str("keys/rsa2048-a.pkcs1.pem");
    let b = data_str("keys/rsa2048-b.spki.pem");
    assert_eq!(kind(KeySet::from_pem("")), (0, KeyErrorKind::Empty));
    assert_eq!(
        kind(KeySet::from_pem("no keys here")),
        (0, KeyErrorKind::Empty)
    );
    assert_eq!(kind(KeySet::load(b"  \n")), (0, KeyErrorKind::Empty));
    assert_eq!(
        kind(KeySet::from_pem(&format!(
            "{a}{}",
            b.replace("-----END PUBLIC KEY-----", "-----END PUBLIC KEY----")
        ))),
        (
            2,
            KeyErrorKind::BadPemFooter {
                label: PemLabel::PublicKey,
                dashes: (5, 4)
            }
        )
    );
    assert_eq!(
        kind(KeySet::from_pem(&a.replace(
            "-----END RSA PUBLIC KEY-----",
            "-----END PUBLIC KEY-----"
        ))),
        (
            1,
            KeyErrorKind::BadPemFooter {
                label: PemLabel::RsaPublicKey,
                dashes: (5, 5)
            }
        )
    );
    assert_eq!(
        kind(KeySet::from_pem(
            &a.replace("-----END RSA PUBLIC KEY-----\n", "")
        )),
        (1, KeyErrorKind::UnterminatedPem(PemLabel::RsaPublicKey))
    );
    assert_eq!(
        kind(KeySet::from_pem(&format!(
            "{}{b}",
            a.replace("-----END RSA PUBLIC KEY-----\n", "")
        ))),
        (1, KeyErrorKind::UnterminatedPem(PemLabel::RsaPublicKey))
    );
    assert_eq!(
        kind(KeySet::from_pem(&format!(
            "{b}{}",
            a.replace(
                "-----BEGIN RSA PUBLIC KEY-----",
                "-----BEGIN RSA PUBLIC KEY----"
            )
        ))),
        (2, KeyErrorKind::BadPemHeader { dashes: (5, 4) })
    );
    assert_eq!(
        kind(KeySet::from_pem(
            "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
        )),
        (
            1,
            KeyErrorKind::UnsupportedPemLabel(OtherLabel::Certificate)
        )
    );
    assert_eq!(
        kind(KeySet::from_pem(
            "-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----\n"
        )),
        (
            1,
            KeyErrorKind::UnsupportedPemLabel(OtherLabel::RsaPrivateKey)
        )
    );
    let lines: Vec<&str> = a.lines().collect();
    let bad_b64 = format!("{}\n{}!\n{}\n", lines[0], lines[1], lines[2..].join("\n"));
    assert_eq!(kind(KeySet::from_pem(&bad_b64)), (1, KeyErrorKind::Base64));
    let msg = KeySet::from_pem(&a.replace("KEY-----\n", "KEY----\n").replacen(
        "KEY----\n",
        "KEY-----\n",
        1,
    ))
    .expect_err("footer")
    .to_string();
    assert_eq!(
        msg,
        "key 1: PEM footer must be exactly `-----END RSA PUBLIC KEY-----`: \
         it has 5 dashes before END and 4 after (is a dash missing?)"
    );
}

#[test]
fn pem_text_as_operators_paste_it() {
    let a = data_str("keys/rsa2048-a.pkcs1.pem");
    let thumbprint = *common::public("rsa2048-a").thumbprint();
    let loads = |text: &str| {
        let set = KeySet::from_pem(text).expect("loads");
        assert_eq!(*set.as_slice()[0].thumbprint(), thumbprint);
        let set = KeySet::load(text.as_bytes()).expect("loads");
        assert_eq!(*set.as_slice()[0].thumbprint(), thumbprint);
    };
    loads(&format!("\u{feff}{a}")); // a UTF-8 byte-order mark, as Windows editors write
    loads(&a.replace('\n', "\r\n")); // CRLF
    loads(&a.replace('\n', "\r")); // CR only (classic Mac OS)
    loads(&format!("\u{feff}{}", a.replace('\n', "\r")));

    // Damaged boundaries: the reason names the dashes, wherever one is missing.
    let footer = |dashes| KeyErrorKind::BadPemFooter {
        label: PemLabel::RsaPublicKey,
        dashes,
    };
    for (text, want) in [
        (
            a.replace("-----END RSA", "----END RSA"),
            (1, footer((4, 5))),
        ),
        (
            a.replace("KEY-----\n", "KEY---\n")
                .replacen("KEY---\n", "KEY-----\n", 1),
            (1, footer((5, 3))),
        ),
        (
            a.replace("-----END RSA", "------END RSA"),
            (1, footer((6, 5))),
        ),
        (
            a.replace("-----BEGIN RSA", "----BEGIN RSA"),
            (1, KeyErrorKind::BadPemHeader { dashes: (4, 5) }),
        ),
        (
            a.replace("-----BEGIN RSA", "BEGIN RSA"),
            (1, KeyErrorKind::BadPemHeader { dashes: (0, 5) }),
        ),
    ] {
        assert_eq!(kind(KeySet::from_pem(&text)), want, "{text}");
    }
    assert_eq!(
        KeySet::from_pem(&a.replace("-----END RSA", "----END RSA"))
            .expect_err("footer")
            .to_string(),
        "key 1: PEM footer must be exactly `-----END RSA PUBLIC KEY-----`: \
         it has 4 dashes before END and 5 after (is a dash missing?)"
    );
    assert_eq!(
        KeySet::from_pem(&a.replace("-----END RSA", "------END RSA"))
            .expect_err("footer")
            .to_string(),
        "key 1: PEM footer must be exactly `-----END RSA PUBLIC KEY-----`: \
         it has 6 dashes before END and 5 after (one dash too many?)"
    );
    // Decorative text between blocks is still only text, and so are the words without dashes.
    loads(&format!("--- BEGIN of the dev keys ---\n{a}--- END ---\n"));
    loads(&format!("BEGIN RSA PUBLIC KEY\n{a}END RSA PUBLIC KEY\n"));
    // A stray space before the closing dashes is a damaged label, named as such.
    assert_eq!(
        kind(KeySet::from_pem(
            &a.replace("PUBLIC KEY-----\n", "PUBLIC KEY -----\n")
        )),
        (1, KeyErrorKind::UnsupportedPemLabel(OtherLabel::Other))
    );
}

#[test]
fn jwk_with_a_byte_order_mark() {
    let rfc: serde_json::Value =
        serde_json::from_str(&data_str("rfc/rfc7515_a2_rs256.json")).expect("rfc");
    let jwk = format!("\u{feff}{}", rfc["jwk"]);
    assert_eq!(KeySet::from_jwk(&jwk).expect("jwk").len(), 1);
    assert_eq!(KeySet::load(jwk.as_bytes()).expect("load").len(), 1);
}

#[test]
fn der_refusals() {
    let good = data("keys/rsa2048-a.pkcs1.der");
    let trailing = [good.clone(), vec![0]].concat();
    assert_eq!(
        kind(KeySet::from_der(&trailing)),
        (1, KeyErrorKind::TrailingData)
    );
    let spki_trailing = [data("keys/rsa2048-a.spki.der"), vec![0, 0]].concat();
    assert_eq!(
        kind(KeySet::from_der(&spki_trailing)),
        (1, KeyErrorKind::TrailingData)
    );
    assert_eq!(
        kind(KeySet::from_der(&good[..good.len() - 1])),
        (1, KeyErrorKind::Der)
    );
    assert_eq!(kind(KeySet::from_der(&[])), (1, KeyErrorKind::Der));
    assert_eq!(
        kind(KeySet::from_der(&[0x30, 0x80, 0, 0])),
        (1, KeyErrorKind::Der)
    );
    // Trailing bytes inside a PEM block count too.
    let pem = format!(
        "-----BEGIN RSA PUBLIC KEY-----\n{}\n-----END RSA PUBLIC KEY-----\n",
        base64::Engine::encode(&base64::engine::general_purpose::STANDARD, &trailing)
    );
    assert_eq!(
        kind(KeySet::from_pem(&pem)),
        (1, KeyErrorKind::TrailingData)
    );
    // An SPKI whose algorithm is not rsaEncryption.
    let mut spki = data("keys/rsa2048-a.spki.der");
    let oid = spki
        .windows(9)
        .position(|w| w == [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01])
        .expect("oid");
    spki[oid + 8] = 0x0a;
    assert_eq!(kind(KeySet::from_der(&spki)), (1, KeyErrorKind::NotRsa));
}

#[test]
fn size_and_exponent_refusals() {
    assert_eq!(
        kind(KeySet::from_pem(&data_str("keys/rsa1024.pkcs1.pem"))),
        (1, KeyErrorKind::ModulusTooSmall { bits: 1024 })
    );
    assert_eq!(
        kind(KeySet::from_der(&data("keys/rsa1024.spki.der"))),
        (1, KeyErrorKind::ModulusTooSmall { bits: 1024 })
    );
    assert_eq!(
        kind(KeySet::from_pem(&data_str("keys/rsa2048-e3.pkcs1.pem"))),
        (1, KeyErrorKind::ExponentTooSmall)
    );
    let e = [0x01, 0x00, 0x01];
    assert_eq!(
        kind(KeySet::from_der(&pkcs1(&modulus(2047), &e))),
        (1, KeyErrorKind::ModulusTooSmall { bits: 2047 })
    );
    assert!(KeySet::from_der(&pkcs1(&modulus(2048), &e)).is_ok());
    assert!(KeySet::from_der(&pkcs1(&modulus(8192), &e)).is_ok());
    // An even modulus can never verify a signature: refused at load, not at every token.
    let mut even = modulus(2048);
    *even.last_mut().expect("bytes") &= 0xfe;
    assert_eq!(
        kind(KeySet::from_der(&pkcs1(&even, &e))),
        (1, KeyErrorKind::ModulusEven)
    );
    assert_eq!(
        kind(KeySet::from_der(&pkcs1(&modulus(8193), &e))),
        (1, KeyErrorKind::ModulusTooLarge { bits: 8193 })
    );
    assert_eq!(
        kind(KeySet::from_der(&pkcs1(
            &modulus(2048),
            &[0x01, 0x00, 0x00]
        ))),
        (1, KeyErrorKind::ExponentEven)
    );
    assert_eq!(
        kind(KeySet::from_der(&pkcs1(
            &modulus(2048),
            &[0x01, 0x00, 0x01, 0x00]
        ))),
        (1, KeyErrorKind::ExponentEven)
    );
    assert_eq!(
        kind(KeySet::from_der(&pkcs1(&modulus(2048), &[0x03]))),
        (1, KeyErrorKind::ExponentTooSmall)
    );
    assert_eq!(
        kind(KeySet::from_der(&pkcs1(&modulus(2048), &[0xff, 0xff]))),
        (1, KeyErrorKind::ExponentTooSmall)
    );
    assert_eq!(
        kind(KeySet::from_der(&pkcs1(
            &modulus(2048),
            &[0x02, 0, 0, 0, 1]
        ))),
        (1, KeyErrorKind::ExponentTooLarge)
    );
    assert_eq!(
        kind(KeySet::from_der(&pkcs1(&modulus(2048), &[1; 9]))),
        (1, KeyErrorKind::ExponentTooLarge)
    );
    assert!(KeySet::from_der(&pkcs1(&modulus(2048), &[0x01, 0xff, 0xff, 0xff, 0xff])).is_ok());
}

#[test]
fn jwk_and_jwk_set() {
    let rfc: serde_json::Value =
        serde_json::from_str(&data_str("rfc/rfc7515_a2_rs256.json")).expect("json");
    let jwk = rfc["jwk"].clone();
    let key = PublicKey::from_jwk(&jwk.to_string()).expect("jwk");
    let with = |member: &str, value: serde_json::Value| {
        let mut j = jwk.clone();
        j[member] = value;
        KeySet::from_jwk(&j.to_string())
    };
    let without_padding = jwk["n"].as_str().expect("n").to_owned();
    assert_eq!(kind(with("kty", "EC".into())), (1, KeyErrorKind::NotRsa));
    assert_eq!(
        kind(with("use", "enc".into())),
        (1, KeyErrorKind::Jwk(JwkProblem::Use))
    );
    assert_eq!(
        kind(with("key_ops", serde_json::json!(["sign"]))),
        (1, KeyErrorKind::Jwk(JwkProblem::KeyOps))
    );
    assert!(with("key_ops", serde_json::json!(["verify"])).is_ok());
    assert_eq!(
        kind(with("alg", "RS512".into())),
        (1, KeyErrorKind::Jwk(JwkProblem::Alg))
    );
    assert_eq!(
        kind(with("d", "AQAB".into())),
        (1, KeyErrorKind::Jwk(JwkProblem::PrivateKey))
    );
    assert_eq!(
        kind(with("n", format!("{without_padding}=").into())),
        (1, KeyErrorKind::Base64)
    );
    assert_eq!(
        kind(with("n", format!("+{}", &without_padding[1..]).into())),
        (1, KeyErrorKind::Base64)
    );
    assert_eq!(
        kind(with("n", format!("AA{without_padding}").into())),
        (1, KeyErrorKind::Jwk(JwkProblem::NotMinimal))
    );
    assert_eq!(
        kind(with("e", "AAEAAQ".into())),
        (1, KeyErrorKind::Jwk(JwkProblem::NotMinimal))
    );
    assert_eq!(
        kind(with("e", 65537.into())),
        (1, KeyErrorKind::Jwk(JwkProblem::NotAString))
    );
    assert_eq!(kind(KeySet::from_jwk("{")), (1, KeyErrorKind::Json));
    assert_eq!(kind(KeySet::from_jwk("[]")), (1, KeyErrorKind::Json));

    let set = serde_json::json!({"keys": [jwk, {"kty": "RSA", "n": "AQAB", "e": "AQAB"}]});
    assert_eq!(
        kind(KeySet::from_jwk(&set.to_string())),
        (2, KeyErrorKind::ModulusTooSmall { bits: 17 })
    );
    let set = serde_json::json!({"keys": [jwk, jwk]});
    let loaded = KeySet::load(set.to_string().as_bytes()).expect("jwks");
    assert_eq!(loaded.len(), 2);
    assert_eq!(loaded.as_slice()[0].thumbprint(), key.thumbprint());
    assert_eq!(
        kind(KeySet::from_jwk(r#"{"keys":[]}"#)),
        (0, KeyErrorKind::Empty)
    );
    assert_eq!(
        kind(KeySet::from_jwk(r#"{"keys":{}}"#)),
        (1, KeyErrorKind::Json)
    );
}

#[test]
fn set_bounds() {
    assert_eq!(kind(KeySet::new(Vec::new())), (0, KeyErrorKind::Empty));
    let key = common::public("rsa2048-a");
    assert!(KeySet::new(vec![key.clone(); MAX_KEYS]).is_ok());
    assert_eq!(
        kind(KeySet::new(vec![key; MAX_KEYS + 1])),
        (0, KeyErrorKind::TooManyKeys)
    );
    // Exactly the limit loads from every form; one more is refused.
    let one = data_str("keys/rsa2048-a.pkcs1.pem");
    assert_eq!(
        KeySet::from_pem(&one.repeat(MAX_KEYS)).expect("64").len(),
        64
    );
    assert_eq!(
        kind(KeySet::from_pem(&one.repeat(MAX_KEYS + 1))),
        (0, KeyErrorKind::TooManyKeys)
    );
    let rfc: serde_json::Value =
        serde_json::from_str(&data_str("rfc/rfc7515_a2_rs256.json")).expect("json");
    let set = |n: usize| serde_json::json!({ "keys": vec![rfc["jwk"].clone(); n] }).to_string();
    assert_eq!(KeySet::from_jwk(&set(MAX_KEYS)).expect("64").len(), 64);
    assert_eq!(
        kind(KeySet::from_jwk(&set(MAX_KEYS + 1))),
        (0, KeyErrorKind::TooManyKeys)
    );
    // Only whitespace is no key, whatever the form it might have been.
    assert_eq!(kind(KeySet::load(b" \t\r\n")), (0, KeyErrorKind::Empty));
}

#[test]
fn exponent_bounds() {
    use facilioo_jwt::limits::{MAX_EXPONENT, MIN_EXPONENT};
    assert_eq!((MIN_EXPONENT, MAX_EXPONENT), (65_537, 8_589_934_591));
    let load = |e: u64| {
        let bytes = e.to_be_bytes();
        let start = bytes.iter().position(|b| *b != 0).unwrap_or(7);
        KeySet::from_der(&pkcs1(&modulus(2048), &bytes[start..]))
    };
    assert!(load(MAX_EXPONENT).is_ok());
    assert_eq!(
        kind(load(MAX_EXPONENT + 2)),
        (1, KeyErrorKind::ExponentTooLarge)
    );
    assert_eq!(kind(load(u64::MAX)), (1, KeyErrorKind::ExponentTooLarge));
    assert!(load(MIN_EXPONENT).is_ok());
    assert_eq!(
        kind(load(MIN_EXPONENT - 2)),
        (1, KeyErrorKind::ExponentTooSmall)
    );
    // Nine bytes, the lowest of which alone would be a fine exponent.
    assert_eq!(
        kind(KeySet::from_der(&pkcs1(
            &modulus(2048),
            &[1, 0, 0, 0, 0, 0, 1, 0, 1]
        ))),
        (1, KeyErrorKind::ExponentTooLarge)
    );
}

/// Strict DER: each rule of the reader, by a minimal change to a valid PKCS#1 key.
#[test]
fn der_is_strict() {
    let n = modulus(2048);
    let e = [0x01, 0x00, 0x01];
    assert!(KeySet::from_der(&pkcs1(&n, &e)).is_ok());
    let seq = |body: Vec<u8>| tlv(0x30, &body);
    let int = |body: &[u8]| tlv(0x02, body);
    let modulus_int = int(&[&[0u8][..], &n].concat());
    for (name, der) in [
        (
            "exponent with a redundant leading zero",
            seq([modulus_int.clone(), int(&[0, 1, 0, 1])].concat()),
        ),
        (
            "modulus with two leading zeros",
            seq([int(&[&[0u8, 0][..], &n].concat()), int(&e)].concat()),
        ),
        (
            "modulus without its sign byte (negative)",
            seq([int(&n), int(&e)].concat()),
        ),
        (
            "exponent zero",
            seq([modulus_int.clone(), int(&[0])].concat()),
        ),
        (
            "exponent empty",
            seq([modulus_int.clone(), int(&[])].concat()),
        ),
        (
            "exponent negative",
            seq([modulus_int.clone(), int(&[0x81, 0, 1])].concat()),
        ),
        (
            "a third integer",
            seq([modulus_int.clone(), int(&e), int(&e)].concat()),
        ),
        (
            "not a sequence",
            [&[0x31u8][..], &pkcs1(&n, &e)[1..]].concat(),
        ),
        (
            "exponent tagged as a bit string",
            seq([modulus_int.clone(), tlv(0x03, &e)].concat()),
        ),
    ] {
        let got = kind(KeySet::from_der(&der));
        assert!(
            matches!(got, (1, KeyErrorKind::Der | KeyErrorKind::TrailingData)),
            "{name}: {got:?}"
        );
    }
    // Lengths: the short form where it fits, one length byte where it fits.
    let body = [modulus_int.clone(), int(&e)].concat();
    let long = |len_bytes: &[u8]| [&[0x30u8][..], len_bytes, &body].concat();
    let [hi, lo] = u16::try_from(body.len()).expect("len").to_be_bytes();
    assert!(KeySet::from_der(&long(&[0x82, hi, lo])).is_ok());
    assert_eq!(
        kind(KeySet::from_der(&long(&[0x83, 0, hi, lo]))),
        (1, KeyErrorKind::Der)
    );
    let short_exp =
        |len: &[u8]| seq([modulus_int.clone(), [&[0x02u8][..], len, &e].concat()].concat());
    assert!(KeySet::from_der(&short_exp(&[0x03])).is_ok());
    assert_eq!(
        kind(KeySet::from_der(&short_exp(&[0x81, 0x03]))),
        (1, KeyErrorKind::Der)
    );
    assert_eq!(
        kind(KeySet::from_der(&short_exp(&[0x82, 0x00, 0x03]))),
        (1, KeyErrorKind::Der)
    );
    assert_eq!(
        kind(KeySet::from_der(&short_exp(&[0x80]))),
        (1, KeyErrorKind::Der)
    );
    // An SPKI: the parameters must be NULL and the bit string must have no unused bits.
    let rsa_encryption = tlv(
        0x06,
        &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01],
    );
    let spki = |null: &[u8], unused: u8| {
        let alg = seq([rsa_encryption.clone(), tlv(0x05, null)].concat());
        let bits = tlv(0x03, &[&[unused][..], &pkcs1(&n, &e)].concat());
        seq([alg, bits].concat())
    };
    assert!(KeySet::from_der(&spki(&[], 0)).is_ok());
    assert_eq!(
        kind(KeySet::from_der(&spki(&[0], 0))),
        (1, KeyErrorKind::Der)
    );
    assert_eq!(
        kind(KeySet::from_der(&spki(&[], 1))),
        (1, KeyErrorKind::Der)
    );
}

#[test]
fn debug_shows_no_key_bytes() {
    let key = common::public("rsa2048-a");
    let debug = format!("{key:?}");
    assert!(debug.contains("bits: 2048"), "{debug}");
    assert!(debug.len() < 200, "{debug}");
}

#[test]
fn embedded_facilioo_keys_are_the_documented_ones() {
    let doc = KeySet::from_pem(&data_str("../../keys/facilioo-1.pem")).expect("key file");
    let set = KeySet::facilioo();
    assert_eq!(set.len(), 3);
    assert_eq!(
        set.as_slice()[0].thumbprint(),
        doc.as_slice()[0].thumbprint()
    );
    let distinct: std::collections::HashSet<_> = set.iter().map(|k| *k.thumbprint()).collect();
    assert_eq!(distinct.len(), 3);
}

/// A scratch directory of this test process, emptied of nothing: names are unique per test.
fn scratch(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("facilioo-jwt-keys-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir.join(name)
}

#[test]
fn key_files_are_read_with_a_bound() {
    use facilioo_jwt::limits::MAX_KEY_FILE_LEN;
    let pem = data_str("keys/rsa2048-a.pkcs1.pem");
    let ok = scratch("one.pem");
    std::fs::write(&ok, &pem).expect("write");
    assert_eq!(KeySet::from_file(&ok).expect("loads").len(), 1);

    // Exactly the cap is read whole (the key, then spaces); one byte more is refused unparsed.
    let mut at_cap = pem.clone().into_bytes();
    at_cap.resize(MAX_KEY_FILE_LEN, b' ');
    let path = scratch("at-cap.pem");
    std::fs::write(&path, &at_cap).expect("write");
    assert_eq!(KeySet::from_file(&path).expect("at the cap").len(), 1);
    at_cap.push(b' ');
    std::fs::write(&path, &at_cap).expect("write");
    assert_eq!(
        kind(KeySet::from_file(&path)),
        (0, KeyErrorKind::FileTooLarge)
    );

    // Devices that never end stop at the cap.
    for device in ["/dev/zero", "/dev/urandom"] {
        assert_eq!(
            kind(KeySet::from_file(device)),
            (0, KeyErrorKind::FileTooLarge),
            "{device}"
        );
    }
    let dir = std::env::temp_dir();
    assert_eq!(kind(KeySet::from_file(&dir)), (0, KeyErrorKind::NotAFile));
    let missing = KeySet::from_file("/nonexistent/keys.pem").expect_err("missing");
    assert_eq!(
        missing.kind(),
        KeyErrorKind::Io(std::io::ErrorKind::NotFound)
    );
    assert_eq!(missing.to_string(), "key file not found");
    assert_eq!(
        KeyErrorKind::FileTooLarge.to_string(),
        "key file is larger than 1024 KiB, more than any key set needs"
    );
}

/// Every key-loading message names the reason (and, through `KeyError`, the block), and
/// nothing of the key.
#[test]
fn every_key_message_exactly() {
    use std::io::ErrorKind as Io;
    for (kind, message) in [
        (KeyErrorKind::Empty, "no key found"),
        (KeyErrorKind::TooManyKeys, "more than 64 keys"),
        (
            KeyErrorKind::UnsupportedPemLabel(OtherLabel::Other),
            "PEM block is not `-----BEGIN RSA PUBLIC KEY-----` or `-----BEGIN PUBLIC KEY-----`",
        ),
        (
            KeyErrorKind::UnsupportedPemLabel(OtherLabel::PrivateKey),
            "a private key (`-----BEGIN PRIVATE KEY-----`): a verifier needs the public key, \
             e.g. `openssl pkey -in key.pem -pubout`",
        ),
        (
            KeyErrorKind::UnknownFormat,
            "not a PEM bundle, a JWK or JWK Set, nor DER",
        ),
        (
            KeyErrorKind::BadPemHeader { dashes: (4, 5) },
            "PEM header must be exactly `-----BEGIN RSA PUBLIC KEY-----` or \
             `-----BEGIN PUBLIC KEY-----`: it has 4 dashes before BEGIN and 5 after \
             (is a dash missing?)",
        ),
        (
            KeyErrorKind::BadPemFooter {
                label: PemLabel::PublicKey,
                dashes: (5, 5),
            },
            "PEM footer must be exactly `-----END PUBLIC KEY-----`, the label the block began with",
        ),
        (
            KeyErrorKind::BadPemFooter {
                label: PemLabel::PublicKey,
                dashes: (5, 6),
            },
            "PEM footer must be exactly `-----END PUBLIC KEY-----`: it has 5 dashes before END \
             and 6 after (one dash too many?)",
        ),
        (
            KeyErrorKind::UnterminatedPem(PemLabel::RsaPublicKey),
            "PEM block has no `-----END RSA PUBLIC KEY-----` footer",
        ),
        (KeyErrorKind::Base64, "invalid base64"),
        (KeyErrorKind::Der, "invalid DER"),
        (KeyErrorKind::TrailingData, "unexpected bytes after the key"),
        (KeyErrorKind::NotRsa, "not an RSA key"),
        (
            KeyErrorKind::ModulusTooSmall { bits: 1024 },
            "modulus of 1024 bits is under 2048",
        ),
        (
            KeyErrorKind::ModulusTooLarge { bits: 8193 },
            "modulus of 8193 bits is over 8192",
        ),
        (
            KeyErrorKind::ModulusEven,
            "modulus is even, so it is no RSA modulus",
        ),
        (KeyErrorKind::ExponentEven, "public exponent is even"),
        (
            KeyErrorKind::ExponentTooSmall,
            "public exponent is below 65537",
        ),
        (
            KeyErrorKind::ExponentTooLarge,
            "public exponent is above 8589934591",
        ),
        (KeyErrorKind::Json, "invalid JSON or not a JWK object"),
        (KeyErrorKind::NotAFile, "key file path is a directory"),
        (KeyErrorKind::Io(Io::NotFound), "key file not found"),
        (
            KeyErrorKind::Io(Io::PermissionDenied),
            "key file: permission denied",
        ),
        (
            KeyErrorKind::Io(Io::Interrupted),
            "key file cannot be read: operation interrupted",
        ),
        (KeyErrorKind::Jwk(JwkProblem::Missing), "JWK lacks n or e"),
        (
            KeyErrorKind::Jwk(JwkProblem::NotAString),
            "JWK member is not a string",
        ),
        (
            KeyErrorKind::Jwk(JwkProblem::NotMinimal),
            "JWK n or e has leading zero octets",
        ),
        (KeyErrorKind::Jwk(JwkProblem::Alg), "JWK alg is not RS256"),
        (KeyErrorKind::Jwk(JwkProblem::Use), "JWK use is not sig"),
        (
            KeyErrorKind::Jwk(JwkProblem::KeyOps),
            "JWK key_ops does not include verify",
        ),
        (
            KeyErrorKind::Jwk(JwkProblem::PrivateKey),
            "JWK holds a private key",
        ),
    ] {
        assert_eq!(kind.to_string(), message, "{kind:?}");
    }
    // The block is named when there is one.
    let two = format!(
        "{}{}",
        data_str("keys/rsa2048-a.pkcs1.pem"),
        data_str("keys/rsa1024.pkcs1.pem")
    );
    assert_eq!(
        KeySet::from_pem(&two).expect_err("1024").to_string(),
        "key 2: modulus of 1024 bits is under 2048"
    );
    assert_eq!(
        KeySet::new(Vec::new()).expect_err("empty").to_string(),
        "no key found"
    );
}

#[test]
fn keys_compare_iterate_and_name_themselves() {
    let a = common::public("rsa2048-a");
    let a_again = PublicKey::from_spki_der(&data("keys/rsa2048-a.spki.der")).expect("spki");
    let b = common::public("rsa2048-b");
    assert_eq!(a, a_again);
    assert_ne!(a, b);
    // The same modulus and exponent with a kid is another key entry.
    let rfc: serde_json::Value =
        serde_json::from_str(&data_str("rfc/rfc7515_a2_rs256.json")).expect("json");
    let mut jwk = rfc["jwk"].clone();
    let without_kid = PublicKey::from_jwk(&jwk.to_string()).expect("jwk");
    jwk["kid"] = "k1".into();
    let with_kid = PublicKey::from_jwk(&jwk.to_string()).expect("jwk");
    assert_ne!(without_kid, with_kid);
    assert_eq!(with_kid.kid(), Some("k1"));

    let set = KeySet::new(vec![a.clone(), b.clone()]).expect("set");
    assert!(!set.is_empty());
    assert_eq!((&set).into_iter().count(), 2);
    let mut seen = Vec::new();
    for key in &set {
        seen.push(key.thumbprint().to_string());
    }
    assert_eq!(
        seen,
        [a.thumbprint().to_string(), b.thumbprint().to_string()]
    );

    // The thumbprint's bytes are the SHA-256 its base64url text spells.
    let thumbprint = a.thumbprint();
    let bytes = base64::Engine::decode(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD,
        thumbprint.to_string(),
    )
    .expect("base64url");
    assert_eq!(&bytes[..], &thumbprint.as_bytes()[..]);
    assert_ne!(thumbprint.as_bytes(), &[0; 32]);
    assert_eq!(
        format!("{thumbprint:?}"),
        format!("Thumbprint({thumbprint})")
    );

    // Bytes that are neither PEM nor JWK nor start like DER are no key file.
    assert_eq!(
        kind(KeySet::load(b"not a key")),
        (0, KeyErrorKind::UnknownFormat)
    );
}

/// A PEM block of `label` around `der`, in 64-character lines.
fn pem_block(label: &str, der: &[u8]) -> String {
    let b64 = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, der);
    let lines: Vec<&str> = b64
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).expect("base64 is ASCII"))
        .collect();
    format!(
        "-----BEGIN {label}-----\n{}\n-----END {label}-----\n",
        lines.join("\n")
    )
}

/// Files that are no key of any supported form say what they are instead: not a key file at
/// all, a private key, or a certificate, never `invalid DER`.
#[test]
fn files_that_are_no_key_say_what_they_are() {
    let not_a_key_file = "not a PEM bundle, a JWK or JWK Set, nor DER";
    let token = data_str("example-token.txt");
    let binary: Vec<u8> = (0u8..=255).rev().cycle().take(300).collect();
    for (name, bytes) in [
        ("text", b"hello\n".to_vec()),
        ("a JWT pasted as a key", token.into_bytes()),
        ("binary not starting with 0x30", binary),
        (
            "a byte-order mark and text",
            "\u{feff}hello".as_bytes().to_vec(),
        ),
    ] {
        let error = KeySet::load(&bytes).expect_err(name);
        assert_eq!(
            (error.block(), error.kind()),
            (0, KeyErrorKind::UnknownFormat),
            "{name}"
        );
        assert_eq!(error.to_string(), not_a_key_file, "{name}");
    }
    // Bytes that start like DER keep the precise DER errors.
    let broken = KeySet::load(&[0x30, 0x03, 0x02, 0x01]).expect_err("broken DER");
    assert_eq!((broken.block(), broken.kind()), (1, KeyErrorKind::Der));
    assert_eq!(broken.to_string(), "key 1: invalid DER");
    let pk8 = data("keys/rsa2048-a.pk8.der");
    let private = |label: &str, command: &str| {
        format!(
            "key 1: a private key (`-----BEGIN {label}-----`): a verifier needs the public key, \
             e.g. `{command}`"
        )
    };
    let pkey = "openssl pkey -in key.pem -pubout";
    for (pem, label, message) in [
        (
            pem_block("PRIVATE KEY", &pk8),
            OtherLabel::PrivateKey,
            private("PRIVATE KEY", pkey),
        ),
        (
            pem_block("RSA PRIVATE KEY", &pk8),
            OtherLabel::RsaPrivateKey,
            private("RSA PRIVATE KEY", pkey),
        ),
        (
            pem_block("ENCRYPTED PRIVATE KEY", &pk8),
            OtherLabel::EncryptedPrivateKey,
            private("ENCRYPTED PRIVATE KEY", pkey),
        ),
        (
            pem_block("EC PRIVATE KEY", &pk8),
            OtherLabel::EcPrivateKey,
            private("EC PRIVATE KEY", pkey),
        ),
        (
            pem_block("OPENSSH PRIVATE KEY", &pk8),
            OtherLabel::OpensshPrivateKey,
            private("OPENSSH PRIVATE KEY", "ssh-keygen -e -m PKCS8 -f key"),
        ),
        (
            pem_block("CERTIFICATE", &pk8),
            OtherLabel::Certificate,
            "key 1: a certificate (`-----BEGIN CERTIFICATE-----`): a verifier needs its public \
             key, e.g. `openssl x509 -in cert.pem -pubkey -noout`"
                .to_owned(),
        ),
        (
            pem_block("X509 CRL", &pk8),
            OtherLabel::Other,
            "key 1: PEM block is not `-----BEGIN RSA PUBLIC KEY-----` or \
             `-----BEGIN PUBLIC KEY-----`"
                .to_owned(),
        ),
    ] {
        for loaded in [KeySet::from_pem(&pem), KeySet::load(pem.as_bytes())] {
            let error = loaded.expect_err("refused");
            assert_eq!(
                (error.block(), error.kind()),
                (1, KeyErrorKind::UnsupportedPemLabel(label))
            );
            assert_eq!(error.to_string(), message);
        }
        let private = !matches!(label, OtherLabel::Certificate | OtherLabel::Other);
        assert_eq!(label.is_private_key(), private, "{label:?}");
    }
    // The label is named from a fixed list, never echoed.
    assert_eq!(OtherLabel::Other.to_string(), "another label");
    assert_eq!(OtherLabel::EcPrivateKey.as_str(), "EC PRIVATE KEY");
    let odd = pem_block("PRIVATE KEY \u{1b}[31m", &pk8);
    assert_eq!(
        kind(KeySet::from_pem(&odd)),
        (1, KeyErrorKind::UnsupportedPemLabel(OtherLabel::Other))
    );
}
