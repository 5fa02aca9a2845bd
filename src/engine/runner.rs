//! The engine thread: one driver task per job, one limiter for every query, one
//! slot pool per model series. Only a job's driver writes that job, except when no
//! driver runs for it.

use super::images::{self, content_hash};
use super::job::{Job, JobError, JobId, JobState};
use super::output::{self, part_path};
use super::schedule::{Limiter, backoff, expected_duration, next_poll_delay};
use super::store::{Store, StoreError};
use super::{Command, EngineConfig, EngineError, Event, EventSink};
use crate::api::types::{ListFilter, TaskStatus, UploadPolicy};
use crate::api::{self, Client, ClientConfig, CreateTaskRequest, error::advice_for};
use crate::core::capabilities::{
    SERVICE_UTC_OFFSET_HOURS, TASK_LIFETIME_SECS, UPLOAD_LIFETIME_SECS, VIDEO_URL_LIFETIME_SECS,
};
use crate::core::{Localized, Model, RefSource};
use crate::loc;
use chrono::Offset as _;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::AsyncWriteExt;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

pub(super) struct Prepared {
    config: EngineConfig,
    events: EventSink,
    store: Store,
    lock: std::fs::File,
}

/// Everything that can fail before the thread starts.
pub(super) fn prepare(config: EngineConfig, events: EventSink) -> Result<Prepared, EngineError> {
    let dir = &config.data_dir;
    std::fs::create_dir_all(dir).map_err(|source| EngineError::DataDir {
        path: dir.clone(),
        source,
    })?;
    let lock = std::fs::File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(dir.join("engine.lock"))
        .map_err(|source| EngineError::DataDir {
            path: dir.clone(),
            source,
        })?;
    if lock.try_lock().is_err() {
        return Err(EngineError::Locked(dir.clone()));
    }
    let store = Store::open(&dir.join("jobs.sqlite"))?;
    Ok(Prepared {
        config,
        events,
        store,
        lock,
    })
}

pub(super) fn run(prepared: Prepared, rx: tokio::sync::mpsc::UnboundedReceiver<Command>) {
    let events = prepared.events.clone();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("r2v-engine-worker")
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            events.emit(Event::Notice {
                job: None,
                message: loc!("engine-notice-start-failed", error = e.to_string()),
            });
            events.emit(Event::Stopped);
            return;
        }
    };
    let lock = runtime.block_on(main_loop(prepared, rx));
    runtime.shutdown_timeout(Duration::from_secs(2));
    drop(lock);
    events.emit(Event::Stopped);
}

struct Running {
    abort: tokio::task::AbortHandle,
    handle: Option<tokio::task::JoinHandle<()>>,
    control: Arc<Control>,
}

/// Signals between the command loop and a job's driver.
#[derive(Default)]
struct Control {
    /// The create call is (about to be) in flight: never abort now.
    in_create: AtomicBool,
    /// The user asked to cancel: the driver acts on it at the next safe point.
    cancel: AtomicBool,
}

struct Shared {
    config: EngineConfig,
    /// Whose uploads these are: a one-way fingerprint of base URL and key (never
    /// the key itself), so that a cache entry is only reused where it exists.
    scope: String,
    client: Option<Client>,
    store: Mutex<Store>,
    limiter: Limiter,
    slots: HashMap<&'static str, Arc<Semaphore>>,
    events: EventSink,
    running: Mutex<HashMap<JobId, Running>>,
    queue: Mutex<Vec<JobId>>,
    http: reqwest::Client,
}

/// The driver stops without changing the job's state (journal trouble, shutdown).
#[derive(Debug)]
struct Halt;

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

async fn main_loop(
    prepared: Prepared,
    mut rx: tokio::sync::mpsc::UnboundedReceiver<Command>,
) -> std::fs::File {
    let Prepared {
        config,
        events,
        store,
        lock: file_lock,
    } = prepared;
    let client = config.api_key.clone().and_then(|key| {
        let mut c = ClientConfig::new(config.base_url.clone(), key);
        c.request_timeout = config.request_timeout;
        match Client::new(c) {
            Ok(client) => Some(client),
            Err(e) => {
                events.emit(Event::Notice {
                    job: None,
                    message: loc!("engine-notice-base-url-unusable", error = e.to_string()),
                });
                None
            }
        }
    });
    let slots = Model::ALL
        .iter()
        .map(|m| {
            (
                m.info().series,
                Arc::new(Semaphore::new(config.jobs_per_series.max(1))),
            )
        })
        .collect();
    let scope = upload_scope(&config);
    let shared = Arc::new(Shared {
        scope,
        limiter: Limiter::new(config.queries_per_second),
        client,
        store: Mutex::new(store),
        slots,
        events,
        running: Mutex::new(HashMap::new()),
        queue: Mutex::new(Vec::new()),
        http: reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(30))
            .build()
            .unwrap_or_default(),
        config,
    });
    if shared.config.resume_on_start {
        resume_all(&shared);
    }
    while let Some(command) = rx.recv().await {
        if matches!(command, Command::Shutdown) {
            break;
        }
        handle(&shared, command);
    }
    shutdown(&shared).await;
    file_lock
}

fn handle(sh: &Arc<Shared>, command: Command) {
    match command {
        Command::Generate {
            id,
            spec,
            output_dir,
        } => {
            let problems = spec.validate();
            if !problems.is_empty() {
                sh.events.emit(Event::Rejected { id, problems });
                return;
            }
            let out = output_dir.unwrap_or_else(|| sh.config.output_dir.clone());
            let mut job = Job::new(spec, out, now_ms());
            job.id = id;
            start_new(sh, job);
        }
        Command::Retry { from, new_id } => match sh.load(&from) {
            Some(old) => {
                let mut job = Job::new(old.spec.clone(), old.output_dir.clone(), now_ms());
                job.id = new_id;
                job.retry_of = Some(from);
                start_new(sh, job);
            }
            None => sh.notice_missing(&from),
        },
        Command::Resume(id) => {
            if let Some(job) = sh.load(&id)
                && !job.state.is_final()
                && !sh.is_running(&id)
            {
                spawn_driver(sh, job);
            }
        }
        Command::ResumeAll => resume_all(sh),
        Command::LookAgain(id) => {
            if let Some(job) = sh.load(&id)
                && job.state == JobState::SubmitUnknown
                && !sh.is_running(&id)
            {
                spawn_driver(sh, job);
            }
        }
        Command::SubmitAnew(id) => {
            if let Some(mut job) = sh.load(&id)
                && job.state == JobState::SubmitUnknown
                && !sh.is_running(&id)
            {
                job.warning = None;
                job.error = None;
                job.set_state(JobState::Queued, now_ms());
                if sh.save(&job).is_ok() {
                    spawn_driver(sh, job);
                }
            }
        }
        Command::Cancel(id) => {
            let sh = sh.clone();
            tokio::spawn(async move { cancel_job(&sh, id).await });
        }
        Command::LoadHistory => {
            let all = lock(&sh.store).all();
            match all {
                Ok(jobs) => sh.events.emit(Event::History(jobs)),
                Err(e) => sh.journal_trouble(&e),
            }
        }
        Command::Remove { id, delete_video } => match sh.load(&id) {
            Some(job)
                if job.state.is_final()
                    || (job.state == JobState::SubmitUnknown && !sh.is_running(&id)) =>
            {
                if delete_video {
                    for path in [&job.output_path, &job.sidecar_path].into_iter().flatten() {
                        if let Err(e) = std::fs::remove_file(path)
                            && e.kind() != std::io::ErrorKind::NotFound
                        {
                            sh.notice(
                                Some(id.clone()),
                                loc!(
                                    "engine-notice-delete-failed",
                                    path = path.display().to_string(),
                                    error = e.to_string()
                                ),
                            );
                        }
                    }
                }
                let removed = lock(&sh.store).delete(&id);
                if matches!(removed, Ok(true)) {
                    sh.events.emit(Event::Removed(id));
                }
            }
            Some(_) => sh.notice(Some(id), loc!("engine-notice-remove-under-way")),
            None => sh.notice_missing(&id),
        },
        Command::LoadImage {
            key,
            source,
            max_side,
        } => {
            let sh = sh.clone();
            tokio::spawn(async move { load_image(&sh, key, source, max_side).await });
        }
        Command::StoreImage {
            key,
            width,
            height,
            rgba,
        } => {
            let sh = sh.clone();
            tokio::spawn(async move {
                let dir = sh.config.data_dir.join("pasted");
                let result =
                    tokio::task::spawn_blocking(move || store_png(&dir, width, height, &rgba))
                        .await
                        .unwrap_or_else(|e| Err(e.to_string()))
                        .map_err(|e| loc!("engine-notice-paste-not-saved", error = e));
                sh.events.emit(Event::ImageStored { key, result });
            });
        }
        Command::Shutdown => {}
    }
}

/// Writes RGBA8 pixels as `<dir>/pasted-<uuid>.png`.
fn store_png(
    dir: &std::path::Path,
    width: u32,
    height: u32,
    rgba: &[u8],
) -> Result<std::path::PathBuf, String> {
    let image = image::RgbaImage::from_raw(width, height, rgba.to_vec())
        .ok_or("the image data is incomplete")?;
    std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    let path = dir.join(format!("pasted-{}.png", uuid::Uuid::now_v7().simple()));
    image.save(&path).map_err(|e| e.to_string())?;
    Ok(path)
}

fn upload_scope(config: &EngineConfig) -> String {
    use sha2::Digest;
    let key = config
        .api_key
        .as_ref()
        .map(|k| k.expose())
        .unwrap_or_default();
    let digest = sha2::Sha256::digest(format!("{}\n{key}", config.base_url).as_bytes());
    digest.iter().take(8).map(|b| format!("{b:02x}")).collect()
}

fn resume_all(sh: &Arc<Shared>) {
    let jobs = match lock(&sh.store).unfinished() {
        Ok(jobs) => jobs,
        Err(e) => {
            sh.journal_trouble(&e);
            return;
        }
    };
    for job in jobs {
        if !sh.is_running(&job.id) {
            sh.events.emit(Event::Job(Box::new(job.clone())));
            spawn_driver(sh, job);
        }
    }
}

/// Journals a new job and starts it; says so with `NotJournaled` when the journal fails.
fn start_new(sh: &Arc<Shared>, job: Job) {
    let saved = lock(&sh.store).save(&job, now_ms());
    match saved {
        Ok(()) => {
            sh.events.emit(Event::Job(Box::new(job.clone())));
            spawn_driver(sh, job);
        }
        Err(e) => {
            sh.journal_trouble(&e);
            let error = e.describe();
            sh.events.emit(Event::NotJournaled { id: job.id, error });
        }
    }
}

fn spawn_driver(sh: &Arc<Shared>, job: Job) {
    let control = Arc::new(Control::default());
    let id = job.id.clone();
    let task = {
        let sh = sh.clone();
        let control = control.clone();
        tokio::spawn(async move {
            let id = job.id.clone();
            let _ = drive(&sh, job, &control).await;
            lock(&sh.running).remove(&id);
            sh.dequeue(&id);
            sh.events.emit(Event::Idle(id));
        })
    };
    lock(&sh.running).insert(
        id,
        Running {
            abort: task.abort_handle(),
            handle: Some(task),
            control,
        },
    );
}

async fn shutdown(sh: &Arc<Shared>) {
    let running: Vec<(JobId, Running)> = lock(&sh.running).drain().collect();
    let mut waits = Vec::new();
    for (_, mut r) in running {
        if r.control.in_create.load(Ordering::SeqCst) {
            // The create call's answer must be journaled: let it land.
            if let Some(handle) = r.handle.take() {
                waits.push(handle);
            }
        } else {
            r.abort.abort();
            if let Some(handle) = r.handle.take() {
                waits.push(handle);
            }
        }
    }
    let limit = sh.config.request_timeout + Duration::from_secs(5);
    let _ = tokio::time::timeout(limit, futures_util::future::join_all(waits)).await;
}

impl Shared {
    fn save(&self, job: &Job) -> Result<(), Halt> {
        let result = lock(&self.store).save(job, now_ms());
        match result {
            Ok(()) => {
                self.events.emit(Event::Job(Box::new(job.clone())));
                Ok(())
            }
            Err(e) => {
                self.journal_trouble(&e);
                Err(Halt)
            }
        }
    }

    fn load(&self, id: &JobId) -> Option<Job> {
        let result = lock(&self.store).get(id);
        result.unwrap_or_else(|e| {
            self.journal_trouble(&e);
            None
        })
    }

    fn journal_trouble(&self, e: &StoreError) {
        tracing::error!("journal: {e}");
        self.notice(
            None,
            loc!("engine-notice-journal-failed", error = e.describe()),
        );
    }

    fn notice(&self, job: Option<JobId>, message: Localized) {
        self.events.emit(Event::Notice { job, message });
    }

    fn notice_missing(&self, id: &JobId) {
        self.notice(
            Some(id.clone()),
            loc!("engine-notice-no-such-job", id = id.to_string()),
        );
    }

    fn is_running(&self, id: &JobId) -> bool {
        lock(&self.running).contains_key(id)
    }

    fn enqueue(&self, id: &JobId) {
        let queue = {
            let mut q = lock(&self.queue);
            if !q.contains(id) {
                q.push(id.clone());
            }
            q.clone()
        };
        self.events.emit(Event::Queue(queue));
    }

    fn dequeue(&self, id: &JobId) {
        let queue = {
            let mut q = lock(&self.queue);
            let before = q.len();
            q.retain(|x| x != id);
            (q.len() != before).then(|| q.clone())
        };
        if let Some(queue) = queue {
            self.events.emit(Event::Queue(queue));
        }
    }

    async fn slot(&self, job: &Job) -> Option<OwnedSemaphorePermit> {
        let semaphore = self.slots.get(job.spec.model.info().series)?.clone();
        self.enqueue(&job.id);
        let permit = semaphore.acquire_owned().await.ok();
        self.dequeue(&job.id);
        permit
    }
}

fn job_error_from(e: &api::Error) -> JobError {
    match e {
        api::Error::Api(a) => JobError {
            code: a.code.clone(),
            message: Localized::verbatim(a.message.clone()),
            advice: a.advice(),
            request_id: a.request_id.clone(),
        },
        other => JobError {
            code: match other {
                api::Error::Transport { .. } => "NetworkError".into(),
                api::Error::Malformed { .. } => "MalformedAnswer".into(),
                _ => "InvalidRequest".into(),
            },
            message: Localized::verbatim(other.to_string()),
            advice: other.advice(),
            request_id: other.request_id().map(str::to_string),
        },
    }
}

fn fail(job: &mut Job, error: JobError) {
    job.error = Some(error);
    job.warning = None;
    job.set_state(JobState::Failed, now_ms());
}

/// Runs a job from its journaled state to a final state (or to a state that waits
/// for the user).
async fn drive(sh: &Arc<Shared>, mut job: Job, control: &Control) -> Result<(), Halt> {
    let mut permit: Option<OwnedSemaphorePermit> = None;
    loop {
        if control.cancel.load(Ordering::SeqCst)
            && matches!(job.state, JobState::Queued | JobState::Uploading)
        {
            job.set_state(JobState::Canceled, now_ms());
            return sh.save(&job);
        }
        match job.state {
            JobState::Queued => {
                permit = sh.slot(&job).await;
                if control.cancel.load(Ordering::SeqCst) {
                    continue;
                }
                job.set_state(JobState::Uploading, now_ms());
                sh.save(&job)?;
            }
            JobState::Uploading => {
                if permit.is_none() {
                    permit = sh.slot(&job).await;
                }
                let Some(client) = sh.client.clone() else {
                    fail(
                        &mut job,
                        JobError::local(
                            "NoApiKey",
                            loc!("engine-error-no-api-key"),
                            loc!("engine-advice-no-api-key"),
                        ),
                    );
                    return sh.save(&job);
                };
                let urls = match upload_references(sh, &client, &job).await {
                    Ok(urls) => urls,
                    Err(error) => {
                        fail(&mut job, error);
                        return sh.save(&job);
                    }
                };
                let Some(request) = CreateTaskRequest::from_spec(&job.spec, &urls) else {
                    fail(
                        &mut job,
                        JobError::local(
                            "InvalidSpec",
                            loc!("engine-error-invalid-spec"),
                            loc!("engine-advice-invalid-spec"),
                        ),
                    );
                    return sh.save(&job);
                };
                // Journal the exact request before it leaves. From here on an
                // interruption means "maybe submitted".
                control.in_create.store(true, Ordering::SeqCst);
                job.request = Some(request);
                job.attempts += 1;
                job.submit_started_ms = Some(now_ms());
                job.set_state(JobState::Submitting, now_ms());
                if sh.save(&job).is_err() {
                    control.in_create.store(false, Ordering::SeqCst);
                    return Err(Halt);
                }
                let outcome = submit(sh, &client, &mut job, control).await;
                control.in_create.store(false, Ordering::SeqCst);
                outcome?;
                if job.state == JobState::Queued {
                    // Throttled or a server error: nothing was created. Wait, then
                    // queue again (uploads are cached, so nothing is sent twice).
                    permit = None;
                    let wait = backoff(job.attempts.saturating_sub(1), sh.config.max_backoff);
                    tokio::time::sleep(wait).await;
                }
            }
            JobState::Submitting => {
                // Journaled as submitting but no answer recorded: the app stopped
                // while the create call was in flight.
                job.warning = Some(loc!("engine-warning-stopped-while-submitting"));
                job.set_state(JobState::SubmitUnknown, now_ms());
                sh.save(&job)?;
            }
            JobState::SubmitUnknown => {
                let Some(client) = sh.client.clone() else {
                    return Ok(());
                };
                match adopt(sh, &client, &job).await {
                    Adoption::Found(task_id) => {
                        job.task_id = Some(task_id);
                        job.task_created_ms = job.task_created_ms.or(job.submit_started_ms);
                        job.warning = None;
                        job.set_state(JobState::Pending, now_ms());
                        sh.save(&job)?;
                    }
                    Adoption::NotFound(text) => {
                        job.warning = Some(text);
                        sh.save(&job)?;
                        return Ok(());
                    }
                }
            }
            JobState::Pending | JobState::Running => {
                let Some(client) = sh.client.clone() else {
                    return Ok(());
                };
                poll(sh, &client, &mut job, control).await?;
                if job.state != JobState::Succeeded {
                    return Ok(());
                }
                permit = None;
            }
            JobState::Succeeded | JobState::Downloading => {
                drop(permit.take());
                let Some(client) = sh.client.clone() else {
                    return Ok(());
                };
                download(sh, &client, &mut job).await?;
                return Ok(());
            }
            JobState::Done | JobState::Failed | JobState::Canceled | JobState::Expired => {
                return Ok(());
            }
        }
    }
}

/// Uploads local references (reusing uploads of the same content for 48 h) and
/// returns the URL of every reference, in order.
async fn upload_references(
    sh: &Arc<Shared>,
    client: &Client,
    job: &Job,
) -> Result<Vec<String>, JobError> {
    let policy: tokio::sync::Mutex<Option<UploadPolicy>> = tokio::sync::Mutex::new(None);
    let uploads = job
        .spec
        .references
        .iter()
        .enumerate()
        .map(|(index, reference)| upload_one(sh, client, job, index, &reference.source, &policy));
    futures_util::future::try_join_all(uploads).await
}

async fn upload_one(
    sh: &Arc<Shared>,
    client: &Client,
    job: &Job,
    index: usize,
    source: &RefSource,
    policy: &tokio::sync::Mutex<Option<UploadPolicy>>,
) -> Result<String, JobError> {
    let path = match source {
        RefSource::Url(url) => return Ok(url.clone()),
        RefSource::Local(path) => path.clone(),
    };
    let n = index + 1;
    let bytes = tokio::fs::read(&path).await.map_err(|e| {
        JobError::local(
            "FileUnreadable",
            loc!(
                "engine-error-file-unreadable",
                number = n,
                error = e.to_string(),
                path = path.display().to_string()
            ),
            loc!("engine-advice-file-unreadable"),
        )
    })?;
    let model = job.spec.model;
    let (hash, bytes) = tokio::task::spawn_blocking(move || (content_hash(&bytes), bytes))
        .await
        .map_err(|e| internal(&e.to_string()))?;
    let fresh_after = now_ms() - ((UPLOAD_LIFETIME_SECS - 3600) * 1000) as i64;
    let cached = lock(&sh.store).cached_upload(&hash, model, &sh.scope, fresh_after);
    if let Ok(Some(url)) = cached {
        let total = bytes.len() as u64;
        sh.events.emit(Event::Upload {
            job: job.id.clone(),
            index,
            sent: total,
            total,
        });
        return Ok(url);
    }
    let prepared = tokio::task::spawn_blocking(move || images::prepare_for_upload(&bytes))
        .await
        .map_err(|e| internal(&e.to_string()))?
        .map_err(|issue| {
            let d = issue.describe();
            JobError::local(
                "ImageUnusable",
                loc!(
                    "engine-error-image-unusable",
                    number = n,
                    reason = d.clone(),
                    path = path.display().to_string()
                ),
                d,
            )
        })?;
    let file_name = format!("{}.{}", &hash[..16], prepared.extension);
    let mut attempt = 0;
    loop {
        let current = {
            let mut guard = policy.lock().await;
            match guard.as_ref() {
                Some(p) => p.clone(),
                None => {
                    let fetched = retry_idempotent(sh, || client.upload_policy(model))
                        .await
                        .map_err(|e| job_error_from(&e))?;
                    *guard = Some(fetched.clone());
                    fetched
                }
            }
        };
        let events = sh.events.clone();
        let id = job.id.clone();
        let result = client
            .upload_with_progress(
                &current,
                &file_name,
                prepared.bytes.clone(),
                prepared.content_type,
                move |sent, total| {
                    events.emit(Event::Upload {
                        job: id.clone(),
                        index,
                        sent,
                        total,
                    });
                },
            )
            .await;
        match result {
            Ok(url) => {
                if let Err(e) =
                    lock(&sh.store).record_upload(&hash, model, &sh.scope, &url, now_ms())
                {
                    tracing::warn!("upload cache: {e}");
                }
                return Ok(url);
            }
            // An expired policy: get a new one. Already stored (same content): fine,
            // but the key is in this policy's folder, so a new folder is needed too.
            Err(api::Error::Api(e))
                if attempt < 4 && (e.http_status == 403 || e.http_status == 409) =>
            {
                *policy.lock().await = None;
            }
            Err(e) if attempt < 4 && e.is_transient() => {
                tokio::time::sleep(backoff(attempt, sh.config.max_backoff)).await;
            }
            Err(e) => return Err(job_error_from(&e)),
        }
        attempt += 1;
    }
}

fn internal(detail: &str) -> JobError {
    JobError::local(
        "InternalError",
        Localized::verbatim(detail),
        loc!("engine-advice-internal"),
    )
}

/// Repeats a read-only call on transient failures, a few times.
async fn retry_idempotent<T, F, Fut>(sh: &Shared, mut call: F) -> Result<T, api::Error>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, api::Error>>,
{
    let mut attempt = 0;
    loop {
        match call().await {
            Ok(v) => return Ok(v),
            Err(e) if e.is_transient() && attempt < 4 => {
                tokio::time::sleep(backoff(attempt, sh.config.max_backoff)).await;
                attempt += 1;
            }
            Err(e) => return Err(e),
        }
    }
}

/// The create call and what its answer means for the job.
async fn submit(
    sh: &Arc<Shared>,
    client: &Client,
    job: &mut Job,
    control: &Control,
) -> Result<(), Halt> {
    let Some(request) = job.request.clone() else {
        fail(job, internal("no request to send"));
        return sh.save(job);
    };
    let result = client.create(&request).await;
    let now = now_ms();
    match result {
        Ok(created) => {
            job.task_id = Some(created.task_id);
            job.task_created_ms = Some(now);
            job.record_call("create", &created.request_id, now);
            job.warning = None;
            job.set_state(JobState::Pending, now);
            sh.save(job)?;
            if control.cancel.load(Ordering::SeqCst) {
                cancel_on_service(sh, client, job).await;
            }
            Ok(())
        }
        Err(e) if e.is_ambiguous() => {
            tracing::warn!(job = %job.id, "create unconfirmed: {e}");
            if let Some(id) = e.request_id() {
                job.record_call("create", id, now);
            }
            job.warning = Some(loc!("engine-warning-create-unclear", error = e.to_string()));
            job.set_state(JobState::SubmitUnknown, now);
            sh.save(job)
        }
        Err(api::Error::Api(e))
            if e.http_status == 400 && !job.reuploaded && mentions_our_upload(job, &e.message) =>
        {
            // The service does not have an upload we reused (a 400: nothing was
            // created). Forget it and upload again, once.
            job.record_call("create", e.request_id.as_deref().unwrap_or_default(), now);
            if let Some(request) = &job.request {
                let store = lock(&sh.store);
                for media in request
                    .input
                    .media
                    .iter()
                    .filter(|m| api::types::is_oss_url(&m.url))
                {
                    let _ = store.forget_upload(&media.url);
                }
            }
            job.reuploaded = true;
            job.warning = Some(loc!("engine-warning-upload-gone"));
            job.set_state(JobState::Queued, now);
            sh.save(job)
        }
        Err(e) if e.is_transient() && job.attempts < sh.config.create_attempts => {
            if let Some(id) = e.request_id() {
                job.record_call("create", id, now);
            }
            let busy = matches!(&e, api::Error::Api(a) if a.is_throttling());
            job.warning = Some(if busy {
                loc!("engine-warning-account-busy")
            } else {
                loc!(
                    "engine-warning-create-retry",
                    error = e.to_string(),
                    advice = e.advice()
                )
            });
            job.set_state(JobState::Queued, now);
            sh.save(job)
        }
        Err(e) => {
            if let Some(id) = e.request_id() {
                job.record_call("create", id, now);
            }
            fail(job, job_error_from(&e));
            sh.save(job)
        }
    }
}

/// The service's message names one of the `oss://` URLs this job sent.
fn mentions_our_upload(job: &Job, message: &str) -> bool {
    job.request.as_ref().is_some_and(|r| {
        r.input
            .media
            .iter()
            .any(|m| api::types::is_oss_url(&m.url) && message.contains(&m.url))
    })
}

enum Adoption {
    Found(String),
    NotFound(Localized),
}

/// Looks for the task an unconfirmed create may have made: same model, created in
/// the attempt's time window, not owned by another job. Adopts only a unique match.
async fn adopt(sh: &Arc<Shared>, client: &Client, job: &Job) -> Adoption {
    let started = job.submit_started_ms.unwrap_or(job.created_ms);
    let mut last = 0;
    for delay in sh.config.adopt_delays.clone() {
        tokio::time::sleep(delay).await;
        let until = now_ms() + 60_000;
        let filter = ListFilter {
            start_time: Some(service_time(started - 120_000)),
            end_time: Some(service_time(until)),
            model_name: Some(job.spec.model.wire_name().to_string()),
            page_size: 100,
            ..ListFilter::default()
        };
        sh.limiter.acquire().await;
        let listed = match retry_idempotent(sh, || client.list(&filter)).await {
            Ok(l) => l,
            Err(e) => {
                return Adoption::NotFound(loc!(
                    "engine-adopt-list-unreadable",
                    error = e.to_string()
                ));
            }
        };
        let known = lock(&sh.store).known_task_ids().unwrap_or_default();
        let candidates: Vec<_> = listed
            .data
            .iter()
            .filter(|t| !known.contains(&t.task_id))
            .filter(|t| {
                t.model_name
                    .as_deref()
                    .is_none_or(|m| m == job.spec.model.wire_name())
            })
            .filter(|t| {
                t.gmt_create
                    .is_none_or(|ms| ms as i64 >= started - 5_000 && ms as i64 <= until)
            })
            .collect();
        last = candidates.len();
        if let [only] = candidates.as_slice() {
            return Adoption::Found(only.task_id.clone());
        }
        if candidates.len() > 1 {
            break;
        }
    }
    Adoption::NotFound(if last > 1 {
        loc!("engine-adopt-ambiguous", count = last)
    } else {
        loc!("engine-adopt-none")
    })
}

/// `YYYYMMDDhhmmss` in the service's time zone.
fn service_time(ms: i64) -> String {
    let offset = chrono::FixedOffset::east_opt(i32::from(SERVICE_UTC_OFFSET_HOURS) * 3600)
        .unwrap_or(chrono::Utc.fix());
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.with_timezone(&offset).format("%Y%m%d%H%M%S").to_string())
        .unwrap_or_default()
}

/// Polls a task until it leaves PENDING/RUNNING.
async fn poll(
    sh: &Arc<Shared>,
    client: &Client,
    job: &mut Job,
    control: &Control,
) -> Result<(), Halt> {
    let Some(task_id) = job.task_id.clone() else {
        fail(job, internal("no task id"));
        return sh.save(job);
    };
    let past = lock(&sh.store)
        .past_generation_seconds(job.spec.model, job.spec.tier, job.spec.duration)
        .unwrap_or_default();
    let expected = sh
        .config
        .expected_generation
        .unwrap_or_else(|| expected_duration(&past));
    if job.expected_secs.is_none() {
        job.expected_secs = Some(expected.as_secs_f64());
        sh.save(job)?;
    }
    let created = job.task_created_ms.unwrap_or_else(now_ms);
    let life_ms = (TASK_LIFETIME_SECS * 1000) as i64;
    let mut failures = 0u32;
    let mut unknowns = 0u32;
    // Seen alive: an UNKNOWN after that means the task is gone, not "not yet there".
    let mut seen = job.state == JobState::Running;
    let mut first = true;
    loop {
        let elapsed_ms = (now_ms() - created).max(0);
        if elapsed_ms >= life_ms {
            job.warning = None;
            job.error = Some(expired_error());
            job.set_state(JobState::Expired, now_ms());
            return sh.save(job);
        }
        let delay = if failures > 0 {
            backoff(failures - 1, sh.config.max_backoff)
        } else if first && elapsed_ms > 5_000 {
            // Resumed after a pause: ask at once.
            Duration::ZERO
        } else {
            next_poll_delay(Duration::from_millis(elapsed_ms as u64), expected)
                .min(sh.config.max_poll_interval)
        };
        first = false;
        tokio::time::sleep(delay).await;
        if control.cancel.load(Ordering::SeqCst) && job.state == JobState::Pending {
            control.cancel.store(false, Ordering::SeqCst);
            cancel_on_service(sh, client, job).await;
        }
        sh.limiter.acquire().await;
        let answer = match client.query(&task_id).await {
            Ok(a) => a,
            Err(e) => {
                failures += 1;
                let warning = loc!(
                    "engine-warning-query-failed",
                    error = e.to_string(),
                    advice = e.advice()
                );
                if job.warning.as_ref() != Some(&warning) && failures >= 2 {
                    job.warning = Some(warning);
                    sh.save(job)?;
                }
                continue;
            }
        };
        failures = 0;
        let now = now_ms();
        let out = &answer.output;
        job.service_times.submit_time = out
            .submit_time
            .clone()
            .or(job.service_times.submit_time.take());
        job.service_times.scheduled_time = out
            .scheduled_time
            .clone()
            .or(job.service_times.scheduled_time.take());
        let cleared = job.warning.take().is_some();
        match out.task_status {
            TaskStatus::Pending
            | TaskStatus::Running
            | TaskStatus::Suspended
            | TaskStatus::Other => {
                unknowns = 0;
                seen = true;
                let state = if out.task_status == TaskStatus::Pending {
                    JobState::Pending
                } else {
                    JobState::Running
                };
                if state != job.state || cleared {
                    job.set_state(state, now);
                    sh.save(job)?;
                }
            }
            TaskStatus::Succeeded => {
                job.record_call("query", &answer.request_id, now);
                job.service_times.end_time = out.end_time.clone();
                job.video_url = out.video_url.clone();
                job.video_url_expires_ms = Some(now + (VIDEO_URL_LIFETIME_SECS * 1000) as i64);
                let raw_usage = serde_json::to_value(answer.usage.as_ref().map(|u| {
                    serde_json::json!({"duration": u.duration, "size": u.size, "fps": u.fps, "SR": u.sr, "audio": u.audio, "video_count": u.video_count})
                }))
                .ok();
                job.set_usage(answer.usage.as_ref(), raw_usage);
                job.set_state(JobState::Succeeded, now);
                return sh.save(job);
            }
            TaskStatus::Failed => {
                job.record_call("query", &answer.request_id, now);
                job.service_times.end_time = out.end_time.clone();
                let code = out.code.clone().filter(|c| !c.is_empty());
                let message = out.message.clone().filter(|m| !m.is_empty());
                let advice = advice_for(code.as_deref().unwrap_or("TaskFailed"), 200);
                fail(
                    job,
                    JobError {
                        code: code.unwrap_or_else(|| "TaskFailed".into()),
                        message: message
                            .map(Localized::verbatim)
                            .unwrap_or_else(|| loc!("engine-error-task-failed")),
                        advice,
                        request_id: Some(answer.request_id.clone()).filter(|r| !r.is_empty()),
                    },
                );
                return sh.save(job);
            }
            TaskStatus::Canceled => {
                job.set_state(JobState::Canceled, now);
                return sh.save(job);
            }
            TaskStatus::Unknown => {
                unknowns += 1;
                // Right after creation the service may not know the id yet; near the
                // end of life it has forgotten it. Either way never call it failed.
                if seen || elapsed_ms >= life_ms - 3_600_000 || unknowns >= 5 {
                    job.error = Some(expired_error());
                    job.set_state(JobState::Expired, now);
                    return sh.save(job);
                }
            }
        }
    }
}

fn expired_error() -> JobError {
    JobError::local(
        "Expired",
        loc!("engine-error-expired"),
        loc!("engine-advice-expired"),
    )
}

async fn cancel_on_service(sh: &Arc<Shared>, client: &Client, job: &Job) {
    let Some(task_id) = job.task_id.clone() else {
        return;
    };
    sh.limiter.acquire().await;
    match client.cancel(&task_id).await {
        Ok(_) => {}
        Err(api::Error::Api(e)) if e.code == "UnsupportedOperation" => {
            sh.notice(Some(job.id.clone()), loc!("engine-notice-cancel-too-late"))
        }
        Err(e) => sh.notice(
            Some(job.id.clone()),
            loc!(
                "engine-notice-cancel-failed",
                error = e.to_string(),
                advice = e.advice()
            ),
        ),
    }
}

async fn cancel_job(sh: &Arc<Shared>, id: JobId) {
    let Some(mut job) = sh.load(&id) else {
        return sh.notice_missing(&id);
    };
    let running = {
        let map = lock(&sh.running);
        map.get(&id).map(|r| (r.abort.clone(), r.control.clone()))
    };
    match job.state {
        JobState::Queued | JobState::Uploading => match running {
            Some((abort, control)) if !control.in_create.load(Ordering::SeqCst) => {
                abort.abort();
                lock(&sh.running).remove(&id);
                sh.dequeue(&id);
                if let Some(mut fresh) = sh.load(&id) {
                    fresh.set_state(JobState::Canceled, now_ms());
                    let _ = sh.save(&fresh);
                }
            }
            Some((_, control)) => control.cancel.store(true, Ordering::SeqCst),
            None => {
                job.set_state(JobState::Canceled, now_ms());
                let _ = sh.save(&job);
            }
        },
        JobState::Submitting | JobState::Pending => match running {
            Some((_, control)) => {
                control.cancel.store(true, Ordering::SeqCst);
                if job.state == JobState::Pending
                    && let Some(client) = sh.client.clone()
                {
                    control.cancel.store(false, Ordering::SeqCst);
                    cancel_on_service(sh, &client, &job).await;
                }
            }
            None => {
                if let Some(client) = sh.client.clone() {
                    cancel_on_service(sh, &client, &job).await;
                    spawn_driver(sh, job);
                }
            }
        },
        JobState::SubmitUnknown if running.is_none() => {
            job.warning = None;
            job.set_state(JobState::Canceled, now_ms());
            let _ = sh.save(&job);
            sh.notice(Some(id), loc!("engine-notice-dropped"));
        }
        JobState::Running => sh.notice(Some(id), loc!("engine-notice-cancel-running")),
        JobState::Succeeded | JobState::Downloading => {
            sh.notice(Some(id), loc!("engine-notice-cancel-made"))
        }
        _ => {}
    }
}

/// Streams the video into `<name>.mp4.part`, resuming with Range after a cut,
/// refreshing an expired link, then renames it and writes the sidecar.
async fn download(sh: &Arc<Shared>, client: &Client, job: &mut Job) -> Result<(), Halt> {
    if job.output_path.is_none() {
        if let Err(e) = tokio::fs::create_dir_all(&job.output_dir).await {
            // The video is still on the service: keep the job resumable (Succeeded),
            // with the reason shown.
            job.error = Some(JobError::local(
                "OutputFolder",
                loc!(
                    "engine-error-output-folder",
                    error = e.to_string(),
                    path = job.output_dir.display().to_string()
                ),
                loc!("engine-advice-output-folder"),
            ));
            return sh.save(job);
        }
        let date = chrono::Local::now().format("%Y-%m-%d").to_string();
        let path = output::free_video_path(&job.output_dir, &output::base_name(job, &date));
        job.output_path = Some(path);
    }
    job.error = None;
    if job.state != JobState::Downloading {
        job.set_state(JobState::Downloading, now_ms());
    }
    sh.save(job)?;
    let Some(final_path) = job.output_path.clone() else {
        return Ok(());
    };
    let part = part_path(&final_path);
    let life_end = job.task_created_ms.unwrap_or_else(now_ms) + (TASK_LIFETIME_SECS * 1000) as i64;
    let mut failures = 0u32;
    let mut bad_links = 0u32;
    loop {
        let have = tokio::fs::metadata(&part)
            .await
            .map(|m| m.len())
            .unwrap_or(0);
        let complete_on_disk = match job.video_bytes {
            Some(total) => have == total && total > 0,
            None => false,
        };
        // Renamed but not yet journaled as done (a crash in between): the final file
        // is ours (its name was free when chosen) and complete if its length matches.
        let renamed = have == 0
            && !part.exists()
            && job.video_bytes.is_some()
            && tokio::fs::metadata(&final_path).await.map(|m| m.len()).ok() == job.video_bytes;
        if complete_on_disk || renamed {
            if complete_on_disk {
                finish_file(&part, &final_path).await;
            }
            return finish(sh, job).await;
        }
        if now_ms() >= life_end {
            let _ = tokio::fs::remove_file(&part).await;
            job.error = Some(expired_error());
            job.set_state(JobState::Expired, now_ms());
            return sh.save(job);
        }
        if failures > 0 {
            tokio::time::sleep(backoff(failures - 1, sh.config.max_backoff)).await;
        }
        let Some(url) = job.video_url.clone() else {
            refresh_link(sh, client, job).await?;
            if job.state != JobState::Downloading {
                return Ok(());
            }
            failures += 1;
            continue;
        };
        let response = match client.download(&url, have).await {
            Ok(r) => r,
            Err(api::Error::Api(e)) if matches!(e.http_status, 403 | 404 | 410) => {
                refresh_link(sh, client, job).await?;
                if job.state != JobState::Downloading {
                    return Ok(());
                }
                failures += 1;
                continue;
            }
            Err(api::Error::Api(e)) if e.http_status == 416 => {
                // The range starts past the end: what we have is suspect. Start over.
                let _ = tokio::fs::remove_file(&part).await;
                failures += 1;
                continue;
            }
            Err(e @ api::Error::Invalid(_)) => {
                // Not a web address: ask the service for the link again, and
                // give up only when it keeps answering with such links.
                bad_links += 1;
                tracing::warn!(job = %job.id, "unusable video link: {e}");
                if bad_links >= BAD_LINKS_BEFORE_FAILING {
                    fail(
                        job,
                        JobError::local(
                            "BadVideoLink",
                            Localized::verbatim(e.to_string()),
                            loc!("engine-advice-bad-video-link"),
                        ),
                    );
                    return sh.save(job);
                }
                job.video_url = None;
                failures += 1;
                continue;
            }
            Err(e) => {
                failures += 1;
                tracing::info!(job = %job.id, "download: {e}");
                if failures >= FAILURES_BEFORE_WARNING {
                    // Keep trying until the link's task expires, but say so.
                    job.warning = Some(loc!(
                        "engine-warning-download-trouble",
                        error = e.to_string(),
                        advice = e.advice()
                    ));
                    sh.save(job)?;
                }
                continue;
            }
        };
        let (start, total) = content_range(&response, have);
        if job.video_bytes != total && total.is_some() {
            job.video_bytes = total;
            sh.save(job)?;
        }
        match stream_to_part(sh, job, response, &part, start, total).await {
            Ok(()) => {
                let len = tokio::fs::metadata(&part)
                    .await
                    .map(|m| m.len())
                    .unwrap_or(0);
                match total {
                    Some(t) if len < t => {
                        failures += 1;
                        continue;
                    }
                    Some(t) if len > t => {
                        let _ = tokio::fs::remove_file(&part).await;
                        failures += 1;
                        continue;
                    }
                    _ => {}
                }
                if job.video_bytes.is_none() {
                    job.video_bytes = Some(len);
                }
                finish_file(&part, &final_path).await;
                return finish(sh, job).await;
            }
            Err(e) => {
                tracing::info!(job = %job.id, "download cut: {e}");
                failures += 1;
            }
        }
    }
}

/// Links that are not web addresses, in a row, before a download fails.
const BAD_LINKS_BEFORE_FAILING: u32 = 3;
/// Failed download attempts before the job shows a warning (it keeps trying).
const FAILURES_BEFORE_WARNING: u32 = 3;

/// Where the answer's bytes start and the whole file's length.
fn content_range(response: &reqwest::Response, asked_from: u64) -> (u64, Option<u64>) {
    if response.status().as_u16() == 206
        && let Some(range) = response
            .headers()
            .get(reqwest::header::CONTENT_RANGE)
            .and_then(|v| v.to_str().ok())
        && let Some(spec) = range.strip_prefix("bytes ")
        && let Some((span, total)) = spec.split_once('/')
        && let Some((start, _)) = span.split_once('-')
        && let Ok(start) = start.parse::<u64>()
    {
        return (start, total.parse().ok());
    }
    let _ = asked_from;
    (0, response.content_length())
}

async fn stream_to_part(
    sh: &Arc<Shared>,
    job: &Job,
    mut response: reqwest::Response,
    part: &std::path::Path,
    start: u64,
    total: Option<u64>,
) -> std::io::Result<()> {
    let mut file = tokio::fs::OpenOptions::new()
        .create(true)
        .write(true)
        .truncate(start == 0)
        .append(start > 0)
        .open(part)
        .await?;
    let mut received = start;
    let started = tokio::time::Instant::now();
    let mut last_report = started;
    let mut result = Ok(());
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                if let Err(e) = file.write_all(&chunk).await {
                    result = Err(e);
                    break;
                }
                received += chunk.len() as u64;
                if last_report.elapsed() >= Duration::from_millis(100) {
                    last_report = tokio::time::Instant::now();
                    let secs = started.elapsed().as_secs_f64().max(0.001);
                    sh.events.emit(Event::Download {
                        job: job.id.clone(),
                        received,
                        total,
                        bytes_per_sec: (received - start) as f64 / secs,
                    });
                }
            }
            Ok(None) => break,
            Err(e) => {
                result = Err(std::io::Error::other(e.to_string()));
                break;
            }
        }
    }
    // Keep what arrived, on disk, even after a cut: the next attempt resumes from it.
    file.flush().await?;
    file.sync_all().await?;
    let secs = started.elapsed().as_secs_f64().max(0.001);
    sh.events.emit(Event::Download {
        job: job.id.clone(),
        received,
        total,
        bytes_per_sec: (received - start) as f64 / secs,
    });
    result
}

async fn finish_file(part: &std::path::Path, final_path: &std::path::Path) {
    if tokio::fs::rename(part, final_path).await.is_ok()
        && let Some(dir) = final_path.parent()
        && let Ok(d) = tokio::fs::File::open(dir).await
    {
        // Make the rename itself durable.
        let _ = d.sync_all().await;
    }
}

async fn refresh_link(sh: &Arc<Shared>, client: &Client, job: &mut Job) -> Result<(), Halt> {
    let Some(task_id) = job.task_id.clone() else {
        return Ok(());
    };
    sh.limiter.acquire().await;
    match client.query(&task_id).await {
        Ok(answer) => match answer.output.task_status {
            TaskStatus::Succeeded if answer.output.video_url.is_some() => {
                job.video_url = answer.output.video_url;
                job.video_url_expires_ms = Some(now_ms() + (VIDEO_URL_LIFETIME_SECS * 1000) as i64);
                sh.save(job)
            }
            TaskStatus::Unknown => {
                job.error = Some(expired_error());
                job.set_state(JobState::Expired, now_ms());
                sh.save(job)
            }
            _ => Ok(()),
        },
        Err(e) => {
            tracing::info!(job = %job.id, "link refresh: {e}");
            Ok(())
        }
    }
}

async fn finish(sh: &Arc<Shared>, job: &mut Job) -> Result<(), Halt> {
    let Some(video) = job.output_path.clone() else {
        return Ok(());
    };
    let sidecar_path = video.with_extension("json");
    job.warning = None;
    job.set_state(JobState::Done, now_ms());
    job.sidecar_path = Some(sidecar_path.clone());
    let text = serde_json::to_string_pretty(&output::sidecar(job)).unwrap_or_default();
    let tmp = sidecar_path.with_extension("json.part");
    let written = async {
        tokio::fs::write(&tmp, text.as_bytes()).await?;
        tokio::fs::rename(&tmp, &sidecar_path).await
    }
    .await;
    if let Err(e) = written {
        tracing::warn!("sidecar: {e}");
        job.sidecar_path = None;
        job.warning = Some(loc!("engine-warning-sidecar-failed", error = e.to_string()));
    }
    sh.save(job)
}

async fn load_image(sh: &Arc<Shared>, key: u64, source: RefSource, max_side: u32) {
    const MAX_FILE: u64 = 200 * 1024 * 1024;
    let bytes: Result<Vec<u8>, Localized> = match &source {
        RefSource::Local(path) => match tokio::fs::metadata(path).await {
            Ok(m) if m.len() > MAX_FILE => Err(loc!(
                "engine-preview-file-too-large",
                megabytes = m.len() / (1024 * 1024)
            )),
            Ok(_) => tokio::fs::read(path)
                .await
                .map_err(|e| images::ImageIssue::Unreadable(e.to_string()).describe()),
            Err(e) => Err(images::ImageIssue::Unreadable(e.to_string()).describe()),
        },
        RefSource::Url(url) if api::types::is_oss_url(url) => Err(loc!("engine-preview-oss-link")),
        RefSource::Url(url) => fetch_image(&sh.http, url).await,
    };
    let result = match bytes {
        Ok(bytes) => tokio::task::spawn_blocking(move || images::thumbnail(&bytes, max_side))
            .await
            .map_err(|e| Localized::verbatim(e.to_string()))
            .and_then(|r| r.map(Arc::new).map_err(|i| i.describe())),
        Err(e) => Err(e),
    };
    sh.events.emit(Event::Thumbnail { key, result });
}

async fn fetch_image(http: &reqwest::Client, url: &str) -> Result<Vec<u8>, Localized> {
    const MAX: usize = 60 * 1024 * 1024;
    let unreachable = |detail: Localized| loc!("engine-preview-url-unreachable", detail = detail);
    let mut response = http
        .get(url)
        .send()
        .await
        .map_err(|e| unreachable(Localized::verbatim(e.to_string())))?;
    if !response.status().is_success() {
        return Err(unreachable(Localized::verbatim(format!(
            "HTTP {}",
            response.status().as_u16()
        ))));
    }
    let mut bytes = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| unreachable(Localized::verbatim(e.to_string())))?
    {
        if bytes.len() + chunk.len() > MAX {
            return Err(unreachable(loc!("engine-preview-url-too-large")));
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}
