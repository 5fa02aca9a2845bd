//! The one table of service facts: models, sizes, durations, limits, prices.
//!
//! Every fact about the service that another module needs comes from here, so that
//! a correction is a one-line change. Facts marked *unverified* come from third
//! parties rather than the official Model Studio documentation.

use serde::{Deserialize, Serialize};
use std::fmt;

/// The PixVerse reference-to-video models served by Model Studio.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Model {
    #[serde(rename = "pixverse/pixverse-c1-r2v")]
    C1,
    #[serde(rename = "pixverse/pixverse-v5.6-r2v")]
    V56,
    /// Served by the international (Singapore) region.
    #[serde(rename = "pixverse/pixverse-v6-r2v")]
    V6,
}

/// The Model Studio regions the app knows. Keys, uploads, tasks and models are
/// separate per region: a key made in one region is refused by the other.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Region {
    /// China (Beijing), `dashscope.aliyuncs.com`.
    #[default]
    Beijing,
    /// International (Singapore), `dashscope-intl.aliyuncs.com`.
    Singapore,
}

/// Everything the app knows about one region.
#[derive(Debug)]
pub struct RegionInfo {
    pub region: Region,
    /// The value of the `region` setting.
    pub id: &'static str,
    /// The shared address of the region's API.
    pub base_url: &'static str,
    /// The region's workspace address, as Model Studio's reference pages write it
    /// (`{WorkspaceId}` stands for the user's workspace id).
    pub workspace_url: &'static str,
    /// Where the user creates an API key (the Model Studio console of the region).
    pub key_page: &'static str,
    /// The PixVerse reference-to-video models the region serves.
    pub models: &'static [Model],
    /// Facts in this row that no official page confirmed (shown as such).
    pub unconfirmed: &'static [Fact],
}

/// A fact of the capability table that may lack official confirmation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fact {
    /// The region's shared address (`base_url`).
    BaseUrl,
    /// The console page for keys.
    KeyPage,
    /// A model's exact wire name.
    ModelName,
    Sizes,
    Durations,
    PromptLimit,
    Audio,
    SeedRange,
    ReferenceCount,
}

/// Output resolution tiers, in ascending order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Tier {
    #[serde(rename = "360P")]
    P360,
    #[serde(rename = "540P")]
    P540,
    #[serde(rename = "720P")]
    P720,
    #[serde(rename = "1080P")]
    P1080,
}

/// Aspect ratios, in the order the documentation lists sizes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum AspectRatio {
    #[serde(rename = "16:9")]
    R16x9,
    #[serde(rename = "4:3")]
    R4x3,
    #[serde(rename = "1:1")]
    R1x1,
    #[serde(rename = "3:4")]
    R3x4,
    #[serde(rename = "9:16")]
    R9x16,
    #[serde(rename = "3:2")]
    R3x2,
    #[serde(rename = "2:3")]
    R2x3,
    #[serde(rename = "21:9")]
    R21x9,
}

/// An output size in pixels, written `W*H` on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Size {
    pub width: u32,
    pub height: u32,
}

impl fmt::Display for Size {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}*{}", self.width, self.height)
    }
}

impl Size {
    /// Parses `W*H` (also accepts `WxH`).
    pub fn parse(text: &str) -> Option<Size> {
        let (w, h) = text.trim().split_once(['*', 'x', 'X', '×'])?;
        Some(Size {
            width: w.trim().parse().ok()?,
            height: h.trim().parse().ok()?,
        })
    }
}

/// Durations a model accepts, in seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Durations {
    /// Any whole number of seconds in the range.
    Range { min: u32, max: u32 },
    /// Only the listed values.
    Choices(&'static [u32]),
}

impl Durations {
    pub fn contains(&self, seconds: u32) -> bool {
        match *self {
            Durations::Range { min, max } => (min..=max).contains(&seconds),
            Durations::Choices(list) => list.contains(&seconds),
        }
    }

    /// Every accepted value, ascending.
    pub fn values(&self) -> Vec<u32> {
        match *self {
            Durations::Range { min, max } => (min..=max).collect(),
            Durations::Choices(list) => list.to_vec(),
        }
    }

    /// The accepted value nearest to `seconds` (ties go to the shorter one).
    pub fn nearest(&self, seconds: u32) -> u32 {
        let values = self.values();
        values
            .iter()
            .copied()
            .min_by_key(|v| (v.abs_diff(seconds), *v))
            .unwrap_or(seconds)
    }

    /// A short human form: `1–15` or `5, 8, 10`.
    pub fn describe(&self) -> String {
        match *self {
            Durations::Range { min, max } => format!("{min}–{max}"),
            Durations::Choices(list) => list
                .iter()
                .map(u32::to_string)
                .collect::<Vec<_>>()
                .join(", "),
        }
    }
}

/// Everything the app knows about one model.
#[derive(Debug)]
pub struct ModelInfo {
    pub model: Model,
    /// The exact name sent as `model` on the wire.
    pub wire_name: &'static str,
    /// The short name used on the command line.
    pub short_name: &'static str,
    pub display_name: &'static str,
    /// Prompt limit in characters (a CJK character counts as one).
    pub prompt_limit: usize,
    /// Sizes per tier, each in [`AspectRatio`] order.
    pub sizes: &'static [(Tier, &'static [(AspectRatio, Size)])],
    durations: Durations,
    /// Durations at 1080P when they differ from the others.
    durations_1080p: Option<Durations>,
    /// Tasks of one series share the account's concurrency limit (*unverified*:
    /// whether c1 and v5.6 count as one series or two).
    pub series: &'static str,
    /// Facts in this row that no official Model Studio page confirmed; the
    /// window shows the model as "unconfirmed" when this is not empty.
    pub unconfirmed: &'static [Fact],
}

const fn sz(width: u32, height: u32) -> Size {
    Size { width, height }
}

use AspectRatio::*;

const C1_SIZES: &[(Tier, &[(AspectRatio, Size)])] = &[
    (
        Tier::P360,
        &[
            (R16x9, sz(640, 360)),
            (R4x3, sz(640, 480)),
            (R1x1, sz(640, 640)),
            (R3x4, sz(480, 640)),
            (R9x16, sz(360, 640)),
            (R3x2, sz(640, 432)),
            (R2x3, sz(432, 640)),
            (R21x9, sz(640, 288)),
        ],
    ),
    (
        Tier::P540,
        &[
            (R16x9, sz(1024, 576)),
            (R4x3, sz(1024, 768)),
            (R1x1, sz(1024, 1024)),
            (R3x4, sz(768, 1024)),
            (R9x16, sz(576, 1024)),
            (R3x2, sz(1024, 688)),
            (R2x3, sz(688, 1024)),
            (R21x9, sz(1024, 448)),
        ],
    ),
    (
        Tier::P720,
        &[
            (R16x9, sz(1280, 720)),
            (R4x3, sz(1108, 832)),
            (R1x1, sz(960, 960)),
            (R3x4, sz(832, 1108)),
            (R9x16, sz(720, 1280)),
            (R3x2, sz(1200, 800)),
            (R2x3, sz(800, 1200)),
            (R21x9, sz(1280, 560)),
        ],
    ),
    (
        Tier::P1080,
        &[
            (R16x9, sz(1920, 1080)),
            (R4x3, sz(1664, 1248)),
            (R1x1, sz(1440, 1440)),
            (R3x4, sz(1248, 1664)),
            (R9x16, sz(1080, 1920)),
            (R3x2, sz(1776, 1184)),
            (R2x3, sz(1184, 1776)),
            (R21x9, sz(1920, 832)),
        ],
    ),
];

const V56_SIZES: &[(Tier, &[(AspectRatio, Size)])] = &[
    (
        Tier::P360,
        &[
            (R16x9, sz(640, 360)),
            (R4x3, sz(640, 480)),
            (R1x1, sz(640, 640)),
            (R3x4, sz(480, 640)),
            (R9x16, sz(360, 640)),
        ],
    ),
    (
        Tier::P540,
        &[
            (R16x9, sz(1024, 576)),
            (R4x3, sz(1024, 768)),
            (R1x1, sz(1024, 1024)),
            (R3x4, sz(768, 1024)),
            (R9x16, sz(576, 1024)),
        ],
    ),
    (
        Tier::P720,
        &[
            (R16x9, sz(1280, 720)),
            (R4x3, sz(1108, 830)),
            (R1x1, sz(960, 960)),
            (R3x4, sz(830, 1108)),
            (R9x16, sz(720, 1280)),
        ],
    ),
    (
        Tier::P1080,
        &[
            (R16x9, sz(1920, 1080)),
            (R4x3, sz(1662, 1246)),
            (R1x1, sz(1440, 1440)),
            (R3x4, sz(1246, 1662)),
            (R9x16, sz(1080, 1920)),
        ],
    ),
];

static MODELS: [ModelInfo; 3] = [
    ModelInfo {
        model: Model::C1,
        wire_name: "pixverse/pixverse-c1-r2v",
        short_name: "c1",
        display_name: "PixVerse C1",
        prompt_limit: 5000,
        sizes: C1_SIZES,
        durations: Durations::Range { min: 1, max: 15 },
        durations_1080p: None,
        series: "pixverse-c1",
        unconfirmed: &[],
    },
    ModelInfo {
        model: Model::V56,
        wire_name: "pixverse/pixverse-v5.6-r2v",
        short_name: "v5.6",
        display_name: "PixVerse V5.6",
        prompt_limit: 2048,
        sizes: V56_SIZES,
        durations: Durations::Choices(&[5, 8, 10]),
        durations_1080p: Some(Durations::Choices(&[5, 8])),
        series: "pixverse-v5.6",
        unconfirmed: &[],
    },
    // The Singapore reference-to-video page (alibabacloud.com/help/en/model-studio/
    // pixverse-reference-to-video-api-reference, "applies only to the Singapore
    // region") confirms the region, its workspace address and the activation step.
    // The name and every value below come from third-party PixVerse V6 pages
    // (1–15 s, 360P–1080P, eight ratios, 5000 characters, seed 0..=2147483647,
    // up to 7 references, optional audio); the pixel sizes are assumed to be c1's.
    ModelInfo {
        model: Model::V6,
        wire_name: "pixverse/pixverse-v6-r2v",
        short_name: "v6",
        display_name: "PixVerse V6",
        prompt_limit: 5000,
        sizes: C1_SIZES,
        durations: Durations::Range { min: 1, max: 15 },
        durations_1080p: None,
        series: "pixverse-v6",
        unconfirmed: &[
            Fact::ModelName,
            Fact::Sizes,
            Fact::Durations,
            Fact::PromptLimit,
            Fact::Audio,
            Fact::SeedRange,
            Fact::ReferenceCount,
        ],
    },
];

static REGIONS: [RegionInfo; 2] = [
    RegionInfo {
        region: Region::Beijing,
        id: "beijing",
        base_url: "https://dashscope.aliyuncs.com/api/v1",
        workspace_url: "https://{WorkspaceId}.cn-beijing.maas.aliyuncs.com/api/v1",
        key_page: "https://bailian.console.aliyun.com/?tab=model#/api-key",
        models: &[Model::C1, Model::V56],
        unconfirmed: &[Fact::KeyPage],
    },
    // The workspace address is on the official Singapore PixVerse pages; the
    // shared address `dashscope-intl` is confirmed there only for other APIs.
    RegionInfo {
        region: Region::Singapore,
        id: "singapore",
        base_url: "https://dashscope-intl.aliyuncs.com/api/v1",
        workspace_url: "https://{WorkspaceId}.ap-southeast-1.maas.aliyuncs.com/api/v1",
        key_page: "https://modelstudio.console.alibabacloud.com/?tab=model#/api-key",
        models: &[Model::V6],
        unconfirmed: &[Fact::BaseUrl, Fact::KeyPage],
    },
];

impl Region {
    pub const ALL: [Region; 2] = [Region::Beijing, Region::Singapore];

    pub fn info(self) -> &'static RegionInfo {
        match self {
            Region::Beijing => &REGIONS[0],
            Region::Singapore => &REGIONS[1],
        }
    }

    /// The region's name, for people.
    pub fn name(self) -> crate::core::Localized {
        match self {
            Region::Beijing => crate::loc!("region-beijing"),
            Region::Singapore => crate::loc!("region-singapore"),
        }
    }

    pub fn base_url(self) -> &'static str {
        self.info().base_url
    }

    /// The models this region serves, in table order.
    pub fn models(self) -> &'static [Model] {
        self.info().models
    }

    pub fn serves(self, model: Model) -> bool {
        self.models().contains(&model)
    }

    /// The region a setting's value names (`beijing`, `singapore`, also `intl`).
    pub fn parse(text: &str) -> Option<Region> {
        let text = text.trim();
        if text.eq_ignore_ascii_case("intl") {
            return Some(Region::Singapore);
        }
        Region::ALL
            .into_iter()
            .find(|r| r.info().id.eq_ignore_ascii_case(text))
    }

    /// The region whose shared or workspace address `url` is, if any.
    pub fn of_url(url: &str) -> Option<Region> {
        let host = url::Url::parse(url).ok()?.host_str()?.to_ascii_lowercase();
        Region::ALL.into_iter().find(|r| {
            let info = r.info();
            let shared = url::Url::parse(info.base_url)
                .ok()
                .and_then(|u| u.host_str().map(str::to_string));
            let workspace_suffix = info
                .workspace_url
                .split_once("{WorkspaceId}")
                .map(|(_, rest)| rest.trim_end_matches("/api/v1"));
            shared.as_deref() == Some(host.as_str())
                || workspace_suffix.is_some_and(|suffix| host.ends_with(suffix))
        })
    }

    /// The other region (there are two).
    pub fn other(self) -> Region {
        match self {
            Region::Beijing => Region::Singapore,
            Region::Singapore => Region::Beijing,
        }
    }
}

impl Model {
    /// What the model is good at, for people.
    pub fn description(self) -> crate::core::Localized {
        match self {
            Model::C1 => crate::loc!("model-c1-description"),
            Model::V56 => crate::loc!("model-v56-description"),
            Model::V6 => crate::loc!("model-v6-description"),
        }
    }

    pub const ALL: [Model; 3] = [Model::C1, Model::V56, Model::V6];

    pub fn info(self) -> &'static ModelInfo {
        match self {
            Model::C1 => &MODELS[0],
            Model::V56 => &MODELS[1],
            Model::V6 => &MODELS[2],
        }
    }

    /// The region that serves the model.
    pub fn region(self) -> Region {
        Region::ALL
            .into_iter()
            .find(|r| r.serves(self))
            .unwrap_or_default()
    }

    /// Whether every fact of the model's row is confirmed by an official page.
    pub fn confirmed(self) -> bool {
        self.info().unconfirmed.is_empty()
    }

    pub fn wire_name(self) -> &'static str {
        self.info().wire_name
    }

    /// Finds a model by its wire name or short name (case-insensitive).
    pub fn from_name(name: &str) -> Option<Model> {
        let name = name.trim();
        Model::ALL.into_iter().find(|m| {
            let info = m.info();
            info.wire_name.eq_ignore_ascii_case(name)
                || info.short_name.eq_ignore_ascii_case(name)
                || info
                    .wire_name
                    .strip_prefix("pixverse/")
                    .is_some_and(|n| n.eq_ignore_ascii_case(name))
        })
    }

    /// Durations accepted at `tier`.
    pub fn durations(self, tier: Tier) -> Durations {
        let info = self.info();
        match (tier, info.durations_1080p) {
            (Tier::P1080, Some(d)) => d,
            _ => info.durations,
        }
    }

    pub fn tiers(self) -> impl Iterator<Item = Tier> {
        self.info().sizes.iter().map(|(tier, _)| *tier)
    }

    /// Aspect ratios available at `tier`, in table order.
    pub fn ratios(self, tier: Tier) -> impl Iterator<Item = AspectRatio> {
        self.sizes_at(tier).iter().map(|(ratio, _)| *ratio)
    }

    fn sizes_at(self, tier: Tier) -> &'static [(AspectRatio, Size)] {
        self.info()
            .sizes
            .iter()
            .find(|(t, _)| *t == tier)
            .map_or(&[], |(_, sizes)| *sizes)
    }

    /// The output size for a tier and ratio, if the model offers it.
    pub fn size(self, tier: Tier, ratio: AspectRatio) -> Option<Size> {
        self.sizes_at(tier)
            .iter()
            .find(|(r, _)| *r == ratio)
            .map(|(_, size)| *size)
    }

    /// The tier and ratio of an exact size, if the model offers it.
    pub fn find_size(self, size: Size) -> Option<(Tier, AspectRatio)> {
        self.info().sizes.iter().find_map(|(tier, sizes)| {
            sizes
                .iter()
                .find(|(_, s)| *s == size)
                .map(|(ratio, _)| (*tier, *ratio))
        })
    }

    /// Every size the model offers, in table order.
    pub fn all_sizes(self) -> impl Iterator<Item = Size> {
        self.info()
            .sizes
            .iter()
            .flat_map(|(_, sizes)| sizes.iter().map(|(_, s)| *s))
    }

    pub fn prompt_limit(self) -> usize {
        self.info().prompt_limit
    }
}

impl fmt::Display for Model {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.wire_name())
    }
}

impl Tier {
    pub const ALL: [Tier; 4] = [Tier::P360, Tier::P540, Tier::P720, Tier::P1080];

    pub fn label(self) -> &'static str {
        match self {
            Tier::P360 => "360P",
            Tier::P540 => "540P",
            Tier::P720 => "720P",
            Tier::P1080 => "1080P",
        }
    }

    /// Parses `720p`, `720P` or `720`.
    pub fn parse(text: &str) -> Option<Tier> {
        let t = text.trim().trim_end_matches(['p', 'P']);
        Tier::ALL
            .into_iter()
            .find(|tier| tier.label().trim_end_matches('P') == t)
    }
}

impl fmt::Display for Tier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

impl AspectRatio {
    pub const ALL: [AspectRatio; 8] = [R16x9, R4x3, R1x1, R3x4, R9x16, R3x2, R2x3, R21x9];

    pub fn label(self) -> &'static str {
        match self {
            R16x9 => "16:9",
            R4x3 => "4:3",
            R1x1 => "1:1",
            R3x4 => "3:4",
            R9x16 => "9:16",
            R3x2 => "3:2",
            R2x3 => "2:3",
            R21x9 => "21:9",
        }
    }

    /// Width over height, for drawing ratio-shaped buttons.
    pub fn as_f32(self) -> f32 {
        let (w, h) = self.parts();
        w as f32 / h as f32
    }

    pub fn parts(self) -> (u32, u32) {
        match self {
            R16x9 => (16, 9),
            R4x3 => (4, 3),
            R1x1 => (1, 1),
            R3x4 => (3, 4),
            R9x16 => (9, 16),
            R3x2 => (3, 2),
            R2x3 => (2, 3),
            R21x9 => (21, 9),
        }
    }

    /// Parses `16:9` (also `16x9`, `16/9`).
    pub fn parse(text: &str) -> Option<AspectRatio> {
        let normalized = text.trim().replace(['x', 'X', '/', '：'], ":");
        AspectRatio::ALL
            .into_iter()
            .find(|r| r.label() == normalized)
    }
}

impl fmt::Display for AspectRatio {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// Reference images per request.
pub const MIN_IMAGES: usize = 1;
pub const MAX_IMAGES: usize = 7;

/// Longest `ref_name`, in UTF-8 bytes (*unverified*; 10 CJK characters).
pub const REF_NAME_MAX_BYTES: usize = 30;

/// Image formats the service accepts, as lower-case file extensions.
pub const IMAGE_EXTENSIONS: &[&str] = &["jpg", "jpeg", "png", "webp"];
/// The service's limit on each side of a reference image.
pub const IMAGE_MAX_SIDE_PX: u32 = 10_000;
/// The service's limit on a reference image's file size.
pub const IMAGE_MAX_BYTES: u64 = 20 * 1024 * 1024;
/// PixVerse's own platform caps at this many pixels per side: the app downscales
/// anything larger before upload.
pub const UPLOAD_MAX_SIDE_PX: u32 = 4000;
/// Smallest side the app accepts for a reference (*unverified*: a guess at what
/// gives the model anything to work with).
pub const IMAGE_MIN_SIDE_PX: u32 = 64;

/// Seed range accepted by the service.
pub const SEED_MIN: u32 = 0;
pub const SEED_MAX: u32 = 2_147_483_647;

/// Parameter defaults.
pub const DEFAULT_AUDIO: bool = false;
pub const DEFAULT_WATERMARK: bool = false;
pub const DEFAULT_MODEL: Model = Model::C1;
pub const DEFAULT_TIER: Tier = Tier::P720;
pub const DEFAULT_RATIO: AspectRatio = AspectRatio::R16x9;
pub const DEFAULT_DURATION: u32 = 5;

/// Default base URL (Beijing, the default region; see [`Region`]).
pub const DEFAULT_BASE_URL: &str = "https://dashscope.aliyuncs.com/api/v1";

/// A task id lives this long on the service; so does a result link.
pub const TASK_LIFETIME_SECS: u64 = 24 * 3600;
pub const VIDEO_URL_LIFETIME_SECS: u64 = 24 * 3600;
/// An `oss://` upload stays usable this long, for the model it was made for.
pub const UPLOAD_LIFETIME_SECS: u64 = 48 * 3600;
/// The service gives up on a generation after this long.
pub const SERVICE_TIMEOUT_SECS: u64 = 3 * 3600;

/// The service writes times (`submit_time`, list filters) in Beijing time
/// (*unverified*).
pub const SERVICE_UTC_OFFSET_HOURS: i8 = 8;

/// Account limits.
pub const RUNNING_TASKS_PER_SERIES: usize = 5;
pub const SUBMISSIONS_PER_SECOND_PER_SERIES: usize = 5;
pub const TASK_QUERIES_PER_SECOND: u32 = 20;

/// One row of the price table: price per billed output second.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PriceEntry {
    pub model: Model,
    pub tier: Tier,
    pub per_second: f64,
}

/// Currency of the price table.
pub const PRICE_CURRENCY: &str = "CNY";

/// The default price table. No official per-second price was published for these
/// models: these are *estimates*, always shown as such and editable in settings.
pub fn default_prices() -> Vec<PriceEntry> {
    // V6 (Singapore): estimates in the same currency, to be corrected by the user.
    const TABLE: [(Model, Tier, f64); 12] = [
        (Model::C1, Tier::P360, 0.30),
        (Model::C1, Tier::P540, 0.40),
        (Model::C1, Tier::P720, 0.60),
        (Model::C1, Tier::P1080, 1.20),
        (Model::V56, Tier::P360, 0.30),
        (Model::V56, Tier::P540, 0.40),
        (Model::V56, Tier::P720, 0.60),
        (Model::V56, Tier::P1080, 1.20),
        (Model::V6, Tier::P360, 0.30),
        (Model::V6, Tier::P540, 0.40),
        (Model::V6, Tier::P720, 0.60),
        (Model::V6, Tier::P1080, 1.20),
    ];
    TABLE
        .iter()
        .map(|&(model, tier, per_second)| PriceEntry {
            model,
            tier,
            per_second,
        })
        .collect()
}

/// Estimated price of `seconds` of output, from a price table.
pub fn estimate_price(table: &[PriceEntry], model: Model, tier: Tier, seconds: u32) -> Option<f64> {
    table
        .iter()
        .find(|e| e.model == model && e.tier == tier)
        .map(|e| e.per_second * f64::from(seconds))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn model_names_round_trip_through_serde_and_lookup() {
        for model in Model::ALL {
            let json = serde_json::to_string(&model).unwrap();
            assert_eq!(json, format!("\"{}\"", model.wire_name()));
            assert_eq!(Model::from_name(model.wire_name()), Some(model));
            assert_eq!(Model::from_name(model.info().short_name), Some(model));
        }
        assert_eq!(Model::from_name("V5.6"), Some(Model::V56));
        assert_eq!(Model::from_name("pixverse-c1-r2v"), Some(Model::C1));
        assert_eq!(Model::from_name("wan2.5"), None);
    }

    #[test]
    fn c1_has_all_eight_ratios_at_every_tier() {
        for tier in Tier::ALL {
            assert_eq!(Model::C1.ratios(tier).count(), 8, "{tier}");
        }
        assert_eq!(
            Model::C1.size(Tier::P720, R4x3),
            Some(sz(1108, 832)),
            "c1's 720P 4:3"
        );
        assert_eq!(Model::C1.size(Tier::P1080, R21x9), Some(sz(1920, 832)));
        assert_eq!(Model::C1.size(Tier::P360, R2x3), Some(sz(432, 640)));
    }

    #[test]
    fn v56_has_five_ratios_and_its_own_four_by_three_sizes() {
        for tier in Tier::ALL {
            let ratios: Vec<_> = Model::V56.ratios(tier).collect();
            assert_eq!(ratios, vec![R16x9, R4x3, R1x1, R3x4, R9x16]);
        }
        assert_eq!(Model::V56.size(Tier::P720, R4x3), Some(sz(1108, 830)));
        assert_eq!(Model::V56.size(Tier::P720, R3x4), Some(sz(830, 1108)));
        assert_eq!(Model::V56.size(Tier::P1080, R4x3), Some(sz(1662, 1246)));
        assert_eq!(Model::V56.size(Tier::P1080, R21x9), None);
        assert_eq!(Model::V56.find_size(sz(1108, 832)), None);
        assert_eq!(Model::C1.find_size(sz(1108, 832)), Some((Tier::P720, R4x3)));
    }

    #[test]
    fn every_size_has_the_orientation_of_its_ratio() {
        for model in Model::ALL {
            for tier in model.tiers() {
                for ratio in model.ratios(tier) {
                    let size = model.size(tier, ratio).unwrap();
                    let (w, h) = ratio.parts();
                    assert_eq!(
                        size.width.cmp(&size.height),
                        w.cmp(&h),
                        "{model} {tier} {ratio}"
                    );
                    let actual = size.width as f32 / size.height as f32;
                    assert!(
                        (actual - ratio.as_f32()).abs() < 0.15,
                        "{model} {tier} {ratio}"
                    );
                }
            }
        }
    }

    #[test]
    fn durations_follow_model_and_tier() {
        assert!(Model::C1.durations(Tier::P1080).contains(15));
        assert!(Model::C1.durations(Tier::P360).contains(1));
        assert!(!Model::C1.durations(Tier::P720).contains(0));
        assert!(!Model::C1.durations(Tier::P720).contains(16));
        assert_eq!(Model::V56.durations(Tier::P720).values(), vec![5, 8, 10]);
        assert_eq!(Model::V56.durations(Tier::P1080).values(), vec![5, 8]);
        assert_eq!(Model::V56.durations(Tier::P720).nearest(12), 10);
        assert_eq!(Model::V56.durations(Tier::P1080).nearest(12), 8);
        assert_eq!(Model::V56.durations(Tier::P720).nearest(1), 5);
        assert_eq!(Model::C1.durations(Tier::P720).describe(), "1–15");
    }

    #[test]
    fn sizes_parse_in_the_wire_form_and_common_variants() {
        assert_eq!(Size::parse("1280*720"), Some(sz(1280, 720)));
        assert_eq!(Size::parse("1280x720"), Some(sz(1280, 720)));
        assert_eq!(Size::parse("1280"), None);
        assert_eq!(sz(1280, 720).to_string(), "1280*720");
        assert_eq!(Tier::parse("720p"), Some(Tier::P720));
        assert_eq!(Tier::parse("1080P"), Some(Tier::P1080));
        assert_eq!(Tier::parse("480p"), None);
        assert_eq!(AspectRatio::parse("21:9"), Some(R21x9));
        assert_eq!(AspectRatio::parse("9x16"), Some(R9x16));
        assert_eq!(AspectRatio::parse("5:4"), None);
    }

    #[test]
    fn each_region_serves_its_own_models_and_every_model_has_one_region() {
        assert_eq!(Region::Beijing.models(), &[Model::C1, Model::V56]);
        assert_eq!(Region::Singapore.models(), &[Model::V6]);
        for model in Model::ALL {
            let serving: Vec<_> = Region::ALL
                .into_iter()
                .filter(|r| r.serves(model))
                .collect();
            assert_eq!(serving, vec![model.region()], "{model}");
        }
        assert_eq!(Region::Beijing.base_url(), DEFAULT_BASE_URL);
        assert_eq!(Region::default(), Region::Beijing);
    }

    #[test]
    fn v6_is_a_row_of_the_table_marked_unconfirmed() {
        assert_eq!(
            Model::from_name("pixverse/pixverse-v6-r2v"),
            Some(Model::V6)
        );
        assert_eq!(Model::from_name("v6"), Some(Model::V6));
        assert!(!Model::V6.confirmed());
        assert!(Model::V6.info().unconfirmed.contains(&Fact::Sizes));
        assert!(Model::C1.confirmed() && Model::V56.confirmed());
        assert_eq!(Model::V6.prompt_limit(), 5000);
        assert!(Model::V6.durations(Tier::P1080).contains(15));
        assert!(!Model::V6.durations(Tier::P720).contains(16));
        assert_eq!(Model::V6.ratios(Tier::P720).count(), 8);
        assert_eq!(Model::V6.size(Tier::P1080, R16x9), Some(sz(1920, 1080)));
    }

    #[test]
    fn regions_are_found_by_setting_value_and_by_address() {
        assert_eq!(Region::parse("Singapore"), Some(Region::Singapore));
        assert_eq!(Region::parse("intl"), Some(Region::Singapore));
        assert_eq!(Region::parse("beijing"), Some(Region::Beijing));
        assert_eq!(Region::parse("virginia"), None);
        assert_eq!(
            Region::of_url("https://dashscope-intl.aliyuncs.com/api/v1"),
            Some(Region::Singapore)
        );
        assert_eq!(
            Region::of_url("https://llm-abc.ap-southeast-1.maas.aliyuncs.com/api/v1"),
            Some(Region::Singapore)
        );
        assert_eq!(
            Region::of_url("https://llm-abc.cn-beijing.maas.aliyuncs.com/api/v1"),
            Some(Region::Beijing)
        );
        assert_eq!(Region::of_url("http://127.0.0.1:9/api/v1"), None);
        assert_eq!(Region::Beijing.other(), Region::Singapore);
    }

    #[test]
    fn prices_exist_for_every_model_and_tier() {
        let table = default_prices();
        for model in Model::ALL {
            for tier in model.tiers() {
                let price = estimate_price(&table, model, tier, 10).unwrap();
                assert!(price > 0.0);
            }
        }
    }
}
