//! JSON creates, decoded straight into typed options: fields the product does not know are
//! skipped without being built (a body of megabytes of junk costs its bytes, nothing more), and
//! option values have JSON types (`burn_after_reading` a boolean, `expires_in` a number of
//! seconds or a duration string, the others strings; `null` means "not given").

use std::borrow::Cow;
use std::fmt;
use std::time::Duration;

use pastebin_core::{CreateOptions, Error as CoreError, Limits, Syntax, Title};
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::options::{MAX_OPTION_BYTES, OptionName};
use crate::error::ApiError;

/// The content and options of a JSON create.
pub fn decode(bytes: &[u8], limits: &Limits) -> Result<(Vec<u8>, CreateOptions), ApiError> {
    let max_content = usize::try_from(limits.max_bytes).unwrap_or(usize::MAX);
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let fields = de
        .deserialize_map(CreateVisitor { max_content })
        .and_then(|fields| de.end().map(|()| fields))
        .map_err(|e| ApiError::Malformed(format!("the body is not valid JSON: {e}")))?;
    let content = match fields.content {
        Some(Scalar::Text(text)) => text.into_owned().into_bytes(),
        Some(Scalar::TooLong) => {
            return Err(CoreError::TooLarge {
                limit: limits.max_bytes,
            }
            .into());
        }
        None | Some(Scalar::Null) => {
            return Err(ApiError::Malformed(
                "the JSON object has no `content` string".to_owned(),
            ));
        }
        Some(_) => {
            return Err(ApiError::Malformed(
                "`content` must be a JSON string".to_owned(),
            ));
        }
    };
    let mut options = CreateOptions::default();
    for (name, value) in fields.options {
        set(&mut options, name, value, limits)?;
    }
    Ok((content, options))
}

fn set(
    options: &mut CreateOptions,
    name: OptionName,
    value: Scalar<'_>,
    limits: &Limits,
) -> Result<(), ApiError> {
    let invalid = |value: &Scalar<'_>, expected: &str| -> ApiError {
        CoreError::InvalidOption {
            option: name.field(),
            value: value.shown(),
            expected: expected.to_owned(),
        }
        .into()
    };
    match (name, &value) {
        (_, Scalar::Null) => {}
        (OptionName::BurnAfterReading, Scalar::Bool(b)) => options.burn_after_reading = Some(*b),
        (OptionName::Encrypted, Scalar::Bool(b)) => options.encrypted = Some(*b),
        (OptionName::BurnAfterReading | OptionName::Encrypted, _) => {
            return Err(invalid(&value, "true or false"));
        }
        (OptionName::ExpiresIn, Scalar::Seconds(Some(secs))) => {
            options.expires_in = Some(limits.lifetime(Duration::from_secs(*secs))?);
        }
        (OptionName::ExpiresIn, Scalar::Seconds(None)) => {
            return Err(limits.invalid_expiry(value.shown()).into());
        }
        (OptionName::ExpiresIn, Scalar::Text(text)) => {
            options.expires_in = limits.lifetime_from_text(text)?;
        }
        (OptionName::ExpiresIn, _) => {
            return Err(invalid(
                &value,
                "a number of seconds or a duration string such as \"1h\"",
            ));
        }
        (OptionName::Syntax, Scalar::Text(text)) => {
            options.syntax = (!text.is_empty()).then(|| Syntax::named(text));
        }
        (OptionName::Title, Scalar::Text(text)) => options.title = Title::parse(text)?,
        (OptionName::Syntax | OptionName::Title, _) => return Err(invalid(&value, "a string")),
    }
    Ok(())
}

/// A JSON value as far as a create needs it: structures are skipped, not built.
#[derive(Debug)]
enum Scalar<'de> {
    Null,
    Bool(bool),
    /// A whole, non-negative number (JSON Schema counts `3600.0` as an integer, so it is one
    /// here too); `None` for any other number.
    Seconds(Option<u64>),
    Text(Cow<'de, str>),
    /// A string longer than the field may be: refused without being copied.
    TooLong,
    Structure,
}

impl Scalar<'_> {
    fn shown(&self) -> String {
        match self {
            Self::Null => "null".to_owned(),
            Self::Bool(b) => b.to_string(),
            Self::Seconds(Some(n)) => n.to_string(),
            Self::Seconds(None) => "a number".to_owned(),
            Self::Text(t) => format!("{:?}", t.chars().take(40).collect::<String>()),
            Self::TooLong => "a long string".to_owned(),
            Self::Structure => "an array or object".to_owned(),
        }
    }
}

#[derive(Default)]
struct Fields<'de> {
    content: Option<Scalar<'de>>,
    options: Vec<(OptionName, Scalar<'de>)>,
}

struct CreateVisitor {
    max_content: usize,
}

impl<'de> Visitor<'de> for CreateVisitor {
    type Value = Fields<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object such as {\"content\": \"text\"}")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut fields = Fields::default();
        while let Some(key) = map.next_key::<Key>()? {
            match key {
                Key::Content => {
                    fields.content = Some(map.next_value_seed(ScalarSeed {
                        max_text: self.max_content,
                    })?);
                }
                Key::Option(name) => {
                    let value = map.next_value_seed(ScalarSeed {
                        max_text: MAX_OPTION_BYTES,
                    })?;
                    // A repeated field: the last one counts, and only one is kept.
                    fields.options.retain(|(n, _)| *n != name);
                    fields.options.push((name, value));
                }
                Key::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(fields)
    }
}

/// A field name, matched without being kept.
enum Key {
    Content,
    Option(OptionName),
    Other,
}

impl<'de> de::Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl Visitor<'_> for KeyVisitor {
            type Value = Key;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a field name")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Key, E> {
                Ok(match v {
                    "content" => Key::Content,
                    "expires_in" => Key::Option(OptionName::ExpiresIn),
                    "burn_after_reading" => Key::Option(OptionName::BurnAfterReading),
                    "syntax" => Key::Option(OptionName::Syntax),
                    "title" => Key::Option(OptionName::Title),
                    "encrypted" => Key::Option(OptionName::Encrypted),
                    _ => Key::Other,
                })
            }
        }
        d.deserialize_str(KeyVisitor)
    }
}

struct ScalarSeed {
    max_text: usize,
}

impl<'de> DeserializeSeed<'de> for ScalarSeed {
    type Value = Scalar<'de>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Scalar<'de>, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ScalarSeed {
    type Value = Scalar<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_unit<E>(self) -> Result<Scalar<'de>, E> {
        Ok(Scalar::Null)
    }

    fn visit_none<E>(self) -> Result<Scalar<'de>, E> {
        Ok(Scalar::Null)
    }

    fn visit_bool<E>(self, v: bool) -> Result<Scalar<'de>, E> {
        Ok(Scalar::Bool(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Scalar<'de>, E> {
        Ok(Scalar::Seconds(Some(v)))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Scalar<'de>, E> {
        Ok(Scalar::Seconds(u64::try_from(v).ok()))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Scalar<'de>, E> {
        let whole = (v.fract() == 0.0 && (0.0..1e15).contains(&v)).then(|| {
            #[expect(
                clippy::cast_possible_truncation,
                clippy::cast_sign_loss,
                reason = "exact: a whole non-negative number below 2^53"
            )]
            let n = v as u64;
            n
        });
        Ok(Scalar::Seconds(whole))
    }

    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Scalar<'de>, E> {
        Ok(if v.len() > self.max_text {
            Scalar::TooLong
        } else {
            Scalar::Text(Cow::Borrowed(v))
        })
    }

    fn visit_str<E>(self, v: &str) -> Result<Scalar<'de>, E> {
        Ok(if v.len() > self.max_text {
            Scalar::TooLong
        } else {
            Scalar::Text(Cow::Owned(v.to_owned()))
        })
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Scalar<'de>, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Scalar::Structure)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Scalar<'de>, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Scalar::Structure)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode_str(json: &str) -> Result<(Vec<u8>, CreateOptions), ApiError> {
        decode(json.as_bytes(), &Limits::default())
    }

    #[test]
    fn options_have_json_types_and_unknown_fields_are_skipped() {
        let (content, o) = decode_str(
            r#"{"content":"x","expires_in":3600.0,"burn_after_reading":true,"syntax":"rs","unknown":[1,{"a":[2]}],"title":null}"#,
        )
        .unwrap();
        assert_eq!(content, b"x");
        assert_eq!(
            o.expires_in.map(|l| l.duration()),
            Some(Duration::from_secs(3600))
        );
        assert_eq!(o.burn_after_reading, Some(true));
        assert_eq!(
            o.syntax.and_then(Syntax::language).map(|l| l.name),
            Some("rust")
        );
        assert_eq!(o.title, None);
        let (_, o) = decode_str(r#"{"content":"x","expires_in":"10m"}"#).unwrap();
        assert_eq!(
            o.expires_in.map(|l| l.duration()),
            Some(Duration::from_secs(600))
        );
    }

    #[test]
    fn wrong_types_are_422_naming_the_option_and_bad_bodies_400() {
        for (json, option) in [
            (r#"{"content":"x","title":{"a":1}}"#, "title"),
            (
                r#"{"content":"x","burn_after_reading":"yes"}"#,
                "burn_after_reading",
            ),
            (r#"{"content":"x","expires_in":1.5}"#, "expires_in"),
            (r#"{"content":"x","expires_in":-5}"#, "expires_in"),
            (r#"{"content":"x","expires_in":[]}"#, "expires_in"),
            (r#"{"content":"x","syntax":5}"#, "syntax"),
        ] {
            match decode_str(json) {
                Err(ApiError::Core(CoreError::InvalidOption { option: o, .. })) => {
                    assert_eq!(o, option, "{json}");
                }
                other => panic!("{json}: {other:?}"),
            }
        }
        for bad in [
            r#"{"content":5}"#,
            "[]",
            "{",
            r#"{"title":"t"}"#,
            r#"{"content":"x"} 1"#,
            "null",
        ] {
            assert!(
                matches!(decode_str(bad), Err(ApiError::Malformed(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn content_over_the_limit_is_refused_without_being_copied() {
        let limits = Limits::new(8, Duration::from_secs(60), Duration::from_secs(60)).unwrap();
        assert!(decode(br#"{"content":"12345678"}"#, &limits).is_ok());
        for body in [
            &br#"{"content":"123456789"}"#[..],
            br#"{"content":"\u0031\u003223456789"}"#,
        ] {
            assert!(matches!(
                decode(body, &limits),
                Err(ApiError::Core(CoreError::TooLarge { limit: 8 }))
            ));
        }
    }
}
