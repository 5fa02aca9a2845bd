//! The engine thread: opens the journal, then handles each [`Command`] in one
//! match whose arms are one call each. Jobs run in their drivers (driver.rs).

use super::clock::Clock;
use super::driver;
use super::images;
use super::job::{Job, JobId, JobState, MAX_TAKES, Review, TakeSet};
use super::machine::Outcome;
use super::posters;
use super::schedule::Limiter;
use super::shared::{Shared, lock};
use super::store::Store;
use super::{Allow, Command, EngineConfig, EngineError, Event, EventSink, spending};
use crate::api::{self, Client, ClientConfig};
use crate::core::capabilities::{SEED_MAX, SEED_MIN};
use crate::core::{Field, GenerationSpec, Localized, Model, Problem, RefSource, Seed, spend};
use crate::loc;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{Semaphore, mpsc, watch};

pub(super) struct Prepared {
    config: EngineConfig,
    events: EventSink,
    store: Store,
    /// The data folder's lock: held by the engine that runs its jobs; `None` for
    /// a window's helper while another process runs them (see [`prepare_helper`]).
    lock: Option<std::fs::File>,
}

/// Everything that can fail before the engine runs.
pub(super) fn prepare(config: EngineConfig, events: EventSink) -> Result<Prepared, EngineError> {
    let mut config = config;
    config.data_dir = absolute(&config.data_dir);
    config.output_dir = absolute(&config.output_dir);
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
        lock: Some(lock),
    })
}

/// For a window whose data folder's engine runs in another process: an engine
/// for this window's own chores only (thumbnails, posters, pasted pictures). It
/// reads the journal but holds no lock, serves no clients and runs no job.
pub(super) fn prepare_helper(
    config: EngineConfig,
    events: EventSink,
) -> Result<Prepared, EngineError> {
    let mut config = config;
    config.data_dir = absolute(&config.data_dir);
    config.output_dir = absolute(&config.output_dir);
    config.resume_on_start = false;
    let store = Store::open(&config.data_dir.join("jobs.sqlite"))?;
    Ok(Prepared {
        config,
        events,
        store,
        lock: None,
    })
}

/// The commands only the engine that holds the data folder carries out.
fn runs_jobs(command: &Command) -> bool {
    !matches!(
        command,
        Command::LoadImage { .. }
            | Command::LoadPoster { .. }
            | Command::StoreImage { .. }
            | Command::LoadHistory
            | Command::MeasureArchive
            | Command::PruneArchive
            | Command::Shutdown
    )
}

/// A path as given, made absolute against the current folder (a relative output
/// folder must mean the same place when the job resumes from elsewhere).
pub(super) fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

/// Runs the engine on a thread of its own with its own runtime.
pub(super) fn run_on_own_thread(prepared: Prepared, rx: mpsc::UnboundedReceiver<Command>) {
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
    runtime.block_on(serve(prepared, rx, Clock::system()));
    runtime.shutdown_timeout(Duration::from_secs(2));
}

/// The engine's life: handles commands until `Shutdown`, then stops its drivers
/// (a create call in flight is waited for, so its answer is journaled).
pub(super) async fn serve(
    prepared: Prepared,
    mut rx: mpsc::UnboundedReceiver<Command>,
    clock: Clock,
) {
    let Prepared {
        config,
        events,
        store,
        lock: file_lock,
    } = prepared;
    // Other processes on this data folder become clients: their commands come in
    // beside the owner's, and they hear every event.
    let (tap, _) = tokio::sync::broadcast::channel(super::wire::EVENT_BACKLOG);
    let events = events.with_tap(tap.clone());
    let (client_tx, mut client_rx) = mpsc::unbounded_channel();
    let client = config.api_key.clone().and_then(|key| {
        let mut c = ClientConfig::new(config.base_url.clone(), key);
        c.request_timeout = config.request_timeout;
        match Client::new(c) {
            Ok(client) => Some(client),
            Err(e) => {
                events.emit(Event::Notice {
                    job: None,
                    message: loc!("engine-notice-base-url-unusable", error = e.describe()),
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
    let (stop_tx, stop_rx) = watch::channel(false);
    let sh = Arc::new(Shared {
        scope: upload_scope(&config),
        clock,
        limiter: Limiter::new(config.queries_per_second),
        client,
        store: Mutex::new(store),
        slots,
        events: events.clone(),
        drivers: Mutex::new(HashMap::new()),
        queue: Mutex::new(Vec::new()),
        shutdown: stop_rx,
        http: reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(30))
            .build()
            .unwrap_or_default(),
        admission: tokio::sync::Mutex::new(()),
        config,
    });
    let owner = file_lock.is_some();
    if owner && sh.config.resume_on_start {
        resume_all(&sh);
    }
    if owner
        && let Err(e) = super::hub::start(&sh.config.data_dir, client_tx, tap, sh.shutdown.clone())
    {
        tracing::warn!("other processes cannot use this engine: {e}");
    }
    loop {
        let command = tokio::select! {
            command = rx.recv() => command,
            Some(command) = client_rx.recv() => Some(command),
        };
        let Some(command) = command else { break };
        if matches!(command, Command::Shutdown) {
            break;
        }
        if !owner && runs_jobs(&command) {
            tracing::error!("a helper engine was asked to run jobs: {command:?}");
            continue;
        }
        handle(&sh, command);
    }
    // Clients hear everything up to here, then the end of their stream (what the
    // jobs do as the engine stops is for whoever takes over).
    sh.events.tell_clients_stopping();
    let _ = stop_tx.send(true);
    wait_for_drivers(&sh).await;
    // A poster begun after a download (e.g. the command line's last job).
    posters::wait_for_pending(&sh.config.data_dir, Duration::from_secs(5)).await;
    drop(file_lock);
    events.emit(Event::Stopped);
}

fn handle(sh: &Arc<Shared>, command: Command) {
    match command {
        Command::Generate {
            ids,
            spec,
            output_dir,
            allow,
        } => generate(sh, ids, spec, output_dir, allow),
        Command::Retry {
            from,
            new_id,
            over_budget,
        } => retry(sh, &from, new_id, over_budget),
        Command::Resume(id) => resume(sh, &id),
        Command::ResumeAll => resume_all(sh),
        Command::LookAgain(id) => driver::ask(sh, &id, Outcome::LookAgain),
        Command::SubmitAnew(id) => driver::ask(sh, &id, Outcome::SubmitAnew),
        Command::Cancel(id) => driver::ask(sh, &id, Outcome::CancelAsked),
        Command::LoadHistory => load_history(sh),
        Command::Remove { id, delete_video } => remove(sh, &id, delete_video),
        Command::LoadImage {
            key,
            source,
            max_side,
        } => {
            let sh = sh.clone();
            tokio::spawn(async move { load_image(&sh, key, source, max_side).await });
        }
        Command::LoadPoster { job } => posters::request(sh, job),
        Command::StoreImage {
            key,
            width,
            height,
            rgba,
        } => store_image(sh, key, width, height, rgba),
        Command::Review { id, review } => set_review(sh, &id, review),
        Command::MeasureArchive => super::references::measure(sh),
        Command::PruneArchive => super::references::prune(sh),
        Command::Shutdown => {}
    }
}

/// Journals the new jobs (one, or the takes of a set, all together) before
/// anything is sent, then runs them; unless a spending rule stops them first.
fn generate(
    sh: &Arc<Shared>,
    ids: Vec<JobId>,
    spec: GenerationSpec,
    output_dir: Option<PathBuf>,
    allow: Allow,
) {
    let mut problems = spec.validate();
    problems.extend(takes_problem(&ids));
    if !problems.is_empty() {
        if let Some(id) = ids.first() {
            sh.events.emit(Event::Rejected {
                id: id.clone(),
                problems,
            });
        }
        return;
    }
    let out = output_dir.map_or_else(|| sh.config.output_dir.clone(), |d| absolute(&d));
    let sh = sh.clone();
    tokio::spawn(async move {
        // One new setup at a time: the next one's checks see this one journaled.
        let _turn = sh.admission.lock().await;
        let contents = spending::content_hashes(&spec);
        let setup = spend::setup_key(&spec, &contents);
        if let Some(refusal) = spending::refusal(&sh, &spec, &ids, &setup, allow) {
            sh.events.emit(Event::Refused { ids, refusal });
            return;
        }
        let now = sh.now_ms();
        let mut jobs = match ids.as_slice() {
            [id] => {
                let mut job = Job::new(spec, out, now);
                job.id = id.clone();
                vec![job]
            }
            _ => takes(&ids, &spec, &out, now),
        };
        for job in &mut jobs {
            job.setup = Some(setup.clone());
        }
        start_new(&sh, jobs);
        spending::report(&sh);
    });
}

/// Why these ids cannot be a Generate: none, too many, or one given twice (the
/// journal would hold fewer jobs than asked for).
fn takes_problem(ids: &[JobId]) -> Option<Problem> {
    let distinct: HashSet<&JobId> = ids.iter().collect();
    let usable = (1..=MAX_TAKES).contains(&ids.len()) && distinct.len() == ids.len();
    (!usable).then(|| Problem {
        code: "takes.out_of_range", // not text: a problem code for programs
        field: Field::Model,
        message: loc!(
            "engine-takes-out-of-range",
            max = MAX_TAKES,
            count = ids.len()
        ),
    })
}

/// One job per id, sharing a take set. A random seed becomes a drawn seed per
/// take (all different); a fixed one is shared.
fn takes(ids: &[JobId], spec: &GenerationSpec, out: &Path, now: i64) -> Vec<Job> {
    let set = TakeSet::new_id();
    let drawn_seed = spec.seed == Seed::Random;
    let mut seeds = HashSet::new();
    ids.iter()
        .zip(1u32..)
        .map(|(id, index)| {
            let mut job = Job::new(spec.clone(), out.to_path_buf(), now);
            job.id = id.clone();
            if drawn_seed {
                job.spec.seed = Seed::Fixed(draw_seed(&mut seeds));
            }
            job.take_set = Some(TakeSet {
                id: set.clone(),
                index,
                of: ids.len() as u32,
                drawn_seed,
            });
            job
        })
        .collect()
}

/// A random seed not in `taken` (then taken).
fn draw_seed(taken: &mut HashSet<u32>) -> u32 {
    loop {
        let seed = fastrand::u32(SEED_MIN..=SEED_MAX);
        if taken.insert(seed) {
            return seed;
        }
    }
}

/// A new job with the same spec. The retry of a take joins its set with the same
/// index; a seed the app drew is drawn again (the user asked for a random one).
fn retry(sh: &Arc<Shared>, from: &JobId, new_id: JobId, over_budget: bool) {
    let Some(old) = sh.load(from) else {
        return sh.notice_missing(from);
    };
    let mut job = Job::new(old.spec.clone(), old.output_dir.clone(), sh.now_ms());
    job.id = new_id;
    job.retry_of = Some(from.clone());
    job.setup = old.setup.clone();
    if let Some(set) = &old.take_set {
        if set.drawn_seed {
            let mut taken: HashSet<u32> = match old.spec.seed {
                Seed::Fixed(s) => [s].into_iter().collect(),
                Seed::Random => HashSet::new(),
            };
            job.spec.seed = Seed::Fixed(draw_seed(&mut taken));
        }
        job.take_set = Some(set.clone());
    }
    let sh = sh.clone();
    tokio::spawn(async move {
        // Admitted in turn with new setups, so that the caps see every job.
        let _turn = sh.admission.lock().await;
        if !over_budget && let Some(refusal) = spending::retry_refusal(&sh, &job.spec, &job.id) {
            sh.events.emit(Event::Refused {
                ids: vec![job.id],
                refusal,
            });
            return;
        }
        start_new(&sh, vec![job]);
        spending::report(&sh);
    });
}

/// Journals new jobs (all or none), then starts each; nothing is sent unless the
/// whole lot is on disk.
fn start_new(sh: &Arc<Shared>, jobs: Vec<Job>) {
    let result = lock(&sh.store).insert_new(&jobs, sh.now_ms());
    match result {
        Ok(()) => {
            for job in &jobs {
                sh.events.emit(Event::Job(Box::new(job.clone())));
            }
            for job in jobs {
                driver::start(sh, job, None);
            }
        }
        Err(e) => {
            sh.journal_trouble(&e);
            for job in jobs {
                sh.events.emit(Event::NotJournaled {
                    id: job.id,
                    error: e.describe(),
                });
            }
        }
    }
}

fn resume(sh: &Arc<Shared>, id: &JobId) {
    if let Some(job) = sh.load(id)
        && !job.state.is_final()
    {
        driver::start(sh, job, None);
    }
}

fn resume_all(sh: &Arc<Shared>) {
    let jobs = match lock(&sh.store).unfinished() {
        Ok(jobs) => jobs,
        Err(e) => return sh.journal_trouble(&e),
    };
    for job in jobs {
        if !sh.is_running(&job.id) {
            sh.events.emit(Event::Job(Box::new(job.clone())));
            driver::start(sh, job, None);
        }
    }
}

fn load_history(sh: &Arc<Shared>) {
    let all = lock(&sh.store).all();
    match all {
        Ok(jobs) => {
            sh.events.emit(Event::History(jobs));
            spending::report(sh);
        }
        Err(e) => sh.journal_trouble(&e),
    }
}

/// Forgets a finished job (or one waiting for the user); its video stays unless asked.
fn remove(sh: &Arc<Shared>, id: &JobId, delete_video: bool) {
    let Some(job) = sh.load(id) else {
        return sh.notice_missing(id);
    };
    let removable =
        job.state.is_final() || (job.state == JobState::SubmitUnknown && !sh.is_running(id));
    if !removable {
        return sh.notice(Some(id.clone()), loc!("engine-notice-remove-under-way"));
    }
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
    let removed = lock(&sh.store).delete(id);
    if matches!(removed, Ok(true)) {
        posters::forget(&sh.config.data_dir, id);
        sh.events.emit(Event::Removed(id.clone()));
    }
}

/// Keeps the user's star and note on a job that has ended.
fn set_review(sh: &Arc<Shared>, id: &JobId, review: Review) {
    let Some(mut job) = sh.load(id) else {
        return sh.notice_missing(id);
    };
    if !job.state.is_final() || sh.is_running(id) {
        return sh.notice(Some(id.clone()), loc!("engine-notice-review-under-way"));
    }
    let review = review.tidied();
    if job.review != review {
        job.review = review;
        // A failure is told by `save` itself.
        let _ = sh.save(&job);
    }
}

/// Waits for every driver to stop (each stops at its next safe point; a create
/// call in flight finishes and is journaled first).
async fn wait_for_drivers(sh: &Arc<Shared>) {
    let limit = sh.config.request_timeout + Duration::from_secs(5);
    let wait = async {
        while !lock(&sh.drivers).is_empty() {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    };
    if tokio::time::timeout(limit, wait).await.is_err() {
        tracing::warn!("some jobs did not stop in time");
    }
}

fn store_image(sh: &Arc<Shared>, key: u64, width: u32, height: u32, rgba: Arc<Vec<u8>>) {
    let sh = sh.clone();
    tokio::spawn(async move {
        let dir = sh.config.data_dir.join("pasted");
        let result = tokio::task::spawn_blocking(move || store_png(&dir, width, height, &rgba))
            .await
            .unwrap_or_else(|e| Err(e.to_string()))
            .map_err(|e| loc!("engine-notice-paste-not-saved", error = e));
        sh.events.emit(Event::ImageStored { key, result });
    });
}

/// Writes RGBA8 pixels as `<dir>/pasted-<uuid>.png`.
fn store_png(dir: &Path, width: u32, height: u32, rgba: &[u8]) -> Result<PathBuf, String> {
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

/// Decodes a thumbnail for the window, off its thread.
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
