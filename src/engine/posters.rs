//! Poster frames: one frame of a finished job's own video, small enough for its
//! row in the jobs list, made in the background and cached beside the journal.
//!
//! - The cache is `<data dir>/posters/<job id>-<video bytes>-<video mtime ms>.png`:
//!   a video replaced by another file gets a new poster, and a cached poster is
//!   read back instead of decoding the video again. The job's posters go when the
//!   job is removed.
//! - A video that is not where the job says (moved or deleted) is reported as
//!   such, whether or not a poster of it is cached.
//! - Decoding reads the file and runs the H.264 decoder: it always runs in
//!   `spawn_blocking`, one decode at a time for the whole process (the machine
//!   may have two cores, and the player decodes too). The turn is waited for on
//!   the blocking thread, not in the engine's tasks.
//! - The engine makes the poster right after a download finishes (command-line
//!   jobs get one too); shutting down waits a little for such posters.

use super::Event;
use super::job::{Job, JobId, JobState};
use super::shared::{Shared, lock};
use crate::core::Localized;
use crate::loc;
use crate::video;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The longest side of a poster in pixels: a row shows it at most 100 points
/// wide or 56 tall, so this stays sharp on a screen of two pixels a point.
pub const POSTER_SIDE: u32 = 192;

/// The folder of the poster cache, inside the data folder.
const FOLDER: &str = "posters";

/// One decode at a time for the whole process.
static DECODES: Mutex<()> = Mutex::new(());

/// Posters under way after a download, by data folder (one entry each): the
/// engine of that folder waits for them when it stops.
static PENDING: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// A poster frame, RGBA8 (`width * height * 4` bytes, rows top to bottom), with
/// the aspect ratio of the video.
#[derive(Clone, PartialEq, Eq)]
pub struct Poster {
    pub rgba: Vec<u8>,
    pub width: u32,
    pub height: u32,
}

impl std::fmt::Debug for Poster {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Poster")
            .field("width", &self.width)
            .field("height", &self.height)
            .finish_non_exhaustive()
    }
}

/// Why a job has no poster.
#[derive(Debug, Clone, PartialEq)]
pub enum PosterError {
    /// The job is not in the journal, or has no finished video.
    NoVideo,
    /// The video is not where the job says: moved, renamed or deleted.
    Missing { path: PathBuf },
    /// The video is there but the app cannot show it (damaged, another codec,
    /// unreadable, or a build without the in-app decoder): `reason` says which.
    Undecodable {
        path: PathBuf,
        reason: Box<Localized>,
    },
}

impl PosterError {
    /// What happened and what to do, in both languages.
    pub fn describe(&self) -> Localized {
        match self {
            PosterError::NoVideo => loc!("engine-poster-no-video"),
            PosterError::Missing { path } => {
                loc!("engine-poster-missing", path = path.display().to_string())
            }
            PosterError::Undecodable { reason, .. } => {
                loc!("engine-poster-undecodable", reason = (**reason).clone())
            }
        }
    }
}

/// The answer to `Command::LoadPoster`, made off the engine's thread and sent as
/// `Event::Poster`.
pub(super) fn request(sh: &Arc<Shared>, id: JobId) {
    let sh = sh.clone();
    tokio::spawn(async move {
        let result = match sh.load(&id) {
            Some(job) => load(&sh.config.data_dir, &job).await,
            None => Err(PosterError::NoVideo),
        };
        if let Err(e) = &result {
            tracing::debug!(job = %id, "no poster: {e:?}");
        }
        sh.events.emit(Event::Poster { job: id, result });
    });
}

/// Makes the poster of a job that has just finished its download. Fire and
/// forget: a failure is only logged (the list will say why when it asks).
pub(super) fn after_download(sh: &Arc<Shared>, job: &Job) {
    let data_dir = sh.config.data_dir.clone();
    let job = job.clone();
    let pending = Pending::new(&data_dir);
    tokio::spawn(async move {
        let _pending = pending;
        match load(&data_dir, &job).await {
            Ok(_) => tracing::debug!(job = %job.id, "poster made"),
            Err(e) => tracing::warn!(job = %job.id, "no poster after the download: {e:?}"),
        }
    });
}

/// Waits (at most `limit`) for the posters begun after downloads to be written.
pub(super) async fn wait_for_pending(data_dir: &Path, limit: Duration) {
    let wait = async {
        while lock(&PENDING).iter().any(|d| d == data_dir) {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    };
    if tokio::time::timeout(limit, wait).await.is_err() {
        tracing::warn!("a poster was not finished before the engine stopped");
    }
}

/// Removes every cached poster of a job (its job is being removed).
pub(super) fn forget(data_dir: &Path, id: &JobId) {
    remove_cached(&data_dir.join(FOLDER), &file_stem(id), None);
}

/// One poster under way, registered until dropped.
struct Pending(PathBuf);

impl Pending {
    fn new(data_dir: &Path) -> Pending {
        lock(&PENDING).push(data_dir.to_path_buf());
        Pending(data_dir.to_path_buf())
    }
}

impl Drop for Pending {
    fn drop(&mut self) {
        let mut pending = lock(&PENDING);
        if let Some(i) = pending.iter().position(|d| *d == self.0) {
            pending.swap_remove(i);
        }
    }
}

/// The poster of a finished job: from the cache when it holds one for the video
/// as it is now, else decoded (then cached).
async fn load(data_dir: &Path, job: &Job) -> Result<Arc<Poster>, PosterError> {
    let video = match (&job.state, &job.output_path) {
        (JobState::Done, Some(path)) => path.clone(),
        _ => return Err(PosterError::NoVideo),
    };
    let folder = data_dir.join(FOLDER);
    let stem = file_stem(&job.id);
    // Quick look first: a cached poster needs no decode slot.
    let (v, f, s) = (video.clone(), folder.clone(), stem.clone());
    if let Some(poster) = blocking(move || cached(&v, &f, &s).map(|(_, p)| p)).await? {
        return Ok(Arc::new(poster));
    }
    blocking(move || {
        let _turn = lock(&DECODES);
        // Another request may have made it while this one waited.
        make(&video, &folder, &stem)
    })
    .await
    .map(Arc::new)
}

/// Runs file work and decoding on tokio's blocking threads.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, PosterError> + Send + 'static,
) -> Result<T, PosterError> {
    tokio::task::spawn_blocking(work).await.unwrap_or_else(|e| {
        tracing::error!("poster work stopped: {e}");
        Err(PosterError::NoVideo)
    })
}

/// The cached poster's file name for the video as it is now, and the poster if
/// the cache holds it. Blocking.
fn cached(
    video: &Path,
    folder: &Path,
    stem: &str,
) -> Result<(PathBuf, Option<Poster>), PosterError> {
    let meta = match std::fs::metadata(video) {
        Ok(meta) if meta.is_file() => meta,
        Ok(_) => {
            return Err(PosterError::Missing {
                path: video.to_path_buf(),
            });
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(PosterError::Missing {
                path: video.to_path_buf(),
            });
        }
        Err(e) => {
            return Err(PosterError::Undecodable {
                path: video.to_path_buf(),
                reason: Box::new(video::VideoError::io(&e).describe()),
            });
        }
    };
    let mtime_ms = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_millis());
    let file = folder.join(format!("{stem}-{}-{mtime_ms}.png", meta.len()));
    let poster = read_png(&file);
    Ok((file, poster))
}

/// A cached poster, or nothing if it is absent or unusable (then made anew).
fn read_png(file: &Path) -> Option<Poster> {
    let bytes = std::fs::read(file).ok()?;
    match image::load_from_memory_with_format(&bytes, image::ImageFormat::Png) {
        Ok(image) if image.width().max(image.height()) <= POSTER_SIDE * 4 => {
            let image = image.into_rgba8();
            Some(Poster {
                width: image.width(),
                height: image.height(),
                rgba: image.into_raw(),
            })
        }
        Ok(_) => None,
        Err(e) => {
            tracing::warn!(file = %file.display(), "a cached poster is unreadable: {e}");
            None
        }
    }
}

/// The poster of `video`: from the cache, else decoded and cached (older posters
/// of the job are dropped). Blocking; decodes.
fn make(video: &Path, folder: &Path, stem: &str) -> Result<Poster, PosterError> {
    let (file, cached) = cached(video, folder, stem)?;
    if let Some(poster) = cached {
        return Ok(poster);
    }
    let frame = video::poster(video, POSTER_SIDE).map_err(|e| PosterError::Undecodable {
        path: video.to_path_buf(),
        reason: Box::new(e.describe()),
    })?;
    let poster = Poster {
        rgba: frame.rgba.into_bytes(),
        width: frame.width,
        height: frame.height,
    };
    if let Err(e) = write_png(&file, &poster) {
        // The poster is still shown; it is only made again next time.
        tracing::warn!(file = %file.display(), "a poster could not be cached: {e}");
    } else {
        remove_cached(folder, stem, Some(&file));
    }
    Ok(poster)
}

/// Writes a poster whole or not at all (a temporary file, then a rename).
fn write_png(file: &Path, poster: &Poster) -> Result<(), String> {
    let image = image::RgbaImage::from_raw(poster.width, poster.height, poster.rgba.clone())
        .ok_or("the poster's pixels are incomplete")?;
    let folder = file.parent().ok_or("the cache has no folder")?;
    std::fs::create_dir_all(folder).map_err(|e| e.to_string())?;
    let temporary = file.with_extension("png.part");
    image
        .save_with_format(&temporary, image::ImageFormat::Png)
        .map_err(|e| e.to_string())?;
    std::fs::rename(&temporary, file).map_err(|e| {
        let _ = std::fs::remove_file(&temporary);
        e.to_string()
    })
}

/// Removes the job's cached posters, except `keep`.
fn remove_cached(folder: &Path, stem: &str, keep: Option<&Path>) {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return;
    };
    let prefix = format!("{stem}-");
    for entry in entries.flatten() {
        let path = entry.path();
        let ours = entry
            .file_name()
            .to_str()
            .is_some_and(|name| name.starts_with(&prefix));
        if ours
            && Some(path.as_path()) != keep
            && let Err(e) = std::fs::remove_file(&path)
            && e.kind() != std::io::ErrorKind::NotFound
        {
            tracing::warn!(file = %path.display(), "an old poster could not be removed: {e}");
        }
    }
}

/// The job id as a file name: only letters, digits and dashes (a journal from
/// elsewhere cannot make the cache write outside its folder).
fn file_stem(id: &JobId) -> String {
    id.0.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clip(name: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("assets/test-clips")
            .join(name)
    }

    #[test]
    fn a_job_id_cannot_lead_the_cache_out_of_its_folder() {
        assert_eq!(file_stem(&JobId("../../etc/x".into())), "______etc_x");
        assert_eq!(file_stem(&JobId("0192-abc".into())), "0192-abc");
    }

    #[test]
    fn a_replaced_video_gets_a_new_file_name_and_the_old_poster_goes() {
        let dir = tempfile::tempdir().unwrap();
        let video = dir.path().join("v.mp4");
        let folder = dir.path().join(FOLDER);
        std::fs::copy(clip("flat-colours.mp4"), &video).unwrap();
        let (first, none) = cached(&video, &folder, "job").unwrap();
        assert!(none.is_none());
        std::fs::create_dir_all(&folder).unwrap();
        std::fs::write(&first, b"old").unwrap();
        std::fs::write(folder.join("other-1-2.png"), b"someone else's").unwrap();
        std::fs::copy(clip("black-start.mp4"), &video).unwrap();
        let (second, _) = cached(&video, &folder, "job").unwrap();
        assert_ne!(first, second);
        if video::decoder::built_in() {
            make(&video, &folder, "job").unwrap();
            assert!(second.exists());
            assert!(!first.exists(), "the replaced video's poster stayed");
        }
        assert!(folder.join("other-1-2.png").exists());
    }

    #[test]
    fn stopping_waits_for_the_posters_of_its_own_data_folder_only() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let ours = dir.path().join("ours");
        let theirs = Pending::new(&dir.path().join("theirs"));
        let start = std::time::Instant::now();
        rt.block_on(wait_for_pending(&ours, Duration::from_secs(20)));
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "waited for another engine"
        );
        let pending = Pending::new(&ours);
        let finished = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let flag = finished.clone();
        let worker = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(200));
            flag.store(true, std::sync::atomic::Ordering::SeqCst);
            drop(pending);
        });
        rt.block_on(wait_for_pending(&ours, Duration::from_secs(20)));
        assert!(
            finished.load(std::sync::atomic::Ordering::SeqCst),
            "stopped before the poster was written"
        );
        worker.join().unwrap();
        drop(theirs);
    }

    #[test]
    fn a_damaged_cache_file_is_made_again() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("p.png");
        std::fs::write(&file, b"not a png").unwrap();
        assert!(read_png(&file).is_none());
    }

    #[test]
    fn a_directory_where_the_video_was_is_missing_not_undecodable() {
        let dir = tempfile::tempdir().unwrap();
        let error = cached(dir.path(), &dir.path().join(FOLDER), "job").unwrap_err();
        assert!(matches!(error, PosterError::Missing { .. }));
        assert!(
            error
                .describe()
                .en
                .contains(&dir.path().display().to_string())
        );
    }
}
