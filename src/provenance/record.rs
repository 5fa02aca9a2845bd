//! The settings record kept in a video: what was asked for (model, prompt,
//! references by name and content hash, every parameter, the seed used) and
//! what the service answered (task id, request ids, billed seconds), with the
//! app's version and the record's format.
//!
//! Never in it: the API key (a job never holds it), the video's link and the
//! uploaded references' links (both signed), nor the query of a reference's
//! address (where signatures live). Local references are named by file name
//! only: the full path stays in this computer's journal and archive.

use super::ProvenanceError;
use super::mp4::Tags;
use crate::core::{AspectRatio, GenerationSpec, Model, RefSource, Seed, Tier};
use crate::engine::Job;
use serde::{Deserialize, Serialize};

/// The record's format; a record with a larger one is refused on restore.
pub const FORMAT_VERSION: u32 = 1;
/// The record's `app` (a record from another program is not ours).
pub const APP_NAME: &str = "R2V Studio";
/// The most characters of the prompt in the comment (the record has it all).
const COMMENT_PROMPT_CHARS: usize = 200;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    pub format: u32,
    pub app: String,
    pub app_version: String,
    pub job_id: String,
    pub model: Model,
    pub prompt: String,
    pub references: Vec<ReferenceRecord>,
    pub tier: Tier,
    pub ratio: AspectRatio,
    /// `W*H` as sent to the service.
    #[serde(default)]
    pub size: Option<String>,
    pub duration: u32,
    pub audio: bool,
    pub watermark: bool,
    /// The seed the task was sent with; `None`: the service drew it (and does
    /// not tell which).
    #[serde(default)]
    pub seed: Option<u32>,
    /// One take of several asked for together.
    #[serde(default)]
    pub take: Option<TakeRecord>,
    #[serde(default)]
    pub task_id: Option<String>,
    #[serde(default)]
    pub request_ids: Vec<RequestRecord>,
    #[serde(default)]
    pub billed_seconds: Option<f64>,
    /// When the job was made (RFC 3339).
    #[serde(default)]
    pub created: Option<String>,
}

/// One reference image: the name the prompt uses and what identifies its content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReferenceRecord {
    pub name: String,
    /// Hex SHA-256 of the file as given (the archive's key); `None` when it was
    /// not kept (a link that could not be fetched, or a job from before the archive).
    #[serde(default)]
    pub sha256: Option<String>,
    /// The file's name, or the last part of the link's path.
    #[serde(default)]
    pub file_name: String,
    /// For a link: its scheme, host and path (never its query or user name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TakeRecord {
    pub index: u32,
    pub of: u32,
    /// The app drew this take's seed (the user had left it random).
    #[serde(default)]
    pub drawn_seed: bool,
}

/// The request id of one call to the service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestRecord {
    pub call: String,
    pub request_id: String,
}

impl Record {
    /// The record of a job (finished, or about to be).
    pub fn from_job(job: &Job) -> Record {
        let spec = &job.spec;
        let references = spec
            .references
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let (file_name, url) = match &r.source {
                    RefSource::Local(path) => (
                        path.file_name()
                            .map(|n| n.to_string_lossy().into_owned())
                            .unwrap_or_default(),
                        None,
                    ),
                    RefSource::Url(url) => {
                        let shown = unsigned_url(url);
                        (url_file_name(&shown), Some(shown))
                    }
                };
                ReferenceRecord {
                    name: r.name.clone(),
                    sha256: job.reference_hashes.get(i).cloned().flatten(),
                    file_name,
                    url,
                }
            })
            .collect();
        Record {
            format: FORMAT_VERSION,
            app: APP_NAME.to_string(),
            app_version: env!("CARGO_PKG_VERSION").to_string(),
            job_id: job.id.0.clone(),
            model: spec.model,
            prompt: spec.prompt.clone(),
            references,
            tier: spec.tier,
            ratio: spec.ratio,
            size: spec.size().map(|s| s.to_string()),
            duration: spec.duration,
            audio: spec.audio,
            watermark: spec.watermark,
            seed: match spec.seed {
                Seed::Fixed(s) => Some(s),
                Seed::Random => None,
            },
            take: job.take_set.as_ref().map(|t| TakeRecord {
                index: t.index,
                of: t.of,
                drawn_seed: t.drawn_seed,
            }),
            task_id: job.task_id.clone(),
            request_ids: job
                .calls
                .iter()
                .map(|c| RequestRecord {
                    call: c.call.clone(),
                    request_id: c.request_id.clone(),
                })
                .collect(),
            billed_seconds: job.billed_seconds,
            created: chrono::DateTime::from_timestamp_millis(job.created_ms)
                .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
        }
    }

    /// The two tags: a one-line comment for people and the record as JSON.
    ///
    /// The JSON is ASCII (other characters escaped as `\uXXXX`): exiftool
    /// shows a freeform item as text only then.
    pub fn to_tags(&self) -> Tags {
        let json = serde_json::to_string(self).unwrap_or_default();
        Tags {
            comment: self.comment(),
            json: ascii_json(&json),
        }
    }

    /// `prompt | model | seed=N | R2V Studio 0.1.0`: the summary other programs
    /// show. Not translated: it is data, like the record's keys.
    pub fn comment(&self) -> String {
        let one_line = self.prompt.split_whitespace().collect::<Vec<_>>().join(" ");
        let mut prompt: String = one_line.chars().take(COMMENT_PROMPT_CHARS).collect();
        if one_line.chars().count() > COMMENT_PROMPT_CHARS {
            prompt.push('…');
        }
        let seed = self
            .seed
            .map_or_else(|| "random".to_string(), |s| s.to_string());
        format!(
            "{prompt} | {} | seed={seed} | {} {}",
            self.model.info().display_name,
            self.app,
            self.app_version
        )
    }

    /// The record in a video's tags.
    pub fn from_tags(tags: &Tags) -> Result<Record, ProvenanceError> {
        #[derive(Deserialize)]
        struct Head {
            format: u32,
            app: String,
        }
        let head: Head = serde_json::from_str(&tags.json)
            .map_err(|e| ProvenanceError::BadSettings(e.to_string()))?;
        if head.app != APP_NAME {
            return Err(ProvenanceError::NoSettings);
        }
        if head.format > FORMAT_VERSION {
            return Err(ProvenanceError::TooNew(head.format));
        }
        serde_json::from_str(&tags.json).map_err(|e| ProvenanceError::BadSettings(e.to_string()))
    }

    /// Every parameter as the editor holds it; references come from the caller
    /// (see [`super::restore`]), here they are left empty.
    pub fn parameters(&self) -> GenerationSpec {
        GenerationSpec {
            model: self.model,
            references: Vec::new(),
            prompt: self.prompt.clone(),
            tier: self.tier,
            ratio: self.ratio,
            duration: self.duration,
            audio: self.audio,
            watermark: self.watermark,
            seed: self.seed.map_or(Seed::Random, Seed::Fixed),
        }
    }
}

/// A link without what may sign it: no query, fragment, user or password.
pub fn unsigned_url(text: &str) -> String {
    match url::Url::parse(text) {
        Ok(mut url) => {
            url.set_query(None);
            url.set_fragment(None);
            // Only fails for links that cannot hold a user (then there is none).
            let _ = url.set_username("");
            let _ = url.set_password(None);
            url.to_string()
        }
        // Not a link the parser takes: keep only what comes before `?` and `#`.
        Err(_) => text
            .split(['?', '#'])
            .next()
            .unwrap_or_default()
            .rsplit('@')
            .next()
            .unwrap_or_default()
            .to_string(),
    }
}

fn url_file_name(url: &str) -> String {
    url.trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .to_string()
}

/// JSON with every non-ASCII character escaped (still the same JSON).
fn ascii_json(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{unit:04x}"));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::Reference;
    use crate::engine::TakeSet;

    fn job() -> Job {
        let spec = GenerationSpec {
            references: vec![
                Reference {
                    name: "英雄".into(),
                    source: RefSource::Local("/home/someone/Pictures/hero 1.png".into()),
                },
                Reference {
                    name: "cafe".into(),
                    source: RefSource::Url(
                        "https://user:pw@cdn.example.com/refs/cafe.jpg?Expires=1&Signature=abc#x"
                            .into(),
                    ),
                },
            ],
            prompt: "@英雄 在@cafe 里\n看书 😀".into(),
            seed: Seed::Fixed(42),
            ..GenerationSpec::default()
        };
        let mut job = Job::new(spec, "/tmp".into(), 1_700_000_000_000);
        job.task_id = Some("task-1".into());
        job.record_call("create", "req-1", 1);
        job.record_call("query", "req-2", 2);
        job.billed_seconds = Some(5.0);
        job.reference_hashes = vec![Some("ab".repeat(32)), None];
        job.video_url =
            Some("https://videos.example.com/v.mp4?OSSAccessKeyId=k&Signature=s".into());
        job.take_set = Some(TakeSet {
            id: "set".into(),
            index: 2,
            of: 3,
            drawn_seed: true,
        });
        job
    }

    #[test]
    fn a_record_carries_the_setup_and_the_services_answers() {
        let record = Record::from_job(&job());
        assert_eq!(record.references[0].file_name, "hero 1.png");
        assert_eq!(record.references[0].sha256, Some("ab".repeat(32)));
        assert_eq!(record.references[0].url, None);
        assert_eq!(
            record.references[1].url.as_deref(),
            Some("https://cdn.example.com/refs/cafe.jpg")
        );
        assert_eq!(record.references[1].file_name, "cafe.jpg");
        assert_eq!(record.seed, Some(42));
        assert_eq!(record.take.map(|t| (t.index, t.of)), Some((2, 3)));
        assert_eq!(record.request_ids.len(), 2);
        assert_eq!(record.billed_seconds, Some(5.0));
        assert_eq!(record.created.as_deref(), Some("2023-11-14T22:13:20Z"));
        assert_eq!(record.size.as_deref(), Some("1280*720"));
    }

    #[test]
    fn the_tags_hold_no_signed_link_no_path_and_read_back_as_the_same_record() {
        let record = Record::from_job(&job());
        let tags = record.to_tags();
        assert!(tags.json.is_ascii(), "{}", tags.json);
        for secret in [
            "Signature",
            "Expires",
            "OSSAccessKeyId",
            "videos.example.com",
            "pw@",
            "/home/someone",
            "oss://",
        ] {
            assert!(!tags.json.contains(secret), "{secret} in {}", tags.json);
            assert!(
                !tags.comment.contains(secret),
                "{secret} in {}",
                tags.comment
            );
        }
        assert_eq!(Record::from_tags(&tags).unwrap(), record);
        assert!(
            tags.comment
                .starts_with("@英雄 在@cafe 里 看书 😀 | PixVerse"),
            "{}",
            tags.comment
        );
        assert!(tags.comment.ends_with(&format!(
            "seed=42 | R2V Studio {}",
            env!("CARGO_PKG_VERSION")
        )));
    }

    #[test]
    fn records_of_another_program_or_a_newer_format_are_refused() {
        let mut tags = Record::from_job(&job()).to_tags();
        tags.json = tags.json.replace("\"format\":1", "\"format\":99");
        assert!(matches!(
            Record::from_tags(&tags),
            Err(ProvenanceError::TooNew(99))
        ));
        tags.json = r#"{"format":1,"app":"Other"}"#.into();
        assert!(matches!(
            Record::from_tags(&tags),
            Err(ProvenanceError::NoSettings)
        ));
        tags.json = "not json".into();
        assert!(matches!(
            Record::from_tags(&tags),
            Err(ProvenanceError::BadSettings(_))
        ));
    }

    #[test]
    fn a_long_prompt_is_cut_in_the_comment_only() {
        let mut j = job();
        j.spec.prompt = "字".repeat(1000);
        j.spec.seed = Seed::Random;
        let record = Record::from_job(&j);
        let comment = record.comment();
        assert!(comment.starts_with(&format!("{}…", "字".repeat(COMMENT_PROMPT_CHARS))));
        assert!(comment.contains("seed=random"));
        assert_eq!(
            Record::from_tags(&record.to_tags()).unwrap().prompt,
            j.spec.prompt
        );
    }
}
