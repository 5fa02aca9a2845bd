//! Downloads the video: streams into `<name>.mp4.part`, resumes with HTTP Range
//! after a cut, asks for a fresh link when one fails, checks that what arrived is
//! an MP4 of the announced length, then renames it, writes the job's settings
//! into it (crate::provenance) and writes the sidecar.
//!
//! Each call makes one attempt and reports it. The local clock decides nothing
//! here: only the service (UNKNOWN on a refresh) says a video is gone.

use crate::api::{self, Client, TaskStatus};
use crate::core::Localized;
use crate::core::capabilities::VIDEO_URL_LIFETIME_SECS;
use crate::engine::Event;
use crate::engine::job::{Job, JobError, JobState};
use crate::engine::machine::Outcome;
use crate::engine::output::{self, part_path};
use crate::engine::shared::{Halt, Shared};
use crate::loc;
use crate::provenance::{self, ProvenanceError};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::AsyncWriteExt;

/// No video of this service comes near this size (a 15 s 1080p clip is tens of
/// MB): a larger announcement is refused before a byte is written.
pub const MAX_VIDEO_BYTES: u64 = 4 * 1024 * 1024 * 1024;
/// Room left free on the disk besides the video.
const DISK_MARGIN_BYTES: u64 = 64 * 1024 * 1024;
/// Unusable links (not http, absurd size, not an MP4) in a row before failing.
const BAD_LINKS_BEFORE_FAILING: u32 = 3;
/// Failed attempts before the job shows a warning (it keeps trying).
const FAILURES_BEFORE_WARNING: u32 = 3;

/// What one driver remembers between download attempts.
#[derive(Debug, Default)]
pub(in crate::engine) struct DownloadState {
    pub failures: u32,
    bad_links: u32,
}

pub(in crate::engine) async fn run(
    sh: &Arc<Shared>,
    client: &Client,
    job: &mut Job,
    st: &mut DownloadState,
) -> Result<Outcome, Halt> {
    // A vanished output folder is made again; one that cannot be made is said at once.
    if let Err(e) = tokio::fs::create_dir_all(&job.output_dir).await {
        return Ok(output_trouble(&e, &job.output_dir));
    }
    let Some(final_path) = job.output_path.clone() else {
        let date = sh.clock.local_date();
        let path = output::free_video_path(&job.output_dir, &output::base_name(job, &date));
        return Ok(Outcome::DownloadStarting { path });
    };
    if job.state == JobState::Succeeded {
        return Ok(Outcome::DownloadStarting { path: final_path });
    }
    if let Some(dir) = final_path.parent()
        && let Err(e) = tokio::fs::create_dir_all(dir).await
    {
        return Ok(output_trouble(&e, dir));
    }
    let part = part_path(&final_path);
    let have = file_len(&part).await;
    // Complete on disk (a crash before the rename), or renamed but not yet journaled.
    if let Some(total) = job.video_bytes.filter(|t| *t > 0) {
        if have == total {
            return finish(sh, job, st, &part, &final_path, total).await;
        }
        if have == 0 && !part.exists() && is_complete(job, &final_path, total).await {
            return Ok(finished(sh, job, &final_path, total).await);
        }
    }
    if st.failures > 0 {
        sh.clock
            .sleep(crate::engine::schedule::backoff(
                st.failures - 1,
                sh.config.max_backoff,
            ))
            .await;
    }
    let Some(url) = job.video_url.clone() else {
        return Ok(refresh_link(sh, client, job, st).await);
    };
    let response = match client.download(&url, have).await {
        Ok(r) => r,
        Err(api::Error::Api(e)) if matches!(e.http_status, 403 | 404 | 410) => {
            return Ok(refresh_link(sh, client, job, st).await);
        }
        Err(api::Error::Api(e)) if e.http_status == 416 => {
            // The range starts past the end: what we have is suspect. Start over.
            remove(&part).await;
            return Ok(trouble(st, None));
        }
        Err(e @ api::Error::Invalid(_)) => {
            return Ok(bad_link(st, job, e.describe()));
        }
        Err(e) => {
            tracing::info!(job = %job.id, "download: {e}");
            let warning = loc!(
                "engine-warning-download-trouble",
                error = e.describe_with_request_id(),
                advice = e.advice()
            );
            return Ok(trouble(st, Some(warning)));
        }
    };
    let Some(span) = Span::of(&response, have) else {
        // A 206 that does not start where asked (or says nowhere): discard it and
        // start again from the beginning.
        tracing::info!(job = %job.id, "download: a partial answer did not fit; starting over");
        remove(&part).await;
        return Ok(trouble(st, None));
    };
    if let Some(total) = span.total {
        if total > MAX_VIDEO_BYTES {
            return Ok(bad_link(
                st,
                job,
                loc!(
                    "engine-error-video-too-large",
                    megabytes = total / (1024 * 1024)
                ),
            ));
        }
        // A later answer never shrinks the known size.
        if job.video_bytes.is_some_and(|known| total < known) {
            remove(&part).await;
            job.video_url = None;
            return Ok(trouble(st, None));
        }
        if let Some(free) = free_space(&final_path)
            && free < total.saturating_sub(span.start) + DISK_MARGIN_BYTES
        {
            return Ok(Outcome::OutputTrouble(JobError::local(
                "DiskFull",
                loc!(
                    "engine-error-disk-full",
                    megabytes = total.saturating_sub(span.start) / (1024 * 1024),
                    free = free / (1024 * 1024),
                    path = job.output_dir.display().to_string()
                ),
                loc!("engine-advice-disk-full"),
            )));
        }
        if job.video_bytes != Some(total) {
            job.video_bytes = Some(total);
            sh.save(job)?;
        }
    }
    match stream_to_part(sh, job, response, &part, span).await {
        Ok(()) => {}
        Err(Cut::Disk(e)) => return Ok(output_trouble(&e, &job.output_dir)),
        Err(Cut::Network(detail)) => {
            tracing::info!(job = %job.id, "download cut: {detail}");
            return Ok(trouble(st, None));
        }
    }
    let len = file_len(&part).await;
    match span.total {
        Some(t) if len < t => return Ok(trouble(st, None)),
        Some(t) if len > t => {
            remove(&part).await;
            return Ok(trouble(st, None));
        }
        _ => {}
    }
    finish(sh, job, st, &part, &final_path, len).await
}

/// Where an answer's bytes start and the whole file's length.
#[derive(Debug, Clone, Copy)]
struct Span {
    start: u64,
    total: Option<u64>,
}

impl Span {
    /// `None` when the answer cannot be appended to what we have.
    fn of(response: &reqwest::Response, asked_from: u64) -> Option<Span> {
        let status = response.status().as_u16();
        if status != 206 {
            // The whole file (a server that ignores Range starts from 0 again).
            return Some(Span {
                start: 0,
                total: response.content_length(),
            });
        }
        let range = response
            .headers()
            .get(reqwest::header::CONTENT_RANGE)?
            .to_str()
            .ok()?;
        let (start, total) = parse_content_range(range)?;
        (start == asked_from).then_some(Span { start, total })
    }
}

/// `bytes 100-199/1000` → (100, Some(1000)); `bytes 100-199/*` → (100, None).
fn parse_content_range(value: &str) -> Option<(u64, Option<u64>)> {
    let spec = value.trim().strip_prefix("bytes ")?;
    let (span, total) = spec.split_once('/')?;
    let (start, end) = span.split_once('-')?;
    let start: u64 = start.trim().parse().ok()?;
    let end: u64 = end.trim().parse().ok()?;
    if end < start {
        return None;
    }
    Some((start, total.trim().parse().ok()))
}

fn trouble(st: &mut DownloadState, warning: Option<Localized>) -> Outcome {
    st.failures += 1;
    Outcome::DownloadTrouble {
        warning: warning.filter(|_| st.failures >= FAILURES_BEFORE_WARNING),
    }
}

/// A link that cannot give the video: ask the service for the link again, and give
/// up only when it keeps giving such links.
fn bad_link(st: &mut DownloadState, job: &mut Job, why: Localized) -> Outcome {
    st.bad_links += 1;
    st.failures += 1;
    tracing::warn!(job = %job.id, "unusable video link: {why}");
    if st.bad_links >= BAD_LINKS_BEFORE_FAILING {
        return Outcome::DownloadFailed(JobError::local(
            "BadVideoLink",
            why,
            loc!("engine-advice-bad-video-link"),
        ));
    }
    job.video_url = None;
    Outcome::DownloadTrouble {
        warning: Some(loc!("engine-warning-bad-video", reason = why)),
    }
}

fn output_trouble(e: &std::io::Error, dir: &Path) -> Outcome {
    let (code, message) = match e.kind() {
        std::io::ErrorKind::StorageFull | std::io::ErrorKind::QuotaExceeded => (
            "DiskFull",
            loc!(
                "engine-error-output-full",
                error = e.to_string(),
                path = dir.display().to_string()
            ),
        ),
        std::io::ErrorKind::PermissionDenied | std::io::ErrorKind::ReadOnlyFilesystem => (
            "OutputReadOnly",
            loc!(
                "engine-error-output-read-only",
                error = e.to_string(),
                path = dir.display().to_string()
            ),
        ),
        _ => (
            "OutputFolder",
            loc!(
                "engine-error-output-folder",
                error = e.to_string(),
                path = dir.display().to_string()
            ),
        ),
    };
    Outcome::OutputTrouble(JobError::local(
        code,
        message,
        loc!("engine-advice-output-folder"),
    ))
}

async fn refresh_link(
    sh: &Arc<Shared>,
    client: &Client,
    job: &mut Job,
    st: &mut DownloadState,
) -> Outcome {
    let Some(task_id) = job.task_id.clone() else {
        return Outcome::VideoGone;
    };
    sh.limiter.acquire().await;
    match client.query(&task_id).await {
        Ok(answer) => match answer.output.task_status {
            TaskStatus::Succeeded if answer.output.video_url.is_some() => Outcome::LinkRefreshed {
                url: answer.output.video_url.unwrap_or_default(),
                expires_ms: sh.now_ms() + (VIDEO_URL_LIFETIME_SECS * 1000) as i64,
            },
            TaskStatus::Unknown => Outcome::VideoGone,
            _ => trouble(st, None),
        },
        Err(e) => {
            tracing::info!(job = %job.id, "link refresh: {e}");
            let warning = loc!(
                "engine-warning-download-trouble",
                error = e.describe_with_request_id(),
                advice = e.advice()
            );
            trouble(st, Some(warning))
        }
    }
}

enum Cut {
    /// Writing failed: the disk or the folder is the trouble.
    Disk(std::io::Error),
    Network(String),
}

async fn stream_to_part(
    sh: &Arc<Shared>,
    job: &Job,
    mut response: reqwest::Response,
    part: &Path,
    span: Span,
) -> Result<(), Cut> {
    let mut file = tokio::fs::OpenOptions::new()
        .create(true)
        .write(true)
        .truncate(span.start == 0)
        .append(span.start > 0)
        .open(part)
        .await
        .map_err(Cut::Disk)?;
    let mut received = span.start;
    let started = tokio::time::Instant::now();
    let mut last_report = started;
    let mut result = Ok(());
    let report = |received: u64| {
        let secs = started.elapsed().as_secs_f64().max(0.001);
        sh.events.emit(Event::Download {
            job: job.id.clone(),
            received,
            total: span.total,
            bytes_per_sec: (received - span.start) as f64 / secs,
        });
    };
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                if span
                    .total
                    .is_some_and(|t| received + chunk.len() as u64 > t)
                    || received + chunk.len() as u64 > MAX_VIDEO_BYTES
                {
                    result = Err(Cut::Network("more bytes than announced".into()));
                    break;
                }
                if let Err(e) = file.write_all(&chunk).await {
                    result = Err(Cut::Disk(e));
                    break;
                }
                received += chunk.len() as u64;
                if last_report.elapsed() >= Duration::from_millis(100) {
                    last_report = tokio::time::Instant::now();
                    report(received);
                }
            }
            Ok(None) => break,
            Err(e) => {
                result = Err(Cut::Network(e.to_string()));
                break;
            }
        }
    }
    // Keep what arrived, on disk, even after a cut: the next attempt resumes from it.
    let flushed = async {
        file.flush().await?;
        file.sync_all().await
    }
    .await;
    report(received);
    match (result, flushed) {
        (Err(e), _) => Err(e),
        (Ok(()), Err(e)) => Err(Cut::Disk(e)),
        (Ok(()), Ok(())) => Ok(()),
    }
}

/// Checks the part is an MP4, renames it, writes the sidecar.
async fn finish(
    sh: &Arc<Shared>,
    job: &mut Job,
    st: &mut DownloadState,
    part: &Path,
    final_path: &Path,
    bytes: u64,
) -> Result<Outcome, Halt> {
    if !looks_like_mp4(part).await {
        // A web page or an error served with 200: not the video. Ask for the link
        // again and try once more.
        remove(part).await;
        job.video_bytes = None;
        let outcome = bad_link(st, job, loc!("engine-error-not-a-video"));
        sh.save(job)?;
        return Ok(outcome);
    }
    if let Err(e) = tokio::fs::rename(part, final_path).await {
        return Ok(output_trouble(&e, &job.output_dir));
    }
    if let Some(dir) = final_path.parent()
        && let Ok(d) = tokio::fs::File::open(dir).await
    {
        // Make the rename itself durable.
        if let Err(e) = d.sync_all().await {
            tracing::warn!("sync of {}: {e}", dir.display());
        }
    }
    Ok(finished(sh, job, final_path, bytes).await)
}

/// The video is in place under its final name: as downloaded, or already with
/// this job's settings in it (the app stopped after writing them).
async fn is_complete(job: &Job, video: &Path, total: u64) -> bool {
    if file_len(video).await == total {
        return true;
    }
    let (video, id) = (video.to_path_buf(), job.id.0.clone());
    tokio::task::spawn_blocking(move || provenance::is_tagged_for(&video, &id))
        .await
        .unwrap_or(false)
}

/// Writes the job's settings into the finished video. A failure leaves the
/// video as downloaded (the job is done all the same) and is told as a notice.
async fn tag(sh: &Shared, job: &Job, video: &Path) {
    let (path, record) = (video.to_path_buf(), job.clone());
    let result = tokio::task::spawn_blocking(move || provenance::tag_video(&path, &record))
        .await
        .unwrap_or_else(|e| {
            Err(ProvenanceError::Corrupt(if e.is_panic() {
                "the tagger panicked"
            } else {
                "the tagger was stopped"
            }))
        });
    if let Err(e) = result {
        tracing::warn!(job = %job.id, "settings not written into {}: {e}", video.display());
        sh.notice(
            Some(job.id.clone()),
            loc!(
                "provenance-notice-not-tagged",
                error = e.describe(),
                path = video.display().to_string()
            ),
        );
    }
}

/// The video is in place: write the settings into it and its sidecar, and report.
async fn finished(sh: &Shared, job: &Job, video: &Path, bytes: u64) -> Outcome {
    tag(sh, job, video).await;
    let sidecar_path = video.with_extension("json");
    let text =
        serde_json::to_string_pretty(&output::sidecar(job, Some(sh.now_ms()))).unwrap_or_default();
    let tmp = sidecar_path.with_extension("json.part");
    let written = async {
        tokio::fs::write(&tmp, text.as_bytes()).await?;
        tokio::fs::rename(&tmp, &sidecar_path).await
    }
    .await;
    Outcome::Downloaded {
        bytes,
        sidecar: written
            .map(|()| sidecar_path)
            .map_err(|e| Localized::verbatim(e.to_string())),
    }
}

/// An MP4 (ISO base media file) starts with a box whose type is `ftyp` (or, in old
/// or streaming files, another top-level box).
async fn looks_like_mp4(path: &Path) -> bool {
    use tokio::io::AsyncReadExt;
    let Ok(mut file) = tokio::fs::File::open(path).await else {
        return false;
    };
    let mut head = [0u8; 12];
    if file.read_exact(&mut head).await.is_err() {
        return false;
    }
    matches!(
        &head[4..8],
        b"ftyp" | b"moov" | b"mdat" | b"free" | b"skip" | b"wide" | b"styp"
    )
}

async fn file_len(path: &Path) -> u64 {
    tokio::fs::metadata(path)
        .await
        .map(|m| m.len())
        .unwrap_or(0)
}

async fn remove(path: &Path) {
    if let Err(e) = tokio::fs::remove_file(path).await
        && e.kind() != std::io::ErrorKind::NotFound
    {
        tracing::warn!("remove {}: {e}", path.display());
    }
}

/// Free bytes where `path` will be written, where the system tells.
fn free_space(path: &Path) -> Option<u64> {
    let dir = path.parent()?;
    fs4::available_space(dir).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_ranges_are_read_strictly() {
        assert_eq!(
            parse_content_range("bytes 100-199/1000"),
            Some((100, Some(1000)))
        );
        assert_eq!(parse_content_range("bytes 0-9/*"), Some((0, None)));
        assert_eq!(parse_content_range("bytes 10-5/100"), None);
        assert_eq!(parse_content_range("items 0-1/2"), None);
        assert_eq!(parse_content_range(""), None);
    }
}
