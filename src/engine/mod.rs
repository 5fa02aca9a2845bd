//! The job engine: turns a validated spec into an MP4 on disk without ever losing
//! or double-paying a generation.
//!
//! It runs on its own thread with its own tokio runtime. Callers send [`Command`]s
//! through an [`Engine`] handle and receive [`Event`]s on a channel; after each event
//! the engine calls a repaint callback, so a GUI can wake up without the engine
//! knowing about it.

mod channel;
pub mod clock;
mod commands;
mod driver;
mod handle;
mod hub;
pub mod images;
pub mod job;
mod jpeg_scaled;
pub mod machine;
pub mod output;
mod png_scaled;
pub mod posters;
mod references;
pub mod remote;
pub mod schedule;
mod shared;
mod spending;
mod steps;
pub mod store;
mod webp_scaled;
pub mod wire;

pub use clock::Clock;
pub use handle::Handle;
pub use job::{Job, JobError, JobId, JobState, MAX_NOTE_CHARS, MAX_TAKES, Review, TakeSet};
pub use posters::{POSTER_SIDE, Poster, PosterError};
pub use steps::download::MAX_VIDEO_BYTES;
pub use steps::upload::MAX_REFERENCE_BYTES;

use crate::api::ApiKey;
use crate::core::{GenerationSpec, Localized, Problem, RefSource, spend};
use crate::loc;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// How the engine works and where it keeps things.
#[derive(Debug, Clone)]
pub struct EngineConfig {
    pub base_url: String,
    /// Without a key, jobs stop before uploading and say how to set one.
    pub api_key: Option<ApiKey>,
    /// Holds `jobs.sqlite` and the lock that keeps a second engine away.
    pub data_dir: PathBuf,
    /// Default folder for finished videos.
    pub output_dir: PathBuf,
    /// Jobs under way at once per model series (the account allows 5).
    pub jobs_per_series: usize,
    /// Task queries per second for the whole app (clamped to 1..=20).
    pub queries_per_second: u32,
    /// Limit for one API call.
    pub request_timeout: Duration,
    /// Longest wait between retries of a failing step.
    pub max_backoff: Duration,
    /// Create attempts answered with 5xx/429 before the job fails.
    pub create_attempts: u32,
    /// Waits before each look through the task list after an unconfirmed create.
    pub adopt_delays: Vec<Duration>,
    /// Continue every unfinished job at start.
    pub resume_on_start: bool,
    /// Assume generation takes this long instead of learning it from history
    /// (for the simulator and tests).
    pub expected_generation: Option<Duration>,
    /// Never wait longer than this between two queries of a task.
    pub max_poll_interval: Duration,
    /// Where `settings.json` is, for the budget caps and the price table, read
    /// again for every new job (a `config set` in a terminal counts at once).
    /// `None`: no caps, the default prices.
    pub settings_dir: Option<PathBuf>,
    /// Fetch linked references to keep them in the reference archive. Off by
    /// default against a service on this computer (the simulator, the demo):
    /// its links are made up, and nothing there reaches the internet.
    pub archive_links: bool,
}

impl EngineConfig {
    pub fn new(
        base_url: impl Into<String>,
        api_key: Option<ApiKey>,
        data_dir: PathBuf,
        output_dir: PathBuf,
    ) -> Self {
        EngineConfig {
            base_url: base_url.into(),
            api_key,
            data_dir,
            output_dir,
            jobs_per_series: crate::core::capabilities::RUNNING_TASKS_PER_SERIES,
            queries_per_second: schedule::DEFAULT_QUERIES_PER_SECOND,
            request_timeout: Duration::from_secs(60),
            max_backoff: Duration::from_secs(60),
            create_attempts: 8,
            adopt_delays: vec![
                Duration::ZERO,
                Duration::from_secs(3),
                Duration::from_secs(10),
            ],
            resume_on_start: true,
            expected_generation: None,
            max_poll_interval: Duration::from_secs(60),
            settings_dir: None,
            archive_links: true,
        }
        .with_links_for_the_service()
    }

    /// Links are archived unless the service is on this computer.
    fn with_links_for_the_service(mut self) -> Self {
        let host = url::Url::parse(&self.base_url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_ascii_lowercase));
        let local = host.is_some_and(|h| {
            h == "localhost"
                || h.parse::<std::net::IpAddr>()
                    .is_ok_and(|ip| ip.is_loopback())
                || h.trim_matches(['[', ']'])
                    .parse::<std::net::IpAddr>()
                    .is_ok_and(|ip| ip.is_loopback())
        });
        self.archive_links = !local;
        self
    }

    /// The platform's data folder for the app (e.g. `~/.local/share/r2v-studio`).
    pub fn default_data_dir() -> PathBuf {
        directories::ProjectDirs::from("com", "R2V Studio", "r2v-studio")
            .map(|d| d.data_dir().to_path_buf())
            .unwrap_or_else(|| PathBuf::from(".r2v-studio"))
    }

    /// `~/Videos/R2V Studio` (or the home folder's equivalent).
    pub fn default_output_dir() -> PathBuf {
        let dirs = directories::UserDirs::new();
        let base = dirs
            .as_ref()
            .and_then(|d| d.video_dir().map(PathBuf::from))
            .or_else(|| dirs.as_ref().map(|d| d.home_dir().to_path_buf()))
            .unwrap_or_else(|| PathBuf::from("."));
        base.join("R2V Studio")
    }
}

/// What callers ask of the engine.
#[derive(Debug, Clone)]
pub enum Command {
    /// Journal and run one new job per id (the caller picks them, to follow the
    /// jobs). One id makes one job; 2 to [`MAX_TAKES`] ids make that many takes of
    /// the same setup, journaled together (all or none) before any is sent, sharing
    /// a [`TakeSet`]. With a random seed each take gets its own seed, drawn here;
    /// a fixed seed is shared by all. No id, more than [`MAX_TAKES`] or a repeated
    /// id is refused with [`Event::Rejected`] (for the first id, if any).
    ///
    /// Before anything is journaled, the spending rules apply (see
    /// [`crate::core::spend`]): a setup that repeats one under way or billed in
    /// the last 30 minutes, or a job over a budget cap, is refused with
    /// [`Event::Refused`] unless `allow` says to send it anyway.
    Generate {
        ids: Vec<JobId>,
        spec: GenerationSpec,
        output_dir: Option<PathBuf>,
        allow: Allow,
    },
    /// Drop a queued job, or cancel a PENDING task on the service.
    Cancel(JobId),
    /// A new job (a new, billed task) with the same spec. The retry of a take joins
    /// its set with the same index (and a newly drawn seed if the take's was drawn).
    /// Over a budget cap it is refused with [`Event::Refused`] (nothing journaled)
    /// unless `over_budget`; the duplicate guard does not apply (a retry repeats
    /// its job on purpose).
    Retry {
        from: JobId,
        new_id: JobId,
        over_budget: bool,
    },
    /// Continue an unfinished job that stopped (e.g. after an error).
    Resume(JobId),
    /// Continue every unfinished job.
    ResumeAll,
    /// For a job whose submission is unconfirmed: look through the task list again.
    LookAgain(JobId),
    /// For a job whose submission is unconfirmed: submit anew (may be billed twice).
    SubmitAnew(JobId),
    /// Forget a finished job; its video and sidecar stay on disk unless asked.
    Remove {
        id: JobId,
        delete_video: bool,
    },
    /// Send every journaled job, newest first, as [`Event::History`].
    LoadHistory,
    /// Decode a thumbnail off the UI thread.
    LoadImage {
        key: u64,
        source: RefSource,
        max_side: u32,
    },
    /// Make (or read from the cache) the poster frame of a finished job's video,
    /// off the caller's thread; answered by [`Event::Poster`]. The engine also
    /// makes it by itself right after a download finishes.
    LoadPoster {
        job: JobId,
    },
    /// Save a pasted image (RGBA8) as a PNG in the data folder, to use it as a file.
    StoreImage {
        key: u64,
        width: u32,
        height: u32,
        rgba: Arc<Vec<u8>>,
    },
    /// Star a finished job or give it a note (journaled; answered with
    /// [`Event::Job`]). A job still under way is left as it is, with a notice.
    Review {
        id: JobId,
        review: Review,
    },
    /// Measure the reference archive (answered by [`Event::Archive`]).
    MeasureArchive,
    /// Remove the archived references no job in the journal uses (answered by
    /// [`Event::Archive`], with what was removed).
    PruneArchive,
    Shutdown,
}

impl Command {
    /// A Generate of `takes` new jobs (new ids, in take order) of the same setup.
    pub fn generate_takes(
        spec: GenerationSpec,
        output_dir: Option<PathBuf>,
        takes: usize,
        allow: Allow,
    ) -> (Vec<JobId>, Command) {
        let ids: Vec<JobId> = (0..takes).map(|_| JobId::new()).collect();
        let command = Command::Generate {
            ids: ids.clone(),
            spec,
            output_dir,
            allow,
        };
        (ids, command)
    }
}

/// What the user chose to send anyway, for one Generate.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Allow {
    /// Over a budget cap.
    pub over_budget: bool,
    /// The same setup as one under way or just billed ("make another take").
    pub again: bool,
}

/// Why a Generate or Retry was not sent (nothing was journaled or uploaded).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Refusal {
    /// The job would take spend over a cap.
    OverBudget { over: spend::OverBudget },
    /// The same setup is under way, or was billed less than 30 minutes ago.
    Duplicate { earlier: Box<Job> },
}

impl Refusal {
    /// What happened and what to do.
    pub fn message(&self) -> Localized {
        match self {
            Refusal::OverBudget { over } => over.message(),
            Refusal::Duplicate { earlier } => loc!(
                "engine-duplicate-setup",
                id = earlier.id.short().to_string()
            ),
        }
    }
}

/// Spend so far against the caps, as the engine counts it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct SpendReport {
    pub totals: spend::Totals,
    pub budget: spend::Budget,
}

/// What the engine reports.
#[derive(Debug, Clone)]
pub enum Event {
    /// The job as journaled after a change.
    Job(Box<Job>),
    /// A Generate was refused before any job was made (for takes: one event, with
    /// the first id).
    Rejected {
        id: JobId,
        problems: Vec<Problem>,
    },
    /// A valid Generate (or Retry) was not sent because of a spending rule; the
    /// user may send it again with [`Allow`] (a Retry with `over_budget`).
    Refused {
        ids: Vec<JobId>,
        refusal: Refusal,
    },
    /// Spend today and this month (after a job is added or ends, and with the
    /// history).
    Spend(SpendReport),
    Removed(JobId),
    /// Every journaled job, newest first (the answer to `LoadHistory`).
    History(Vec<Job>),
    /// Upload progress of one reference.
    Upload {
        job: JobId,
        index: usize,
        sent: u64,
        total: u64,
    },
    Download {
        job: JobId,
        received: u64,
        total: Option<u64>,
        bytes_per_sec: f64,
    },
    /// Jobs waiting for a slot, in the order they will start.
    Queue(Vec<JobId>),
    Thumbnail {
        key: u64,
        result: Result<Arc<images::Thumbnail>, Localized>,
    },
    /// The poster frame of a finished job (the answer to `LoadPoster`), or why
    /// there is none: the video was moved or deleted, or cannot be decoded here.
    Poster {
        job: JobId,
        result: Result<Arc<Poster>, PosterError>,
    },
    /// Where a pasted image was saved.
    ImageStored {
        key: u64,
        result: Result<PathBuf, Localized>,
    },
    /// The reference archive's size, or why it could not be measured or
    /// cleaned up (the answer to `MeasureArchive` and `PruneArchive`).
    Archive(Result<crate::provenance::archive::Report, Localized>),
    /// Something to tell the user (e.g. a running task cannot be cancelled).
    Notice {
        job: Option<JobId>,
        message: Localized,
    },
    /// A new job (Generate or Retry) could not be written to the journal: it does not
    /// exist, nothing was sent, and no other event about it follows. For takes, one
    /// event per id: none of the set was journaled.
    NotJournaled {
        id: JobId,
        error: Localized,
    },
    /// Nothing is being done for this job until a command says so: it is final, or
    /// waits for the user, or stopped on trouble that was reported.
    Idle(JobId),
    /// The engine finished shutting down.
    Stopped,
    /// For a client of another process's engine: that process went away (its
    /// jobs are journaled; the client starts the engine itself or connects to
    /// whichever process did).
    EngineGone,
}

/// Why the engine could not start.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error("could not create the data folder {path}: {source}")]
    DataDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "another R2V Studio is already using the data folder {0}: close it, or use another --data-dir"
    )]
    Locked(PathBuf),
    #[error(transparent)]
    Store(#[from] store::StoreError),
    #[error("could not start the engine: {0}")]
    Start(String),
}

impl EngineError {
    /// What went wrong and what to do, for people (the `Display` text is for logs).
    pub fn describe(&self) -> Localized {
        match self {
            EngineError::DataDir { path, source } => loc!(
                "engine-start-data-dir",
                path = path.display().to_string(),
                error = source.to_string()
            ),
            EngineError::Locked(path) => {
                loc!("engine-start-locked", path = path.display().to_string())
            }
            EngineError::Store(e) => e.describe(),
            EngineError::Start(detail) => loc!("engine-start-failed", error = detail),
        }
    }
}

/// Where events go: a channel, plus a callback to wake the receiver.
#[derive(Clone)]
pub struct EventSink {
    tx: std::sync::mpsc::Sender<Event>,
    wake: Arc<dyn Fn() + Send + Sync>,
    /// The engine's clients in other processes hear every event too.
    tap: Option<tokio::sync::broadcast::Sender<Event>>,
}

impl EventSink {
    pub fn new(tx: std::sync::mpsc::Sender<Event>, wake: Arc<dyn Fn() + Send + Sync>) -> Self {
        EventSink {
            tx,
            wake,
            tap: None,
        }
    }

    fn with_tap(mut self, tap: tokio::sync::broadcast::Sender<Event>) -> Self {
        self.tap = Some(tap);
        self
    }

    /// Tells the clients in other processes only: the engine stops, after
    /// every event sent before this one.
    fn tell_clients_stopping(&self) {
        if let Some(tap) = &self.tap {
            let _ = tap.send(Event::EngineGone);
        }
    }

    fn emit(&self, event: Event) {
        if let Some(tap) = &self.tap
            && tap.receiver_count() > 0
        {
            let _ = tap.send(event.clone());
        }
        if self.tx.send(event).is_ok() {
            (self.wake)();
        }
    }
}

/// A handle to the running engine. Dropping it shuts the engine down.
pub struct Engine {
    tx: tokio::sync::mpsc::UnboundedSender<Command>,
    thread: Option<std::thread::JoinHandle<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl Engine {
    /// Opens the journal, takes the data folder's lock and starts the engine thread.
    pub fn start(config: EngineConfig, events: EventSink) -> Result<Engine, EngineError> {
        Engine::on_own_thread(commands::prepare(config, events)?, "r2v-engine")
    }

    /// For a window whose data folder's engine runs in another process: an
    /// engine for the window's own chores (thumbnails, posters, pasted pictures)
    /// that reads the journal but takes no lock and never runs a job (job
    /// commands go to the other process, see [`remote`]).
    pub fn start_helper(config: EngineConfig, events: EventSink) -> Result<Engine, EngineError> {
        Engine::on_own_thread(
            commands::prepare_helper(config, events)?,
            "r2v-engine-helper",
        )
    }

    fn on_own_thread(prepared: commands::Prepared, name: &str) -> Result<Engine, EngineError> {
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        let thread = std::thread::Builder::new()
            .name(name.into())
            .spawn(move || commands::run_on_own_thread(prepared, rx))
            .map_err(|e| EngineError::Start(e.to_string()))?;
        Ok(Engine {
            tx,
            thread: Some(thread),
            task: None,
        })
    }

    /// Starts the engine as a task of the current tokio runtime, with `clock`: for
    /// tests under paused time. Stop it with [`Engine::stop_task`].
    pub fn spawn_here(
        config: EngineConfig,
        events: EventSink,
        clock: Clock,
    ) -> Result<Engine, EngineError> {
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        let prepared = commands::prepare(config, events)?;
        let task = tokio::spawn(commands::serve(prepared, rx, clock));
        Ok(Engine {
            tx,
            thread: None,
            task: Some(task),
        })
    }

    /// Stops an engine started with [`Engine::spawn_here`] and waits for it.
    pub async fn stop_task(mut self) {
        let _ = self.tx.send(Command::Shutdown);
        if let Some(task) = self.task.take()
            && let Err(e) = task.await
        {
            tracing::error!("engine task: {e}");
        }
    }

    pub fn send(&self, command: Command) {
        let _ = self.tx.send(command);
    }

    /// Journals and starts a job; returns its id.
    pub fn generate(&self, spec: GenerationSpec, output_dir: Option<PathBuf>) -> JobId {
        let id = JobId::new();
        self.send(Command::Generate {
            ids: vec![id.clone()],
            spec,
            output_dir,
            allow: Allow::default(),
        });
        id
    }

    /// Journals `takes` jobs of the same setup as one set, then starts them;
    /// returns their ids in take order.
    pub fn generate_takes(
        &self,
        spec: GenerationSpec,
        output_dir: Option<PathBuf>,
        takes: usize,
    ) -> Vec<JobId> {
        let (ids, command) = Command::generate_takes(spec, output_dir, takes, Allow::default());
        self.send(command);
        ids
    }

    /// Stops: steps that are safe to interrupt stop at once (their state is
    /// journaled); a create call in flight is waited for, so its answer is recorded.
    pub fn shutdown(mut self) {
        self.stop();
    }

    fn stop(&mut self) {
        let _ = self.tx.send(Command::Shutdown);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for Engine {
    fn drop(&mut self) {
        self.stop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_are_archived_only_against_a_service_off_this_computer() {
        let links =
            |base: &str| EngineConfig::new(base, None, "/d".into(), "/o".into()).archive_links;
        assert!(links("https://dashscope.aliyuncs.com/api/v1"));
        assert!(links("https://dashscope-intl.aliyuncs.com/api/v1"));
        for local in [
            "http://127.0.0.1:9/api/v1",
            "http://localhost:8080/api/v1",
            "http://[::1]:7/api/v1",
        ] {
            assert!(!links(local), "{local}");
        }
    }
}
