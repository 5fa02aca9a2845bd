//! The engine and the simulator on one current-thread runtime whose clock is
//! paused: it moves only while everything waits, so a test takes the time its
//! work takes, not the time the service would (work on blocking threads, such
//! as decoding, holds the paused clock meanwhile). Events are collected by kind;
//! the waits fail after a given time of the engine's clock.

use r2v_studio::api::ApiKey;
use r2v_studio::core::GenerationSpec;
use r2v_studio::engine::{
    Allow, Clock, Command, Engine, EngineConfig, Event, EventSink, Job, JobId, JobState, Poster,
    PosterError,
};
use r2v_studio::provenance::archive::Report;
use r2v_studio::sim::{SimConfig, Simulator};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::Receiver;
use std::time::Duration;

pub struct Paused {
    pub sim: Simulator,
    pub engine: Option<Engine>,
    events: Receiver<Event>,
    /// The data folder is `data`, finished videos go to `out`.
    pub dir: tempfile::TempDir,
    /// The simulator's one API key, which the engine uses.
    pub key: String,
    pub jobs: HashMap<JobId, Job>,
    pub notices: Vec<String>,
    pub idle: Vec<JobId>,
    /// The ids of every Generate or Retry a spending rule refused.
    pub refused: Vec<Vec<JobId>>,
    pub archive_reports: Vec<Result<Report, String>>,
    pub posters: Vec<(JobId, Result<Arc<Poster>, PosterError>)>,
    pub clock: Clock,
    // Dropped last: the simulator and the engine run on it.
    pub rt: tokio::runtime::Runtime,
}

impl Paused {
    /// The simulator as `sim` says, and an engine on a fresh data folder as
    /// [`Paused::config`] says after `tweak`.
    pub fn start(sim: SimConfig, tweak: impl FnOnce(&mut EngineConfig)) -> Paused {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .start_paused(true)
            .build()
            .unwrap();
        let key = sim.api_key.clone();
        let sim = rt.block_on(Simulator::start(sim, 0)).unwrap();
        let clock = rt.block_on(async { Clock::following_tokio() });
        let mut h = Paused {
            sim,
            engine: None,
            events: std::sync::mpsc::channel().1,
            dir: tempfile::tempdir().unwrap(),
            key,
            jobs: HashMap::new(),
            notices: Vec::new(),
            idle: Vec::new(),
            refused: Vec::new(),
            archive_reports: Vec::new(),
            posters: Vec::new(),
            clock,
            rt,
        };
        h.start_engine(tweak);
        h
    }

    /// The engine's settings for tests: short waits everywhere.
    pub fn config(&self) -> EngineConfig {
        let mut c = EngineConfig::new(
            self.sim.base_url(),
            ApiKey::new(&self.key),
            self.data(),
            self.out(),
        );
        c.expected_generation = Some(Duration::from_secs(1));
        c.max_backoff = Duration::from_millis(400);
        c.adopt_delays = vec![Duration::ZERO, Duration::from_millis(300)];
        c.request_timeout = Duration::from_secs(5);
        c.max_poll_interval = Duration::from_millis(700);
        c
    }

    /// Starts the engine (again) on the same data folder.
    pub fn start_engine(&mut self, tweak: impl FnOnce(&mut EngineConfig)) {
        let mut config = self.config();
        tweak(&mut config);
        let (tx, rx) = std::sync::mpsc::channel();
        let sink = EventSink::new(tx, Arc::new(|| {}));
        let clock = self.clock.clone();
        let engine = self
            .rt
            .block_on(async { Engine::spawn_here(config, sink, clock) })
            .unwrap();
        self.engine = Some(engine);
        self.events = rx;
    }

    pub fn stop_engine(&mut self) {
        if let Some(engine) = self.engine.take() {
            self.rt.block_on(engine.stop_task());
        }
        self.drain();
    }

    pub fn engine(&self) -> &Engine {
        self.engine.as_ref().unwrap()
    }

    pub fn send(&self, command: Command) {
        self.engine().send(command);
    }

    pub fn generate(&self, spec: GenerationSpec) -> JobId {
        self.engine().generate(spec, None)
    }

    /// The same setup as a job under way or just finished, on purpose.
    pub fn generate_again(&self, spec: GenerationSpec) -> JobId {
        let (ids, command) = Command::generate_takes(
            spec,
            None,
            1,
            Allow {
                again: true,
                ..Allow::default()
            },
        );
        self.send(command);
        ids[0].clone()
    }

    pub fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    pub fn out(&self) -> PathBuf {
        self.dir.path().join("out")
    }

    /// Collects `event` (the waits do this; a test that reads events itself
    /// with [`Paused::next_event`] hands back those it does not look at).
    pub fn absorb(&mut self, event: Event) {
        match event {
            Event::Job(job) => {
                self.jobs.insert(job.id.clone(), *job);
            }
            Event::Notice { message, .. } => self.notices.push(message.en.clone()),
            Event::Idle(id) => self.idle.push(id),
            Event::Refused { ids, .. } => self.refused.push(ids),
            Event::Archive(report) => self.archive_reports.push(report.map_err(|e| e.en)),
            Event::Poster { job, result } => self.posters.push((job, result)),
            _ => {}
        }
    }

    pub fn drain(&mut self) {
        while let Ok(event) = self.events.try_recv() {
            self.absorb(event);
        }
    }

    /// Lets the simulator and the engine run for `d` of their (paused) time.
    pub fn run_for(&self, d: Duration) {
        self.rt.block_on(async move { tokio::time::sleep(d).await });
    }

    pub fn now(&self) -> tokio::time::Instant {
        self.rt.block_on(async { tokio::time::Instant::now() })
    }

    /// The next event, not collected, letting the engine run up to `secs` of
    /// its time for it.
    pub fn next_event(&mut self, secs: u64) -> Event {
        let deadline = self.now() + Duration::from_secs(secs);
        loop {
            if let Ok(event) = self.events.try_recv() {
                return event;
            }
            assert!(self.now() < deadline, "no event in {secs} s");
            self.run_for(Duration::from_millis(20));
        }
    }

    /// Runs until `until` holds for what was collected, failing after `secs`
    /// of the engine's time with `what`.
    pub fn run_until(&mut self, secs: u64, what: &str, until: impl Fn(&Paused) -> bool) {
        let deadline = self.now() + Duration::from_secs(secs);
        loop {
            self.drain();
            if until(self) {
                return;
            }
            assert!(self.now() < deadline, "timed out: {what}");
            self.run_for(Duration::from_millis(20));
        }
    }

    /// Waits until `id` satisfies `done`, failing after `secs` of the engine's time.
    pub fn wait(&mut self, id: &JobId, secs: u64, done: impl Fn(&Job) -> bool) -> Job {
        let deadline = self.now() + Duration::from_secs(secs);
        loop {
            self.drain();
            if let Some(job) = self.jobs.get(id)
                && done(job)
            {
                return job.clone();
            }
            assert!(
                self.now() < deadline,
                "timed out; job is {:#?}",
                self.jobs.get(id)
            );
            self.run_for(Duration::from_millis(50));
        }
    }

    /// Waits until the engine has stopped working on `id` (final, or waiting for
    /// the user): after this, nothing more happens for it by itself.
    pub fn wait_idle(&mut self, id: &JobId, secs: u64) {
        self.run_until(secs, &format!("{id} to go idle"), |h| h.idle.contains(id));
    }

    /// Waits for `state`; fails if the job ends in another final state.
    pub fn wait_state(&mut self, id: &JobId, state: JobState, secs: u64) -> Job {
        let job = self.wait(id, secs, |j| j.state == state || j.state.is_final());
        assert_eq!(
            job.state, state,
            "the job ended otherwise: {:#?}",
            job.error
        );
        job
    }
}

impl Drop for Paused {
    fn drop(&mut self) {
        self.stop_engine();
    }
}
