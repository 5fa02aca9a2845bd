//! What can go wrong when settings go into or come out of a video, or when the
//! reference archive is used. The `Display` text is for logs; [`describe`]
//! (ProvenanceError::describe) is for people, in both languages.

use crate::core::Localized;
use crate::loc;
use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum ProvenanceError {
    #[error("could not read the file: {source}: {path}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("could not write the file: {source}: {path}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the file is empty")]
    Empty,
    #[error("the file is not an MP4 video")]
    NotMp4,
    /// What was found damaged, in English (for the log and the message's detail).
    #[error("the MP4 is damaged: {0}")]
    Corrupt(&'static str),
    #[error("the MP4 has no index (moov box); it may be incomplete")]
    NoIndex,
    #[error("the MP4 is fragmented (streaming layout), which the app does not tag")]
    Fragmented,
    #[error("the MP4's index is too large to read ({0} bytes)")]
    IndexTooLarge(u64),
    #[error("the settings are too large to store in the video ({0} bytes)")]
    TagTooLarge(usize),
    /// The video holds no settings of ours.
    #[error("this video was not made by R2V Studio or has lost its settings")]
    NoSettings,
    /// Our tag is there but is not a settings record this version reads.
    #[error("the settings stored in the video cannot be read: {0}")]
    BadSettings(String),
    #[error("the settings stored in the video come from a newer R2V Studio (format {0})")]
    TooNew(u32),
    /// A URL reference could not be fetched for the archive.
    #[error("could not fetch the reference: {detail}: {url}")]
    Fetch { url: String, detail: String },
    #[error("the reference is larger than {limit_mb} MB: {url}")]
    FetchTooLarge { url: String, limit_mb: u64 },
}

impl ProvenanceError {
    pub(crate) fn read(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> Self {
        let path = path.into();
        move |source| ProvenanceError::Read { path, source }
    }

    pub(crate) fn write(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> Self {
        let path = path.into();
        move |source| ProvenanceError::Write { path, source }
    }

    /// What happened and what to do, for people.
    pub fn describe(&self) -> Localized {
        match self {
            ProvenanceError::Read { path, source } => loc!(
                "provenance-error-read",
                error = source.to_string(),
                path = path.display().to_string()
            ),
            ProvenanceError::Write { path, source } => loc!(
                "provenance-error-write",
                error = source.to_string(),
                path = path.display().to_string()
            ),
            ProvenanceError::Empty => loc!("provenance-error-empty"),
            ProvenanceError::NotMp4 => loc!("provenance-error-not-mp4"),
            ProvenanceError::Corrupt(detail) => {
                loc!("provenance-error-corrupt", detail = detail.to_string())
            }
            ProvenanceError::NoIndex => loc!("provenance-error-no-index"),
            ProvenanceError::Fragmented => loc!("provenance-error-fragmented"),
            ProvenanceError::IndexTooLarge(bytes) => loc!(
                "provenance-error-index-too-large",
                megabytes = bytes / (1024 * 1024)
            ),
            ProvenanceError::TagTooLarge(bytes) => {
                loc!("provenance-error-tag-too-large", kilobytes = bytes / 1024)
            }
            ProvenanceError::NoSettings => loc!("provenance-error-no-settings"),
            ProvenanceError::BadSettings(detail) => {
                loc!("provenance-error-bad-settings", detail = detail.clone())
            }
            ProvenanceError::TooNew(format) => {
                loc!("provenance-error-too-new", format = *format)
            }
            ProvenanceError::Fetch { url, detail } => loc!(
                "provenance-error-fetch",
                detail = detail.clone(),
                url = url.clone()
            ),
            ProvenanceError::FetchTooLarge { url, limit_mb } => loc!(
                "provenance-error-fetch-too-large",
                limit = *limit_mb,
                url = url.clone()
            ),
        }
    }
}
