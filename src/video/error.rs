//! What can go wrong with a clip, for people and for code.

use crate::core::text::Localized;
use crate::loc;

/// Why a clip cannot be shown in the app. Every case leaves the system player
/// available, and [`VideoError::describe`] says so.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VideoError {
    /// The app was built without the `video-decoder` feature.
    #[error("the in-app video player is not built in")]
    NotBuiltIn,
    /// The file could not be read (missing, no permission, disk trouble).
    #[error("cannot read the video file: {detail}")]
    Unreadable { detail: String },
    /// The file has no bytes at all.
    #[error("the video file is empty")]
    Empty,
    /// The file is not an MP4 (ISO media) file.
    #[error("not an MP4 file")]
    NotMp4,
    /// The file ends early: its index (`moov`) or some of its pictures are missing.
    #[error("the video file is incomplete")]
    Truncated,
    /// The file holds no video track.
    #[error("the file has no video track")]
    NoVideo,
    /// The video is compressed with something other than H.264.
    #[error("unsupported video codec {codec}")]
    UnsupportedCodec { codec: String },
    /// The sound is compressed with something other than AAC-LC (the picture
    /// still plays, without sound).
    #[error("unsupported sound codec {codec}")]
    UnsupportedAudio { codec: String },
    /// H.264, but a kind this decoder does not handle (10-bit, 4:4:4…).
    #[error("unsupported H.264 stream: {detail}")]
    UnsupportedStream { detail: String },
    /// The declared picture size is zero or beyond [`super::MAX_SIDE`]: refused
    /// before anything is allocated for it.
    #[error("unreasonable picture size {width}x{height}")]
    BadDimensions { width: u32, height: u32 },
    /// The file's structure or its compressed pictures are damaged.
    #[error("damaged video: {detail}")]
    Corrupt { detail: String },
    /// A frame index or time past the end of the clip.
    #[error("frame {index} is past the end of the clip ({count} frames)")]
    OutOfRange { index: usize, count: usize },
}

impl VideoError {
    /// What happened and what the user can do, in both languages. Every message
    /// says that the system player can still be used.
    pub fn describe(&self) -> Localized {
        match self {
            VideoError::NotBuiltIn => loc!("video-error-not-built-in"),
            VideoError::Unreadable { detail } => {
                let detail = detail.as_str();
                loc!("video-error-unreadable", detail = detail)
            }
            VideoError::Empty => loc!("video-error-empty"),
            VideoError::NotMp4 => loc!("video-error-not-mp4"),
            VideoError::Truncated => loc!("video-error-truncated"),
            VideoError::NoVideo => loc!("video-error-no-video"),
            VideoError::UnsupportedCodec { codec } => {
                let codec = codec.as_str();
                loc!("video-error-codec", codec = codec)
            }
            VideoError::UnsupportedAudio { codec } => {
                let codec = codec.as_str();
                loc!("video-error-audio-codec", codec = codec)
            }
            VideoError::UnsupportedStream { detail } => {
                let detail = detail.as_str();
                loc!("video-error-stream", detail = detail)
            }
            VideoError::BadDimensions { width, height } => {
                let (width, height) = (*width, *height);
                let max = super::MAX_SIDE;
                loc!(
                    "video-error-dimensions",
                    width = width,
                    height = height,
                    max = max
                )
            }
            VideoError::Corrupt { detail } => {
                let detail = detail.as_str();
                loc!("video-error-corrupt", detail = detail)
            }
            VideoError::OutOfRange { index, count } => {
                let (index, count) = (*index, *count);
                loc!("video-error-out-of-range", index = index, count = count)
            }
        }
    }

    pub(crate) fn corrupt(detail: impl Into<String>) -> Self {
        VideoError::Corrupt {
            detail: detail.into(),
        }
    }

    pub(crate) fn io(error: &std::io::Error) -> Self {
        if error.kind() == std::io::ErrorKind::UnexpectedEof {
            VideoError::Truncated
        } else {
            VideoError::Unreadable {
                detail: error.to_string(),
            }
        }
    }
}
