//! User-facing text in both interface languages.

use super::redact::{mask_secrets, mask_secrets_uncapped};
use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::sync::OnceLock;
use unic_langid::{LanguageIdentifier, langid};

/// The interface languages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum Lang {
    #[default]
    #[serde(rename = "en")]
    En,
    #[serde(rename = "zh-CN")]
    Zh,
}

impl Lang {
    /// The language for a POSIX locale string such as `zh_CN.UTF-8` or `en_US`.
    pub fn from_locale(locale: &str) -> Lang {
        if locale.trim().to_ascii_lowercase().starts_with("zh") {
            Lang::Zh
        } else {
            Lang::En
        }
    }
}

/// A text in English and Simplified Chinese, kept as its source: a catalogue
/// message with its arguments, or words that are not language (a file path, the
/// service's own message).
///
/// The source is what is serialized (the job journal), so a text is rendered
/// with the catalogue of the program that shows it: a corrected translation
/// reaches old jobs too. Records written before this (a plain string, or
/// `{"en", "zh"}` finished prose) still load.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Localized {
    /// The English rendering of the source. Read it; change the text by making a new one.
    pub en: String,
    /// The Chinese rendering of the source.
    pub zh: String,
    source: Source,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Source {
    /// A catalogue message and its arguments.
    Message {
        id: String,
        args: BTreeMap<String, ArgValue>,
    },
    /// The same words in every language.
    Verbatim(String),
    /// Items joined by the catalogue's list separator.
    List(Vec<String>),
    /// Finished prose from a record written before texts kept their source.
    Legacy { en: String, zh: String },
}

/// An argument of a catalogue message as it is kept: text, a number, or a text
/// with words in each language. Made by [`Arg::to_arg`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ArgValue {
    Number(Number),
    Text(String),
    Localized(Localized),
}

/// A number argument. Whole numbers are written without a fraction.
#[derive(Debug, Clone, Copy)]
pub struct Number(pub f64);

impl PartialEq for Number {
    fn eq(&self, other: &Self) -> bool {
        self.0.to_bits() == other.0.to_bits()
    }
}

impl Eq for Number {}

impl Serialize for Number {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        const EXACT: f64 = 9_007_199_254_740_992.0; // 2^53
        if self.0.fract() == 0.0 && self.0.abs() < EXACT {
            // Exact: the value is whole and within f64's integer range.
            #[allow(clippy::cast_possible_truncation)]
            s.serialize_i64(self.0 as i64)
        } else {
            s.serialize_f64(self.0)
        }
    }
}

impl<'de> Deserialize<'de> for Number {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        f64::deserialize(d).map(Number)
    }
}

impl ArgValue {
    fn fluent(&self, lang: Lang) -> FluentValue<'_> {
        match self {
            ArgValue::Number(n) => FluentValue::from(n.0),
            ArgValue::Text(text) => FluentValue::from(text.as_str()),
            ArgValue::Localized(text) => FluentValue::from(text.get(lang)),
        }
    }
}

impl Localized {
    fn from_source(source: Source) -> Self {
        Localized {
            en: render(&source, Lang::En),
            zh: render(&source, Lang::Zh),
            source,
        }
    }

    /// The message `id` of the catalogue with its arguments. Use the
    /// [`loc!`](crate::loc) macro, whose ids and arguments the catalogue tests check.
    #[doc(hidden)]
    pub fn from_catalogue<'a>(
        id: &str,
        args: impl IntoIterator<Item = (&'a str, ArgValue)>,
    ) -> Self {
        Localized::from_source(Source::Message {
            id: id.to_string(),
            args: args
                .into_iter()
                .map(|(name, value)| (name.to_string(), value))
                .collect(),
        })
    }

    /// The same words in both languages: for text that is not language
    /// (a file name, a path, a number with its unit).
    pub fn verbatim(text: impl Into<String>) -> Self {
        Localized::from_source(Source::Verbatim(text.into()))
    }

    /// Text that came from the network (the service's message, a transport
    /// error), with secrets masked and its length capped: see
    /// [`mask_secrets`](crate::core::redact::mask_secrets).
    pub fn from_network(text: &str) -> Self {
        Localized::verbatim(mask_secrets(text))
    }

    /// Items (file names, sizes) joined by each language's list separator.
    pub fn list<S: Into<String>>(items: impl IntoIterator<Item = S>) -> Self {
        Localized::from_source(Source::List(items.into_iter().map(Into::into).collect()))
    }

    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::En => &self.en,
            Lang::Zh => &self.zh,
        }
    }

    /// The catalogue message this text was made from, if it was.
    pub fn message_id(&self) -> Option<&str> {
        match &self.source {
            Source::Message { id, .. } => Some(id),
            _ => None,
        }
    }
}

fn render(source: &Source, lang: Lang) -> String {
    match source {
        Source::Message { id, args } => {
            let mut fluent = Args::new();
            for (name, value) in args {
                fluent.set(name.as_str(), value.fluent(lang));
            }
            text(lang, id, Some(&fluent))
        }
        Source::Verbatim(text) => text.clone(),
        Source::List(items) => items.join(&crate::tr!(lang, "list-separator")),
        Source::Legacy { en, zh } => match lang {
            Lang::En => en.clone(),
            Lang::Zh => zh.clone(),
        },
    }
}

/// How a [`Localized`] is written: its source.
#[derive(Serialize)]
#[serde(untagged)]
enum WireOut<'a> {
    Message {
        id: &'a str,
        #[serde(skip_serializing_if = "no_args")]
        args: &'a BTreeMap<String, ArgValue>,
    },
    Text {
        text: &'a str,
    },
    List {
        list: &'a [String],
    },
    Legacy {
        en: &'a str,
        zh: &'a str,
    },
}

fn no_args(args: &&BTreeMap<String, ArgValue>) -> bool {
    args.is_empty()
}

/// How a [`Localized`] is read: its source, or what older versions wrote.
#[derive(Deserialize)]
#[serde(untagged)]
enum WireIn {
    /// Before texts were translated: one string.
    OldText(String),
    Message {
        id: String,
        #[serde(default)]
        args: BTreeMap<String, ArgValue>,
    },
    Text {
        text: String,
    },
    List {
        list: Vec<String>,
    },
    /// Before texts kept their source: finished prose in both languages.
    Legacy {
        en: String,
        zh: String,
    },
}

impl Serialize for Localized {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match &self.source {
            Source::Message { id, args } => WireOut::Message { id, args },
            Source::Verbatim(text) => WireOut::Text { text },
            Source::List(list) => WireOut::List { list },
            Source::Legacy { en, zh } => WireOut::Legacy { en, zh },
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for Localized {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // Old records may hold a service message as it came, key and all
        // (defect 11): they are masked as they are read.
        let source = match WireIn::deserialize(d)? {
            WireIn::OldText(text) => Source::Verbatim(mask_secrets_uncapped(&text)),
            WireIn::Message { id, args } => Source::Message { id, args },
            WireIn::Text { text } => Source::Verbatim(text),
            WireIn::List { list } => Source::List(list),
            WireIn::Legacy { en, zh } => Source::Legacy {
                en: mask_secrets_uncapped(&en),
                zh: mask_secrets_uncapped(&zh),
            },
        };
        Ok(Localized::from_source(source))
    }
}

/// Reads a [`Localized`]; kept for `deserialize_with` attributes written when
/// plain strings needed a special case ([`Localized`] reads them itself now).
pub fn string_or_localized<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Localized, D::Error> {
    Localized::deserialize(d)
}

/// English is the default rendering (logs, CLI).
impl fmt::Display for Localized {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.en)
    }
}

/// Named arguments of a catalogue message.
pub type Args<'a> = FluentArgs<'a>;

/// The catalogue's files: (area, English, Simplified Chinese). Every
/// user-visible text of the application is a message in one of these.
pub const CATALOGUE_FILES: &[(&str, &str, &str)] = &[
    catalogue_file!("core"),
    catalogue_file!("api"),
    catalogue_file!("engine"),
    catalogue_file!("cli"),
    catalogue_file!("ui-app"),
    catalogue_file!("ui-editor"),
    catalogue_file!("ui-jobs"),
    catalogue_file!("ui-player"),
    catalogue_file!("ui-settings"),
    catalogue_file!("ui-shell"),
    catalogue_file!("ui-welcome"),
    catalogue_file!("video"),
    catalogue_file!("provenance"),
];

macro_rules! catalogue_file {
    ($area:literal) => {
        (
            $area,
            include_str!(concat!("../../locales/en/", $area, ".ftl")),
            include_str!(concat!("../../locales/zh-CN/", $area, ".ftl")),
        )
    };
}
use catalogue_file;

type Bundle = FluentBundle<FluentResource>;

struct Catalogue {
    en: Bundle,
    zh: Bundle,
}

fn bundle(lang: Lang) -> Bundle {
    let id: LanguageIdentifier = match lang {
        Lang::En => langid!("en"),
        Lang::Zh => langid!("zh-CN"),
    };
    let mut bundle = Bundle::new_concurrent(vec![id]);
    // Unicode isolation marks would show as boxes in some fonts and break
    // copying of ids; our arguments are never right-to-left text.
    bundle.set_use_isolating(false);
    for (area, en, zh) in CATALOGUE_FILES {
        let source = match lang {
            Lang::En => en,
            Lang::Zh => zh,
        };
        let resource =
            FluentResource::try_new(source.to_string()).unwrap_or_else(|(partial, errors)| {
                tracing::error!(area, ?lang, ?errors, "catalogue file has syntax errors");
                partial
            });
        if let Err(errors) = bundle.add_resource(resource) {
            tracing::error!(area, ?lang, ?errors, "catalogue file repeats a message");
        }
    }
    bundle
}

fn catalogue() -> &'static Catalogue {
    static CATALOGUE: OnceLock<Catalogue> = OnceLock::new();
    CATALOGUE.get_or_init(|| Catalogue {
        en: bundle(Lang::En),
        zh: bundle(Lang::Zh),
    })
}

/// The message `id` in `lang`. Prefer the [`tr!`](crate::tr) macro.
///
/// A missing message shows its id (and is logged): the catalogue tests keep
/// that from happening in a build.
pub fn text(lang: Lang, id: &str, args: Option<&Args<'_>>) -> String {
    let catalogue = catalogue();
    let bundle = match lang {
        Lang::En => &catalogue.en,
        Lang::Zh => &catalogue.zh,
    };
    let Some(pattern) = bundle.get_message(id).and_then(|m| m.value()) else {
        tracing::warn!(id, ?lang, "no such message in the catalogue");
        return id.to_string();
    };
    let mut errors = Vec::new();
    let text = bundle.format_pattern(pattern, args, &mut errors);
    if !errors.is_empty() {
        tracing::warn!(
            id,
            ?lang,
            ?errors,
            "catalogue message formatted with errors"
        );
    }
    text.into_owned()
}

/// A value given to a catalogue message. Text and numbers are the same in
/// both languages; a [`Localized`] gives each language its own words.
pub trait Arg {
    /// The value for a message rendered now, in `lang`.
    fn value(&self, lang: Lang) -> FluentValue<'_>;
    /// The value as a [`Localized`] keeps it, to render it again later.
    fn to_arg(&self) -> ArgValue;
}

impl<T: Arg + ?Sized> Arg for &T {
    fn value(&self, lang: Lang) -> FluentValue<'_> {
        (**self).value(lang)
    }
    fn to_arg(&self) -> ArgValue {
        (**self).to_arg()
    }
}

impl Arg for str {
    fn value(&self, _: Lang) -> FluentValue<'_> {
        FluentValue::from(self)
    }
    fn to_arg(&self) -> ArgValue {
        ArgValue::Text(self.to_string())
    }
}

impl Arg for String {
    fn value(&self, _: Lang) -> FluentValue<'_> {
        FluentValue::from(self.as_str())
    }
    fn to_arg(&self) -> ArgValue {
        ArgValue::Text(self.clone())
    }
}

impl Arg for Localized {
    fn value(&self, lang: Lang) -> FluentValue<'_> {
        FluentValue::from(self.get(lang))
    }
    fn to_arg(&self) -> ArgValue {
        ArgValue::Localized(self.clone())
    }
}

macro_rules! number_args {
    ($($t:ty),*) => {
        $(impl Arg for $t {
            fn value(&self, _: Lang) -> FluentValue<'_> {
                FluentValue::from(*self)
            }
            fn to_arg(&self) -> ArgValue {
                // Fluent keeps every number as an f64.
                #[allow(clippy::cast_precision_loss, clippy::cast_lossless)]
                ArgValue::Number(Number(*self as f64))
            }
        })*
    };
}
number_args!(u8, u16, u32, u64, usize, i32, i64, f64);

/// A catalogue message in one language, as a `String`:
/// `tr!(lang, "jobs-title")`, `tr!(lang, "jobs-position", position = 3)`.
/// Each argument is evaluated once; see [`Arg`] for what it may be.
#[macro_export]
macro_rules! tr {
    ($lang:expr, $id:literal $(,)?) => {
        $crate::core::text::text($lang, $id, None)
    };
    ($lang:expr, $id:literal, $($name:ident = $value:expr),+ $(,)?) => {{
        let lang__: $crate::core::text::Lang = $lang;
        // `name = name` is the common case: binding it again is intended.
        $(#[allow(clippy::redundant_locals)] let $name = $value;)+
        let mut args = $crate::core::text::Args::new();
        $(args.set(stringify!($name), $crate::core::text::Arg::value(&$name, lang__));)+
        $crate::core::text::text(lang__, $id, Some(&args))
    }};
}

/// A catalogue message in both languages, as a [`Localized`]:
/// `loc!("name-empty")`, `loc!("name-too-long", bytes = 40)`.
/// Each argument is evaluated once; see [`Arg`] for what it may be. The text
/// keeps the id and the arguments, and is rendered again when it is read back.
#[macro_export]
macro_rules! loc {
    ($id:literal $(,)?) => {
        $crate::core::text::Localized::from_catalogue($id, [])
    };
    ($id:literal, $($name:ident = $value:expr),+ $(,)?) => {
        $crate::core::text::Localized::from_catalogue(
            $id,
            [$((stringify!($name), $crate::core::text::Arg::to_arg(&$value))),+],
        )
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locales_map_to_languages() {
        assert_eq!(Lang::from_locale("zh_CN.UTF-8"), Lang::Zh);
        assert_eq!(Lang::from_locale("zh_TW"), Lang::Zh);
        assert_eq!(Lang::from_locale("en_US.UTF-8"), Lang::En);
        assert_eq!(Lang::from_locale("C"), Lang::En);
        let text: Localized = serde_json::from_str(r#"{"en": "yes", "zh": "是"}"#).unwrap();
        assert_eq!(text.to_string(), "yes");
    }

    #[test]
    fn a_message_is_stored_as_its_id_and_arguments_and_rendered_when_read() {
        let detail = Localized::verbatim("/tmp/a b.png");
        let text = crate::loc!("problem-ref-name", number = 2, reason = loc!("name-empty"));
        let json = serde_json::to_value(&text).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "id": "problem-ref-name",
                "args": {"number": 2, "reason": {"id": "name-empty"}},
            })
        );
        // No finished prose is written, in either language.
        let written = json.to_string();
        assert!(
            !written.contains("Reference") && !written.contains("引用"),
            "{written}"
        );
        let back: Localized = serde_json::from_value(json).unwrap();
        assert_eq!(back, text);
        assert!(
            back.en.starts_with("Reference 2: The name is empty"),
            "{}",
            back.en
        );
        assert!(back.zh.contains('2') && back.zh.contains(&loc!("name-empty").zh));
        // Verbatim text keeps its exact words.
        let json = serde_json::to_string(&detail).unwrap();
        assert_eq!(json, r#"{"text":"/tmp/a b.png"}"#);
        assert_eq!(serde_json::from_str::<Localized>(&json).unwrap(), detail);
    }

    #[test]
    fn a_stored_message_is_rendered_with_the_catalogue_that_reads_it() {
        // As a journal written by an older build would hold it: only the id and
        // arguments, no prose; the words come from this build's catalogue.
        let stored = r#"{"id": "name-too-long", "args": {"bytes": 40, "max": 30}}"#;
        let text: Localized = serde_json::from_str(stored).unwrap();
        assert_eq!(text, loc!("name-too-long", bytes = 40, max = 30));
        assert_eq!(text.message_id(), Some("name-too-long"));
        assert!(text.zh.contains("40") && !text.zh.contains("bytes long"));
    }

    #[test]
    fn records_written_before_texts_kept_their_source_still_load() {
        let plain: Localized = serde_json::from_str(r#""Invalid API-key provided.""#).unwrap();
        assert_eq!(plain.get(Lang::En), "Invalid API-key provided.");
        assert_eq!(plain.get(Lang::Zh), "Invalid API-key provided.");
        let both: Localized =
            serde_json::from_str(r#"{"en": "The video was saved.", "zh": "视频已保存。"}"#)
                .unwrap();
        assert_eq!(both.get(Lang::Zh), "视频已保存。");
        assert_eq!(both.to_string(), "The video was saved.");
        // Written again, the old prose stays as it was.
        let again: Localized =
            serde_json::from_str(&serde_json::to_string(&both).unwrap()).unwrap();
        assert_eq!(again, both);
        // In a struct field, through the old `deserialize_with` helper too.
        #[derive(Deserialize)]
        struct Record {
            #[serde(deserialize_with = "string_or_localized")]
            message: Localized,
        }
        let record: Record = serde_json::from_str(r#"{"message": "plain"}"#).unwrap();
        assert_eq!(record.message.get(Lang::Zh), "plain");
    }

    #[test]
    fn old_records_holding_a_key_are_masked_when_read() {
        let key = "sk-9f8e7d6c5b4a39281706f5e4d3c2b1a0";
        let plain: Localized = serde_json::from_str(&format!(r#""bad key {key}""#)).unwrap();
        assert_eq!(plain.en, "bad key sk-…b1a0");
        let both: Localized = serde_json::from_str(&format!(
            r#"{{"en": "bad key {key}", "zh": "密钥{key}无效"}}"#
        ))
        .unwrap();
        assert!(!both.en.contains(key) && !both.zh.contains(key), "{both:?}");
        assert_eq!(both.zh, "密钥sk-…b1a0无效");
        // Old prose is ours: masked, but not cut.
        let long = "长".repeat(800);
        let old: Localized = serde_json::from_str(&format!(r#""{long}""#)).unwrap();
        assert_eq!(old.en, long);
    }

    #[test]
    fn network_text_is_masked_and_capped() {
        let key = "sk-9f8e7d6c5b4a39281706f5e4d3c2b1a0";
        let text = Localized::from_network(&format!("网关：{key} {}", "错".repeat(600)));
        assert!(!text.en.contains(key) && text.zh.starts_with("网关：sk-…b1a0 "));
        assert_eq!(
            text.zh.chars().count(),
            crate::core::redact::MAX_NETWORK_TEXT_CHARS
        );
    }

    #[test]
    fn a_list_is_joined_by_each_languages_separator() {
        let list = Localized::list(["a.png", "b.png"]);
        assert_eq!(
            list.en,
            format!("a.png{}b.png", text(Lang::En, "list-separator", None))
        );
        assert_eq!(
            list.zh,
            format!("a.png{}b.png", text(Lang::Zh, "list-separator", None))
        );
        let back: Localized = serde_json::from_str(&serde_json::to_string(&list).unwrap()).unwrap();
        assert_eq!(back, list);
    }

    #[test]
    fn numbers_keep_their_value_and_whole_ones_are_written_without_a_fraction() {
        let text = loc!("name-too-long", bytes = 40u64, max = 2.5f64);
        let json = serde_json::to_string(&text).unwrap();
        assert!(
            json.contains(r#""bytes":40"#) && json.contains(r#""max":2.5"#),
            "{json}"
        );
        let back: Localized = serde_json::from_str(&json).unwrap();
        assert_eq!(back, text);
        assert!(back.en.contains("2.5"));
    }
}
