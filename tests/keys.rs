//! Key loading: every accepted form, and every refusal with the block it names.

mod common;

use common::{data, data_str};
use facilioo_jwt::{JwkProblem, KeyError, KeyErrorKind, KeySet, MAX_KEYS, PemLabel, PublicKey};

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
        (1, KeyErrorKind::UnsupportedPemLabel)
    );
    assert_eq!(
        kind(KeySet::from_pem(
            "-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----\n"
        )),
        (1, KeyErrorKind::UnsupportedPemLabel)
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
    // Decorative text between blocks is still only text.
    loads(&format!("--- BEGIN of the dev keys ---\n{a}--- END ---\n"));
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
    let pem = data_str("keys/rsa2048-a.pkcs1.pem").repeat(MAX_KEYS + 1);
    assert_eq!(kind(KeySet::from_pem(&pem)), (0, KeyErrorKind::TooManyKeys));
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
    use facilioo_jwt::MAX_KEY_FILE_LEN;
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
