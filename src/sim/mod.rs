//! A simulator of the Model Studio endpoints the app uses, for the demo and tests.
//!
//! Same paths, headers, validation and error bodies as the service (see
//! `PRODUCT.md`), an upload host that checks the policy, a task clock, account
//! limits, and faults on demand ([`faults`]: scripted with [`Simulator::inject`],
//! standing ones in [`SimConfig`], every hit counted in
//! [`Simulator::fault_hits`]). It binds 127.0.0.1 only.
//!
//! It is the oracle the client is tested against, so it imports nothing of the
//! client's: its facts about the service live in [`service`].
//!
//! Its clock is tokio's (`tokio::time::Instant`), so it runs under paused time
//! (`#[tokio::test(start_paused = true)]`, current-thread runtime included): a
//! 3-hour task finishes in a fraction of a second of wall time.

pub mod faults;
mod routes;
pub mod service;
pub mod validate;

pub use faults::{Fault, FaultKind, ForeignTask, Route};

use bytes::Bytes;
use faults::FaultHits;
use service::ServiceModel;
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
    /// How far the service's clock is ahead of this machine's (negative:
    /// behind). Shifts every time the service gives: the `Date` header sent on
    /// every answer, `submit_time` / `scheduled_time` / `end_time`, the list's
    /// `gmt_create` and its `start_time` / `end_time` filters. A PC clock that is
    /// 8 s fast is `-8 s`; one that is 90 s slow is `+90 s`. Each answer sent
    /// with a non-zero offset counts as a [`FaultKind::ClockOffset`] hit.
    pub clock_offset: time::Duration,
    /// Someone else's tasks on the same account: one is created beside each
    /// create that makes a task (same model, its own prompt, size, duration and
    /// creation time), in order, until the list is used up. They are listed and
    /// can be queried like any task, but are not counted in
    /// [`Counts::tasks_created`] nor returned by [`Simulator::task_ids`]
    /// (see [`Simulator::foreign_task_ids`]). Hits: [`FaultKind::ForeignTask`].
    pub foreign_tasks: Vec<ForeignTask>,
    /// Every 401 answer echoes the key it was given in its message, as some
    /// gateways do. Hits: [`FaultKind::KeyInMessage`].
    pub echo_key_in_401: bool,
    /// The list endpoint gives each task's `orig_prompt`, `size` and `duration`
    /// too. Whether the real service does is not documented (`PRODUCT.md` lists
    /// only the query answer's `orig_prompt` and `usage`), so a client must read
    /// them as optional; turn this off to test that.
    pub list_task_details: bool,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            api_key: DEFAULT_SIM_KEY.to_string(),
            task_duration: Duration::from_secs(20),
            pending_duration: Duration::from_secs(4),
            task_ttl: service::TASK_TTL,
            link_ttl: service::LINK_TTL,
            upload_ttl: service::UPLOAD_TTL,
            policy_ttl: Duration::from_secs(300),
            moderation_words: vec!["违禁".to_string(), "forbidden".to_string()],
            fail_rate: 0.0,
            query_error_rate: 0.0,
            drop_rate: 0.0,
            cut_download_rate: 0.0,
            download_bytes_per_sec: None,
            running_limit: service::RUNNING_PER_SERIES,
            submissions_per_second: service::SUBMISSIONS_PER_SECOND,
            queries_per_second: service::QUERIES_PER_SECOND,
            hang: Duration::from_secs(3600),
            seed: 0x5eed,
            video: Bytes::from_static(DEMO_VIDEO),
            clock_offset: time::Duration::ZERO,
            foreign_tasks: Vec::new(),
            echo_key_in_401: false,
            list_task_details: true,
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
    model: &'static ServiceModel,
    /// Created by "someone else" ([`SimConfig::foreign_tasks`]).
    foreign: bool,
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
    model: &'static ServiceModel,
    stored: Instant,
    size: usize,
}

#[derive(Debug, Clone)]
struct PolicyGrant {
    model: &'static ServiceModel,
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
    /// What is left of [`SimConfig::foreign_tasks`].
    foreign: VecDeque<ForeignTask>,
}

struct Shared {
    config: SimConfig,
    port: u16,
    started: Instant,
    started_wall: time::OffsetDateTime,
    inner: Mutex<Inner>,
    counters: Counters,
    hits: FaultHits,
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

    /// The service's wall clock at `at`: the machine's, shifted by
    /// [`SimConfig::clock_offset`], in Beijing time.
    fn wall(&self, at: Instant) -> time::OffsetDateTime {
        let zone = time::UtcOffset::from_hms(service::UTC_OFFSET_HOURS, 0, 0)
            .unwrap_or(time::UtcOffset::UTC);
        // `at` may lie before the start (a foreign task created "earlier").
        let since = match at.checked_duration_since(self.started) {
            Some(after) => time::Duration::try_from(after).unwrap_or(time::Duration::MAX),
            None => -time::Duration::try_from(self.started.duration_since(at))
                .unwrap_or(time::Duration::MAX),
        };
        (self.started_wall + since + self.config.clock_offset).to_offset(zone)
    }

    fn hit(&self, kind: FaultKind) {
        self.hits.hit(kind);
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
        let foreign = config.foreign_tasks.iter().cloned().collect();
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
                foreign,
            }),
            counters: Counters::default(),
            hits: FaultHits::default(),
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

    /// How many times faults of this kind changed an answer so far.
    pub fn fault_hits(&self, kind: FaultKind) -> u64 {
        self.shared.hits.get(kind)
    }

    /// Scripted faults queued by [`Simulator::inject`] that no request took yet.
    pub fn pending_faults(&self) -> usize {
        self.shared.lock().script.len()
    }

    /// The service's clock now (Beijing time, shifted by
    /// [`SimConfig::clock_offset`], moved by [`Simulator::advance`]).
    pub fn service_now(&self) -> time::OffsetDateTime {
        let inner = self.shared.lock();
        self.shared.wall(self.shared.now(&inner))
    }

    /// Moves the simulator's clock forward: tasks progress, links and ids expire.
    pub fn advance(&self, by: Duration) {
        self.shared.lock().offset += by;
    }

    /// Ids of every task created through the API so far, oldest first.
    pub fn task_ids(&self) -> Vec<String> {
        self.ids_where(false)
    }

    /// Ids of the tasks placed by [`SimConfig::foreign_tasks`], oldest first.
    pub fn foreign_task_ids(&self) -> Vec<String> {
        self.ids_where(true)
    }

    fn ids_where(&self, foreign: bool) -> Vec<String> {
        let inner = self.shared.lock();
        let mut tasks: Vec<&Task> = inner
            .tasks
            .values()
            .filter(|t| t.foreign == foreign)
            .collect();
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
