//! Reading settings from the environment: typed values, and errors that name the variable.

use std::time::Duration;

use crate::expiry::parse_duration;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{var}={value:?} is invalid: {reason}")]
pub struct ConfigError {
    pub var: &'static str,
    pub value: String,
    pub reason: String,
}

/// Typed reads of optional variables; unset and empty both mean "use the default".
pub struct Env<'a>(pub &'a dyn Fn(&str) -> Option<String>);

impl Env<'_> {
    pub fn get(&self, var: &str) -> Option<String> {
        (self.0)(var)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    }

    pub fn number<T: std::str::FromStr>(
        &self,
        var: &'static str,
        default: T,
    ) -> Result<T, ConfigError> {
        match self.get(var) {
            None => Ok(default),
            Some(v) => v.parse().map_err(|_| ConfigError {
                var,
                value: v,
                reason: "expected a whole non-negative number".to_owned(),
            }),
        }
    }

    pub fn duration(&self, var: &'static str, default: Duration) -> Result<Duration, ConfigError> {
        match self.get(var) {
            None => Ok(default),
            Some(v) => parse_duration(&v).map_err(|e| ConfigError {
                var,
                value: v,
                reason: e.to_string(),
            }),
        }
    }

    pub fn flag(&self, var: &'static str, default: bool) -> Result<bool, ConfigError> {
        Ok(self.optional_flag(var)?.unwrap_or(default))
    }

    /// `None` when unset, for settings whose default is not known where they are read.
    pub fn optional_flag(&self, var: &'static str) -> Result<Option<bool>, ConfigError> {
        match self.get(var).map(|v| v.to_ascii_lowercase()) {
            None => Ok(None),
            Some(v) if matches!(v.as_str(), "1" | "true" | "yes" | "on") => Ok(Some(true)),
            Some(v) if matches!(v.as_str(), "0" | "false" | "no" | "off") => Ok(Some(false)),
            Some(v) => Err(ConfigError {
                var,
                value: v,
                reason: "expected true or false".to_owned(),
            }),
        }
    }
}

/// Where pastes live (`PASTEBIN_STORE`). Each runtime names the kinds it can run; the first it
/// names is its default.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoreKind {
    /// SQLite in a directory that outlives the process: the local server.
    Embedded,
    /// DynamoDB + S3.
    Aws,
    /// The process's own memory, lost when it ends: for measuring a runtime without storage
    /// time, in builds made for benchmarks.
    Memory,
}

impl StoreKind {
    pub fn name(self) -> &'static str {
        match self {
            Self::Embedded => "embedded",
            Self::Aws => "aws",
            Self::Memory => "memory",
        }
    }

    /// `value` is `PASTEBIN_STORE` as set (unset or blank: `accepted[0]`).
    pub fn parse(value: Option<&str>, accepted: &[StoreKind]) -> Result<Self, ConfigError> {
        let refuse = |value: &str| ConfigError {
            var: crate::vars::STORE,
            value: value.to_owned(),
            reason: format!(
                "expected {}",
                accepted
                    .iter()
                    .map(|kind| format!("`{}`", kind.name()))
                    .collect::<Vec<_>>()
                    .join(" or ")
            ),
        };
        let wanted = value.map(str::trim).filter(|v| !v.is_empty());
        let Some(wanted) = wanted else {
            return accepted.first().copied().ok_or_else(|| refuse(""));
        };
        accepted
            .iter()
            .copied()
            .find(|kind| kind.name().eq_ignore_ascii_case(wanted))
            .ok_or_else(|| refuse(wanted))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn store_kind_defaults_to_the_first_accepted_and_names_the_others_when_refusing() {
        let local = [StoreKind::Embedded, StoreKind::Aws];
        assert_eq!(StoreKind::parse(None, &local), Ok(StoreKind::Embedded));
        assert_eq!(
            StoreKind::parse(Some("  "), &local),
            Ok(StoreKind::Embedded)
        );
        assert_eq!(StoreKind::parse(Some(" AWS "), &local), Ok(StoreKind::Aws));
        let err = StoreKind::parse(Some("memory"), &local).err();
        assert_eq!(
            err,
            Some(ConfigError {
                var: "PASTEBIN_STORE",
                value: "memory".to_owned(),
                reason: "expected `embedded` or `aws`".to_owned(),
            })
        );
        let function = [StoreKind::Aws];
        assert_eq!(StoreKind::parse(None, &function), Ok(StoreKind::Aws));
        assert!(StoreKind::parse(Some("embedded"), &function).is_err());
    }
}
