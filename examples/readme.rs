use facilioo_jwt::{KeySet, Policy, UnixTime, Verifier};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Build once, share everywhere: a Verifier is Clone + Send + Sync. Policy::facilioo_dev()
    // is the dev issuer and audience from facilioo's docs; for production, name yours with
    // Policy::new([issuer], [audience])?. KeySet::facilioo() holds facilioo's three keys.
    let verifier = Verifier::new(KeySet::facilioo(), Policy::facilioo_dev());

    // In a handler: the token from `Authorization: Bearer …`, checked against the clock.
    match verifier.verify_now(TOKEN) {
        Ok(token) => println!("account {}", token.subject().account_id()),
        Err(e) if e.is_expired() => println!("401: the client should refresh its token"),
        Err(e) => println!("{} {}: {e}", e.http_status(), e.code()),
    }

    // facilioo's example token was signed by a key facilioo has since retired. With that key,
    // and a clock inside the token's hour, it verifies:
    let retired = Verifier::new(KeySet::from_pem(RETIRED_KEY)?, Policy::facilioo_dev());
    let token = retired.verify(TOKEN, UnixTime::from_secs(1_651_761_000))?;
    let subject = token.subject();
    assert_eq!(subject.account_id(), 2);
    println!(
        "account {} of company {:?}, valid until {}",
        subject.account_id(),
        subject.company_id().map(|c| c.get()),
        token.expires_at()
    );
    Ok(())
}

/// facilioo's example token, from its Authentication page.
const TOKEN: &str = "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJuYmYiOjE2NTE3NjAyNDIsImV4cCI6MTY1MTc2Mzg0MiwiaXNzIjoiZGV2LWFwaS5mYWNpbGlvby5kZSIsImF1ZCI6ImRldi1hcHAuZmFjaWxpb28uZGUiLCJzdWIiOnsiYWNjb3VudElkIjoyLCJjb21wYW55SWQiOjJ9fQ.KJPsiOzcu8SHXU_GhGz5qS6cg-moXAC83WOLI8J9vFLgk5k0MdkxR8S88Ri0BJuCmifFtHpbR7bH4tKxeF8-pW_wU08uQ_MJxJqcK9MOjyVITsLzok7RJxqevv0SjPZkgqqxGwgGbcgsYJaG2u44RYnnyf5xPce9MKQcfHa23C-NyQIBmseO7RdFNAFZM8Lc-nEf0tjJc3ciBdr7t_s8dUS2vCb4ALWj8Dhrs9UyO3bA1yMQt4xACfQzGbDMV_4R8nbgOL9KkywcmJD-JdcIiYIGk2GEhbhuL05CtJthZT4XWVE0wdA00YmDBdvuekzykDKalXU2C1ED3winvL6VGg";

/// The key that signed it (facilioo's page showed it before the keys were rotated).
const RETIRED_KEY: &str = "
-----BEGIN RSA PUBLIC KEY-----
MIIBCgKCAQEAuM8mReeVOc3gMUu5C2BCOUY0CWt/L9ptlGQ5Bfjo7vI6klZILp5h
E+y2ctW3TiSml3q5C7PVkjbm2sJS6Fw6Ift/oICiWlhtAJSSgst21vCQ+W41iU2j
UicCQCfOe92UJBoOBIDVSsLFVdA06f+gvGPIulo0T3vrZDBYmyni7foCA0VBM3by
NcHs4bWQi8xxvqURkdqVJu/rMVNdsxfyErnb0jH5o5iHBp0VPYFem1FiwWdnVMT+
aRb0T6bbvyP0GKpfBcfMOwrbfA9Q7JPft00Yhyea3Sgg7cCJFii/aolc4egDvpsM
t5nq00NQSj6+0aVyynH8TSXMUoSZK9MRYwIDAQAB
-----END RSA PUBLIC KEY-----
";
