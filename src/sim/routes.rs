//! The simulator's endpoints.

// Handlers bail out with a ready `Response` as their error: boxing it would only
// add noise to a test server.
#![allow(clippy::result_large_err)]

use super::service::{self, ASYNC_HEADER, CREATE_PATH, OSS_RESOLVE_HEADER, is_oss};
use super::validate::check_create;
use super::{Fault, FaultKind, Link, Outcome, PolicyGrant, Route, Shared, Task, Upload};
use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{DefaultBodyLimit, Multipart, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine as _;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::time::Instant;

type S = State<Arc<Shared>>;

/// The access key id the simulated upload host expects.
const OSS_ACCESS_KEY_ID: &str = "LTAI5tSimulatorUploadKey";
/// Secret behind upload policy signatures.
const POLICY_SECRET: &str = "r2v-studio-simulator-policy-secret";

pub(super) fn router(shared: Arc<Shared>) -> Router {
    // The official SDK sometimes adds trailing slashes: serve both forms.
    let mut api = Router::new();
    for (path, route) in [
        (CREATE_PATH, post(create)),
        ("/tasks", get(list)),
        ("/tasks/{id}", get(query)),
        ("/tasks/{id}/cancel", post(cancel)),
        ("/uploads", get(policy)),
    ] {
        api = api
            .route(path, route.clone())
            .route(&format!("{path}/"), route);
    }
    Router::new()
        .nest("/api/v1", api)
        .route("/oss", post(upload))
        .route("/videos/{file}", get(download))
        .layer(DefaultBodyLimit::max(128 * 1024 * 1024))
        .layer(axum::middleware::map_response_with_state(
            shared.clone(),
            stamp_date,
        ))
        .with_state(shared)
}

/// Every answer carries the service's clock in `Date` (the server's own header
/// would show the machine's clock, and the real one even under paused time).
async fn stamp_date(State(shared): S, mut response: Response) -> Response {
    let now = {
        let inner = shared.lock();
        shared.wall(shared.now(&inner))
    };
    if let Ok(value) = HeaderValue::from_str(&http_date(now)) {
        response.headers_mut().insert(header::DATE, value);
    }
    if shared.config.clock_offset != time::Duration::ZERO {
        shared.hit(FaultKind::ClockOffset);
    }
    response
}

/// `Sun, 06 Nov 1994 08:49:37 GMT` (RFC 9110 IMF-fixdate).
fn http_date(at: time::OffsetDateTime) -> String {
    let format = time::macros::format_description!(
        "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
    );
    at.to_offset(time::UtcOffset::UTC)
        .format(&format)
        .unwrap_or_default()
}

fn new_request_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

fn with_request_id(mut response: Response, request_id: &str) -> Response {
    if let Ok(value) = HeaderValue::from_str(request_id) {
        response.headers_mut().insert("x-request-id", value);
    }
    response
}

fn answer(value: Value) -> Response {
    let request_id = value["request_id"].as_str().unwrap_or_default().to_string();
    with_request_id(axum::Json(value).into_response(), &request_id)
}

/// An error answer as the service gives it; an empty code means no body at all.
fn error(status: u16, code: &str, message: &str) -> Response {
    let request_id = new_request_id();
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let response = if code.is_empty() {
        status.into_response()
    } else {
        (
            status,
            axum::Json(json!({"request_id": request_id, "code": code, "message": message})),
        )
            .into_response()
    };
    with_request_id(response, &request_id)
}

/// An error answer as OSS (upload host, video links) gives it: XML.
fn oss_error(status: StatusCode, code: &str, message: &str) -> Response {
    let request_id = new_request_id().replace('-', "").to_uppercase();
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error>\n  <Code>{code}</Code>\n  \
         <Message>{message}</Message>\n  <RequestId>{request_id}</RequestId>\n  \
         <HostId>127.0.0.1</HostId>\n</Error>\n"
    );
    let response = (status, [(header::CONTENT_TYPE, "application/xml")], body).into_response();
    with_request_id(response, &request_id)
}

fn given_key(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
}

/// 401 `InvalidApiKey`, echoing the key given when `echo` (as some gateways do).
fn invalid_key(headers: &HeaderMap, echo: bool) -> Response {
    let message = match given_key(headers) {
        Some(key) if echo => format!("Invalid API-key provided: {key}"),
        _ => "Invalid API-key provided.".to_string(),
    };
    error(401, "InvalidApiKey", &message)
}

fn check_auth(shared: &Shared, headers: &HeaderMap) -> Result<(), Response> {
    if given_key(headers) == Some(shared.config.api_key.as_str()) {
        Ok(())
    } else {
        let echo = shared.config.echo_key_in_401;
        if echo {
            shared.hit(FaultKind::KeyInMessage);
        }
        Err(invalid_key(headers, echo))
    }
}

fn header_is(headers: &HeaderMap, name: &str, value: &str) -> bool {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case(value))
}

/// Takes the route's fault; the faults that answer at once (nothing is done)
/// come back as `Err`, counted as hits.
fn take_fault(
    shared: &Shared,
    route: Route,
    headers: &HeaderMap,
) -> Result<Option<Fault>, Response> {
    let fault = shared.fault(route);
    let at_once = match &fault {
        Some(Fault::Status {
            status,
            code,
            message,
        }) => error(*status, code, message),
        Some(Fault::Html(status)) => html_page(*status),
        Some(Fault::Huge(bytes)) => huge_body(*bytes),
        Some(Fault::EchoKey) => invalid_key(headers, true),
        _ => return Ok(fault),
    };
    if let Some(f) = &fault {
        shared.hit(f.kind());
    }
    Err(at_once)
}

/// What a proxy in front of the service answers when the service is down.
fn html_page(status: u16) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY);
    let page = format!(
        "<html>\r\n<head><title>{status}</title></head>\r\n<body>\r\n\
         <center><h1>{status}</h1></center>\r\n<hr><center>Tengine</center>\r\n</body>\r\n</html>\r\n"
    );
    let mut response = (status, page).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    response
}

/// A 200 answer of `bytes` bytes that starts like JSON and never ends well,
/// streamed so that the simulator itself stays small.
fn huge_body(bytes: usize) -> Response {
    const CHUNK: usize = 64 * 1024;
    let head = Bytes::from_static(b"{\"request_id\":\"huge\",\"output\":{\"task_status\":\"");
    let filler = Bytes::from(vec![b'x'; CHUNK]);
    let count = bytes.saturating_sub(head.len()).div_ceil(CHUNK);
    let chunks = std::iter::once(head)
        .chain(std::iter::repeat_n(filler, count))
        .map(Ok::<Bytes, std::io::Error>);
    let mut response = Response::new(Body::from_stream(futures_util::stream::iter(chunks)));
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

/// Applies a fault that strikes after the work was done.
async fn deliver(shared: &Shared, fault: Option<Fault>, response: Response) -> Response {
    if let Some(
        f @ (Fault::Drop
        | Fault::Hang
        | Fault::Truncate
        | Fault::WrongTypes
        | Fault::GatewayEmpty(_)
        | Fault::GatewayHtml(_)),
    ) = &fault
    {
        shared.hit(f.kind());
    }
    match fault {
        Some(Fault::GatewayEmpty(status)) => {
            // The gateway's own answer: no body, no service request id.
            StatusCode::from_u16(status)
                .unwrap_or(StatusCode::GATEWAY_TIMEOUT)
                .into_response()
        }
        Some(Fault::GatewayHtml(status)) => html_page(status),
        Some(Fault::Drop) => {
            let (parts, _) = response.into_parts();
            let broken = futures_util::stream::once(async {
                Err::<Bytes, std::io::Error>(std::io::Error::other("simulated dropped connection"))
            });
            Response::from_parts(parts, Body::from_stream(broken))
        }
        Some(Fault::Hang) => {
            tokio::time::sleep(shared.config.hang).await;
            response
        }
        Some(Fault::Truncate) => {
            let (parts, body) = response.into_parts();
            let bytes = axum::body::to_bytes(body, usize::MAX)
                .await
                .unwrap_or_default();
            let half = bytes.slice(..bytes.len() / 2);
            let mut parts = parts;
            parts.headers.remove(header::CONTENT_LENGTH);
            Response::from_parts(parts, Body::from(half))
        }
        Some(Fault::WrongTypes) => {
            let (parts, body) = response.into_parts();
            let bytes = axum::body::to_bytes(body, usize::MAX)
                .await
                .unwrap_or_default();
            let mut value: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
            if let Some(output) = value.get_mut("output").and_then(Value::as_object_mut) {
                output.insert("task_id".into(), json!(12345));
                output.insert("task_status".into(), json!(["RUNNING"]));
                if output.contains_key("video_url") {
                    output.insert("video_url".into(), json!({"href": "x"}));
                }
            }
            if value.get("usage").is_some() {
                value["usage"] = json!("ten seconds");
            }
            let mut parts = parts;
            parts.headers.remove(header::CONTENT_LENGTH);
            Response::from_parts(parts, Body::from(value.to_string()))
        }
        _ => response,
    }
}

/// Records a task query; `Err` when over the per-second limit.
fn admit_query(shared: &Shared) -> Result<(), Response> {
    let mut inner = shared.lock();
    let now = Instant::now();
    while inner
        .recent_queries
        .front()
        .is_some_and(|t| now.duration_since(*t) >= Duration::from_secs(1))
    {
        inner.recent_queries.pop_front();
    }
    if inner.recent_queries.len() >= shared.config.queries_per_second {
        drop(inner);
        shared.count(|c| &c.queries_throttled);
        return Err(error(
            429,
            "Throttling",
            "Requests rate limit exceeded, please try again later.",
        ));
    }
    inner.recent_queries.push_back(now);
    inner.peak_queries = inner.peak_queries.max(inner.recent_queries.len() as u64);
    Ok(())
}

fn status_at(shared: &Shared, task: &Task, now: Instant) -> &'static str {
    let c = &shared.config;
    if now >= task.created + c.task_ttl {
        return "UNKNOWN";
    }
    if task.canceled_at.is_some() {
        return "CANCELED";
    }
    let elapsed = now.saturating_duration_since(task.created);
    if elapsed < c.pending_duration {
        "PENDING"
    } else if elapsed < c.task_duration {
        "RUNNING"
    } else {
        match task.outcome {
            Outcome::Succeed => "SUCCEEDED",
            Outcome::Fail { .. } => "FAILED",
        }
    }
}

fn service_time(shared: &Shared, at: Instant) -> String {
    let t = shared.wall(at);
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}.{:03}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.millisecond()
    )
}

async fn create(State(shared): S, headers: HeaderMap, body: Bytes) -> Response {
    shared.count(|c| &c.create_requests);
    if let Err(r) = check_auth(&shared, &headers) {
        return r;
    }
    let fault = match take_fault(&shared, Route::Create, &headers) {
        Ok(f) => f,
        Err(r) => return r,
    };
    if !header_is(&headers, ASYNC_HEADER, "enable") {
        return error(
            403,
            "AccessDenied",
            "current user api does not support synchronous calls",
        );
    }
    let valid = match check_create(&body) {
        Ok(v) => v,
        Err(r) => return error(r.status, r.code, &r.message),
    };
    let resolve = header_is(&headers, OSS_RESOLVE_HEADER, "enable");
    let request_id = new_request_id();
    let task_id = {
        let mut inner = shared.lock();
        let now = shared.now(&inner);
        for url in valid.media_urls.iter().filter(|u| is_oss(u)) {
            if !resolve {
                return error(
                    400,
                    "InvalidParameter.DataInspection",
                    "The media format is not supported or incorrect for the data inspection.",
                );
            }
            let key = &url["oss://".len()..];
            match inner.uploads.get(key) {
                Some(u) if now.saturating_duration_since(u.stored) < shared.config.upload_ttl => {
                    if u.model.name != valid.model.name {
                        return error(
                            400,
                            "InvalidParameter",
                            &format!(
                                "The file {url} was uploaded for {}, not {}",
                                u.model.name, valid.model.name
                            ),
                        );
                    }
                }
                _ => {
                    return error(
                        400,
                        "InvalidParameter",
                        &format!("The file {url} does not exist or has expired"),
                    );
                }
            }
        }
        let series = valid.model.series;
        let unfinished = inner
            .tasks
            .values()
            .filter(|t| t.model.series == series)
            .filter(|t| matches!(status_at(&shared, t, now), "PENDING" | "RUNNING"))
            .count();
        if unfinished >= shared.config.running_limit {
            return error(
                429,
                "Throttling.RateQuota",
                "Requests rate limit exceeded, please try again later.",
            );
        }
        let real_now = Instant::now();
        let recent = inner.recent_creates.entry(series).or_default();
        recent.retain(|t| real_now.duration_since(*t) < Duration::from_secs(1));
        if recent.len() >= shared.config.submissions_per_second {
            return error(
                429,
                "Throttling.BurstRate",
                "Request rate increased too quickly.",
            );
        }
        recent.push_back(real_now);
        let prompt_lower = valid.prompt.to_lowercase();
        let outcome = if shared
            .config
            .moderation_words
            .iter()
            .any(|w| !w.is_empty() && prompt_lower.contains(&w.to_lowercase()))
        {
            Outcome::Fail {
                code: "DataInspectionFailed".into(),
                message: "Output data may contain inappropriate content.".into(),
            }
        } else if inner.rng.f64() < shared.config.fail_rate {
            Outcome::Fail {
                code: "InternalError".into(),
                message: "An internal error occurred while generating the video.".into(),
            }
        } else {
            Outcome::Succeed
        };
        let task_id = uuid::Uuid::new_v4().to_string();
        let task = Task {
            id: task_id.clone(),
            model: valid.model,
            foreign: false,
            created: now,
            created_wall: shared.wall(now),
            prompt: valid.prompt.clone(),
            size: valid.size.clone(),
            duration: valid.duration,
            audio: valid.audio,
            outcome,
            canceled_at: None,
            request_id: request_id.clone(),
        };
        inner.tasks.insert(task_id.clone(), task);
        if let Some(other) = inner.foreign.pop_front() {
            place_foreign_task(&shared, &mut inner, valid.model, now, &other);
        }
        task_id
    };
    shared.count(|c| &c.tasks_created);
    tracing::debug!(task_id, "simulated task created");
    let answered_id = match fault {
        Some(Fault::TaskId(ref unusable)) => {
            shared.hit(FaultKind::TaskId);
            unusable.clone()
        }
        _ => task_id,
    };
    let response = answer(json!({
        "request_id": request_id,
        "output": {"task_id": answered_id, "task_status": "PENDING"}
    }));
    deliver(&shared, fault, response).await
}

/// Someone else's task on the same account, created `other.offset` from `own`.
fn place_foreign_task(
    shared: &Shared,
    inner: &mut super::Inner,
    model: &'static service::ServiceModel,
    own: Instant,
    other: &super::ForeignTask,
) {
    let shift = other.offset.unsigned_abs();
    let created = if other.offset.is_negative() {
        own.checked_sub(shift).unwrap_or(own)
    } else {
        own + shift
    };
    let id = uuid::Uuid::new_v4().to_string();
    inner.tasks.insert(
        id.clone(),
        Task {
            id,
            model,
            foreign: true,
            created,
            created_wall: shared.wall(created),
            prompt: other.prompt.clone(),
            size: other.size.clone(),
            duration: other.duration,
            audio: false,
            outcome: Outcome::Succeed,
            canceled_at: None,
            request_id: new_request_id(),
        },
    );
    shared.hit(FaultKind::ForeignTask);
}

async fn query(State(shared): S, headers: HeaderMap, Path(id): Path<String>) -> Response {
    shared.count(|c| &c.queries);
    if let Err(r) = check_auth(&shared, &headers) {
        return r;
    }
    if let Err(r) = admit_query(&shared) {
        return r;
    }
    let fault = match take_fault(&shared, Route::Query, &headers) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let mut body = task_answer(&shared, &id);
    if let Some(Fault::VideoUrl(url)) = &fault
        && let Some(output) = body.get_mut("output").and_then(Value::as_object_mut)
    {
        shared.hit(FaultKind::VideoUrl);
        output.insert("task_status".into(), json!("SUCCEEDED"));
        output.insert("video_url".into(), json!(url));
    }
    deliver(&shared, fault, answer(body)).await
}

fn task_answer(shared: &Shared, id: &str) -> Value {
    let request_id = new_request_id();
    let mut inner = shared.lock();
    let now = shared.now(&inner);
    let Some(task) = inner.tasks.get(id).cloned() else {
        return json!({"request_id": request_id, "output": {"task_id": id, "task_status": "UNKNOWN"}});
    };
    let status = status_at(shared, &task, now);
    let c = &shared.config;
    let mut output = json!({"task_id": id, "task_status": status});
    if status == "UNKNOWN" {
        return json!({"request_id": request_id, "output": output});
    }
    output["submit_time"] = json!(service_time(shared, task.created));
    if status != "PENDING" && task.canceled_at.is_none() {
        output["scheduled_time"] = json!(service_time(shared, task.created + c.pending_duration));
    }
    let mut usage = Value::Null;
    match status {
        "SUCCEEDED" => {
            let token = uuid::Uuid::new_v4().simple().to_string();
            inner.links.insert(
                token.clone(),
                Link {
                    task_id: id.to_string(),
                    expires: now + c.link_ttl,
                },
            );
            output["end_time"] = json!(service_time(shared, task.created + c.task_duration));
            output["video_url"] = json!(format!("{}/videos/{token}.mp4", shared.origin()));
            output["orig_prompt"] = json!(task.prompt);
            let short_side = task
                .size
                .split('*')
                .filter_map(|n| n.parse::<u32>().ok())
                .min()
                .unwrap_or(0);
            usage = json!({
                "duration": task.duration,
                "size": task.size,
                "fps": 24,
                "SR": short_side,
                "audio": task.audio,
                "video_count": 1
            });
        }
        "FAILED" => {
            output["end_time"] = json!(service_time(shared, task.created + c.task_duration));
            if let Outcome::Fail { code, message } = &task.outcome {
                output["code"] = json!(code);
                output["message"] = json!(message);
            }
        }
        "CANCELED" => {
            if let Some(at) = task.canceled_at {
                output["end_time"] = json!(service_time(shared, at));
            }
        }
        _ => {}
    }
    let mut body = json!({"request_id": request_id, "output": output});
    if !usage.is_null() {
        body["usage"] = usage;
    }
    body
}

async fn cancel(
    State(shared): S,
    headers: HeaderMap,
    Path(id): Path<String>,
    _body: Bytes,
) -> Response {
    shared.count(|c| &c.cancels);
    if let Err(r) = check_auth(&shared, &headers) {
        return r;
    }
    let fault = match take_fault(&shared, Route::Cancel, &headers) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let canceled = {
        let mut inner = shared.lock();
        let now = shared.now(&inner);
        let pending = inner
            .tasks
            .get(&id)
            .is_some_and(|t| status_at(&shared, t, now) == "PENDING");
        if pending && let Some(task) = inner.tasks.get_mut(&id) {
            task.canceled_at = Some(now);
        }
        pending
    };
    if !canceled {
        return error(
            400,
            "UnsupportedOperation",
            "Failed to cancel the task, please confirm the task status is PENDING.",
        );
    }
    deliver(
        &shared,
        fault,
        answer(json!({"request_id": new_request_id()})),
    )
    .await
}

async fn list(
    State(shared): S,
    headers: HeaderMap,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    shared.count(|c| &c.lists);
    if let Err(r) = check_auth(&shared, &headers) {
        return r;
    }
    if let Err(r) = admit_query(&shared) {
        return r;
    }
    let fault = match take_fault(&shared, Route::List, &headers) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let parse_time = |name: &str| -> Result<Option<time::PrimitiveDateTime>, Response> {
        match params.get(name) {
            None => Ok(None),
            Some(text) => {
                let format =
                    time::macros::format_description!("[year][month][day][hour][minute][second]");
                time::PrimitiveDateTime::parse(text, &format)
                    .map(Some)
                    .map_err(|_| {
                        error(
                            400,
                            "InvalidParameter",
                            &format!("{name} must be YYYYMMDDhhmmss, got {text}"),
                        )
                    })
            }
        }
    };
    let (start, end) = match (parse_time("start_time"), parse_time("end_time")) {
        (Ok(s), Ok(e)) => (s, e),
        (Err(r), _) | (_, Err(r)) => return r,
    };
    let page_no: usize = params
        .get("page_no")
        .and_then(|p| p.parse().ok())
        .unwrap_or(1)
        .max(1);
    let page_size: usize = params
        .get("page_size")
        .and_then(|p| p.parse().ok())
        .unwrap_or(10)
        .clamp(1, 100);
    let body = {
        let inner = shared.lock();
        let now = shared.now(&inner);
        let mut tasks: Vec<(&Task, &'static str)> = inner
            .tasks
            .values()
            .map(|t| (t, status_at(&shared, t, now)))
            .filter(|(_, status)| *status != "UNKNOWN")
            .filter(|(t, _)| params.get("model_name").is_none_or(|m| m == t.model.name))
            .filter(|(_, status)| params.get("status").is_none_or(|s| s == status))
            .filter(|(t, _)| {
                let local = t.created_wall;
                let local = time::PrimitiveDateTime::new(local.date(), local.time());
                start.is_none_or(|s| local >= s) && end.is_none_or(|e| local <= e)
            })
            .collect();
        tasks.sort_by_key(|t| std::cmp::Reverse(t.0.created));
        let total = tasks.len();
        let millis = |at: time::OffsetDateTime| (at.unix_timestamp_nanos() / 1_000_000) as i64;
        let data: Vec<Value> = tasks
            .iter()
            .skip((page_no - 1) * page_size)
            .take(page_size)
            .map(|(t, status)| {
                let mut item = json!({
                    "task_id": t.id,
                    "status": status,
                    "model_name": t.model.name,
                    "gmt_create": millis(t.created_wall),
                    "request_id": t.request_id,
                    "region": "cn-beijing",
                });
                if shared.config.list_task_details {
                    item["orig_prompt"] = json!(t.prompt);
                    item["size"] = json!(t.size);
                    item["duration"] = json!(t.duration);
                }
                item
            })
            .collect();
        json!({
            "request_id": new_request_id(),
            "data": data,
            "total": total,
            "total_page": total.div_ceil(page_size),
            "page_no": page_no,
            "page_size": page_size,
        })
    };
    deliver(&shared, fault, answer(body)).await
}

fn sign(policy: &str) -> String {
    let digest = Sha256::digest(format!("{POLICY_SECRET}{policy}").as_bytes());
    base64::engine::general_purpose::STANDARD.encode(digest)
}

async fn policy(
    State(shared): S,
    headers: HeaderMap,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    shared.count(|c| &c.policies);
    if let Err(r) = check_auth(&shared, &headers) {
        return r;
    }
    let fault = match take_fault(&shared, Route::Policy, &headers) {
        Ok(f) => f,
        Err(r) => return r,
    };
    if params.get("action").map(String::as_str) != Some("getPolicy") {
        return error(400, "InvalidParameter", "action must be getPolicy");
    }
    let Some(model) = params.get("model").and_then(|m| service::model(m)) else {
        return error(404, "ModelNotFound", "Model not exist.");
    };
    let max_mb = service::UPLOAD_MAX_MB;
    let body = {
        let mut inner = shared.lock();
        let now = shared.now(&inner);
        let ttl = shared.config.policy_ttl;
        let day = shared.wall(now).date();
        let upload_dir = format!(
            "dashscope-instant/simulated-account/{day}/{}",
            uuid::Uuid::new_v4().simple()
        );
        let expiration = shared.wall(now + ttl);
        let document = json!({
            "expiration": expiration.unix_timestamp(),
            "conditions": [["content-length-range", 0, max_mb * 1024 * 1024], ["starts-with", "$key", upload_dir]]
        });
        let policy = base64::engine::general_purpose::STANDARD.encode(document.to_string());
        inner.policies.insert(
            policy.clone(),
            PolicyGrant {
                model,
                upload_dir: upload_dir.clone(),
                expires: now + ttl,
                max_bytes: max_mb * 1024 * 1024,
            },
        );
        json!({
            "request_id": new_request_id(),
            "data": {
                "policy": policy,
                "signature": sign(&policy),
                "upload_dir": upload_dir,
                "upload_host": format!("{}/oss", shared.origin()),
                "expire_in_seconds": ttl.as_secs(),
                "max_file_size_mb": max_mb,
                "capacity_limit_mb": 999_999_999,
                "oss_access_key_id": OSS_ACCESS_KEY_ID,
                "x_oss_object_acl": "private",
                "x_oss_forbid_overwrite": "true",
            }
        })
    };
    deliver(&shared, fault, answer(body)).await
}

async fn upload(State(shared): S, headers: HeaderMap, mut form: Multipart) -> Response {
    shared.count(|c| &c.uploads);
    // Only faults that answer at once make sense here: the form has not been read yet.
    if let Err(r) = take_fault(&shared, Route::Upload, &headers) {
        return r;
    }
    let mut fields: HashMap<String, String> = HashMap::new();
    let mut file: Option<Bytes> = None;
    loop {
        let field = match form.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => {
                return oss_error(
                    StatusCode::BAD_REQUEST,
                    "MalformedPOSTRequest",
                    &e.to_string(),
                );
            }
        };
        let name = field.name().unwrap_or_default().to_string();
        if file.is_some() {
            return oss_error(
                StatusCode::BAD_REQUEST,
                "InvalidArgument",
                &format!("The file must be the last form field; {name} came after it."),
            );
        }
        if name == "file" {
            match field.bytes().await {
                Ok(b) => file = Some(b),
                Err(e) => {
                    return oss_error(
                        StatusCode::BAD_REQUEST,
                        "MalformedPOSTRequest",
                        &e.to_string(),
                    );
                }
            }
        } else {
            match field.text().await {
                Ok(t) => {
                    fields.insert(name, t);
                }
                Err(e) => {
                    return oss_error(
                        StatusCode::BAD_REQUEST,
                        "MalformedPOSTRequest",
                        &e.to_string(),
                    );
                }
            }
        }
    }
    let get = |name: &str| fields.get(name).map(String::as_str).unwrap_or_default();
    if get("OSSAccessKeyId") != OSS_ACCESS_KEY_ID {
        return oss_error(
            StatusCode::FORBIDDEN,
            "InvalidAccessKeyId",
            "The OSS Access Key Id you provided does not exist in our records.",
        );
    }
    let mut inner = shared.lock();
    let now = shared.now(&inner);
    let Some(grant) = inner.policies.get(get("policy")).cloned() else {
        return oss_error(
            StatusCode::FORBIDDEN,
            "AccessDenied",
            "Invalid according to Policy: unknown policy.",
        );
    };
    if get("Signature") != sign(get("policy")) {
        return oss_error(
            StatusCode::FORBIDDEN,
            "SignatureDoesNotMatch",
            "The request signature we calculated does not match the signature you provided.",
        );
    }
    if now >= grant.expires {
        return oss_error(
            StatusCode::FORBIDDEN,
            "AccessDenied",
            "Invalid according to Policy: Policy expired.",
        );
    }
    let key = get("key").to_string();
    let prefix = format!("{}/", grant.upload_dir);
    if !key.starts_with(&prefix) || key.len() == prefix.len() {
        return oss_error(
            StatusCode::FORBIDDEN,
            "AccessDenied",
            &format!(
                "Invalid according to Policy: Policy Condition failed: [\"starts-with\", \"$key\", \"{}\"]",
                grant.upload_dir
            ),
        );
    }
    for (name, expected) in [
        ("x-oss-object-acl", "private"),
        ("x-oss-forbid-overwrite", "true"),
        ("success_action_status", "200"),
    ] {
        if get(name) != expected {
            return oss_error(
                StatusCode::BAD_REQUEST,
                "InvalidArgument",
                &format!("{name} must be {expected}, got {:?}", get(name)),
            );
        }
    }
    let Some(file) = file.filter(|f| !f.is_empty()) else {
        return oss_error(
            StatusCode::BAD_REQUEST,
            "InvalidArgument",
            "The file field is missing or empty.",
        );
    };
    if file.len() > grant.max_bytes {
        return oss_error(
            StatusCode::BAD_REQUEST,
            "EntityTooLarge",
            "Your proposed upload exceeds the maximum allowed size.",
        );
    }
    if inner.uploads.contains_key(&key) {
        return oss_error(
            StatusCode::CONFLICT,
            "FileAlreadyExists",
            "The object you specified already exists and can not be overwritten.",
        );
    }
    inner.uploads.insert(
        key,
        Upload {
            model: grant.model,
            stored: now,
            size: file.len(),
        },
    );
    let request_id = new_request_id();
    with_request_id(StatusCode::OK.into_response(), &request_id)
}

async fn download(State(shared): S, headers: HeaderMap, Path(file): Path<String>) -> Response {
    shared.count(|c| &c.downloads);
    let token = file.trim_end_matches(".mp4");
    let fault = match take_fault(&shared, Route::Download, &headers) {
        Ok(f) => f,
        Err(r) => return r,
    };
    if fault == Some(Fault::RedirectLoop) {
        shared.hit(FaultKind::RedirectLoop);
        // Every answer sends the client back here; the fault stays armed.
        shared
            .lock()
            .script
            .push_back((Route::Download, Fault::RedirectLoop));
        let mut r = StatusCode::FOUND.into_response();
        if let Ok(v) = HeaderValue::from_str(&format!("/videos/{file}")) {
            r.headers_mut().insert(header::LOCATION, v);
        }
        return r;
    }
    {
        let inner = shared.lock();
        let now = shared.now(&inner);
        let Some(link) = inner.links.get(token) else {
            return oss_error(
                StatusCode::NOT_FOUND,
                "NoSuchKey",
                "The specified key does not exist.",
            );
        };
        // A link lives its own 24 h from when it was given, even after the task
        // id itself is forgotten.
        if now >= link.expires || !inner.tasks.contains_key(&link.task_id) {
            return oss_error(
                StatusCode::FORBIDDEN,
                "AccessDenied",
                "Request has expired.",
            );
        }
    }
    if fault == Some(Fault::HtmlInsteadOfVideo) {
        shared.hit(FaultKind::HtmlInsteadOfVideo);
        let page = "<!DOCTYPE html>\n<html><head><title>Wi-Fi login</title></head>\n\
                    <body><h1>Please sign in to use this network</h1></body></html>\n";
        let mut r = (StatusCode::OK, page).into_response();
        r.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        );
        return r;
    }
    let video = shared.config.video.clone();
    let total = video.len() as u64;
    let (start, end) = match parse_range(&headers, total) {
        Ok(range) => range.unwrap_or((0, total.saturating_sub(1))),
        Err(()) => {
            let mut r = oss_error(
                StatusCode::RANGE_NOT_SATISFIABLE,
                "InvalidRange",
                "The requested range is not satisfiable.",
            );
            if let Ok(v) = HeaderValue::from_str(&format!("bytes */{total}")) {
                r.headers_mut().insert(header::CONTENT_RANGE, v);
            }
            return r;
        }
    };
    let mut partial = headers.contains_key(header::RANGE);
    let mut start = start;
    let mut content_range = partial;
    match fault {
        Some(Fault::NoContentRange) => {
            shared.hit(FaultKind::NoContentRange);
            partial = true;
            content_range = false;
        }
        Some(Fault::RangeStartsAt(at)) => {
            shared.hit(FaultKind::RangeStartsAt);
            partial = true;
            content_range = true;
            start = at.min(end);
        }
        _ => {}
    }
    let slice = video.slice(start as usize..=end as usize);
    let length = slice.len();
    let (announced, cut_at) = match fault {
        Some(Fault::Cut | Fault::Drop) => {
            shared.hit(fault.as_ref().map_or(FaultKind::Cut, Fault::kind));
            (length as u64, Some(length / 2))
        }
        Some(Fault::AbsurdLength(claimed)) => {
            shared.hit(FaultKind::AbsurdLength);
            (claimed, Some(length.min(64 * 1024)))
        }
        _ => (length as u64, None),
    };
    let body = video_stream(shared.clone(), slice, cut_at);
    let mut response = Response::new(body);
    *response.status_mut() = if partial {
        StatusCode::PARTIAL_CONTENT
    } else {
        StatusCode::OK
    };
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("video/mp4"));
    h.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(announced));
    if content_range && let Ok(v) = HeaderValue::from_str(&format!("bytes {start}-{end}/{total}")) {
        h.insert(header::CONTENT_RANGE, v);
    }
    response
}

/// `Ok(None)` without a Range header; `Err` when the range cannot be served.
fn parse_range(headers: &HeaderMap, total: u64) -> Result<Option<(u64, u64)>, ()> {
    let Some(value) = headers.get(header::RANGE) else {
        return Ok(None);
    };
    let text = value.to_str().map_err(|_| ())?;
    let spec = text.trim().strip_prefix("bytes=").ok_or(())?;
    let (a, b) = spec.split_once('-').ok_or(())?;
    let (start, end) = if a.is_empty() {
        let suffix: u64 = b.parse().map_err(|_| ())?;
        (total.saturating_sub(suffix), total.saturating_sub(1))
    } else {
        let start: u64 = a.parse().map_err(|_| ())?;
        let end = if b.is_empty() {
            total.saturating_sub(1)
        } else {
            b.parse::<u64>()
                .map_err(|_| ())?
                .min(total.saturating_sub(1))
        };
        (start, end)
    };
    if start >= total || start > end {
        return Err(());
    }
    Ok(Some((start, end)))
}

/// Streams `bytes` in chunks, paced if configured, broken after `cut_at` bytes.
fn video_stream(shared: Arc<Shared>, bytes: Bytes, cut_at: Option<usize>) -> Body {
    const CHUNK: usize = 64 * 1024;
    let rate = shared.config.download_bytes_per_sec;
    let limit = cut_at.unwrap_or(bytes.len());
    let stream = futures_util::stream::unfold(0usize, move |pos| {
        let bytes = bytes.clone();
        let shared = shared.clone();
        async move {
            if pos >= limit {
                return if cut_at.is_some() && pos < bytes.len() {
                    // Let the bytes so far reach the client before the connection breaks
                    // (else the server may drop them unsent along with the headers).
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    Some((
                        Err(std::io::Error::other("simulated cut download")),
                        usize::MAX,
                    ))
                } else {
                    None
                };
            }
            let end = (pos + CHUNK).min(limit);
            if let Some(rate) = rate.filter(|r| *r > 0) {
                let secs = (end - pos) as f64 / rate as f64;
                tokio::time::sleep(Duration::from_secs_f64(secs)).await;
            }
            shared
                .counters
                .bytes_served
                .fetch_add((end - pos) as u64, std::sync::atomic::Ordering::Relaxed);
            Some((Ok::<Bytes, std::io::Error>(bytes.slice(pos..end)), end))
        }
    });
    Body::from_stream(stream)
}
