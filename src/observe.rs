//! Reporting to the `metrics` facade (feature `metrics`) and to `tracing` (feature
//! `tracing`): the one place this crate emits either. Nothing here holds token or key bytes:
//! a refusal is its code and status, a key its index and label (a thumbprint prefix).

#[cfg(feature = "metrics")]
use crate::stats::names;
use crate::{Error, VerifiedToken, cache::Lookup, keys::PublicKey};

/// The `tracing` target of every event this crate emits.
#[cfg(feature = "tracing")]
pub(crate) const TARGET: &str = "facilioo_jwt";

/// One verification: its outcome, the key whose signature verified (if one did), and how the
/// cache answered (if the verifier has one).
pub(crate) fn verification(
    result: &Result<VerifiedToken, Error>,
    key: Option<(usize, &PublicKey)>,
    lookup: Option<Lookup>,
) {
    #[cfg(feature = "metrics")]
    {
        let outcome = match result {
            Ok(_) => "ok",
            Err(e) => e.code(),
        };
        metrics::counter!(names::VERIFICATIONS, "outcome" => outcome).increment(1);
        if let Some((_, key)) = key {
            metrics::counter!(names::KEY_VERIFICATIONS, "key" => key.shared_label()).increment(1);
        }
        match lookup {
            Some(Lookup::Hit) => {
                metrics::counter!(names::CACHE_HITS, "entry" => "verified").increment(1);
            }
            Some(Lookup::ForgedHit) => {
                metrics::counter!(names::CACHE_HITS, "entry" => "forged").increment(1);
            }
            Some(Lookup::Miss { evicted }) => {
                metrics::counter!(names::CACHE_MISSES).increment(1);
                if evicted {
                    metrics::counter!(names::CACHE_EVICTIONS).increment(1);
                }
            }
            Some(Lookup::Bypassed) | None => {}
        }
    }
    #[cfg(feature = "tracing")]
    if let Err(error) = result {
        tracing::info!(
            target: TARGET,
            code = error.code(),
            status = error.http_status(),
            key_index = key.map(|(i, _)| i),
            key = key.map(|(_, k)| k.label()),
            "token refused: {error}"
        );
    }
    #[cfg(not(feature = "tracing"))]
    let _ = (result, key);
    #[cfg(not(feature = "metrics"))]
    let _ = lookup;
}

/// `checks` RSA operations.
#[cfg(feature = "metrics")]
pub(crate) fn signature_checks(checks: u32) {
    metrics::counter!(names::SIGNATURE_CHECKS).increment(u64::from(checks));
}

/// The keys in use now: `count` of them.
#[cfg(all(feature = "live", feature = "metrics"))]
pub(crate) fn keys_in_use(count: usize) {
    // At most MAX_KEYS: exact in an f64.
    #[allow(clippy::cast_precision_loss)]
    metrics::gauge!(names::KEYS).set(count as f64);
}

/// A reload of the key file at `path`: the keys it put in use, or why it did not load.
#[cfg(feature = "live")]
pub(crate) fn reload(
    path: &std::path::Path,
    result: &Result<crate::live::Reload, crate::keys::KeyError>,
) {
    #[cfg(feature = "metrics")]
    {
        let outcome = match result {
            Ok(r) if r.changed() => "ok",
            Ok(_) => "unchanged",
            Err(_) => "error",
        };
        metrics::counter!(names::RELOADS, "result" => outcome).increment(1);
    }
    // New keys are news (INFO); the same keys again, as an interval mostly finds, are not.
    #[cfg(feature = "tracing")]
    match result {
        Ok(reload) if reload.changed() => tracing::info!(
            target: TARGET,
            path = %path.display(),
            keys = reload.keys(),
            changed = true,
            "keys reloaded: {reload}"
        ),
        Ok(reload) => tracing::debug!(
            target: TARGET,
            path = %path.display(),
            keys = reload.keys(),
            changed = false,
            "keys reloaded: {reload}"
        ),
        Err(error) => tracing::warn!(
            target: TARGET,
            path = %path.display(),
            "keys not reloaded, the keys in use stay: {error}"
        ),
    }
    #[cfg(not(feature = "tracing"))]
    let _ = path;
}

/// An outcome of the HTTP layer: a token admitted, or a refusal.
#[cfg(feature = "http")]
pub(crate) fn http(outcome: Result<&VerifiedToken, &crate::http::Denial>) {
    #[cfg(feature = "metrics")]
    {
        let outcome = match outcome {
            Ok(_) => "ok",
            Err(denial) => denial.reason(),
        };
        metrics::counter!(names::HTTP_OUTCOMES, "outcome" => outcome).increment(1);
    }
    #[cfg(feature = "tracing")]
    match outcome {
        Ok(token) => {
            let subject = token.subject();
            let account_id = subject.account_id().get();
            let company_id = subject.company_id().map(|c| c.get());
            let party_type = token.party_type().map(|p| p.id());
            let span = tracing::Span::current();
            span.record("account_id", account_id);
            if let Some(company_id) = company_id {
                span.record("company_id", company_id);
            }
            if let Some(party_type) = party_type {
                span.record("party_type", party_type);
            }
            tracing::debug!(
                target: TARGET,
                account_id,
                company_id,
                party_type,
                key_index = token.key_index(),
                "token admitted"
            );
        }
        // The verifier reported it, with the key.
        Err(denial) if denial.token_error().is_some() => {}
        Err(denial) => tracing::info!(
            target: TARGET,
            code = denial.reason(),
            status = denial.status().as_u16(),
            "request refused: {}",
            denial.description().unwrap_or("no bearer token")
        ),
    }
}
