//! The client against the built-in simulator on 127.0.0.1: every call, every error
//! path, and requests shaped like the official Python SDK's.

use r2v_studio::api::types::{CreateInput, CreateParameters, Media};
use r2v_studio::api::{
    ApiKey, Client, ClientConfig, CreateTaskRequest, Error, ListFilter, TaskStatus,
};
use r2v_studio::core::{GenerationSpec, Model, RefSource, Reference};
use r2v_studio::sim::{DEMO_VIDEO, Fault, FaultKind, ForeignTask, Route, SimConfig, Simulator};
use serde_json::{Value, json};
use std::time::Duration;

const KEY: &str = "sk-test-0123456789";

fn fast_config() -> SimConfig {
    let mut config = SimConfig::default().with_task_duration(Duration::from_millis(400));
    config.api_key = KEY.to_string();
    config
}

async fn start(config: SimConfig) -> (Simulator, Client) {
    let sim = Simulator::start(config, 0).await.expect("simulator starts");
    let client = client_for(&sim, KEY);
    (sim, client)
}

fn client_for(sim: &Simulator, key: &str) -> Client {
    let mut config = ClientConfig::new(sim.base_url(), ApiKey::new(key).unwrap());
    config.request_timeout = Duration::from_secs(5);
    Client::new(config).unwrap()
}

fn body(model: Model, urls: &[&str], names: &[&str], prompt: &str) -> CreateTaskRequest {
    let spec = GenerationSpec {
        model,
        references: urls
            .iter()
            .zip(names.iter().chain(std::iter::repeat(&"")))
            .enumerate()
            .map(|(i, (url, name))| Reference {
                name: if name.is_empty() {
                    format!("r{i}")
                } else {
                    name.to_string()
                },
                source: RefSource::Url(url.to_string()),
            })
            .collect(),
        prompt: prompt.to_string(),
        ..GenerationSpec::default()
    };
    assert_eq!(spec.validate(), vec![], "test specs are valid");
    let urls: Vec<String> = urls.iter().map(|u| u.to_string()).collect();
    CreateTaskRequest::from_spec(&spec, &urls).unwrap()
}

fn url_body(prompt: &str) -> CreateTaskRequest {
    body(
        Model::C1,
        &["https://example.com/cafe.jpg"],
        &["cafe"],
        prompt,
    )
}

async fn wait_for(
    client: &Client,
    task_id: &str,
    done: TaskStatus,
) -> r2v_studio::api::TaskResponse {
    for _ in 0..100 {
        let task = client.query(task_id).await.unwrap();
        if task.output.task_status == done {
            return task;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("task {task_id} never reached {done:?}");
}

async fn read_all(client: &Client, url: &str, from: u64) -> Result<Vec<u8>, Error> {
    let mut response = client.download(url, from).await?;
    let mut bytes = Vec::new();
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => bytes.extend_from_slice(&chunk),
            Ok(None) => return Ok(bytes),
            Err(_) if !bytes.is_empty() => return Ok(bytes),
            Err(e) => panic!("{e}"),
        }
    }
}

fn api_error(result: Result<impl std::fmt::Debug, Error>) -> r2v_studio::api::ApiError {
    match result {
        Err(Error::Api(e)) => e,
        other => panic!("expected an API error, got {other:?}"),
    }
}

/// POSTs a raw JSON body to the create endpoint.
async fn raw_create(sim: &Simulator, body: &Value, headers: &[(&str, &str)]) -> (u16, Value) {
    let response = raw_create_response(sim, body, headers).await;
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn raw_create_response(
    sim: &Simulator,
    body: &Value,
    headers: &[(&str, &str)],
) -> reqwest::Response {
    let mut request = reqwest::Client::new()
        .post(format!(
            "{}/services/aigc/video-generation/video-synthesis",
            sim.base_url()
        ))
        .header("Authorization", format!("Bearer {KEY}"))
        .header("Content-Type", "application/json; charset=utf-8")
        .body(body.to_string());
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.send().await.unwrap()
}

/// GETs `path` (below the base URL) with `key`.
async fn raw_get(sim: &Simulator, path: &str, key: &str) -> reqwest::Response {
    reqwest::Client::new()
        .get(format!("{}{path}", sim.base_url()))
        .header("Authorization", format!("Bearer {key}"))
        .send()
        .await
        .unwrap()
}

/// The simulator's task list as sent on the wire.
async fn raw_list(sim: &Simulator) -> Vec<Value> {
    let answer: Value = raw_get(sim, "/tasks?page_size=100", KEY)
        .await
        .json()
        .await
        .unwrap();
    answer["data"].as_array().cloned().unwrap_or_default()
}

const ASYNC: [(&str, &str); 1] = [("X-DashScope-Async", "enable")];

#[tokio::test]
async fn local_files_are_uploaded_then_generated_and_downloaded() {
    let (sim, client) = start(fast_config()).await;
    let policy = client.upload_policy(Model::C1).await.unwrap();
    let image = b"\x89PNG\r\n\x1a\n pretend image bytes".to_vec();
    let oss = client
        .upload(&policy, "hero.png", image.clone(), "image/png")
        .await
        .unwrap();
    assert!(oss.starts_with("oss://dashscope-instant/"), "{oss}");
    assert_eq!(sim.uploaded_size(&oss), Some(image.len()));

    let request = body(
        Model::C1,
        &[&oss, "https://example.com/cafe.jpg"],
        &["hero", "cafe"],
        "@hero plays a slow country song by the window of @cafe",
    );
    assert!(request.needs_oss_resolve());
    let created = client.create(&request).await.unwrap();
    assert_eq!(created.status, TaskStatus::Pending);
    assert!(!created.request_id.is_empty());

    let task = wait_for(&client, &created.task_id, TaskStatus::Succeeded).await;
    assert_eq!(task.usage.as_ref().and_then(|u| u.duration), Some(5.0));
    assert!(task.output.submit_time.is_some() && task.output.end_time.is_some());
    assert_eq!(
        task.output.orig_prompt.as_deref(),
        Some(request.input.prompt.as_str())
    );
    let url = task.output.video_url.unwrap();
    assert_eq!(read_all(&client, &url, 0).await.unwrap(), DEMO_VIDEO);
    assert_eq!(
        read_all(&client, &url, 1000).await.unwrap(),
        &DEMO_VIDEO[1000..]
    );
    let counts = sim.counts();
    assert_eq!(
        (counts.tasks_created, counts.uploads, counts.policies),
        (1, 1, 1)
    );
}

#[tokio::test]
async fn url_references_without_mentions_are_accepted() {
    let (_sim, client) = start(fast_config()).await;
    let request = body(
        Model::V56,
        &["https://e.com/a.png", "https://e.com/b.png"],
        &[],
        "two friends in a cafe",
    );
    assert!(request.input.media.iter().all(|m| m.ref_name.is_none()));
    let created = client.create(&request).await.unwrap();
    wait_for(&client, &created.task_id, TaskStatus::Succeeded).await;
}

#[tokio::test]
async fn a_cut_download_resumes_with_a_range_request() {
    let (sim, client) = start(fast_config()).await;
    let created = client.create(&url_body("@cafe at night")).await.unwrap();
    let url = wait_for(&client, &created.task_id, TaskStatus::Succeeded)
        .await
        .output
        .video_url
        .unwrap();
    sim.inject(Route::Download, Fault::Cut);
    let mut response = client.download(&url, 0).await.unwrap();
    assert_eq!(response.content_length(), Some(DEMO_VIDEO.len() as u64));
    let mut first = Vec::new();
    let cut = loop {
        match response.chunk().await {
            Ok(Some(chunk)) => first.extend_from_slice(&chunk),
            Ok(None) => break false,
            Err(_) => break true,
        }
    };
    assert!(cut, "the download was cut");
    assert_eq!(sim.fault_hits(FaultKind::Cut), 1);
    assert!(!first.is_empty() && first.len() < DEMO_VIDEO.len());
    let response = client.download(&url, first.len() as u64).await.unwrap();
    assert_eq!(response.status().as_u16(), 206);
    let rest = response.bytes().await.unwrap();
    first.extend_from_slice(&rest);
    assert_eq!(first, DEMO_VIDEO);
}

#[tokio::test]
async fn expired_links_are_refused_and_a_new_query_gives_a_fresh_one() {
    let mut config = fast_config();
    config.link_ttl = Duration::from_secs(60);
    let (sim, client) = start(config).await;
    let created = client.create(&url_body("@cafe")).await.unwrap();
    let old = wait_for(&client, &created.task_id, TaskStatus::Succeeded)
        .await
        .output
        .video_url
        .unwrap();
    sim.advance(Duration::from_secs(61));
    let e = api_error(client.download(&old, 0).await);
    assert_eq!((e.http_status, e.code.as_str()), (403, "AccessDenied"));
    assert!(e.request_id.is_some(), "the OSS error carries a request id");
    let fresh = client
        .query(&created.task_id)
        .await
        .unwrap()
        .output
        .video_url
        .unwrap();
    assert_ne!(fresh, old);
    assert_eq!(read_all(&client, &fresh, 0).await.unwrap(), DEMO_VIDEO);
}

#[tokio::test]
async fn tasks_expire_to_unknown_and_unknown_ids_answer_unknown() {
    let (sim, client) = start(fast_config()).await;
    let created = client.create(&url_body("@cafe")).await.unwrap();
    wait_for(&client, &created.task_id, TaskStatus::Succeeded).await;
    sim.advance(Duration::from_secs(24 * 3600));
    assert_eq!(
        client
            .query(&created.task_id)
            .await
            .unwrap()
            .output
            .task_status,
        TaskStatus::Unknown
    );
    let unknown = client
        .query("00000000-0000-0000-0000-000000000000")
        .await
        .unwrap();
    assert_eq!(unknown.output.task_status, TaskStatus::Unknown);
    assert!(
        client.query("../uploads").await.is_err(),
        "ids are checked before they reach a path"
    );
}

#[tokio::test]
async fn pending_tasks_cancel_and_running_ones_refuse() {
    let mut config = fast_config().with_task_duration(Duration::from_secs(30));
    config.api_key = KEY.into();
    let (sim, client) = start(config).await;
    let pending = client.create(&url_body("@cafe one")).await.unwrap();
    assert!(!client.cancel(&pending.task_id).await.unwrap().is_empty());
    assert_eq!(
        client
            .query(&pending.task_id)
            .await
            .unwrap()
            .output
            .task_status,
        TaskStatus::Canceled
    );

    let running = client.create(&url_body("@cafe two")).await.unwrap();
    sim.advance(Duration::from_secs(10));
    assert_eq!(
        client
            .query(&running.task_id)
            .await
            .unwrap()
            .output
            .task_status,
        TaskStatus::Running
    );
    let e = api_error(client.cancel(&running.task_id).await);
    assert_eq!(
        (e.http_status, e.code.as_str()),
        (400, "UnsupportedOperation")
    );
    assert!(e.advice().en.contains("PENDING"));
}

#[tokio::test]
async fn list_filters_by_model_status_and_time() {
    let (sim, client) = start(fast_config()).await;
    let c1 = client.create(&url_body("@cafe")).await.unwrap();
    let v56 = client
        .create(&body(Model::V56, &["https://e.com/a.png"], &["a"], "@a"))
        .await
        .unwrap();
    wait_for(&client, &c1.task_id, TaskStatus::Succeeded).await;
    let all = client.list(&ListFilter::default()).await.unwrap();
    assert_eq!(all.total, Some(2));
    assert_eq!(all.data.len(), 2);
    assert_eq!(all.data[0].task_id, v56.task_id, "newest first");
    assert!(all.data.iter().all(|t| t.gmt_create.is_some()));

    let only_c1 = client
        .list(&ListFilter {
            model_name: Some(Model::C1.wire_name().into()),
            status: Some(TaskStatus::Succeeded),
            ..ListFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(only_c1.data.len(), 1);
    assert_eq!(only_c1.data[0].task_id, c1.task_id);

    let future = client
        .list(&ListFilter {
            start_time: Some("20990101000000".into()),
            ..ListFilter::default()
        })
        .await
        .unwrap();
    assert!(future.data.is_empty());
    let paged = client
        .list(&ListFilter {
            page_no: 2,
            page_size: 1,
            ..ListFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(paged.data.len(), 1);
    assert_eq!(paged.data[0].task_id, c1.task_id);
    assert_eq!(sim.counts().lists, 4);
}

#[tokio::test]
async fn a_wrong_key_gets_invalid_api_key_with_region_advice() {
    let (sim, _client) = start(fast_config()).await;
    let wrong = client_for(&sim, "sk-from-singapore-0000");
    let e = api_error(wrong.create(&url_body("@cafe")).await);
    assert_eq!((e.http_status, e.code.as_str()), (401, "InvalidApiKey"));
    assert!(e.request_id.is_some());
    assert!(e.advice().en.contains("region"));
    assert_eq!(api_error(wrong.query("abc").await).code, "InvalidApiKey");
    assert_eq!(
        api_error(wrong.upload_policy(Model::C1).await).code,
        "InvalidApiKey"
    );
    assert_eq!(sim.counts().tasks_created, 0);
}

#[tokio::test]
async fn moderation_failures_come_back_as_failed_tasks() {
    let (_sim, client) = start(fast_config()).await;
    let created = client.create(&url_body("@cafe 违禁 scene")).await.unwrap();
    let task = wait_for(&client, &created.task_id, TaskStatus::Failed).await;
    assert_eq!(task.output.code.as_deref(), Some("DataInspectionFailed"));
    assert!(task.output.message.is_some());
    assert!(task.output.video_url.is_none());
}

#[tokio::test]
async fn more_than_five_unfinished_tasks_per_series_are_throttled() {
    let mut config = fast_config().with_task_duration(Duration::from_secs(60));
    config.api_key = KEY.into();
    config.submissions_per_second = 100;
    let (sim, client) = start(config).await;
    for i in 0..5 {
        client
            .create(&url_body(&format!("@cafe {i}")))
            .await
            .unwrap();
    }
    let e = api_error(client.create(&url_body("@cafe 6")).await);
    assert_eq!(
        (e.http_status, e.code.as_str()),
        (429, "Throttling.RateQuota")
    );
    assert!(e.is_throttling() && e.is_transient());
    // Another series has its own slots.
    client
        .create(&body(Model::V56, &["https://e.com/a.png"], &["a"], "@a"))
        .await
        .unwrap();
    sim.advance(Duration::from_secs(61));
    client.create(&url_body("@cafe 7")).await.unwrap();
    assert_eq!(sim.counts().tasks_created, 7);
}

#[tokio::test]
async fn bursts_of_creates_are_throttled() {
    let mut config = fast_config();
    config.running_limit = 100;
    let (_sim, client) = start(config).await;
    let mut throttled = None;
    for i in 0..6 {
        if let Err(e) = client.create(&url_body(&format!("@cafe {i}"))).await {
            throttled = Some((i, e));
            break;
        }
    }
    let (i, e) = throttled.expect("the sixth create within a second is refused");
    assert_eq!(i, 5);
    match e {
        Error::Api(e) => assert_eq!(e.code, "Throttling.BurstRate"),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn task_queries_over_twenty_per_second_get_429() {
    let (sim, client) = start(fast_config()).await;
    let created = client.create(&url_body("@cafe")).await.unwrap();
    // All at once, so that even a slow machine sends them within one second.
    let answers =
        futures_util::future::join_all((0..30).map(|_| client.query(&created.task_id))).await;
    let mut throttled = 0;
    for answer in answers {
        match answer {
            Ok(_) => {}
            Err(Error::Api(e)) if e.http_status == 429 => throttled += 1,
            Err(e) => panic!("{e}"),
        }
    }
    assert!(throttled >= 10, "{throttled}");
    let counts = sim.counts();
    assert!(counts.peak_queries_per_second <= 20, "{counts:?}");
    assert_eq!(counts.queries_throttled, throttled);
}

#[tokio::test]
async fn server_errors_on_create_create_nothing_and_are_not_ambiguous() {
    let (sim, client) = start(fast_config()).await;
    sim.inject(Route::Create, Fault::status(500, "InternalError"));
    let e = client.create(&url_body("@cafe")).await.unwrap_err();
    assert!(!e.is_ambiguous() && e.is_transient());
    sim.inject(
        Route::Create,
        Fault::Status {
            status: 503,
            code: String::new(),
            message: String::new(),
        },
    );
    let e = api_error(client.create(&url_body("@cafe")).await);
    assert_eq!(e.code, "ServiceUnavailable");
    assert!(e.request_id.is_some(), "taken from the X-Request-ID header");
    assert_eq!(sim.fault_hits(FaultKind::Status), 2);
    assert_eq!(sim.counts().tasks_created, 0);
    assert_eq!(sim.counts().create_requests, 2);
}

#[tokio::test]
async fn a_dropped_create_is_ambiguous_and_the_task_exists() {
    let (sim, client) = start(fast_config()).await;
    sim.inject(Route::Create, Fault::Drop);
    let e = client.create(&url_body("@cafe")).await.unwrap_err();
    assert!(e.is_ambiguous(), "{e:?}");
    assert_eq!(sim.fault_hits(FaultKind::Drop), 1);
    assert_eq!(sim.counts().tasks_created, 1);
    let listed = client.list(&ListFilter::default()).await.unwrap();
    assert_eq!(
        listed.data.len(),
        1,
        "the task can be found through the list"
    );
}

#[tokio::test]
async fn a_create_that_times_out_is_ambiguous() {
    let mut config = fast_config();
    config.hang = Duration::from_secs(30);
    let sim = Simulator::start(config, 0).await.unwrap();
    let mut client_config = ClientConfig::new(sim.base_url(), ApiKey::new(KEY).unwrap());
    client_config.request_timeout = Duration::from_millis(500);
    let client = Client::new(client_config).unwrap();
    sim.inject(Route::Create, Fault::Hang);
    let e = client.create(&url_body("@cafe")).await.unwrap_err();
    assert!(
        matches!(
            e,
            Error::Transport {
                kind: r2v_studio::api::TransportKind::Timeout,
                maybe_delivered: true,
                ..
            }
        ),
        "{e:?}"
    );
    assert!(e.is_ambiguous());
    assert_eq!(sim.fault_hits(FaultKind::Hang), 1);
    assert_eq!(sim.counts().tasks_created, 1);
}

#[tokio::test]
async fn an_unreachable_service_is_a_connect_error_that_sent_nothing() {
    let sim = Simulator::start(fast_config(), 0).await.unwrap();
    let base = sim.base_url();
    sim.stop().await;
    let client = Client::new(ClientConfig::new(base, ApiKey::new(KEY).unwrap())).unwrap();
    let e = client.create(&url_body("@cafe")).await.unwrap_err();
    assert!(!e.is_ambiguous(), "{e:?}");
    assert!(e.advice().en.contains("connection"));
}

#[tokio::test]
async fn truncated_and_dropped_query_answers_are_readable_errors() {
    let (sim, client) = start(fast_config()).await;
    let created = client.create(&url_body("@cafe")).await.unwrap();
    sim.inject(Route::Query, Fault::Truncate);
    let e = client.query(&created.task_id).await.unwrap_err();
    assert!(
        matches!(
            e,
            Error::Malformed {
                http_status: 200,
                ..
            }
        ),
        "{e:?}"
    );
    assert!(e.is_transient() && e.request_id().is_some());
    sim.inject(Route::Query, Fault::Drop);
    assert!(
        client
            .query(&created.task_id)
            .await
            .unwrap_err()
            .is_transient()
    );
    sim.inject(Route::Query, Fault::status(503, "ModelUnavailable"));
    assert!(
        client
            .query(&created.task_id)
            .await
            .unwrap_err()
            .is_transient()
    );
    client.query(&created.task_id).await.unwrap();
    let hits = [FaultKind::Truncate, FaultKind::Drop, FaultKind::Status];
    assert_eq!(hits.map(|k| sim.fault_hits(k)), [1, 1, 1]);
    assert_eq!(sim.pending_faults(), 0);
}

#[tokio::test]
async fn the_async_header_is_mandatory() {
    let (sim, _client) = start(fast_config()).await;
    let body = serde_json::to_value(url_body("@cafe")).unwrap();
    let (status, answer) = raw_create(&sim, &body, &[]).await;
    assert_eq!(
        (status, answer["code"].as_str()),
        (403, Some("AccessDenied"))
    );
    assert!(answer["message"].as_str().unwrap().contains("synchronous"));
}

#[tokio::test]
async fn oss_urls_need_the_resolve_header_and_a_real_upload_for_the_same_model() {
    let (sim, client) = start(fast_config()).await;
    let policy = client.upload_policy(Model::C1).await.unwrap();
    let oss = client
        .upload(&policy, "a.png", vec![1, 2, 3], "image/png")
        .await
        .unwrap();
    let c1 = serde_json::to_value(body(Model::C1, &[&oss], &["a"], "@a")).unwrap();
    let (status, answer) = raw_create(&sim, &c1, &[("X-DashScope-Async", "enable")]).await;
    assert_eq!(
        (status, answer["code"].as_str()),
        (400, Some("InvalidParameter.DataInspection"))
    );

    let missing = body(
        Model::C1,
        &["oss://dashscope-instant/nothing/here.png"],
        &["a"],
        "@a",
    );
    let e = api_error(client.create(&missing).await);
    assert!(e.message.contains("does not exist"), "{e}");

    let other_model = body(Model::V56, &[&oss], &["a"], "@a");
    let e = api_error(client.create(&other_model).await);
    assert!(e.message.contains("uploaded for"), "{e}");

    sim.advance(Duration::from_secs(48 * 3600));
    let e = api_error(client.create(&body(Model::C1, &[&oss], &["a"], "@a")).await);
    assert!(e.message.contains("expired"), "{e}");
    assert_eq!(sim.counts().tasks_created, 0);
}

#[tokio::test]
async fn the_upload_host_checks_the_policy() {
    let (sim, client) = start(fast_config()).await;
    let policy = client.upload_policy(Model::C1).await.unwrap();

    let mut forged = policy.clone();
    forged.signature = "AAAA".into();
    let e = api_error(client.upload(&forged, "a.png", vec![1], "image/png").await);
    assert_eq!(
        (e.http_status, e.code.as_str()),
        (403, "SignatureDoesNotMatch")
    );

    let mut elsewhere = policy.clone();
    elsewhere.upload_dir = "dashscope-instant/someone-else".into();
    let e = api_error(
        client
            .upload(&elsewhere, "a.png", vec![1], "image/png")
            .await,
    );
    assert_eq!((e.http_status, e.code.as_str()), (403, "AccessDenied"));

    client
        .upload(&policy, "a.png", vec![1], "image/png")
        .await
        .unwrap();
    let e = api_error(client.upload(&policy, "a.png", vec![2], "image/png").await);
    assert_eq!(e.code, "FileAlreadyExists", "no overwrite");

    // The file must be the last field, as on OSS.
    let form = reqwest::multipart::Form::new()
        .text("OSSAccessKeyId", policy.oss_access_key_id.clone())
        .part(
            "file",
            reqwest::multipart::Part::bytes(vec![1]).file_name("b.png"),
        )
        .text("key", format!("{}/b.png", policy.upload_dir));
    let response = reqwest::Client::new()
        .post(&policy.upload_host)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 400);
    assert!(response.text().await.unwrap().contains("last form field"));

    sim.advance(Duration::from_secs(301));
    let e = api_error(client.upload(&policy, "c.png", vec![1], "image/png").await);
    assert!(e.message.contains("expired"), "{e}");
}

fn wire(model: &str, media: Value, prompt: &str, size: &str, duration: u32) -> Value {
    json!({
        "model": model,
        "input": {"media": media, "prompt": prompt},
        "parameters": {"size": size, "duration": duration, "audio": false, "watermark": false}
    })
}

#[tokio::test]
async fn the_simulator_rejects_what_the_service_rejects() {
    let (sim, _client) = start(fast_config()).await;
    let v56 = "pixverse/pixverse-v5.6-r2v";
    let c1 = "pixverse/pixverse-c1-r2v";
    let one = json!([{"type": "image_url", "url": "https://e.com/a.png"}]);
    let named = |names: &[&str]| {
        Value::Array(
            names
                .iter()
                .map(|n| json!({"type": "image_url", "url": "https://e.com/a.png", "ref_name": n}))
                .collect(),
        )
    };
    let async_header = [("X-DashScope-Async", "enable")];
    let long = "字".repeat(2049);
    let cases = [
        (wire(v56, one.clone(), "x", "1108*832", 5), "1108*832"),
        (wire(v56, one.clone(), "x", "1280*720", 15), "duration 15"),
        (wire(v56, one.clone(), &long, "1280*720", 5), "2049"),
        (
            wire(c1, named(&["a", "a"]), "@a 走", "1280*720", 5),
            "duplicated",
        ),
        (
            wire(c1, named(&["a", "b"]), "@a 走", "1280*720", 5),
            "not mentioned",
        ),
    ];
    for (request, expected) in cases {
        let (status, answer) = raw_create(&sim, &request, &async_header).await;
        assert_eq!(status, 400, "{answer}");
        assert_eq!(answer["code"], "InvalidParameter");
        assert!(
            answer["message"].as_str().unwrap().contains(expected),
            "{answer}"
        );
        assert!(
            answer["request_id"]
                .as_str()
                .is_some_and(|id| !id.is_empty())
        );
    }
    let (status, answer) =
        raw_create(&sim, &wire(c1, one, &long, "1280*720", 5), &async_header).await;
    assert_eq!(status, 200, "c1 accepts 2049 characters: {answer}");
    assert_eq!(sim.counts().tasks_created, 1);
}

#[tokio::test]
async fn requests_shaped_like_the_python_sdk_are_accepted() {
    let (sim, _client) = start(fast_config()).await;
    let http = reqwest::Client::new();
    let auth = format!("Bearer {KEY}");
    let request = json!({
        "model": "pixverse/pixverse-c1-r2v",
        "input": {
            "media": [{"type": "image_url", "url": "https://e.com/a.png", "ref_name": "a"}],
            "prompt": "@a 跳舞",
            "extend_prompt": true,
            "function": "video-synthesis"
        },
        "parameters": {"size": "1280*720", "duration": 5}
    });
    let (status, created) = raw_create(&sim, &request, &[("X-DashScope-Async", "enable")]).await;
    assert_eq!(status, 200, "{created}");
    let task_id = created["output"]["task_id"].as_str().unwrap().to_string();
    assert_eq!(created["output"]["task_status"], "PENDING");

    let answer: Value = http
        .get(format!("{}/tasks/{task_id}/", sim.base_url()))
        .header("Authorization", &auth)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(answer["output"]["task_id"], task_id.as_str());
    assert!(answer["output"]["task_status"].is_string());

    let cancel = http
        .post(format!("{}/tasks/{task_id}/cancel/", sim.base_url()))
        .header("Authorization", &auth)
        .header("Content-Type", "application/json; charset=utf-8")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(cancel.status().as_u16(), 200);

    let listed = http
        .get(format!("{}/tasks/?page_no=1&page_size=10", sim.base_url()))
        .header("Authorization", &auth)
        .send()
        .await
        .unwrap();
    assert_eq!(listed.status().as_u16(), 200);
}

#[tokio::test]
async fn gateway_errors_after_a_create_leave_a_real_task_in_the_list() {
    let (sim, client) = start(fast_config()).await;
    let request = serde_json::to_value(url_body("@cafe")).unwrap();

    sim.inject(Route::Create, Fault::GatewayEmpty(504));
    let response = raw_create_response(&sim, &request, &ASYNC).await;
    assert_eq!(response.status().as_u16(), 504);
    assert!(
        response.headers().get("x-request-id").is_none(),
        "a gateway's answer carries no service request id"
    );
    assert!(response.bytes().await.unwrap().is_empty());

    sim.inject(Route::Create, Fault::GatewayHtml(502));
    let response = raw_create_response(&sim, &request, &ASYNC).await;
    assert_eq!(response.status().as_u16(), 502);
    let kind = response.headers()[reqwest::header::CONTENT_TYPE].clone();
    assert!(kind.to_str().unwrap().starts_with("text/html"));
    assert!(response.text().await.unwrap().contains("<html>"));

    assert_eq!(sim.fault_hits(FaultKind::GatewayEmpty), 1);
    assert_eq!(sim.fault_hits(FaultKind::GatewayHtml), 1);
    assert_eq!(sim.counts().tasks_created, 2, "both tasks were made");
    let mut listed: Vec<String> = client
        .list(&ListFilter::default())
        .await
        .unwrap()
        .data
        .into_iter()
        .map(|t| t.task_id)
        .collect();
    listed.sort();
    let mut made = sim.task_ids();
    made.sort();
    assert_eq!(listed, made);
}

#[tokio::test]
async fn a_fault_taken_by_a_request_refused_first_is_not_counted_as_hit() {
    let (sim, _client) = start(fast_config()).await;
    let request = serde_json::to_value(url_body("@cafe")).unwrap();
    sim.inject(Route::Create, Fault::GatewayEmpty(504));
    // No async header: refused before any work, so the gateway fault never struck.
    let (status, _) = raw_create(&sim, &request, &[]).await;
    assert_eq!(status, 403);
    assert_eq!(sim.pending_faults(), 0, "the request took the fault");
    assert_eq!(sim.fault_hits(FaultKind::GatewayEmpty), 0);
    assert_eq!(sim.counts().tasks_created, 0);
}

#[tokio::test]
async fn a_create_answer_can_carry_an_unusable_task_id_while_the_task_exists() {
    let (sim, _client) = start(fast_config()).await;
    let request = serde_json::to_value(url_body("@cafe")).unwrap();
    sim.inject(Route::Create, Fault::TaskId("../../x y".into()));
    let (status, answer) = raw_create(&sim, &request, &ASYNC).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["output"]["task_id"], "../../x y");
    assert_eq!(sim.fault_hits(FaultKind::TaskId), 1);
    let made = sim.task_ids();
    assert_eq!(made.len(), 1);
    assert_ne!(made[0], "../../x y");
    let listed = raw_list(&sim).await;
    assert_eq!(listed.len(), 1);
    assert_eq!(
        listed[0]["task_id"],
        made[0].as_str(),
        "the real task is listed"
    );
}

/// Parses an HTTP `Date` header (`Sun, 06 Nov 1994 08:49:37 GMT`).
fn date_of(response: &reqwest::Response) -> time::OffsetDateTime {
    let text = response
        .headers()
        .get(reqwest::header::DATE)
        .expect("every answer has a Date header")
        .to_str()
        .unwrap();
    let format = time::macros::format_description!(
        "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
    );
    time::PrimitiveDateTime::parse(text, &format)
        .unwrap_or_else(|e| panic!("{text}: {e}"))
        .assume_utc()
}

/// Seconds from the machine's clock to `at`.
fn skew(at: time::OffsetDateTime) -> f64 {
    (at - time::OffsetDateTime::now_utc()).as_seconds_f64()
}

#[tokio::test]
async fn every_answer_carries_the_service_clock_which_may_run_behind_or_ahead() {
    // A PC clock 8 s fast sees the service 8 s behind; one 90 s slow, 90 s ahead.
    for offset in [0, -8, 90] {
        let mut config = fast_config();
        config.clock_offset = time::Duration::seconds(offset);
        let (sim, client) = start(config).await;
        let created = client.create(&url_body("@cafe")).await.unwrap();
        let near = |at: time::OffsetDateTime, what: &str| {
            let off = skew(at);
            assert!(
                (off - offset as f64).abs() < 3.0,
                "{what}: {off:.1} s from the machine's clock, expected {offset}"
            );
        };

        let list = raw_get(&sim, "/tasks", KEY).await;
        near(date_of(&list), "Date of the list");
        let list: Value = list.json().await.unwrap();
        let millis = list["data"][0]["gmt_create"].as_i64().unwrap();
        let created_at =
            time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(millis) * 1_000_000)
                .unwrap();
        near(created_at, "gmt_create");

        let query = raw_get(&sim, &format!("/tasks/{}", created.task_id), KEY).await;
        near(date_of(&query), "Date of a query");
        let query: Value = query.json().await.unwrap();
        let submit = query["output"]["submit_time"].as_str().unwrap();
        let format = time::macros::format_description!(
            "[year]-[month]-[day] [hour]:[minute]:[second].[subsecond digits:3]"
        );
        let beijing = time::macros::offset!(+8);
        let submit_at = time::PrimitiveDateTime::parse(submit, &format)
            .unwrap()
            .assume_offset(beijing);
        near(submit_at, "submit_time (Beijing time)");

        let refused = raw_get(&sim, "/tasks/abc", "sk-wrong").await;
        assert_eq!(refused.status().as_u16(), 401);
        near(date_of(&refused), "Date of an error");
        let missing = reqwest::get(format!("http://127.0.0.1:{}/videos/x.mp4", sim.port()))
            .await
            .unwrap();
        assert_eq!(missing.status().as_u16(), 404);
        near(date_of(&missing), "Date of a video link");

        let hits = sim.fault_hits(FaultKind::ClockOffset);
        if offset == 0 {
            assert_eq!(hits, 0);
        } else {
            // create, list, query, 401, 404
            assert_eq!(hits, 5, "offset {offset}");
        }
    }
}

#[tokio::test]
async fn a_foreign_task_appears_in_the_list_beside_an_ambiguous_create() {
    let mut config = fast_config();
    config.foreign_tasks = vec![ForeignTask {
        offset: time::Duration::seconds(-2),
        ..ForeignTask::default()
    }];
    let (sim, client) = start(config).await;
    let request = url_body("@cafe at dawn");
    sim.inject(Route::Create, Fault::Drop);
    let e = client.create(&request).await.unwrap_err();
    assert!(e.is_ambiguous(), "{e:?}");
    assert_eq!(sim.fault_hits(FaultKind::Drop), 1);
    assert_eq!(sim.fault_hits(FaultKind::ForeignTask), 1);
    assert_eq!(sim.counts().tasks_created, 1, "only the job's own task");
    let (own, foreign) = (sim.task_ids(), sim.foreign_task_ids());
    assert_eq!((own.len(), foreign.len()), (1, 1));

    let listed = raw_list(&sim).await;
    assert_eq!(listed.len(), 2);
    let item = |id: &str| listed.iter().find(|t| t["task_id"] == id).unwrap().clone();
    let (mine, theirs) = (item(&own[0]), item(&foreign[0]));
    assert_eq!(mine["model_name"], theirs["model_name"], "same model");
    let apart = mine["gmt_create"].as_i64().unwrap() - theirs["gmt_create"].as_i64().unwrap();
    assert!((1500..=2500).contains(&apart), "{apart} ms apart");
    assert_eq!(mine["orig_prompt"], request.input.prompt.as_str());
    assert_eq!(mine["size"], "1280*720");
    assert_eq!(mine["duration"], 5);
    assert_eq!(
        theirs["orig_prompt"],
        ForeignTask::default().prompt.as_str()
    );
    assert_eq!(theirs["size"], "960*960");
    assert_eq!(theirs["duration"], 8);

    // The list of foreign tasks is used up: the next create is alone.
    client.create(&url_body("@cafe again")).await.unwrap();
    assert_eq!(sim.fault_hits(FaultKind::ForeignTask), 1);
    assert_eq!(raw_list(&sim).await.len(), 3);
}

#[tokio::test]
async fn the_list_can_leave_out_prompt_size_and_duration() {
    let mut config = fast_config();
    config.list_task_details = false;
    let (sim, client) = start(config).await;
    client.create(&url_body("@cafe")).await.unwrap();
    let listed = raw_list(&sim).await;
    assert_eq!(listed.len(), 1);
    for field in ["orig_prompt", "size", "duration"] {
        assert!(listed[0].get(field).is_none(), "{field}: {}", listed[0]);
    }
    assert!(listed[0]["gmt_create"].is_i64());
}

#[tokio::test]
async fn broken_download_answers_are_served_as_configured() {
    let (sim, client) = start(fast_config()).await;
    let created = client.create(&url_body("@cafe")).await.unwrap();
    let url = wait_for(&client, &created.task_id, TaskStatus::Succeeded)
        .await
        .output
        .video_url
        .unwrap();
    let http = reqwest::Client::new();
    let from_1000 = || http.get(&url).header("Range", "bytes=1000-").send();
    let content_range = |r: &reqwest::Response| {
        r.headers()
            .get(reqwest::header::CONTENT_RANGE)
            .map(|v| v.to_str().unwrap().to_string())
    };

    sim.inject(Route::Download, Fault::NoContentRange);
    let r = from_1000().await.unwrap();
    assert_eq!(r.status().as_u16(), 206);
    assert_eq!(content_range(&r), None);
    assert_eq!(r.bytes().await.unwrap(), &DEMO_VIDEO[1000..]);

    sim.inject(Route::Download, Fault::RangeStartsAt(0));
    let r = from_1000().await.unwrap();
    assert_eq!(r.status().as_u16(), 206);
    let total = DEMO_VIDEO.len();
    assert_eq!(
        content_range(&r).as_deref(),
        Some(format!("bytes 0-{}/{total}", total - 1).as_str())
    );
    assert_eq!(r.bytes().await.unwrap(), DEMO_VIDEO);

    sim.inject(Route::Download, Fault::HtmlInsteadOfVideo);
    let r = http.get(&url).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let kind = r.headers()[reqwest::header::CONTENT_TYPE].clone();
    assert!(kind.to_str().unwrap().starts_with("text/html"));
    let page = r.bytes().await.unwrap();
    assert!(page.starts_with(b"<!DOCTYPE html>"));
    assert_ne!(page.get(4..8), Some(&b"ftyp"[..]), "not an MP4");
    assert_eq!(&DEMO_VIDEO[4..8], b"ftyp", "the real video is one");

    let fifty_gib = 50u64 << 30;
    sim.inject(Route::Download, Fault::AbsurdLength(fifty_gib));
    let mut r = http.get(&url).send().await.unwrap();
    assert_eq!(r.content_length(), Some(fifty_gib));
    let mut received = 0usize;
    let ended = loop {
        match r.chunk().await {
            Ok(Some(chunk)) => received += chunk.len(),
            Ok(None) => break "cleanly",
            Err(_) => break "broken",
        }
    };
    assert_eq!(ended, "broken", "the announced bytes never come");
    assert!(received <= total, "{received}");

    let kinds = [
        FaultKind::NoContentRange,
        FaultKind::RangeStartsAt,
        FaultKind::HtmlInsteadOfVideo,
        FaultKind::AbsurdLength,
    ];
    assert_eq!(kinds.map(|k| sim.fault_hits(k)), [1, 1, 1, 1]);
    assert_eq!(sim.pending_faults(), 0);
    assert_eq!(read_all(&client, &url, 0).await.unwrap(), DEMO_VIDEO);
}

#[tokio::test]
async fn a_401_can_echo_the_key_it_was_given() {
    let (sim, _client) = start(fast_config()).await;
    sim.inject(Route::Query, Fault::EchoKey);
    let r = raw_get(&sim, "/tasks/abc", KEY).await;
    assert_eq!(r.status().as_u16(), 401);
    let answer: Value = r.json().await.unwrap();
    assert_eq!(answer["code"], "InvalidApiKey");
    assert!(
        answer["message"].as_str().unwrap().contains(KEY),
        "{answer}"
    );
    assert_eq!(sim.fault_hits(FaultKind::EchoKey), 1);
    assert_eq!(
        raw_get(&sim, "/tasks/abc", KEY).await.status().as_u16(),
        200
    );

    let mut config = fast_config();
    config.echo_key_in_401 = true;
    let (sim, _client) = start(config).await;
    let wrong = "sk-wrong-0123456789abcdef";
    let answer: Value = raw_get(&sim, "/tasks/abc", wrong)
        .await
        .json()
        .await
        .unwrap();
    assert!(
        answer["message"].as_str().unwrap().contains(wrong),
        "{answer}"
    );
    assert_eq!(
        raw_get(&sim, "/tasks/abc", KEY).await.status().as_u16(),
        200
    );
    assert_eq!(sim.fault_hits(FaultKind::KeyInMessage), 1);
    assert_eq!(sim.fault_hits(FaultKind::EchoKey), 0);
}

#[tokio::test(start_paused = true)]
async fn a_three_hour_task_completes_in_paused_time_within_a_few_seconds_of_wall_time() {
    let wall = std::time::Instant::now();
    let mut config = SimConfig::default().with_task_duration(Duration::from_secs(3 * 3600));
    config.api_key = KEY.to_string();
    let (sim, client) = start(config).await;
    let created = client.create(&url_body("@cafe")).await.unwrap();
    let first = date_of(&raw_get(&sim, "/tasks?page_size=1", KEY).await);
    let mut polls = 0;
    loop {
        let task = client.query(&created.task_id).await.unwrap();
        match task.output.task_status {
            TaskStatus::Succeeded => break,
            TaskStatus::Pending | TaskStatus::Running => {}
            other => panic!("{other:?} after {polls} polls"),
        }
        polls += 1;
        assert!(polls <= 200, "still not done after {polls} minutes");
        tokio::time::sleep(Duration::from_secs(60)).await;
    }
    let last = date_of(&raw_get(&sim, "/tasks?page_size=1", KEY).await);
    assert!((180..=181).contains(&polls), "{polls} polls a minute apart");
    assert!(
        last - first >= time::Duration::hours(3),
        "the service's clock follows the paused clock: {first} .. {last}"
    );
    let took = wall.elapsed();
    eprintln!("3 h of task time took {took:?} of wall time");
    assert!(took < Duration::from_secs(10), "{took:?}");
}

#[test]
fn requests_carry_no_forbidden_fields() {
    let request = CreateTaskRequest {
        model: "pixverse/pixverse-c1-r2v".into(),
        input: CreateInput {
            media: vec![Media {
                kind: "image_url".into(),
                url: "https://e.com/a.png".into(),
                ref_name: None,
            }],
            prompt: "x".into(),
        },
        parameters: CreateParameters {
            size: "1280*720".into(),
            duration: 5,
            audio: false,
            watermark: false,
            seed: None,
        },
    };
    let text = serde_json::to_string(&request).unwrap();
    for forbidden in [
        "negative_prompt",
        "template",
        "style",
        "resolution",
        "aspect_ratio",
    ] {
        assert!(!text.contains(forbidden), "{forbidden}");
    }
}
