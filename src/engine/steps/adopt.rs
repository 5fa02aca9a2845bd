//! After an unclear create: look for the task it may have made in the account's
//! task list, and adopt it only when it is certainly this job's.
//!
//! The service's clock is not the computer's: it is estimated from the service's
//! `Date` header, and without one the window is wide. Every candidate is then
//! checked against the job (its prompt, size and length, as far as the service
//! tells them), so that a task made by another program or person on the same
//! account is never taken for this job's. "Not found" never means "nothing was
//! created": the user is told the task may still show up.

use super::retry_idempotent;
use crate::api::Client;
use crate::api::types::{ListFilter, TaskResponse};
use crate::core::capabilities::SERVICE_UTC_OFFSET_HOURS;
use crate::engine::job::Job;
use crate::engine::machine::Outcome;
use crate::engine::shared::{Shared, lock};
use crate::loc;
use chrono::Offset as _;
use std::sync::Arc;

/// How far apart the computer's and the service's clocks may be when the service
/// does not tell its time.
const UNKNOWN_SKEW_MS: i64 = 15 * 60 * 1000;
/// The margin around the attempt when the service's clock is known (the `Date`
/// header has whole seconds; the call itself takes time).
const KNOWN_SKEW_MS: i64 = 30 * 1000;
/// Candidates checked one by one (each is a query).
const MAX_CHECKED: usize = 5;

/// How well a task fits a job.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(in crate::engine) enum Fit {
    /// The service told its prompt (or size and length) and they match.
    Confirmed,
    /// Something the service told differs: not this job's task.
    Mismatch,
    /// The service told nothing to compare yet.
    Unknown,
}

/// Compares what a query tells about a task with what the job asked for.
pub(in crate::engine) fn fit(job: &Job, answer: &TaskResponse) -> Fit {
    let usage = answer.usage.as_ref();
    fit_of(
        job,
        answer.output.orig_prompt.as_deref(),
        usage.and_then(|u| u.size.as_deref()),
        usage.and_then(|u| u.duration),
    )
}

/// Compares a task's prompt, size and length (each where known) with the job's.
fn fit_of(job: &Job, prompt: Option<&str>, size: Option<&str>, seconds: Option<f64>) -> Fit {
    let Some(request) = &job.request else {
        return Fit::Unknown;
    };
    if let Some(prompt) = prompt
        && prompt.trim() != request.input.prompt.trim()
    {
        return Fit::Mismatch;
    }
    let norm = |s: &str| s.replace(['x', 'X', '×'], "*");
    if let Some(size) = size
        && norm(size) != norm(&request.parameters.size)
    {
        return Fit::Mismatch;
    }
    if let Some(seconds) = seconds
        && (seconds - f64::from(request.parameters.duration)).abs() > 1.0
    {
        return Fit::Mismatch;
    }
    if prompt.is_some() || (size.is_some() && seconds.is_some()) {
        Fit::Confirmed
    } else {
        Fit::Unknown
    }
}

pub(in crate::engine) async fn run(sh: &Arc<Shared>, client: &Client, job: &Job) -> Outcome {
    let started = job.submit_started_ms.unwrap_or(job.created_ms);
    let mut why = loc!("engine-adopt-none");
    for delay in sh.config.adopt_delays.clone() {
        sh.clock.sleep(delay).await;
        match look(sh, client, job, started).await {
            Look::Found { task_id, confirmed } => {
                return Outcome::Adopted { task_id, confirmed };
            }
            Look::Unreadable(text) => return Outcome::NotAdopted { why: text },
            Look::Several(count) => {
                return Outcome::NotAdopted {
                    why: loc!("engine-adopt-ambiguous", count = count),
                };
            }
            Look::None { foreign } if foreign > 0 => {
                why = loc!("engine-adopt-only-foreign", count = foreign);
            }
            Look::None { .. } => {}
        }
    }
    Outcome::NotAdopted { why }
}

enum Look {
    Found { task_id: String, confirmed: bool },
    None { foreign: usize },
    Several(usize),
    Unreadable(crate::core::Localized),
}

async fn look(sh: &Arc<Shared>, client: &Client, job: &Job, started: i64) -> Look {
    let now = sh.now_ms();
    // Ask wide (in the service's time zone and as far as its clock may be off),
    // then filter precisely once its clock is known.
    let filter = ListFilter {
        start_time: Some(service_time(started - UNKNOWN_SKEW_MS)),
        end_time: Some(service_time(now + UNKNOWN_SKEW_MS)),
        model_name: Some(job.spec.model.wire_name().to_string()),
        page_size: 100,
        ..ListFilter::default()
    };
    sh.limiter.acquire().await;
    let listed = match retry_idempotent(sh, || client.list(&filter)).await {
        Ok(l) => l,
        Err(e) => {
            return Look::Unreadable(loc!(
                "engine-adopt-list-unreadable",
                error = e.describe_with_request_id()
            ));
        }
    };
    // The service's clock minus ours, if it told it.
    let offset = client.last_service_date_ms().map(|d| d - sh.now_ms());
    let now = sh.now_ms();
    let known = lock(&sh.store).known_task_ids().unwrap_or_default();
    let in_window = |created_on_service: u64| {
        let created = created_on_service as i64;
        match offset {
            Some(off) => {
                let local = created - off;
                local >= started - KNOWN_SKEW_MS && local <= now + KNOWN_SKEW_MS
            }
            None => created >= started - UNKNOWN_SKEW_MS && created <= now + UNKNOWN_SKEW_MS,
        }
    };
    let candidates: Vec<(String, Fit)> = listed
        .data
        .iter()
        .filter(|t| !known.contains(&t.task_id) && !job.foreign_tasks.contains(&t.task_id))
        .filter(|t| crate::api::is_task_id(&t.task_id))
        .filter(|t| {
            t.model_name
                .as_deref()
                .is_none_or(|m| m == job.spec.model.wire_name())
        })
        .filter(|t| t.gmt_create.is_none_or(in_window))
        .map(|t| {
            let fit = fit_of(job, t.orig_prompt.as_deref(), t.size.as_deref(), t.duration);
            (t.task_id.clone(), fit)
        })
        .collect();
    let mut foreign = candidates
        .iter()
        .filter(|(_, f)| *f == Fit::Mismatch)
        .count();
    let unchecked = candidates
        .iter()
        .filter(|(_, f)| *f == Fit::Unknown)
        .count();
    if unchecked > MAX_CHECKED {
        return Look::Several(candidates.len() - foreign);
    }
    let mut fitting = Vec::new();
    for (task_id, listed_fit) in candidates {
        let fit = match listed_fit {
            Fit::Unknown => {
                sh.limiter.acquire().await;
                match retry_idempotent(sh, || client.query(&task_id)).await {
                    Ok(answer) => fit(job, &answer),
                    Err(e) => {
                        tracing::info!(job = %job.id, "checking candidate {task_id}: {e}");
                        Fit::Unknown
                    }
                }
            }
            known => known,
        };
        match fit {
            Fit::Mismatch => foreign += usize::from(listed_fit != Fit::Mismatch),
            fit => fitting.push((task_id, fit)),
        }
    }
    let confirmed: Vec<&(String, Fit)> = fitting
        .iter()
        .filter(|(_, f)| *f == Fit::Confirmed)
        .collect();
    match (fitting.as_slice(), confirmed.as_slice()) {
        ([(only, fit)], _) => Look::Found {
            task_id: only.clone(),
            confirmed: *fit == Fit::Confirmed,
        },
        (_, [(only, _)]) => Look::Found {
            task_id: only.clone(),
            confirmed: true,
        },
        ([], _) => Look::None { foreign },
        (several, _) => Look::Several(several.len()),
    }
}

/// `YYYYMMDDhhmmss` in the service's time zone.
fn service_time(ms: i64) -> String {
    let offset = chrono::FixedOffset::east_opt(i32::from(SERVICE_UTC_OFFSET_HOURS) * 3600)
        .unwrap_or(chrono::Utc.fix());
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.with_timezone(&offset).format("%Y%m%d%H%M%S").to_string())
        .unwrap_or_default()
}
