//! The pages' stylesheet and script, compiled into the binary and served under content-hashed
//! names, so that browsers and CloudFront can keep them for a year.

use std::sync::OnceLock;

struct Asset {
    /// Logical name, e.g. `app.js`.
    name: &'static str,
    content_type: &'static str,
    body: String,
}

/// The assets, the generated one built on first use.
fn assets() -> &'static [Asset] {
    static ASSETS: OnceLock<Vec<Asset>> = OnceLock::new();
    ASSETS.get_or_init(|| {
        vec![
            Asset {
                name: "style.css",
                content_type: "text/css; charset=utf-8",
                body: include_str!("../../assets/style.css").to_owned(),
            },
            Asset {
                name: "app.js",
                content_type: "text/javascript; charset=utf-8",
                body: include_str!("../../assets/app.js").to_owned(),
            },
            Asset {
                name: "seal.js",
                content_type: "text/javascript; charset=utf-8",
                body: include_str!("../../assets/seal.js").to_owned(),
            },
            Asset {
                name: "highlight.js",
                content_type: "text/javascript; charset=utf-8",
                body: super::pages::highlight_script(),
            },
        ]
    })
}

/// `/assets/<stem>.<hash>.<ext>` per asset, computed once.
fn paths() -> &'static [String] {
    static PATHS: OnceLock<Vec<String>> = OnceLock::new();
    PATHS.get_or_init(|| {
        assets()
            .iter()
            .map(|a| {
                let hash = &pastebin_core::content_key(b"asset", a.body.as_bytes())[..12];
                let (stem, ext) = a.name.rsplit_once('.').unwrap_or((a.name, ""));
                format!("/assets/{stem}.{hash}.{ext}")
            })
            .collect()
    })
}

/// The URL path of the current version of asset `name`.
pub fn path(name: &str) -> &'static str {
    assets()
        .iter()
        .position(|a| a.name == name)
        .map_or("/assets/missing", |i| paths()[i].as_str())
}

/// `(content type, body)` of the asset served at `/assets/{file}`.
pub fn lookup(file: &str) -> Option<(&'static str, &'static str)> {
    let wanted = format!("/assets/{file}");
    paths()
        .iter()
        .position(|p| *p == wanted)
        .map(|i| (assets()[i].content_type, assets()[i].body.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn assets_are_found_only_under_their_current_hash() {
        let css = path("style.css");
        assert!(
            css.starts_with("/assets/style.")
                && css.ends_with(".css")
                && css.len() == "/assets/style.".len() + 12 + 4
        );
        let (content_type, body) = lookup(css.trim_start_matches("/assets/")).unwrap();
        assert_eq!(content_type, "text/css; charset=utf-8");
        assert!(body.contains(".hl-k"));
        assert!(lookup("style.css").is_none());
        assert!(lookup("style.000000000000.css").is_none());
        assert!(lookup(path("app.js").trim_start_matches("/assets/")).is_some());
    }
}
