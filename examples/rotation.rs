//! Key rotation while verifying: the keys come from a file, a reload swaps them while another
//! thread keeps verifying, and a file that does not load leaves the keys in use alone.
//!
//! ```sh
//! cargo run --example rotation --features live
//! ```

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use facilioo_jwt::live::LiveVerifier;
use facilioo_jwt::{Error, KeySet, Policy, UnixTime, Verifier};

/// facilioo's example token, signed by a key facilioo has since retired.
const TOKEN: &str = include_str!("../tests/data/example-token.txt");
const RETIRED_KEY: &str = include_str!("../tests/data/retired-key-2022.pem");
const CURRENT_KEYS: [&str; 3] = [
    include_str!("../keys/facilioo-1.pem"),
    include_str!("../keys/facilioo-2.pem"),
    include_str!("../keys/facilioo-3.pem"),
];
/// 2022-05-05T14:30:00Z, inside the token's hour, so only the keys decide.
const INSIDE: UnixTime = UnixTime::from_secs(1_651_761_000);

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let token = TOKEN.trim();
    let dir = std::env::temp_dir().join(format!("facilioo-jwt-rotation-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let path = dir.join("keys.pem");

    // Start with the key that signed the token.
    std::fs::write(&path, RETIRED_KEY)?;
    let live = LiveVerifier::new(Verifier::new(
        KeySet::from_file(&path)?,
        Policy::facilioo_dev(),
    ));
    println!(
        "{} key(s): {}",
        live.current().keys().len(),
        verdict(&live, token)
    );

    // A second thread verifies the token the whole time the keys change under it.
    let stop = AtomicBool::new(false);
    let (valid, refused) = std::thread::scope(|scope| {
        let worker = scope.spawn(|| {
            let (mut valid, mut refused) = (0u32, 0u32);
            while !stop.load(Ordering::Relaxed) {
                match live.verify(token, INSIDE) {
                    Ok(_) => valid += 1,
                    // Once the retired key is gone, the signature is the only reason.
                    Err(Error::InvalidSignature) => refused += 1,
                    Err(other) => panic!("a swap must never cause another error: {other}"),
                }
            }
            (valid, refused)
        });
        let pause = || std::thread::sleep(Duration::from_millis(50));

        // A damaged file (the copy of the key on facilioo's old page lacks a dash) is refused
        // and the keys in use stay.
        pause();
        let footer = RETIRED_KEY.replacen(
            "-----END RSA PUBLIC KEY-----",
            "-----END RSA PUBLIC KEY----",
            1,
        );
        std::fs::write(&path, footer)?;
        match live.reload_keys(&path) {
            Ok(reload) => println!("unexpectedly loaded {reload}"),
            Err(e) => println!(
                "reload refused, old keys kept ({e}): {}",
                verdict(&live, token)
            ),
        }

        // Rotation, step 1: publish the new keys next to the old one.
        pause();
        std::fs::write(&path, format!("{RETIRED_KEY}{}", CURRENT_KEYS.concat()))?;
        let reload = live.reload_keys(&path)?;
        println!("{reload}: {}", verdict(&live, token));

        // Step 2: retire the old key. Its tokens are refused from now on.
        pause();
        std::fs::write(&path, CURRENT_KEYS.concat())?;
        let reload = live.reload_keys(&path)?;
        println!("{reload}: {}", verdict(&live, token));

        pause();
        stop.store(true, Ordering::Relaxed);
        worker
            .join()
            .map_err(|_| "the verifying thread panicked")
            .map_err(Box::<dyn std::error::Error>::from)
    })?;
    println!(
        "meanwhile, another thread: {valid} valid, {refused} refused (invalid_signature), no other verdict"
    );
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}

fn verdict(live: &LiveVerifier, token: &str) -> String {
    match live.verify(token, INSIDE) {
        Ok(t) => format!(
            "the token verifies (account {}, key {})",
            t.subject().account_id(),
            t.key_thumbprint()
        ),
        Err(e) => format!("the token is refused ({})", e.code()),
    }
}
