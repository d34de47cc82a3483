//! The shipped test keys (`keys/testing/`), recognised in every build: their private halves
//! are public, so a key set that holds one trusts tokens anyone can mint.

use super::Thumbprint;

/// RFC 7638 thumbprints of the four shipped test keys, in the order test key 1, 2, 3 and the
/// untrusted one (`keys/testing/test-{1,2,3}.pem`, `keys/testing/untrusted.pem`). A test
/// (`test_key_thumbprints_match_the_files`) computes them from the files.
pub(crate) const TEST_KEY_THUMBPRINTS: [Thumbprint; 4] = [
    Thumbprint::from_bytes([
        111, 23, 162, 71, 206, 61, 15, 21, 60, 150, 113, 222, 91, 17, 189, 124, 132, 193, 3, 80,
        227, 51, 190, 203, 189, 75, 198, 236, 73, 155, 99, 239,
    ]),
    Thumbprint::from_bytes([
        219, 35, 119, 108, 106, 93, 151, 115, 162, 68, 121, 177, 255, 220, 219, 88, 69, 179, 241,
        23, 91, 141, 45, 206, 172, 162, 138, 67, 196, 91, 31, 205,
    ]),
    Thumbprint::from_bytes([
        59, 65, 65, 126, 68, 109, 0, 197, 50, 122, 222, 176, 253, 32, 194, 147, 65, 51, 57, 221,
        171, 109, 124, 36, 51, 156, 30, 144, 90, 19, 186, 96,
    ]),
    Thumbprint::from_bytes([
        40, 35, 202, 100, 153, 25, 128, 91, 68, 22, 123, 249, 42, 233, 208, 170, 251, 13, 128, 255,
        57, 76, 245, 207, 199, 197, 107, 8, 140, 121, 44, 35,
    ]),
];

/// The public halves, as shipped: test keys 1 to 3, then the untrusted one.
#[cfg(any(test, feature = "testing"))]
pub(crate) const TEST_KEY_PEMS: [&str; 4] = [
    include_str!("../../keys/testing/test-1.pem"),
    include_str!("../../keys/testing/test-2.pem"),
    include_str!("../../keys/testing/test-3.pem"),
    include_str!("../../keys/testing/untrusted.pem"),
];

/// Whether `thumbprint` is one of the shipped test keys'.
pub(crate) fn is_test_key(thumbprint: &Thumbprint) -> bool {
    TEST_KEY_THUMBPRINTS.contains(thumbprint)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::KeySet;

    #[test]
    fn test_key_thumbprints_match_the_files() {
        for (pem, thumbprint) in TEST_KEY_PEMS.iter().zip(TEST_KEY_THUMBPRINTS) {
            let set = KeySet::from_pem(pem).expect("a shipped test key loads");
            assert_eq!(set.len(), 1);
            assert_eq!(*set.as_slice()[0].thumbprint(), thumbprint);
            assert!(set.as_slice()[0].is_test_key());
        }
        let trusted = KeySet::from_pem(include_str!("../../keys/testing/trusted.pem"))
            .expect("the bundle loads");
        let bundled: Vec<_> = trusted.iter().map(|k| *k.thumbprint()).collect();
        assert_eq!(bundled, TEST_KEY_THUMBPRINTS[..3]);
    }

    #[test]
    fn facilioo_keys_are_not_test_keys() {
        assert_eq!(KeySet::facilioo().test_key_count(), 0);
        assert!(KeySet::facilioo().iter().all(|k| !k.is_test_key()));
    }
}
