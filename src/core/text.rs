//! User-facing text in both interface languages.

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use serde::{Deserialize, Serialize};
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

/// A sentence in English and Simplified Chinese, taken from the catalogue.
///
/// Both renderings are resolved when it is made, so it can travel (events,
/// the job journal) and be shown later in whichever language is chosen then.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Localized {
    pub en: String,
    pub zh: String,
}

impl Localized {
    /// The message `id` of the catalogue in both languages. Prefer the
    /// [`loc!`](crate::loc) macro, which builds the arguments.
    pub fn from_catalogue(id: &str, args: Option<&Args<'_>>) -> Self {
        Localized {
            en: text(Lang::En, id, args),
            zh: text(Lang::Zh, id, args),
        }
    }

    /// The message `id` in both languages, with arguments made for each
    /// language. Prefer the [`loc!`](crate::loc) macro.
    pub fn from_catalogue_with<'a>(id: &str, args: impl Fn(Lang) -> Args<'a>) -> Self {
        Localized {
            en: text(Lang::En, id, Some(&args(Lang::En))),
            zh: text(Lang::Zh, id, Some(&args(Lang::Zh))),
        }
    }

    /// The same words in both languages: for text that is not language
    /// (a file name, a server's own message).
    pub fn verbatim(text: impl Into<String>) -> Self {
        let text = text.into();
        Localized {
            en: text.clone(),
            zh: text,
        }
    }

    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::En => &self.en,
            Lang::Zh => &self.zh,
        }
    }
}

/// Reads a [`Localized`], or a plain string as the same words in both
/// languages: records written before a text was translated.
pub fn string_or_localized<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Localized, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Either {
        Text(String),
        Both(Localized),
    }
    Ok(match Either::deserialize(d)? {
        Either::Text(text) => Localized::verbatim(text),
        Either::Both(both) => both,
    })
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
    catalogue_file!("ui-settings"),
    catalogue_file!("ui-shell"),
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
    fn value(&self, lang: Lang) -> FluentValue<'_>;
}

impl<T: Arg + ?Sized> Arg for &T {
    fn value(&self, lang: Lang) -> FluentValue<'_> {
        (**self).value(lang)
    }
}

impl Arg for str {
    fn value(&self, _: Lang) -> FluentValue<'_> {
        FluentValue::from(self)
    }
}

impl Arg for String {
    fn value(&self, _: Lang) -> FluentValue<'_> {
        FluentValue::from(self.as_str())
    }
}

impl Arg for Localized {
    fn value(&self, lang: Lang) -> FluentValue<'_> {
        FluentValue::from(self.get(lang))
    }
}

macro_rules! number_args {
    ($($t:ty),*) => {
        $(impl Arg for $t {
            fn value(&self, _: Lang) -> FluentValue<'_> {
                FluentValue::from(*self)
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
/// Each argument is evaluated once; see [`Arg`] for what it may be.
#[macro_export]
macro_rules! loc {
    ($id:literal $(,)?) => {
        $crate::core::text::Localized::from_catalogue($id, None)
    };
    ($id:literal, $($name:ident = $value:expr),+ $(,)?) => {{
        // `name = name` is the common case: binding it again is intended.
        $(#[allow(clippy::redundant_locals)] let $name = $value;)+
        $crate::core::text::Localized::from_catalogue_with($id, |lang__| {
            let mut args = $crate::core::text::Args::new();
            $(args.set(stringify!($name), $crate::core::text::Arg::value(&$name, lang__));)+
            args
        })
    }};
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
        let text = Localized {
            en: "yes".into(),
            zh: "是".into(),
        };
        assert_eq!(text.get(Lang::Zh), "是");
        assert_eq!(text.to_string(), "yes");
    }
}
