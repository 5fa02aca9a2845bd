//! The service's facts as the simulator knows them, written from `PRODUCT.md`
//! section 1 and nothing else.
//!
//! The simulator is the oracle the client is tested against, so it keeps its own
//! tables: it never reads the client's capabilities, limits or name rules. When a
//! fact about the service changes, change it here and in the client separately;
//! the client-against-simulator tests then show whether the two still agree.

use std::time::Duration;
use unicode_properties::{GeneralCategoryGroup, UnicodeGeneralCategory};

/// The create call's path below `/api/v1`.
pub const CREATE_PATH: &str = "/services/aigc/video-generation/video-synthesis";
/// Without `enable` here the create call is refused (403 `AccessDenied`).
pub const ASYNC_HEADER: &str = "X-DashScope-Async";
/// Needed whenever a media URL is `oss://`.
pub const OSS_RESOLVE_HEADER: &str = "X-DashScope-OssResourceResolve";
/// The only media type the create call takes.
pub const MEDIA_TYPE: &str = "image_url";
/// Media items per create call.
pub const MEDIA_MIN: usize = 1;
pub const MEDIA_MAX: usize = 7;
/// A `ref_name`'s length limit, in UTF-8 bytes (*unverified*).
pub const REF_NAME_MAX_BYTES: usize = 30;
/// The largest `parameters.seed`.
pub const SEED_MAX: u64 = 2_147_483_647;
/// A task id answers UNKNOWN after this.
pub const TASK_TTL: Duration = Duration::from_secs(24 * 3600);
/// A video link works this long.
pub const LINK_TTL: Duration = Duration::from_secs(24 * 3600);
/// An `oss://` upload is usable this long.
pub const UPLOAD_TTL: Duration = Duration::from_secs(48 * 3600);
/// The service speaks Beijing time in `submit_time` and the list's time filters.
pub const UTC_OFFSET_HOURS: i8 = 8;
/// Unfinished tasks per model series and account.
pub const RUNNING_PER_SERIES: usize = 5;
/// Creates per second per model series and account.
pub const SUBMISSIONS_PER_SECOND: usize = 5;
/// Task queries per second per account.
pub const QUERIES_PER_SECOND: usize = 20;
/// The largest file an upload policy allows.
pub const UPLOAD_MAX_MB: usize = 100;

/// Which durations a resolution allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Durations {
    /// Any whole number of seconds in the range.
    Range(u32, u32),
    /// Only these.
    List(&'static [u32]),
}

impl Durations {
    pub fn allows(self, seconds: u32) -> bool {
        match self {
            Durations::Range(low, high) => (low..=high).contains(&seconds),
            Durations::List(list) => list.contains(&seconds),
        }
    }

    pub fn describe(self) -> String {
        match self {
            Durations::Range(low, high) => format!("{low}..={high}"),
            Durations::List(list) => list
                .iter()
                .map(u32::to_string)
                .collect::<Vec<_>>()
                .join(", "),
        }
    }
}

/// One resolution of a model: its name, its sizes and its durations.
#[derive(Debug)]
pub struct Resolution {
    pub name: &'static str,
    pub sizes: &'static [(u32, u32)],
    pub durations: Durations,
}

/// One model as the service offers it.
#[derive(Debug)]
pub struct ServiceModel {
    /// The `model` field of the create call.
    pub name: &'static str,
    /// Tasks of one series share the concurrency limit (*unverified*: whether c1
    /// and v5.6 are one series; the simulator counts them apart).
    pub series: &'static str,
    /// `input.prompt`'s limit in characters.
    pub prompt_limit: usize,
    pub resolutions: &'static [Resolution],
}

impl ServiceModel {
    /// The resolution a size belongs to, if the model offers it.
    pub fn resolution_of(&self, size: (u32, u32)) -> Option<&'static Resolution> {
        self.resolutions.iter().find(|r| r.sizes.contains(&size))
    }

    /// Every size, as `W*H`.
    pub fn size_names(&self) -> Vec<String> {
        self.resolutions
            .iter()
            .flat_map(|r| r.sizes.iter())
            .map(|(w, h)| format!("{w}*{h}"))
            .collect()
    }
}

const C1_DURATIONS: Durations = Durations::Range(1, 15);

/// c1's sizes (eight ratios at four resolutions, 1 to 15 s); v6 is assumed to
/// take the same (*unverified*).
const EIGHT_RATIOS: &[Resolution] = &[
    Resolution {
        name: "360P",
        sizes: &[
            (640, 360),
            (640, 480),
            (640, 640),
            (480, 640),
            (360, 640),
            (640, 432),
            (432, 640),
            (640, 288),
        ],
        durations: C1_DURATIONS,
    },
    Resolution {
        name: "540P",
        sizes: &[
            (1024, 576),
            (1024, 768),
            (1024, 1024),
            (768, 1024),
            (576, 1024),
            (1024, 688),
            (688, 1024),
            (1024, 448),
        ],
        durations: C1_DURATIONS,
    },
    Resolution {
        name: "720P",
        sizes: &[
            (1280, 720),
            (1108, 832),
            (960, 960),
            (832, 1108),
            (720, 1280),
            (1200, 800),
            (800, 1200),
            (1280, 560),
        ],
        durations: C1_DURATIONS,
    },
    Resolution {
        name: "1080P",
        sizes: &[
            (1920, 1080),
            (1664, 1248),
            (1440, 1440),
            (1248, 1664),
            (1080, 1920),
            (1776, 1184),
            (1184, 1776),
            (1920, 832),
        ],
        durations: C1_DURATIONS,
    },
];

/// The models, from the capability table of `PRODUCT.md`; v6 (served in the
/// international region) from third-party pages (*unverified*: its sizes,
/// durations and prompt limit).
pub static MODELS: [ServiceModel; 3] = [
    ServiceModel {
        name: "pixverse/pixverse-c1-r2v",
        series: "pixverse-c1",
        prompt_limit: 5000,
        resolutions: EIGHT_RATIOS,
    },
    ServiceModel {
        name: "pixverse/pixverse-v5.6-r2v",
        series: "pixverse-v5.6",
        prompt_limit: 2048,
        resolutions: &[
            Resolution {
                name: "360P",
                sizes: &[(640, 360), (640, 480), (640, 640), (480, 640), (360, 640)],
                durations: Durations::List(&[5, 8, 10]),
            },
            Resolution {
                name: "540P",
                sizes: &[
                    (1024, 576),
                    (1024, 768),
                    (1024, 1024),
                    (768, 1024),
                    (576, 1024),
                ],
                durations: Durations::List(&[5, 8, 10]),
            },
            Resolution {
                name: "720P",
                sizes: &[
                    (1280, 720),
                    (1108, 830),
                    (960, 960),
                    (830, 1108),
                    (720, 1280),
                ],
                durations: Durations::List(&[5, 8, 10]),
            },
            Resolution {
                name: "1080P",
                sizes: &[
                    (1920, 1080),
                    (1662, 1246),
                    (1440, 1440),
                    (1246, 1662),
                    (1080, 1920),
                ],
                durations: Durations::List(&[5, 8]),
            },
        ],
    },
    ServiceModel {
        name: "pixverse/pixverse-v6-r2v",
        series: "pixverse-v6",
        prompt_limit: 5000,
        resolutions: EIGHT_RATIOS,
    },
];

/// The model with this wire name.
pub fn model(name: &str) -> Option<&'static ServiceModel> {
    MODELS.iter().find(|m| m.name == name)
}

/// `W*H` (digits only, `*` between).
pub fn parse_size(text: &str) -> Option<(u32, u32)> {
    let (w, h) = text.split_once('*')?;
    let number = |s: &str| -> Option<u32> {
        if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        s.parse().ok()
    };
    Some((number(w)?, number(h)?))
}

/// Whether the service reads an `oss://` URL from temporary storage.
pub fn is_oss(url: &str) -> bool {
    url.get(..6)
        .is_some_and(|scheme| scheme.eq_ignore_ascii_case("oss://"))
}

/// Characters a `ref_name` may hold, and so that continue a mention: letters,
/// digits and combining marks of any script, and `_`. Spaces, `@`, other
/// punctuation, symbols and controls end a mention and are refused in a name.
pub fn is_ref_name_char(c: char) -> bool {
    if c == '_' {
        return true;
    }
    matches!(
        c.general_category_group(),
        GeneralCategoryGroup::Letter | GeneralCategoryGroup::Number | GeneralCategoryGroup::Mark
    )
}

/// Why a `ref_name` is refused, in the service's words, or `None` if it is fine.
pub fn ref_name_problem(name: &str) -> Option<String> {
    if name.is_empty() {
        return Some("it is empty".into());
    }
    if let Some(c) = name.chars().find(|c| !is_ref_name_char(*c)) {
        return Some(if c.is_whitespace() {
            "it contains a space".into()
        } else if c == '@' {
            "it contains @".into()
        } else {
            format!("it contains the character {c:?}")
        });
    }
    if name.len() > REF_NAME_MAX_BYTES {
        return Some(format!(
            "it is {} bytes long; at most {REF_NAME_MAX_BYTES} are allowed",
            name.len()
        ));
    }
    None
}

/// A mention in a prompt as the service reads it: `@`, then name characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mention<'a> {
    pub name: &'a str,
    /// The character after the name (the service wants a space there).
    pub next: Option<char>,
}

/// Every `@name` in `prompt`, in order; an `@` followed by no name character is text.
pub fn mentions(prompt: &str) -> Vec<Mention<'_>> {
    let mut found = Vec::new();
    let mut rest = prompt;
    while let Some(at) = rest.find('@') {
        let after = &rest[at + 1..];
        let len: usize = after
            .chars()
            .take_while(|c| is_ref_name_char(*c))
            .map(char::len_utf8)
            .sum();
        if len > 0 {
            found.push(Mention {
                name: &after[..len],
                next: after[len..].chars().next(),
            });
        }
        rest = &after[len..];
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_size_belongs_to_one_resolution_of_its_model() {
        for m in &MODELS {
            let names = m.size_names();
            let unique: std::collections::HashSet<_> = names.iter().collect();
            assert_eq!(unique.len(), names.len(), "{}", m.name);
        }
        let v56 = model("pixverse/pixverse-v5.6-r2v").unwrap();
        assert_eq!(v56.resolution_of((1108, 830)).unwrap().name, "720P");
        assert!(v56.resolution_of((1108, 832)).is_none());
        assert!(
            !v56.resolution_of((1920, 1080))
                .unwrap()
                .durations
                .allows(10)
        );
    }

    #[test]
    fn sizes_need_a_star_and_digits() {
        assert_eq!(parse_size("1280*720"), Some((1280, 720)));
        for bad in ["1280x720", "1280*", "*720", "+1280*720", "1280*720 "] {
            assert_eq!(parse_size(bad), None, "{bad}");
        }
    }

    #[test]
    fn mentions_end_at_the_first_character_a_name_cannot_hold() {
        let found = mentions("@男人，坐在@吉他 旁 @ @@cat_2 end@");
        let names: Vec<_> = found.iter().map(|m| m.name).collect();
        assert_eq!(names, ["男人", "吉他", "cat_2"]);
        assert_eq!(found[0].next, Some('，'));
        assert_eq!(found[1].next, Some(' '));
        assert_eq!(found[2].next, Some(' '));
    }

    #[test]
    fn names_with_spaces_at_signs_punctuation_or_too_many_bytes_are_refused() {
        assert!(ref_name_problem("hero_2").is_none());
        assert!(ref_name_problem("咖啡厅").is_none());
        for bad in ["", "a b", "a@b", "a,b", "a.b", "一二三四五六七八九十一"] {
            assert!(ref_name_problem(bad).is_some(), "{bad}");
        }
    }
}
