//! The cryptography behind the crate, chosen at build time: ring (feature `ring`, the
//! default) or aws-lc-rs (feature `aws-lc-rs`, which wins when both are on, since another
//! crate in a build may turn `ring` on). The rest of the crate sees only [`RsaKey`] and
//! [`sha256`], and gives the same verdicts on either.

#[cfg(not(any(feature = "ring", feature = "aws-lc-rs")))]
compile_error!(
    "facilioo-jwt needs a cryptography backend: enable feature `ring` (the default) or `aws-lc-rs`"
);

#[cfg(feature = "aws-lc-rs")]
use aws_lc_rs as crypto;
#[cfg(all(feature = "ring", not(feature = "aws-lc-rs")))]
use ring as crypto;

/// The cryptography backend of this build: `"aws-lc-rs"` or `"ring"` (see the crate's
/// features).
pub(crate) const NAME: &str = if cfg!(feature = "aws-lc-rs") {
    "aws-lc-rs"
} else {
    "ring"
};

/// An RSA public key, prepared for RSASSA-PKCS1-v1_5 SHA-256 verification as far as the
/// backend allows: aws-lc-rs parses it once, here; ring has no parsed public key type and
/// parses the components on every verification.
#[derive(Clone)]
pub(crate) struct RsaKey {
    #[cfg(feature = "aws-lc-rs")]
    parsed: crypto::signature::ParsedPublicKey,
    #[cfg(not(feature = "aws-lc-rs"))]
    n: Box<[u8]>,
    #[cfg(not(feature = "aws-lc-rs"))]
    e: Box<[u8]>,
}

impl RsaKey {
    /// `n` and `e` are big-endian without leading zeros and already passed the crate's own
    /// checks; `pkcs1` is their `RSAPublicKey` DER. `None` if the backend rejects the key.
    #[cfg(feature = "aws-lc-rs")]
    pub(crate) fn new(_n: &[u8], _e: &[u8], pkcs1: &[u8]) -> Option<Self> {
        let parsed = crypto::signature::ParsedPublicKey::new(
            &crypto::signature::RSA_PKCS1_2048_8192_SHA256,
            pkcs1,
        )
        .ok()?;
        Some(Self { parsed })
    }

    /// `n` and `e` are big-endian without leading zeros and already passed the crate's own
    /// checks; `pkcs1` is their `RSAPublicKey` DER. `None` if the backend rejects the key
    /// (ring checks a key only when it verifies, so never here).
    #[cfg(not(feature = "aws-lc-rs"))]
    pub(crate) fn new(n: &[u8], e: &[u8], _pkcs1: &[u8]) -> Option<Self> {
        Some(Self {
            n: n.into(),
            e: e.into(),
        })
    }

    /// Whether `signature` is a valid RS256 signature of `message` under this key.
    pub(crate) fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        #[cfg(feature = "aws-lc-rs")]
        let result = self.parsed.verify_sig(message, signature);
        #[cfg(not(feature = "aws-lc-rs"))]
        let result = crypto::signature::RsaPublicKeyComponents {
            n: &*self.n,
            e: &*self.e,
        }
        .verify(
            &crypto::signature::RSA_PKCS1_2048_8192_SHA256,
            message,
            signature,
        );
        result.is_ok()
    }
}

/// SHA-256 of `data`.
pub(crate) fn sha256(data: &[u8]) -> [u8; 32] {
    let digest = crypto::digest::digest(&crypto::digest::SHA256, data);
    let mut out = [0; 32];
    out.copy_from_slice(digest.as_ref());
    out
}

/// An RSA private key that signs RS256 (feature `testing`: only the shipped test keys are
/// ever loaded into one).
#[cfg(feature = "testing")]
pub(crate) struct RsaSigner(crypto::signature::RsaKeyPair);

#[cfg(feature = "testing")]
impl RsaSigner {
    /// Parses an unencrypted PKCS#8 RSA private key.
    pub(crate) fn from_pkcs8(der: &[u8]) -> Option<Self> {
        crypto::signature::RsaKeyPair::from_pkcs8(der)
            .ok()
            .map(Self)
    }

    /// The RSASSA-PKCS1-v1_5 SHA-256 signature of `message` (deterministic: the same message
    /// always gives the same signature).
    pub(crate) fn sign(&self, message: &[u8]) -> Vec<u8> {
        #[cfg(feature = "aws-lc-rs")]
        let len = self.0.public_modulus_len();
        #[cfg(not(feature = "aws-lc-rs"))]
        let len = self.0.public().modulus_len();
        let mut signature = vec![0; len];
        // Signing with a valid key into a buffer of the modulus' length fails only if the
        // system has no randomness (for blinding); an all-zero signature then verifies nowhere.
        let _ = self.0.sign(
            &crypto::signature::RSA_PKCS1_SHA256,
            &crypto::rand::SystemRandom::new(),
            message,
            &mut signature,
        );
        signature
    }
}
