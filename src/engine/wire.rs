//! The local channel between the process that runs the engine for a data folder
//! and its clients (the other windows and command lines on that folder): one
//! JSON message per line, in both directions.
//!
//! A client sends [`Request`]s (the commands that make sense from another
//! process); the engine answers `Hello` with [`Reply::Welcome`], a request it
//! cannot read with [`Reply::Error`], and sends every client the events about
//! jobs as [`Reply::Event`]. Events that answer one process's own question
//! (thumbnails, posters, pasted images) never cross the channel.

use super::{Allow, Command, Event, Job, JobId, Refusal, Review, SpendReport};
use crate::core::{Field, GenerationSpec, Localized, Problem};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::{Mutex, OnceLock, PoisonError};

/// Bumped when a message changes shape; a client of another version is told so.
pub const VERSION: u32 = 2;
/// The longest line either side reads (a generate request with seven long URLs
/// and a 5000-character prompt is far below it).
pub const MAX_LINE: usize = 1 << 20;
/// Events waiting for a slow client before it starts missing some.
pub const EVENT_BACKLOG: usize = 4096;
/// The socket's file name in the data folder.
pub const SOCKET_NAME: &str = "engine.sock";

/// What a client asks of the engine.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Request {
    Hello {
        version: u32,
    },
    Generate {
        ids: Vec<JobId>,
        spec: GenerationSpec,
        output_dir: Option<PathBuf>,
        #[serde(default)]
        allow: Allow,
    },
    Cancel {
        id: JobId,
    },
    Retry {
        from: JobId,
        new_id: JobId,
        #[serde(default)]
        over_budget: bool,
    },
    Resume {
        id: JobId,
    },
    ResumeAll,
    LookAgain {
        id: JobId,
    },
    SubmitAnew {
        id: JobId,
    },
    Remove {
        id: JobId,
        delete_video: bool,
    },
    Review {
        id: JobId,
        review: Review,
    },
    LoadHistory,
}

impl Request {
    /// The engine command it stands for (`None` for `Hello`).
    pub fn into_command(self) -> Option<Command> {
        Some(match self {
            Request::Hello { .. } => return None,
            Request::Generate {
                ids,
                spec,
                output_dir,
                allow,
            } => Command::Generate {
                ids,
                spec,
                output_dir,
                allow,
            },
            Request::Cancel { id } => Command::Cancel(id),
            Request::Retry {
                from,
                new_id,
                over_budget,
            } => Command::Retry {
                from,
                new_id,
                over_budget,
            },
            Request::Resume { id } => Command::Resume(id),
            Request::ResumeAll => Command::ResumeAll,
            Request::LookAgain { id } => Command::LookAgain(id),
            Request::SubmitAnew { id } => Command::SubmitAnew(id),
            Request::Remove { id, delete_video } => Command::Remove { id, delete_video },
            Request::Review { id, review } => Command::Review { id, review },
            Request::LoadHistory => Command::LoadHistory,
        })
    }

    /// The request for an engine command, if another process may send it.
    pub fn from_command(command: Command) -> Option<Request> {
        Some(match command {
            Command::Generate {
                ids,
                spec,
                output_dir,
                allow,
            } => Request::Generate {
                ids,
                spec,
                output_dir,
                allow,
            },
            Command::Cancel(id) => Request::Cancel { id },
            Command::Retry {
                from,
                new_id,
                over_budget,
            } => Request::Retry {
                from,
                new_id,
                over_budget,
            },
            Command::Resume(id) => Request::Resume { id },
            Command::ResumeAll => Request::ResumeAll,
            Command::LookAgain(id) => Request::LookAgain { id },
            Command::SubmitAnew(id) => Request::SubmitAnew { id },
            Command::Remove { id, delete_video } => Request::Remove { id, delete_video },
            Command::Review { id, review } => Request::Review { id, review },
            Command::LoadHistory => Request::LoadHistory,
            Command::LoadImage { .. }
            | Command::LoadPoster { .. }
            | Command::StoreImage { .. }
            | Command::MeasureArchive
            | Command::PruneArchive
            | Command::Shutdown => return None,
        })
    }
}

/// What the engine sends a client.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Reply {
    Welcome {
        version: u32,
    },
    /// A line that could not be read, or a request from another version.
    Error {
        message: Localized,
    },
    Event {
        event: WireEvent,
    },
}

/// One problem of a refused generation, as it crosses the channel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WireProblem {
    pub code: String,
    pub message: Localized,
}

/// The events every client hears.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum WireEvent {
    Job {
        job: Box<Job>,
    },
    Rejected {
        id: JobId,
        problems: Vec<WireProblem>,
    },
    Refused {
        ids: Vec<JobId>,
        refusal: Refusal,
    },
    Spend {
        report: SpendReport,
    },
    Removed {
        id: JobId,
    },
    History {
        jobs: Vec<Job>,
    },
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
    Queue {
        ids: Vec<JobId>,
    },
    Notice {
        job: Option<JobId>,
        message: Localized,
    },
    NotJournaled {
        id: JobId,
        error: Localized,
    },
    Idle {
        id: JobId,
    },
}

impl WireEvent {
    /// The event as it crosses the channel, if it is one every client hears.
    pub fn from_event(event: &Event) -> Option<WireEvent> {
        Some(match event {
            Event::Job(job) => WireEvent::Job { job: job.clone() },
            Event::Rejected { id, problems } => WireEvent::Rejected {
                id: id.clone(),
                problems: problems
                    .iter()
                    .map(|p| WireProblem {
                        code: p.code.to_string(),
                        message: p.message.clone(),
                    })
                    .collect(),
            },
            Event::Refused { ids, refusal } => WireEvent::Refused {
                ids: ids.clone(),
                refusal: refusal.clone(),
            },
            Event::Spend(report) => WireEvent::Spend { report: *report },
            Event::Removed(id) => WireEvent::Removed { id: id.clone() },
            Event::History(jobs) => WireEvent::History { jobs: jobs.clone() },
            Event::Upload {
                job,
                index,
                sent,
                total,
            } => WireEvent::Upload {
                job: job.clone(),
                index: *index,
                sent: *sent,
                total: *total,
            },
            Event::Download {
                job,
                received,
                total,
                bytes_per_sec,
            } => WireEvent::Download {
                job: job.clone(),
                received: *received,
                total: *total,
                bytes_per_sec: *bytes_per_sec,
            },
            Event::Queue(ids) => WireEvent::Queue { ids: ids.clone() },
            Event::Notice { job, message } => WireEvent::Notice {
                job: job.clone(),
                message: message.clone(),
            },
            Event::NotJournaled { id, error } => WireEvent::NotJournaled {
                id: id.clone(),
                error: error.clone(),
            },
            Event::Idle(id) => WireEvent::Idle { id: id.clone() },
            Event::Thumbnail { .. }
            | Event::Poster { .. }
            | Event::ImageStored { .. }
            | Event::Archive(_)
            | Event::Stopped
            | Event::EngineGone => return None,
        })
    }

    /// The event a client's listeners get.
    pub fn into_event(self) -> Event {
        match self {
            WireEvent::Job { job } => Event::Job(job),
            WireEvent::Rejected { id, problems } => Event::Rejected {
                id,
                problems: problems
                    .into_iter()
                    .map(|p| Problem {
                        code: interned(&p.code),
                        // Which field it was is for the window that sent it.
                        field: Field::Model,
                        message: p.message,
                    })
                    .collect(),
            },
            WireEvent::Refused { ids, refusal } => Event::Refused { ids, refusal },
            WireEvent::Spend { report } => Event::Spend(report),
            WireEvent::Removed { id } => Event::Removed(id),
            WireEvent::History { jobs } => Event::History(jobs),
            WireEvent::Upload {
                job,
                index,
                sent,
                total,
            } => Event::Upload {
                job,
                index,
                sent,
                total,
            },
            WireEvent::Download {
                job,
                received,
                total,
                bytes_per_sec,
            } => Event::Download {
                job,
                received,
                total,
                bytes_per_sec,
            },
            WireEvent::Queue { ids } => Event::Queue(ids),
            WireEvent::Notice { job, message } => Event::Notice { job, message },
            WireEvent::NotJournaled { id, error } => Event::NotJournaled { id, error },
            WireEvent::Idle { id } => Event::Idle(id),
        }
    }
}

/// A problem code as the `&'static str` the rest of the app uses. Each distinct
/// code is kept once for the life of the process: there are a few dozen codes, so
/// this stays small whatever a peer sends (longer or more codes are cut).
fn interned(code: &str) -> &'static str {
    const MAX_CODES: usize = 256;
    static CODES: OnceLock<Mutex<HashSet<&'static str>>> = OnceLock::new();
    let code: String = code.chars().take(64).collect();
    let mut codes = CODES
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    if let Some(known) = codes.get(code.as_str()) {
        return known;
    }
    if codes.len() >= MAX_CODES {
        return "engine.rejected";
    }
    let leaked: &'static str = Box::leak(code.into_boxed_str());
    codes.insert(leaked);
    leaked
}

/// One message as a line (no newline inside: JSON escapes them).
pub fn line<T: Serialize>(message: &T) -> Result<String, serde_json::Error> {
    let mut text = serde_json::to_string(message)?;
    text.push('\n');
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::loc;

    #[test]
    fn every_request_reads_back_as_it_was_sent() {
        let requests = vec![
            Request::Hello { version: VERSION },
            Request::Generate {
                ids: vec![JobId::new(), JobId::new()],
                spec: GenerationSpec {
                    prompt: "@猫 在窗边\n第二行".into(),
                    ..GenerationSpec::default()
                },
                output_dir: Some("/tmp/出".into()),
                allow: Allow {
                    over_budget: true,
                    again: false,
                },
            },
            Request::Cancel { id: JobId::new() },
            Request::Review {
                id: JobId::new(),
                review: Review {
                    starred: true,
                    note: "好".into(),
                },
            },
            Request::ResumeAll,
        ];
        for request in requests {
            let text = line(&request).unwrap();
            assert_eq!(text.matches('\n').count(), 1, "one line: {text}");
            let back: Request = serde_json::from_str(&text).unwrap();
            assert_eq!(back, request);
        }
    }

    #[test]
    fn only_the_commands_another_process_may_send_cross_the_channel() {
        assert!(Request::from_command(Command::Shutdown).is_none());
        assert!(Request::from_command(Command::LoadPoster { job: JobId::new() }).is_none());
        let id = JobId::new();
        let request = Request::from_command(Command::Cancel(id.clone())).unwrap();
        assert!(matches!(request.into_command(), Some(Command::Cancel(back)) if back == id));
        assert!(Request::Hello { version: 1 }.into_command().is_none());
    }

    #[test]
    fn a_retry_past_the_cap_stays_so_across_the_channel_and_an_older_one_does_not() {
        let (from, new_id) = (JobId::new(), JobId::new());
        let request = Request::from_command(Command::Retry {
            from: from.clone(),
            new_id: new_id.clone(),
            over_budget: true,
        })
        .unwrap();
        let text = serde_json::to_string(&request).unwrap();
        let back: Request = serde_json::from_str(&text).unwrap();
        assert!(matches!(
            back.into_command(),
            Some(Command::Retry { from: f, new_id: n, over_budget: true }) if f == from && n == new_id
        ));
        // A client from before the field: held by the caps, as it expects.
        let older = text.replace(r#","over_budget":true"#, "");
        assert_ne!(older, text);
        let back: Request = serde_json::from_str(&older).unwrap();
        assert!(matches!(
            back.into_command(),
            Some(Command::Retry {
                over_budget: false,
                ..
            })
        ));
    }

    #[test]
    fn a_refusal_keeps_its_codes_and_words_across_the_channel() {
        let event = Event::Rejected {
            id: JobId::new(),
            problems: vec![Problem {
                code: "prompt.empty",
                field: Field::Prompt(None),
                message: loc!("cli-jobs-none"),
            }],
        };
        let wire = WireEvent::from_event(&event).unwrap();
        let text = line(&wire).unwrap();
        let back: WireEvent = serde_json::from_str(&text).unwrap();
        let Event::Rejected { problems, .. } = back.into_event() else {
            panic!("not a refusal");
        };
        assert_eq!(problems[0].code, "prompt.empty");
        assert_eq!(problems[0].message, loc!("cli-jobs-none"));
    }
}
