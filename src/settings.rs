//! The user's settings (a JSON file in the config folder) and the API key (the OS
//! keychain, or a file only the user can read when there is no keychain).
//! All of this is I/O: call it from a worker thread, never the UI thread.
//!
//! Errors are `String`s in English for now (the window keeps them as such); their
//! messages are in the catalogue in both languages (`cli-settings-*`).

use crate::api::{ApiKey, key::API_KEY_ENV};
use crate::core::capabilities::{self as caps, PriceEntry};
use crate::core::spend::Budget;
use crate::core::{Lang, Localized};
use crate::loc;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Overrides the folder for settings.
pub const CONFIG_DIR_ENV: &str = "R2V_STUDIO_CONFIG_DIR";

/// Keychain entry: service and user names.
pub const KEYCHAIN_SERVICE: &str = "r2v-studio";
const KEYCHAIN_USER: &str = "dashscope-api-key";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Theme {
    #[default]
    System,
    Light,
    Dark,
}

/// Everything the settings window edits.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// The Model Studio region: which address is used (unless `base_url` says
    /// otherwise) and which models the window offers.
    pub region: caps::Region,
    /// A custom address (e.g. a workspace address) in place of the region's.
    pub base_url: Option<String>,
    /// `None`: `~/Videos/R2V Studio`.
    pub output_dir: Option<PathBuf>,
    pub jobs_per_series: usize,
    pub queries_per_second: u32,
    pub prices: Vec<PriceEntry>,
    /// `None`: follow the system locale.
    pub lang: Option<Lang>,
    pub theme: Theme,
    /// Recently opened or saved projects, newest first.
    pub recent_projects: Vec<PathBuf>,
    /// Daily and monthly caps on estimated spend.
    pub budget: Budget,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            region: caps::Region::default(),
            base_url: None,
            output_dir: None,
            jobs_per_series: caps::RUNNING_TASKS_PER_SERIES,
            queries_per_second: crate::engine::schedule::DEFAULT_QUERIES_PER_SECOND,
            prices: caps::default_prices(),
            lang: None,
            theme: Theme::System,
            recent_projects: Vec::new(),
            budget: Budget::default(),
        }
    }
}

impl Settings {
    /// The folder for settings (e.g. `~/.config/r2v-studio`).
    /// `R2V_STUDIO_CONFIG_DIR` when set (another set of settings, e.g. for
    /// tests or a second profile).
    pub fn default_dir() -> PathBuf {
        if let Some(dir) = std::env::var_os(CONFIG_DIR_ENV).filter(|d| !d.is_empty()) {
            return PathBuf::from(dir);
        }
        directories::ProjectDirs::from("com", "R2V Studio", "r2v-studio")
            .map(|d| d.config_dir().to_path_buf())
            .unwrap_or_else(|| PathBuf::from(".r2v-studio"))
    }

    /// Reads `settings.json` in `dir`; defaults when it does not exist. A damaged
    /// file is reported, and the defaults are used.
    pub fn load(dir: &Path) -> Result<Settings, Localized> {
        let path = dir.join("settings.json");
        match std::fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes)
                .map(Settings::clamped)
                .map_err(|e| {
                    loc!(
                        "cli-settings-damaged",
                        path = path.display().to_string(),
                        error = e.to_string(),
                    )
                }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Settings::default()),
            Err(e) => Err(loc!(
                "cli-settings-unreadable",
                path = path.display().to_string(),
                error = e.to_string(),
            )),
        }
    }

    /// Writes `settings.json` in `dir` (to a temporary file, then renamed).
    pub fn save(&self, dir: &Path) -> Result<(), Localized> {
        std::fs::create_dir_all(dir).map_err(|e| {
            loc!(
                "cli-settings-create-failed",
                path = dir.display().to_string(),
                error = e.to_string(),
            )
        })?;
        let path = dir.join("settings.json");
        let tmp = dir.join("settings.json.part");
        let text =
            serde_json::to_string_pretty(self).map_err(|e| Localized::verbatim(e.to_string()))?;
        std::fs::write(&tmp, text).map_err(|e| write_failed(&tmp, &e))?;
        std::fs::rename(&tmp, &path).map_err(|e| write_failed(&path, &e))
    }

    /// The address to use: the custom one, else the region's.
    pub fn service_url(&self) -> &str {
        self.base_url
            .as_deref()
            .map(str::trim)
            .filter(|u| !u.is_empty())
            .unwrap_or(self.region.base_url())
    }

    /// These settings (the window's) written over `on_disk` (the file as it is
    /// now), given `base` (what the window read or last wrote): what the window
    /// changed since `base` takes the window's value, everything else keeps the
    /// file's, so a `config set` from a terminal while the window is open is
    /// not undone by the window's next save. Both changed: the window's wins.
    /// Price rows merge row by row; other lists are one value each.
    pub fn merged_over(self, base: &Settings, on_disk: Settings) -> Settings {
        let values = (
            serde_json::to_value(&self),
            serde_json::to_value(base),
            serde_json::to_value(&on_disk),
        );
        let (Ok(ours), Ok(base_value), Ok(theirs)) = values else {
            return self;
        };
        let prices = merge_prices(&self.prices, &base.prices, &on_disk.prices);
        match serde_json::from_value::<Settings>(merge3(ours, &base_value, theirs)) {
            Ok(merged) => Settings { prices, ..merged }.clamped(),
            Err(_) => self,
        }
    }

    /// Keeps values inside what the account and the app allow.
    pub fn clamped(mut self) -> Settings {
        self.jobs_per_series = self
            .jobs_per_series
            .clamp(1, caps::RUNNING_TASKS_PER_SERIES);
        self.queries_per_second = self
            .queries_per_second
            .clamp(1, crate::engine::schedule::MAX_QUERIES_PER_SECOND);
        if self.prices.is_empty() {
            self.prices = caps::default_prices();
        }
        self
    }
}

/// The settings as `r2v-studio config` names them: `budget.daily`,
/// `budget.monthly`, `output_dir`, `region`, `base_url`, `jobs_per_series`,
/// `queries_per_second`, `language`, `theme`, and `price.<model>.<tier>` for
/// each row of the price table (e.g. `price.c1.720p`). Values are text; `off`
/// (or `default` for a folder or address) clears what may be cleared.
impl Settings {
    pub fn keys() -> Vec<String> {
        let mut keys: Vec<String> = FIXED_KEYS.iter().map(|k| k.to_string()).collect();
        for model in caps::Model::ALL {
            for tier in model.tiers() {
                keys.push(price_key(model, tier));
            }
        }
        keys
    }

    /// The value of `key` as text; `None` for a key that does not exist.
    pub fn get(&self, key: &str) -> Option<String> {
        let cap = |c: Option<f64>| c.map_or_else(|| OFF.to_string(), crate::core::spend::money);
        Some(match key {
            "budget.daily" => cap(self.budget.daily),
            "budget.monthly" => cap(self.budget.monthly),
            "output_dir" => self
                .output_dir
                .as_ref()
                .map_or_else(|| DEFAULT.to_string(), |p| p.display().to_string()),
            "region" => self.region.info().id.to_string(),
            "base_url" => self.base_url.clone().unwrap_or_else(|| DEFAULT.to_string()),
            "jobs_per_series" => self.jobs_per_series.to_string(),
            "queries_per_second" => self.queries_per_second.to_string(),
            "language" => match self.lang {
                None => SYSTEM.to_string(),
                Some(Lang::En) => "en".to_string(), // not text: a setting's value
                Some(Lang::Zh) => "zh-CN".to_string(), // not text: a setting's value
            },
            "theme" => match self.theme {
                Theme::System => SYSTEM,
                Theme::Light => "light", // not text: a setting's value
                Theme::Dark => "dark",   // not text: a setting's value
            }
            .to_string(),
            _ => {
                let (model, tier) = parse_price_key(key)?;
                self.prices
                    .iter()
                    .find(|e| e.model == model && e.tier == tier)
                    .map_or_else(|| OFF.to_string(), |e| format!("{}", e.per_second))
            }
        })
    }

    /// Sets `key` from text, checked as the settings window checks it.
    pub fn set(&mut self, key: &str, value: &str) -> Result<(), Localized> {
        let value = value.trim();
        let invalid = || loc!("cli-settings-value-invalid", key = key, value = value);
        let clears = |v: &str| v.eq_ignore_ascii_case(DEFAULT) || v.eq_ignore_ascii_case(OFF);
        match key {
            "budget.daily" => self.budget.daily = Budget::parse_cap(value)?,
            "budget.monthly" => self.budget.monthly = Budget::parse_cap(value)?,
            "output_dir" if clears(value) => self.output_dir = None,
            "output_dir" if !value.is_empty() => self.output_dir = Some(PathBuf::from(value)),
            "output_dir" => return Err(invalid()),
            "region" => self.region = caps::Region::parse(value).ok_or_else(invalid)?,
            "base_url" if clears(value) => self.base_url = None,
            "base_url" => {
                let lower = value.to_ascii_lowercase();
                if !(lower.starts_with("https://") || lower.starts_with("http://")) {
                    return Err(invalid());
                }
                self.base_url = Some(value.trim_end_matches('/').to_string());
            }
            "jobs_per_series" => {
                let n: usize = value.parse().map_err(|_| invalid())?;
                if !(1..=caps::RUNNING_TASKS_PER_SERIES).contains(&n) {
                    return Err(invalid());
                }
                self.jobs_per_series = n;
            }
            "queries_per_second" => {
                let n: u32 = value.parse().map_err(|_| invalid())?;
                if !(1..=crate::engine::schedule::MAX_QUERIES_PER_SECOND).contains(&n) {
                    return Err(invalid());
                }
                self.queries_per_second = n;
            }
            "language" => {
                self.lang = match value.to_ascii_lowercase().as_str() {
                    SYSTEM => None,
                    "en" => Some(Lang::En), // not text: a setting's value
                    "zh" | "zh-cn" => Some(Lang::Zh), // not text: a setting's value
                    _ => return Err(invalid()),
                }
            }
            "theme" => {
                self.theme = match value.to_ascii_lowercase().as_str() {
                    SYSTEM => Theme::System,
                    "light" => Theme::Light, // not text: a setting's value
                    "dark" => Theme::Dark,   // not text: a setting's value
                    _ => return Err(invalid()),
                }
            }
            _ => {
                let Some((model, tier)) = parse_price_key(key) else {
                    return Err(loc!("cli-settings-key-unknown", key = key));
                };
                let per_second: f64 = value.parse().map_err(|_| invalid())?;
                if !per_second.is_finite() || per_second < 0.0 {
                    return Err(invalid());
                }
                self.prices
                    .retain(|e| !(e.model == model && e.tier == tier));
                self.prices.push(PriceEntry {
                    model,
                    tier,
                    per_second,
                });
            }
        }
        Ok(())
    }
}

const FIXED_KEYS: [&str; 9] = [
    "budget.daily",
    "budget.monthly",
    "output_dir",
    "region",
    "base_url",
    "jobs_per_series",
    "queries_per_second",
    "language",
    "theme",
];
const OFF: &str = "off"; // not text: a setting's value
const DEFAULT: &str = "default"; // not text: a setting's value
const SYSTEM: &str = "system"; // not text: a setting's value

fn price_key(model: caps::Model, tier: caps::Tier) -> String {
    format!(
        "price.{}.{}",
        model.info().short_name,
        tier.label().to_ascii_lowercase()
    )
}

fn parse_price_key(key: &str) -> Option<(caps::Model, caps::Tier)> {
    let rest = key.strip_prefix("price.")?;
    let (model, tier) = rest.rsplit_once('.')?;
    let model = caps::Model::ALL
        .into_iter()
        .find(|m| m.info().short_name.eq_ignore_ascii_case(model))?;
    let tier = caps::Tier::parse(tier)?;
    model.tiers().any(|t| t == tier).then_some((model, tier))
}

/// Why `path` could not be written.
fn write_failed(path: &Path, e: &std::io::Error) -> Localized {
    loc!(
        "cli-settings-write-failed",
        path = path.display().to_string(),
        error = e.to_string(),
    )
}

/// Where the key in use comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeySource {
    /// `DASHSCOPE_API_KEY` is set: it wins over anything saved.
    Environment,
    Keychain,
    /// The fallback file, readable only by the user.
    File,
    None,
}

/// The key found, where, and what went wrong with the keychain if anything.
#[derive(Debug, Clone)]
pub struct KeyLookup {
    pub key: Option<ApiKey>,
    pub source: KeySource,
    /// Why the keychain could not be used (e.g. no secret service running).
    pub keychain_problem: Option<String>,
}

/// Where the key is kept: a keychain entry, and a fallback file in `dir`.
#[derive(Debug, Clone)]
pub struct KeyStore {
    dir: PathBuf,
    service: String,
}

impl KeyStore {
    /// The app's own keychain entry, with the fallback file in `dir`.
    pub fn new(dir: &Path) -> KeyStore {
        KeyStore::with_service(dir, KEYCHAIN_SERVICE)
    }

    /// Another keychain entry (tests use their own, never the user's).
    pub fn with_service(dir: &Path, service: &str) -> KeyStore {
        KeyStore {
            dir: dir.to_path_buf(),
            service: service.to_string(),
        }
    }

    fn file(&self) -> PathBuf {
        self.dir.join("api-key")
    }

    fn entry(&self) -> Result<keyring::Entry, String> {
        keyring::Entry::new(&self.service, KEYCHAIN_USER).map_err(|e| e.to_string())
    }

    /// Finds the key: the environment, then the keychain, then the fallback file.
    pub fn load(&self) -> KeyLookup {
        if let Some(key) = std::env::var(API_KEY_ENV).ok().and_then(ApiKey::new) {
            return KeyLookup {
                key: Some(key),
                source: KeySource::Environment,
                keychain_problem: None,
            };
        }
        let mut keychain_problem = None;
        match self.entry().map(|entry| entry.get_password()) {
            Ok(Ok(secret)) => {
                if let Some(key) = ApiKey::new(secret) {
                    return KeyLookup {
                        key: Some(key),
                        source: KeySource::Keychain,
                        keychain_problem: None,
                    };
                }
            }
            Ok(Err(keyring::Error::NoEntry)) => {}
            Ok(Err(e)) => keychain_problem = Some(e.to_string()),
            Err(e) => keychain_problem = Some(e),
        }
        if let Ok(text) = std::fs::read_to_string(self.file())
            && let Some(key) = ApiKey::new(text)
        {
            return KeyLookup {
                key: Some(key),
                source: KeySource::File,
                keychain_problem,
            };
        }
        KeyLookup {
            key: None,
            source: KeySource::None,
            keychain_problem,
        }
    }

    /// Saves the key in the keychain; with `allow_file`, falls back to a file only
    /// the user can read (mode 0600) when the keychain cannot be used.
    pub fn store(&self, key: &ApiKey, allow_file: bool) -> Result<KeySource, Localized> {
        let keychain = self
            .entry()
            .and_then(|e| e.set_password(key.expose()).map_err(|e| e.to_string()));
        match keychain {
            Ok(()) => {
                let _ = std::fs::remove_file(self.file());
                Ok(KeySource::Keychain)
            }
            Err(problem) if allow_file => {
                write_private(&self.file(), key.expose()).map_err(|e| {
                    loc!(
                        "cli-settings-key-not-saved",
                        keychain_error = &problem,
                        file_error = e.to_string(),
                    )
                })?;
                Ok(KeySource::File)
            }
            Err(problem) => Err(Localized::verbatim(problem)),
        }
    }

    /// Removes the saved key from the keychain and the fallback file.
    pub fn forget(&self) {
        if let Ok(entry) = self.entry() {
            let _ = entry.delete_credential();
        }
        let _ = std::fs::remove_file(self.file());
    }
}

/// Writes a file only its owner can read or write.
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.create(true).write(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    use std::io::Write;
    let mut file = options.open(path)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    }
    file.write_all(text.as_bytes())?;
    file.sync_all()
}

/// A three-way merge of JSON values: `ours` where it differs from `base`,
/// else `theirs`; objects key by key, lists as one value.
fn merge3(
    ours: serde_json::Value,
    base: &serde_json::Value,
    theirs: serde_json::Value,
) -> serde_json::Value {
    use serde_json::Value;
    match (ours, base, theirs) {
        (Value::Object(ours), Value::Object(base), Value::Object(mut theirs)) => {
            for (key, value) in ours {
                let merged = match theirs.remove(&key) {
                    Some(their) => merge3(value, base.get(&key).unwrap_or(&Value::Null), their),
                    None => value,
                };
                theirs.insert(key, merged);
            }
            Value::Object(theirs)
        }
        (ours, base, theirs) => {
            if &ours == base {
                theirs
            } else {
                ours
            }
        }
    }
}

/// The price table merged row by row (a row is a model and a tier): the
/// rows `ours` changed since `base`, the others as `theirs` has them.
fn merge_prices(
    ours: &[PriceEntry],
    base: &[PriceEntry],
    theirs: &[PriceEntry],
) -> Vec<PriceEntry> {
    let same_row = |a: &PriceEntry, b: &PriceEntry| a.model == b.model && a.tier == b.tier;
    let mut merged = theirs.to_vec();
    for row in ours {
        let unchanged = base
            .iter()
            .any(|b| same_row(b, row) && b.per_second == row.per_second);
        if !unchanged {
            merged.retain(|m| !same_row(m, row));
            merged.push(*row);
        }
    }
    merged
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_save_from_the_window_keeps_what_config_set_changed_meanwhile() {
        let base = Settings::default();
        // The window: another theme, a recent project, and a daily cap.
        let mut window = base.clone();
        window.theme = Theme::Dark;
        window.recent_projects = vec![PathBuf::from("/p/a.r2v.json")];
        window.budget.daily = Some(20.0);
        // A terminal meanwhile: a price, the output folder, and both caps.
        let mut disk = base.clone();
        disk.set("price.c1.720p", "0.5").unwrap();
        disk.set("output_dir", "/videos").unwrap();
        disk.set("budget.daily", "5").unwrap();
        disk.set("budget.monthly", "300").unwrap();

        let saved = window.clone().merged_over(&base, disk.clone());
        assert_eq!(saved.theme, Theme::Dark);
        assert_eq!(saved.recent_projects, window.recent_projects);
        assert_eq!(saved.get("price.c1.720p").as_deref(), Some("0.5"));
        assert_eq!(saved.output_dir, Some(PathBuf::from("/videos")));
        assert_eq!(saved.budget.daily, Some(20.0), "both changed: the window's");
        assert_eq!(saved.budget.monthly, Some(300.0));
        // The window's own price change and the terminal's other price both stay.
        let mut window = base.clone();
        window.set("price.v5.6.1080p", "0.9").unwrap();
        let saved = window.merged_over(&base, disk.clone());
        assert_eq!(saved.get("price.v5.6.1080p").as_deref(), Some("0.9"));
        assert_eq!(saved.get("price.c1.720p").as_deref(), Some("0.5"));
        // Nothing changed in the window: the file as it is.
        assert_eq!(base.clone().merged_over(&base, disk.clone()), disk);
    }

    #[test]
    fn settings_round_trip_and_are_clamped() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(Settings::load(dir.path()).unwrap(), Settings::default());
        let s = Settings {
            base_url: Some("https://ws-1.cn-beijing.maas.aliyuncs.com/api/v1".into()),
            queries_per_second: 99,
            lang: Some(Lang::Zh),
            ..Settings::default()
        };
        s.save(dir.path()).unwrap();
        let back = Settings::load(dir.path()).unwrap();
        assert_eq!(back.base_url, s.base_url);
        assert_eq!(
            back.queries_per_second, 20,
            "never above the account's 20 per second"
        );
        std::fs::write(dir.path().join("settings.json"), "{not json").unwrap();
        assert!(
            Settings::load(dir.path())
                .unwrap_err()
                .en
                .contains("damaged")
        );
    }

    #[test]
    fn the_region_is_a_config_key_that_chooses_the_address_unless_a_custom_one_is_set() {
        let mut s = Settings::default();
        assert!(Settings::keys().iter().any(|k| k == "region"));
        assert!(Settings::keys().iter().any(|k| k == "price.v6.720p"));
        assert_eq!(s.get("region").as_deref(), Some("beijing"));
        assert_eq!(s.service_url(), "https://dashscope.aliyuncs.com/api/v1");
        s.set("region", "Singapore").unwrap();
        assert_eq!(s.region, caps::Region::Singapore);
        assert_eq!(s.get("region").as_deref(), Some("singapore"));
        assert_eq!(
            s.service_url(),
            "https://dashscope-intl.aliyuncs.com/api/v1"
        );
        assert!(s.set("region", "mars").is_err());
        assert_eq!(
            s.region,
            caps::Region::Singapore,
            "a refused value changes nothing"
        );
        s.set(
            "base_url",
            "https://ws-9.ap-southeast-1.maas.aliyuncs.com/api/v1/",
        )
        .unwrap();
        assert_eq!(
            s.service_url(),
            "https://ws-9.ap-southeast-1.maas.aliyuncs.com/api/v1"
        );
        // Settings written before regions existed read as Beijing.
        let old: Settings = serde_json::from_str(r#"{"base_url": null}"#).unwrap();
        assert_eq!(old.region, caps::Region::Beijing);
        let round: Settings = serde_json::from_str(&serde_json::to_string(&s).unwrap()).unwrap();
        assert_eq!(round.region, caps::Region::Singapore);
    }

    #[cfg(unix)]
    #[test]
    fn the_fallback_key_file_is_readable_only_by_its_owner() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("api-key");
        write_private(&path, "sk-file-test-0000").unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
}

#[cfg(test)]
mod key_tests {
    use super::*;

    /// Stores, finds and forgets a key. Where no secret service runs (CI, bare
    /// Linux) the keychain fails and the 0600 file takes over, with the reason kept.
    #[test]
    fn a_stored_key_is_found_again_and_forgotten() {
        if std::env::var(API_KEY_ENV).is_ok() {
            return; // the environment would win; nothing to learn here
        }
        let dir = tempfile::tempdir().unwrap();
        let key = ApiKey::new("sk-settings-test-4c1d9e").unwrap();
        let store = KeyStore::with_service(dir.path(), "r2v-studio-test-settings");
        let source = store.store(&key, true).unwrap();
        assert!(matches!(source, KeySource::Keychain | KeySource::File));
        let found = store.load();
        assert_eq!(found.key.as_ref().map(|k| k.expose()), Some(key.expose()));
        assert_eq!(found.source, source);
        store.forget();
        assert!(store.load().key.is_none());
    }
}
