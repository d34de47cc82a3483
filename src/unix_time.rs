//! Instants as the crate takes and reports them: whole seconds since the Unix epoch.

use core::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

use time::OffsetDateTime;

use crate::limits::{MAX_NUMERIC_DATE, MIN_NUMERIC_DATE};

/// An instant in whole seconds since 1970-01-01T00:00:00Z, the unit of JWT's NumericDate.
///
/// Verification takes the current time as an argument, as anything that converts into a
/// `UnixTime`: [`SystemTime`], [`time::OffsetDateTime`], or seconds with
/// [`UnixTime::from_secs`]. `Display` gives RFC 3339 in UTC (`2022-05-05T15:17:22Z`) for
/// years −9999 to 9999, and `@<seconds>` beyond them.
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
/// use facilioo_jwt::UnixTime;
///
/// let t = UnixTime::from(UNIX_EPOCH + Duration::from_millis(1_651_763_842_900));
/// assert_eq!(t, UnixTime::from_secs(1_651_763_842));
/// assert_eq!(t.to_string(), "2022-05-05T15:17:22Z");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct UnixTime(i64);

impl UnixTime {
    /// The instant `secs` seconds after (or, negative, before) the Unix epoch.
    pub const fn from_secs(secs: i64) -> Self {
        Self(secs)
    }

    /// Seconds since the Unix epoch.
    pub const fn as_secs(self) -> i64 {
        self.0
    }

    /// The system clock, now.
    pub fn now() -> Self {
        SystemTime::now().into()
    }
}

impl From<SystemTime> for UnixTime {
    /// Whole seconds, rounded down (also before the epoch); saturating far beyond ±2⁶³ s.
    fn from(t: SystemTime) -> Self {
        let secs = |d: std::time::Duration| i64::try_from(d.as_secs()).unwrap_or(i64::MAX);
        match t.duration_since(UNIX_EPOCH) {
            Ok(after) => Self(secs(after)),
            Err(before) => {
                let before = before.duration();
                let whole = secs(before);
                let partial = i64::from(before.subsec_nanos() > 0);
                Self(
                    whole
                        .checked_neg()
                        .unwrap_or(i64::MIN)
                        .saturating_sub(partial),
                )
            }
        }
    }
}

impl From<OffsetDateTime> for UnixTime {
    fn from(t: OffsetDateTime) -> Self {
        Self(t.unix_timestamp())
    }
}

impl TryFrom<UnixTime> for OffsetDateTime {
    type Error = time::error::ComponentRange;

    /// Fails beyond what `time` represents (years ±9999 unless `time/large-dates` is on).
    /// Never fails for the times of a verified token, which are within years ±9999.
    fn try_from(t: UnixTime) -> Result<Self, Self::Error> {
        OffsetDateTime::from_unix_timestamp(t.0)
    }
}

impl fmt::Display for UnixTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The range is checked here, not left to `time`, so the text is the same in every
        // build (`time/large-dates` would print five-digit years).
        let t = (MIN_NUMERIC_DATE..=MAX_NUMERIC_DATE)
            .contains(&self.0)
            .then(|| OffsetDateTime::from_unix_timestamp(self.0).ok())
            .flatten();
        match t {
            Some(t) => write!(
                f,
                "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
                t.year(),
                u8::from(t.month()),
                t.day(),
                t.hour(),
                t.minute(),
                t.second()
            ),
            None => write!(f, "@{}", self.0),
        }
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for UnixTime {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_i64(self.0)
    }
}

#[cfg(feature = "serde")]
impl<'de> serde::Deserialize<'de> for UnixTime {
    /// Whole seconds since the epoch, as JWT's NumericDate.
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        i64::deserialize(d).map(Self)
    }
}
