//! `application/x-www-form-urlencoded`, which query strings and HTML-style forms share. Pairs are
//! visited one at a time and decoded to bytes (not strings), so that content which is not UTF-8
//! reaches the core and is refused with 415 rather than silently repaired.

/// The raw (still encoded) `key=value` pairs of `input`, empty pairs skipped; nothing is
/// collected, so a body of a million empty pairs costs no memory.
pub fn pairs(input: &[u8]) -> impl Iterator<Item = (&[u8], &[u8])> {
    input
        .split(|&b| b == b'&')
        .filter(|p| !p.is_empty())
        .map(|pair| match pair.iter().position(|&b| b == b'=') {
            Some(i) => (&pair[..i], &pair[i + 1..]),
            None => (pair, &pair[pair.len()..]),
        })
}

/// Whether any pair's decoded key is one of `keys`.
pub fn has_key(input: &[u8], keys: &[&[u8]]) -> bool {
    pairs(input).any(|(k, _)| keys.contains(&decode(k).as_slice()))
}

/// Percent- and plus-decoding; a `%` not followed by two hex digits stays as it is.
pub fn decode(input: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(input.len());
    // No limit: the result is never longer than the input.
    let _ = decode_into(input, &mut out, usize::MAX);
    out
}

/// Decodes `input` onto `out`, refusing (with nothing more written) once `out` would pass
/// `limit` bytes.
pub fn decode_into(input: &[u8], out: &mut Vec<u8>, limit: usize) -> Result<(), TooLong> {
    let hex = |b: u8| {
        char::from(b)
            .to_digit(16)
            .and_then(|d| u8::try_from(d).ok())
    };
    let mut i = 0;
    while i < input.len() {
        if out.len() >= limit {
            return Err(TooLong);
        }
        match input[i] {
            b'+' => out.push(b' '),
            b'%' => match (
                input.get(i + 1).copied().and_then(hex),
                input.get(i + 2).copied().and_then(hex),
            ) {
                (Some(h), Some(l)) => {
                    out.push(h << 4 | l);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    Ok(())
}

#[derive(Debug, PartialEq, Eq)]
pub struct TooLong;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decoding_keeps_bytes_and_tolerates_stray_percents() {
        let pairs: Vec<(Vec<u8>, Vec<u8>)> =
            pairs(b"content=a+b%26c%ff&title=%E2%9C%93&x&&bad=%zz%4")
                .map(|(k, v)| (decode(k), decode(v)))
                .collect();
        assert_eq!(pairs[0], (b"content".to_vec(), b"a b&c\xff".to_vec()));
        assert_eq!(pairs[1], (b"title".to_vec(), "✓".as_bytes().to_vec()));
        assert_eq!(pairs[2], (b"x".to_vec(), Vec::new()));
        assert_eq!(pairs[3], (b"bad".to_vec(), b"%zz%4".to_vec()));
        assert_eq!(pairs.len(), 4);
    }

    #[test]
    fn decoding_stops_at_the_limit() {
        let mut out = Vec::new();
        assert_eq!(decode_into(b"abc%41", &mut out, 4), Ok(()));
        assert_eq!(out, b"abcA");
        let mut out = Vec::new();
        assert_eq!(decode_into(b"abcde", &mut out, 4), Err(TooLong));
        assert!(out.len() <= 4);
        assert!(has_key(b"a=1&%74oken=x", &[b"token"]));
        assert!(!has_key(b"tokens=1", &[b"token"]));
    }
}
