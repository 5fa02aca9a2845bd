//! A simulator of the Model Studio endpoints the app uses, for the demo and tests.
//!
//! Same paths, headers, validation and error bodies as the service (see
//! `PRODUCT.md`), an upload host that checks the policy, a task clock, account
//! limits, and faults on demand. It binds 127.0.0.1 only.

mod routes;
pub mod validate;

use crate::core::Model;
use bytes::Bytes;
use std::collections::{HashMap, VecDeque};
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tokio::time::Instant;

/// The sample video served for every task.
pub static DEMO_VIDEO: &[u8] = include_bytes!("../../assets/demo.mp4");

/// The key the simulator accepts unless told otherwise.
pub const DEFAULT_SIM_KEY: &str = "sk-demo";

/// How the simulated service behaves.
#[derive(Debug, Clone)]
pub struct SimConfig {
    /// The only key accepted; anything else gets 401 `InvalidApiKey`.
    pub api_key: String,
    /// From create to SUCCEEDED.
    pub task_duration: Duration,
    /// The first part of `task_duration`, spent PENDING.
    pub pending_duration: Duration,
    /// After this, a task id answers UNKNOWN.
    pub task_ttl: Duration,
    /// Each video link works this long after the query that gave it.
    pub link_ttl: Duration,
    /// An `oss://` upload is usable this long.
    pub upload_ttl: Duration,
    /// An upload policy is usable this long.
    pub policy_ttl: Duration,
    /// Tasks whose prompt contains one of these fail moderation.
    pub moderation_words: Vec<String>,
    /// Share of tasks that fail with `InternalError`.
    pub fail_rate: f64,
    /// Share of task queries answered 500 or 503.
    pub query_error_rate: f64,
    /// Share of API calls whose connection drops before the answer (after the work).
    pub drop_rate: f64,
    /// Share of downloads cut halfway.
    pub cut_download_rate: f64,
    /// Pace downloads at this many bytes per second.
    pub download_bytes_per_sec: Option<u64>,
    /// Unfinished tasks allowed per model series.
    pub running_limit: usize,
    /// Creates allowed per second per model series.
    pub submissions_per_second: usize,
    /// Task queries (and lists) allowed per second.
    pub queries_per_second: usize,
    /// How long a `Hang` fault keeps a request waiting.
    pub hang: Duration,
    /// Seed for every random choice.
    pub seed: u64,
    /// The video served for every task.
    pub video: Bytes,
}

impl Default for SimConfig {
    fn default() -> Self {
        use crate::core::capabilities as caps;
        SimConfig {
            api_key: DEFAULT_SIM_KEY.to_string(),
            task_duration: Duration::from_secs(20),
            pending_duration: Duration::from_secs(4),
            task_ttl: Duration::from_secs(caps::TASK_LIFETIME_SECS),
            link_ttl: Duration::from_secs(caps::VIDEO_URL_LIFETIME_SECS),
            upload_ttl: Duration::from_secs(caps::UPLOAD_LIFETIME_SECS),
            policy_ttl: Duration::from_secs(300),
            moderation_words: vec!["违禁".to_string(), "forbidden".to_string()],
            fail_rate: 0.0,
            query_error_rate: 0.0,
            drop_rate: 0.0,
            cut_download_rate: 0.0,
            download_bytes_per_sec: None,
            running_limit: caps::RUNNING_TASKS_PER_SERIES,
            submissions_per_second: caps::SUBMISSIONS_PER_SECOND_PER_SERIES,
            queries_per_second: caps::TASK_QUERIES_PER_SECOND as usize,
            hang: Duration::from_secs(3600),
            seed: 0x5eed,
            video: Bytes::from_static(DEMO_VIDEO),
        }
    }
}

impl SimConfig {
    /// Tasks finish after `total`, a fifth of it PENDING.
    pub fn with_task_duration(mut self, total: Duration) -> Self {
        self.task_duration = total;
        self.pending_duration = total / 5;
        self
    }
}

/// The endpoints a scripted fault can target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    Create,
    Query,
    Cancel,
    List,
    Policy,
    Upload,
    Download,
}

/// A fault to inject into the next request on a route.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// Answer with this status and error body (empty code: no body at all).
    Status {
        status: u16,
        code: String,
        message: String,
    },
    /// Do the work, then drop the connection before the answer's body.
    Drop,
    /// Do the work, then answer only after [`SimConfig::hang`].
    Hang,
    /// Do the work, then answer with JSON cut in the middle.
    Truncate,
    /// Downloads: send half the bytes, then drop the connection.
    Cut,
    /// Answer with a proxy's HTML error page and this status (e.g. 502).
    Html(u16),
    /// Do the work, then answer with the right fields holding the wrong types.
    WrongTypes,
    /// Answer 200 with a JSON-looking body of this many bytes.
    Huge(usize),
    /// Queries: a finished task whose `video_url` is this (e.g. not http).
    VideoUrl(String),
    /// Downloads: redirect to the same address, for ever.
    RedirectLoop,
}

impl Fault {
    pub fn status(status: u16, code: &str) -> Fault {
        Fault::Status {
            status,
            code: code.to_string(),
            message: format!("simulated {code}"),
        }
    }
}

/// How many requests of each kind arrived (for tests).
#[derive(Debug, Default)]
struct Counters {
    create_requests: AtomicU64,
    tasks_created: AtomicU64,
    queries: AtomicU64,
    queries_throttled: AtomicU64,
    cancels: AtomicU64,
    lists: AtomicU64,
    policies: AtomicU64,
    uploads: AtomicU64,
    downloads: AtomicU64,
    bytes_served: AtomicU64,
}

/// A snapshot of the counters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Counts {
    pub create_requests: u64,
    /// Creates that made a task (the ones that would be billed).
    pub tasks_created: u64,
    pub queries: u64,
    pub queries_throttled: u64,
    pub cancels: u64,
    pub lists: u64,
    pub policies: u64,
    pub uploads: u64,
    pub downloads: u64,
    pub bytes_served: u64,
    /// The most task queries + lists answered within any one second.
    pub peak_queries_per_second: u64,
}

/// How a task will end.
#[derive(Debug, Clone)]
enum Outcome {
    Succeed,
    Fail { code: String, message: String },
}

#[derive(Debug, Clone)]
struct Task {
    id: String,
    model: Model,
    created: Instant,
    created_wall: time::OffsetDateTime,
    prompt: String,
    size: String,
    duration: u32,
    audio: bool,
    outcome: Outcome,
    canceled_at: Option<Instant>,
    request_id: String,
}

#[derive(Debug, Clone)]
struct Upload {
    model: Model,
    stored: Instant,
    size: usize,
}

#[derive(Debug, Clone)]
struct PolicyGrant {
    model: Model,
    upload_dir: String,
    expires: Instant,
    max_bytes: usize,
}

#[derive(Debug, Clone)]
struct Link {
    task_id: String,
    expires: Instant,
}

#[derive(Debug)]
struct Inner {
    tasks: HashMap<String, Task>,
    uploads: HashMap<String, Upload>,
    policies: HashMap<String, PolicyGrant>,
    links: HashMap<String, Link>,
    /// Answered queries in the last second.
    recent_queries: VecDeque<Instant>,
    peak_queries: u64,
    /// Creates per series in the last second.
    recent_creates: HashMap<&'static str, VecDeque<Instant>>,
    rng: fastrand::Rng,
    script: VecDeque<(Route, Fault)>,
    /// Added to the real clock by [`Simulator::advance`].
    offset: Duration,
}

struct Shared {
    config: SimConfig,
    port: u16,
    started: Instant,
    started_wall: time::OffsetDateTime,
    inner: Mutex<Inner>,
    counters: Counters,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic in a handler cannot leave the maps half-updated in a way that
        // matters to a simulator: keep serving.
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn now(&self, inner: &Inner) -> Instant {
        Instant::now() + inner.offset
    }

    fn wall(&self, at: Instant) -> time::OffsetDateTime {
        let offset =
            time::UtcOffset::from_hms(crate::core::capabilities::SERVICE_UTC_OFFSET_HOURS, 0, 0)
                .unwrap_or(time::UtcOffset::UTC);
        (self.started_wall + at.saturating_duration_since(self.started)).to_offset(offset)
    }

    fn origin(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn count(&self, counter: fn(&Counters) -> &AtomicU64) {
        counter(&self.counters).fetch_add(1, Ordering::Relaxed);
    }

    /// The next scripted fault for `route`, else a random one from the rates.
    fn fault(&self, route: Route) -> Option<Fault> {
        let mut inner = self.lock();
        if let Some(pos) = inner.script.iter().position(|(r, _)| *r == route) {
            return inner.script.remove(pos).map(|(_, f)| f);
        }
        let c = &self.config;
        let roll = inner.rng.f64();
        match route {
            Route::Query if roll < c.query_error_rate => Some(if inner.rng.bool() {
                Fault::status(500, "InternalError")
            } else {
                Fault::status(503, "ModelUnavailable")
            }),
            Route::Download if roll < c.cut_download_rate => Some(Fault::Cut),
            Route::Create | Route::Query | Route::Cancel | Route::List
                if inner.rng.f64() < c.drop_rate =>
            {
                Some(Fault::Drop)
            }
            _ => None,
        }
    }
}

/// A running simulator. Dropping it stops the server.
pub struct Simulator {
    shared: Arc<Shared>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<()>>,
}

impl Simulator {
    /// Starts on 127.0.0.1:`port` (0 picks a free port) on the current tokio runtime.
    pub async fn start(config: SimConfig, port: u16) -> std::io::Result<Simulator> {
        let listener =
            tokio::net::TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, port))).await?;
        let port = listener.local_addr()?.port();
        let rng = fastrand::Rng::with_seed(config.seed);
        let shared = Arc::new(Shared {
            config,
            port,
            started: Instant::now(),
            started_wall: time::OffsetDateTime::now_utc(),
            inner: Mutex::new(Inner {
                tasks: HashMap::new(),
                uploads: HashMap::new(),
                policies: HashMap::new(),
                links: HashMap::new(),
                recent_queries: VecDeque::new(),
                peak_queries: 0,
                recent_creates: HashMap::new(),
                rng,
                script: VecDeque::new(),
                offset: Duration::ZERO,
            }),
            counters: Counters::default(),
        });
        let app = routes::router(shared.clone());
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(async move {
            let serve = axum::serve(listener, app).with_graceful_shutdown(async {
                let _ = rx.await;
            });
            if let Err(e) = serve.await {
                tracing::error!("simulator stopped: {e}");
            }
        });
        tracing::info!(port, "simulator listening");
        Ok(Simulator {
            shared,
            shutdown: Some(tx),
            server: Some(server),
        })
    }

    pub fn port(&self) -> u16 {
        self.shared.port
    }

    /// The base URL to give the client: `http://127.0.0.1:PORT/api/v1`.
    pub fn base_url(&self) -> String {
        format!("{}/api/v1", self.shared.origin())
    }

    pub fn config(&self) -> &SimConfig {
        &self.shared.config
    }

    pub fn counts(&self) -> Counts {
        let c = &self.shared.counters;
        let get = |a: &AtomicU64| a.load(Ordering::Relaxed);
        Counts {
            create_requests: get(&c.create_requests),
            tasks_created: get(&c.tasks_created),
            queries: get(&c.queries),
            queries_throttled: get(&c.queries_throttled),
            cancels: get(&c.cancels),
            lists: get(&c.lists),
            policies: get(&c.policies),
            uploads: get(&c.uploads),
            downloads: get(&c.downloads),
            bytes_served: get(&c.bytes_served),
            peak_queries_per_second: self.shared.lock().peak_queries,
        }
    }

    /// Makes the next request on `route` fail with `fault` (queued in order).
    pub fn inject(&self, route: Route, fault: Fault) {
        self.shared.lock().script.push_back((route, fault));
    }

    /// Moves the simulator's clock forward: tasks progress, links and ids expire.
    pub fn advance(&self, by: Duration) {
        self.shared.lock().offset += by;
    }

    /// Ids of every task created so far, oldest first.
    pub fn task_ids(&self) -> Vec<String> {
        let inner = self.shared.lock();
        let mut tasks: Vec<&Task> = inner.tasks.values().collect();
        tasks.sort_by_key(|t| t.created);
        tasks.into_iter().map(|t| t.id.clone()).collect()
    }

    /// The stored size of an uploaded `oss://` key, if it exists.
    pub fn uploaded_size(&self, oss_url: &str) -> Option<usize> {
        let key = oss_url.strip_prefix("oss://")?;
        self.shared.lock().uploads.get(key).map(|u| u.size)
    }

    /// Stops the server and waits for it (open connections are closed).
    pub async fn stop(mut self) {
        self.stop_inner().await;
    }

    async fn stop_inner(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(server) = self.server.take() {
            // Graceful shutdown waits for open connections; a hung request must not
            // keep the caller waiting forever.
            let abort = server.abort_handle();
            if tokio::time::timeout(Duration::from_secs(2), server)
                .await
                .is_err()
            {
                abort.abort();
            }
        }
    }
}

impl Drop for Simulator {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(server) = self.server.take() {
            server.abort();
        }
    }
}
