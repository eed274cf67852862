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

/// Trims and collapses inner whitespace.
pub fn clean(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    #[test]
    fn folds_swedish() {
        assert_eq!(super::fold("Undersköterska Åsa Ärlig"), "underskoterska asa arlig");
    }
}
