//! The API key: a secret that never leaves through `Debug`, `Display` or serde.

use std::fmt;

/// Environment variable holding the key (the official SDK's name).
pub const API_KEY_ENV: &str = "DASHSCOPE_API_KEY";
/// Environment variable overriding the base URL (the official SDK's name).
pub const BASE_URL_ENV: &str = "DASHSCOPE_HTTP_BASE_URL";

/// An API key. There is deliberately no `Display` and no `Serialize`: the only way
/// to the secret is [`ApiKey::expose`], used when building the Authorization header.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(String);

impl ApiKey {
    /// `None` for an empty or blank key.
    pub fn new(key: impl Into<String>) -> Option<ApiKey> {
        let key = key.into().trim().to_string();
        if key.is_empty() {
            return None;
        }
        // Texts from the network are masked against it wherever they are shown.
        crate::core::redact::remember_secret(&key);
        Some(ApiKey(key))
    }

    /// The key from `DASHSCOPE_API_KEY`, if set.
    pub fn from_env() -> Option<ApiKey> {
        std::env::var(API_KEY_ENV).ok().and_then(ApiKey::new)
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    /// A form safe to show: `sk-…abcd`.
    pub fn masked(&self) -> String {
        crate::core::redact::masked_key(&self.0)
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ApiKey({})", self.masked())
    }
}

/// The base URL to use: the command-line flag, then `DASHSCOPE_HTTP_BASE_URL`, then
/// the saved setting, then Beijing. A trailing slash is removed.
pub fn resolve_base_url(flag: Option<&str>, setting: Option<&str>) -> String {
    let env = std::env::var(BASE_URL_ENV).ok();
    [flag, env.as_deref(), setting]
        .into_iter()
        .flatten()
        .map(str::trim)
        .find(|s| !s.is_empty())
        .unwrap_or(crate::core::capabilities::DEFAULT_BASE_URL)
        .trim_end_matches('/')
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_shows_only_a_masked_key() {
        let key = ApiKey::new("sk-0123456789abcdef").unwrap();
        assert_eq!(format!("{key:?}"), "ApiKey(sk-…cdef)");
        assert_eq!(key.masked(), "sk-…cdef");
        assert_eq!(ApiKey::new("short").unwrap().masked(), "…");
        assert!(ApiKey::new("  ").is_none());
    }

    #[test]
    fn a_flag_wins_over_the_setting_and_slashes_are_trimmed() {
        // The environment variable is not set in tests (checked, not assumed).
        if std::env::var(BASE_URL_ENV).is_ok() {
            return;
        }
        assert_eq!(
            resolve_base_url(Some("http://a/api/v1/"), Some("http://b")),
            "http://a/api/v1"
        );
        assert_eq!(resolve_base_url(None, Some("http://b/")), "http://b");
        assert_eq!(
            resolve_base_url(None, Some(" ")),
            crate::core::capabilities::DEFAULT_BASE_URL
        );
    }
}
