//! The shipped test keys (`keys/testing/`), recognised in every build: their private halves
//! are public, so a key set that holds one trusts tokens anyone can mint.

/// SHA-256 digests of the four shipped test keys' moduli (big-endian, no leading zero), in
/// the order test key 1, 2, 3 and the untrusted one (`keys/testing/test-{1,2,3}.pem`,
/// `keys/testing/untrusted.pem`). A key is a test key by its modulus alone: whoever holds the
/// private key can sign for that modulus with any public exponent it pairs with (a key's
/// RFC 7638 thumbprint covers the exponent too, so it would miss test key 1 with `e = 3`
/// written in). A test (`test_key_moduli_match_the_files`) computes them from the files.
const TEST_KEY_MODULUS_DIGESTS: [[u8; 32]; 4] = [
    [
        231, 231, 16, 148, 77, 39, 220, 141, 104, 143, 171, 211, 235, 4, 20, 30, 127, 245, 72, 141,
        254, 204, 32, 158, 57, 186, 10, 150, 255, 183, 217, 56,
    ],
    [
        154, 116, 176, 163, 109, 184, 219, 175, 235, 243, 151, 58, 166, 98, 80, 193, 190, 19, 11,
        174, 133, 186, 202, 93, 109, 128, 129, 10, 196, 195, 3, 169,
    ],
    [
        208, 55, 112, 82, 159, 42, 198, 103, 43, 220, 227, 102, 112, 136, 102, 89, 212, 181, 95,
        200, 136, 182, 134, 100, 98, 215, 172, 1, 48, 243, 171, 166,
    ],
    [
        232, 239, 95, 216, 64, 241, 201, 53, 39, 138, 144, 25, 7, 73, 122, 247, 68, 50, 181, 113,
        31, 68, 133, 56, 233, 153, 233, 246, 189, 180, 139, 69,
    ],
];

/// The public halves, as shipped: test keys 1 to 3, then the untrusted one.
#[cfg(any(test, feature = "testing"))]
pub(crate) const TEST_KEY_PEMS: [&str; 4] = [
    include_str!("../../keys/testing/test-1.pem"),
    include_str!("../../keys/testing/test-2.pem"),
    include_str!("../../keys/testing/test-3.pem"),
    include_str!("../../keys/testing/untrusted.pem"),
];

/// Whether `modulus` (big-endian, no leading zero) is one of the shipped test keys'.
pub(crate) fn is_test_modulus(modulus: &[u8]) -> bool {
    TEST_KEY_MODULUS_DIGESTS.contains(&crate::backend::sha256(modulus))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::KeySet;

    /// The modulus of a PKCS#1 PEM with one key.
    fn modulus(pem: &str) -> Vec<u8> {
        let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
        let der = {
            use base64::Engine as _;
            base64::engine::general_purpose::STANDARD
                .decode(body)
                .expect("base64")
        };
        let (n, _) = super::super::der::rsa_public_key(&der).expect("PKCS#1");
        n.to_vec()
    }

    #[test]
    fn test_key_moduli_match_the_files() {
        for (pem, digest) in TEST_KEY_PEMS.iter().zip(TEST_KEY_MODULUS_DIGESTS) {
            assert_eq!(crate::backend::sha256(&modulus(pem)), digest);
            let set = KeySet::from_pem(pem).expect("a shipped test key loads");
            assert_eq!(set.len(), 1);
            assert!(set.as_slice()[0].is_test_key());
        }
        let trusted = KeySet::from_pem(include_str!("../../keys/testing/trusted.pem"))
            .expect("the bundle loads");
        assert_eq!(trusted.test_key_count(), 3);
    }

    /// A test key's modulus with another public exponent is a test key still: the private
    /// key signs for it (e = 65539 here, and the largest exponent a key may have).
    #[test]
    fn a_test_modulus_is_a_test_key_whatever_its_exponent() {
        for pem in TEST_KEY_PEMS {
            let n = modulus(pem);
            for e in [&[1, 0, 3][..], &[1, 0, 1], &[1, 255, 255, 255, 255]] {
                let key =
                    super::super::PublicKey::from_components(&n, e, None).expect("a valid key");
                assert!(key.is_test_key(), "e = {e:?}");
            }
        }
        // One bit of the modulus changed: no test key.
        let mut n = modulus(TEST_KEY_PEMS[0]);
        n[100] ^= 1;
        let key =
            super::super::PublicKey::from_components(&n, &[1, 0, 1], None).expect("a valid key");
        assert!(!key.is_test_key());
    }

    #[test]
    fn facilioo_keys_are_not_test_keys() {
        assert_eq!(KeySet::facilioo().test_key_count(), 0);
        assert!(KeySet::facilioo().iter().all(|k| !k.is_test_key()));
    }
}
