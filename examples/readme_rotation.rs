use facilioo_jwt::live::LiveVerifier;
use facilioo_jwt::{KeySet, Policy, Verifier};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // One verifier shared by every request; its keys swapped while requests are in flight.
    let keys = KeySet::from_file("keys.pem").map_err(|e| format!("keys.pem: {e}"))?;
    let live = LiveVerifier::new(Verifier::new(keys, Policy::facilioo_dev()));
    // … on SIGHUP, an interval, or a deployment hook:
    match live.reload_keys("keys.pem") {
        Ok(reload) => println!("reloaded keys.pem: {reload}"),
        Err(e) => eprintln!("keys.pem not reloaded, the old keys stay: {e}"),
    }
    Ok(())
}
