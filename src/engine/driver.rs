//! Runs one job: effect → step → outcome → state machine → journal, until the job
//! is final or waits for the user.
//!
//! What the user asks for (cancel, look again, submit anew) arrives as a message in
//! the driver's inbox and is handled at safe points: between effects, or by
//! interrupting an effect that is safe to interrupt (waiting for a slot, uploading,
//! waiting between queries, downloading). The create call is never interrupted: a
//! cancel asked during it waits for its answer.

use super::Event;
use super::job::{Job, JobId, JobState};
use super::machine::{Effect, Outcome};
use super::posters;
use super::schedule::backoff;
use super::shared::{Halt, Shared, lock};
use super::steps::{self, download::DownloadState, poll::PollState};
use std::sync::Arc;
use tokio::sync::{OwnedSemaphorePermit, mpsc};

/// Starts a driver for `job` unless one runs; `first` is a user's ask to act on
/// first. When one runs, the ask goes to its inbox.
pub(super) fn start(sh: &Arc<Shared>, job: Job, first: Option<Outcome>) {
    let mut drivers = lock(&sh.drivers);
    if let Some(inbox) = drivers.get(&job.id) {
        if let Some(outcome) = first {
            // The driver holds its inbox until it has removed itself from this map
            // (under the same lock), so a message sent here is always read.
            let _ = inbox.send(outcome);
        }
        return;
    }
    let (tx, rx) = mpsc::unbounded_channel();
    if let Some(outcome) = first {
        let _ = tx.send(outcome);
    }
    drivers.insert(job.id.clone(), tx);
    let sh = sh.clone();
    tokio::spawn(async move {
        let id = job.id.clone();
        run(&sh, job, rx).await;
        sh.dequeue(&id);
        sh.events.emit(Event::Idle(id));
    });
}

/// Sends a user's ask to the job's driver, starting one if none runs.
pub(super) fn ask(sh: &Arc<Shared>, id: &JobId, outcome: Outcome) {
    let sent = lock(&sh.drivers)
        .get(id)
        .is_some_and(|inbox| inbox.send(outcome.clone()).is_ok());
    if sent {
        return;
    }
    match sh.load(id) {
        Some(job) if job.state.is_final() => {}
        Some(job) => start(sh, job, Some(outcome)),
        None => sh.notice_missing(id),
    }
}

/// The things a driver holds between effects.
struct Context {
    permit: Option<OwnedSemaphorePermit>,
    poll: PollState,
    download: DownloadState,
}

enum Interrupted {
    Ask(Box<Outcome>),
    Shutdown,
}

async fn run(sh: &Arc<Shared>, mut job: Job, mut inbox: mpsc::UnboundedReceiver<Outcome>) {
    let mut cx = Context {
        permit: None,
        poll: PollState::default(),
        download: DownloadState::default(),
    };
    if drive(sh, &mut job, &mut inbox, &mut cx).await.is_err() {
        // Shutdown or journal trouble: nothing more is done for this job now.
        lock(&sh.drivers).remove(&job.id);
    }
}

/// Leaves the map of running drivers, unless an ask arrived meanwhile (checked
/// under the map's lock, so that no ask is ever lost).
fn retire(
    sh: &Shared,
    id: &JobId,
    inbox: &mut mpsc::UnboundedReceiver<Outcome>,
) -> Option<Outcome> {
    let mut drivers = lock(&sh.drivers);
    match inbox.try_recv() {
        Ok(ask) => Some(ask),
        Err(_) => {
            drivers.remove(id);
            None
        }
    }
}

async fn drive(
    sh: &Arc<Shared>,
    job: &mut Job,
    inbox: &mut mpsc::UnboundedReceiver<Outcome>,
    cx: &mut Context,
) -> Result<(), Halt> {
    let mut shutdown = sh.shutdown.clone();
    let mut effect = sh.apply(job, Outcome::Resumed)?;
    loop {
        // Safe point: what the user asked for meanwhile.
        while let Ok(ask) = inbox.try_recv() {
            effect = sh.apply_user(job, ask, effect)?;
        }
        if sh.is_shutting_down() {
            return Err(Halt);
        }
        if matches!(effect, Effect::Stop | Effect::WaitForUser) {
            match retire(sh, &job.id, inbox) {
                Some(ask) => {
                    effect = sh.apply_user(job, ask, effect)?;
                    continue;
                }
                None => return Ok(()),
            }
        }
        if !holds_slot(&effect) {
            cx.permit = None;
        }
        if effect == Effect::Create {
            // Never interrupted: its answer is always journaled.
            let outcome = steps::submit::create(sh, job).await;
            effect = sh.apply(job, outcome)?;
            continue;
        }
        let result = {
            let step = run_effect(sh, job, &effect, cx);
            tokio::select! {
                biased;
                ask = inbox.recv() => Err(ask.map_or(Interrupted::Shutdown, |a| Interrupted::Ask(Box::new(a)))),
                _ = shutdown.wait_for(|stop| *stop) => Err(Interrupted::Shutdown),
                outcome = step => outcome.map_err(|Halt| Interrupted::Shutdown),
            }
        };
        match result {
            Ok(Some(outcome)) => {
                let was_done = job.state == JobState::Done;
                effect = sh.apply(job, outcome)?;
                if !was_done && job.state == JobState::Done {
                    // The download has just finished: the poster is made now, so
                    // that the list (and a later session) need not wait for it.
                    // Begun before the driver retires, so a shutdown waits for it.
                    posters::after_download(sh, job);
                }
            }
            // Nothing can be done without a key: wait for the user (the job keeps
            // its state and continues once a key is set).
            Ok(None) => match retire(sh, &job.id, inbox) {
                Some(ask) => effect = sh.apply_user(job, ask, effect)?,
                None => return Ok(()),
            },
            Err(Interrupted::Ask(ask)) => effect = sh.apply_user(job, *ask, effect)?,
            Err(Interrupted::Shutdown) => return Err(Halt),
        }
    }
}

/// The effects that count against the account's running tasks of the series.
fn holds_slot(effect: &Effect) -> bool {
    matches!(
        effect,
        Effect::Upload | Effect::Create | Effect::Adopt | Effect::Poll | Effect::CancelOnService
    )
}

/// Runs one interruptible effect. `Ok(None)`: it needs the service and there is
/// no key.
async fn run_effect(
    sh: &Arc<Shared>,
    job: &mut Job,
    effect: &Effect,
    cx: &mut Context,
) -> Result<Option<Outcome>, Halt> {
    if let Effect::WaitForSlot { pause_attempt } = effect {
        cx.permit = None;
        if let Some(attempt) = pause_attempt {
            sh.clock
                .sleep(backoff(*attempt, sh.config.max_backoff))
                .await;
        }
        cx.permit = sh.slot(job).await;
        return Ok(Some(Outcome::SlotFree));
    }
    let Some(client) = sh.client.clone() else {
        return Ok(steps::without_key(effect));
    };
    Ok(Some(match effect {
        Effect::Upload => {
            if cx.permit.is_none() {
                cx.permit = sh.slot(job).await;
            }
            steps::upload::run(sh, &client, job).await
        }
        Effect::Adopt => steps::adopt::run(sh, &client, job).await,
        Effect::Poll => {
            if cx.permit.is_none() {
                cx.permit = sh.free_slot(job);
            }
            steps::poll::run(sh, &client, job, &mut cx.poll).await?
        }
        Effect::CancelOnService => steps::cancel::run(sh, &client, job).await,
        Effect::Download => steps::download::run(sh, &client, job, &mut cx.download).await?,
        Effect::DownloadAfterPause => {
            cx.download.failures += 1;
            sh.clock
                .sleep(backoff(cx.download.failures, sh.config.max_backoff))
                .await;
            steps::download::run(sh, &client, job, &mut cx.download).await?
        }
        Effect::WaitForSlot { .. } | Effect::Create | Effect::WaitForUser | Effect::Stop => {
            return Ok(None);
        }
    }))
}
