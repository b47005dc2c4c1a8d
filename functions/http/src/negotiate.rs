use http::HeaderMap;
use http::header::ACCEPT;

/// What a client's `Accept` header asks for, reduced to the three representations we serve.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Wants {
    Html,
    Json,
    /// Anything else, `*/*` (curl) and no header included.
    Text,
}

impl Wants {
    pub fn of(headers: &HeaderMap) -> Self {
        let mut html = 0.0f32;
        let mut json = 0.0f32;
        for value in headers
            .get_all(ACCEPT)
            .iter()
            .filter_map(|v| v.to_str().ok())
        {
            for range in value.split(',') {
                let mut parts = range.split(';');
                let media = parts.next().unwrap_or("").trim().to_ascii_lowercase();
                let q = parts
                    .filter_map(|p| p.trim().strip_prefix("q="))
                    .find_map(|q| q.trim().parse::<f32>().ok())
                    .unwrap_or(1.0);
                match media.as_str() {
                    "text/html" | "application/xhtml+xml" => html = html.max(q),
                    "application/json" => json = json.max(q),
                    _ => {}
                }
            }
        }
        if html > 0.0 && html >= json {
            Self::Html
        } else if json > 0.0 {
            Self::Json
        } else {
            Self::Text
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wants(accept: &str) -> Wants {
        let mut h = HeaderMap::new();
        h.insert(ACCEPT, accept.parse().unwrap());
        Wants::of(&h)
    }

    #[test]
    fn browsers_curl_and_api_clients_are_told_apart() {
        assert_eq!(
            wants("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"),
            Wants::Html
        );
        assert_eq!(wants("*/*"), Wants::Text);
        assert_eq!(wants("application/json"), Wants::Json);
        assert_eq!(wants("application/json, text/html;q=0.5"), Wants::Json);
        assert_eq!(wants("text/html;q=0"), Wants::Text);
        assert_eq!(wants("TEXT/HTML"), Wants::Html);
        assert_eq!(Wants::of(&HeaderMap::new()), Wants::Text);
    }
}
