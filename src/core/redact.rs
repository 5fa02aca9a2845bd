//! Secrets kept out of texts that came from the network.
//!
//! A gateway may echo the Authorization header or the key in its error message,
//! and such a text is journaled, printed and shown in the window. Every text from
//! the network goes through [`mask_secrets`] before it is stored or shown.
//!
//! What is masked: the keys this process was given (see [`remember_secret`]), and
//! anything shaped like a secret: `sk-` followed by 16 or more key characters, the
//! value after a word that names a secret (`Bearer …`, `api_key=…`,
//! `"token": "…"`), and long mixed-case base64 runs. Request ids and task ids
//! (UUIDs, 24-hex OSS ids, 32-hex upload folders) stay readable.

use std::sync::RwLock;

/// The longest text from the network that is kept, in characters.
pub const MAX_NETWORK_TEXT_CHARS: usize = 500;
/// Shorter secrets are not remembered: masking them would mangle ordinary words.
const MIN_SECRET_CHARS: usize = 8;
/// Secrets remembered at once; a session uses one or two keys.
const MAX_SECRETS: usize = 16;
/// `sk-` keys: at least this many key characters after the prefix.
const MIN_SK_BODY_CHARS: usize = 16;
/// Base64 runs at least this long, with digits and both cases, are taken for secrets.
const MIN_RANDOM_RUN_CHARS: usize = 28;

static SECRETS: RwLock<Vec<String>> = RwLock::new(Vec::new());

/// Remembers a secret (the API key) so that [`mask_secrets`] masks it whatever its
/// shape. Called by `ApiKey::new`; secrets shorter than 8 characters are ignored.
pub fn remember_secret(secret: &str) {
    let secret = secret.trim();
    if secret.chars().count() < MIN_SECRET_CHARS {
        return;
    }
    let mut secrets = SECRETS
        .write()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if secrets.iter().any(|s| s == secret) {
        return;
    }
    if secrets.len() >= MAX_SECRETS {
        secrets.remove(0);
    }
    secrets.push(secret.to_string());
    // Longest first, so that a key containing another is masked whole.
    secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
}

/// A text from the network made safe to store and show: remembered keys and
/// anything shaped like a secret masked, and at most
/// [`MAX_NETWORK_TEXT_CHARS`] characters (cut with `…`).
pub fn mask_secrets(text: &str) -> String {
    cap_chars(&mask_secrets_uncapped(text), MAX_NETWORK_TEXT_CHARS)
}

/// [`mask_secrets`] without the length cap: for prose that may hold network
/// text but is ours (journal records written before texts kept their source).
pub(crate) fn mask_secrets_uncapped(text: &str) -> String {
    let text = mask_remembered(text);
    let text = mask_named_values(&text);
    mask_shapes(&text)
}

/// A key in a form safe to show: `sk-…abcd` (first three and last four
/// characters), or `…` for a key shorter than 12 characters.
pub fn masked_key(key: &str) -> String {
    let chars: Vec<char> = key.chars().collect();
    if chars.len() < 12 {
        return "…".to_string();
    }
    let head: String = chars[..3].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}…{tail}")
}

/// At most `max_chars` characters, cut on a character boundary; a cut text ends
/// with `…` (counted in the limit).
pub fn cap_chars(text: &str, max_chars: usize) -> String {
    match text.char_indices().nth(max_chars) {
        None => text.to_string(),
        Some(_) => {
            let keep = max_chars.saturating_sub(1);
            let end = text.char_indices().nth(keep).map_or(text.len(), |(i, _)| i);
            format!("{}…", &text[..end])
        }
    }
}

/// Masks each remembered secret together with the key characters around it, so
/// that a longer key beginning with a shorter remembered one is masked whole.
fn mask_remembered(text: &str) -> String {
    let secrets = SECRETS
        .read()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let mut text = text.to_string();
    for secret in secrets.iter() {
        if !text.contains(secret.as_str()) {
            continue;
        }
        let mut out = String::with_capacity(text.len());
        let mut rest = text.as_str();
        while let Some(at) = rest.find(secret.as_str()) {
            let bytes = rest.as_bytes();
            let before = bytes[..at]
                .iter()
                .rev()
                .take_while(|b| is_key_byte(**b))
                .count();
            let after_at = at + secret.len();
            let after = bytes[after_at..]
                .iter()
                .take_while(|b| is_key_byte(**b))
                .count();
            // Only ASCII bytes were skipped: both ends are character boundaries.
            let (start, end) = (at - before, after_at + after);
            out.push_str(&rest[..start]);
            out.push_str(&masked_key(&rest[start..end]));
            rest = &rest[end..];
        }
        out.push_str(rest);
        text = out;
    }
    text
}

/// Characters of a key or id: `sk-…`, UUIDs, names such as `api_key`.
fn is_key_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-'
}

/// Characters of a word that may carry a value: `api_key=…`, base64, dotted tokens.
fn is_word_byte(b: u8) -> bool {
    is_key_byte(b) || matches!(b, b'+' | b'/' | b'=' | b'.' | b'~')
}

fn is_base64_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'+' || b == b'/'
}

/// A word after which a secret follows: `Bearer`, `api_key`, `access_token`, ….
fn names_a_secret(word: &str) -> bool {
    let word = word.to_ascii_lowercase();
    matches!(word.as_str(), "bearer" | "authorization")
        || [
            "token",
            "secret",
            "password",
            "signature",
            "apikey",
            "api_key",
            "api-key",
        ]
        .iter()
        .any(|name| word.ends_with(name))
}

/// Looks like a secret value rather than an ordinary word ("expired").
fn is_secret_value(value: &str) -> bool {
    let chars = value.chars().count();
    chars >= MIN_SECRET_CHARS && (value.bytes().any(|b| b.is_ascii_digit()) || chars >= 20)
}

/// Masks the value after a word that names a secret, in the same word
/// (`api_key=…`) or the next one (`Bearer …`, `"token": "…"`).
fn mask_named_values(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut value_follows = false;
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        let word_len = rest.bytes().take_while(|b| is_word_byte(*b)).count();
        if word_len > 0 {
            let (word, after) = rest.split_at(word_len);
            if value_follows && is_secret_value(word) {
                out.push('…');
                value_follows = false;
            } else {
                value_follows = push_word(word, &mut out);
            }
            rest = after;
        } else {
            // Only these may stand between a name and its value.
            if !(c.is_whitespace() || matches!(c, ':' | '"' | '\'')) {
                value_follows = false;
            }
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    out
}

/// Copies one word (ASCII only), masking a value after `name=`. True when the
/// word ends with a name whose value is the next word.
fn push_word(word: &str, out: &mut String) -> bool {
    let bytes = word.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let atom_len = bytes[i..].iter().take_while(|b| is_key_byte(**b)).count();
        if atom_len == 0 {
            out.push(char::from(bytes[i]));
            i += 1;
            continue;
        }
        let atom = &word[i..i + atom_len];
        out.push_str(atom);
        i += atom_len;
        if names_a_secret(atom) {
            let rest = &word[i..];
            let value = rest.trim_start_matches('=');
            if value.is_empty() {
                out.push_str(rest);
                return true;
            }
            if rest.starts_with('=') && is_secret_value(value) {
                out.push_str("=…");
                return false;
            }
        }
    }
    false
}

/// Masks `sk-` keys and long random-looking base64 runs.
fn mask_shapes(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut i = 0;
    // Every index where text is sliced holds an ASCII byte or the end, so
    // slices fall on character boundaries.
    while i < bytes.len() {
        // `task-…` is not a key; `req-sk-…` holds one.
        let after_letter = i > 0 && bytes[i - 1].is_ascii_alphanumeric();
        if !after_letter && bytes[i..].starts_with(b"sk-") {
            let len = bytes[i..].iter().take_while(|b| is_key_byte(**b)).count();
            if len >= 3 + MIN_SK_BODY_CHARS {
                out.push_str(&text[copied..i]);
                out.push_str(&masked_key(&text[i..i + len]));
                i += len;
                copied = i;
                continue;
            }
        }
        let after_base64_byte = i > 0 && is_base64_byte(bytes[i - 1]);
        if is_base64_byte(bytes[i]) && !after_base64_byte {
            let len = bytes[i..]
                .iter()
                .take_while(|b| is_base64_byte(**b))
                .count();
            if looks_random(&text[i..i + len]) {
                let padding = bytes[i + len..]
                    .iter()
                    .take(2)
                    .take_while(|b| **b == b'=')
                    .count();
                out.push_str(&text[copied..i]);
                out.push('…');
                i += len + padding;
                copied = i;
                continue;
            }
        }
        // Inside a run, a key may still start (`/sk-…`).
        i += 1;
    }
    out.push_str(&text[copied..]);
    out
}

/// Long, with digits and both letter cases: base64 or base62 noise, not an id
/// (ids here are lowercase or uppercase hex) and not a word.
fn looks_random(run: &str) -> bool {
    run.len() >= MIN_RANDOM_RUN_CHARS
        && run.bytes().any(|b| b.is_ascii_digit())
        && run.bytes().any(|b| b.is_ascii_lowercase())
        && run.bytes().any(|b| b.is_ascii_uppercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_remembered_key_of_any_shape_is_masked() {
        remember_secret("plainKEYwithoutPrefix42");
        let text = mask_secrets("key plainKEYwithoutPrefix42 refused");
        assert_eq!(text, "key pla…ix42 refused");
        // A longer key that begins with a remembered one is masked whole.
        let text = mask_secrets("key plainKEYwithoutPrefix42-and-more refused");
        assert_eq!(text, "key pla…more refused");
    }

    #[test]
    fn short_secrets_are_not_remembered() {
        remember_secret("demo");
        assert_eq!(mask_secrets("a demo of it"), "a demo of it");
    }

    #[test]
    fn sk_keys_are_masked_wherever_they_stand() {
        let key = "sk-9f8e7d6c5b4a39281706f5e4d3c2b1a0";
        assert_eq!(
            mask_secrets(&format!("Invalid API-key provided: {key}.")),
            "Invalid API-key provided: sk-…b1a0."
        );
        // In a Chinese sentence, with no space around it.
        assert_eq!(mask_secrets(&format!("密钥{key}无效")), "密钥sk-…b1a0无效");
        // Too short to be a key, or part of a longer word: left alone.
        assert_eq!(mask_secrets("sk-short"), "sk-short");
        assert_eq!(mask_secrets(&format!("req-{key}")), "req-sk-…b1a0");
        assert_eq!(mask_secrets(&format!("../{key}")), "../sk-…b1a0");
        assert_eq!(
            mask_secrets("task-7a6b5c4d3e2f1a0b9c8d"),
            "task-7a6b5c4d3e2f1a0b9c8d"
        );
    }

    #[test]
    fn values_after_a_secret_name_are_masked() {
        assert_eq!(
            mask_secrets("Authorization: Bearer abcd1234efgh5678 was refused"),
            "Authorization: Bearer … was refused"
        );
        assert_eq!(
            mask_secrets(r#"{"api_key": "xyz98765432", "x": 1}"#),
            r#"{"api_key": "…", "x": 1}"#
        );
        assert_eq!(
            mask_secrets("url?OSSAccessKeyId=LTAI5t&Signature=ab12cd34ef56%3D&x=1"),
            "url?OSSAccessKeyId=LTAI5t&Signature=…%3D&x=1"
        );
        // Ordinary words after such a name stay.
        assert_eq!(
            mask_secrets("the token expired; Bearer authentication failed"),
            "the token expired; Bearer authentication failed"
        );
    }

    #[test]
    fn long_mixed_case_base64_is_masked_and_ids_stay_readable() {
        let secret = "Zm9vYmFyQmF6UXV4MTIzNDU2Nzg5MGFiY2RlZg==";
        assert_eq!(mask_secrets(&format!("token {secret}!")), "token …!");
        assert_eq!(mask_secrets(&format!("x {secret}!")), "x …!");
        for id in [
            "0385dc79-5ff8-4d82-bcb6-4f1a2b3c4d5e",
            "5C3D9F8A2B1E4D6F7A8B9C0D",
            "oss://dashscope-instant/simulated-account/2025-01-01/0f3a9c2e5b1d4f6087a1b2c3d4e5f607/hero.png",
            "InvalidParameter.DataInspection",
            "https://example.com/api/v1/services/aigc/video-generation/video-synthesis",
        ] {
            let text = format!("request {id} failed");
            assert_eq!(mask_secrets(&text), text);
        }
    }

    #[test]
    fn long_texts_are_cut_on_a_character_boundary() {
        let text = "视频".repeat(400);
        let capped = mask_secrets(&text);
        assert_eq!(capped.chars().count(), MAX_NETWORK_TEXT_CHARS);
        assert!(capped.ends_with('…'));
        assert!(capped.starts_with("视频视频"));
        assert_eq!(cap_chars("abc", 3), "abc");
        assert_eq!(cap_chars("abcd", 3), "ab…");
        assert_eq!(cap_chars("", 0), "");
    }

    #[test]
    fn masking_twice_changes_nothing_more() {
        for text in [
            "Bearer abcd1234efgh5678",
            "key sk-9f8e7d6c5b4a39281706 in 中文",
            &"x".repeat(900),
        ] {
            let once = mask_secrets(text);
            assert_eq!(mask_secrets(&once), once);
        }
    }

    #[test]
    fn masked_keys_show_only_their_ends() {
        assert_eq!(masked_key("sk-0123456789abcdef"), "sk-…cdef");
        assert_eq!(masked_key("short"), "…");
    }
}
