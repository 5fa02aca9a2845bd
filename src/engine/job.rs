//! A job: one generation from the user's spec to an MP4 on disk, and its journal.

use crate::api::CreateTaskRequest;
use crate::api::types::Usage;
use crate::core::spend::{Charge, PastUse};
use crate::core::{GenerationSpec, Localized};
use crate::loc;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::path::PathBuf;

/// A job id: a UUID v7, so ids sort by creation time.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct JobId(pub String);

impl JobId {
    pub fn new() -> JobId {
        JobId(uuid::Uuid::now_v7().to_string())
    }

    /// The last 8 hex digits: unique enough to tell jobs apart in a file name.
    pub fn short(&self) -> &str {
        let s = self.0.as_str();
        &s[s.len().saturating_sub(8)..]
    }
}

impl Default for JobId {
    fn default() -> Self {
        JobId::new()
    }
}

impl fmt::Display for JobId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The most takes one Generate may ask for.
pub const MAX_TAKES: usize = 4;

/// A job made as one take of a set: the same setup sent several times on purpose,
/// journaled together before any of them is sent.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct TakeSet {
    /// Shared by every take of the set (a UUID v7, so sets sort by creation time).
    pub id: String,
    /// Which take this is, from 1 to `of` (a retry keeps the index of the take it
    /// replaces).
    pub index: u32,
    /// How many takes the user asked for.
    pub of: u32,
    /// The user left the seed random and the app drew this take's own seed (kept
    /// in the spec, so that the sidecar and "restore" know it). A retry draws again.
    #[serde(default)]
    pub drawn_seed: bool,
}

/// The longest note kept on a video (in characters); a longer one is cut there.
pub const MAX_NOTE_CHARS: usize = 500;

/// What the user thinks of a finished video: a star and a short note, journaled
/// with the job (so the take sheet, the job list and `show` agree).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Review {
    #[serde(default)]
    pub starred: bool,
    #[serde(default)]
    pub note: String,
}

impl Review {
    pub fn is_empty(&self) -> bool {
        !self.starred && self.note.is_empty()
    }

    /// The note trimmed, on one line, and cut at [`MAX_NOTE_CHARS`].
    pub fn tidied(mut self) -> Review {
        let one_line = self.note.split_whitespace().collect::<Vec<_>>().join(" ");
        self.note = one_line.chars().take(MAX_NOTE_CHARS).collect();
        self
    }
}

impl TakeSet {
    /// A new set id.
    pub fn new_id() -> String {
        uuid::Uuid::now_v7().to_string()
    }
}

/// Where a job stands. See the state machine in DESIGN.md.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum JobState {
    /// Waiting for a free slot of its model series.
    Queued,
    /// Preparing and uploading local references.
    Uploading,
    /// The create call is about to be made or is under way.
    Submitting,
    /// The create call may have reached the service but no answer came. Never resent
    /// automatically.
    SubmitUnknown,
    Pending,
    Running,
    /// The video is ready on the service; the download is next.
    Succeeded,
    Downloading,
    Done,
    Failed,
    Canceled,
    /// The task or its video is gone from the service (24 h passed).
    Expired,
}

impl JobState {
    pub fn is_final(self) -> bool {
        matches!(
            self,
            JobState::Done | JobState::Failed | JobState::Canceled | JobState::Expired
        )
    }

    /// A task exists on the service for this job.
    pub fn has_task(self) -> bool {
        matches!(
            self,
            JobState::Pending | JobState::Running | JobState::Succeeded | JobState::Downloading
        )
    }

    pub fn as_str(self) -> &'static str {
        match self {
            JobState::Queued => "queued",
            JobState::Uploading => "uploading",
            JobState::Submitting => "submitting",
            JobState::SubmitUnknown => "submit_unknown",
            JobState::Pending => "pending",
            JobState::Running => "running",
            JobState::Succeeded => "succeeded",
            JobState::Downloading => "downloading",
            JobState::Done => "done",
            JobState::Failed => "failed",
            JobState::Canceled => "canceled",
            JobState::Expired => "expired",
        }
    }

    pub fn parse(text: &str) -> Option<JobState> {
        ALL_STATES.into_iter().find(|s| s.as_str() == text)
    }

    /// The state in words, for people.
    pub fn describe(self) -> Localized {
        match self {
            JobState::Queued => loc!("engine-state-queued"),
            JobState::Uploading => loc!("engine-state-uploading"),
            JobState::Submitting => loc!("engine-state-submitting"),
            JobState::SubmitUnknown => loc!("engine-state-submit-unknown"),
            JobState::Pending => loc!("engine-state-pending"),
            JobState::Running => loc!("engine-state-running"),
            JobState::Succeeded => loc!("engine-state-succeeded"),
            JobState::Downloading => loc!("engine-state-downloading"),
            JobState::Done => loc!("engine-state-done"),
            JobState::Failed => loc!("engine-state-failed"),
            JobState::Canceled => loc!("engine-state-canceled"),
            JobState::Expired => loc!("engine-state-expired"),
        }
    }
}

pub const ALL_STATES: [JobState; 12] = [
    JobState::Queued,
    JobState::Uploading,
    JobState::Submitting,
    JobState::SubmitUnknown,
    JobState::Pending,
    JobState::Running,
    JobState::Succeeded,
    JobState::Downloading,
    JobState::Done,
    JobState::Failed,
    JobState::Canceled,
    JobState::Expired,
];

/// A state change and when it happened (Unix milliseconds).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Transition {
    pub state: JobState,
    pub at_ms: i64,
}

/// The request id of one call to the service.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CallRecord {
    pub call: String,
    pub request_id: String,
    pub at_ms: i64,
}

/// What went wrong, for people: code, message, advice, request id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JobError {
    pub code: String,
    /// What happened: the service's own words, or ours in both languages.
    #[serde(deserialize_with = "crate::core::text::string_or_localized")]
    pub message: Localized,
    pub advice: Localized,
    pub request_id: Option<String>,
}

impl JobError {
    /// An error the app itself found: no call to the service, no request id.
    pub fn local(code: &str, message: Localized, advice: Localized) -> JobError {
        JobError {
            code: code.to_string(),
            message,
            advice,
            request_id: None,
        }
    }
}

/// Everything the journal keeps about a job. Never holds the API key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Job {
    pub id: JobId,
    pub spec: GenerationSpec,
    pub state: JobState,
    pub created_ms: i64,
    /// The exact body sent (or about to be sent) to create the task.
    #[serde(default)]
    pub request: Option<CreateTaskRequest>,
    #[serde(default)]
    pub task_id: Option<String>,
    #[serde(default)]
    pub calls: Vec<CallRecord>,
    #[serde(default)]
    pub transitions: Vec<Transition>,
    /// Create attempts made so far.
    #[serde(default)]
    pub attempts: u32,
    /// When the latest create attempt started (for finding its task in the list).
    #[serde(default)]
    pub submit_started_ms: Option<i64>,
    /// When the service accepted the task (its 24 h life starts here).
    #[serde(default)]
    pub task_created_ms: Option<i64>,
    #[serde(default)]
    pub error: Option<JobError>,
    /// Latest transient trouble (retrying by itself): shown, not final.
    #[serde(default)]
    pub warning: Option<Localized>,
    #[serde(default)]
    pub billed_seconds: Option<f64>,
    #[serde(default)]
    pub usage: Option<serde_json::Value>,
    #[serde(default)]
    pub video_url: Option<String>,
    #[serde(default)]
    pub video_url_expires_ms: Option<i64>,
    /// The video's full length, once the download has told it.
    #[serde(default)]
    pub video_bytes: Option<u64>,
    /// How long generation was expected to take when polling began (learned from
    /// past jobs of the same kind), for "time remaining".
    #[serde(default)]
    pub expected_secs: Option<f64>,
    /// Service-side times as the service wrote them.
    #[serde(default)]
    pub service_times: ServiceTimes,
    pub output_dir: PathBuf,
    /// The final MP4 path, chosen when the download starts.
    #[serde(default)]
    pub output_path: Option<PathBuf>,
    #[serde(default)]
    pub sidecar_path: Option<PathBuf>,
    /// The job this one was retried from.
    #[serde(default)]
    pub retry_of: Option<JobId>,
    /// The user asked to cancel while the create call was in flight.
    #[serde(default)]
    pub cancel_requested: bool,
    /// Uploads were redone once because the service no longer had them.
    #[serde(default)]
    pub reuploaded: bool,
    /// The setup's key for the duplicate-spend guard ([`spend::setup_key`]).
    #[serde(default)]
    pub setup: Option<String>,
    /// The task was found in the task list after an unclear create: `Some(false)`
    /// until its prompt, size or length confirm it is this job's.
    #[serde(default)]
    pub adopted: Option<bool>,
    /// Tasks found to be someone else's: never adopted again.
    #[serde(default)]
    pub foreign_tasks: Vec<String>,
    /// The set of takes this job belongs to, if it was asked for as one of several.
    #[serde(default)]
    pub take_set: Option<TakeSet>,
    /// The user's star and note.
    #[serde(default, skip_serializing_if = "Review::is_empty")]
    pub review: Review,
    /// The hex SHA-256 of each reference's content, in the spec's order, once
    /// it is kept in the reference archive (`None`: not kept, e.g. a link that
    /// could not be fetched). Empty until the upload step.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reference_hashes: Vec<Option<String>>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ServiceTimes {
    pub submit_time: Option<String>,
    pub scheduled_time: Option<String>,
    pub end_time: Option<String>,
}

impl Job {
    pub fn new(spec: GenerationSpec, output_dir: PathBuf, now_ms: i64) -> Job {
        Job {
            id: JobId::new(),
            spec,
            state: JobState::Queued,
            created_ms: now_ms,
            request: None,
            task_id: None,
            calls: Vec::new(),
            transitions: vec![Transition {
                state: JobState::Queued,
                at_ms: now_ms,
            }],
            attempts: 0,
            submit_started_ms: None,
            task_created_ms: None,
            error: None,
            warning: None,
            billed_seconds: None,
            usage: None,
            video_url: None,
            video_url_expires_ms: None,
            video_bytes: None,
            expected_secs: None,
            service_times: ServiceTimes::default(),
            output_dir,
            output_path: None,
            sidecar_path: None,
            retry_of: None,
            cancel_requested: false,
            reuploaded: false,
            setup: None,
            adopted: None,
            foreign_tasks: Vec::new(),
            take_set: None,
            review: Review::default(),
            reference_hashes: Vec::new(),
        }
    }

    /// What the job counts toward spend: every job that was or may have been
    /// billed, and every one on its way (queued to downloading), by its billed
    /// seconds when known. A job canceled or failed before any create may
    /// have reached the service counts nothing.
    pub fn charge(&self) -> Option<Charge> {
        let may_be_billed =
            self.billed_seconds.is_some() || self.entered(JobState::SubmitUnknown).is_some();
        let counts = match self.state {
            JobState::Canceled => may_be_billed,
            JobState::Failed | JobState::Expired => may_be_billed || self.task_id.is_some(),
            _ => true,
        };
        counts.then(|| Charge {
            at_ms: self.created_ms,
            model: self.spec.model,
            tier: self.spec.tier,
            seconds: self
                .billed_seconds
                .unwrap_or_else(|| f64::from(self.spec.duration)),
        })
    }

    /// This job as an earlier use of its setup, for the duplicate-spend guard
    /// (`None` for jobs journaled before the guard existed).
    pub fn past_use(&self) -> Option<PastUse<'_>> {
        Some(PastUse {
            setup: self.setup.as_deref()?,
            under_way: !self.state.is_final(),
            billed_end_ms: match self.state {
                JobState::Done => self.entered(JobState::Done),
                _ => None,
            },
        })
    }

    /// Moves to `state`, recording when. In the app only the state machine
    /// (`engine::machine`) calls this (a test there checks it); tests and benches use
    /// it to build jobs in a given state.
    pub fn set_state(&mut self, state: JobState, now_ms: i64) {
        if self.state != state {
            self.state = state;
            self.transitions.push(Transition {
                state,
                at_ms: now_ms,
            });
        }
    }

    pub fn record_call(&mut self, call: &str, request_id: &str, now_ms: i64) {
        if !request_id.is_empty() {
            self.calls.push(CallRecord {
                call: call.to_string(),
                request_id: request_id.to_string(),
                at_ms: now_ms,
            });
        }
    }

    /// When the job first entered `state`.
    pub fn entered(&self, state: JobState) -> Option<i64> {
        self.transitions
            .iter()
            .find(|t| t.state == state)
            .map(|t| t.at_ms)
    }

    pub fn set_usage(&mut self, usage: Option<&Usage>, raw: Option<serde_json::Value>) {
        self.billed_seconds = usage.and_then(|u| u.duration);
        self.usage = raw;
    }

    /// The prompt's first line, for lists and file names.
    pub fn title(&self) -> &str {
        self.spec.prompt.lines().next().unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job_through(states: &[JobState]) -> Job {
        let mut job = Job::new(GenerationSpec::default(), "/tmp".into(), 1_000);
        for (i, state) in states.iter().enumerate() {
            job.set_state(*state, 2_000 + i as i64);
        }
        job
    }

    #[test]
    fn spend_counts_jobs_billed_or_on_their_way_and_never_those_that_sent_nothing() {
        use JobState::*;
        let seconds = |job: &Job| job.charge().map(|c| c.seconds);
        let asked = f64::from(GenerationSpec::default().duration);
        // On its way: counted at its length.
        assert_eq!(seconds(&job_through(&[])), Some(asked));
        assert_eq!(seconds(&job_through(&[Uploading, Submitting])), Some(asked));
        // Billed: at its billed seconds.
        let mut done = job_through(&[
            Uploading,
            Submitting,
            Pending,
            Running,
            Succeeded,
            Downloading,
            Done,
        ]);
        done.billed_seconds = Some(4.0);
        assert_eq!(seconds(&done), Some(4.0));
        assert_eq!(
            done.charge().map(|c| c.at_ms),
            Some(1_000),
            "on the day it was asked for"
        );
        // May have been billed.
        assert_eq!(
            seconds(&job_through(&[Submitting, SubmitUnknown])),
            Some(asked)
        );
        let mut failed_after_running = job_through(&[Submitting, Pending, Running, Failed]);
        failed_after_running.task_id = Some("t".into());
        assert_eq!(seconds(&failed_after_running), Some(asked));
        let dropped_unconfirmed = job_through(&[Submitting, SubmitUnknown, Canceled]);
        assert_eq!(seconds(&dropped_unconfirmed), Some(asked));
        // Nothing was sent, or a pending task was cancelled on the service.
        assert_eq!(seconds(&job_through(&[Canceled])), None);
        assert_eq!(seconds(&job_through(&[Uploading, Failed])), None);
        let mut cancelled_pending = job_through(&[Submitting, Pending, Canceled]);
        cancelled_pending.task_id = Some("t".into());
        assert_eq!(seconds(&cancelled_pending), None);
    }

    #[test]
    fn a_job_is_an_earlier_use_of_its_setup_while_under_way_and_once_done() {
        use JobState::*;
        let mut job = job_through(&[]);
        assert!(
            job.past_use().is_none(),
            "no key: journaled before the guard"
        );
        job.setup = Some("k".into());
        assert!(job.past_use().unwrap().under_way);
        let mut done = job_through(&[Running, Done]);
        done.setup = Some("k".into());
        let past = done.past_use().unwrap();
        assert!(!past.under_way);
        assert_eq!(past.billed_end_ms, Some(2_001));
        let mut failed = job_through(&[Running, Failed]);
        failed.setup = Some("k".into());
        assert_eq!(
            failed.past_use().unwrap().billed_end_ms,
            None,
            "a failure may be sent again"
        );
    }

    #[test]
    fn job_ids_sort_by_creation_and_have_a_short_form() {
        let a = JobId::new();
        std::thread::sleep(std::time::Duration::from_millis(2));
        let b = JobId::new();
        assert!(a < b);
        assert_eq!(a.short().len(), 8);
    }

    #[test]
    fn states_round_trip_through_their_names() {
        for state in ALL_STATES {
            assert_eq!(JobState::parse(state.as_str()), Some(state));
            assert!(!state.describe().zh.is_empty());
        }
        assert!(JobState::Expired.is_final() && !JobState::SubmitUnknown.is_final());
    }

    #[test]
    fn transitions_are_recorded_once_per_change() {
        let mut job = Job::new(GenerationSpec::default(), "/tmp".into(), 1);
        job.set_state(JobState::Uploading, 2);
        job.set_state(JobState::Uploading, 3);
        job.set_state(JobState::Submitting, 4);
        assert_eq!(job.transitions.len(), 3);
        assert_eq!(job.entered(JobState::Uploading), Some(2));
        let json = serde_json::to_string(&job).unwrap();
        assert_eq!(serde_json::from_str::<Job>(&json).unwrap(), job);
    }

    #[test]
    fn a_journal_record_without_a_take_set_still_loads() {
        let mut job = Job::new(GenerationSpec::default(), "/tmp".into(), 1);
        job.take_set = Some(TakeSet {
            id: TakeSet::new_id(),
            index: 2,
            of: 3,
            drawn_seed: true,
        });
        let mut value = serde_json::to_value(&job).unwrap();
        assert_eq!(value["take_set"]["index"], 2);
        value.as_object_mut().unwrap().remove("take_set");
        let old: Job = serde_json::from_value(value).unwrap();
        assert_eq!(old.take_set, None);
    }
}
