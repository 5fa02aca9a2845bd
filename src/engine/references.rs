//! The engine's side of the reference archive (`crate::provenance::archive`):
//! keeping each job's references as the upload step reads or fetches them,
//! and the settings window's chores (the archive's size, its clean-up). All of
//! it off the engine's async threads.

use super::Event;
use super::job::Job;
use super::shared::{Shared, lock};
use crate::core::Localized;
use crate::loc;
use crate::provenance::archive::{Archive, Report};
use crate::provenance::{ProvenanceError, record::unsigned_url};
use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::Arc;

/// The largest linked reference fetched for the archive (the service takes at
/// most 20 MB).
pub const MAX_FETCHED_BYTES: u64 = 30 * 1000 * 1000;

fn archive(sh: &Shared) -> Archive {
    Archive::in_data_dir(&sh.config.data_dir)
}

async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, ProvenanceError> + Send + 'static,
) -> Result<T, ProvenanceError> {
    tokio::task::spawn_blocking(work)
        .await
        .unwrap_or(Err(ProvenanceError::Corrupt(
            "the archive's work was stopped",
        )))
}

/// Keeps `bytes` in the archive, remembering the local file they came from.
pub(super) async fn keep(
    sh: &Shared,
    bytes: Arc<Vec<u8>>,
    origin: Option<PathBuf>,
) -> Result<String, ProvenanceError> {
    let archive = archive(sh);
    blocking(move || archive.put(&bytes, origin.as_deref())).await
}

/// A link's content for the archive, or `None`: not a web link (an `oss://`
/// upload), or it could not be fetched (told as a notice; the job goes on).
pub(super) async fn fetch(sh: &Shared, job: &Job, index: usize, url: &str) -> Option<Vec<u8>> {
    let lower = url.to_ascii_lowercase();
    if !sh.config.archive_links || !(lower.starts_with("http://") || lower.starts_with("https://"))
    {
        return None;
    }
    match fetch_bounded(&sh.http, url, MAX_FETCHED_BYTES).await {
        Ok(bytes) => Some(bytes),
        Err(e) => {
            tracing::warn!(job = %job.id, "reference {} not archived: {e}", index + 1);
            sh.notice(
                Some(job.id.clone()),
                loc!(
                    "provenance-notice-not-archived",
                    number = index + 1,
                    error = e.describe()
                ),
            );
            None
        }
    }
}

/// GETs `url`, refusing more than `max_bytes`. Errors name the link without
/// its query (where signatures are).
pub async fn fetch_bounded(
    http: &reqwest::Client,
    url: &str,
    max_bytes: u64,
) -> Result<Vec<u8>, ProvenanceError> {
    let shown = unsigned_url(url);
    let failed = |detail: String| ProvenanceError::Fetch {
        url: shown.clone(),
        detail,
    };
    let too_large = || ProvenanceError::FetchTooLarge {
        url: shown.clone(),
        limit_mb: max_bytes / 1_000_000,
    };
    let mut response = http
        .get(url)
        .send()
        .await
        .map_err(|e| failed(e.without_url().to_string()))?;
    if !response.status().is_success() {
        return Err(failed(format!("HTTP {}", response.status().as_u16())));
    }
    if response.content_length().is_some_and(|n| n > max_bytes) {
        return Err(too_large());
    }
    let mut bytes = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| failed(e.without_url().to_string()))?
    {
        if (bytes.len() + chunk.len()) as u64 > max_bytes {
            return Err(too_large());
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}

/// Measures the archive; answered by [`Event::Archive`].
pub(super) fn measure(sh: &Arc<Shared>) {
    let sh = sh.clone();
    tokio::spawn(async move {
        let archive = archive(&sh);
        let result = blocking(move || archive.usage())
            .await
            .map(|usage| Report {
                usage,
                removed: None,
            })
            .map_err(|e| e.describe());
        sh.events.emit(Event::Archive(result));
    });
}

/// Removes the archived references no journaled job uses; answered by
/// [`Event::Archive`] with what was removed. The journal is read while the
/// archive is locked: a job that journals a reference meanwhile keeps it.
pub(super) fn prune(sh: &Arc<Shared>) {
    let sh = sh.clone();
    tokio::spawn(async move {
        let archive = archive(&sh);
        let worker = sh.clone();
        let result = tokio::task::spawn_blocking(move || -> Result<Report, Localized> {
            let clean_up = archive.clean_up().map_err(|e| e.describe())?;
            let jobs = lock(&worker.store).all().map_err(|e| e.describe())?;
            let in_use: HashSet<String> = jobs
                .into_iter()
                .flat_map(|j| j.reference_hashes)
                .flatten()
                .collect();
            let removed = clean_up.remove_unused(&in_use).map_err(|e| e.describe())?;
            let usage = archive.usage().map_err(|e| e.describe())?;
            Ok(Report {
                usage,
                removed: Some(removed),
            })
        })
        .await
        .unwrap_or_else(|e| Err(Localized::verbatim(e.to_string())));
        sh.events.emit(Event::Archive(result));
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_fetch_is_bounded_and_its_errors_never_show_the_query() {
        let app =
            axum::Router::new().route("/big.png", axum::routing::get(|| async { vec![7u8; 100] }));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        let http = reqwest::Client::new();
        let url = format!("http://{address}/big.png?Signature=secret");
        assert_eq!(fetch_bounded(&http, &url, 100).await.unwrap().len(), 100);
        let error = fetch_bounded(&http, &url, 99).await.unwrap_err();
        assert!(
            matches!(error, ProvenanceError::FetchTooLarge { .. }),
            "{error:?}"
        );
        let missing = format!("http://{address}/gone.png?Signature=secret");
        let error = fetch_bounded(&http, &missing, 100).await.unwrap_err();
        for text in [error.to_string(), error.describe().en, error.describe().zh] {
            assert!(text.contains("HTTP 404"), "{text}");
            assert!(!text.contains("secret"), "{text}");
        }
    }
}
