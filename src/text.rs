//! Small text helpers shared by validation, the vocabulary and the search index.

/// Lowercases and folds Swedish and other Latin accents (`Undersköterska` → `underskoterska`),
/// so a query typed without å/ä/ö still matches.
pub fn fold(s: &str) -> String {
    s.chars()
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'å' | 'ä' | 'à' | 'á' | 'â' | 'ã' => 'a',
            'ö' | 'ø' | 'ò' | 'ó' | 'ô' | 'õ' => 'o',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'ü' | 'ú' | 'ù' | 'û' => 'u',
            'í' | 'ì' | 'î' | 'ï' => 'i',
            'ç' => 'c',
            'ñ' => 'n',
            c => c,
        })
        .collect()
}

/// The first character a submitted text may not hold: a control character (NUL, escape…;
/// newline, carriage return and tab are allowed in free text only) or a bidirectional
/// override or isolate, which can make a name read differently from what is stored.
pub fn forbidden_char(s: &str, free_text: bool) -> Option<char> {
    s.chars().find(|&c| forbidden(c, free_text))
}

pub fn forbidden(c: char, free_text: bool) -> bool {
    match c {
        '\n' | '\r' | '\t' => !free_text,
        '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' => true,
        c => c.is_control(),
    }
}

/// Whether a URL's path or query carries a percent-encoded control character (`%00`, `%0A`,
/// `%7F`…): such an address is refused before any handler sees it.
pub fn has_encoded_control(s: &str) -> bool {
    let b = s.as_bytes();
    b.iter().any(|c| c.is_ascii_control())
        || b.windows(3).any(|w| {
            w[0] == b'%'
                && std::str::from_utf8(&w[1..])
                    .ok()
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                    .is_some_and(|v| v < 0x20 || v == 0x7f)
        })
}

/// Whether `next` is a path on this site that is safe to redirect to: it starts with one `/`
/// (not `//` or `/\`, which browsers read as another host), and holds only printable ASCII
/// without backslashes or encoded control characters (a tab in `/%09/evil.example` is dropped
/// by browsers, leaving `//evil.example`).
pub fn is_local_path(next: &str) -> bool {
    next.starts_with('/')
        && !next.starts_with("//")
        && next.bytes().all(|b| b.is_ascii_graphic() && b != b'\\')
        && !has_encoded_control(next)
        && !next.to_ascii_lowercase().contains("%2f%2f")
        && !next[1..].starts_with("%2f")
        && !next[1..].starts_with("%2F")
        && !next[1..].starts_with("%5c")
        && !next[1..].starts_with("%5C")
}

/// Percent-encodes for a URL path segment or query value.
pub fn urlencode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Trims and collapses inner whitespace.
pub fn clean(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A plausible e-mail address: something@domain.tld, no spaces, at most 254 characters.
pub fn valid_email(e: &str) -> bool {
    let Some((local, domain)) = e.split_once('@') else { return false };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !e.chars().any(char::is_whitespace)
        && e.len() <= 254
}

#[cfg(test)]
mod tests {
    #[test]
    fn control_characters_and_overrides_are_found() {
        use super::forbidden_char;
        assert_eq!(forbidden_char("Åsa Öberg", false), None);
        assert_eq!(forbidden_char("rad ett\nrad två\tslut", true), None);
        assert_eq!(forbidden_char("Åsa\nÖberg", false), Some('\n'));
        assert_eq!(forbidden_char("A\u{0}B", true), Some('\u{0}'));
        assert_eq!(forbidden_char("abc\u{202E}fdp.exe", true), Some('\u{202E}'));
        assert_eq!(forbidden_char("x\u{1b}[31m", true), Some('\u{1b}'));
    }

    #[test]
    fn only_local_paths_are_safe_to_redirect_to() {
        use super::is_local_path;
        for ok in ["/", "/seekers/abc?offset=20", "/reports/monthly?month=2026-11&unit=Jobbcenter%20Trelleborg"] {
            assert!(is_local_path(ok), "{ok}");
        }
        for bad in [
            "//evil.example",
            "/%09/evil.example",
            "/\\evil.example",
            "https://evil.example",
            "/%2F%2Fevil.example",
            "/%5cevil.example",
            "/a\nLocation: x",
            "/a%0d%0aSet-Cookie:x",
            "",
            "evil",
        ] {
            assert!(!is_local_path(bad), "{bad:?}");
        }
    }

    #[test]
    fn folds_swedish() {
        assert_eq!(super::fold("Undersköterska Åsa Ärlig"), "underskoterska asa arlig");
    }
}
