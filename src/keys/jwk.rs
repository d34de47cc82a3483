//! RSA keys as JWKs (RFC 7517, RFC 7518 §6.3).

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use super::pem::without_bom;
use super::{JwkProblem, KeyError, KeyErrorKind, PublicKey};

impl PublicKey {
    /// Loads an RSA JWK ([RFC 7517](https://www.rfc-editor.org/rfc/rfc7517)): `kty` must be
    /// `RSA`, `n` and `e` strict base64url; where present, `alg` must be `RS256`, `use` must be
    /// `sig` and `key_ops` must include `verify`. A JWK with private members is refused. Its
    /// `kid`, if any, becomes [`PublicKey::kid`].
    pub fn from_jwk(jwk: &str) -> Result<Self, KeyError> {
        let value: serde_json::Value = serde_json::from_str(without_bom(jwk))
            .map_err(|_| KeyError::first(KeyErrorKind::Json))?;
        Self::jwk(&value).map_err(KeyError::first)
    }

    pub(super) fn jwk(value: &serde_json::Value) -> Result<Self, KeyErrorKind> {
        use KeyErrorKind::{Jwk, NotRsa};
        let obj = value.as_object().ok_or(KeyErrorKind::Json)?;
        let text = |name: &str| -> Result<Option<&str>, KeyErrorKind> {
            match obj.get(name) {
                None => Ok(None),
                Some(v) => v.as_str().map(Some).ok_or(Jwk(JwkProblem::NotAString)),
            }
        };
        if text("kty")? != Some("RSA") {
            return Err(NotRsa);
        }
        if ["d", "p", "q", "dp", "dq", "qi", "oth"]
            .iter()
            .any(|m| obj.contains_key(*m))
        {
            return Err(Jwk(JwkProblem::PrivateKey));
        }
        if text("alg")?.is_some_and(|alg| alg != "RS256") {
            return Err(Jwk(JwkProblem::Alg));
        }
        if text("use")?.is_some_and(|u| u != "sig") {
            return Err(Jwk(JwkProblem::Use));
        }
        if let Some(ops) = obj.get("key_ops") {
            let ops = ops.as_array().ok_or(Jwk(JwkProblem::KeyOps))?;
            if !ops.iter().any(|op| op.as_str() == Some("verify")) {
                return Err(Jwk(JwkProblem::KeyOps));
            }
        }
        let decode = |name: &str| -> Result<Vec<u8>, KeyErrorKind> {
            let b64 = text(name)?.ok_or(Jwk(JwkProblem::Missing))?;
            let bytes = URL_SAFE_NO_PAD
                .decode(b64)
                .map_err(|_| KeyErrorKind::Base64)?;
            // RFC 7518 §6.3.1: unsigned big-endian, no leading zero octets.
            match bytes.first() {
                None | Some(0) => Err(Jwk(JwkProblem::NotMinimal)),
                Some(_) => Ok(bytes),
            }
        };
        let (n, e) = (decode("n")?, decode("e")?);
        let kid = text("kid")?.map(Box::from);
        Self::from_components(&n, &e, kid)
    }
}
