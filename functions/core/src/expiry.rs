use std::time::Duration;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error(
    "not a duration: use a number of seconds or a number followed by s, m, h or d (e.g. 90, 10m, 1h, 7d)"
)]
pub struct DurationError;

/// Parses `90`, `90s`, `10m`, `1h`, `1d`, `7d` (units are case-insensitive). Nothing else:
/// no spaces, signs, fractions or leading zeros, so that the grammar is exactly what
/// `openapi.yaml` documents.
pub fn parse_duration(s: &str) -> Result<Duration, DurationError> {
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (digits, unit) = s.split_at(split);
    if digits.is_empty() || digits.len() > 12 || (digits.len() > 1 && digits.starts_with('0')) {
        return Err(DurationError);
    }
    let n: u64 = digits.parse().map_err(|_| DurationError)?;
    let scale = match unit.to_ascii_lowercase().as_str() {
        "" | "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => return Err(DurationError),
    };
    Ok(Duration::from_secs(n * scale))
}

/// The shortest spelling `parse_duration` reads back: `7d`, `90m`, `45s`.
pub fn format_duration(d: Duration) -> String {
    let s = d.as_secs();
    match s {
        0 => "0s".to_owned(),
        _ if s.is_multiple_of(86_400) => format!("{}d", s / 86_400),
        _ if s.is_multiple_of(3600) => format!("{}h", s / 3600),
        _ if s.is_multiple_of(60) => format!("{}m", s / 60),
        _ => format!("{s}s"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_documented_forms() {
        let cases = [
            ("10m", 600),
            ("1h", 3600),
            ("1d", 86_400),
            ("7d", 604_800),
            ("3600", 3600),
            ("45s", 45),
            ("2H", 7200),
            ("0", 0),
        ];
        for (input, secs) in cases {
            assert_eq!(
                parse_duration(input),
                Ok(Duration::from_secs(secs)),
                "{input}"
            );
        }
    }

    #[test]
    fn rejects_everything_else() {
        for bad in [
            "",
            "m",
            "-5",
            "1.5h",
            "1y",
            "10 m",
            "1h30m",
            " 5m",
            "5m ",
            "007",
            "00",
            "99999999999999d",
            "0x10",
            "never",
        ] {
            assert_eq!(parse_duration(bad), Err(DurationError), "{bad:?}");
        }
    }

    #[test]
    fn formats_round_trip() {
        for secs in [1, 59, 60, 600, 3600, 5400, 86_400, 604_800] {
            let d = Duration::from_secs(secs);
            assert_eq!(parse_duration(&format_duration(d)), Ok(d));
        }
        assert_eq!(format_duration(Duration::from_secs(604_800)), "7d");
    }
}
