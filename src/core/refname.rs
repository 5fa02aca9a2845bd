//! Reference names: what makes one valid, and proposing one from a file name or URL.

use super::capabilities::REF_NAME_MAX_BYTES;
use super::mentions::is_name_char;
use super::text::Localized;
use crate::loc;

/// Why a name cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NameProblem {
    Empty,
    TooLong {
        bytes: usize,
    },
    Whitespace,
    At,
    /// Punctuation, symbols or control characters (the first one found).
    Punctuation(char),
}

impl NameProblem {
    /// A stable identifier for tests, logs and the UI.
    pub fn code(&self) -> &'static str {
        match self {
            NameProblem::Empty => "ref.name.empty",
            NameProblem::TooLong { .. } => "ref.name.too_long",
            NameProblem::Whitespace => "ref.name.whitespace",
            NameProblem::At => "ref.name.at_sign",
            NameProblem::Punctuation(_) => "ref.name.punctuation",
        }
    }

    /// Why, and what to do, in both languages.
    pub fn describe(&self) -> Localized {
        match self {
            NameProblem::Empty => loc!("name-empty"),
            NameProblem::TooLong { bytes } => {
                loc!("name-too-long", bytes = *bytes, max = REF_NAME_MAX_BYTES)
            }
            NameProblem::Whitespace => loc!("name-whitespace"),
            NameProblem::At => loc!("name-at-sign"),
            NameProblem::Punctuation(c) => loc!("name-punctuation", char = c.to_string()),
        }
    }
}

/// Checks a reference name against the service's rules.
pub fn check_name(name: &str) -> Result<(), NameProblem> {
    if name.is_empty() {
        return Err(NameProblem::Empty);
    }
    if let Some(c) = name.chars().find(|c| !is_name_char(*c)) {
        return Err(if c.is_whitespace() {
            NameProblem::Whitespace
        } else if c == '@' {
            NameProblem::At
        } else {
            NameProblem::Punctuation(c)
        });
    }
    if name.len() > REF_NAME_MAX_BYTES {
        return Err(NameProblem::TooLong { bytes: name.len() });
    }
    Ok(())
}

/// Proposes a valid name from a file name, path or URL that differs
/// (ignoring case) from every name in `taken`.
///
/// `IMG_2041.JPG` → `img_2041`; `咖啡厅 背景.png` → `咖啡厅背景`; a clash gets `_2`, `_3`….
pub fn propose<S: AsRef<str>>(source: &str, taken: &[S]) -> String {
    let base = base_name(source);
    let mut name = String::new();
    let mut pending_separator = false;
    for c in base.chars().flat_map(char::to_lowercase) {
        if is_name_char(c) {
            // Keep a separator only between two ASCII letters or digits, where
            // dropping it would glue two words together.
            if pending_separator
                && c.is_ascii_alphanumeric()
                && name
                    .chars()
                    .last()
                    .is_some_and(|p| p.is_ascii_alphanumeric())
            {
                name.push('_');
            }
            pending_separator = false;
            name.push(c);
        } else {
            pending_separator = true;
        }
    }
    let name = name.trim_matches('_');
    let name = if name.is_empty() { "image" } else { name };
    unique(name, taken)
}

/// `name`, or `name_2`, `name_3`… so that it clashes with nothing in `taken`.
pub fn unique<S: AsRef<str>>(name: &str, taken: &[S]) -> String {
    let clashes = |candidate: &str| {
        taken
            .iter()
            .any(|t| t.as_ref().to_lowercase() == candidate.to_lowercase())
    };
    let first = truncate(name, REF_NAME_MAX_BYTES);
    if !clashes(first) {
        return first.to_string();
    }
    (2..)
        .map(|n| {
            let suffix = format!("_{n}");
            format!(
                "{}{suffix}",
                truncate(name, REF_NAME_MAX_BYTES - suffix.len())
            )
        })
        .find(|candidate| !clashes(candidate))
        .unwrap_or_default()
}

/// The last path segment without its extension, percent-decoded for URLs.
fn base_name(source: &str) -> String {
    let without_query = source.split(['?', '#']).next().unwrap_or(source);
    let is_url = source.contains("://");
    let segment = without_query
        .trim_end_matches(['/', '\\'])
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or(without_query);
    let decoded = if is_url {
        percent_decode(segment)
    } else {
        segment.to_string()
    };
    match decoded.rsplit_once('.') {
        Some((stem, _ext)) if !stem.is_empty() => stem.to_string(),
        _ => decoded,
    }
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (bytes[i], bytes.get(i + 1), bytes.get(i + 2)) {
            (b'%', Some(&h), Some(&l)) if hex(h).is_some() && hex(l).is_some() => {
                out.push((hex(h).unwrap_or(0) * 16 + hex(l).unwrap_or(0)) as u8);
                i += 3;
            }
            (b'+', _, _) => {
                out.push(b' ');
                i += 1;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The longest prefix of `text` of at most `max` bytes ending on a char boundary.
pub fn truncate(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    const NONE: [&str; 0] = [];

    #[test]
    fn proposes_names_from_file_names() {
        assert_eq!(propose("IMG_2041.JPG", &NONE), "img_2041");
        assert_eq!(propose("咖啡厅 背景.png", &NONE), "咖啡厅背景");
        assert_eq!(propose("/home/ann/Pictures/My Cat.webp", &NONE), "my_cat");
        assert_eq!(
            propose("C:\\photos\\hero-shot (1).jpg", &NONE),
            "hero_shot_1"
        );
        assert_eq!(propose(".png", &NONE), "png");
        assert_eq!(propose("!!!.png", &NONE), "image");
        assert_eq!(propose("archive.tar.gz", &NONE), "archive_tar");
    }

    #[test]
    fn proposes_names_from_urls() {
        assert_eq!(
            propose(
                "https://example.com/img/%E5%92%96%E5%95%A1.jpg?x=1#y",
                &NONE
            ),
            "咖啡"
        );
        assert_eq!(propose("https://example.com/cafe.jpg", &NONE), "cafe");
        assert_eq!(propose("https://example.com/", &NONE), "example");
    }

    #[test]
    fn long_names_are_cut_on_a_char_boundary() {
        let name = propose("一二三四五六七八九十十一十二.png", &NONE);
        assert_eq!(name, "一二三四五六七八九十");
        assert!(name.len() <= REF_NAME_MAX_BYTES);
        assert_eq!(check_name(&name), Ok(()));
    }

    #[test]
    fn clashes_get_numbered_suffixes_within_the_limit() {
        assert_eq!(propose("cat.png", &["cat"]), "cat_2");
        assert_eq!(propose("Cat.png", &["cat", "cat_2"]), "cat_3");
        let long = "一二三四五六七八九十";
        let name = propose(&format!("{long}.png"), &[long]);
        assert_eq!(name, "一二三四五六七八九_2");
        assert!(name.len() <= REF_NAME_MAX_BYTES);
    }

    #[test]
    fn every_proposal_is_valid() {
        for source in [
            "a b c.png",
            "ü.jpg",
            "日本語の写真.png",
            "한국어.webp",
            "@me.png",
            "",
        ] {
            let name = propose(source, &NONE);
            assert_eq!(check_name(&name), Ok(()), "{source} -> {name}");
        }
    }

    #[test]
    fn checks_names() {
        assert_eq!(check_name("男人"), Ok(()));
        assert_eq!(check_name("img_2041"), Ok(()));
        assert_eq!(check_name(""), Err(NameProblem::Empty));
        assert_eq!(check_name("a b"), Err(NameProblem::Whitespace));
        assert_eq!(check_name("a@b"), Err(NameProblem::At));
        assert_eq!(check_name("a，b"), Err(NameProblem::Punctuation('，')));
        assert_eq!(check_name("a-b"), Err(NameProblem::Punctuation('-')));
        assert_eq!(
            check_name("一二三四五六七八九十一"),
            Err(NameProblem::TooLong { bytes: 33 })
        );
        assert!(
            NameProblem::TooLong { bytes: 33 }
                .describe()
                .zh
                .contains("33")
        );
    }
}
