//! Server-side syntax highlighting: a small lexer per language family (comments, strings,
//! numbers, keywords, tags), producing escaped HTML with a fixed set of class names.
//!
//! Chosen over a client-side highlighter so the page needs no script to look right and the
//! functions ship no JavaScript bundle; chosen over a grammar engine (syntect, tree-sitter) for
//! cold start: the rules are static tables, so there is no initialisation at all, and the binary
//! grows by kilobytes, not megabytes. Pastes are shown, not compiled: approximate lexing of
//! the common constructs is what readers need.

use super::escape::escape_html;

/// How one language family is lexed.
pub struct Rules {
    keywords: &'static [&'static str],
    /// Literals shown apart from keywords (`true`, `null`, `None`).
    literals: &'static [&'static str],
    line_comments: &'static [&'static str],
    block_comment: Option<(&'static str, &'static str)>,
    quotes: &'static [char],
    /// Keywords match regardless of case (SQL).
    case_insensitive: bool,
    /// `<name` and `</name` are tags (HTML/XML).
    tags: bool,
    /// A line starting with `[` is a section header (INI/TOML).
    sections: bool,
    /// Whole lines by their first character (diffs).
    diff: bool,
    /// Lines starting with `#` are headings, `` ` `` spans are code (Markdown).
    markdown: bool,
    /// Words may contain `-` (CSS properties, tag names).
    dashed_words: bool,
}

const BASE: Rules = Rules {
    keywords: &[],
    literals: &[],
    line_comments: &[],
    block_comment: None,
    quotes: &['"', '\''],
    case_insensitive: false,
    tags: false,
    sections: false,
    diff: false,
    markdown: false,
    dashed_words: false,
};

const CSS_KEYWORDS: &[&str] = &[
    "important",
    "media",
    "import",
    "keyframes",
    "font-face",
    "supports",
    "mixin",
    "include",
    "extend",
    "use",
    "forward",
    "if",
    "else",
    "each",
    "return",
    "function",
];
const C_COMMENTS: Option<(&str, &str)> = Some(("/*", "*/"));
const C_LIKE_LITERALS: &[&str] = &[
    "true",
    "false",
    "null",
    "NULL",
    "nullptr",
    "undefined",
    "this",
    "self",
    "Self",
    "super",
];

macro_rules! rules {
    ($($field:ident : $value:expr),* $(,)?) => {{
        const RULES: Rules = Rules { $($field: $value,)* ..BASE };
        &RULES
    }};
}

/// The rules for a canonical language name (see `pastebin_core::LANGUAGES`).
pub fn rules_for(language: &str) -> Option<&'static Rules> {
    Some(match language {
        "bash" => {
            rules!(keywords: &["if", "then", "else", "elif", "fi", "for", "while", "until", "do", "done", "case", "esac", "in", "function", "return", "local", "export", "readonly", "set", "unset", "shift", "exit", "source", "echo", "cd", "trap", "exec", "eval", "select", "declare"], literals: &["true", "false"], line_comments: &["#"])
        }
        "c" | "cpp" | "objectivec" => {
            rules!(keywords: &["auto", "break", "case", "char", "const", "continue", "default", "do", "double", "else", "enum", "extern", "float", "for", "goto", "if", "inline", "int", "long", "register", "return", "short", "signed", "sizeof", "static", "struct", "switch", "typedef", "union", "unsigned", "void", "volatile", "while", "class", "namespace", "template", "typename", "public", "private", "protected", "virtual", "override", "new", "delete", "using", "try", "catch", "throw", "constexpr", "bool", "include", "define", "ifdef", "ifndef", "endif", "pragma", "interface", "implementation", "end", "property", "nonatomic", "strong", "weak", "id"], literals: &["true", "false", "NULL", "nullptr", "this", "nil", "YES", "NO", "self"], line_comments: &["//"], block_comment: C_COMMENTS)
        }
        "csharp" => {
            rules!(keywords: &["abstract", "as", "async", "await", "base", "bool", "break", "case", "catch", "class", "const", "continue", "default", "delegate", "do", "double", "else", "enum", "event", "explicit", "extern", "finally", "fixed", "float", "for", "foreach", "get", "if", "implicit", "in", "int", "interface", "internal", "is", "lock", "long", "namespace", "new", "object", "operator", "out", "override", "params", "private", "protected", "public", "readonly", "record", "ref", "return", "sealed", "set", "static", "string", "struct", "switch", "throw", "try", "typeof", "using", "var", "virtual", "void", "while", "yield"], literals: &["true", "false", "null", "this"], line_comments: &["//"], block_comment: C_COMMENTS)
        }
        "css" => rules!(keywords: CSS_KEYWORDS, block_comment: C_COMMENTS, dashed_words: true),
        "scss" => {
            rules!(keywords: CSS_KEYWORDS, line_comments: &["//"], block_comment: C_COMMENTS, dashed_words: true)
        }
        "dart" => {
            rules!(keywords: &["abstract", "as", "async", "await", "break", "case", "catch", "class", "const", "continue", "default", "do", "dynamic", "else", "enum", "extends", "final", "finally", "for", "if", "implements", "import", "in", "is", "late", "library", "mixin", "new", "required", "return", "static", "super", "switch", "throw", "try", "var", "void", "while", "with", "yield"], literals: C_LIKE_LITERALS, line_comments: &["//"], block_comment: C_COMMENTS)
        }
        "diff" => rules!(quotes: &[], diff: true),
        "dockerfile" => {
            rules!(keywords: &["FROM", "RUN", "CMD", "LABEL", "EXPOSE", "ENV", "ADD", "COPY", "ENTRYPOINT", "VOLUME", "USER", "WORKDIR", "ARG", "ONBUILD", "STOPSIGNAL", "HEALTHCHECK", "SHELL", "AS"], line_comments: &["#"])
        }
        "elixir" => {
            rules!(keywords: &["def", "defp", "defmodule", "defmacro", "defstruct", "do", "end", "fn", "if", "else", "unless", "case", "cond", "with", "for", "receive", "after", "try", "catch", "rescue", "raise", "import", "alias", "require", "use", "when", "in"], literals: &["true", "false", "nil"], line_comments: &["#"])
        }
        "erlang" => {
            rules!(keywords: &["after", "begin", "case", "catch", "end", "fun", "if", "of", "receive", "try", "when", "module", "export", "import", "define", "record", "spec", "andalso", "orelse", "not"], literals: &["true", "false", "undefined"], line_comments: &["%"])
        }
        "go" => {
            rules!(keywords: &["break", "case", "chan", "const", "continue", "default", "defer", "else", "fallthrough", "for", "func", "go", "goto", "if", "import", "interface", "map", "package", "range", "return", "select", "struct", "switch", "type", "var", "string", "int", "int64", "uint", "byte", "rune", "bool", "error", "float64", "any"], literals: &["true", "false", "nil", "iota"], line_comments: &["//"], block_comment: C_COMMENTS, quotes: &['"', '\'', '`'])
        }
        "graphql" => {
            rules!(keywords: &["query", "mutation", "subscription", "fragment", "on", "type", "input", "enum", "interface", "union", "scalar", "schema", "extend", "implements", "directive"], literals: &["true", "false", "null"], line_comments: &["#"])
        }
        "haskell" => {
            rules!(keywords: &["case", "class", "data", "deriving", "do", "else", "if", "import", "in", "infix", "instance", "let", "module", "newtype", "of", "then", "type", "where", "qualified", "as", "hiding"], literals: &["True", "False", "Nothing", "Just"], line_comments: &["--"], block_comment: Some(("{-", "-}")), quotes: &['"'])
        }
        "ini" => {
            rules!(literals: &["true", "false", "yes", "no", "on", "off"], line_comments: &["#", ";"], sections: true)
        }
        "java" | "kotlin" | "scala" => {
            rules!(keywords: &["abstract", "assert", "boolean", "break", "byte", "case", "catch", "char", "class", "const", "continue", "default", "do", "double", "else", "enum", "extends", "final", "finally", "float", "for", "if", "implements", "import", "instanceof", "int", "interface", "long", "native", "new", "package", "private", "protected", "public", "return", "short", "static", "super", "switch", "synchronized", "throw", "throws", "try", "var", "void", "volatile", "while", "record", "fun", "val", "when", "object", "companion", "data", "sealed", "override", "is", "in", "as", "def", "trait", "case", "match", "yield", "lazy", "implicit", "given", "using"], literals: &["true", "false", "null", "this", "None", "Nil", "Unit"], line_comments: &["//"], block_comment: C_COMMENTS)
        }
        "javascript" | "typescript" => {
            rules!(keywords: &["async", "await", "break", "case", "catch", "class", "const", "continue", "debugger", "default", "delete", "do", "else", "export", "extends", "finally", "for", "from", "function", "if", "import", "in", "instanceof", "let", "new", "of", "return", "static", "switch", "throw", "try", "typeof", "var", "void", "while", "with", "yield", "interface", "type", "enum", "implements", "private", "public", "protected", "readonly", "abstract", "declare", "namespace", "as", "keyof", "string", "number", "boolean", "any", "unknown", "never"], literals: C_LIKE_LITERALS, line_comments: &["//"], block_comment: C_COMMENTS, quotes: &['"', '\'', '`'])
        }
        "json" => rules!(literals: &["true", "false", "null"], quotes: &['"']),
        "lua" => {
            rules!(keywords: &["and", "break", "do", "else", "elseif", "end", "for", "function", "goto", "if", "in", "local", "not", "or", "repeat", "return", "then", "until", "while"], literals: &["true", "false", "nil", "self"], line_comments: &["--"])
        }
        "makefile" => {
            rules!(keywords: &["ifeq", "ifneq", "ifdef", "ifndef", "else", "endif", "include", "define", "endef", "export", "override", "PHONY"], line_comments: &["#"])
        }
        "markdown" => rules!(quotes: &[], markdown: true),
        "nginx" => {
            rules!(keywords: &["server", "location", "listen", "server_name", "root", "index", "return", "rewrite", "proxy_pass", "proxy_set_header", "upstream", "include", "http", "events", "if", "set", "try_files", "add_header", "ssl_certificate", "ssl_certificate_key"], literals: &["on", "off"], line_comments: &["#"])
        }
        "perl" => {
            rules!(keywords: &["my", "our", "local", "sub", "if", "elsif", "else", "unless", "while", "until", "for", "foreach", "return", "use", "package", "require", "last", "next", "redo", "die", "print", "eq", "ne", "lt", "gt", "and", "or", "not"], literals: &["undef"], line_comments: &["#"])
        }
        "php" => {
            rules!(keywords: &["abstract", "and", "array", "as", "break", "case", "catch", "class", "const", "continue", "declare", "default", "do", "echo", "else", "elseif", "enum", "extends", "final", "finally", "fn", "for", "foreach", "function", "global", "if", "implements", "include", "instanceof", "interface", "match", "namespace", "new", "or", "private", "protected", "public", "readonly", "require", "return", "static", "switch", "throw", "trait", "try", "use", "var", "while", "yield"], literals: &["true", "false", "null", "TRUE", "FALSE", "NULL", "this"], line_comments: &["//", "#"], block_comment: C_COMMENTS)
        }
        "powershell" => {
            rules!(keywords: &["begin", "break", "catch", "class", "continue", "data", "do", "else", "elseif", "end", "enum", "exit", "filter", "finally", "for", "foreach", "function", "if", "in", "param", "process", "return", "switch", "throw", "trap", "try", "until", "using", "while"], literals: &["$true", "$false", "$null"], line_comments: &["#"], block_comment: Some(("<#", "#>")), case_insensitive: true)
        }
        "python" => {
            rules!(keywords: &["and", "as", "assert", "async", "await", "break", "class", "continue", "def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import", "in", "is", "lambda", "match", "case", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while", "with", "yield", "print"], literals: &["True", "False", "None", "self", "cls"], line_comments: &["#"])
        }
        "r" => {
            rules!(keywords: &["if", "else", "repeat", "while", "function", "for", "in", "next", "break", "return", "library", "require"], literals: &["TRUE", "FALSE", "NULL", "NA", "Inf", "NaN", "T", "F"], line_comments: &["#"])
        }
        "ruby" => {
            rules!(keywords: &["alias", "and", "begin", "break", "case", "class", "def", "defined", "do", "else", "elsif", "end", "ensure", "for", "if", "in", "module", "next", "not", "or", "redo", "rescue", "retry", "return", "then", "undef", "unless", "until", "when", "while", "yield", "require", "attr_accessor", "attr_reader", "puts"], literals: &["true", "false", "nil", "self"], line_comments: &["#"])
        }
        "rust" => {
            rules!(keywords: &["as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern", "fn", "for", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return", "static", "struct", "trait", "type", "unsafe", "use", "where", "while", "yield", "u8", "u16", "u32", "u64", "u128", "usize", "i8", "i16", "i32", "i64", "i128", "isize", "f32", "f64", "bool", "char", "str", "String", "Vec", "Option", "Result", "Box"], literals: &["true", "false", "self", "Self", "super", "None", "Some", "Ok", "Err"], line_comments: &["//"], block_comment: C_COMMENTS, quotes: &['"'])
        }
        "sql" => {
            rules!(keywords: &["select", "from", "where", "and", "or", "not", "insert", "into", "values", "update", "set", "delete", "create", "table", "index", "view", "drop", "alter", "add", "column", "primary", "key", "foreign", "references", "join", "left", "right", "inner", "outer", "on", "group", "by", "order", "having", "limit", "offset", "as", "distinct", "union", "all", "case", "when", "then", "else", "end", "in", "is", "like", "between", "exists", "with", "returning", "begin", "commit", "rollback", "integer", "text", "varchar", "boolean", "unique", "default", "constraint", "if"], literals: &["null", "true", "false"], line_comments: &["--"], block_comment: C_COMMENTS, case_insensitive: true)
        }
        "swift" => {
            rules!(keywords: &["associatedtype", "break", "case", "catch", "class", "continue", "default", "defer", "do", "else", "enum", "extension", "fallthrough", "for", "func", "guard", "if", "import", "in", "init", "inout", "internal", "let", "private", "protocol", "public", "repeat", "return", "static", "struct", "subscript", "switch", "throw", "throws", "try", "var", "where", "while", "async", "await", "some", "any"], literals: &["true", "false", "nil", "self", "Self", "super"], line_comments: &["//"], block_comment: C_COMMENTS, quotes: &['"'])
        }
        "xml" => rules!(block_comment: Some(("<!--", "-->")), tags: true, dashed_words: true),
        "yaml" => {
            rules!(literals: &["true", "false", "null", "yes", "no", "on", "off", "~"], line_comments: &["#"])
        }
        _ => return None,
    })
}

/// Every language's rules, with the page limits and language names, as the script that the
/// browser's copy of this lexer (`assets/highlight.js`) reads: one set of tables for both.
pub fn rules_script(max_bytes: usize, max_lines: usize) -> String {
    let mut languages = serde_json::Map::new();
    let mut aliases = serde_json::Map::new();
    let mut display = serde_json::Map::new();
    let mut extensions = serde_json::Map::new();
    for l in pastebin_core::LANGUAGES {
        for alias in std::iter::once(&l.name).chain(l.aliases) {
            aliases
                .entry(*alias)
                .or_insert_with(|| serde_json::Value::from(l.name));
        }
        display.insert(l.name.to_owned(), l.display.into());
        extensions.insert(l.name.to_owned(), super::pages::extension(l).into());
        let Some(r) = rules_for(l.name) else { continue };
        languages.insert(
            l.name.to_owned(),
            serde_json::json!({
                "keywords": r.keywords,
                "literals": r.literals,
                "line_comments": r.line_comments,
                "block_comment": r.block_comment.map(|(open, close)| [open, close]),
                "quotes": r.quotes.iter().map(char::to_string).collect::<Vec<_>>(),
                "case_insensitive": r.case_insensitive,
                "tags": r.tags,
                "sections": r.sections,
                "diff": r.diff,
                "markdown": r.markdown,
                "dashed_words": r.dashed_words,
            }),
        );
    }
    let tables = serde_json::json!({
        "languages": languages,
        "aliases": aliases,
        "display": display,
        "extensions": extensions,
        "max_bytes": max_bytes,
        "max_lines": max_lines,
    });
    format!("self.PastebinHighlightRules = {tables};\n")
}

/// Lexer state carried from one line to the next (an open block comment).
#[derive(Default)]
pub struct State {
    in_block_comment: bool,
}

fn span(out: &mut String, class: &str, text: &str) {
    if text.is_empty() {
        return;
    }
    out.push_str("<span class=\"");
    out.push_str(class);
    out.push_str("\">");
    out.push_str(&escape_html(text));
    out.push_str("</span>");
}

fn is_ident_start(c: char) -> bool {
    c.is_alphabetic() || c == '_' || c == '$'
}

fn is_ident(c: char, dashed: bool) -> bool {
    c.is_alphanumeric() || c == '_' || c == '$' || (dashed && c == '-')
}

/// One line of text as escaped HTML with highlighting spans.
pub fn highlight_line(line: &str, rules: &Rules, state: &mut State) -> String {
    let mut out = String::with_capacity(line.len() * 2);
    if rules.diff {
        let class = match line.as_bytes().first() {
            Some(b'+') => "hl-ins",
            Some(b'-') => "hl-del",
            Some(b'@') => "hl-meta",
            _ => return escape_html(line),
        };
        span(&mut out, class, line);
        return out;
    }
    if rules.markdown && line.starts_with('#') {
        span(&mut out, "hl-k", line);
        return out;
    }
    if rules.sections && line.trim_start().starts_with('[') {
        span(&mut out, "hl-k", line);
        return out;
    }
    let mut rest = line;
    while !rest.is_empty() {
        if state.in_block_comment {
            let (_, close) = rules.block_comment.unwrap_or(("", ""));
            match rest.find(close).filter(|_| !close.is_empty()) {
                Some(end) => {
                    span(&mut out, "hl-c", &rest[..end + close.len()]);
                    rest = &rest[end + close.len()..];
                    state.in_block_comment = false;
                }
                None => {
                    span(&mut out, "hl-c", rest);
                    rest = "";
                }
            }
            continue;
        }
        if let Some(open) = rules
            .block_comment
            .map(|(open, _)| open)
            .filter(|open| rest.starts_with(open))
        {
            span(&mut out, "hl-c", open);
            rest = &rest[open.len()..];
            state.in_block_comment = true;
            continue;
        }
        if rules.line_comments.iter().any(|c| rest.starts_with(c)) {
            span(&mut out, "hl-c", rest);
            break;
        }
        let Some(c) = rest.chars().next() else { break };
        if rules.markdown && c == '`' {
            let end = rest[1..].find('`').map_or(rest.len(), |e| e + 2);
            span(&mut out, "hl-s", &rest[..end]);
            rest = &rest[end..];
            continue;
        }
        if rules.quotes.contains(&c) {
            let end = string_end(rest, c);
            span(&mut out, "hl-s", &rest[..end]);
            rest = &rest[end..];
            continue;
        }
        if rules.tags && c == '<' {
            let name_start = if rest[1..].starts_with('/') { 2 } else { 1 };
            let name_len = rest[name_start..]
                .find(|ch: char| {
                    !(ch.is_alphanumeric() || matches!(ch, '-' | ':' | '_' | '!' | '?'))
                })
                .unwrap_or(rest.len() - name_start);
            if name_len > 0 {
                out.push_str(&escape_html(&rest[..name_start]));
                span(&mut out, "hl-k", &rest[name_start..name_start + name_len]);
                rest = &rest[name_start + name_len..];
                continue;
            }
        }
        if c.is_ascii_digit() {
            let end = rest
                .find(|ch: char| !(ch.is_ascii_alphanumeric() || ch == '.' || ch == '_'))
                .unwrap_or(rest.len());
            span(&mut out, "hl-n", &rest[..end]);
            rest = &rest[end..];
            continue;
        }
        if is_ident_start(c) {
            let end = rest
                .find(|ch: char| !is_ident(ch, rules.dashed_words))
                .unwrap_or(rest.len());
            // A trailing '-' belongs to an operator, not the word.
            let word = rest[..end].trim_end_matches('-');
            let matches = |list: &[&str]| {
                if rules.case_insensitive {
                    list.iter().any(|k| k.eq_ignore_ascii_case(word))
                } else {
                    list.contains(&word)
                }
            };
            if matches(rules.keywords) {
                span(&mut out, "hl-k", word);
            } else if matches(rules.literals) {
                span(&mut out, "hl-l", word);
            } else {
                out.push_str(&escape_html(word));
            }
            rest = &rest[word.len()..];
            continue;
        }
        let len = c.len_utf8();
        out.push_str(&escape_html(&rest[..len]));
        rest = &rest[len..];
    }
    out
}

/// Byte length of the string literal at the start of `s` (to its closing quote, honouring
/// backslash escapes; to the end of the line if unclosed).
fn string_end(s: &str, quote: char) -> usize {
    let mut escaped = false;
    for (i, c) in s.char_indices().skip(1) {
        if escaped {
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        } else if c == quote {
            return i + c.len_utf8();
        }
    }
    s.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use pastebin_core::LANGUAGES;

    fn lines(language: &str, text: &str) -> Vec<String> {
        let rules = rules_for(language).unwrap();
        let mut state = State::default();
        text.lines()
            .map(|l| highlight_line(l, rules, &mut state))
            .collect()
    }

    #[test]
    fn every_known_language_has_rules() {
        for l in LANGUAGES {
            assert!(rules_for(l.name).is_some(), "{}", l.name);
        }
        assert!(rules_for("klingon").is_none());
    }

    #[test]
    fn keywords_strings_numbers_and_comments_get_their_classes() {
        let out = lines(
            "rust",
            "fn main() { let x = \"hi \\\" there\"; 42 } // done",
        );
        assert_eq!(
            out[0],
            "<span class=\"hl-k\">fn</span> main() { <span class=\"hl-k\">let</span> x = \
             <span class=\"hl-s\">&quot;hi \\&quot; there&quot;</span>; <span class=\"hl-n\">42</span> } \
             <span class=\"hl-c\">// done</span>"
        );
    }

    #[test]
    fn block_comments_span_lines() {
        let out = lines("c", "a /* one\ntwo */ b");
        assert_eq!(
            out[0],
            "a <span class=\"hl-c\">/*</span><span class=\"hl-c\"> one</span>"
        );
        assert_eq!(out[1], "<span class=\"hl-c\">two */</span> b");
    }

    #[test]
    fn everything_is_escaped_whatever_the_language() {
        let evil = "<script>alert(1)</script> \"><img src=x onerror=alert(2)> </textarea>";
        for l in LANGUAGES {
            let out = lines(l.name, evil).join("\n");
            assert!(
                !out.contains("<script") && !out.contains("<img") && !out.contains("</textarea"),
                "{}: {out}",
                l.name
            );
        }
    }

    #[test]
    fn the_output_text_is_the_input_text() {
        let text = "let s = 'a' + \"b\"; /* c */ // d\n<div class=\"x\">1.5e3</div>\n+added\n";
        for l in LANGUAGES {
            for (line, html) in text.lines().zip(lines(l.name, text)) {
                let stripped = strip_tags(&html)
                    .replace("&lt;", "<")
                    .replace("&gt;", ">")
                    .replace("&quot;", "\"")
                    .replace("&#39;", "'")
                    .replace("&amp;", "&");
                assert_eq!(stripped, line, "{}", l.name);
            }
        }
    }

    fn strip_tags(html: &str) -> String {
        let mut out = String::new();
        let mut in_tag = false;
        for c in html.chars() {
            match c {
                '<' => in_tag = true,
                '>' => in_tag = false,
                c if !in_tag => out.push(c),
                _ => {}
            }
        }
        out
    }

    #[test]
    fn sql_keywords_ignore_case_and_markup_tags_are_marked() {
        assert!(lines("sql", "SELECT 1")[0].starts_with("<span class=\"hl-k\">SELECT</span>"));
        assert_eq!(
            lines("xml", "<a href=\"x\">")[0],
            "&lt;<span class=\"hl-k\">a</span> href=<span class=\"hl-s\">&quot;x&quot;</span>&gt;"
        );
        assert_eq!(
            lines("diff", "+new")[0],
            "<span class=\"hl-ins\">+new</span>"
        );
    }
}
