//! What every part of the engine thread shares: the journal, the client, the clock,
//! the query limiter, the slots of each model series, and the running drivers.

use super::clock::Clock;
use super::job::{Job, JobId};
use super::machine::{self, Effect, Outcome};
use super::schedule::Limiter;
use super::store::{Store, StoreError};
use super::{EngineConfig, Event, EventSink};
use crate::api::Client;
use crate::core::Localized;
use crate::loc;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, mpsc, watch};

pub(super) struct Shared {
    pub config: EngineConfig,
    pub clock: Clock,
    /// Whose uploads these are: a one-way fingerprint of base URL and key (never
    /// the key itself), so that a cache entry is only reused where it exists.
    pub scope: String,
    pub client: Option<Client>,
    pub store: Mutex<Store>,
    pub limiter: Limiter,
    pub slots: HashMap<&'static str, Arc<Semaphore>>,
    pub events: EventSink,
    /// The inbox of each job's driver, while one runs.
    pub drivers: Mutex<HashMap<JobId, mpsc::UnboundedSender<Outcome>>>,
    pub queue: Mutex<Vec<JobId>>,
    /// Becomes true when the engine shuts down.
    pub shutdown: watch::Receiver<bool>,
    /// For previews of image URLs (not the service's client).
    pub http: reqwest::Client,
    /// Held while a Generate is checked and journaled (one at a time).
    pub admission: tokio::sync::Mutex<()>,
}

/// The driver stops without changing the job's state (journal trouble, shutdown,
/// an outcome that did not apply).
#[derive(Debug)]
pub(super) struct Halt;

pub(super) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Shared {
    pub fn now_ms(&self) -> i64 {
        self.clock.now_ms()
    }

    /// Feeds a step's outcome to the state machine and journals the result. An
    /// outcome that does not apply is a bug of the step: the driver stops.
    pub fn apply(&self, job: &mut Job, outcome: Outcome) -> Result<Effect, Halt> {
        match self.feed(job, outcome)? {
            Ok(effect) => Ok(effect),
            Err(refused) => {
                tracing::error!(job = %job.id, "{refused}");
                Err(Halt)
            }
        }
    }

    /// Feeds what the user asked for; an ask that does not apply now changes nothing
    /// and the current effect goes on.
    pub fn apply_user(
        &self,
        job: &mut Job,
        outcome: Outcome,
        current: Effect,
    ) -> Result<Effect, Halt> {
        match self.feed(job, outcome)? {
            Ok(effect) => Ok(effect),
            Err(refused) => {
                tracing::info!(job = %job.id, "{refused}");
                Ok(current)
            }
        }
    }

    /// The machine's answer, with the job journaled if it changed and any notice sent.
    fn feed(
        &self,
        job: &mut Job,
        outcome: Outcome,
    ) -> Result<Result<Effect, machine::Refused>, Halt> {
        let before = job.clone();
        let next = match machine::apply(job, outcome, self.now_ms()) {
            Ok(next) => next,
            Err(refused) => return Ok(Err(refused)),
        };
        if *job != before {
            self.save(job)?;
            // Spend changes when a job ends (billed, or not after all).
            if job.state != before.state && job.state.is_final() {
                super::spending::report(self);
            }
        }
        if let Some(notice) = next.notice {
            self.notice(Some(job.id.clone()), notice);
        }
        Ok(Ok(next.effect))
    }

    /// Journals the job and tells the listeners.
    pub fn save(&self, job: &Job) -> Result<(), Halt> {
        let result = lock(&self.store).save(job, self.now_ms());
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

    pub fn load(&self, id: &JobId) -> Option<Job> {
        let result = lock(&self.store).get(id);
        result.unwrap_or_else(|e| {
            self.journal_trouble(&e);
            None
        })
    }

    pub fn journal_trouble(&self, e: &StoreError) {
        tracing::error!("journal: {e}");
        self.notice(
            None,
            loc!("engine-notice-journal-failed", error = e.describe()),
        );
    }

    pub fn notice(&self, job: Option<JobId>, message: Localized) {
        self.events.emit(Event::Notice { job, message });
    }

    pub fn notice_missing(&self, id: &JobId) {
        self.notice(
            Some(id.clone()),
            loc!("engine-notice-no-such-job", id = id.to_string()),
        );
    }

    pub fn is_running(&self, id: &JobId) -> bool {
        lock(&self.drivers).contains_key(id)
    }

    pub fn is_shutting_down(&self) -> bool {
        *self.shutdown.borrow()
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

    pub fn dequeue(&self, id: &JobId) {
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

    /// Waits for a slot of the job's model series, shown in the queue meanwhile.
    pub async fn slot(&self, job: &Job) -> Option<OwnedSemaphorePermit> {
        let semaphore = self.slots.get(job.spec.model.info().series)?.clone();
        self.enqueue(&job.id);
        let permit = semaphore.acquire_owned().await.ok();
        self.dequeue(&job.id);
        permit
    }

    /// A slot if one is free now (a task resumed after a restart counts against
    /// its series without waiting behind queued jobs).
    pub fn free_slot(&self, job: &Job) -> Option<OwnedSemaphorePermit> {
        let semaphore = self.slots.get(job.spec.model.info().series)?.clone();
        semaphore.try_acquire_owned().ok()
    }
}
