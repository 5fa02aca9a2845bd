//! Uploads local references to the service's temporary storage (reusing uploads of
//! the same content for 48 h) and builds the exact create request.

use super::{internal, job_error_from, retry_idempotent};
use crate::api::types::UploadPolicy;
use crate::api::{self, Client, CreateTaskRequest};
use crate::core::RefSource;
use crate::core::capabilities::UPLOAD_LIFETIME_SECS;
use crate::engine::Event;
use crate::engine::images::{self, content_hash};
use crate::engine::job::{Job, JobError};
use crate::engine::machine::Outcome;
use crate::engine::schedule::backoff;
use crate::engine::shared::{Shared, lock};
use crate::loc;
use std::sync::Arc;

/// The largest reference file read at all. The service takes at most 20 MB and
/// 10000 px a side; anything far above that is not a picture to send (and would
/// only fill the memory).
pub const MAX_REFERENCE_BYTES: u64 = 200 * 1000 * 1000;

pub(in crate::engine) async fn run(sh: &Arc<Shared>, client: &Client, job: &Job) -> Outcome {
    let urls = match upload_references(sh, client, job).await {
        Ok(urls) => urls,
        Err(error) => return Outcome::Unsendable(error),
    };
    match CreateTaskRequest::from_spec(&job.spec, &urls) {
        Some(request) => Outcome::Uploaded { request },
        None => Outcome::Unsendable(JobError::local(
            "InvalidSpec",
            loc!("engine-error-invalid-spec"),
            loc!("engine-advice-invalid-spec"),
        )),
    }
}

/// The URL of every reference, in order.
async fn upload_references(
    sh: &Arc<Shared>,
    client: &Client,
    job: &Job,
) -> Result<Vec<String>, JobError> {
    let policy: tokio::sync::Mutex<Option<UploadPolicy>> = tokio::sync::Mutex::new(None);
    let uploads = job
        .spec
        .references
        .iter()
        .enumerate()
        .map(|(index, reference)| upload_one(sh, client, job, index, &reference.source, &policy));
    futures_util::future::try_join_all(uploads).await
}

fn unreadable(n: usize, error: impl Into<String>, path: &std::path::Path) -> JobError {
    JobError::local(
        "FileUnreadable",
        loc!(
            "engine-error-file-unreadable",
            number = n,
            error = error.into(),
            path = path.display().to_string()
        ),
        loc!("engine-advice-file-unreadable"),
    )
}

async fn upload_one(
    sh: &Arc<Shared>,
    client: &Client,
    job: &Job,
    index: usize,
    source: &RefSource,
    policy: &tokio::sync::Mutex<Option<UploadPolicy>>,
) -> Result<String, JobError> {
    let path = match source {
        RefSource::Url(url) => return Ok(url.clone()),
        RefSource::Local(path) => path.clone(),
    };
    let n = index + 1;
    let meta = tokio::fs::metadata(&path)
        .await
        .map_err(|e| unreadable(n, e.to_string(), &path))?;
    if meta.is_dir() {
        return Err(JobError::local(
            "FileUnreadable",
            loc!(
                "engine-error-reference-is-folder",
                number = n,
                path = path.display().to_string()
            ),
            loc!("engine-advice-file-unreadable"),
        ));
    }
    if meta.len() > MAX_REFERENCE_BYTES {
        return Err(JobError::local(
            "FileTooLarge",
            loc!(
                "engine-error-reference-too-large",
                number = n,
                megabytes = meta.len() / 1_000_000,
                limit = MAX_REFERENCE_BYTES / 1_000_000,
                path = path.display().to_string()
            ),
            loc!("engine-advice-reference-too-large"),
        ));
    }
    let bytes = tokio::fs::read(&path)
        .await
        .map_err(|e| unreadable(n, e.to_string(), &path))?;
    let model = job.spec.model;
    let (hash, bytes) = tokio::task::spawn_blocking(move || (content_hash(&bytes), bytes))
        .await
        .map_err(|e| internal(&e.to_string()))?;
    let fresh_after = sh.now_ms() - ((UPLOAD_LIFETIME_SECS - 3600) * 1000) as i64;
    let cached = lock(&sh.store).cached_upload(&hash, model, &sh.scope, fresh_after);
    if let Ok(Some(url)) = cached {
        let total = bytes.len() as u64;
        sh.events.emit(Event::Upload {
            job: job.id.clone(),
            index,
            sent: total,
            total,
        });
        return Ok(url);
    }
    let prepared = tokio::task::spawn_blocking(move || images::prepare_for_upload(&bytes))
        .await
        .map_err(|e| internal(&e.to_string()))?
        .map_err(|issue| {
            let d = issue.describe();
            JobError::local(
                "ImageUnusable",
                loc!(
                    "engine-error-image-unusable",
                    number = n,
                    reason = d.clone(),
                    path = path.display().to_string()
                ),
                d,
            )
        })?;
    let file_name = format!("{}.{}", &hash[..16], prepared.extension);
    let mut attempt = 0;
    loop {
        let current = {
            let mut guard = policy.lock().await;
            match guard.as_ref() {
                Some(p) => p.clone(),
                None => {
                    let fetched = retry_idempotent(sh, || client.upload_policy(model))
                        .await
                        .map_err(|e| job_error_from(&e))?;
                    *guard = Some(fetched.clone());
                    fetched
                }
            }
        };
        let events = sh.events.clone();
        let id = job.id.clone();
        let result = client
            .upload_with_progress(
                &current,
                &file_name,
                prepared.bytes.clone(),
                prepared.content_type,
                move |sent, total| {
                    events.emit(Event::Upload {
                        job: id.clone(),
                        index,
                        sent,
                        total,
                    });
                },
            )
            .await;
        match result {
            Ok(url) => {
                if let Err(e) =
                    lock(&sh.store).record_upload(&hash, model, &sh.scope, &url, sh.now_ms())
                {
                    tracing::warn!("upload cache: {e}");
                }
                return Ok(url);
            }
            // An expired policy: get a new one. Already stored (same content): fine,
            // but the key is in this policy's folder, so a new folder is needed too.
            Err(api::Error::Api(e))
                if attempt < 4 && (e.http_status == 403 || e.http_status == 409) =>
            {
                *policy.lock().await = None;
            }
            Err(e) if attempt < 4 && e.is_transient() => {
                sh.clock
                    .sleep(backoff(attempt, sh.config.max_backoff))
                    .await;
            }
            Err(e) => return Err(job_error_from(&e)),
        }
        attempt += 1;
    }
}
