//! The options of a create, as typed values. Every source a runtime decodes (a query string,
//! JSON, a form, multipart) produces these once, validated as it decodes; the core only applies
//! defaults.

use std::time::Duration;

use crate::error::Error;
use crate::expiry::{format_duration, parse_duration};
use crate::limits::Limits;
use crate::syntax::{Language, language_for};

/// Longest title kept, in characters.
pub const MAX_TITLE_CHARS: usize = 200;

/// A create as a client asked for it: the content's bytes (checked by the core: non-empty, within
/// the limit, UTF-8) and its typed options.
#[derive(Clone, Debug, Default)]
pub struct CreateRequest {
    pub content: Vec<u8>,
    pub options: CreateOptions,
}

/// What a create may ask for; `None` means "not given" (the default applies).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CreateOptions {
    pub expires_in: Option<Lifetime>,
    pub burn_after_reading: Option<bool>,
    pub syntax: Option<Syntax>,
    pub title: Option<Title>,
    /// The content is sealed in the client (end-to-end encryption).
    pub encrypted: Option<bool>,
}

impl CreateOptions {
    /// These options, with what they leave unset taken from `defaults` (a request body's fields
    /// override its query string's).
    ///
    /// An encrypted create takes no title or language from the defaults: those belong inside
    /// its ciphertext, and a query string's are meant for plain pastes.
    #[must_use]
    pub fn or(self, defaults: Self) -> Self {
        let sealed_body = self.encrypted.or(defaults.encrypted) == Some(true);
        Self {
            expires_in: self.expires_in.or(defaults.expires_in),
            burn_after_reading: self.burn_after_reading.or(defaults.burn_after_reading),
            syntax: self.syntax.or(defaults.syntax.filter(|_| !sealed_body)),
            title: self.title.or(defaults.title.filter(|_| !sealed_body)),
            encrypted: self.encrypted.or(defaults.encrypted),
        }
    }
}

/// How long a paste lives, within the deployment's limits: only [`Limits::lifetime`] makes one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Lifetime(Duration);

impl Lifetime {
    pub fn duration(self) -> Duration {
        self.0
    }
}

impl Limits {
    /// `d` as a paste's lifetime, if it is between [`Limits::MIN_EXPIRY`] and the maximum.
    pub fn lifetime(&self, d: Duration) -> Result<Lifetime, Error> {
        if d < Self::MIN_EXPIRY || d > self.max_expiry {
            return Err(self.invalid_expiry(format_duration(d)));
        }
        Ok(Lifetime(d))
    }

    /// A lifetime written as a duration (`90`, `10m`, `1h`, `7d`); empty means "not given".
    pub fn lifetime_from_text(&self, value: &str) -> Result<Option<Lifetime>, Error> {
        if value.is_empty() {
            return Ok(None);
        }
        let d = parse_duration(value).map_err(|_| self.invalid_expiry(value))?;
        self.lifetime(d).map(Some)
    }

    /// The error for an `expires_in` that is not a valid lifetime here.
    pub fn invalid_expiry(&self, value: impl Into<String>) -> Error {
        Error::InvalidOption {
            option: "expires_in",
            value: value.into(),
            expected: format!(
                "a duration from {} to {}: a number of seconds or e.g. 10m, 1h, 1d, {}",
                format_duration(Self::MIN_EXPIRY),
                format_duration(self.max_expiry),
                format_duration(self.max_expiry),
            ),
        }
    }
}

/// The language a paste is shown in; any value is accepted, and one the product does not know
/// is plain text (clients routinely send `text` or labels of their own).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Syntax(Option<&'static Language>);

impl Syntax {
    pub const PLAIN: Self = Self(None);

    /// A language name or a file extension (`rust`, `rs`); anything else is plain text.
    pub fn named(value: &str) -> Self {
        Self(language_for(value))
    }

    pub fn language(self) -> Option<&'static Language> {
        self.0
    }
}

/// A paste's title: at most [`MAX_TITLE_CHARS`] characters as sent; control characters (line
/// breaks included) become spaces and the ends are trimmed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Title(String);

impl Title {
    /// `None` when nothing is left after cleaning (a blank form field).
    pub fn parse(value: &str) -> Result<Option<Self>, Error> {
        if value.chars().count() > MAX_TITLE_CHARS {
            return Err(Error::InvalidOption {
                option: "title",
                value: value.chars().take(40).chain("…".chars()).collect(),
                expected: format!("at most {MAX_TITLE_CHARS} characters"),
            });
        }
        let title: String = value
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        let title = title.trim();
        Ok((!title.is_empty()).then(|| Self(title.to_owned())))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lifetimes_are_bounded_by_the_limits_and_empty_means_not_given() {
        let limits = Limits::default();
        assert_eq!(
            limits
                .lifetime_from_text("1h")
                .unwrap()
                .map(Lifetime::duration),
            Some(Duration::from_secs(3600))
        );
        assert_eq!(limits.lifetime_from_text("").unwrap(), None);
        for bad in ["8d", "0", "soon", "-1", "1.5h"] {
            let Err(Error::InvalidOption {
                option, expected, ..
            }) = limits.lifetime_from_text(bad)
            else {
                panic!("{bad} was accepted");
            };
            assert_eq!(option, "expires_in");
            assert!(
                expected.contains("7d") && expected.contains("10m"),
                "{expected}"
            );
        }
    }

    #[test]
    fn body_options_override_query_options_one_by_one() {
        let limits = Limits::default();
        let query = CreateOptions {
            expires_in: limits.lifetime_from_text("1h").unwrap(),
            burn_after_reading: Some(true),
            ..CreateOptions::default()
        };
        let body = CreateOptions {
            expires_in: limits.lifetime_from_text("10m").unwrap(),
            syntax: Some(Syntax::named("rs")),
            ..CreateOptions::default()
        };
        let merged = body.or(query);
        assert_eq!(
            merged.expires_in.map(Lifetime::duration),
            Some(Duration::from_secs(600))
        );
        assert_eq!(merged.burn_after_reading, Some(true));
        assert_eq!(
            merged.syntax.and_then(Syntax::language).map(|l| l.name),
            Some("rust")
        );
        assert_eq!(merged.title, None);

        let query = CreateOptions {
            title: Title::parse("for plain pastes").unwrap(),
            syntax: Some(Syntax::named("rs")),
            ..CreateOptions::default()
        };
        let sealed = CreateOptions {
            encrypted: Some(true),
            ..CreateOptions::default()
        }
        .or(query.clone());
        assert_eq!((sealed.title, sealed.syntax), (None, None));
        let plain = CreateOptions::default().or(query.clone());
        assert!(plain.title.is_some() && plain.syntax.is_some());
        // A raw body flagged in the query (`?encrypted=1&title=x`) is sealed too.
        let flagged = CreateOptions::default().or(CreateOptions {
            encrypted: Some(true),
            ..query
        });
        assert_eq!(
            (flagged.title, flagged.syntax, flagged.encrypted),
            (None, None, Some(true))
        );
    }

    #[test]
    fn titles_are_cleaned_and_bounded_and_syntax_never_fails() {
        assert_eq!(
            Title::parse("  two\nlines  ")
                .unwrap()
                .map(Title::into_string),
            Some("two lines".to_owned())
        );
        assert_eq!(Title::parse(" \t ").unwrap(), None);
        assert!(Title::parse(&"é".repeat(201)).is_err());
        assert!(Title::parse(&"é".repeat(200)).is_ok());
        assert_eq!(Syntax::named("<b>"), Syntax::PLAIN);
        assert_eq!(
            Syntax::named("Python").language().map(|l| l.name),
            Some("python")
        );
    }
}
