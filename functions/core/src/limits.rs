use std::time::Duration;

use crate::expiry::format_duration;

/// The rules a deployment is configured with. Validated once, at start.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Largest content accepted, in bytes.
    pub max_bytes: u64,
    /// Lifetime of a paste that does not ask for one.
    pub default_expiry: Duration,
    /// Longest lifetime a paste may ask for.
    pub max_expiry: Duration,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum LimitsError {
    #[error("the size limit must be at least 1 byte")]
    ZeroMaxBytes,
    #[error(
        "the maximum expiry must be between {} and {}",
        format_duration(Limits::MIN_EXPIRY),
        format_duration(Limits::MAX_MAX_EXPIRY)
    )]
    MaxExpiryOutOfRange,
    #[error("the default expiry ({}) must be between {} and the maximum expiry ({})", format_duration(*default), format_duration(Limits::MIN_EXPIRY), format_duration(*max))]
    DefaultOutOfRange { default: Duration, max: Duration },
}

impl Limits {
    /// Shortest lifetime a paste may ask for. One second keeps expiry testable without long waits;
    /// shorter would be indistinguishable from "expired on arrival" at whole-second resolution.
    pub const MIN_EXPIRY: Duration = Duration::from_secs(1);

    pub const DEFAULT_MAX_BYTES: u64 = 1024 * 1024;
    /// A pastebin is not an archive; a year also keeps every date far inside what HTTP dates
    /// and DynamoDB's TTL can express.
    pub const MAX_MAX_EXPIRY: Duration = Duration::from_secs(365 * 86_400);
    pub const DEFAULT_EXPIRY: Duration = Duration::from_secs(7 * 86_400);

    pub fn new(
        max_bytes: u64,
        default_expiry: Duration,
        max_expiry: Duration,
    ) -> Result<Self, LimitsError> {
        if max_bytes == 0 {
            return Err(LimitsError::ZeroMaxBytes);
        }
        if max_expiry < Self::MIN_EXPIRY || max_expiry > Self::MAX_MAX_EXPIRY {
            return Err(LimitsError::MaxExpiryOutOfRange);
        }
        if default_expiry < Self::MIN_EXPIRY || default_expiry > max_expiry {
            return Err(LimitsError::DefaultOutOfRange {
                default: default_expiry,
                max: max_expiry,
            });
        }
        Ok(Self {
            max_bytes,
            default_expiry,
            max_expiry,
        })
    }
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_bytes: Self::DEFAULT_MAX_BYTES,
            default_expiry: Self::DEFAULT_EXPIRY,
            max_expiry: Self::DEFAULT_EXPIRY,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: Duration = Duration::from_secs(86_400);

    #[test]
    fn defaults_are_the_documented_ones() {
        let l = Limits::default();
        assert_eq!(
            (l.max_bytes, l.default_expiry, l.max_expiry),
            (1_048_576, 7 * DAY, 7 * DAY)
        );
    }

    #[test]
    fn rejects_inconsistent_settings() {
        assert_eq!(Limits::new(0, DAY, DAY), Err(LimitsError::ZeroMaxBytes));
        assert_eq!(
            Limits::new(1, DAY, Duration::ZERO),
            Err(LimitsError::MaxExpiryOutOfRange)
        );
        assert_eq!(
            Limits::new(1, DAY, 366 * DAY),
            Err(LimitsError::MaxExpiryOutOfRange)
        );
        assert!(matches!(
            Limits::new(1, 2 * DAY, DAY),
            Err(LimitsError::DefaultOutOfRange { .. })
        ));
        assert!(Limits::new(1, DAY, 30 * DAY).is_ok());
    }
}
