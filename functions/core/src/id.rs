use std::fmt;

/// Every id has exactly this many characters of `[A-Za-z0-9]`: 62^10 ≈ 2^59.5 possibilities.
pub const ID_LEN: usize = 10;

pub(crate) const ALPHABET: &[u8; 62] =
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/// A paste id: short, URL-safe, drawn from the operating system's CSPRNG.
///
/// Parsed once at the boundary; everything behind it can rely on the shape.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Id(String);

impl Id {
    /// A fresh random id. Uniqueness is still enforced by the store's conditional insert.
    pub fn generate() -> Self {
        Self(random_alphanumeric(ID_LEN))
    }

    /// An id derived rather than drawn (see `idempotency`): the same shape.
    pub(crate) fn derived(s: String) -> Self {
        debug_assert!(Self::parse(&s).is_some());
        Self(s)
    }

    /// Accepts exactly the shape [`Id::generate`] produces; anything else is not an id.
    pub fn parse(s: &str) -> Option<Self> {
        (s.len() == ID_LEN && s.bytes().all(|b| b.is_ascii_alphanumeric()))
            .then(|| Self(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Id({})", self.0)
    }
}

/// `len` characters of `[A-Za-z0-9]`, uniformly distributed, from the OS CSPRNG.
///
/// Bytes ≥ 248 are rejected so that `byte % 62` is unbiased (248 = 4 × 62).
pub fn random_alphanumeric(len: usize) -> String {
    let mut out = String::with_capacity(len);
    let mut buf = [0u8; 64];
    while out.len() < len {
        #[expect(
            clippy::expect_used,
            reason = "the OS generator failing is not something a request can recover from"
        )]
        getrandom::fill(&mut buf).expect("the operating system's random number generator failed");
        for &b in buf.iter().filter(|&&b| b < 248) {
            if out.len() == len {
                break;
            }
            out.push(char::from(ALPHABET[usize::from(b % 62)]));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn generated_ids_have_the_documented_shape_and_parse_back() {
        for _ in 0..1000 {
            let id = Id::generate();
            assert_eq!(id.as_str().len(), ID_LEN);
            assert!(id.as_str().bytes().all(|b| b.is_ascii_alphanumeric()));
            assert_eq!(Id::parse(id.as_str()), Some(id));
        }
    }

    #[test]
    fn generated_ids_do_not_repeat() {
        let ids: HashSet<String> = (0..20_000).map(|_| Id::generate().0).collect();
        assert_eq!(ids.len(), 20_000);
    }

    #[test]
    fn every_character_of_the_alphabet_is_used_roughly_evenly() {
        let sample = random_alphanumeric(62 * 1000);
        let mut counts = [0usize; 128];
        for b in sample.bytes() {
            counts[usize::from(b)] += 1;
        }
        for &c in ALPHABET {
            let n = counts[usize::from(c)];
            assert!((700..1300).contains(&n), "{} appeared {n} times", c as char);
        }
    }

    #[test]
    fn parse_rejects_anything_but_ten_alphanumerics() {
        for bad in [
            "",
            "abc",
            "abcdefghijk",
            "abcdefghi-",
            "abcdefghi.",
            "../../etc/",
            "abcdéfghij",
            "health",
        ] {
            assert_eq!(Id::parse(bad), None, "{bad:?}");
        }
    }
}
