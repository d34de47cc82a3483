//! The `facilioo-jwt` binary: exit codes, output and the JSON shape scripts rely on.
#![cfg(feature = "cli")]

mod common;

use assert_cmd::Command;
use common::{HEADER, NOW, claims, data_str, sign, signer};
use serde_json::{Value, json};

const DEV: [&str; 4] = [
    "--iss",
    "dev-api.facilioo.de",
    "--aud",
    "dev-app.facilioo.de",
];
/// Inside the example token's window.
const INSIDE: &str = "1651761000";

fn cli() -> Command {
    Command::new(env!("CARGO_BIN_EXE_facilioo-jwt"))
}

fn data_path(path: &str) -> String {
    format!("{}/tests/data/{path}", env!("CARGO_MANIFEST_DIR"))
}

fn example() -> String {
    data_str("example-token.txt").trim().to_owned()
}

fn run(cmd: &mut Command) -> (i32, String, String) {
    let out = cmd.output().expect("runs");
    (
        out.status.code().expect("exit code"),
        String::from_utf8(out.stdout).expect("utf8 stdout"),
        String::from_utf8(out.stderr).expect("utf8 stderr"),
    )
}

#[test]
fn inspect_example_token_against_embedded_keys() {
    let (code, out, _) = run(cli().args(["inspect", &example(), "--now", "1764288000"]));
    assert_eq!(code, 0);
    assert!(
        out.contains("NOT verified by any of the 3 keys — claims below are untrusted"),
        "{out}"
    );
    assert!(
        out.contains("not before: 2022-05-05T14:17:22Z (3 years ago)"),
        "{out}"
    );
    assert!(
        out.contains("expires: 2022-05-05T15:17:22Z (expired 3 years ago)"),
        "{out}"
    );
    assert!(out.contains("subject: account 2, company 2"), "{out}");
    assert!(out.contains("\"iss\": \"dev-api.facilioo.de\""), "{out}");
}

#[test]
fn inspect_from_stdin_with_retired_key() {
    let (code, out, _) = run(cli()
        .args([
            "inspect",
            "-",
            "--keys",
            &data_path("retired-key-2022.pem"),
            "--now",
            INSIDE,
        ])
        .write_stdin(format!("{}\n", example())));
    assert_eq!(code, 0);
    assert!(out.contains("verified by key 1 of 1"), "{out}");
    assert!(
        out.contains("expires: 2022-05-05T15:17:22Z (expires in 47 minutes)"),
        "{out}"
    );
    // No argument reads stdin as well.
    let (code, out, _) = run(cli().arg("inspect").write_stdin(example()));
    assert_eq!(code, 0);
    assert!(out.contains("NOT verified"), "{out}");
}

#[test]
fn inspect_shows_party_type_by_name_and_key_position() {
    let claims = claims(NOW, NOW + 60, 7, None).replace('}', "").to_owned() + r#"},"partyType":5}"#;
    let token = sign(HEADER, &claims, &signer("rsa2048-b"));
    let bundle = format!(
        "{}{}",
        data_str("keys/rsa2048-a.pkcs1.pem"),
        data_str("keys/rsa2048-b.spki.pem")
    );
    let dir = std::env::temp_dir().join(format!("facilioo-jwt-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("tmp");
    let keys = dir.join("bundle.pem");
    std::fs::write(&keys, bundle).expect("write");
    let (code, out, _) =
        run(cli().args(["inspect", &token, "--keys", keys.to_str().expect("path")]));
    assert_eq!(code, 0);
    assert!(out.contains("verified by key 2 of 2"), "{out}");
    assert!(
        out.contains("party type: Contractor (id 5, claim partyType)"),
        "{out}"
    );
    assert!(out.contains("subject: account 7, company (none)"), "{out}");
}

#[test]
fn inspect_not_a_jwt() {
    for input in ["garbage", "a.b.c", "eyJhbGciOiJub25lIn0.W10.", "\u{fffd}"] {
        let (code, out, _) = run(cli().args(["inspect", input]));
        assert_eq!(code, 1, "{input}");
        assert!(out.starts_with("not a JWT"), "{out}");
    }
    let (code, _, _) = run(cli().arg("inspect").write_stdin(vec![0xffu8, 0xfe, b'.']));
    assert_eq!(code, 1);
}

#[test]
fn verify_json_valid_shape() {
    let (code, out, err) = run(cli()
        .args([
            "verify",
            &example(),
            "--keys",
            &data_path("retired-key-2022.pem"),
            "--now",
            INSIDE,
            "--json",
        ])
        .args(DEV));
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(out.trim()).expect("one JSON object");
    assert_eq!(
        v,
        json!({"valid":true,"subject":{"accountId":2,"companyId":2},"partyType":null,
               "iss":"dev-api.facilioo.de","aud":["dev-app.facilioo.de"],
               "nbf":1651760242,"exp":1651763842,"key":0,"testKey":false})
    );
    assert_eq!(out.lines().count(), 1);
}

#[test]
fn verify_json_rejections() {
    let cases: [(&[&str], &str); 3] = [
        (&[], "invalid_signature"),
        (&["--keys", &data_path("retired-key-2022.pem")], "expired"),
        (
            &[
                "--keys",
                &data_path("retired-key-2022.pem"),
                "--now",
                "1651760000",
                "--leeway",
                "0",
            ],
            "not_yet_valid",
        ),
    ];
    for (args, want) in cases {
        let (code, out, _) = run(cli()
            .args(["verify", &example(), "--json"])
            .args(args)
            .args(DEV));
        assert_eq!(code, 1, "{want}");
        let v: Value = serde_json::from_str(out.trim()).expect("one JSON object");
        assert_eq!(v["valid"], false);
        assert_eq!(v["error"], want);
        assert!(v["message"].as_str().is_some_and(|m| !m.is_empty()));
        assert_eq!(v.as_object().expect("object").len(), 3);
    }
    let (code, out, _) = run(cli().args(["verify", "x.y", "--json"]).args(DEV));
    assert_eq!(code, 1);
    assert_eq!(
        serde_json::from_str::<Value>(out.trim()).expect("json")["error"],
        "malformed"
    );
}

#[test]
fn verify_human_output_and_wrong_audience() {
    let keys = data_path("retired-key-2022.pem");
    let (code, out, _) = run(cli()
        .args(["verify", &example(), "--keys", &keys, "--now", INSIDE])
        .args(DEV));
    assert_eq!(code, 0);
    assert!(out.starts_with("valid: account 2, company 2"), "{out}");
    let (code, out, _) = run(cli().args([
        "verify",
        &example(),
        "--keys",
        &keys,
        "--now",
        INSIDE,
        "--iss",
        "dev-api.facilioo.de",
        "--aud",
        "api.facilioo.de",
        "--aud",
        "other",
    ]));
    assert_eq!(code, 1);
    assert!(out.starts_with("rejected (invalid_audience)"), "{out}");
}

#[test]
fn verify_usage_and_key_file_errors_exit_2() {
    let (code, _, err) = run(cli().args(["verify", &example(), "--iss", "x"]));
    assert_eq!(code, 2);
    assert!(err.contains("--aud"), "{err}");
    let (code, out, err) = run(cli()
        .args(["verify", &example(), "--keys", "/nonexistent/keys.pem"])
        .args(DEV));
    assert_eq!(code, 2);
    assert!(
        out.is_empty() && err.starts_with("facilioo-jwt: /nonexistent/keys.pem"),
        "{err}"
    );

    let broken = data_str("retired-key-2022.pem")
        .replace("KEY-----\n", "KEY----\n")
        .replacen("KEY----\n", "KEY-----\n", 1);
    let dir = std::env::temp_dir().join(format!("facilioo-jwt-cli-broken-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("tmp");
    let path = dir.join("broken.pem");
    std::fs::write(&path, broken).expect("write");
    let (code, _, err) = run(cli()
        .args([
            "verify",
            &example(),
            "--json",
            "--keys",
            path.to_str().expect("path"),
        ])
        .args(DEV));
    assert_eq!(code, 2);
    assert!(
        err.contains("PEM footer must be exactly `-----END RSA PUBLIC KEY-----`"),
        "{err}"
    );
    let (code, _, _) = run(cli().args(["verify", &example(), "--iss", "", "--aud", "x"]));
    assert_eq!(code, 2);
    let (code, _, _) = run(cli()
        .args(["verify", &example(), "--now", "99999999999999"])
        .args(DEV));
    assert_eq!(code, 2);
}

#[test]
fn key_files_are_bounded_and_pipes_still_work() {
    let too_large = "key file is larger than 1024 KiB, more than any key set needs";
    for (path, want) in [
        ("/dev/zero", too_large),
        ("/dev/urandom", too_large),
        ("/tmp", "key file path is a directory"),
    ] {
        for sub in [
            &["verify", "--iss", "a", "--aud", "b"][..],
            &["inspect"][..],
        ] {
            let (code, out, err) = run(cli()
                .args(sub)
                .args(["--keys", path, "x.y.z"])
                .timeout(std::time::Duration::from_secs(20)));
            assert_eq!(code, 2, "{sub:?} {path}: {err}");
            assert!(out.is_empty(), "{out}");
            assert_eq!(
                err.trim(),
                format!("facilioo-jwt: {path}: {want}").trim_end(),
                "{sub:?}"
            );
        }
    }
    // Process substitution: the key arrives through a pipe.
    let script = format!(
        "exec {} verify --keys <(cat {}) --iss dev-api.facilioo.de --aud dev-app.facilioo.de --now {INSIDE} {}",
        env!("CARGO_BIN_EXE_facilioo-jwt"),
        data_path("retired-key-2022.pem"),
        example()
    );
    let (code, out, err) = run(Command::new("bash").args(["-c", &script]));
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("valid: account 2"), "{out}");
}

#[test]
fn pasted_tokens_are_cleaned_and_the_cleaning_is_said() {
    let keys = data_path("retired-key-2022.pem");
    let token = example();
    for (pasted, said) in [
        (format!("  {token}\n"), "surrounding whitespace"),
        (format!("Bearer {token}"), "the `Bearer` scheme"),
        (format!("bearer\t{token}"), "the `Bearer` scheme"),
        (
            format!("Authorization: Bearer {token}\r\n"),
            "surrounding whitespace, the `Authorization:` header name, the `Bearer` scheme",
        ),
        (
            format!("authorization:bearer {token}"),
            "the `Authorization:` header name, the `Bearer` scheme",
        ),
    ] {
        // As the argument and on stdin alike.
        for via_stdin in [false, true] {
            let mut cmd = cli();
            cmd.args(["verify", "--keys", &keys, "--now", INSIDE])
                .args(DEV);
            if via_stdin {
                cmd.arg("-").write_stdin(pasted.clone());
            } else {
                cmd.arg(&pasted);
            }
            let (code, out, err) = run(&mut cmd);
            assert_eq!(code, 0, "{pasted:?}: {out}{err}");
            assert!(out.starts_with("valid: account 2"), "{out}");
            assert_eq!(
                err.trim(),
                format!("facilioo-jwt: read the token without {said}"),
                "{pasted:?}"
            );
        }
    }
    // Nothing to strip, nothing said; "Bearer" without a space is no scheme.
    let (code, _, err) = run(cli()
        .args(["verify", &token, "--keys", &keys, "--now", INSIDE])
        .args(DEV));
    assert_eq!((code, err.as_str()), (0, ""));
    let (code, out, _) = run(cli()
        .args([
            "verify",
            &format!("Bearer{token}"),
            "--keys",
            &keys,
            "--now",
            INSIDE,
        ])
        .args(DEV));
    assert_eq!(code, 1);
    assert!(out.starts_with("rejected (malformed)"), "{out}");
    // inspect cleans the same way.
    let (code, out, err) = run(cli().args(["inspect", &format!("Bearer {token}")]));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("subject: account 2, company 2"), "{out}");
    assert!(err.contains("without the `Bearer` scheme"), "{err}");
}

#[test]
fn wrong_issuer_or_audience_names_the_values() {
    let keys = data_path("retired-key-2022.pem");
    let (code, out, _) = run(cli().args([
        "verify",
        &example(),
        "--keys",
        &keys,
        "--now",
        INSIDE,
        "--json",
        "--iss",
        "api.facilioo.de",
        "--iss",
        "x\u{1b}[31m",
        "--aud",
        "dev-app.facilioo.de",
    ]));
    assert_eq!(code, 1);
    let v: Value = serde_json::from_str(out.trim()).expect("json");
    assert_eq!(v["error"], "invalid_issuer");
    assert_eq!(
        v["message"],
        "issuer (iss) is not trusted: the token has \"dev-api.facilioo.de\", \
         accepted: \"api.facilioo.de\", \"x\\u001b[31m\""
    );
    let (code, out, _) = run(cli().args([
        "verify",
        &example(),
        "--keys",
        &keys,
        "--now",
        INSIDE,
        "--iss",
        "dev-api.facilioo.de",
        "--aud",
        "app.facilioo.de",
    ]));
    assert_eq!(code, 1);
    assert_eq!(
        out.trim(),
        "rejected (invalid_audience): audience (aud) names none of the accepted audiences: \
         the token has \"dev-app.facilioo.de\", accepted: \"app.facilioo.de\""
    );
    // Before the signature verified, nothing of the token is shown.
    let (code, out, _) = run(cli().args([
        "verify",
        &example(),
        "--now",
        INSIDE,
        "--iss",
        "x",
        "--aud",
        "y",
    ]));
    assert_eq!(code, 1);
    assert_eq!(
        out.trim(),
        "rejected (invalid_signature): signature not verified by any trusted key (tried \
         facilioo's 3 published keys; --keys FILE for others)"
    );
}

#[test]
fn inspect_usage_errors_exit_2() {
    for args in [
        &["inspect", "a.b.c", "--keys", "/nonexistent/keys.pem"][..],
        &["inspect", "a.b.c", "--now", "99999999999999"][..],
        &["inspect", "a.b.c", "--unknown-flag"][..],
        &[
            "verify", "a.b.c", "--iss", "x", "--aud", "y", "--leeway", "-1",
        ][..],
    ] {
        let (code, out, err) = run(cli().args(args));
        assert_eq!(code, 2, "{args:?}: {out}");
        assert!(out.is_empty() && !err.is_empty(), "{args:?}");
    }
    let (code, out, _) = run(cli().arg("--help"));
    assert_eq!(code, 0);
    assert!(out.contains("inspect") && out.contains("verify"), "{out}");
}

// ---- mint, and what verify and inspect say of the test keys ---------------------------------

fn test_keys() -> String {
    format!("{}/keys/testing/trusted.pem", env!("CARGO_MANIFEST_DIR"))
}

/// `mint ARGS`: the token, alone on stdout.
fn mint(args: &[&str]) -> String {
    let (code, out, err) = run(cli().arg("mint").args(args));
    assert_eq!((code, err.as_str()), (0, ""), "{args:?}");
    assert_eq!(out.lines().count(), 1, "{out}");
    out.trim().to_owned()
}

/// `verify --json` of `token` against the shipped test keys: exit code and the object.
fn verify_json(token: &str, extra: &[&str]) -> (i32, Value, String) {
    let (code, out, err) = run(cli()
        .args(["verify", token, "--json", "--keys", &test_keys()])
        .args(DEV)
        .args(extra));
    let v: Value = serde_json::from_str(out.trim()).expect("one JSON object");
    assert_eq!(out.lines().count(), 1);
    (code, v, err)
}

#[test]
fn a_minted_token_verifies_against_the_test_keys_only() {
    let token = mint(&["--account", "42", "--party-type", "5"]);
    let (code, v, err) = verify_json(&token, &[]);
    assert_eq!(code, 0);
    assert_eq!(
        (&v["subject"], &v["partyType"], &v["testKey"], &v["key"]),
        (
            &json!({"accountId":42,"companyId":null}),
            &json!(5),
            &json!(true),
            &json!(0)
        )
    );
    assert!(err.contains("holds 3 of this crate's test keys"), "{err}");
    let (code, out, _) = run(cli()
        .args(["verify", &token, "--keys", &test_keys()])
        .args(DEV));
    assert_eq!(code, 0);
    assert!(
        out.starts_with("valid: account 42, company (none), party type Contractor,"),
        "{out}"
    );
    assert!(out.contains("verified by key 1 of 3 — a TEST key"), "{out}");
    // facilioo's keys did not sign it.
    let (code, out, err) = run(cli().args(["verify", &token]).args(DEV));
    assert_eq!(code, 1);
    assert_eq!(
        out.trim(),
        "rejected (invalid_signature): signature not verified by any trusted key (tried \
         facilioo's 3 published keys; --keys FILE for others)"
    );
    assert!(!err.contains("test keys"), "{err}");
    let (code, out, _) = run(cli().args(["inspect", &token, "--keys", &test_keys()]));
    assert_eq!(code, 0);
    assert!(out.contains("verified by key 1 of 3"), "{out}");
    assert!(
        out.contains("a TEST key shipped with facilioo-jwt"),
        "{out}"
    );
    assert!(
        out.contains("party type: Contractor (id 5, claim partyType)"),
        "{out}"
    );
    let (_, out, _) = run(cli().args(["inspect", &token]));
    assert!(!out.contains("TEST key"), "{out}");
}

#[test]
fn mint_sets_every_option() {
    let token = mint(&[
        "--account",
        "7",
        "--company",
        "3",
        "--party-type",
        "PropertyManagementCompany",
        "--now",
        "1767225600",
        "--expires-in",
        "30m",
        "--key",
        "3",
        "--iss",
        "api.example.org",
        "--aud",
        "a",
        "--aud",
        "b",
        "--party-type-claim",
        "pt",
    ]);
    let claims = facilioo_jwt::insecure::decode_unverified(&token)
        .expect("decodes")
        .claims;
    assert_eq!(
        claims,
        json!({"nbf":1767225600,"exp":1767227400,"iss":"api.example.org","aud":["a","b"],
               "sub":{"accountId":7,"companyId":3},"pt":2})
    );
    let (code, out, _) = run(cli().args([
        "verify",
        &token,
        "--json",
        "--keys",
        &test_keys(),
        "--now",
        "1767225600",
        "--iss",
        "api.example.org",
        "--aud",
        "b",
        "--party-type-claim",
        "pt",
    ]));
    assert_eq!(code, 0, "{out}");
    let v: Value = serde_json::from_str(out.trim()).expect("json");
    assert_eq!((&v["key"], &v["partyType"]), (&json!(2), &json!(2)));
    // Durations: plain seconds, units, negative (already expired).
    for (given, lifetime) in [
        ("90", 90),
        ("2h", 7200),
        ("1d", 86_400),
        ("-1h", -3600),
        ("45s", 45),
    ] {
        let t = mint(&["--account", "1", "--now", "1000000", "--expires-in", given]);
        let c = facilioo_jwt::insecure::decode_unverified(&t)
            .expect("decodes")
            .claims;
        assert_eq!(c["exp"], json!(1_000_000 + lifetime), "{given}");
    }
    // One audience is a string, as facilioo writes it; several an array.
    let one = mint(&["--account", "1", "--aud", "x"]);
    let c = facilioo_jwt::insecure::decode_unverified(&one)
        .expect("decodes")
        .claims;
    assert_eq!(c["aud"], json!("x"));
    let t = mint(&["--account", "1", "--expires-in", "-1h"]);
    assert_eq!(verify_json(&t, &[]).1["error"], "expired");
    let t = mint(&["--account", "1", "--key", "untrusted"]);
    assert_eq!(verify_json(&t, &[]).1["error"], "invalid_signature");
}

#[test]
fn mint_refused_variants_are_refused_with_their_codes() {
    use facilioo_jwt::testing::Refusal;
    for refusal in Refusal::ALL {
        let token = mint(&["--account", "1", "--refused", refusal.name()]);
        let (code, v, _) = verify_json(&token, &[]);
        assert_eq!(
            (code, v["error"].as_str()),
            (1, Some(refusal.code())),
            "{refusal}"
        );
    }
}

#[test]
fn mint_usage_errors_exit_2() {
    for args in [
        &["--party-type", "5"][..],
        &["--account", "x"],
        &["--account", "1", "--party-type", "Boss"],
        &["--account", "1", "--key", "4"],
        &["--account", "1", "--expires-in", "soon"],
        &["--account", "1", "--expires-in", "999999999999d"],
        &["--account", "1", "--now", "999999999999999"],
        &["--account", "1", "--refused", "late"],
        &["--account", "1", "--iss", ""],
    ] {
        let (code, out, err) = run(cli().arg("mint").args(args));
        assert_eq!(code, 2, "{args:?}");
        assert!(out.is_empty(), "{args:?}: {out}");
        assert!(!err.is_empty(), "{args:?}");
    }
    let (_, _, err) = run(cli().args(["mint", "--account", "1", "--party-type", "Boss"]));
    assert!(
        err.contains("PropertyManagementCompany, PoolManager, Contractor"),
        "{err}"
    );
}

/// `verify --json` prints one JSON object on every exit: usage errors too.
#[test]
fn verify_json_usage_errors_are_one_json_object() {
    let example = example();
    let cases: [&[&str]; 6] = [
        &["verify", "--json", "--iss", "x"],
        &[
            "verify",
            "--json",
            "--iss",
            "x",
            "--aud",
            "y",
            "--keys",
            "/nonexistent",
        ],
        &[
            "verify",
            "--json",
            "--iss",
            "x",
            "--aud",
            "y",
            "--now",
            "99999999999999",
            &example,
        ],
        &["verify", "--json", "--iss", "", "--aud", "y", &example],
        &[
            "verify", "--json", "--iss", "x", "--aud", "y", "--leeway", "-1", &example,
        ],
        &[
            "verify", "--json", "--iss", "x", "--aud", "y", "--bogus", &example,
        ],
    ];
    for args in cases {
        let (code, out, err) = run(cli().args(args));
        assert_eq!(code, 2, "{args:?}");
        assert_eq!(out.lines().count(), 1, "{args:?}: {out}");
        let v: Value = serde_json::from_str(out.trim()).expect("one JSON object");
        assert_eq!(
            (&v["valid"], &v["error"]),
            (&json!(false), &json!("usage")),
            "{args:?}"
        );
        let message = v["message"].as_str().expect("a message");
        assert!(!message.is_empty() && !message.contains('\n'), "{message}");
        assert!(!err.is_empty(), "{args:?}");
    }
    let (_, out, _) = run(cli().args(cases[0]));
    assert!(out.contains("--aud"), "{out}");
    // Without --json, stdout stays empty.
    let (code, out, _) = run(cli().args(["verify", "--iss", "x"]));
    assert_eq!((code, out.as_str()), (2, ""));
    // Help is help.
    let (code, out, _) = run(cli().args(["verify", "--json", "--help"]));
    assert_eq!(code, 0);
    assert!(out.contains("Usage"), "{out}");
}

#[test]
fn a_closed_pipe_ends_the_output_quietly() {
    use std::io::Read as _;
    use std::process::{Command as Process, Stdio};
    let token = mint(&["--account", "1"]);
    let mut child = Process::new(env!("CARGO_BIN_EXE_facilioo-jwt"))
        .args(["inspect", &token])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawns");
    drop(child.stdout.take());
    let status = child.wait().expect("exits");
    let mut err = String::new();
    child
        .stderr
        .take()
        .expect("stderr")
        .read_to_string(&mut err)
        .expect("read");
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(status.code(), Some(0));
}

/// stdin is read up to twice the token cap, so an oversized token is reported with its own
/// length; what lies beyond twice the cap is never read, and the message says "more than".
#[test]
fn an_oversized_token_on_stdin_is_reported_by_length() {
    let cases = [
        (12_000, "token is 12000 bytes, more than the limit of 8192"),
        (16_384, "token is 16384 bytes, more than the limit of 8192"),
        (
            16_385,
            "token is more than 16384 bytes, more than the limit of 8192",
        ),
        (
            100_000,
            "token is more than 16384 bytes, more than the limit of 8192",
        ),
    ];
    for (len, message) in cases {
        let (code, out, _) = run(cli().args(["inspect", "-"]).write_stdin("a".repeat(len)));
        assert_eq!(code, 1, "{len}");
        assert_eq!(out.trim_end(), format!("not a JWT: {message}"), "{len}");
        let (code, out, _) = run(cli()
            .args(["verify", "--json"])
            .args(DEV)
            .write_stdin("a".repeat(len)));
        assert_eq!(code, 1, "{len}");
        let v: Value = serde_json::from_str(out.trim()).expect("one JSON object");
        assert_eq!(
            v,
            json!({"valid": false, "error": "too_large", "message": message}),
            "{len}"
        );
    }
}

#[test]
fn no_token_at_all_is_a_usage_error() {
    for (args, stdin, says) in [
        (&["verify", "-"][..], "", "no token: stdin is empty"),
        (&["verify"][..], "  \n", "no token: stdin is empty"),
        (&["verify", ""][..], "", "no token: the argument is empty"),
        (
            &["verify", " \t "][..],
            "",
            "no token: the argument is empty",
        ),
    ] {
        let (code, out, err) = run(cli().args(args).args(DEV).write_stdin(stdin));
        assert_eq!((code, out.as_str()), (2, ""), "{args:?}");
        assert!(err.contains(says), "{args:?}: {err}");
    }
    let (code, _, err) = run(cli().args(["inspect", "-"]).write_stdin(""));
    assert_eq!(code, 2);
    assert!(err.contains("no token: stdin is empty"), "{err}");
}

/// Claims are the token's words, not the CLI's: characters that would move or hide text on
/// a terminal are shown escaped.
#[test]
fn claim_text_cannot_steer_the_terminal() {
    let sneaky = "dev-api.facilioo.de\u{202e}ed.oociliaf\u{9b}31m";
    let token = mint(&["--account", "1", "--iss", sneaky]);
    let (code, out, _) = run(cli().args(["inspect", &token]));
    assert_eq!(code, 0);
    assert!(
        out.contains(r"dev-api.facilioo.de\u202eed.oociliaf\u009b31m"),
        "{out}"
    );
    assert!(
        !out.contains('\u{202e}') && !out.contains('\u{9b}'),
        "{out}"
    );
    let (code, v, _) = verify_json(&token, &[]);
    assert_eq!((code, &v["error"]), (1, &json!("invalid_issuer")));
    let message = v["message"].as_str().expect("a message");
    assert!(message.contains(r"\u202e"), "{message}");
    assert!(
        !message.contains('\u{202e}') && !message.contains('\u{9b}'),
        "{message}"
    );
}

#[test]
fn a_registered_claim_cannot_carry_the_party_type() {
    for name in [
        "exp",
        "nbf",
        "iss",
        "aud",
        "sub",
        "/sub/accountId",
        "/sub/companyId",
        "/sub/a/b",
        "",
    ] {
        let (code, out, err) =
            run(cli().args(["mint", "--account", "1", "--party-type-claim", name]));
        assert_eq!((code, out.as_str()), (2, ""), "{name}");
        assert!(
            err.contains("other than exp, nbf, iss, aud, sub, and sub's accountId and companyId"),
            "{err}"
        );
        let (code, _, _) = run(cli()
            .args(["verify", "a.b.c", "--party-type-claim", name])
            .args(DEV));
        assert_eq!(code, 2, "{name}");
        let (code, _, _) = run(cli().args(["inspect", "a.b.c", "--party-type-claim", name]));
        assert_eq!(code, 2, "{name}");
    }
}

#[test]
fn a_full_stdout_is_an_error_not_a_success() {
    let Ok(full) = std::fs::OpenOptions::new().write(true).open("/dev/full") else {
        return; // no /dev/full on this system
    };
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_facilioo-jwt"))
        .args(["mint", "--account", "1"])
        .stdout(full)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("writing to stdout"));
}

/// A token whose party type is under another claim: `inspect` names it as a candidate, with
/// the flag that reads it, and reads it once the flag names it; `verify` then reports it.
#[test]
fn inspect_finds_the_party_type_claim() {
    for claim in [
        "/sub/partyTypeId",
        "roleId",
        "http://schemas.microsoft.com/ws/2008/06/identity/claims/role",
    ] {
        let (code, token, _) = run(cli().args([
            "mint",
            "--account",
            "7",
            "--party-type",
            "5",
            "--party-type-claim",
            claim,
            "--now",
            INSIDE,
        ]));
        assert_eq!(code, 0, "{claim}");
        let token = token.trim();
        let keys = data_path("../../keys/testing/trusted.pem");
        let (code, out, _) = run(cli().args(["inspect", token, "--keys", &keys]));
        assert_eq!(code, 0);
        assert!(
            out.contains("party type: (none: no partyType claim)"),
            "{out}"
        );
        assert!(
            out.contains(&format!(
                "  looks like one: {claim} (5: Contractor): --party-type-claim '{claim}'"
            )),
            "{out}"
        );
        let (code, out, _) = run(cli().args([
            "inspect",
            token,
            "--keys",
            &keys,
            "--party-type-claim",
            claim,
        ]));
        assert_eq!(code, 0);
        assert!(
            out.contains(&format!("party type: Contractor (id 5, claim {claim})")),
            "{out}"
        );
        let (code, out, _) = run(cli()
            .args(["verify", token, "--json", "--now", INSIDE, "--keys", &keys])
            .args(["--party-type-claim", claim])
            .args(DEV));
        let v: Value = serde_json::from_str(&out).expect("JSON");
        assert_eq!((code, &v["partyType"]), (0, &json!(5)), "{out}");
    }
}

/// What the trial ran into (issue 23): argument errors never repeat a token, `--now` takes
/// RFC 3339 and refuses milliseconds, `--leeway` takes units, `--iss`/`--aud` split commas,
/// a refusal names the keys tried, and a path, quoted or wrapped token is understood.
#[test]
fn arguments_as_a_new_user_writes_them() {
    let token = example();
    let retired = data_path("retired-key-2022.pem");
    // A token where an argument belongs: cut, and said so, on stderr and in the JSON.
    for extra in [
        vec!["verify", &token, &token],
        vec!["verify", "--now", &token, &token],
        vec!["verify", "--json", &token, &token],
    ] {
        let (code, out, err) = run(cli().args(&extra).args(DEV));
        assert_eq!(code, 2, "{extra:?}");
        assert!(
            !err.contains(&token[..40]) && !out.contains(&token[..40]),
            "{err}{out}"
        );
        assert!(err.contains("this looks like a token"), "{err}");
        assert!(err.contains(&format!("{}…", &token[..12])), "{err}");
    }
    // --now: RFC 3339 or seconds; milliseconds refused as such.
    let (code, out, _) = run(cli()
        .args([
            "verify",
            &token,
            "--keys",
            &retired,
            "--now",
            "2022-05-05T14:30:00Z",
        ])
        .args(DEV));
    assert_eq!(code, 0, "{out}");
    let (code, _, err) = run(cli()
        .args(["verify", &token, "--now", "1651761000000"])
        .args(DEV));
    assert_eq!(code, 2);
    assert!(
        err.contains("1651761000000 looks like milliseconds: --now takes seconds (1651761000)"),
        "{err}"
    );
    let (code, _, err) = run(cli()
        .args(["verify", &token, "--now", "9223372036854775807"])
        .args(DEV));
    assert_eq!(code, 2);
    assert!(err.contains("out of range (years -9999 to 9999)"), "{err}");
    let (code, _, err) = run(cli()
        .args(["verify", &token, "--now", "yesterday"])
        .args(DEV));
    assert_eq!(code, 2);
    assert!(err.contains("or an RFC 3339 time"), "{err}");
    // --leeway with a unit: the token expired at 15:17:22, checked 90 s later.
    let late = ["--now", "2022-05-05T15:18:52Z", "--keys", &retired];
    let (code, _, _) = run(cli().args(["verify", &token]).args(late).args(DEV));
    assert_eq!(code, 1, "expired with the default minute");
    let (code, _, _) = run(cli()
        .args(["verify", &token, "--leeway", "2m"])
        .args(late)
        .args(DEV));
    assert_eq!(code, 0, "within two minutes");
    for leeway in [
        "--leeway=-1m",
        "--leeway=-5",
        "--leeway=2d",
        "--leeway=99999999d",
    ] {
        let (code, _, err) = run(cli().args(["verify", &token, leeway]).args(DEV));
        assert_eq!(code, 2, "{leeway}");
        assert!(err.contains("from 0 to a day"), "{err}");
    }
    let (code, _, err) = run(cli().args(["verify", &token, "--leeway", "-5"]).args(DEV));
    assert_eq!(code, 2);
    assert!(err.contains("from 0 to a day"), "{err}");
    // A token as the value of --iss, --aud or --party-type-claim is refused, cut.
    for option in ["--iss", "--aud", "--party-type-claim"] {
        let (code, out, err) = run(cli()
            .args(["verify", "--json", option, &token])
            .args(DEV)
            .write_stdin(token.as_str()));
        assert_eq!(code, 2, "{option}");
        assert!(
            !err.contains(&token[..40]) && !out.contains(&token[..40]),
            "{err}{out}"
        );
        assert!(err.contains("is a token, not this option's value"), "{err}");
    }
    // Commas split issuers and audiences; whitespace around one is named.
    let (code, out, _) = run(cli().args([
        "verify",
        &token,
        "--keys",
        &retired,
        "--now",
        INSIDE,
        "--iss",
        "other.example,dev-api.facilioo.de",
        "--aud",
        "dev-app.facilioo.de,x",
    ]));
    assert_eq!(code, 0, "{out}");
    let (code, _, err) = run(cli().args([
        "verify",
        &token,
        "--iss",
        "other.example, dev-api.facilioo.de",
        "--aud",
        "a",
    ]));
    assert_eq!(code, 2);
    assert!(err.contains("issuer 2 has whitespace around it"), "{err}");
    // The keys tried, when none signs it.
    let other = data_path("keys/rsa2048-a.pkcs1.pem");
    let (code, out, _) = run(cli().args(["verify", &token, "--keys", &other]).args(DEV));
    assert_eq!(code, 1);
    assert!(
        out.contains(&format!("(tried the 1 key in {other})")),
        "{out}"
    );
    // A path given as the token; a quoted one; a wrapped one.
    let (code, _, err) = run(cli().args(["verify", &retired]).args(DEV));
    assert_eq!(code, 2);
    // Two dots in a path make it no token.
    let dir = std::env::temp_dir().join(format!("facilioo-jwt-cli-{}.d", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temp dir");
    let dotted = dir.join("token.v2.txt");
    std::fs::write(&dotted, &token).expect("write");
    let (code, _, err2) = run(cli()
        .args(["verify", dotted.to_str().expect("a path")])
        .args(DEV));
    assert_eq!(code, 2, "{err2}");
    assert!(err2.contains("is a file, not a token"), "{err2}");
    std::fs::remove_dir_all(&dir).ok();
    assert!(
        err.contains("is a file, not a token: to read the token in it, pass `-`"),
        "{err}"
    );
    let quoted = format!("'{token}'");
    let (code, _, err) = run(cli()
        .args(["verify", &quoted, "--keys", &retired, "--now", INSIDE])
        .args(DEV));
    assert_eq!(code, 0);
    assert!(err.contains("the quotes around it"), "{err}");
    let wrapped = format!("{}\n  {}", &token[..100], &token[100..]);
    let (code, _, err) = run(cli()
        .args(["verify", &wrapped, "--keys", &retired, "--now", INSIDE])
        .args(DEV));
    assert_eq!(code, 0);
    assert!(err.contains("the line breaks inside it"), "{err}");
    // A space within a line is the token's: refused as the library refuses it.
    let spaced = format!("{} {}", &token[..100], &token[100..]);
    let (code, out, _) = run(cli()
        .args(["verify", &spaced, "--keys", &retired, "--now", INSIDE])
        .args(DEV));
    assert_eq!(code, 1);
    assert!(out.contains("rejected (malformed)"), "{out}");
}

/// `inspect` on a token whose party-type claim holds no party type says so, with its value.
#[test]
fn inspect_names_a_claim_that_is_no_party_type() {
    let claims =
        claims(NOW, NOW + 60, 7, None).replace('}', "").to_owned() + r#"},"partyType":"chief"}"#;
    let token = sign(HEADER, &claims, &signer("rsa2048-a"));
    let (code, out, _) = run(cli().args(["inspect", &token]));
    assert_eq!(code, 0);
    assert!(
        out.contains("party type: \"chief\" (claim partyType: not a party type)"),
        "{out}"
    );
}
