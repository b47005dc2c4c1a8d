/// A language the product knows how to label and highlight.
#[derive(Debug, PartialEq, Eq)]
pub struct Language {
    /// Canonical name, stored with the paste and returned by the API.
    pub name: &'static str,
    /// What a person reads in the page.
    pub display: &'static str,
    /// File extensions and aliases that select it (lower case).
    pub aliases: &'static [&'static str],
}

macro_rules! languages {
    ($(($name:literal, $display:literal, [$($alias:literal),*])),* $(,)?) => {
        &[$(Language { name: $name, display: $display, aliases: &[$($alias),*] }),*]
    };
}

/// The most common languages of pastes. Names are the highlighter's; unknown ones fall back to
/// plain text, never to an error, since clients routinely send `text` or their own labels.
pub const LANGUAGES: &[Language] = languages![
    (
        "bash",
        "Shell",
        ["sh", "shell", "zsh", "ksh", "bashrc", "zshrc"]
    ),
    ("c", "C", ["h"]),
    ("cpp", "C++", ["c++", "cc", "cxx", "hpp", "hh", "hxx"]),
    ("csharp", "C#", ["cs", "c#"]),
    ("css", "CSS", []),
    ("dart", "Dart", []),
    ("diff", "Diff", ["patch"]),
    ("dockerfile", "Dockerfile", ["docker"]),
    ("elixir", "Elixir", ["ex", "exs"]),
    ("erlang", "Erlang", ["erl", "hrl"]),
    ("go", "Go", ["golang"]),
    ("graphql", "GraphQL", ["gql"]),
    ("haskell", "Haskell", ["hs"]),
    ("ini", "INI", ["toml", "cfg", "conf"]),
    ("java", "Java", []),
    ("javascript", "JavaScript", ["js", "mjs", "cjs", "jsx"]),
    ("json", "JSON", ["jsonc"]),
    ("kotlin", "Kotlin", ["kt", "kts"]),
    ("lua", "Lua", []),
    ("makefile", "Makefile", ["make", "mk"]),
    ("markdown", "Markdown", ["md", "mkd"]),
    ("nginx", "Nginx", ["nginxconf"]),
    ("objectivec", "Objective-C", ["objc", "m", "mm"]),
    ("perl", "Perl", ["pl", "pm"]),
    ("php", "PHP", []),
    ("powershell", "PowerShell", ["ps1", "psm1", "pwsh"]),
    ("python", "Python", ["py", "pyw", "python3"]),
    ("r", "R", []),
    ("ruby", "Ruby", ["rb", "gemspec"]),
    ("rust", "Rust", ["rs"]),
    ("scala", "Scala", ["sc"]),
    ("scss", "SCSS", ["sass"]),
    ("sql", "SQL", ["psql", "mysql", "sqlite"]),
    ("swift", "Swift", []),
    ("typescript", "TypeScript", ["ts", "tsx", "mts", "cts"]),
    ("xml", "HTML/XML", ["html", "htm", "xhtml", "svg", "plist"]),
    ("yaml", "YAML", ["yml"]),
];

/// The language a client's `syntax` value (a name, alias or file extension) refers to, if any.
pub fn language_for(value: &str) -> Option<&'static Language> {
    let v = value.trim().trim_start_matches('.').to_ascii_lowercase();
    LANGUAGES
        .iter()
        .find(|l| l.name == v || l.aliases.contains(&v.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn names_extensions_and_aliases_select_a_language() {
        for (input, name) in [
            ("rust", "rust"),
            ("rs", "rust"),
            ("RS", "rust"),
            (".py", "python"),
            ("yml", "yaml"),
            ("c++", "cpp"),
            ("html", "xml"),
        ] {
            assert_eq!(language_for(input).map(|l| l.name), Some(name), "{input}");
        }
    }

    #[test]
    fn unknown_values_are_plain_text() {
        for input in [
            "text",
            "plain",
            "",
            "auto",
            "brainfuck",
            "<script>",
            "\"><img>",
        ] {
            assert_eq!(language_for(input), None, "{input}");
        }
    }

    #[test]
    fn every_alias_selects_exactly_one_language_and_names_are_safe_tokens() {
        let mut seen = HashSet::new();
        for l in LANGUAGES {
            assert!(l.name.bytes().all(|b| b.is_ascii_lowercase()), "{}", l.name);
            for key in std::iter::once(&l.name).chain(l.aliases) {
                assert!(seen.insert(*key), "{key} is listed twice");
            }
        }
        assert!(LANGUAGES.len() >= 30);
    }
}
