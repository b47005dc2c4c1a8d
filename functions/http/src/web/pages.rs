//! The pages, rendered from the askama templates in `templates/`, which escape every value by
//! default. The one value a template takes as markup is a paste's lines, which the highlighter
//! (or [`escape_html`]) has escaped piece by piece. The pages work without JavaScript;
//! `assets/app.js` adds conveniences.

use std::fmt::Write;
use std::sync::OnceLock;

use askama::Template;
use pastebin_core::{Id, LANGUAGES, Language, MAX_TITLE_CHARS, Paste, UnixTime, language_for};

use super::assets;
use super::escape::escape_html;
use super::highlight::{State, highlight_line, rules_for, rules_script};

/// What every page's `<head>` loads: the current versions of its own two assets.
struct Layout {
    style: &'static str,
    script: &'static str,
    /// The browser's highlighter and encryption, loaded only by the pages that need them.
    highlighter: &'static str,
    seal: &'static str,
}

impl Layout {
    /// The asset paths are fixed for the life of the process: looked up once.
    fn get() -> &'static Self {
        static LAYOUT: OnceLock<Layout> = OnceLock::new();
        LAYOUT.get_or_init(|| Self {
            style: assets::path("style.css"),
            script: assets::path("app.js"),
            highlighter: assets::path("highlight.js"),
            seal: assets::path("seal.js"),
        })
    }
}

/// A template's output. Rendering only fails if a value's `Display` does, and none of ours do.
fn render(page: &impl Template) -> String {
    page.render().unwrap_or_default()
}

/// Most of a paste's text shown in the page (rendered HTML is several times larger).
const RENDER_MAX_BYTES: usize = 256 * 1024;
const RENDER_MAX_LINES: usize = 10_000;

/// The expiry choices offered by the form; the default is selected.
const EXPIRY_CHOICES: &[(&str, &str)] = &[
    ("10m", "10 minutes"),
    ("1h", "1 hour"),
    ("1d", "1 day"),
    ("7d", "7 days"),
];
const DEFAULT_EXPIRY_CHOICE: &str = "7d";

struct ExpiryChoice {
    value: &'static str,
    label: &'static str,
    selected: bool,
}

struct LanguageChoice {
    name: &'static str,
    /// The name and aliases, for the script that picks a language from a dropped file's name.
    extensions: String,
    display: &'static str,
}

#[derive(Template)]
#[template(path = "create.html")]
struct CreatePage {
    layout: &'static Layout,
    title_max_chars: usize,
    languages: Vec<LanguageChoice>,
    expiry: Vec<ExpiryChoice>,
}

/// The same for every request: rendered once per process.
pub fn create_page() -> &'static str {
    static PAGE: OnceLock<String> = OnceLock::new();
    PAGE.get_or_init(|| {
        render(&CreatePage {
            layout: Layout::get(),
            title_max_chars: MAX_TITLE_CHARS,
            languages: LANGUAGES
                .iter()
                .map(|l| LanguageChoice {
                    name: l.name,
                    extensions: std::iter::once(l.name)
                        .chain(l.aliases.iter().copied())
                        .collect::<Vec<_>>()
                        .join(" "),
                    display: l.display,
                })
                .collect(),
            expiry: EXPIRY_CHOICES
                .iter()
                .map(|&(value, label)| ExpiryChoice {
                    value,
                    label,
                    selected: value == DEFAULT_EXPIRY_CHOICE,
                })
                .collect(),
        })
    })
}

/// The language to show a paste in: `/{id}.{ext}` first, then the one stored with it.
fn language_of(paste: &Paste, ext: Option<&str>) -> Option<&'static Language> {
    ext.and_then(language_for)
        .or_else(|| paste.syntax.as_deref().and_then(language_for))
}

#[derive(Template)]
#[template(path = "paste.html")]
struct PastePage<'a> {
    layout: &'static Layout,
    id: &'a Id,
    title: String,
    size: String,
    language: &'static str,
    language_class: Option<&'static str>,
    created_at: UnixTime,
    expires_at: UnixTime,
    remaining: String,
    /// Escaped markup: numbered, anchored, highlighted lines.
    lines: String,
    truncated: bool,
    revealed: bool,
}

/// The paste page. `revealed`: a burn-after-reading paste being shown once, which no longer
/// exists on the server (copy then works from the page itself).
pub fn paste_page(
    paste: &Paste,
    ext_syntax: Option<&str>,
    now: UnixTime,
    revealed: bool,
) -> String {
    if paste.encrypted {
        return sealed_page(paste, now, revealed);
    }
    let language = language_of(paste, ext_syntax);
    let (lines, truncated) = numbered_lines(&paste.content, language);
    render(&PastePage {
        layout: Layout::get(),
        id: &paste.id,
        title: paste
            .title
            .clone()
            .unwrap_or_else(|| format!("Paste {}", paste.id)),
        size: human_size(paste.size()),
        language: language.map_or("plain text", |l| l.display),
        language_class: language.map(|l| l.name),
        created_at: paste.created_at,
        expires_at: paste.expires_at,
        remaining: remaining(now, paste.expires_at),
        lines,
        truncated,
        revealed,
    })
}

#[derive(Template)]
#[template(path = "sealed.html")]
struct SealedPage<'a> {
    layout: &'static Layout,
    id: &'a Id,
    size: String,
    created_at: UnixTime,
    expires_at: UnixTime,
    remaining: String,
    content: &'a str,
    revealed: bool,
    max_bytes: usize,
    max_lines: usize,
}

/// An end-to-end encrypted paste: the ciphertext for the page's script to open with the key in
/// the link's fragment, and the same display limits the server applies to plain pastes.
fn sealed_page(paste: &Paste, now: UnixTime, revealed: bool) -> String {
    render(&SealedPage {
        layout: Layout::get(),
        id: &paste.id,
        size: human_size(paste.size()),
        created_at: paste.created_at,
        expires_at: paste.expires_at,
        remaining: remaining(now, paste.expires_at),
        content: &paste.content,
        revealed,
        max_bytes: RENDER_MAX_BYTES,
        max_lines: RENDER_MAX_LINES,
    })
}

/// The text as escaped, highlighted lines with numbers and anchors, and whether it was cut.
fn numbered_lines(content: &str, language: Option<&'static Language>) -> (String, bool) {
    let rules = language.and_then(|l| rules_for(l.name));
    let mut state = State::default();
    let mut lines = String::with_capacity(content.len().min(RENDER_MAX_BYTES) * 3);
    let mut rendered = 0;
    let mut truncated = false;
    for (n, mut line) in content.lines().enumerate() {
        // Markup multiplies the size of the text: past a budget the page says so and links to
        // the raw text instead (a Lambda response is limited to 6 MB). A line longer than what
        // is left of the budget is shown in part, so a paste of one huge line is not blank.
        if n >= RENDER_MAX_LINES || rendered >= RENDER_MAX_BYTES {
            truncated = true;
            break;
        }
        if rendered + line.len() > RENDER_MAX_BYTES {
            let mut cut = RENDER_MAX_BYTES - rendered;
            while !line.is_char_boundary(cut) {
                cut -= 1;
            }
            line = &line[..cut];
            truncated = true;
        }
        rendered += line.len() + 1;
        let n = n + 1;
        let code = match rules {
            Some(rules) => highlight_line(line, rules, &mut state),
            None => escape_html(line),
        };
        let _ = write!(
            lines,
            "<span class=\"line\" id=\"L{n}\"><a class=\"ln\" href=\"#L{n}\">{n}</a>{code}</span>"
        );
        if truncated {
            break;
        }
    }
    (lines, truncated)
}

#[derive(Template)]
#[template(path = "burn.html")]
struct BurnPage<'a> {
    layout: &'static Layout,
    id: &'a Id,
    /// Revealing needs the key and script, or the paste is deleted unread: the button starts
    /// disabled and the script enables it when both are there.
    encrypted: bool,
    remaining: String,
    expires_at: UnixTime,
}

/// Shown instead of a burn-after-reading paste: revealing it is an explicit POST.
pub fn burn_page(id: &Id, expires_at: UnixTime, now: UnixTime, encrypted: bool) -> String {
    render(&BurnPage {
        layout: Layout::get(),
        id,
        encrypted,
        remaining: remaining(now, expires_at),
        expires_at,
    })
}

#[derive(Template)]
#[template(path = "created.html")]
struct CreatedPage<'a> {
    layout: &'static Layout,
    id: &'a Id,
    url: &'a str,
    token: &'a str,
    remaining: String,
}

/// What a browser posting the form without script gets: the link, and the delete token with
/// the one form that uses it (a script-enabled page keeps the token in the browser instead).
pub fn created_page(
    id: &Id,
    url: &str,
    token: &str,
    expires_at: UnixTime,
    now: UnixTime,
) -> String {
    render(&CreatedPage {
        layout: Layout::get(),
        id,
        url,
        token,
        remaining: remaining(now, expires_at),
    })
}

#[derive(Template)]
#[template(path = "deleted.html")]
struct DeletedPage {
    layout: &'static Layout,
}

pub fn deleted_page() -> String {
    render(&DeletedPage {
        layout: Layout::get(),
    })
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    layout: &'static Layout,
    status: u16,
    message: &'a str,
}

pub fn error_page(status: u16, message: &str) -> String {
    render(&ErrorPage {
        layout: Layout::get(),
        status,
        message,
    })
}

/// "in 3 days", "in 5 minutes": to the nearest unit, so that a paste made seconds ago with
/// 7 days to live reads "in 7 days" rather than "in 6 days".
fn remaining(now: UnixTime, at: UnixTime) -> String {
    let s = now.until(at);
    let nearest = |unit: u64| (s + unit / 2) / unit;
    let (n, unit) = match s {
        0..60 => (s, "second"),
        // Below 59.5 minutes and 23.5 hours, so that rounding never says "60 minutes".
        60..3570 => (nearest(60), "minute"),
        3570..84_600 => (nearest(3600), "hour"),
        _ => (nearest(86_400), "day"),
    };
    format!("in {n} {unit}{}", if n == 1 { "" } else { "s" })
}

/// "512 bytes", "1.5 KiB", "1.0 MiB".
#[expect(
    clippy::cast_precision_loss,
    reason = "sizes below 2^52 bytes are exact, and one decimal is shown"
)]
fn human_size(bytes: u64) -> String {
    match bytes {
        0..1024 => format!("{bytes} bytes"),
        1024..1_048_576 => format!("{:.1} KiB", bytes as f64 / 1024.0),
        _ => format!("{:.1} MiB", bytes as f64 / 1_048_576.0),
    }
}

/// The file name a download gets: the id and the language's usual extension.
pub fn download_name(paste: &Paste) -> String {
    let ext = language_of(paste, None).map_or("txt", extension);
    format!("{}.{ext}", paste.id)
}

/// A language's usual file extension: its first short alias, else its name.
pub(super) fn extension(language: &Language) -> &'static str {
    language
        .aliases
        .first()
        .copied()
        .filter(|a| a.len() <= 4)
        .unwrap_or(language.name)
}

/// The browser's highlighter: its rules and the page limits, generated from the server's.
pub fn highlight_script() -> String {
    let code = include_str!("../../assets/highlight.js");
    rules_script(RENDER_MAX_BYTES, RENDER_MAX_LINES) + code
}

#[cfg(test)]
mod tests {
    use super::*;
    use pastebin_core::{DeleteToken, Id};

    fn paste(content: &str, title: Option<&str>, syntax: Option<&str>) -> Paste {
        Paste {
            id: Id::generate(),
            content: content.into(),
            syntax: syntax.map(str::to_owned),
            title: title.map(str::to_owned),
            burn_after_reading: false,
            encrypted: false,
            created_at: UnixTime(0),
            expires_at: UnixTime(7200),
            delete_token_hash: DeleteToken::generate().hash(),
        }
    }

    #[test]
    fn paste_content_and_title_never_become_markup() {
        let evil = "<script>alert(1)</script>\n</textarea>\"><img src=x onerror=alert(2)>";
        let html = paste_page(
            &paste(evil, Some("<b>title</b>"), Some("\"><script>")),
            None,
            UnixTime(0),
            false,
        );
        assert!(!html.contains("<script>alert"));
        assert!(!html.contains("<img"));
        assert!(!html.contains("<b>title"));
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    }

    #[test]
    fn error_and_burn_pages_escape_what_they_are_given() {
        let html = error_page(404, "no paste <img src=x onerror=alert(1)> \"here\"");
        assert!(html.contains("<h1>404</h1>"), "{html}");
        assert!(!html.contains("<img"));
        assert!(
            html.contains("&#60;img src=x onerror=alert(1)&#62;"),
            "{html}"
        );
        let id = Id::generate();
        let burn = burn_page(&id, UnixTime(7200), UnixTime(0), false);
        assert!(burn.contains(&format!("action=\"/{id}/reveal\"")) && burn.contains("in 2 hours"));
    }

    #[test]
    fn the_form_offers_every_language_and_selects_the_default_expiry() {
        let html = create_page();
        for l in LANGUAGES {
            assert!(
                html.contains(&format!("<option value=\"{}\"", l.name)),
                "{}",
                l.name
            );
        }
        assert!(html.contains("<option value=\"7d\" selected>7 days</option>"));
        assert_eq!(html.matches(" selected").count(), 1);
    }

    #[test]
    fn languages_come_from_the_extension_first_and_are_never_echoed_raw() {
        let p = paste("fn main() {}", None, Some("python"));
        assert!(paste_page(&p, Some("rs"), UnixTime(0), false).contains("class=\"language-rust\""));
        assert!(paste_page(&p, None, UnixTime(0), false).contains("class=\"language-python\""));
        assert!(
            paste_page(&p, Some("\"onload=x"), UnixTime(0), false)
                .contains("class=\"language-python\"")
        );
    }

    #[test]
    fn lines_are_numbered_with_anchors() {
        let html = paste_page(&paste("a\nb\nc", None, None), None, UnixTime(0), false);
        assert!(html.contains("id=\"L3\"") && html.contains("href=\"#L3\""));
        assert!(!html.contains("id=\"L4\""));
    }

    #[test]
    fn code_is_highlighted_and_downloads_are_named_by_language() {
        let p = paste("fn main() {}\n// hi", None, Some("rust"));
        let html = paste_page(&p, None, UnixTime(0), false);
        assert!(
            html.contains("<span class=\"hl-k\">fn</span>")
                && html.contains("<span class=\"hl-c\">// hi</span>")
        );
        assert_eq!(download_name(&p), format!("{}.rs", p.id));
        let plain = paste("x", None, None);
        assert_eq!(download_name(&plain), format!("{}.txt", plain.id));
    }

    #[test]
    fn pages_load_only_their_own_hashed_assets() {
        let html = create_page();
        assert!(html.contains(&format!("href=\"{}\"", assets::path("style.css"))));
        assert!(html.contains(&format!("src=\"{}\"", assets::path("app.js"))));
        assert!(
            !html.contains("http://") && !html.contains("https://"),
            "no other host"
        );
        assert!(
            !html.contains("<style") && !html.contains(" style=") && !html.contains("onclick"),
            "nothing inline"
        );
    }

    #[test]
    fn a_revealed_burn_paste_offers_no_link_back_to_itself() {
        let html = paste_page(&paste("secret", None, None), None, UnixTime(0), true);
        assert!(!html.contains("/raw/") && html.contains("data-burned"));
    }

    #[test]
    fn long_pastes_are_shown_in_part_with_a_link_to_the_rest() {
        let p = paste(&"0123456789\n".repeat(95_000), None, None);
        let html = paste_page(&p, None, UnixTime(0), false);
        assert!(html.len() < 2 * 1024 * 1024, "{} bytes", html.len());
        assert!(
            html.contains("Only the beginning is shown")
                && html.contains("id=\"L10000\"")
                && !html.contains("id=\"L10001\"")
        );
        let short = paste_page(&paste("a\nb", None, None), None, UnixTime(0), false);
        assert!(!short.contains("Only the beginning"));
        let one_line = paste_page(
            &paste(&"é".repeat(300_000), None, None),
            None,
            UnixTime(0),
            false,
        );
        assert!(
            one_line.contains("id=\"L1\"")
                && one_line.contains("Only the beginning is shown")
                && one_line.len() < 2 * RENDER_MAX_BYTES,
            "a single huge line is shown in part, not left out"
        );
    }

    #[test]
    fn a_sealed_paste_page_carries_the_ciphertext_and_no_plain_markup() {
        let mut p = paste("AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA", None, None);
        p.encrypted = true;
        let html = paste_page(&p, Some("rs"), UnixTime(0), false);
        assert!(html.contains(
            "<pre class=\"ciphertext\" hidden>AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA</pre>"
        ));
        assert!(
            html.contains(assets::path("highlight.js"))
                && html.contains("data-max-lines=\"10000\"")
        );
        assert!(!html.contains("class=\"line\"") && !html.contains("/raw/"));
        let plain = paste_page(&paste("x", None, None), None, UnixTime(0), false);
        assert!(!plain.contains(assets::path("highlight.js")));
    }

    /// The browser's copy of the highlighter, run by node over the same texts, must produce the
    /// same markup as this one, for every language and for the page limits.
    #[test]
    fn highlight_js_matches_the_server() {
        let samples = [
            "fn main() { let s = \"a \\\" b\"; 'c' + `d` } // e\n/* one\r\ntwo */ x = 1.5e3_f32;\n",
            "<div class=\"x\" data-y='1'>é & ü</div>\n</ns:tag-name>\n<!-- c\nd --> <\n",
            "SELECT * FROM t WHERE a = 'x' -- tail\nselect Null, TRUE;\n",
            "+added\n-removed\n@@ -1 +1 @@\n context\n",
            "# Heading\nsome `code` and `unclosed\n[section]\n  [indented]\nkey = on ; c\n",
            "日本語 variable_名前 $dollar über-alles --x -- y\n\u{1F600} emoji 'str \u{1F600}' 42\n",
            "<# ps #> $true $False # c\n{- hs -} -- c\n%% erl\n",
            "line without end\r",
            "crlf\r\nlines\r\n\r\n",
            "",
            "\n\n",
            "<script>alert(1)</script> \"><img src=x onerror=alert(2)>",
        ];
        let mut cases = Vec::new();
        let mut case = |text: String, language: Option<&'static Language>| {
            let (html, truncated) = numbered_lines(&text, language);
            cases.push(serde_json::json!({
                "text": text,
                "language": language.map(|l| l.name),
                "html": html,
                "truncated": truncated,
            }));
        };
        for language in std::iter::once(None).chain(LANGUAGES.iter().map(Some)) {
            for text in samples {
                case(text.to_owned(), language);
            }
        }
        let rust = language_for("rust");
        case("0123456789\n".repeat(10_001), rust);
        case(format!("a\n{}", "é".repeat(RENDER_MAX_BYTES)), rust);
        case(
            format!("{}\u{1F600}", "x".repeat(RENDER_MAX_BYTES - 2)),
            None,
        );
        // One long line of many tokens (minified code): linear time in both, same cut.
        case(
            "a=1;/*c*/\"s\" // x ".repeat(20_000),
            language_for("javascript"),
        );
        let mut names: Vec<String> = [
            "RS",
            " .py",
            "text",
            "",
            "klingon",
            "C++",
            "constructor",
            "__proto__",
            "toString",
        ]
        .into_iter()
        .map(str::to_owned)
        .collect();
        for l in LANGUAGES {
            names.push(l.name.to_owned());
            names.extend(l.aliases.iter().map(|a| (*a).to_owned()));
        }
        let aliases: Vec<_> = names
            .iter()
            .map(|n| serde_json::json!([n, language_for(n).map(|l| l.name)]))
            .collect();
        let input = serde_json::json!({
            "script": highlight_script(),
            "cases": cases,
            "aliases": aliases,
        });
        let file =
            std::env::temp_dir().join(format!("highlight-parity-{}.json", std::process::id()));
        std::fs::write(&file, input.to_string()).unwrap();
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/js/highlight_parity.mjs");
        let out = std::process::Command::new("node")
            .arg(script)
            .arg(&file)
            .output()
            .expect("node runs (the browser tests need it too)");
        let _ = std::fs::remove_file(&file);
        assert!(
            out.status.success(),
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    #[test]
    fn remaining_time_reads_naturally() {
        assert_eq!(remaining(UnixTime(0), UnixTime(1)), "in 1 second");
        assert_eq!(remaining(UnixTime(0), UnixTime(600)), "in 10 minutes");
        assert_eq!(remaining(UnixTime(0), UnixTime(7 * 86_400)), "in 7 days");
        assert_eq!(remaining(UnixTime(10), UnixTime(0)), "in 0 seconds");
        assert_eq!(remaining(UnixTime(5), UnixTime(7 * 86_400)), "in 7 days");
        assert_eq!(remaining(UnixTime(0), UnixTime(3599)), "in 1 hour");
        assert_eq!(remaining(UnixTime(0), UnixTime(3569)), "in 59 minutes");
        assert_eq!(remaining(UnixTime(0), UnixTime(86_399)), "in 1 day");
        assert_eq!(remaining(UnixTime(0), UnixTime(89)), "in 1 minute");
    }
}
