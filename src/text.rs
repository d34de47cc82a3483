//! A short immutable string that is cheap to clone without touching shared memory.

use core::fmt;
use core::hash::{Hash, Hasher};
use std::sync::Arc;

/// Strings up to this many bytes are kept inline.
const INLINE: usize = 46;

/// The issuer or audience a token was verified with: a copy of the policy's string when it is
/// short (every issuer and audience facilioo documents is), shared otherwise.
///
/// Why not always an `Arc<str>`: cloning one writes its reference count, and every token of a
/// service carries the same issuer and audience, so under load every thread would be writing
/// the same two cache lines on every verification and every cache hit. An inline copy is
/// written nowhere but in the token itself.
#[derive(Clone)]
pub(crate) enum Text {
    Inline { len: u8, bytes: [u8; INLINE] },
    Shared(Arc<str>),
}

impl Text {
    pub(crate) fn as_str(&self) -> &str {
        match self {
            // Copied from a `str` at a length that is a character boundary, so always valid;
            // `from_utf8` re-checks rather than assumes (no `unsafe` in this crate).
            Self::Inline { len, bytes } => bytes
                .get(..usize::from(*len))
                .and_then(|b| core::str::from_utf8(b).ok())
                .unwrap_or_default(),
            Self::Shared(s) => s,
        }
    }
}

impl From<&Arc<str>> for Text {
    fn from(s: &Arc<str>) -> Self {
        match u8::try_from(s.len()) {
            Ok(len) if s.len() <= INLINE => {
                let mut bytes = [0; INLINE];
                bytes[..s.len()].copy_from_slice(s.as_bytes());
                Self::Inline { len, bytes }
            }
            _ => Self::Shared(Arc::clone(s)),
        }
    }
}

impl From<String> for Text {
    fn from(s: String) -> Self {
        Self::from(&Arc::from(s))
    }
}

impl PartialEq for Text {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for Text {}

impl Hash for Text {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

impl fmt::Debug for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.as_str().fmt(f)
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for Text {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

#[cfg(feature = "serde")]
impl<'de> serde::Deserialize<'de> for Text {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(Self::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_strings_inline_long_ones_shared() {
        for s in [
            "",
            "dev-api.facilioo.de",
            &"é".repeat(23),
            &"x".repeat(INLINE),
        ] {
            let text = Text::from(&Arc::<str>::from(s));
            assert!(matches!(text, Text::Inline { .. }), "{s}");
            assert_eq!(text.as_str(), s);
        }
        let long: Arc<str> = Arc::from("x".repeat(INLINE + 1));
        let text = Text::from(&long);
        assert!(matches!(text, Text::Shared(_)));
        assert_eq!(text.as_str(), &*long);
        assert_eq!(text, Text::from("x".repeat(INLINE + 1)));
        assert_eq!(format!("{text:?}"), format!("{:?}", &*long));
    }
}
