//! Reporting to the `metrics` facade (feature `metrics`) and to `tracing` (feature
//! `tracing`): the one place this crate emits either; without them every function here is
//! empty. Nothing here holds token or key bytes: a refusal is its code and status, a key its
//! index and label (a thumbprint prefix).

#[cfg(feature = "metrics")]
use crate::stats::names;
use crate::{Error, VerifiedToken, cache::Lookup, keys::PublicKey};

/// The `tracing` target of every event this crate emits.
#[cfg(feature = "tracing")]
pub(crate) const TARGET: &str = "facilioo_jwt";

/// What one verifier reports to the `metrics` facade: its counters, registered with the
/// recorder on its first verification and then only added to (a registry lookup per event
/// would cost more than a cache hit does). Empty without feature `metrics`.
#[derive(Debug, Default)]
pub(crate) struct Reporter {
    #[cfg(feature = "metrics")]
    counters: std::sync::OnceLock<Counters>,
}

#[cfg(feature = "metrics")]
#[derive(Debug)]
struct Counters {
    /// By outcome, in `OUTCOME_CODES`' order.
    outcomes: Vec<metrics::Counter>,
    /// By key of the set.
    keys: Vec<metrics::Counter>,
    hits_verified: metrics::Counter,
    hits_forged: metrics::Counter,
    misses: metrics::Counter,
    evictions: metrics::Counter,
    signature_checks: metrics::Counter,
}

#[cfg(feature = "metrics")]
impl Counters {
    fn register(keys: &crate::KeySet) -> Self {
        Self {
            outcomes: crate::stats::OUTCOME_CODES
                .iter()
                .map(|&outcome| metrics::counter!(names::VERIFICATIONS, "outcome" => outcome))
                .collect(),
            keys: keys
                .iter()
                .map(|key| metrics::counter!(names::KEY_VERIFICATIONS, "key" => key.shared_label()))
                .collect(),
            hits_verified: metrics::counter!(names::CACHE_HITS, "entry" => "verified"),
            hits_forged: metrics::counter!(names::CACHE_HITS, "entry" => "forged"),
            misses: metrics::counter!(names::CACHE_MISSES),
            evictions: metrics::counter!(names::CACHE_EVICTIONS),
            signature_checks: metrics::counter!(names::SIGNATURE_CHECKS),
        }
    }
}

impl Reporter {
    #[cfg(feature = "metrics")]
    fn counters(&self, keys: &crate::KeySet) -> &Counters {
        self.counters.get_or_init(|| Counters::register(keys))
    }

    /// One verification under `keys`: its outcome, the key whose signature verified (if one
    /// did), and how the cache answered (if the verifier has one).
    #[inline]
    pub(crate) fn verification(
        &self,
        keys: &crate::KeySet,
        result: &Result<VerifiedToken, Error>,
        key: Option<(usize, &PublicKey)>,
        lookup: Option<Lookup>,
    ) {
        #[cfg(feature = "metrics")]
        {
            let counters = self.counters(keys);
            if let Some(c) = counters.outcomes.get(crate::stats::outcome_index(result)) {
                c.increment(1);
            }
            if let Some(c) = key.and_then(|(i, _)| counters.keys.get(i)) {
                c.increment(1);
            }
            match lookup {
                Some(Lookup::Hit) => counters.hits_verified.increment(1),
                Some(Lookup::ForgedHit) => counters.hits_forged.increment(1),
                Some(Lookup::Miss { evicted }) => {
                    counters.misses.increment(1);
                    if evicted {
                        counters.evictions.increment(1);
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
        let _ = (keys, result, key, lookup);
    }

    /// `checks` RSA operations under `keys`.
    #[inline]
    pub(crate) fn signature_checks(&self, keys: &crate::KeySet, checks: u32) {
        #[cfg(feature = "metrics")]
        self.counters(keys)
            .signature_checks
            .increment(u64::from(checks));
        let _ = (keys, checks);
    }
}

/// The keys in use now: `count` of them, `trusted_test_keys` of which are test keys whose
/// tokens the policy does not refuse.
#[cfg(feature = "live")]
pub(crate) fn keys_in_use(count: usize, trusted_test_keys: usize) {
    // At most MAX_KEYS: exact in an f64.
    #[cfg(feature = "metrics")]
    #[allow(clippy::cast_precision_loss)]
    {
        metrics::gauge!(names::KEYS).set(count as f64);
        metrics::gauge!(names::TEST_KEYS_TRUSTED).set(trusted_test_keys as f64);
    }
    let _ = (count, trusted_test_keys);
}

/// A reload of the key file at `path` put `count` test keys in use whose tokens the policy
/// does not refuse: a WARN event with feature `tracing` when a subscriber takes it, else a
/// line on stderr, every time.
#[cfg(feature = "live")]
pub(crate) fn reload_trusts_test_keys(path: &std::path::Path, count: usize) {
    let warning = reload_test_keys_warning(path, count);
    #[cfg(feature = "tracing")]
    if tracing::enabled!(target: TARGET, tracing::Level::WARN) {
        tracing::warn!(target: TARGET, path = %path.display(), test_keys = count, "{warning}");
        return;
    }
    eprintln!("facilioo-jwt: warning: {warning}");
}

/// What [`reload_trusts_test_keys`] says.
#[cfg(feature = "live")]
pub(crate) fn reload_test_keys_warning(path: &std::path::Path, count: usize) -> String {
    let which = if count == 1 {
        "one of this crate's test keys, whose private half is".to_owned()
    } else {
        format!("{count} of this crate's test keys, whose private halves are")
    };
    format!(
        "the keys reloaded from {} include {which} public, and the policy does not refuse \
         their tokens: anyone can mint tokens this service now accepts",
        path.display()
    )
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
    let _ = (path, result);
}

/// An outcome of the HTTP layer: a token admitted, or a refusal.
#[cfg(feature = "http")]
#[inline]
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
        // The verifier reported it, with the key; but for want of the party-type claim only
        // this layer, which has the token, names the claims that look like one.
        Err(denial)
            if denial
                .token_error()
                .is_some_and(|e| *e != Error::PartyTypeNotAllowed(None)) => {}
        Err(denial) => tracing::info!(
            target: TARGET,
            code = denial.reason(),
            status = denial.status().as_u16(),
            "request refused: {}",
            denial.description().unwrap_or("no bearer token")
        ),
    }
    let _ = outcome;
}

/// A service trusts this crate's test keys: a WARN event with feature `tracing` when a
/// subscriber takes it, else a line on stderr (a warning nobody would see is no warning).
#[cfg(feature = "http")]
pub(crate) fn trusts_test_keys() {
    const WARNING: &str = "this service trusts this crate's test keys, whose private halves \
                           are public: anyone can mint tokens it accepts. Fine in tests; in \
                           production, load facilioo's keys.";
    #[cfg(feature = "tracing")]
    if tracing::enabled!(target: TARGET, tracing::Level::WARN) {
        tracing::warn!(target: TARGET, "{WARNING}");
        return;
    }
    eprintln!("facilioo-jwt: warning: {WARNING}");
}
