//! Asks the service to cancel a task (it cancels only PENDING ones).

use crate::api::{self, Client};
use crate::engine::job::Job;
use crate::engine::machine::{CancelAnswer, Outcome};
use crate::engine::shared::Shared;
use crate::loc;
use std::sync::Arc;

pub(in crate::engine) async fn run(sh: &Arc<Shared>, client: &Client, job: &Job) -> Outcome {
    let Some(task_id) = job.task_id.clone() else {
        return Outcome::ServiceCancel(CancelAnswer::Failed(loc!("engine-notice-cancel-no-task")));
    };
    sh.limiter.acquire().await;
    Outcome::ServiceCancel(match client.cancel(&task_id).await {
        Ok(_) => CancelAnswer::Done,
        Err(api::Error::Api(e)) if e.code == "UnsupportedOperation" => CancelAnswer::TooLate,
        Err(e) => CancelAnswer::Failed(loc!(
            "engine-notice-cancel-failed",
            error = e.describe_with_request_id(),
            advice = e.advice()
        )),
    })
}
