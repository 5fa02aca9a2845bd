//! The create call, and what its answer means.
//!
//! Only an answer carrying the service's own error body (its `code` and
//! `request_id`) says for sure that nothing was created. A timeout, a cut
//! connection, a gateway's empty 504 or HTML 502, an unreadable 2xx, or a task id
//! that cannot be one: the task may exist, so the job is never sent again by itself.

use super::{internal, job_error_from};
use crate::api;
use crate::engine::job::Job;
use crate::engine::machine::{Again, Outcome};
use crate::engine::shared::{Shared, lock};
use crate::loc;
use std::sync::Arc;

pub(in crate::engine) async fn create(sh: &Arc<Shared>, job: &Job) -> Outcome {
    let (Some(client), Some(request)) = (sh.client.as_ref(), job.request.as_ref()) else {
        // Cannot happen: the request is journaled before the effect, and there is
        // no upload without a key. Nothing is sent.
        return Outcome::Refused {
            error: internal("no request to send"),
            again: Again::No,
        };
    };
    let result = client.create(request).await;
    classify(sh, job, result)
}

fn classify(sh: &Shared, job: &Job, result: Result<api::Created, api::Error>) -> Outcome {
    match result {
        Ok(created) if api::is_task_id(&created.task_id) => Outcome::Created {
            task_id: created.task_id,
            request_id: created.request_id,
        },
        Ok(created) => {
            tracing::warn!(job = %job.id, "create answered with an unusable task id");
            Outcome::Unclear {
                warning: loc!("engine-warning-create-bad-task-id"),
                request_id: Some(created.request_id).filter(|r| !r.is_empty()),
            }
        }
        Err(
            e @ api::Error::Transport {
                maybe_delivered: false,
                ..
            },
        ) if job.attempts < sh.config.create_attempts => Outcome::Refused {
            // The request never left: nothing can exist.
            error: job_error_from(&e),
            again: Again::AfterPause(loc!("engine-warning-create-not-sent")),
        },
        Err(api::Error::Api(e)) if e.from_service => {
            let error = job_error_from(&api::Error::Api(e.clone()));
            if e.http_status == 400 && !job.reuploaded && mentions_our_upload(job, &e.message) {
                // The service does not have an upload we reused: forget it, upload again.
                forget_uploads(sh, job);
                Outcome::Refused {
                    error,
                    again: Again::AfterUploadingAgain,
                }
            } else if e.is_transient() && job.attempts < sh.config.create_attempts {
                let warning = if e.is_throttling() {
                    loc!("engine-warning-account-busy")
                } else {
                    loc!(
                        "engine-warning-create-retry",
                        error = e.describe(),
                        advice = e.advice()
                    )
                };
                Outcome::Refused {
                    error,
                    again: Again::AfterPause(warning),
                }
            } else {
                Outcome::Refused {
                    error,
                    again: Again::No,
                }
            }
        }
        Err(e @ api::Error::Invalid(_)) => Outcome::Refused {
            error: job_error_from(&e),
            again: Again::No,
        },
        Err(
            e @ api::Error::Transport {
                maybe_delivered: false,
                ..
            },
        ) => Outcome::Refused {
            error: job_error_from(&e),
            again: Again::No,
        },
        Err(e) => {
            tracing::warn!(job = %job.id, "create unconfirmed: {e}");
            Outcome::Unclear {
                warning: loc!(
                    "engine-warning-create-unclear",
                    error = e.describe_with_request_id()
                ),
                request_id: e.request_id().map(str::to_string),
            }
        }
    }
}

/// The service's message names one of the `oss://` URLs this job sent.
fn mentions_our_upload(job: &Job, message: &str) -> bool {
    job.request.as_ref().is_some_and(|r| {
        r.input
            .media
            .iter()
            .any(|m| api::types::is_oss_url(&m.url) && message.contains(&m.url))
    })
}

fn forget_uploads(sh: &Shared, job: &Job) {
    let Some(request) = &job.request else {
        return;
    };
    let store = lock(&sh.store);
    for media in request
        .input
        .media
        .iter()
        .filter(|m| api::types::is_oss_url(&m.url))
    {
        if let Err(e) = store.forget_upload(&media.url) {
            tracing::warn!("upload cache: {e}");
        }
    }
}
