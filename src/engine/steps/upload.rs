//! Keeps every reference in the reference archive (its hash journaled with the
//! job first), uploads local references to the service's temporary storage
//! (reusing uploads of the same content for 48 h) and builds the exact create
//! request.

use super::{internal, job_error_from, retry_idempotent};
use crate::api::types::UploadPolicy;
use crate::api::{self, Client, CreateTaskRequest};
use crate::core::RefSource;
use crate::core::capabilities::UPLOAD_LIFETIME_SECS;
use crate::engine::Event;
use crate::engine::images::{self, content_hash};
use crate::engine::job::{Job, JobError};
use crate::engine::machine::Outcome;
use crate::engine::references;
use crate::engine::schedule::backoff;
use crate::engine::shared::{Shared, lock};
use crate::loc;
use std::path::PathBuf;
use std::sync::Arc;

/// The largest reference file read at all. The service takes at most 20 MB and
/// 10000 px a side; anything far above that is not a picture to send (and would
/// only fill the memory).
pub const MAX_REFERENCE_BYTES: u64 = 200 * 1000 * 1000;

pub(in crate::engine) async fn run(sh: &Arc<Shared>, client: &Client, job: &mut Job) -> Outcome {
    let locals = match keep_references(sh, job).await {
        Ok(locals) => locals,
        Err(error) => return Outcome::Unsendable(error),
    };
    let urls = match upload_references(sh, client, job, locals).await {
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

/// A local reference's content, read once for the archive and the upload.
struct Local {
    bytes: Arc<Vec<u8>>,
    hash: String,
}

/// Reads every local reference and fetches every link (at once), journals
/// their hashes with the job, then keeps them in the reference archive: a
/// clean-up of the archive that reads the journal meanwhile keeps them. A link
/// that cannot be fetched, or an archive that cannot be written, is told as a
/// notice; the job goes on (the service fetches links itself).
async fn keep_references(sh: &Arc<Shared>, job: &mut Job) -> Result<Vec<Option<Local>>, JobError> {
    let reads = job
        .spec
        .references
        .iter()
        .enumerate()
        .map(|(index, r)| read_reference(sh, job, index, &r.source));
    let contents = futures_util::future::try_join_all(reads).await?;
    let hashes: Vec<Option<String>> = contents.iter().map(|c| c.hash.clone()).collect();
    if job.reference_hashes != hashes {
        job.reference_hashes = hashes;
        // Journal trouble is told by `save` itself; the next step stops the job.
        sh.save(job).ok();
    }
    let mut locals = Vec::with_capacity(contents.len());
    for (index, content) in contents.into_iter().enumerate() {
        let (archived, origin) = match content.bytes {
            Some(bytes) => (
                references::keep(sh, bytes, content.origin).await,
                content.local,
            ),
            None => {
                locals.push(None);
                continue;
            }
        };
        if let Err(e) = archived {
            tracing::warn!(job = %job.id, "reference {} not archived: {e}", index + 1);
            sh.notice(
                Some(job.id.clone()),
                loc!(
                    "provenance-notice-not-archived",
                    number = index + 1,
                    error = e.describe()
                ),
            );
        }
        locals.push(origin);
    }
    Ok(locals)
}

/// What was read or fetched of one reference.
struct Content {
    /// The bytes to archive.
    bytes: Option<Arc<Vec<u8>>>,
    hash: Option<String>,
    /// Where a local file was read from.
    origin: Option<PathBuf>,
    /// A local file's content again, for the upload.
    local: Option<Local>,
}

async fn read_reference(
    sh: &Arc<Shared>,
    job: &Job,
    index: usize,
    source: &RefSource,
) -> Result<Content, JobError> {
    let none = Content {
        bytes: None,
        hash: None,
        origin: None,
        local: None,
    };
    let path = match source {
        RefSource::Url(url) => {
            let Some(bytes) = references::fetch(sh, job, index, url).await else {
                return Ok(none);
            };
            let (hash, bytes) = hashed(bytes).await?;
            return Ok(Content {
                bytes: Some(Arc::new(bytes)),
                hash: Some(hash),
                ..none
            });
        }
        RefSource::Local(path) => path.clone(),
    };
    let bytes = read_local(index + 1, &path).await?;
    let (hash, bytes) = hashed(bytes).await?;
    let bytes = Arc::new(bytes);
    Ok(Content {
        bytes: Some(bytes.clone()),
        hash: Some(hash.clone()),
        origin: Some(path),
        local: Some(Local { bytes, hash }),
    })
}

async fn hashed(bytes: Vec<u8>) -> Result<(String, Vec<u8>), JobError> {
    tokio::task::spawn_blocking(move || (content_hash(&bytes), bytes))
        .await
        .map_err(|e| internal(&e.to_string()))
}

/// A local reference's bytes, refused when it is a folder or far too large.
async fn read_local(n: usize, path: &std::path::Path) -> Result<Vec<u8>, JobError> {
    let meta = tokio::fs::metadata(path)
        .await
        .map_err(|e| unreadable(n, e.to_string(), path))?;
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
    tokio::fs::read(path)
        .await
        .map_err(|e| unreadable(n, e.to_string(), path))
}

/// The URL of every reference, in order.
async fn upload_references(
    sh: &Arc<Shared>,
    client: &Client,
    job: &Job,
    locals: Vec<Option<Local>>,
) -> Result<Vec<String>, JobError> {
    let policy: tokio::sync::Mutex<Option<UploadPolicy>> = tokio::sync::Mutex::new(None);
    let uploads =
        job.spec
            .references
            .iter()
            .zip(locals)
            .enumerate()
            .map(|(index, (reference, local))| {
                upload_one(sh, client, job, index, &reference.source, local, &policy)
            });
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
    local: Option<Local>,
    policy: &tokio::sync::Mutex<Option<UploadPolicy>>,
) -> Result<String, JobError> {
    let (path, Local { bytes, hash }) = match (source, local) {
        (RefSource::Url(url), _) => return Ok(url.clone()),
        (RefSource::Local(path), Some(local)) => (path.clone(), local),
        (RefSource::Local(_), None) => return Err(internal("a local reference was not read")),
    };
    let n = index + 1;
    let model = job.spec.model;
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
