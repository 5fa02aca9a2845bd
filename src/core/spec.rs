//! What the user chose, and every reason it cannot be sent yet.

use super::capabilities::{
    self as caps, AspectRatio, MAX_IMAGES, MIN_IMAGES, Model, SEED_MAX, SEED_MIN, Size, Tier,
};
use super::mentions::{self, find_mentions};
use super::refname::{self, check_name};
use super::text::Localized;
use crate::loc;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::ops::Range;
use std::path::PathBuf;

/// Where a reference image comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RefSource {
    /// A file on this computer: uploaded to Model Studio's temporary storage first.
    Local(PathBuf),
    /// An `http(s)://` or `oss://` URL, sent as is.
    Url(String),
}

impl RefSource {
    /// A local path unless the text is a URL.
    pub fn from_text(text: &str) -> RefSource {
        let trimmed = text.trim();
        let lower = trimmed.to_ascii_lowercase();
        if ["http://", "https://", "oss://"]
            .iter()
            .any(|p| lower.starts_with(p))
        {
            RefSource::Url(trimmed.to_string())
        } else {
            RefSource::Local(PathBuf::from(trimmed))
        }
    }

    /// The text a user would recognise: the path or the URL.
    pub fn display(&self) -> String {
        match self {
            RefSource::Local(path) => path.display().to_string(),
            RefSource::Url(url) => url.clone(),
        }
    }
}

/// One reference image and the name the prompt uses for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reference {
    pub name: String,
    pub source: RefSource,
}

/// Random (the service picks) or a fixed seed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Seed {
    #[default]
    Random,
    Fixed(u32),
}

/// Everything the user chose for one generation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GenerationSpec {
    pub model: Model,
    pub references: Vec<Reference>,
    pub prompt: String,
    pub tier: Tier,
    pub ratio: AspectRatio,
    pub duration: u32,
    pub audio: bool,
    pub watermark: bool,
    pub seed: Seed,
}

impl Default for GenerationSpec {
    fn default() -> Self {
        GenerationSpec {
            model: caps::DEFAULT_MODEL,
            references: Vec::new(),
            prompt: String::new(),
            tier: caps::DEFAULT_TIER,
            ratio: caps::DEFAULT_RATIO,
            duration: caps::DEFAULT_DURATION,
            audio: caps::DEFAULT_AUDIO,
            watermark: caps::DEFAULT_WATERMARK,
            seed: Seed::Random,
        }
    }
}

/// The part of the spec a problem concerns, so that the UI can focus it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Field {
    Model,
    /// The list of references as a whole (count).
    References,
    RefName(usize),
    RefSource(usize),
    /// The prompt, with the char range of the offending text when there is one.
    Prompt(Option<Range<usize>>),
    Tier,
    Ratio,
    Duration,
    Seed,
}

/// One reason the spec cannot be sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Stable identifier, e.g. `prompt.too_long`.
    pub code: &'static str,
    pub field: Field,
    pub message: Localized,
}

impl Problem {
    fn new(code: &'static str, field: Field, message: Localized) -> Self {
        Problem {
            code,
            field,
            message,
        }
    }
}

impl GenerationSpec {
    /// The output size, if the model offers this tier and ratio.
    pub fn size(&self) -> Option<Size> {
        self.model.size(self.tier, self.ratio)
    }

    /// The prompt as sent: a space after every mention.
    pub fn wire_prompt(&self) -> String {
        mentions::with_spaces_after_mentions(&self.prompt)
    }

    /// Characters the service will count (the wire prompt).
    pub fn prompt_chars(&self) -> usize {
        self.wire_prompt().chars().count()
    }

    /// Whether the request carries `ref_name`s: only when the prompt mentions any.
    pub fn uses_ref_names(&self) -> bool {
        !find_mentions(&self.prompt).is_empty()
    }

    pub fn ref_names(&self) -> Vec<&str> {
        self.references.iter().map(|r| r.name.as_str()).collect()
    }

    /// The estimated price from a price table.
    pub fn estimated_price(&self, table: &[caps::PriceEntry]) -> Option<f64> {
        caps::estimate_price(table, self.model, self.tier, self.duration)
    }

    /// Every problem at once; empty means the spec can be sent.
    pub fn validate(&self) -> Vec<Problem> {
        let mut problems = Vec::new();
        self.check_references(&mut problems);
        self.check_prompt(&mut problems);
        self.check_parameters(&mut problems);
        problems
    }

    fn check_references(&self, problems: &mut Vec<Problem>) {
        let count = self.references.len();
        if count < MIN_IMAGES {
            problems.push(Problem::new(
                "images.none",
                Field::References,
                loc!("problem-images-none"),
            ));
        } else if count > MAX_IMAGES {
            problems.push(Problem::new(
                "images.too_many",
                Field::References,
                loc!(
                    "problem-images-too-many",
                    count = count,
                    max = MAX_IMAGES,
                    remove = count - MAX_IMAGES
                ),
            ));
        }
        let mut seen = HashSet::new();
        for (i, reference) in self.references.iter().enumerate() {
            let number = i + 1;
            if let Err(problem) = check_name(&reference.name) {
                problems.push(Problem::new(
                    problem.code(),
                    Field::RefName(i),
                    loc!(
                        "problem-ref-name",
                        number = number,
                        reason = problem.describe()
                    ),
                ));
            } else if !seen.insert(reference.name.as_str()) {
                problems.push(Problem::new(
                    "ref.name.duplicate",
                    Field::RefName(i),
                    loc!(
                        "problem-ref-name-duplicate",
                        number = number,
                        name = reference.name.as_str()
                    ),
                ));
            }
            match &reference.source {
                RefSource::Local(path) if path.as_os_str().is_empty() => {
                    problems.push(Problem::new(
                        "ref.source.empty",
                        Field::RefSource(i),
                        loc!("problem-ref-source-empty", number = number),
                    ));
                }
                RefSource::Url(url) if !is_usable_url(url) => {
                    problems.push(Problem::new(
                        "ref.url.invalid",
                        Field::RefSource(i),
                        loc!(
                            "problem-ref-url-invalid",
                            number = number,
                            url = url.as_str()
                        ),
                    ));
                }
                _ => {}
            }
        }
    }

    fn check_prompt(&self, problems: &mut Vec<Problem>) {
        let info = self.model.info();
        if self.prompt.trim().is_empty() {
            problems.push(Problem::new(
                "prompt.empty",
                Field::Prompt(None),
                loc!("problem-prompt-empty"),
            ));
        }
        let chars = self.prompt_chars();
        if chars > info.prompt_limit {
            problems.push(Problem::new(
                "prompt.too_long",
                Field::Prompt(None),
                loc!(
                    "problem-prompt-too-long",
                    chars = chars,
                    model = info.display_name,
                    limit = info.prompt_limit,
                    over = chars - info.prompt_limit
                ),
            ));
        }
        let names = self.ref_names();
        let found = find_mentions(&self.prompt);
        let mut mentioned = HashSet::new();
        // Names that an unknown mention probably meant (`@男人坐在` → 男人): the
        // unknown mention's message already says so, once is enough.
        let mut hinted = HashSet::new();
        for m in &found {
            if names.contains(&m.name) {
                mentioned.insert(m.name);
                continue;
            }
            // `@男人坐在` most likely means `@男人` followed by text without the space.
            let hint = names
                .iter()
                .filter(|n| !n.is_empty() && m.name.starts_with(**n))
                .max_by_key(|n| n.len());
            if let Some(prefix) = hint {
                hinted.insert(*prefix);
            }
            let message = match hint {
                Some(prefix) => loc!(
                    "problem-mention-unknown-hint",
                    mention = m.name,
                    prefix = *prefix
                ),
                None => loc!("problem-mention-unknown", mention = m.name),
            };
            problems.push(Problem::new(
                "mention.unknown",
                Field::Prompt(Some(m.chars.clone())),
                message,
            ));
        }
        if !found.is_empty() {
            for (i, reference) in self.references.iter().enumerate() {
                let name = reference.name.as_str();
                if !name.is_empty() && !mentioned.contains(name) && !hinted.contains(name) {
                    problems.push(Problem::new(
                        "mention.missing",
                        Field::RefName(i),
                        loc!("problem-mention-missing", name = name),
                    ));
                }
            }
        }
    }

    fn check_parameters(&self, problems: &mut Vec<Problem>) {
        let info = self.model.info();
        if !self.model.tiers().any(|t| t == self.tier) {
            problems.push(Problem::new(
                "size.tier_unavailable",
                Field::Tier,
                loc!(
                    "problem-tier-unavailable",
                    model = info.display_name,
                    tier = self.tier.to_string()
                ),
            ));
        } else if self.size().is_none() {
            let offered: Vec<_> = self.model.ratios(self.tier).map(|r| r.label()).collect();
            let offered = Localized::list(offered);
            problems.push(Problem::new(
                "size.ratio_unavailable",
                Field::Ratio,
                loc!(
                    "problem-ratio-unavailable",
                    model = info.display_name,
                    ratio = self.ratio.to_string(),
                    offered = offered
                ),
            ));
        }
        let durations = self.model.durations(self.tier);
        if !durations.contains(self.duration) {
            problems.push(Problem::new(
                "duration.invalid",
                Field::Duration,
                loc!(
                    "problem-duration-invalid",
                    duration = self.duration,
                    model = info.display_name,
                    tier = self.tier.to_string(),
                    durations = durations.describe()
                ),
            ));
        }
        if let Seed::Fixed(seed) = self.seed
            && !(SEED_MIN..=SEED_MAX).contains(&seed)
        {
            problems.push(Problem::new(
                "seed.out_of_range",
                Field::Seed,
                loc!(
                    "problem-seed-out-of-range",
                    seed = seed,
                    min = SEED_MIN,
                    max = SEED_MAX
                ),
            ));
        }
    }

    /// Moves the spec to `model`, fixing choices the new model does not offer.
    /// Returns what changed, one note per adjustment.
    pub fn switch_model(&mut self, model: Model) -> Vec<Localized> {
        self.model = model;
        self.fit_to_model()
    }

    /// Fixes the tier, ratio and duration so that the current model offers them.
    pub fn fit_to_model(&mut self) -> Vec<Localized> {
        let mut notes = Vec::new();
        let info = self.model.info();
        if !self.model.tiers().any(|t| t == self.tier) {
            let old = self.tier;
            self.tier = self.model.tiers().last().unwrap_or(caps::DEFAULT_TIER);
            notes.push(loc!(
                "note-tier-switched",
                old = old.to_string(),
                model = info.display_name,
                new = self.tier.to_string()
            ));
        }
        if self.size().is_none() {
            let old = self.ratio;
            self.ratio = self
                .model
                .ratios(self.tier)
                .next()
                .unwrap_or(caps::DEFAULT_RATIO);
            notes.push(loc!(
                "note-ratio-switched",
                old = old.to_string(),
                model = info.display_name,
                new = self.ratio.to_string()
            ));
        }
        let durations = self.model.durations(self.tier);
        if !durations.contains(self.duration) {
            let old = self.duration;
            self.duration = durations.nearest(old);
            notes.push(loc!(
                "note-duration-switched",
                old = old,
                model = info.display_name,
                tier = self.tier.to_string(),
                new = self.duration
            ));
        }
        notes
    }

    /// Renames reference `index` and every mention of it in the prompt.
    pub fn rename_reference(&mut self, index: usize, new_name: &str) {
        if let Some(reference) = self.references.get_mut(index) {
            self.prompt = mentions::rename(&self.prompt, &reference.name, new_name);
            reference.name = new_name.to_string();
        }
    }

    /// Adds a reference with a proposed unique name; returns its index.
    pub fn add_reference(&mut self, source: RefSource) -> usize {
        let name = refname::propose(&source.display(), &self.ref_names());
        self.references.push(Reference { name, source });
        self.references.len() - 1
    }
}

fn is_usable_url(url: &str) -> bool {
    match url::Url::parse(url) {
        Ok(parsed) => match parsed.scheme() {
            "http" | "https" => parsed.host_str().is_some_and(|h| !h.is_empty()),
            "oss" => parsed.host_str().is_some_and(|h| !h.is_empty()) && parsed.path().len() > 1,
            _ => false,
        },
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reference(name: &str) -> Reference {
        Reference {
            name: name.into(),
            source: RefSource::Url(format!("https://example.com/{name}.png")),
        }
    }

    fn spec(names: &[&str], prompt: &str) -> GenerationSpec {
        GenerationSpec {
            references: names.iter().map(|n| reference(n)).collect(),
            prompt: prompt.into(),
            ..GenerationSpec::default()
        }
    }

    fn codes(spec: &GenerationSpec) -> Vec<&'static str> {
        spec.validate().into_iter().map(|p| p.code).collect()
    }

    #[test]
    fn a_complete_spec_has_no_problems() {
        let s = spec(&["男人", "吉他"], "@男人 坐在椅子上，手持@吉他，微笑");
        assert_eq!(s.validate(), vec![]);
        assert_eq!(s.wire_prompt(), "@男人 坐在椅子上，手持@吉他 ，微笑");
        assert!(s.uses_ref_names());
    }

    #[test]
    fn a_prompt_without_mentions_sends_no_ref_names() {
        let s = spec(&["a", "b"], "a cat in a cafe");
        assert_eq!(s.validate(), vec![]);
        assert!(!s.uses_ref_names());
    }

    #[test]
    fn reports_every_problem_at_once() {
        let mut s = spec(&["cat", "cat", "a b"], "");
        s.model = Model::V56;
        s.ratio = AspectRatio::R21x9;
        s.duration = 15;
        s.seed = Seed::Fixed(SEED_MAX + 1);
        assert_eq!(
            codes(&s),
            vec![
                "ref.name.duplicate",
                "ref.name.whitespace",
                "prompt.empty",
                "size.ratio_unavailable",
                "duration.invalid",
                "seed.out_of_range"
            ]
        );
        for problem in s.validate() {
            assert!(!problem.message.en.is_empty() && !problem.message.zh.is_empty());
        }
    }

    #[test]
    fn counts_images() {
        assert_eq!(codes(&spec(&[], "x")), vec!["images.none"]);
        let names: Vec<String> = (0..8).map(|i| format!("r{i}")).collect();
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        assert_eq!(codes(&spec(&names, "x")), vec!["images.too_many"]);
        assert_eq!(codes(&spec(&names[..7], "x")), Vec::<&str>::new());
    }

    #[test]
    fn prompt_limits_are_per_model_in_characters() {
        let mut s = spec(&["a"], &"字".repeat(2049));
        assert_eq!(codes(&s), Vec::<&str>::new(), "c1 accepts 2049");
        s.model = Model::V56;
        assert_eq!(codes(&s), vec!["prompt.too_long"]);
        s.prompt = "字".repeat(2048);
        assert_eq!(codes(&s), Vec::<&str>::new());
        s.prompt = format!("{}@a", "字".repeat(2045));
        assert_eq!(s.prompt_chars(), 2048, "the added space counts");
        s.prompt = format!("{}@a", "字".repeat(2046));
        assert_eq!(codes(&s), vec!["prompt.too_long"]);
    }

    #[test]
    fn mentions_must_name_references_and_cover_all_of_them() {
        let s = spec(&["cat", "dog"], "@cat runs to @cow");
        let problems = s.validate();
        assert_eq!(
            problems.iter().map(|p| p.code).collect::<Vec<_>>(),
            vec!["mention.unknown", "mention.missing"]
        );
        assert_eq!(problems[0].field, Field::Prompt(Some(13..17)));
        assert_eq!(problems[1].field, Field::RefName(1));
    }

    #[test]
    fn a_glued_mention_suggests_the_missing_space() {
        let s = spec(&["男人"], "@男人坐在椅子上");
        let problems = s.validate();
        assert_eq!(
            problems.len(),
            1,
            "no second problem for the same mistake: {problems:?}"
        );
        assert_eq!(problems[0].code, "mention.unknown");
        assert!(
            problems[0].message.en.contains("If you meant @男人"),
            "{}",
            problems[0].message.en
        );
    }

    #[test]
    fn urls_must_be_usable() {
        let mut s = spec(&["a"], "x");
        s.references[0].source = RefSource::Url("ftp://example.com/a.png".into());
        assert_eq!(codes(&s), vec!["ref.url.invalid"]);
        s.references[0].source = RefSource::Url("oss://dashscope-instant/x/a.png".into());
        assert_eq!(codes(&s), Vec::<&str>::new());
        s.references[0].source = RefSource::Local(PathBuf::new());
        assert_eq!(codes(&s), vec!["ref.source.empty"]);
    }

    #[test]
    fn durations_depend_on_model_and_tier() {
        let mut s = spec(&["a"], "x");
        s.model = Model::V56;
        s.duration = 10;
        assert_eq!(codes(&s), Vec::<&str>::new());
        s.tier = Tier::P1080;
        assert_eq!(codes(&s), vec!["duration.invalid"]);
        s.duration = 8;
        assert_eq!(codes(&s), Vec::<&str>::new());
    }

    #[test]
    fn switching_to_v56_fixes_ratio_and_duration_and_says_so() {
        let mut s = spec(&["a"], "x");
        s.ratio = AspectRatio::R21x9;
        s.duration = 12;
        let notes = s.switch_model(Model::V56);
        assert_eq!(s.ratio, AspectRatio::R16x9);
        assert_eq!(s.duration, 10);
        assert_eq!(notes.len(), 2);
        assert_eq!(
            notes[0].en,
            "21:9 is not available on PixVerse V5.6: switched to 16:9."
        );
        assert_eq!(s.validate(), vec![]);
        assert!(s.switch_model(Model::C1).is_empty());
    }

    #[test]
    fn renaming_a_reference_renames_its_mentions_only() {
        let mut s = spec(&["cat", "cats"], "@cat and @cats");
        s.rename_reference(0, "猫");
        assert_eq!(s.prompt, "@猫 and @cats");
        assert_eq!(s.references[0].name, "猫");
    }

    #[test]
    fn sources_are_recognised_from_text() {
        assert_eq!(
            RefSource::from_text(" https://a.b/c.png "),
            RefSource::Url("https://a.b/c.png".into())
        );
        assert_eq!(
            RefSource::from_text("OSS://x/y"),
            RefSource::Url("OSS://x/y".into())
        );
        assert_eq!(
            RefSource::from_text("/tmp/a.png"),
            RefSource::Local("/tmp/a.png".into())
        );
    }

    #[test]
    fn specs_round_trip_through_json() {
        let mut s = spec(&["a"], "@a 走");
        s.seed = Seed::Fixed(42);
        s.references.push(Reference {
            name: "b".into(),
            source: RefSource::Local("/tmp/b.png".into()),
        });
        let json = serde_json::to_string(&s).unwrap();
        assert_eq!(serde_json::from_str::<GenerationSpec>(&json).unwrap(), s);
    }
}
