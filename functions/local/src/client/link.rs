//! A paste's link as people pass it around: `https://host/ID#KEY`, `/raw/ID`, `/ID.rs`, or a
//! bare id.

use pastebin_core::Id;

use super::error::ClientError;

#[derive(Debug, PartialEq, Eq)]
pub struct Link {
    /// `scheme://host[:port]` of the pastebin.
    pub base: String,
    pub id: Id,
    /// The key of an encrypted paste: the fragment up to its first `/` (`#KEY/L3-L5`).
    pub key: Option<String>,
}

impl Link {
    /// `text` as a link; a bare id (with or without `#KEY`) is on `server`.
    pub fn parse(text: &str, server: &str) -> Result<Self, ClientError> {
        let text = text.trim();
        let (rest, fragment) = text.split_once('#').unwrap_or((text, ""));
        let key = fragment
            .split('/')
            .next()
            .filter(|k| !k.is_empty())
            .map(str::to_owned);
        let (base, path) = if rest.contains("://") {
            let url = reqwest::Url::parse(rest)
                .map_err(|e| ClientError::Link(format!("{rest:?} is not a link: {e}")))?;
            let host = url
                .host_str()
                .ok_or_else(|| ClientError::Link(format!("{rest:?} has no host")))?;
            let port = url.port().map(|p| format!(":{p}")).unwrap_or_default();
            (
                format!("{}://{host}{port}", url.scheme()),
                url.path().to_owned(),
            )
        } else {
            (server.trim_end_matches('/').to_owned(), rest.to_owned())
        };
        let last = path.trim_end_matches('/').rsplit('/').next().unwrap_or("");
        let stem = last.split('.').next().unwrap_or("");
        let id = Id::parse(stem)
            .ok_or_else(|| ClientError::Link(format!("{text:?} does not end in a paste id")))?;
        Ok(Self { base, id, key })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_in_every_shape_give_base_id_and_key() {
        let id = Id::generate();
        let server = "http://127.0.0.1:3000/";
        for (text, base, key) in [
            (
                format!("https://paste.example/{id}#k3y"),
                "https://paste.example",
                Some("k3y"),
            ),
            (
                format!("https://paste.example:8443/raw/{id}"),
                "https://paste.example:8443",
                None,
            ),
            (
                format!("http://h/{id}.rs#k3y/L3-L5"),
                "http://h",
                Some("k3y"),
            ),
            (format!("{id}#k3y"), "http://127.0.0.1:3000", Some("k3y")),
            (format!(" {id} "), "http://127.0.0.1:3000", None),
        ] {
            let link = Link::parse(&text, server).unwrap();
            assert_eq!(
                (link.base.as_str(), &link.id, link.key.as_deref()),
                (base, &id, key),
                "{text}"
            );
        }
        for bad in ["https://paste.example/", "not a link", "ftp://x/短"] {
            assert!(Link::parse(bad, server).is_err(), "{bad}");
        }
    }
}
