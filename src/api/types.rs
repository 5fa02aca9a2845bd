//! Request and response bodies exactly as they travel on the wire.
//!
//! Responses are parsed leniently: unknown fields are ignored and optional fields
//! may be missing, so that a service-side addition never breaks a paid job.

use crate::core::GenerationSpec;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

/// `POST …/services/aigc/video-generation/video-synthesis`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CreateTaskRequest {
    pub model: String,
    pub input: CreateInput,
    pub parameters: CreateParameters,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CreateInput {
    pub media: Vec<Media>,
    pub prompt: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Media {
    #[serde(rename = "type")]
    pub kind: String,
    pub url: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub ref_name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CreateParameters {
    pub size: String,
    pub duration: u32,
    pub audio: bool,
    pub watermark: bool,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub seed: Option<u32>,
}

/// The media `type` for reference images.
pub const MEDIA_IMAGE_URL: &str = "image_url";

impl CreateTaskRequest {
    /// Builds the body for a validated spec. `urls[i]` is where reference `i` can be
    /// fetched by the service (its own URL, or the `oss://` key of its upload).
    ///
    /// Returns `None` if the spec's size does not exist or `urls` has the wrong length;
    /// call [`GenerationSpec::validate`] first.
    pub fn from_spec(spec: &GenerationSpec, urls: &[String]) -> Option<CreateTaskRequest> {
        if urls.len() != spec.references.len() {
            return None;
        }
        let with_names = spec.uses_ref_names();
        let media = spec
            .references
            .iter()
            .zip(urls)
            .map(|(reference, url)| Media {
                kind: MEDIA_IMAGE_URL.to_string(),
                url: url.clone(),
                ref_name: with_names.then(|| reference.name.clone()),
            })
            .collect();
        Some(CreateTaskRequest {
            model: spec.model.wire_name().to_string(),
            input: CreateInput {
                media,
                prompt: spec.wire_prompt(),
            },
            parameters: CreateParameters {
                size: spec.size()?.to_string(),
                duration: spec.duration,
                audio: spec.audio,
                watermark: spec.watermark,
                seed: match spec.seed {
                    crate::core::Seed::Random => None,
                    crate::core::Seed::Fixed(seed) => Some(seed),
                },
            },
        })
    }

    /// Whether the service must be told to resolve `oss://` URLs.
    pub fn needs_oss_resolve(&self) -> bool {
        self.input.media.iter().any(|m| is_oss_url(&m.url))
    }
}

pub fn is_oss_url(url: &str) -> bool {
    url.get(..6)
        .is_some_and(|p| p.eq_ignore_ascii_case("oss://"))
}

/// Task states as the service names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TaskStatus {
    Pending,
    Running,
    /// Not finished; treated like RUNNING.
    Suspended,
    Succeeded,
    Failed,
    Canceled,
    /// Unknown or expired (a task id lives 24 h).
    Unknown,
    /// A state this version does not know; treated as not finished.
    #[serde(other)]
    Other,
}

impl TaskStatus {
    pub fn is_final(self) -> bool {
        matches!(
            self,
            TaskStatus::Succeeded | TaskStatus::Failed | TaskStatus::Canceled | TaskStatus::Unknown
        )
    }

    pub fn as_str(self) -> &'static str {
        match self {
            TaskStatus::Pending => "PENDING",
            TaskStatus::Running => "RUNNING",
            TaskStatus::Suspended => "SUSPENDED",
            TaskStatus::Succeeded => "SUCCEEDED",
            TaskStatus::Failed => "FAILED",
            TaskStatus::Canceled => "CANCELED",
            TaskStatus::Unknown => "UNKNOWN",
            TaskStatus::Other => "OTHER",
        }
    }
}

/// The answer to a create call.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct CreateResponse {
    #[serde(default)]
    pub request_id: String,
    pub output: CreateOutput,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct CreateOutput {
    pub task_id: String,
    pub task_status: TaskStatus,
}

/// The answer to a task query.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct TaskResponse {
    #[serde(default)]
    pub request_id: String,
    pub output: TaskOutput,
    #[serde(default)]
    pub usage: Option<Usage>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct TaskOutput {
    pub task_id: String,
    pub task_status: TaskStatus,
    #[serde(default)]
    pub submit_time: Option<String>,
    #[serde(default)]
    pub scheduled_time: Option<String>,
    #[serde(default)]
    pub end_time: Option<String>,
    #[serde(default)]
    pub video_url: Option<String>,
    #[serde(default)]
    pub orig_prompt: Option<String>,
    /// Set when the task FAILED (either may be missing). Secrets masked, length capped.
    #[serde(default, deserialize_with = "network_text")]
    pub code: Option<String>,
    #[serde(default, deserialize_with = "network_text")]
    pub message: Option<String>,
}

/// Billing information of a finished task.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Usage {
    /// Billed seconds of output.
    #[serde(default, deserialize_with = "lenient_f64")]
    pub duration: Option<f64>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub size: Option<String>,
    #[serde(default, deserialize_with = "lenient_f64")]
    pub fps: Option<f64>,
    #[serde(default, rename = "SR", deserialize_with = "lenient_string")]
    pub sr: Option<String>,
    #[serde(default)]
    pub audio: Option<Value>,
    #[serde(default, deserialize_with = "lenient_f64")]
    pub video_count: Option<f64>,
}

/// Query parameters of the task list.
#[derive(Debug, Clone, PartialEq)]
pub struct ListFilter {
    /// `YYYYMMDDhhmmss`, service time.
    pub start_time: Option<String>,
    pub end_time: Option<String>,
    pub model_name: Option<String>,
    pub status: Option<TaskStatus>,
    pub page_no: u32,
    pub page_size: u32,
}

impl Default for ListFilter {
    /// Everything, first page of 10 (the service's defaults).
    fn default() -> Self {
        ListFilter {
            start_time: None,
            end_time: None,
            model_name: None,
            status: None,
            page_no: 1,
            page_size: 10,
        }
    }
}

impl ListFilter {
    pub fn query_pairs(&self) -> Vec<(&'static str, String)> {
        let mut pairs = Vec::new();
        if let Some(v) = &self.start_time {
            pairs.push(("start_time", v.clone()));
        }
        if let Some(v) = &self.end_time {
            pairs.push(("end_time", v.clone()));
        }
        if let Some(v) = &self.model_name {
            pairs.push(("model_name", v.clone()));
        }
        if let Some(v) = self.status {
            pairs.push(("status", v.as_str().to_string()));
        }
        pairs.push(("page_no", self.page_no.max(1).to_string()));
        pairs.push(("page_size", self.page_size.clamp(1, 100).to_string()));
        pairs
    }
}

/// The answer to a task list.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct TaskList {
    #[serde(default)]
    pub request_id: String,
    #[serde(default)]
    pub data: Vec<TaskListItem>,
    #[serde(default, deserialize_with = "lenient_u64")]
    pub total: Option<u64>,
    #[serde(default, deserialize_with = "lenient_u64")]
    pub total_page: Option<u64>,
    #[serde(default, deserialize_with = "lenient_u64")]
    pub page_no: Option<u64>,
    #[serde(default, deserialize_with = "lenient_u64")]
    pub page_size: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct TaskListItem {
    pub task_id: String,
    #[serde(default = "unknown_status")]
    pub status: TaskStatus,
    #[serde(default)]
    pub model_name: Option<String>,
    /// Creation time, milliseconds since the Unix epoch.
    #[serde(default, deserialize_with = "lenient_u64")]
    pub gmt_create: Option<u64>,
    #[serde(default)]
    pub request_id: Option<String>,
    /// What the task was asked for, where the list tells it (not documented for
    /// every region: optional, used only to tell tasks apart).
    #[serde(default, deserialize_with = "lenient_string")]
    pub orig_prompt: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub size: Option<String>,
    #[serde(default, deserialize_with = "lenient_f64")]
    pub duration: Option<f64>,
}

fn unknown_status() -> TaskStatus {
    TaskStatus::Other
}

/// `GET …/uploads?action=getPolicy&model=…`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct PolicyResponse {
    #[serde(default)]
    pub request_id: String,
    pub data: UploadPolicy,
}

/// Permission to put files in Model Studio's temporary storage for one model.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct UploadPolicy {
    pub policy: String,
    pub signature: String,
    pub upload_dir: String,
    pub upload_host: String,
    pub oss_access_key_id: String,
    pub x_oss_object_acl: String,
    pub x_oss_forbid_overwrite: String,
    #[serde(default, deserialize_with = "lenient_u64")]
    pub expire_in_seconds: Option<u64>,
    #[serde(default, deserialize_with = "lenient_f64")]
    pub max_file_size_mb: Option<f64>,
    #[serde(default, deserialize_with = "lenient_f64")]
    pub capacity_limit_mb: Option<f64>,
}

/// The signature is a credential: keep it out of logs.
impl std::fmt::Debug for UploadPolicy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UploadPolicy")
            .field("upload_dir", &self.upload_dir)
            .field("upload_host", &self.upload_host)
            .field("expire_in_seconds", &self.expire_in_seconds)
            .field("max_file_size_mb", &self.max_file_size_mb)
            .finish_non_exhaustive()
    }
}

/// The error body of a non-2xx answer.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ErrorBody {
    #[serde(default)]
    pub request_id: Option<String>,
    #[serde(default)]
    pub code: Option<String>,
    #[serde(default)]
    pub message: Option<String>,
    /// Some services say `msg` instead of `message`.
    #[serde(default)]
    pub msg: Option<String>,
}

/// Text from the service that is stored and shown: secrets masked, length capped.
fn network_text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(Option::<String>::deserialize(d)?.map(|text| crate::core::redact::mask_secrets(&text)))
}

fn lenient_f64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    Ok(match Option::<Value>::deserialize(d)? {
        Some(Value::Number(n)) => n.as_f64(),
        Some(Value::String(s)) => s.trim().parse().ok(),
        _ => None,
    })
}

fn lenient_u64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    Ok(match Option::<Value>::deserialize(d)? {
        Some(Value::Number(n)) => n.as_u64().or_else(|| n.as_f64().map(|f| f as u64)),
        Some(Value::String(s)) => s.trim().parse().ok(),
        _ => None,
    })
}

fn lenient_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match Option::<Value>::deserialize(d)? {
        Some(Value::String(s)) => Some(s),
        Some(Value::Null) | None => None,
        Some(other) => Some(other.to_string()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::{GenerationSpec, RefSource, Reference, Seed};
    use serde_json::json;

    fn spec(prompt: &str) -> GenerationSpec {
        GenerationSpec {
            references: vec![
                Reference {
                    name: "hero".into(),
                    source: RefSource::Local("/tmp/hero.png".into()),
                },
                Reference {
                    name: "cafe".into(),
                    source: RefSource::Url("https://example.com/cafe.jpg".into()),
                },
            ],
            prompt: prompt.into(),
            seed: Seed::Fixed(42),
            ..GenerationSpec::default()
        }
    }

    #[test]
    fn builds_the_documented_body() {
        let urls = vec![
            "oss://dashscope-instant/x/hero.png".to_string(),
            "https://example.com/cafe.jpg".to_string(),
        ];
        let body = CreateTaskRequest::from_spec(
            &spec("@hero plays a slow country song by the window of @cafe"),
            &urls,
        )
        .unwrap();
        assert_eq!(
            serde_json::to_value(&body).unwrap(),
            json!({
                "model": "pixverse/pixverse-c1-r2v",
                "input": {
                    "media": [
                        {"type": "image_url", "url": "oss://dashscope-instant/x/hero.png", "ref_name": "hero"},
                        {"type": "image_url", "url": "https://example.com/cafe.jpg", "ref_name": "cafe"}
                    ],
                    "prompt": "@hero plays a slow country song by the window of @cafe "
                },
                "parameters": {"size": "1280*720", "duration": 5, "audio": false, "watermark": false, "seed": 42}
            })
        );
        assert!(body.needs_oss_resolve());
    }

    #[test]
    fn without_mentions_there_are_no_ref_names_and_random_seed_is_omitted() {
        let mut s = spec("a man in a cafe");
        s.seed = Seed::Random;
        let urls = vec!["https://a/1.png".to_string(), "https://a/2.png".to_string()];
        let value = serde_json::to_value(CreateTaskRequest::from_spec(&s, &urls).unwrap()).unwrap();
        assert!(value["input"]["media"][0].get("ref_name").is_none());
        assert!(value["parameters"].get("seed").is_none());
        for forbidden in [
            "negative_prompt",
            "template",
            "style",
            "resolution",
            "aspect_ratio",
        ] {
            assert!(value["parameters"].get(forbidden).is_none());
            assert!(value["input"].get(forbidden).is_none());
        }
        let body = CreateTaskRequest::from_spec(&s, &urls).unwrap();
        assert!(!body.needs_oss_resolve());
        assert!(CreateTaskRequest::from_spec(&s, &urls[..1]).is_none());
    }

    #[test]
    fn parses_a_succeeded_task_leniently() {
        let body = json!({
            "request_id": "r1",
            "output": {
                "task_id": "t1", "task_status": "SUCCEEDED",
                "submit_time": "2026-01-01 10:00:00.000", "end_time": "2026-01-01 10:02:00.000",
                "video_url": "https://x/v.mp4", "orig_prompt": "p", "extra": 1
            },
            "usage": {"duration": "5", "size": "1280*720", "fps": 24, "SR": 720, "audio": false, "video_count": 1}
        });
        let task: TaskResponse = serde_json::from_value(body).unwrap();
        assert_eq!(task.output.task_status, TaskStatus::Succeeded);
        let usage = task.usage.unwrap();
        assert_eq!(usage.duration, Some(5.0));
        assert_eq!(usage.sr.as_deref(), Some("720"));
    }

    #[test]
    fn unknown_states_are_not_final() {
        let task: TaskOutput =
            serde_json::from_value(json!({"task_id": "t", "task_status": "WARMING_UP"})).unwrap();
        assert_eq!(task.task_status, TaskStatus::Other);
        assert!(!task.task_status.is_final());
        assert!(TaskStatus::Unknown.is_final());
    }

    #[test]
    fn policy_debug_hides_the_signature() {
        let policy = UploadPolicy {
            policy: "p0licy".into(),
            signature: "s3cret".into(),
            upload_dir: "dir".into(),
            upload_host: "https://host".into(),
            oss_access_key_id: "id".into(),
            x_oss_object_acl: "private".into(),
            x_oss_forbid_overwrite: "true".into(),
            expire_in_seconds: Some(300),
            max_file_size_mb: None,
            capacity_limit_mb: None,
        };
        let debug = format!("{policy:?}");
        assert!(
            !debug.contains("s3cret") && !debug.contains("p0licy"),
            "{debug}"
        );
    }

    #[test]
    fn a_failed_tasks_message_is_masked_as_it_is_read() {
        let answer = r#"{"request_id":"r","output":{"task_id":"t","task_status":"FAILED",
            "code":"InvalidApiKey","message":"key sk-9f8e7d6c5b4a39281706f5e4d3c2b1a0 refused"}}"#;
        let task: TaskResponse = serde_json::from_str(answer).unwrap();
        assert_eq!(task.output.message.as_deref(), Some("key sk-…b1a0 refused"));
        assert_eq!(task.output.code.as_deref(), Some("InvalidApiKey"));
    }
}
