//! One query of a task, after the pause the schedule asks for.
//!
//! The local clock only schedules: whether a task is gone is decided by the
//! service's answers (UNKNOWN), never by how long ago the computer thinks the task
//! was created.

use super::adopt::{Fit, fit};
use crate::api::error::advice_for;
use crate::api::{Client, TaskStatus};
use crate::core::Localized;
use crate::core::capabilities::{TASK_LIFETIME_SECS, VIDEO_URL_LIFETIME_SECS};
use crate::engine::job::{Job, JobError, JobState};
use crate::engine::machine::{Finished, Outcome, Status};
use crate::engine::schedule::{backoff, expected_duration, next_poll_delay};
use crate::engine::shared::{Halt, Shared, lock};
use crate::loc;
use std::sync::Arc;
use std::time::Duration;

/// What polling remembers between queries of one driver.
#[derive(Debug, Default)]
pub(in crate::engine) struct PollState {
    failures: u32,
    unknowns: u32,
    /// Seen alive: an UNKNOWN after that means the task is gone, not "not yet there".
    seen: bool,
    queried: bool,
}

/// UNKNOWN answers in a row, for a task never seen alive, before it counts as gone.
const UNKNOWNS_BEFORE_GONE: u32 = 5;

pub(in crate::engine) async fn run(
    sh: &Arc<Shared>,
    client: &Client,
    job: &mut Job,
    st: &mut PollState,
) -> Result<Outcome, Halt> {
    let Some(task_id) = job.task_id.clone() else {
        // Cannot happen (a Pending job has a task id); wait for the user.
        return Ok(Outcome::QueryTrouble { warning: None });
    };
    if job.expected_secs.is_none() {
        let past = lock(&sh.store)
            .past_generation_seconds(job.spec.model, job.spec.tier, job.spec.duration)
            .unwrap_or_default();
        let expected = sh
            .config
            .expected_generation
            .unwrap_or_else(|| expected_duration(&past));
        job.expected_secs = Some(expected.as_secs_f64());
        sh.save(job)?;
    }
    let expected = Duration::from_secs_f64(job.expected_secs.unwrap_or(120.0).max(1.0));
    st.seen |= job.state == JobState::Running;
    let created = job.task_created_ms.unwrap_or_else(|| sh.now_ms());
    let elapsed_ms = (sh.now_ms() - created).max(0);
    let delay = if st.failures > 0 {
        backoff(st.failures - 1, sh.config.max_backoff)
    } else if !st.queried && elapsed_ms > 5_000 {
        // Resumed after a pause: ask at once.
        Duration::ZERO
    } else {
        next_poll_delay(Duration::from_millis(elapsed_ms as u64), expected)
            .min(sh.config.max_poll_interval)
    };
    sh.clock.sleep(delay).await;
    sh.limiter.acquire().await;
    let answer = client.query(&task_id).await;
    st.queried = true;
    let answer = match answer {
        Ok(a) => a,
        Err(e) => {
            st.failures += 1;
            let warning = loc!(
                "engine-warning-query-failed",
                error = e.describe_with_request_id(),
                advice = e.advice()
            );
            let show = st.failures >= 2 && job.warning.as_ref() != Some(&warning);
            return Ok(Outcome::QueryTrouble {
                warning: show.then_some(warning),
            });
        }
    };
    st.failures = 0;
    let out = &answer.output;
    job.service_times.submit_time = out
        .submit_time
        .clone()
        .or(job.service_times.submit_time.take());
    job.service_times.scheduled_time = out
        .scheduled_time
        .clone()
        .or(job.service_times.scheduled_time.take());
    if job.adopted == Some(false) && fit(job, &answer) == Fit::Mismatch {
        return Ok(Outcome::Mismatch {
            why: loc!("engine-warning-adopted-mismatch", task = task_id),
        });
    }
    let now = sh.now_ms();
    let status = match out.task_status {
        TaskStatus::Pending => {
            st.unknowns = 0;
            Status::Pending
        }
        TaskStatus::Running | TaskStatus::Suspended | TaskStatus::Other => {
            st.unknowns = 0;
            st.seen = true;
            Status::Running
        }
        TaskStatus::Succeeded => {
            let usage = answer.usage.as_ref();
            let raw_usage = usage.map(|u| {
                serde_json::json!({"duration": u.duration, "size": u.size, "fps": u.fps, "SR": u.sr, "audio": u.audio, "video_count": u.video_count})
            });
            Status::Succeeded(Box::new(Finished {
                video_url: out.video_url.clone(),
                video_url_expires_ms: Some(now + (VIDEO_URL_LIFETIME_SECS * 1000) as i64),
                end_time: out.end_time.clone(),
                billed_seconds: usage.and_then(|u| u.duration),
                usage: raw_usage,
                request_id: answer.request_id.clone(),
            }))
        }
        TaskStatus::Failed => {
            let code = out.code.clone().filter(|c| !c.is_empty());
            let message = out.message.clone().filter(|m| !m.is_empty());
            let advice = advice_for(code.as_deref().unwrap_or("TaskFailed"), 200);
            job.service_times.end_time = out.end_time.clone();
            Status::Failed(Box::new(JobError {
                code: code.unwrap_or_else(|| "TaskFailed".into()),
                message: message
                    .map(|m| Localized::from_network(&m))
                    .unwrap_or_else(|| loc!("engine-error-task-failed")),
                advice,
                request_id: Some(answer.request_id.clone()).filter(|r| !r.is_empty()),
            }))
        }
        TaskStatus::Canceled => Status::Canceled,
        TaskStatus::Unknown => {
            st.unknowns += 1;
            // Right after creation the service may not know the id yet; near the end
            // of its life it has forgotten it. The service's answer decides.
            let life_ms = (TASK_LIFETIME_SECS * 1000) as i64;
            let near_end = elapsed_ms >= life_ms - 3_600_000 && st.unknowns >= 2;
            Status::Unknown {
                gone: st.seen || near_end || st.unknowns >= UNKNOWNS_BEFORE_GONE,
            }
        }
    };
    Ok(Outcome::Status(status))
}
