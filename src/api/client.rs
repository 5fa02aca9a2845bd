//! The Model Studio client: create, query, cancel, list, upload, download.

use super::error::{ApiError, Error, MAX_ANSWER_MEGABYTES, TransportCause, TransportKind};
use super::key::ApiKey;
use super::types::{
    CreateResponse, CreateTaskRequest, ListFilter, PolicyResponse, TaskList, TaskResponse,
    UploadPolicy,
};
use crate::core::redact::mask_secrets;
use crate::core::{Localized, Model};
use crate::loc;
use serde::de::DeserializeOwned;
use std::time::Duration;

/// Header that makes the create call asynchronous (mandatory for video).
pub const ASYNC_HEADER: &str = "X-DashScope-Async";
/// Header that lets the service read `oss://` URLs from temporary storage.
pub const OSS_RESOLVE_HEADER: &str = "X-DashScope-OssResourceResolve";
/// Path of the create call, below the base URL.
pub const CREATE_PATH: &str = "/services/aigc/video-generation/video-synthesis";
/// API answers are small; anything bigger is not a real answer.
const MAX_ANSWER_BYTES: usize = MAX_ANSWER_MEGABYTES * 1024 * 1024;

/// How to reach the service.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// E.g. `https://dashscope.aliyuncs.com/api/v1`, without a trailing slash.
    pub base_url: String,
    pub api_key: ApiKey,
    pub connect_timeout: Duration,
    /// Limit for one API call, answer included.
    pub request_timeout: Duration,
    /// Longest silence during a download before it counts as cut.
    pub download_read_timeout: Duration,
}

impl ClientConfig {
    pub fn new(base_url: impl Into<String>, api_key: ApiKey) -> Self {
        ClientConfig {
            base_url: base_url.into().trim_end_matches('/').to_string(),
            api_key,
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(60),
            download_read_timeout: Duration::from_secs(60),
        }
    }
}

/// The answer to a successful create.
#[derive(Debug, Clone, PartialEq)]
pub struct Created {
    pub task_id: String,
    pub request_id: String,
    pub status: super::types::TaskStatus,
}

/// A Model Studio client. Cheap to clone.
#[derive(Clone)]
pub struct Client {
    api: reqwest::Client,
    transfer: reqwest::Client,
    base_url: String,
    key: ApiKey,
    /// The service's clock, as its latest `Date` header told it (Unix ms).
    service_date: std::sync::Arc<std::sync::Mutex<Option<i64>>>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.base_url)
            .field("key", &self.key)
            .finish_non_exhaustive()
    }
}

impl Client {
    pub fn new(config: ClientConfig) -> Result<Client, Error> {
        let url = config.base_url.as_str();
        let parsed = url::Url::parse(url).map_err(|e| {
            Error::Invalid(loc!(
                "api-invalid-base-url",
                detail = e.to_string(),
                url = url
            ))
        })?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(Error::Invalid(loc!(
                "api-invalid-base-url-scheme",
                url = url
            )));
        }
        let user_agent = concat!("r2v-studio/", env!("CARGO_PKG_VERSION"));
        let build = |builder: reqwest::ClientBuilder| {
            builder
                .user_agent(user_agent)
                .connect_timeout(config.connect_timeout)
                .build()
                .map_err(|e| Error::Invalid(loc!("api-invalid-http-setup", detail = e.to_string())))
        };
        Ok(Client {
            api: build(reqwest::Client::builder().timeout(config.request_timeout))?,
            transfer: build(reqwest::Client::builder().read_timeout(config.download_read_timeout))?,
            base_url: config.base_url.trim_end_matches('/').to_string(),
            key: config.api_key,
            service_date: Default::default(),
        })
    }

    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The service's clock at its latest answer (its `Date` header, to the second),
    /// for comparing the service's times with this computer's.
    pub fn last_service_date_ms(&self) -> Option<i64> {
        *self.service_date.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Creates a task. NOT idempotent: on an error where [`Error::is_ambiguous`] is
    /// true a task may exist; never repeat such a call blindly.
    pub async fn create(&self, body: &CreateTaskRequest) -> Result<Created, Error> {
        let mut request = self
            .api
            .post(format!("{}{CREATE_PATH}", self.base_url))
            .bearer_auth(self.key.expose())
            .header(ASYNC_HEADER, "enable")
            .json(body);
        if body.needs_oss_resolve() {
            request = request.header(OSS_RESOLVE_HEADER, "enable");
        }
        let answer: CreateResponse = self.send_json("create", request).await?;
        Ok(Created {
            task_id: answer.output.task_id,
            request_id: answer.request_id,
            status: answer.output.task_status,
        })
    }

    /// The task's state (and, once it succeeded, its video link and usage).
    pub async fn query(&self, task_id: &str) -> Result<TaskResponse, Error> {
        let url = format!("{}/tasks/{}", self.base_url, checked_task_id(task_id)?);
        let request = self.api.get(url).bearer_auth(self.key.expose());
        self.send_json("query", request).await
    }

    /// Cancels a PENDING task; returns the request id.
    pub async fn cancel(&self, task_id: &str) -> Result<String, Error> {
        let url = format!(
            "{}/tasks/{}/cancel",
            self.base_url,
            checked_task_id(task_id)?
        );
        let request = self.api.post(url).bearer_auth(self.key.expose());
        #[derive(serde::Deserialize)]
        struct Answer {
            #[serde(default)]
            request_id: String,
        }
        let answer: Answer = self.send_json("cancel", request).await?;
        Ok(answer.request_id)
    }

    /// The account's tasks matching `filter`.
    pub async fn list(&self, filter: &ListFilter) -> Result<TaskList, Error> {
        let request = self
            .api
            .get(format!("{}/tasks", self.base_url))
            .query(&filter.query_pairs())
            .bearer_auth(self.key.expose());
        self.send_json("list", request).await
    }

    /// Permission to upload files for `model` (valid for a few minutes).
    pub async fn upload_policy(&self, model: Model) -> Result<UploadPolicy, Error> {
        let request = self
            .api
            .get(format!("{}/uploads", self.base_url))
            .query(&[("action", "getPolicy"), ("model", model.wire_name())])
            .bearer_auth(self.key.expose());
        let answer: PolicyResponse = self.send_json("upload policy", request).await?;
        Ok(answer.data)
    }

    /// Puts a file into temporary storage; returns its `oss://` URL (valid 48 h,
    /// for the policy's model only). `file_name` must not contain `/`.
    pub async fn upload(
        &self,
        policy: &UploadPolicy,
        file_name: &str,
        bytes: Vec<u8>,
        content_type: &str,
    ) -> Result<String, Error> {
        self.upload_with_progress(policy, file_name, bytes, content_type, |_, _| {})
            .await
    }

    /// [`Client::upload`], calling `progress(sent, total)` as the file goes out.
    pub async fn upload_with_progress(
        &self,
        policy: &UploadPolicy,
        file_name: &str,
        bytes: Vec<u8>,
        content_type: &str,
        progress: impl Fn(u64, u64) + Send + Sync + 'static,
    ) -> Result<String, Error> {
        if file_name.is_empty() || file_name.contains(['/', '\\']) {
            return Err(Error::Invalid(loc!(
                "api-invalid-file-name",
                name = file_name
            )));
        }
        let key = format!("{}/{file_name}", policy.upload_dir.trim_end_matches('/'));
        const CHUNK: usize = 64 * 1024;
        let total = bytes.len() as u64;
        let data = bytes::Bytes::from(bytes);
        let chunks = (0..data.len()).step_by(CHUNK).map(move |start| {
            let end = (start + CHUNK).min(data.len());
            progress(end as u64, total);
            Ok::<_, std::io::Error>(data.slice(start..end))
        });
        let body = reqwest::Body::wrap_stream(futures_util::stream::iter(chunks));
        let file = reqwest::multipart::Part::stream_with_length(body, total)
            .file_name(file_name.to_string())
            .mime_str(content_type)
            .map_err(|e| {
                Error::Invalid(loc!(
                    "api-invalid-content-type",
                    content_type = content_type,
                    detail = e.to_string()
                ))
            })?;
        // The order matters to OSS: `file` must come last.
        let form = reqwest::multipart::Form::new()
            .text("OSSAccessKeyId", policy.oss_access_key_id.clone())
            .text("Signature", policy.signature.clone())
            .text("policy", policy.policy.clone())
            .text("key", key.clone())
            .text("x-oss-object-acl", policy.x_oss_object_acl.clone())
            .text(
                "x-oss-forbid-overwrite",
                policy.x_oss_forbid_overwrite.clone(),
            )
            .text("success_action_status", "200")
            .text("x-oss-content-type", content_type.to_string())
            .part("file", file);
        let response = self
            .transfer
            .post(&policy.upload_host)
            .multipart(form)
            .send()
            .await
            .map_err(|e| transport_error(&e))?;
        let status = response.status().as_u16();
        let request_id = header_request_id(&response);
        if status == 200 {
            tracing::debug!(key, "uploaded");
            return Ok(format!("oss://{key}"));
        }
        let body = read_capped(response).await.unwrap_or_default();
        Err(Error::Api(ApiError::from_response(
            status, request_id, &body,
        )))
    }

    /// Starts downloading a result from byte `from` (HTTP Range when `from > 0`).
    /// Returns the response once its status says the bytes follow (200 or 206).
    pub async fn download(&self, url: &str, from: u64) -> Result<reqwest::Response, Error> {
        let parsed = url::Url::parse(url)
            .map_err(|e| Error::Invalid(loc!("api-invalid-video-link", detail = e.to_string())))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(Error::Invalid(loc!(
                "api-invalid-video-link-scheme",
                scheme = mask_secrets(parsed.scheme())
            )));
        }
        let mut request = self.transfer.get(parsed);
        if from > 0 {
            request = request.header(reqwest::header::RANGE, format!("bytes={from}-"));
        }
        let response = request.send().await.map_err(|e| transport_error(&e))?;
        let status = response.status().as_u16();
        if status == 200 || status == 206 {
            return Ok(response);
        }
        let request_id = header_request_id(&response);
        let body = read_capped(response).await.unwrap_or_default();
        Err(Error::Api(ApiError::from_response(
            status, request_id, &body,
        )))
    }

    async fn send_json<T: DeserializeOwned>(
        &self,
        what: &'static str,
        request: reqwest::RequestBuilder,
    ) -> Result<T, Error> {
        let response = request.send().await.map_err(|e| transport_error(&e))?;
        let status = response.status().as_u16();
        let request_id = header_request_id(&response);
        if let Some(date) = header_date_ms(&response) {
            *self.service_date.lock().unwrap_or_else(|p| p.into_inner()) = Some(date);
        }
        let body = read_capped(response).await?;
        if !(200..300).contains(&status) {
            let error = ApiError::from_response(status, request_id, &body);
            tracing::info!(call = what, status, code = %error.code, request_id = ?error.request_id, "service error");
            return Err(Error::Api(error));
        }
        serde_json::from_slice(&body).map_err(|e| {
            let request_id = serde_json::from_slice::<serde_json::Value>(&body)
                .ok()
                .and_then(|v| v.get("request_id")?.as_str().map(mask_secrets))
                .or(request_id);
            // The parser's words may quote the answer: mask before logging.
            let detail = mask_secrets(&e.to_string());
            tracing::warn!(
                call = what,
                status,
                ?request_id,
                "unreadable answer: {detail}"
            );
            Error::Malformed {
                http_status: status,
                request_id,
                detail,
            }
        })
    }
}

/// Task ids go into URL paths: allow only what ids are made of.
/// Whether `task_id` can be a task id of the service (letters, digits, `-`, `_`).
pub fn is_task_id(task_id: &str) -> bool {
    !task_id.is_empty()
        && task_id.len() <= 128
        && task_id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

fn checked_task_id(task_id: &str) -> Result<&str, Error> {
    if is_task_id(task_id) {
        Ok(task_id)
    } else {
        Err(Error::Invalid(loc!(
            "api-invalid-task-id",
            id = Localized::from_network(&format!("{task_id:?}"))
        )))
    }
}

fn header_date_ms(response: &reqwest::Response) -> Option<i64> {
    let text = response
        .headers()
        .get(reqwest::header::DATE)?
        .to_str()
        .ok()?;
    chrono::DateTime::parse_from_rfc2822(text)
        .ok()
        .map(|t| t.timestamp_millis())
}

fn header_request_id(response: &reqwest::Response) -> Option<String> {
    response
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .map(mask_secrets)
}

/// Reads an answer, refusing more than [`MAX_ANSWER_BYTES`].
async fn read_capped(mut response: reqwest::Response) -> Result<Vec<u8>, Error> {
    let status = response.status().as_u16();
    if response
        .content_length()
        .is_some_and(|n| n > MAX_ANSWER_BYTES as u64)
    {
        return Err(too_large(status, &response));
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|e| transport_error(&e))? {
        if body.len() + chunk.len() > MAX_ANSWER_BYTES {
            return Err(too_large(status, &response));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

fn too_large(status: u16, response: &reqwest::Response) -> Error {
    Error::Malformed {
        http_status: status,
        request_id: header_request_id(response),
        // Empty: the error says the answer was too large.
        detail: String::new(),
    }
}

/// Sorts a reqwest failure by whether the request may have reached the service,
/// and names its cause as far as the error chain tells.
fn transport_error(e: &reqwest::Error) -> Error {
    // Walk the source chain for the most telling text, without URLs (they may carry
    // signed query strings).
    let mut detail = e.to_string();
    let mut cause = TransportCause::Other;
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        detail = s.to_string();
        let io_kind = s.downcast_ref::<std::io::Error>().map(std::io::Error::kind);
        cause = cause.or(transport_cause(io_kind, &detail));
        source = s.source();
    }
    let (kind, maybe_delivered) = if e.is_connect() {
        (TransportKind::Connect, false)
    } else if e.is_timeout() {
        (TransportKind::Timeout, true)
    } else {
        (TransportKind::Broken, true)
    };
    if e.is_timeout() {
        cause = TransportCause::TimedOut;
    }
    Error::Transport {
        kind,
        cause,
        maybe_delivered,
        detail: mask_secrets(&detail),
    }
}

/// The cause one link of an error chain names: by its I/O error kind, else by
/// the words resolvers and TLS libraries use.
fn transport_cause(io_kind: Option<std::io::ErrorKind>, text: &str) -> TransportCause {
    use std::io::ErrorKind;
    match io_kind {
        Some(ErrorKind::ConnectionRefused) => return TransportCause::Refused,
        Some(ErrorKind::ConnectionReset | ErrorKind::ConnectionAborted | ErrorKind::BrokenPipe) => {
            return TransportCause::Reset;
        }
        Some(ErrorKind::TimedOut) => return TransportCause::TimedOut,
        _ => {}
    }
    let text = text.to_ascii_lowercase();
    let has = |words: &[&str]| words.iter().any(|w| text.contains(w));
    if has(&[
        "dns error",
        "failed to lookup address",
        "name or service not known",
        "no such host",
    ]) {
        TransportCause::Dns
    } else if has(&["certificate", "tls", "ssl", "handshake"]) {
        TransportCause::Tls
    } else if has(&["connection refused"]) {
        TransportCause::Refused
    } else if has(&["connection reset", "broken pipe"]) {
        TransportCause::Reset
    } else {
        TransportCause::Other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn task_ids_are_checked_before_they_reach_a_path() {
        assert!(checked_task_id("0385dc79-5ff8-4d82-bcb6-xxxxxx").is_ok());
        assert!(checked_task_id("../uploads").is_err());
        assert!(checked_task_id("").is_err());
        assert!(checked_task_id("a/b").is_err());
    }

    #[test]
    fn the_base_url_must_be_http() {
        let key = ApiKey::new("sk-test-key-0000").unwrap();
        assert!(Client::new(ClientConfig::new("ftp://x", key.clone())).is_err());
        assert!(Client::new(ClientConfig::new("not a url", key.clone())).is_err());
        let client = Client::new(ClientConfig::new("http://127.0.0.1:1/api/v1/", key)).unwrap();
        assert_eq!(client.base_url(), "http://127.0.0.1:1/api/v1");
        assert!(!format!("{client:?}").contains("sk-test-key-0000"));
    }

    #[tokio::test]
    async fn a_closed_port_is_a_refused_connection_that_sent_nothing() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        drop(listener);
        let key = ApiKey::new("sk-test-key-0000").unwrap();
        let client = Client::new(ClientConfig::new(
            format!("http://127.0.0.1:{port}/api/v1"),
            key,
        ))
        .unwrap();
        let e = client.query("t-1").await.unwrap_err();
        assert!(
            matches!(
                e,
                Error::Transport {
                    kind: TransportKind::Connect,
                    cause: TransportCause::Refused,
                    maybe_delivered: false,
                    ..
                }
            ),
            "{e:?}"
        );
        assert!(
            e.describe().zh.contains("拒绝了连接"),
            "{}",
            e.describe().zh
        );
    }

    #[test]
    fn transport_causes_are_read_from_io_kinds_and_library_words() {
        use std::io::ErrorKind;
        let cause = transport_cause;
        assert_eq!(
            cause(Some(ErrorKind::ConnectionReset), ""),
            TransportCause::Reset
        );
        assert_eq!(
            cause(Some(ErrorKind::TimedOut), ""),
            TransportCause::TimedOut
        );
        assert_eq!(
            cause(None, "dns error: failed to lookup address information"),
            TransportCause::Dns
        );
        assert_eq!(
            cause(None, "invalid peer certificate: UnknownIssuer"),
            TransportCause::Tls
        );
        assert_eq!(
            cause(None, "connection closed before message completed"),
            TransportCause::Other
        );
        assert_eq!(
            TransportCause::Other.or(TransportCause::Dns),
            TransportCause::Dns
        );
        assert_eq!(
            TransportCause::Tls.or(TransportCause::Dns),
            TransportCause::Tls
        );
    }

    #[test]
    fn a_bad_task_id_is_refused_in_each_language_with_the_id_masked() {
        let id = "../sk-9f8e7d6c5b4a39281706f5e4d3c2b1a0";
        let Err(Error::Invalid(what)) = checked_task_id(id) else {
            panic!("accepted {id}");
        };
        assert!(
            !what.en.contains("9f8e7d6c5b4a") && what.zh.contains("任务 ID"),
            "{what:?}"
        );
    }
}
