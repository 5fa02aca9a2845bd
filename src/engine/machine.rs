//! The job state machine: every change of a job's state, as data.
//!
//! A step (upload, create, adopt, poll, download, cancel) performs one effect and
//! reports what happened as an [`Outcome`]. [`apply`] turns (job, outcome) into the
//! job's new state and the [`Effect`] to run next. No I/O, no clock of its own (the
//! time is an argument), no async: every transition is unit-tested below, and this
//! is the only code that writes `job.state`.
//!
//! ```text
//! Queued → Uploading → Submitting → Pending → Running → Succeeded → Downloading → Done
//!                          │           │          │          │
//!                          ▼           ▼          ▼          ▼
//!                    SubmitUnknown  Canceled    Failed    Expired
//! ```
//!
//! The rules that keep money safe live here:
//! - a job that may have a task (Submitting, SubmitUnknown, or any state with a task
//!   id) is never sent to create again, except by the user (`SubmitAnew`);
//! - a final state is final;
//! - a task id that came from the service's own answer is never replaced or dropped.

use super::job::{Job, JobError, JobState};
use crate::api::CreateTaskRequest;
use crate::core::Localized;
use crate::loc;
use std::path::PathBuf;

/// What a step found out, or what the user asked for.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// The driver (re)starts the job from its journaled state.
    Resumed,
    /// A slot of the job's model series is free.
    SlotFree,
    /// Every reference has a URL: this is the exact body to send.
    Uploaded { request: CreateTaskRequest },
    /// Something local stops the job before anything was sent (unreadable file,
    /// unusable image, no key, a spec that no longer makes a request).
    Unsendable(JobError),
    /// The service answered the create with a task id.
    Created { task_id: String, request_id: String },
    /// The service refused the create with its own error body: nothing was created.
    Refused { error: JobError, again: Again },
    /// The create may or may not have made a task (timeout, cut connection, a
    /// gateway page instead of the service's answer, an unusable task id).
    Unclear {
        warning: Localized,
        request_id: Option<String>,
    },
    /// The task list holds exactly one task that fits this job.
    Adopted { task_id: String, confirmed: bool },
    /// The task list did not (yet) show this job's task, or showed several.
    NotAdopted { why: Localized },
    /// A query answered with the task's status.
    Status(Status),
    /// A query failed; polling goes on. `Some` warning once it is worth showing.
    QueryTrouble { warning: Option<Localized> },
    /// An adopted task turned out to be someone else's (prompt, size or length).
    Mismatch { why: Localized },
    /// The download is about to start into this final path.
    DownloadStarting { path: PathBuf },
    /// A fresh video link from the service.
    LinkRefreshed { url: String, expires_ms: i64 },
    /// The service says the task (and its video) is gone.
    VideoGone,
    /// The download did not finish; it is tried again (`Some`: show this).
    DownloadTrouble { warning: Option<Localized> },
    /// The output folder cannot take the video (full, read-only, …): shown at once,
    /// tried again after a pause. The video is still on the service.
    OutputTrouble(JobError),
    /// The download cannot succeed (the service keeps giving unusable links).
    DownloadFailed(JobError),
    /// The MP4 is complete under its final name; `sidecar` is where its details
    /// went, or why they could not be written.
    Downloaded {
        bytes: u64,
        sidecar: Result<PathBuf, Localized>,
    },
    /// The user asked to cancel.
    CancelAsked,
    /// The answer to the service-side cancel.
    ServiceCancel(CancelAnswer),
    /// The user chose "Look again" for an unconfirmed submission.
    LookAgain,
    /// The user chose "Submit anew" (may be billed twice, and was told so).
    SubmitAnew,
}

/// Whether a refused create is tried again.
#[derive(Debug, Clone, PartialEq)]
pub enum Again {
    /// A definite, final refusal.
    No,
    /// Throttled or a passing server error: wait, then queue again.
    AfterPause(Localized),
    /// The service lost an upload we reused: upload again (once).
    AfterUploadingAgain,
}

/// A task's status, as the poll step read it.
#[derive(Debug, Clone, PartialEq)]
pub enum Status {
    Pending,
    Running,
    Succeeded(Box<Finished>),
    Failed(Box<JobError>),
    Canceled,
    /// UNKNOWN: `gone` once the step is sure the task is gone (it was seen alive
    /// before, or the answer repeats); otherwise polling goes on.
    Unknown {
        gone: bool,
    },
}

/// What a SUCCEEDED answer carries.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Finished {
    pub video_url: Option<String>,
    pub video_url_expires_ms: Option<i64>,
    pub end_time: Option<String>,
    pub billed_seconds: Option<f64>,
    pub usage: Option<serde_json::Value>,
    pub request_id: String,
}

/// The service's answer to a cancel.
#[derive(Debug, Clone, PartialEq)]
pub enum CancelAnswer {
    Done,
    /// The task already runs: it finishes and is billed.
    TooLate,
    Failed(Localized),
}

/// What the driver does next.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Wait for a slot of the model series; `pause_attempt` asks for a backoff pause
    /// first (after a throttled or failed create).
    WaitForSlot {
        pause_attempt: Option<u32>,
    },
    Upload,
    /// The create call. Never interrupted; its answer is always journaled.
    Create,
    /// Look through the task list for the task an unclear create may have made.
    Adopt,
    /// Query the task (after the schedule's pause).
    Poll,
    CancelOnService,
    Download,
    /// Download again after a pause (output trouble).
    DownloadAfterPause,
    /// Nothing until the user acts (a submission to confirm).
    WaitForUser,
    /// The job is final.
    Stop,
}

/// The result of applying an outcome: what to do next, and something to tell the
/// user, if any.
#[derive(Debug, Clone, PartialEq)]
pub struct Next {
    pub effect: Effect,
    pub notice: Option<Localized>,
}

impl Next {
    fn to(effect: Effect) -> Next {
        Next {
            effect,
            notice: None,
        }
    }

    fn telling(effect: Effect, notice: Localized) -> Next {
        Next {
            effect,
            notice: Some(notice),
        }
    }
}

/// An outcome that does not apply to the job's state: the job is unchanged.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("outcome {outcome} does not apply to a {state:?} job")]
pub struct Refused {
    pub state: JobState,
    pub outcome: &'static str,
}

impl Outcome {
    /// The outcome's name, for logs and [`Refused`].
    pub fn name(&self) -> &'static str {
        match self {
            Outcome::Resumed => "Resumed",
            Outcome::SlotFree => "SlotFree",
            Outcome::Uploaded { .. } => "Uploaded",
            Outcome::Unsendable(_) => "Unsendable",
            Outcome::Created { .. } => "Created",
            Outcome::Refused { .. } => "Refused",
            Outcome::Unclear { .. } => "Unclear",
            Outcome::Adopted { .. } => "Adopted",
            Outcome::NotAdopted { .. } => "NotAdopted",
            Outcome::Status(_) => "Status",
            Outcome::QueryTrouble { .. } => "QueryTrouble",
            Outcome::Mismatch { .. } => "Mismatch",
            Outcome::DownloadStarting { .. } => "DownloadStarting",
            Outcome::LinkRefreshed { .. } => "LinkRefreshed",
            Outcome::VideoGone => "VideoGone",
            Outcome::DownloadTrouble { .. } => "DownloadTrouble",
            Outcome::OutputTrouble(_) => "OutputTrouble",
            Outcome::DownloadFailed(_) => "DownloadFailed",
            Outcome::Downloaded { .. } => "Downloaded",
            Outcome::CancelAsked => "CancelAsked",
            Outcome::ServiceCancel(_) => "ServiceCancel",
            Outcome::LookAgain => "LookAgain",
            Outcome::SubmitAnew => "SubmitAnew",
        }
    }
}

/// The effect that continues a job as journaled, without changing it.
pub fn resume_effect(job: &Job) -> Effect {
    use JobState::*;
    match job.state {
        Queued | Uploading => Effect::WaitForSlot {
            pause_attempt: None,
        },
        // Only reached through `apply(Resumed)`, which first makes it SubmitUnknown.
        Submitting | SubmitUnknown => Effect::Adopt,
        Pending if job.cancel_requested => Effect::CancelOnService,
        Pending | Running => Effect::Poll,
        Succeeded | Downloading => Effect::Download,
        Done | Failed | Canceled | Expired => Effect::Stop,
    }
}

/// Applies `outcome` to `job` at `now_ms`: the only writer of `job.state`.
pub fn apply(job: &mut Job, outcome: Outcome, now_ms: i64) -> Result<Next, Refused> {
    use JobState::*;
    let refuse = |job: &Job, outcome: &Outcome| {
        Err(Refused {
            state: job.state,
            outcome: outcome.name(),
        })
    };
    match (job.state, outcome) {
        // A final state is final: only a resume (which does nothing) is accepted.
        (Done | Failed | Canceled | Expired, Outcome::Resumed) => Ok(Next::to(Effect::Stop)),
        (Done | Failed | Canceled | Expired, outcome) => refuse(job, &outcome),

        // The app stopped while the create call was in flight.
        (Submitting, Outcome::Resumed) => {
            job.warning = Some(loc!("engine-warning-stopped-while-submitting"));
            set(job, SubmitUnknown, now_ms);
            Ok(Next::to(Effect::Adopt))
        }
        (_, Outcome::Resumed) => Ok(Next::to(resume_effect(job))),

        // Before anything is sent: cancel ends the job.
        (Queued | Uploading, Outcome::CancelAsked) => {
            job.warning = None;
            set(job, Canceled, now_ms);
            Ok(Next::to(Effect::Stop))
        }
        (Queued, Outcome::SlotFree) => {
            set(job, Uploading, now_ms);
            Ok(Next::to(Effect::Upload))
        }
        (Uploading, Outcome::SlotFree) => Ok(Next::to(Effect::Upload)),
        (Queued | Uploading, Outcome::Unsendable(error)) => {
            fail(job, error, now_ms);
            Ok(Next::to(Effect::Stop))
        }
        (Uploading, Outcome::Uploaded { request }) => {
            // Journaled before it leaves: from here on an interruption means
            // "maybe submitted".
            job.request = Some(request);
            job.attempts += 1;
            job.submit_started_ms = Some(now_ms);
            set(job, Submitting, now_ms);
            Ok(Next::to(Effect::Create))
        }

        // The create call's answer.
        (
            Submitting,
            Outcome::Created {
                task_id,
                request_id,
            },
        ) => {
            job.record_call("create", &request_id, now_ms);
            job.task_id = Some(task_id);
            job.task_created_ms = Some(now_ms);
            job.warning = None;
            set(job, Pending, now_ms);
            Ok(Next::to(if job.cancel_requested {
                Effect::CancelOnService
            } else {
                Effect::Poll
            }))
        }
        (Submitting, Outcome::Refused { error, again }) => {
            if let Some(id) = &error.request_id {
                job.record_call("create", id, now_ms);
            }
            let pause_attempt = job.attempts.saturating_sub(1);
            match again {
                // Nothing was created: a cancel asked during the call ends it here.
                _ if job.cancel_requested => {
                    job.warning = None;
                    set(job, Canceled, now_ms);
                    Ok(Next::to(Effect::Stop))
                }
                Again::AfterPause(warning) => {
                    job.warning = Some(warning);
                    set(job, Queued, now_ms);
                    Ok(Next::to(Effect::WaitForSlot {
                        pause_attempt: Some(pause_attempt),
                    }))
                }
                Again::AfterUploadingAgain if !job.reuploaded => {
                    job.reuploaded = true;
                    job.warning = Some(loc!("engine-warning-upload-gone"));
                    set(job, Queued, now_ms);
                    Ok(Next::to(Effect::WaitForSlot {
                        pause_attempt: None,
                    }))
                }
                Again::AfterUploadingAgain | Again::No => {
                    fail(job, error, now_ms);
                    Ok(Next::to(Effect::Stop))
                }
            }
        }
        (
            Submitting,
            Outcome::Unclear {
                warning,
                request_id,
            },
        ) => {
            if let Some(id) = request_id {
                job.record_call("create", &id, now_ms);
            }
            job.warning = Some(warning);
            set(job, SubmitUnknown, now_ms);
            Ok(Next::to(Effect::Adopt))
        }
        // A cancel during the create call waits for its answer.
        (Submitting, Outcome::CancelAsked) => {
            job.cancel_requested = true;
            Ok(Next::to(Effect::Create))
        }

        // An unconfirmed submission: the task list decides, or the user.
        (SubmitUnknown, Outcome::Adopted { task_id, confirmed }) => {
            job.task_id = Some(task_id);
            job.task_created_ms = job.task_created_ms.or(job.submit_started_ms);
            job.adopted = Some(confirmed);
            job.warning = (!confirmed).then(|| loc!("engine-warning-adopted-unconfirmed"));
            set(job, Pending, now_ms);
            Ok(Next::to(if job.cancel_requested {
                Effect::CancelOnService
            } else {
                Effect::Poll
            }))
        }
        (SubmitUnknown, Outcome::NotAdopted { why }) if job.cancel_requested => {
            job.warning = None;
            set(job, Canceled, now_ms);
            let _ = why;
            Ok(Next::telling(Effect::Stop, loc!("engine-notice-dropped")))
        }
        (SubmitUnknown, Outcome::NotAdopted { why }) => {
            job.warning = Some(why);
            Ok(Next::to(Effect::WaitForUser))
        }
        (SubmitUnknown, Outcome::LookAgain) => Ok(Next::to(Effect::Adopt)),
        (SubmitUnknown, Outcome::CancelAsked) => {
            // Look for the task once more, to cancel it if it is still PENDING.
            job.cancel_requested = true;
            Ok(Next::to(Effect::Adopt))
        }
        (SubmitUnknown, Outcome::SubmitAnew) => {
            job.warning = None;
            job.error = None;
            job.cancel_requested = false;
            set(job, Queued, now_ms);
            Ok(Next::to(Effect::WaitForSlot {
                pause_attempt: None,
            }))
        }

        // A task exists.
        (Pending | Running, Outcome::Status(status)) => Ok(status_changed(job, status, now_ms)),
        (Pending | Running, Outcome::QueryTrouble { warning }) => {
            if warning.is_some() {
                job.warning = warning;
            }
            Ok(Next::to(Effect::Poll))
        }
        (Pending | Running, Outcome::Mismatch { why }) if job.adopted == Some(false) => {
            // Not ours after all: forget it (and never adopt it again).
            if let Some(id) = job.task_id.take() {
                job.foreign_tasks.push(id);
            }
            job.task_created_ms = None;
            job.adopted = None;
            job.warning = Some(why);
            set(job, SubmitUnknown, now_ms);
            Ok(Next::to(Effect::WaitForUser))
        }
        (Pending, Outcome::CancelAsked) => {
            job.cancel_requested = true;
            Ok(Next::to(Effect::CancelOnService))
        }
        (Running, Outcome::CancelAsked) => Ok(Next::telling(
            Effect::Poll,
            loc!("engine-notice-cancel-running"),
        )),
        (Pending | Running, Outcome::ServiceCancel(answer)) => {
            job.cancel_requested = false;
            match answer {
                CancelAnswer::Done => {
                    job.warning = None;
                    set(job, Canceled, now_ms);
                    Ok(Next::to(Effect::Stop))
                }
                CancelAnswer::TooLate => Ok(Next::telling(
                    Effect::Poll,
                    loc!("engine-notice-cancel-too-late"),
                )),
                CancelAnswer::Failed(why) => Ok(Next::telling(Effect::Poll, why)),
            }
        }

        // The video.
        (Succeeded | Downloading, Outcome::CancelAsked) => Ok(Next::telling(
            Effect::Download,
            loc!("engine-notice-cancel-made"),
        )),
        (Succeeded | Downloading, Outcome::DownloadStarting { path }) => {
            job.output_path.get_or_insert(path);
            job.error = None;
            set(job, Downloading, now_ms);
            Ok(Next::to(Effect::Download))
        }
        (Succeeded | Downloading, Outcome::LinkRefreshed { url, expires_ms }) => {
            job.video_url = Some(url);
            job.video_url_expires_ms = Some(expires_ms);
            Ok(Next::to(Effect::Download))
        }
        (Succeeded | Downloading, Outcome::VideoGone) => {
            job.warning = None;
            job.error = Some(expired_error());
            set(job, Expired, now_ms);
            Ok(Next::to(Effect::Stop))
        }
        (Downloading, Outcome::DownloadTrouble { warning }) => {
            if warning.is_some() {
                job.warning = warning;
            }
            Ok(Next::to(Effect::Download))
        }
        (Succeeded | Downloading, Outcome::OutputTrouble(error)) => {
            job.error = Some(error);
            Ok(Next::to(Effect::DownloadAfterPause))
        }
        (Downloading, Outcome::DownloadFailed(error)) => {
            fail(job, error, now_ms);
            Ok(Next::to(Effect::Stop))
        }
        (Downloading, Outcome::Downloaded { bytes, sidecar }) => {
            job.video_bytes.get_or_insert(bytes);
            job.error = None;
            match sidecar {
                Ok(path) => {
                    job.sidecar_path = Some(path);
                    job.warning = None;
                }
                Err(why) => {
                    job.sidecar_path = None;
                    job.warning = Some(loc!("engine-warning-sidecar-failed", error = why));
                }
            }
            set(job, Done, now_ms);
            Ok(Next::to(Effect::Stop))
        }

        (_, outcome) => refuse(job, &outcome),
    }
}

fn status_changed(job: &mut Job, status: Status, now_ms: i64) -> Next {
    use JobState::*;
    match status {
        Status::Pending | Status::Running => {
            let state = if status == Status::Pending {
                Pending
            } else {
                Running
            };
            // A trouble warning is over once an answer comes.
            if job.adopted != Some(false) {
                job.warning = None;
            }
            set(job, state, now_ms);
            Next::to(if state == Pending && job.cancel_requested {
                Effect::CancelOnService
            } else {
                Effect::Poll
            })
        }
        Status::Succeeded(finished) => {
            let Finished {
                video_url,
                video_url_expires_ms,
                end_time,
                billed_seconds,
                usage,
                request_id,
            } = *finished;
            job.record_call("query", &request_id, now_ms);
            job.service_times.end_time = end_time.or(job.service_times.end_time.take());
            job.video_url = video_url;
            job.video_url_expires_ms = video_url_expires_ms;
            job.billed_seconds = billed_seconds;
            job.usage = usage;
            job.cancel_requested = false;
            if job.adopted == Some(false) {
                job.adopted = Some(true);
            }
            job.warning = None;
            set(job, Succeeded, now_ms);
            Next::to(Effect::Download)
        }
        Status::Failed(error) => {
            if let Some(id) = &error.request_id {
                job.record_call("query", id, now_ms);
            }
            fail(job, *error, now_ms);
            Next::to(Effect::Stop)
        }
        Status::Canceled => {
            job.warning = None;
            set(job, Canceled, now_ms);
            Next::to(Effect::Stop)
        }
        Status::Unknown { gone: true } => {
            job.warning = None;
            job.error = Some(expired_error());
            set(job, Expired, now_ms);
            Next::to(Effect::Stop)
        }
        Status::Unknown { gone: false } => Next::to(Effect::Poll),
    }
}

fn set(job: &mut Job, state: JobState, now_ms: i64) {
    job.set_state(state, now_ms);
}

fn fail(job: &mut Job, error: JobError, now_ms: i64) {
    job.error = Some(error);
    job.warning = None;
    set(job, JobState::Failed, now_ms);
}

/// The task or its video is gone from the service.
pub fn expired_error() -> JobError {
    JobError::local(
        "Expired",
        loc!("engine-error-expired"),
        loc!("engine-advice-expired"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::GenerationSpec;
    use crate::engine::job::ALL_STATES;
    use proptest::prelude::*;

    fn request() -> CreateTaskRequest {
        CreateTaskRequest {
            model: "pixverse/pixverse-c1-r2v".into(),
            input: crate::api::types::CreateInput {
                media: Vec::new(),
                prompt: "p".into(),
            },
            parameters: crate::api::types::CreateParameters {
                size: "1280*720".into(),
                duration: 5,
                audio: false,
                watermark: false,
                seed: None,
            },
        }
    }

    fn err(code: &str) -> JobError {
        JobError::local(code, Localized::verbatim(code), Localized::verbatim("do"))
    }

    fn text() -> Localized {
        Localized::verbatim("why")
    }

    /// One outcome of every kind (statuses and answers each count as their own).
    fn every_outcome() -> Vec<Outcome> {
        vec![
            Outcome::Resumed,
            Outcome::SlotFree,
            Outcome::Uploaded { request: request() },
            Outcome::Unsendable(err("NoApiKey")),
            Outcome::Created {
                task_id: "task-1".into(),
                request_id: "req-1".into(),
            },
            Outcome::Refused {
                error: err("InvalidParameter"),
                again: Again::No,
            },
            Outcome::Refused {
                error: err("Throttling"),
                again: Again::AfterPause(text()),
            },
            Outcome::Refused {
                error: err("InvalidParameter"),
                again: Again::AfterUploadingAgain,
            },
            Outcome::Unclear {
                warning: text(),
                request_id: None,
            },
            Outcome::Adopted {
                task_id: "task-2".into(),
                confirmed: true,
            },
            Outcome::Adopted {
                task_id: "task-3".into(),
                confirmed: false,
            },
            Outcome::NotAdopted { why: text() },
            Outcome::Status(Status::Pending),
            Outcome::Status(Status::Running),
            Outcome::Status(Status::Succeeded(Box::new(Finished {
                video_url: Some("http://127.0.0.1/v.mp4".into()),
                ..Finished::default()
            }))),
            Outcome::Status(Status::Failed(Box::new(err("TaskFailed")))),
            Outcome::Status(Status::Canceled),
            Outcome::Status(Status::Unknown { gone: false }),
            Outcome::Status(Status::Unknown { gone: true }),
            Outcome::QueryTrouble {
                warning: Some(text()),
            },
            Outcome::Mismatch { why: text() },
            Outcome::DownloadStarting {
                path: "/tmp/v.mp4".into(),
            },
            Outcome::LinkRefreshed {
                url: "http://127.0.0.1/w.mp4".into(),
                expires_ms: 9,
            },
            Outcome::VideoGone,
            Outcome::DownloadTrouble { warning: None },
            Outcome::OutputTrouble(err("OutputFolder")),
            Outcome::DownloadFailed(err("BadVideoLink")),
            Outcome::Downloaded {
                bytes: 10,
                sidecar: Ok("/tmp/v.json".into()),
            },
            Outcome::Downloaded {
                bytes: 10,
                sidecar: Err(text()),
            },
            Outcome::CancelAsked,
            Outcome::ServiceCancel(CancelAnswer::Done),
            Outcome::ServiceCancel(CancelAnswer::TooLate),
            Outcome::ServiceCancel(CancelAnswer::Failed(text())),
            Outcome::LookAgain,
            Outcome::SubmitAnew,
        ]
    }

    /// A job as it would be journaled in `state`.
    fn job_in(state: JobState) -> Job {
        let mut job = Job::new(GenerationSpec::default(), "/tmp".into(), 1);
        job.state = state;
        if matches!(
            state,
            JobState::Submitting | JobState::SubmitUnknown | JobState::Pending
        ) || state.has_task()
            || state == JobState::Done
        {
            job.request = Some(request());
            job.attempts = 1;
            job.submit_started_ms = Some(1);
        }
        if state.has_task() || state == JobState::Done {
            job.task_id = Some("task-0".into());
            job.task_created_ms = Some(1);
        }
        job
    }

    /// The state after `outcome`, or None if refused: the whole table.
    fn expected(state: JobState, outcome: &Outcome) -> Option<JobState> {
        use JobState::*;
        use Outcome as O;
        let same = Some(state);
        match (state, outcome) {
            (Done | Failed | Canceled | Expired, O::Resumed) => same,
            (Done | Failed | Canceled | Expired, _) => None,
            (Submitting, O::Resumed) => Some(SubmitUnknown),
            (_, O::Resumed) => same,
            (Queued | Uploading, O::CancelAsked) => Some(Canceled),
            (Queued, O::SlotFree) => Some(Uploading),
            (Uploading, O::SlotFree) => same,
            (Queued | Uploading, O::Unsendable(_)) => Some(Failed),
            (Uploading, O::Uploaded { .. }) => Some(Submitting),
            (Submitting, O::Created { .. }) => Some(Pending),
            (Submitting, O::Refused { again, .. }) => Some(match again {
                Again::No => Failed,
                _ => Queued,
            }),
            (Submitting, O::Unclear { .. }) => Some(SubmitUnknown),
            (Submitting, O::CancelAsked) => same,
            (SubmitUnknown, O::Adopted { .. }) => Some(Pending),
            (SubmitUnknown, O::NotAdopted { .. } | O::LookAgain | O::CancelAsked) => same,
            (SubmitUnknown, O::SubmitAnew) => Some(Queued),
            (Pending | Running, O::Status(s)) => Some(match s {
                Status::Pending => Pending,
                Status::Running => Running,
                Status::Succeeded(_) => Succeeded,
                Status::Failed(_) => Failed,
                Status::Canceled => Canceled,
                Status::Unknown { gone: true } => Expired,
                Status::Unknown { gone: false } => state,
            }),
            (Pending | Running, O::QueryTrouble { .. }) => same,
            // Only an unconfirmed adoption can turn out to be someone else's.
            (Pending | Running, O::Mismatch { .. }) => None,
            (Pending | Running, O::CancelAsked) => same,
            (Pending | Running, O::ServiceCancel(CancelAnswer::Done)) => Some(Canceled),
            (Pending | Running, O::ServiceCancel(_)) => same,
            (Succeeded | Downloading, O::CancelAsked) => same,
            (Succeeded | Downloading, O::DownloadStarting { .. }) => Some(Downloading),
            (Succeeded | Downloading, O::LinkRefreshed { .. }) => same,
            (Succeeded | Downloading, O::VideoGone) => Some(Expired),
            (Succeeded | Downloading, O::OutputTrouble(_)) => same,
            (Downloading, O::DownloadTrouble { .. }) => same,
            (Downloading, O::DownloadFailed(_)) => Some(Failed),
            (Downloading, O::Downloaded { .. }) => Some(Done),
            _ => None,
        }
    }

    #[test]
    fn every_state_and_outcome_pair_moves_as_the_table_says() {
        let mut accepted = 0;
        let mut refused = 0;
        for state in ALL_STATES {
            for outcome in every_outcome() {
                let mut job = job_in(state);
                let before = job.clone();
                let result = apply(&mut job, outcome.clone(), 100);
                match expected(state, &outcome) {
                    Some(after) => {
                        let next = result.unwrap_or_else(|r| panic!("{r}"));
                        assert_eq!(job.state, after, "{state:?} + {outcome:?}");
                        if after.is_final() {
                            assert_eq!(next.effect, Effect::Stop, "{state:?} + {outcome:?}");
                        }
                        accepted += 1;
                    }
                    None => {
                        assert_eq!(
                            result,
                            Err(Refused {
                                state,
                                outcome: outcome.name()
                            })
                        );
                        assert_eq!(job, before, "a refused outcome changes nothing");
                        refused += 1;
                    }
                }
            }
        }
        assert_eq!(accepted + refused, ALL_STATES.len() * every_outcome().len());
        assert!(refused > 200 && accepted > 60, "{accepted} / {refused}");
    }

    #[test]
    fn an_unconfirmed_adoption_that_mismatches_goes_back_to_the_user() {
        let mut job = job_in(JobState::SubmitUnknown);
        let next = apply(
            &mut job,
            Outcome::Adopted {
                task_id: "theirs".into(),
                confirmed: false,
            },
            5,
        )
        .unwrap();
        assert_eq!(next.effect, Effect::Poll);
        assert!(job.warning.is_some(), "unconfirmed adoptions say so");
        let next = apply(&mut job, Outcome::Mismatch { why: text() }, 6).unwrap();
        assert_eq!(next.effect, Effect::WaitForUser);
        assert_eq!(job.state, JobState::SubmitUnknown);
        assert_eq!(job.task_id, None);
        assert_eq!(job.foreign_tasks, vec!["theirs".to_string()]);
    }

    #[test]
    fn a_created_task_refuses_a_mismatch() {
        let mut job = job_in(JobState::Submitting);
        apply(
            &mut job,
            Outcome::Created {
                task_id: "ours".into(),
                request_id: "r".into(),
            },
            5,
        )
        .unwrap();
        assert!(apply(&mut job, Outcome::Mismatch { why: text() }, 6).is_err());
        assert_eq!(job.task_id.as_deref(), Some("ours"));
    }

    #[test]
    fn cancel_during_the_create_waits_for_its_answer_then_cancels_on_the_service() {
        let mut job = job_in(JobState::Submitting);
        let next = apply(&mut job, Outcome::CancelAsked, 2).unwrap();
        assert_eq!(next.effect, Effect::Create, "the create is never abandoned");
        assert_eq!(job.state, JobState::Submitting);
        let next = apply(
            &mut job,
            Outcome::Created {
                task_id: "t".into(),
                request_id: "r".into(),
            },
            3,
        )
        .unwrap();
        assert_eq!(next.effect, Effect::CancelOnService);
        assert_eq!(job.state, JobState::Pending);
        let next = apply(&mut job, Outcome::ServiceCancel(CancelAnswer::TooLate), 4).unwrap();
        assert_eq!(next.effect, Effect::Poll);
        assert!(next.notice.is_some(), "the user hears it will be billed");
        assert!(!job.cancel_requested);
    }

    #[test]
    fn cancel_during_a_create_that_was_refused_ends_the_job_without_retrying() {
        let mut job = job_in(JobState::Submitting);
        apply(&mut job, Outcome::CancelAsked, 2).unwrap();
        let next = apply(
            &mut job,
            Outcome::Refused {
                error: err("Throttling"),
                again: Again::AfterPause(text()),
            },
            3,
        )
        .unwrap();
        assert_eq!(next.effect, Effect::Stop);
        assert_eq!(job.state, JobState::Canceled);
    }

    #[test]
    fn cancel_of_an_unclear_submission_looks_for_the_task_to_cancel_it() {
        let mut job = job_in(JobState::SubmitUnknown);
        let next = apply(&mut job, Outcome::CancelAsked, 2).unwrap();
        assert_eq!(next.effect, Effect::Adopt);
        let mut found = job.clone();
        let next = apply(
            &mut found,
            Outcome::Adopted {
                task_id: "t".into(),
                confirmed: true,
            },
            3,
        )
        .unwrap();
        assert_eq!(next.effect, Effect::CancelOnService);
        let next = apply(&mut job, Outcome::NotAdopted { why: text() }, 3).unwrap();
        assert_eq!(job.state, JobState::Canceled);
        assert!(
            next.notice.is_some(),
            "dropping says a task may still be billed"
        );
    }

    #[test]
    fn a_second_upload_after_the_service_lost_one_is_not_tried_twice() {
        let mut job = job_in(JobState::Submitting);
        let gone = Outcome::Refused {
            error: err("InvalidParameter"),
            again: Again::AfterUploadingAgain,
        };
        apply(&mut job, gone.clone(), 2).unwrap();
        assert_eq!(job.state, JobState::Queued);
        job.state = JobState::Submitting;
        apply(&mut job, gone, 3).unwrap();
        assert_eq!(job.state, JobState::Failed);
    }

    #[test]
    fn a_job_stopped_while_submitting_is_looked_for_never_resent() {
        let mut job = job_in(JobState::Submitting);
        let next = apply(&mut job, Outcome::Resumed, 2).unwrap();
        assert_eq!(next.effect, Effect::Adopt);
        assert_eq!(job.state, JobState::SubmitUnknown);
        assert!(job.warning.is_some());
    }

    #[test]
    fn resume_effects_follow_the_journaled_state() {
        for state in ALL_STATES {
            let job = job_in(state);
            let effect = resume_effect(&job);
            assert_ne!(effect, Effect::Create, "{state:?}: resuming never creates");
            if state.is_final() {
                assert_eq!(effect, Effect::Stop);
            }
        }
    }

    #[test]
    fn no_other_code_of_the_app_writes_a_jobs_state() {
        let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut stack = vec![src];
        let mut writers = Vec::new();
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                    continue;
                }
                let name = path.to_string_lossy().replace('\\', "/");
                if name.ends_with("engine/machine.rs") || name.ends_with("engine/job.rs") {
                    continue;
                }
                let text = std::fs::read_to_string(&path).unwrap();
                // Test modules build fixtures; the app's own code may not.
                let app_code = text.split("#[cfg(test)]").next().unwrap_or_default();
                for (n, line) in app_code.lines().enumerate() {
                    // A job's state: `set_state(..)`, or an assignment of a JobState
                    // (other types have fields called `state` too).
                    let assigns = line.contains(".state = ")
                        && (line.contains("JobState") || line.contains("job"));
                    if line.contains("set_state(") || assigns {
                        writers.push(format!("{name}:{}: {}", n + 1, line.trim()));
                    }
                }
            }
        }
        assert!(
            writers.is_empty(),
            "job.state written outside the machine: {writers:#?}"
        );
    }

    fn any_outcome() -> impl Strategy<Value = Outcome> {
        let all = every_outcome();
        (0..all.len()).prop_map(move |i| all[i].clone())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// Random outcome sequences: never a second create for a job that may have a
        /// task (unless the user chose Submit anew), a final state is final, and a
        /// task id from the service's answer is never lost.
        #[test]
        fn random_outcomes_keep_the_money_rules(outcomes in proptest::collection::vec(any_outcome(), 1..60)) {
            let mut job = job_in(JobState::Queued);
            let mut may_have_task = false;
            let mut created_id: Option<String> = None;
            let mut final_state: Option<JobState> = None;
            for (i, outcome) in outcomes.into_iter().enumerate() {
                let user_resend = outcome == Outcome::SubmitAnew;
                let before = job.state;
                let Ok(next) = apply(&mut job, outcome, i as i64) else {
                    continue;
                };
                if let Some(done) = final_state {
                    prop_assert_eq!(job.state, done, "a final state is final");
                }
                if job.state.is_final() {
                    final_state.get_or_insert(job.state);
                    prop_assert_eq!(&next.effect, &Effect::Stop);
                }
                if user_resend {
                    may_have_task = false;
                    created_id = None;
                }
                if next.effect == Effect::Create && before != JobState::Submitting {
                    prop_assert!(!may_have_task, "a second create for a job that may have a task");
                }
                if job.state == JobState::Submitting {
                    may_have_task = true;
                }
                if before == JobState::Submitting && job.state == JobState::Pending {
                    created_id = job.task_id.clone();
                }
                if let Some(id) = &created_id {
                    prop_assert_eq!(job.task_id.as_ref(), Some(id), "a created task id is kept");
                }
                // Refused/throttled creates made nothing: a new create is allowed.
                if before == JobState::Submitting && job.state == JobState::Queued {
                    may_have_task = false;
                }
            }
        }
    }
}
