//! A urlencoded form on `POST /pastes` (the shape older pastebin clients send): scanned pair by
//! pair, never collected, so its memory is the content and nothing more.

use pastebin_core::{CreateOptions, Error as CoreError, Limits};

use super::options::{MAX_OPTION_BYTES, OptionName, set_text, too_long, unknown_field};
use crate::error::ApiError;
use crate::urlencoded;

/// The content and options of a form; its fields are a closed set.
pub fn decode(bytes: &[u8], limits: &Limits) -> Result<(Vec<u8>, CreateOptions), ApiError> {
    let max_content = usize::try_from(limits.max_bytes).unwrap_or(usize::MAX);
    let mut content = None;
    let mut options = CreateOptions::default();
    let mut value = Vec::new();
    for (key, raw) in urlencoded::pairs(bytes) {
        let key = urlencoded::decode(key);
        if key == b"content" {
            let mut text = Vec::with_capacity(raw.len().min(max_content));
            urlencoded::decode_into(raw, &mut text, max_content).map_err(|_| {
                CoreError::TooLarge {
                    limit: limits.max_bytes,
                }
            })?;
            content = Some(text);
        } else if let Some(name) = OptionName::of(&key) {
            value.clear();
            urlencoded::decode_into(raw, &mut value, MAX_OPTION_BYTES)
                .map_err(|_| too_long(name))?;
            set_text(&mut options, name, &value, limits)?;
        } else {
            return Err(unknown_field(&key));
        }
    }
    let content =
        content.ok_or_else(|| ApiError::Malformed("the form has no `content` field".to_owned()))?;
    Ok((content, options))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn fields_are_decoded_and_unknown_ones_refused_at_once() {
        let limits = Limits::default();
        let (content, options) = decode(b"content=a+b%0A&burn=1&&expires_in=1h", &limits).unwrap();
        assert_eq!(content, b"a b\n");
        assert_eq!(options.burn_after_reading, Some(true));
        assert_eq!(
            options.expires_in.map(|l| l.duration()),
            Some(Duration::from_secs(3600))
        );
        assert!(matches!(
            decode(b"content=x&a&a&a", &limits),
            Err(ApiError::Core(CoreError::InvalidOption {
                option: "form field",
                ..
            }))
        ));
        assert!(matches!(
            decode(b"title=t", &limits),
            Err(ApiError::Malformed(_))
        ));
    }

    #[test]
    fn content_past_the_limit_is_413() {
        let limits = Limits::new(4, Duration::from_secs(60), Duration::from_secs(60)).unwrap();
        assert!(decode(b"content=%41BCD", &limits).is_ok());
        assert!(matches!(
            decode(b"content=ABCDE", &limits),
            Err(ApiError::Core(CoreError::TooLarge { limit: 4 }))
        ));
    }
}
