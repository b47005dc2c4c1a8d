//! Server-rendered pages. Every value that did not come from this file goes through
//! [`escape_html`]; nothing from a paste is ever used as markup, an attribute name or a class.

use std::fmt::Write;

use pastebin_core::{Id, LANGUAGES, Paste, UnixTime, language_for};

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
         <title>{}</title><link rel=\"stylesheet\" href=\"/assets/style.css\"></head>\
         <body><header><a class=\"brand\" href=\"/\">pastebin</a></header><main>{body}</main></body></html>\n",
        escape_html(title)
    )
}

/// The expiry choices offered by the form, longest last; the default is selected.
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
        let _ = write!(
            languages,
            "<option value=\"{}\">{}</option>",
            l.name,
            escape_html(l.display)
        );
    }
    page(
        "New paste",
        &format!(
            "<form class=\"create\" method=\"post\" action=\"/\" enctype=\"multipart/form-data\">\
             <textarea name=\"content\" required autofocus spellcheck=\"false\" placeholder=\"Paste text here\"></textarea>\
             <div class=\"options\">\
             <label>Title <input name=\"title\" maxlength=\"200\"></label>\
             <label>Language <select name=\"syntax\">{languages}</select></label>\
             <label>Expires in <select name=\"expires_in\">{expiry}</select></label>\
             <label><input type=\"checkbox\" name=\"burn_after_reading\" value=\"1\"> Burn after reading</label>\
             <button type=\"submit\">Create paste</button></div></form>"
        ),
    )
}

/// The paste page. `ext_syntax` comes from `/{id}.{ext}` and overrides the stored language.
pub fn paste_page(paste: &Paste, ext_syntax: Option<&str>, now: UnixTime) -> String {
    let language = ext_syntax
        .and_then(language_for)
        .or_else(|| paste.syntax.as_deref().and_then(language_for));
    let title = paste
        .title
        .clone()
        .unwrap_or_else(|| format!("Paste {}", paste.id));
    let class = language
        .map(|l| format!(" class=\"language-{}\"", l.name))
        .unwrap_or_default();
    let mut lines = String::new();
    for (n, line) in paste.content.lines().enumerate() {
        let n = n + 1;
        let _ = write!(
            lines,
            "<span class=\"line\" id=\"L{n}\"><a class=\"ln\" href=\"#L{n}\">{n}</a>{}</span>",
            escape_html(line)
        );
    }
    page(
        &title,
        &format!(
            "<article><h1>{}</h1><p class=\"meta\">{} bytes · {} · created {} · expires {} ({})</p>\
             <nav><a href=\"/raw/{id}\">raw</a></nav>\
             <pre><code{class}>{lines}</code></pre></article>",
            escape_html(&title),
            paste.size(),
            language.map_or("plain text", |l| l.display),
            paste.created_at,
            paste.expires_at,
            remaining(now, paste.expires_at),
            id = paste.id,
        ),
    )
}

/// Shown instead of a burn-after-reading paste: revealing it is an explicit POST.
pub fn burn_page(id: &Id, expires_at: UnixTime, now: UnixTime) -> String {
    page(
        "Burn after reading",
        &format!(
            "<article class=\"burn\"><h1>This paste will be deleted once it is read</h1>\
             <p>Only one person can ever see it. If you reveal it now, the link stops working.</p>\
             <p class=\"meta\">Unless revealed, it expires {expires_at} ({}).</p>\
             <form method=\"post\" action=\"/{id}/reveal\"><button type=\"submit\">Reveal and delete</button></form></article>",
            remaining(now, expires_at)
        ),
    )
}

pub fn error_page(status: u16, message: &str) -> String {
    page(
        &format!("Error {status}"),
        &format!(
            "<article class=\"error\"><h1>{status}</h1><p>{}</p><p><a href=\"/\">New paste</a></p></article>",
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

#[cfg(test)]
mod tests {
    use super::*;
    use pastebin_core::{DeleteToken, Id};

    fn paste(content: &str, title: Option<&str>, syntax: Option<&str>) -> Paste {
        Paste {
            id: Id::generate(),
            content: content.to_owned(),
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
        );
        assert!(!html.contains("<script>alert"));
        assert!(!html.contains("<img"));
        assert!(!html.contains("<b>title"));
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    }

    #[test]
    fn languages_come_from_the_extension_first_and_are_never_echoed_raw() {
        let p = paste("fn main() {}", None, Some("python"));
        assert!(paste_page(&p, Some("rs"), UnixTime(0)).contains("class=\"language-rust\""));
        assert!(paste_page(&p, None, UnixTime(0)).contains("class=\"language-python\""));
        assert!(
            paste_page(&p, Some("\"onload=x"), UnixTime(0)).contains("class=\"language-python\"")
        );
    }

    #[test]
    fn lines_are_numbered_with_anchors() {
        let html = paste_page(&paste("a\nb\nc", None, None), None, UnixTime(0));
        assert!(html.contains("id=\"L3\"") && html.contains("href=\"#L3\""));
        assert!(!html.contains("id=\"L4\""));
    }

    #[test]
    fn remaining_time_reads_naturally() {
        assert_eq!(remaining(UnixTime(0), UnixTime(1)), "in 1 second");
        assert_eq!(remaining(UnixTime(0), UnixTime(600)), "in 10 minutes");
        assert_eq!(remaining(UnixTime(0), UnixTime(7 * 86_400)), "in 7 days");
        assert_eq!(remaining(UnixTime(10), UnixTime(0)), "in 0 seconds");
    }
}
