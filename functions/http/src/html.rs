//! Server-rendered pages. Every value that did not come from this file goes through
//! [`escape_html`] (or the highlighter, which escapes too); nothing from a paste is ever used as
//! markup, an attribute name or a class. The pages work without JavaScript; `assets/app.js`
//! adds conveniences.

use std::fmt::Write;

use pastebin_core::{Id, LANGUAGES, Language, Paste, UnixTime, language_for};

use crate::assets;
use crate::highlight::{State, highlight_line, rules_for};

/// Escapes text for use in element content and in double- or single-quoted attributes.
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn page(title: &str, body: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <meta name=\"color-scheme\" content=\"light dark\">\
         <title>{} · pastebin</title><link rel=\"stylesheet\" href=\"{}\">\
         <script src=\"{}\" defer></script></head>\
         <body><header><a class=\"brand\" href=\"/\">pastebin</a>\
         <a class=\"new button\" href=\"/\">New paste</a></header><main>{body}</main></body></html>\n",
        escape_html(title),
        assets::path("style.css"),
        assets::path("app.js"),
    )
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

pub fn create_page() -> String {
    let mut expiry = String::new();
    for (value, label) in EXPIRY_CHOICES {
        let selected = if *value == "7d" { " selected" } else { "" };
        let _ = write!(
            expiry,
            "<option value=\"{value}\"{selected}>{label}</option>"
        );
    }
    let mut languages = String::from("<option value=\"\">auto / plain text</option>");
    for l in LANGUAGES {
        let exts = std::iter::once(l.name)
            .chain(l.aliases.iter().copied())
            .collect::<Vec<_>>()
            .join(" ");
        let _ = write!(
            languages,
            "<option value=\"{}\" data-ext=\"{}\">{}</option>",
            l.name,
            escape_html(&exts),
            escape_html(l.display)
        );
    }
    page(
        "New paste",
        &format!(
            "<form class=\"create\" method=\"post\" action=\"/\" enctype=\"multipart/form-data\">\
             <textarea name=\"content\" required autofocus spellcheck=\"false\" aria-label=\"Paste\" \
             placeholder=\"Paste or drop a file here\"></textarea>\
             <div class=\"options\">\
             <label>Title <input type=\"text\" name=\"title\" maxlength=\"200\"></label>\
             <label>Language <select name=\"syntax\">{languages}</select></label>\
             <label>Expires in <select name=\"expires_in\">{expiry}</select></label>\
             <label><input type=\"checkbox\" name=\"burn_after_reading\" value=\"1\"> Burn after reading</label>\
             <button type=\"submit\" class=\"primary\">Create paste</button>\
             <span class=\"hint\">Ctrl+Enter</span><span class=\"status\" role=\"status\" aria-live=\"polite\"></span>\
             </div></form>"
        ),
    )
}

/// The language to show a paste in: `/{id}.{ext}` first, then the one stored with it.
fn language_of(paste: &Paste, ext: Option<&str>) -> Option<&'static Language> {
    ext.and_then(language_for)
        .or_else(|| paste.syntax.as_deref().and_then(language_for))
}

/// The paste page. `revealed`: a burn-after-reading paste being shown once, which no longer
/// exists on the server (copy then works from the page itself).
pub fn paste_page(
    paste: &Paste,
    ext_syntax: Option<&str>,
    now: UnixTime,
    revealed: bool,
) -> String {
    let language = language_of(paste, ext_syntax);
    let title = paste
        .title
        .clone()
        .unwrap_or_else(|| format!("Paste {}", paste.id));
    let class = language
        .map(|l| format!(" class=\"language-{}\"", l.name))
        .unwrap_or_default();
    let rules = language.and_then(|l| rules_for(l.name));
    let mut state = State::default();
    let mut lines = String::with_capacity(paste.content.len().min(RENDER_MAX_BYTES) * 3);
    let mut rendered = 0;
    let mut truncated = false;
    for (n, mut line) in paste.content.lines().enumerate() {
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
    let id = &paste.id;
    let (expiry, actions) = if revealed {
        (
            "deleted now that it has been read".to_owned(),
            String::new(),
        )
    } else {
        (
            format!(
                "expires {} ({})",
                remaining(now, paste.expires_at),
                paste.expires_at
            ),
            format!(
                "<a class=\"button\" href=\"/raw/{id}\">Raw</a>\
                 <a class=\"button\" href=\"/raw/{id}?download=1\" download>Download</a>"
            ),
        )
    };
    page(
        &title,
        &format!(
            "<article class=\"paste\" data-id=\"{id}\"{burned}><h1>{}</h1>\
             <p class=\"meta\">{} · {} · created {} · {expiry}</p>\
             <div class=\"toolbar\">{actions}<button type=\"button\" class=\"copy\" hidden>Copy</button>\
             <button type=\"button\" class=\"delete\" hidden>Delete</button></div>\
             <pre class=\"code\"><code{class}>{lines}</code></pre>{notice}</article>",
            escape_html(&title),
            human_size(paste.size()),
            language.map_or("plain text", |l| l.display),
            paste.created_at,
            burned = if revealed { " data-burned=\"1\"" } else { "" },
            notice = match (truncated, revealed) {
                (false, _) => String::new(),
                (true, false) => format!("<p class=\"notice\">Only the beginning is shown here. <a href=\"/raw/{id}\">View the whole paste as text</a>.</p>"),
                (true, true) => "<p class=\"notice\">Only the beginning is shown here, and this paste is now deleted.</p>".to_owned(),
            },
        ),
    )
}

/// Shown instead of a burn-after-reading paste: revealing it is an explicit POST.
pub fn burn_page(id: &Id, expires_at: UnixTime, now: UnixTime) -> String {
    page(
        "Burn after reading",
        &format!(
            "<article class=\"burn\"><h1>This paste will be deleted once it is read</h1>\
             <p>Only one person can ever see it. Revealing it now deletes it: the link stops working.</p>\
             <p class=\"meta\">Unless revealed, it expires {} ({expires_at}).</p>\
             <form method=\"post\" action=\"/{id}/reveal\"><button type=\"submit\" class=\"primary\">Reveal and delete</button></form></article>",
            remaining(now, expires_at)
        ),
    )
}

pub fn error_page(status: u16, message: &str) -> String {
    page(
        &format!("Error {status}"),
        &format!(
            "<article class=\"error-page\"><h1>{status}</h1><p>{}</p><p><a href=\"/\">New paste</a></p></article>",
            escape_html(message)
        ),
    )
}

/// "in 3 days", "in 5 minutes".
fn remaining(now: UnixTime, at: UnixTime) -> String {
    let s = now.until(at);
    let (n, unit) = match s {
        0..60 => (s, "second"),
        60..3600 => (s / 60, "minute"),
        3600..86_400 => (s / 3600, "hour"),
        _ => (s / 86_400, "day"),
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
    let ext = language_of(paste, None)
        .and_then(|l| l.aliases.first().copied().filter(|a| a.len() <= 4))
        .or(language_of(paste, None).map(|l| l.name))
        .unwrap_or("txt");
    format!("{}.{ext}", paste.id)
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
            created_at: UnixTime(0),
            expires_at: UnixTime(7200),
            delete_token_hash: DeleteToken::generate().hash(),
        }
    }

    #[test]
    fn escaping_covers_markup_and_both_quotes() {
        assert_eq!(
            escape_html(r#"<a href="x" onclick='y'>&</a>"#),
            "&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&lt;/a&gt;"
        );
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
        assert!(html.contains(&format!("href=\"{}\"", crate::assets::path("style.css"))));
        assert!(html.contains(&format!("src=\"{}\"", crate::assets::path("app.js"))));
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
    fn remaining_time_reads_naturally() {
        assert_eq!(remaining(UnixTime(0), UnixTime(1)), "in 1 second");
        assert_eq!(remaining(UnixTime(0), UnixTime(600)), "in 10 minutes");
        assert_eq!(remaining(UnixTime(0), UnixTime(7 * 86_400)), "in 7 days");
        assert_eq!(remaining(UnixTime(10), UnixTime(0)), "in 0 seconds");
    }
}
