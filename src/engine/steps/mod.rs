//! The steps: each performs one effect against the service or the disk and
//! reports what happened as an [`Outcome`](super::machine::Outcome). None of them
//! changes a job's state; the driver feeds their outcomes to the state machine.

pub(super) mod adopt;
pub(super) mod cancel;
pub(super) mod download;
pub(super) mod poll;
pub(super) mod submit;
pub(super) mod upload;

use super::job::JobError;
use super::machine::{Effect, Outcome};
use crate::api;
use crate::core::Localized;
use crate::loc;

/// What an effect that needs the service comes to without a key: the upload stops
/// the job (nothing was sent); everything else waits until a key is set.
pub(super) fn without_key(effect: &Effect) -> Option<Outcome> {
    match effect {
        Effect::Upload => Some(Outcome::Unsendable(JobError::local(
            "NoApiKey",
            loc!("engine-error-no-api-key"),
            loc!("engine-advice-no-api-key"),
        ))),
        _ => None,
    }
}

/// A service error as the job shows it.
pub(super) fn job_error_from(e: &api::Error) -> JobError {
    match e {
        api::Error::Api(a) => JobError {
            code: a.code.clone(),
            message: a.describe(),
            advice: a.advice(),
            request_id: a.request_id.clone(),
        },
        other => JobError {
            code: match other {
                api::Error::Transport { .. } => "NetworkError".into(),
                api::Error::Malformed { .. } => "MalformedAnswer".into(),
                _ => "InvalidRequest".into(),
            },
            message: other.describe(),
            advice: other.advice(),
            request_id: other.request_id().map(str::to_string),
        },
    }
}

pub(super) fn internal(detail: &str) -> JobError {
    JobError::local(
        "InternalError",
        Localized::verbatim(detail),
        loc!("engine-advice-internal"),
    )
}

/// Repeats a read-only call on transient failures, a few times.
pub(super) async fn retry_idempotent<T, F, Fut>(
    sh: &super::shared::Shared,
    mut call: F,
) -> Result<T, api::Error>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, api::Error>>,
{
    let mut attempt = 0;
    loop {
        match call().await {
            Ok(v) => return Ok(v),
            Err(e) if e.is_transient() && attempt < 4 => {
                sh.clock
                    .sleep(super::schedule::backoff(attempt, sh.config.max_backoff))
                    .await;
                attempt += 1;
            }
            Err(e) => return Err(e),
        }
    }
}
