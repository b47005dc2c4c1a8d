//! Options as the text encodings spell them (query strings, forms, multipart fields), decoded
//! into the core's typed options as they are read.

use pastebin_core::{CreateOptions, Error as CoreError, Limits, Syntax, Title};

use crate::error::ApiError;
use crate::urlencoded;

/// Longest option value read from a form or multipart field (a title of 200 characters is at
/// most 800 bytes); a longer one is refused without being kept.
pub const MAX_OPTION_BYTES: usize = 4096;

/// The options a create takes, under every name a client may use for them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OptionName {
    ExpiresIn,
    BurnAfterReading,
    Syntax,
    Title,
    Encrypted,
}

impl OptionName {
    pub fn of(key: &[u8]) -> Option<Self> {
        match key {
            b"expires" | b"expires_in" => Some(Self::ExpiresIn),
            b"burn" | b"burn_after_reading" => Some(Self::BurnAfterReading),
            b"syntax" | b"lang" | b"language" => Some(Self::Syntax),
            b"title" => Some(Self::Title),
            b"encrypted" => Some(Self::Encrypted),
            _ => None,
        }
    }

    pub fn field(self) -> &'static str {
        match self {
            Self::ExpiresIn => "expires_in",
            Self::BurnAfterReading => "burn_after_reading",
            Self::Syntax => "syntax",
            Self::Title => "title",
            Self::Encrypted => "encrypted",
        }
    }
}

/// Sets `name` on `options` from a value in text form; an empty value is "not given" (a form
/// field left blank), except for the flag, where it is `false`.
pub fn set_text(
    options: &mut CreateOptions,
    name: OptionName,
    value: &[u8],
    limits: &Limits,
) -> Result<(), ApiError> {
    let text = String::from_utf8_lossy(value);
    match name {
        OptionName::ExpiresIn => options.expires_in = limits.lifetime_from_text(&text)?,
        OptionName::BurnAfterReading => options.burn_after_reading = Some(flag(name, &text)?),
        OptionName::Encrypted => options.encrypted = Some(flag(name, &text)?),
        OptionName::Syntax => options.syntax = (!text.is_empty()).then(|| Syntax::named(&text)),
        OptionName::Title => options.title = Title::parse(&text)?,
    }
    Ok(())
}

/// The options of a query string (`?expires=1h&burn=1&syntax=rs`); other parameters are not
/// options and are ignored.
pub fn from_query(query: Option<&str>, limits: &Limits) -> Result<CreateOptions, ApiError> {
    let mut options = CreateOptions::default();
    for (key, value) in urlencoded::pairs(query.unwrap_or("").as_bytes()) {
        if let Some(name) = OptionName::of(&urlencoded::decode(key)) {
            set_text(&mut options, name, &urlencoded::decode(value), limits)?;
        }
    }
    Ok(options)
}

/// A misspelt form field is an error, not silently dropped.
pub fn unknown_field(name: &[u8]) -> ApiError {
    CoreError::InvalidOption {
        option: "form field",
        value: String::from_utf8_lossy(name).chars().take(60).collect(),
        expected: "fields are content, expires_in, burn_after_reading, syntax, title and encrypted (files may have any name)".to_owned(),
    }
    .into()
}

/// A value longer than any valid one.
pub fn too_long(name: OptionName) -> ApiError {
    CoreError::InvalidOption {
        option: name.field(),
        value: "…".to_owned(),
        expected: format!("at most {MAX_OPTION_BYTES} bytes"),
    }
    .into()
}

fn flag(name: OptionName, value: &str) -> Result<bool, CoreError> {
    match value.to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Ok(true),
        "" | "0" | "false" | "no" | "off" => Ok(false),
        _ => Err(CoreError::InvalidOption {
            option: name.field(),
            value: value.chars().take(60).collect(),
            expected: "one of true, false, 1, 0, yes, no, on, off".to_owned(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn query_options_are_typed_and_validated_and_others_ignored() {
        let limits = Limits::default();
        let o = from_query(
            Some("expires=1h&burn=YES&lang=rs&title=%20hi%0A&utm=x"),
            &limits,
        )
        .unwrap();
        assert_eq!(
            o.expires_in.map(|l| l.duration()),
            Some(Duration::from_secs(3600))
        );
        assert_eq!(o.burn_after_reading, Some(true));
        assert_eq!(
            o.syntax.and_then(Syntax::language).map(|l| l.name),
            Some("rust")
        );
        assert_eq!(o.title.map(Title::into_string), Some("hi".to_owned()));
        for bad in ["expires=8d", "burn=maybe", "expires_in=soon"] {
            assert!(
                matches!(
                    from_query(Some(bad), &limits),
                    Err(ApiError::Core(CoreError::InvalidOption { .. }))
                ),
                "{bad}"
            );
        }
        let blank = from_query(Some("expires=&syntax=&title=&burn="), &limits).unwrap();
        assert_eq!(
            (
                blank.expires_in,
                blank.syntax,
                blank.title,
                blank.burn_after_reading
            ),
            (None, None, None, Some(false))
        );
    }
}
