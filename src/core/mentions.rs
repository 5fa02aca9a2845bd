//! `@name` mentions in a prompt: parsing, renaming, completion.
//!
//! A mention is `@` followed by one or more name characters (letters, digits, marks
//! and `_`, in any script). It ends at the first other character, so `@男人，` mentions
//! `男人` and `@cats` mentions `cats`, never `cat`. Offsets are given in bytes (for
//! slicing) and in chars (for text widgets); nothing here slices by char index.

use std::ops::Range;
use unicode_properties::{GeneralCategoryGroup, UnicodeGeneralCategory};

/// Whether `c` may appear in a reference name (and so continues a mention).
pub fn is_name_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c.general_category_group() == GeneralCategoryGroup::Mark
}

/// One piece of a parsed prompt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Span {
    pub kind: SpanKind,
    /// Byte range in the prompt, `@` included for mentions.
    pub bytes: Range<usize>,
    /// Char range in the prompt, `@` included for mentions.
    pub chars: Range<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpanKind {
    Text,
    /// A mention of a reference that exists.
    Mention,
    /// A mention of a name no reference has.
    UnknownMention,
}

impl Span {
    pub fn is_mention(&self) -> bool {
        matches!(self.kind, SpanKind::Mention | SpanKind::UnknownMention)
    }

    /// The mentioned name (without `@`), or `None` for text.
    pub fn name<'a>(&self, prompt: &'a str) -> Option<&'a str> {
        self.is_mention()
            .then(|| prompt.get(self.bytes.start + 1..self.bytes.end))
            .flatten()
    }
}

/// A mention found in a prompt, with the char that follows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mention<'a> {
    pub name: &'a str,
    pub bytes: Range<usize>,
    pub chars: Range<usize>,
    /// The character right after the name, if any.
    pub next: Option<char>,
}

/// Every mention in `prompt`, in order.
pub fn find_mentions(prompt: &str) -> Vec<Mention<'_>> {
    let mut found = Vec::new();
    let mut iter = prompt.char_indices().enumerate().peekable();
    while let Some((char_idx, (byte_idx, c))) = iter.next() {
        if c != '@' {
            continue;
        }
        let name_start = byte_idx + 1;
        let mut end_byte = name_start;
        let mut end_char = char_idx + 1;
        while let Some(&(_, (b, nc))) = iter.peek() {
            if !is_name_char(nc) {
                break;
            }
            end_byte = b + nc.len_utf8();
            end_char += 1;
            iter.next();
        }
        if end_byte > name_start {
            found.push(Mention {
                name: &prompt[name_start..end_byte],
                bytes: byte_idx..end_byte,
                chars: char_idx..end_char,
                next: prompt[end_byte..].chars().next(),
            });
        }
    }
    found
}

/// Splits `prompt` into text and mentions; a mention is known if `names` has it.
pub fn parse<S: AsRef<str>>(prompt: &str, names: &[S]) -> Vec<Span> {
    let mut spans = Vec::new();
    let mut byte_pos = 0;
    let mut char_pos = 0;
    for m in find_mentions(prompt) {
        if m.bytes.start > byte_pos {
            spans.push(Span {
                kind: SpanKind::Text,
                bytes: byte_pos..m.bytes.start,
                chars: char_pos..m.chars.start,
            });
        }
        let known = names.iter().any(|n| n.as_ref() == m.name);
        spans.push(Span {
            kind: if known {
                SpanKind::Mention
            } else {
                SpanKind::UnknownMention
            },
            bytes: m.bytes.clone(),
            chars: m.chars.clone(),
        });
        byte_pos = m.bytes.end;
        char_pos = m.chars.end;
    }
    if byte_pos < prompt.len() {
        spans.push(Span {
            kind: SpanKind::Text,
            bytes: byte_pos..prompt.len(),
            chars: char_pos..char_pos + prompt[byte_pos..].chars().count(),
        });
    }
    spans
}

/// Replaces every mention of `old` with a mention of `new`; nothing else changes.
pub fn rename(prompt: &str, old: &str, new: &str) -> String {
    let mut out = String::with_capacity(prompt.len());
    let mut pos = 0;
    for m in find_mentions(prompt) {
        if m.name == old {
            out.push_str(&prompt[pos..m.bytes.start]);
            out.push('@');
            out.push_str(new);
            pos = m.bytes.end;
        }
    }
    out.push_str(&prompt[pos..]);
    out
}

/// Inserts the space the service requires after each mention where it is missing
/// (`@男人，` becomes `@男人 ，`; a mention at the very end gets a trailing space).
pub fn with_spaces_after_mentions(prompt: &str) -> String {
    let mut out = String::with_capacity(prompt.len() + 8);
    let mut pos = 0;
    for m in find_mentions(prompt) {
        if m.next != Some(' ') {
            out.push_str(&prompt[pos..m.bytes.end]);
            out.push(' ');
            pos = m.bytes.end;
        }
    }
    out.push_str(&prompt[pos..]);
    out
}

/// Names matching a partial mention: case-insensitive prefix matches first, then
/// substring matches, each in the order given. An empty partial matches all.
pub fn completions<'a, S: AsRef<str>>(partial: &str, names: &'a [S]) -> Vec<&'a str> {
    let needle = partial.to_lowercase();
    let lowered: Vec<(&str, String)> = names
        .iter()
        .map(|n| (n.as_ref(), n.as_ref().to_lowercase()))
        .collect();
    let prefix = lowered
        .iter()
        .filter(|(_, l)| l.starts_with(&needle))
        .map(|(n, _)| *n);
    let substring = lowered
        .iter()
        .filter(|(_, l)| !l.starts_with(&needle) && l.contains(&needle))
        .map(|(n, _)| *n);
    prefix.chain(substring).collect()
}

/// The mention being typed at a caret (a char index): the char index of its `@`
/// and the partial name between `@` and the caret. `None` if the caret is not
/// right after `@` plus name characters.
pub fn partial_at(prompt: &str, caret: usize) -> Option<(usize, &str)> {
    let caret_byte = byte_of_char(prompt, caret)?;
    let before = &prompt[..caret_byte];
    for (chars_back, (byte_idx, c)) in before.char_indices().rev().enumerate() {
        if c == '@' {
            return Some((caret - chars_back - 1, &before[byte_idx + 1..]));
        }
        if !is_name_char(c) {
            return None;
        }
    }
    None
}

/// The byte offset of char index `char_idx` (the end of the string counts).
pub fn byte_of_char(text: &str, char_idx: usize) -> Option<usize> {
    text.char_indices()
        .map(|(b, _)| b)
        .chain(std::iter::once(text.len()))
        .nth(char_idx)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn kinds(prompt: &str, names: &[&str]) -> Vec<(SpanKind, String)> {
        parse(prompt, names)
            .into_iter()
            .map(|s| (s.kind, prompt[s.bytes.clone()].to_string()))
            .collect()
    }

    #[test]
    fn parses_known_and_unknown_mentions_in_chinese() {
        let prompt = "@男人 坐在靠窗的椅子上，手持@吉他，在@咖啡厅 旁";
        let spans = kinds(prompt, &["男人", "吉他"]);
        assert_eq!(
            spans,
            vec![
                (SpanKind::Mention, "@男人".into()),
                (SpanKind::Text, " 坐在靠窗的椅子上，手持".into()),
                (SpanKind::Mention, "@吉他".into()),
                (SpanKind::Text, "，在".into()),
                (SpanKind::UnknownMention, "@咖啡厅".into()),
                (SpanKind::Text, " 旁".into()),
            ]
        );
    }

    #[test]
    fn char_offsets_count_characters_not_bytes() {
        let prompt = "猫@cat 走";
        let spans = parse(prompt, &["cat"]);
        assert_eq!(spans[1].chars, 1..5);
        assert_eq!(spans[1].bytes, 3..7);
        assert_eq!(spans[2].chars, 5..7);
    }

    #[test]
    fn a_bare_at_sign_is_text() {
        assert_eq!(
            kinds("mail @ noon @", &[]),
            vec![(SpanKind::Text, "mail @ noon @".into())]
        );
        assert_eq!(
            kinds("@@cat", &["cat"]),
            vec![
                (SpanKind::Text, "@".into()),
                (SpanKind::Mention, "@cat".into())
            ]
        );
    }

    #[test]
    fn a_mention_takes_the_longest_name_run() {
        assert_eq!(
            kinds("@cats play", &["cat"]),
            vec![
                (SpanKind::UnknownMention, "@cats".into()),
                (SpanKind::Text, " play".into())
            ]
        );
        assert_eq!(find_mentions("@img_2041!")[0].name, "img_2041");
        assert_eq!(find_mentions("@cafe\u{301} x")[0].name, "cafe\u{301}");
        assert_eq!(find_mentions("@a-b")[0].name, "a");
    }

    #[test]
    fn rename_touches_only_exact_mentions() {
        assert_eq!(
            rename("@cat and @cats, cat @cat", "cat", "dog"),
            "@dog and @cats, cat @dog"
        );
        assert_eq!(rename("@男人，@男人们", "男人", "女人"), "@女人，@男人们");
    }

    #[test]
    fn spaces_are_inserted_after_mentions_that_lack_one() {
        assert_eq!(
            with_spaces_after_mentions("@男人，手持@吉他 在@咖啡厅"),
            "@男人 ，手持@吉他 在@咖啡厅 "
        );
        assert_eq!(with_spaces_after_mentions("no mentions"), "no mentions");
        assert_eq!(with_spaces_after_mentions("@a\nb"), "@a \nb");
    }

    #[test]
    fn completions_put_prefix_matches_before_substring_matches() {
        let names = ["scarf", "Cafe", "cat", "cake"];
        assert_eq!(
            completions("ca", &names),
            vec!["Cafe", "cat", "cake", "scarf"]
        );
        assert_eq!(
            completions("CA", &names),
            vec!["Cafe", "cat", "cake", "scarf"]
        );
        assert_eq!(completions("", &names), names.to_vec());
        assert!(completions("zz", &names).is_empty());
        assert_eq!(completions("啡", &["咖啡厅", "男人"]), vec!["咖啡厅"]);
    }

    #[test]
    fn partial_mention_at_caret() {
        assert_eq!(partial_at("hi @ca", 6), Some((3, "ca")));
        assert_eq!(partial_at("hi @", 4), Some((3, "")));
        assert_eq!(partial_at("在@咖啡", 4), Some((1, "咖啡")));
        assert_eq!(partial_at("hi @ca x", 8), None);
        assert_eq!(partial_at("hi @cafe", 5), Some((3, "c")));
        assert_eq!(partial_at("hello", 3), None);
        assert_eq!(partial_at("short", 99), None);
    }

    fn name_strategy() -> impl Strategy<Value = String> {
        "[a-z0-9_\u{4e00}-\u{4e0f}]{1,8}"
    }

    proptest! {
        #[test]
        fn parse_never_panics_and_spans_tile_the_prompt(prompt in any::<String>(), names in proptest::collection::vec(any::<String>(), 0..4)) {
            let spans = parse(&prompt, &names);
            let mut bytes = 0;
            let mut chars = 0;
            for span in &spans {
                prop_assert_eq!(span.bytes.start, bytes);
                prop_assert_eq!(span.chars.start, chars);
                prop_assert_eq!(prompt[span.bytes.clone()].chars().count(), span.chars.len());
                bytes = span.bytes.end;
                chars = span.chars.end;
            }
            prop_assert_eq!(bytes, prompt.len());
            prop_assert_eq!(chars, prompt.chars().count());
        }

        #[test]
        fn rename_then_parse_finds_the_new_name_at_the_same_places(
            pieces in proptest::collection::vec(("[ a-z，。@\u{4e00}-\u{4e0f}!]{0,6}", 0usize..3), 0..8),
            old in name_strategy(), other in name_strategy(), new in name_strategy(),
        ) {
            prop_assume!(old != other && new != other);
            let names = [old.clone(), other.clone()];
            // Join text pieces with mentions of `old` or `other`, each followed by a space
            // or punctuation so that the mention ends where intended.
            let mut prompt = String::new();
            for (text, which) in &pieces {
                prompt.push_str(text);
                match which {
                    0 => { prompt.push('@'); prompt.push_str(&old); prompt.push(' '); }
                    1 => { prompt.push('@'); prompt.push_str(&other); prompt.push('，'); }
                    _ => {}
                }
            }
            // A prompt that already mentions `new` (as an unknown name) legitimately
            // changes meaning when a reference takes that name: not this property.
            prop_assume!(new == old || find_mentions(&prompt).iter().all(|m| m.name != new));
            let before = parse(&prompt, &names);
            let renamed = rename(&prompt, &old, &new);
            let after = parse(&renamed, &[new.clone(), other.clone()]);
            prop_assert_eq!(before.len(), after.len());
            for (b, a) in before.iter().zip(&after) {
                prop_assert_eq!(b.kind, a.kind);
                match b.name(&prompt) {
                    Some(name) if name == old => prop_assert_eq!(a.name(&renamed), Some(new.as_str())),
                    Some(name) => prop_assert_eq!(a.name(&renamed), Some(name)),
                    None => prop_assert_eq!(&prompt[b.bytes.clone()], &renamed[a.bytes.clone()]),
                }
            }
        }

        #[test]
        fn text_outside_mentions_never_changes(prompt in any::<String>(), old in name_strategy(), new in name_strategy()) {
            let text = |p: &str| -> Vec<String> {
                parse(p, &[] as &[&str]).into_iter().filter(|s| !s.is_mention()).map(|s| p[s.bytes].to_string()).collect()
            };
            let renamed = rename(&prompt, &old, &new);
            prop_assert_eq!(text(&prompt), text(&renamed));
        }

        #[test]
        fn inserting_spaces_only_adds_spaces_after_mentions(prompt in any::<String>()) {
            let spaced = with_spaces_after_mentions(&prompt);
            for m in find_mentions(&spaced) {
                prop_assert_eq!(m.next, Some(' '));
            }
            let stripped: String = spaced.chars().filter(|c| *c != ' ').collect();
            let original: String = prompt.chars().filter(|c| *c != ' ').collect();
            prop_assert_eq!(stripped, original);
        }
    }
}
